package csvimport

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"+44 7700 900123", "'+44 7700 900123"},
		{"-2", "'-2"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"'=1", "''=1"}, // already escaped once: escaped again, so Unescape is exact
		{"'Tis the season", "'Tis the season"},
		{"'", "'"},
		{"Bella", "Bella"},
		{"", ""},
		{" =1", " =1"}, // a leading space is not a formula
		{"a=b", "a=b"},
	} {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Unescape(Escape(tt.in)); got != tt.in {
			t.Errorf("Unescape(Escape(%q)) = %q", tt.in, got)
		}
	}
}

// TestWriteReadRoundTrip writes hostile cells, reads them back, checks that
// no cell in the file starts a formula, and that Convert restores the values.
func TestWriteReadRoundTrip(t *testing.T) {
	headers := []string{"Name", "Notes", "Phone"}
	rows := [][]string{
		{"=cmd|' /C calc'!A0", "@SUM(1+1)", "+44 7700 900123"},
		{"Zoë, \"Zo\" Brontë", "line one\nline two", "-1"},
		{"'Tis", "\t=HYPERLINK(\"http://x\")", "0113"},
	}
	var buf bytes.Buffer
	if err := Write(&buf, headers, rows); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")) {
		t.Error("no UTF-8 BOM for Excel")
	}
	tb, err := Read(&buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tb.Headers, headers) || len(tb.Rows) != len(rows) {
		t.Fatalf("read back %q %v", tb.Headers, tb.Rows)
	}
	for i, r := range tb.Rows {
		for j, c := range r.Cells {
			if c != "" && formulaStart(c[0]) {
				t.Errorf("row %d cell %d %q would run as a formula", i, j, c)
			}
			if got := Unescape(c); got != rows[i][j] {
				t.Errorf("row %d cell %d: %q unescapes to %q, want %q", i, j, c, got, rows[i][j])
			}
		}
	}
	res, err := Convert(tb, Mapping{Name, Notes, Phone}, Choices{NewID: ids()})
	if err != nil {
		t.Fatal(err)
	}
	var phones []string
	for _, c := range res.Clients {
		phones = append(phones, c.Client.Phones...)
	}
	if !slices.Contains(phones, "+44 7700 900123") {
		t.Errorf("phones after round trip %q (kept %v)", phones, res.Kept)
	}
	if !strings.HasPrefix(res.Clients[0].Client.Name, "=cmd") {
		t.Errorf("name %q", res.Clients[0].Client.Name)
	}
}

package session

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"pawfile/shared/record"
	"pawfile/shared/seal"
)

// The full export is a zip any unzip tool opens: every record of every
// type as JSON and as CSV (formulas escaped), the photos as files, and a
// manifest that counts them.
func TestExportAll(t *testing.T) {
	ctx := context.Background()
	s, _ := setUp(t, "ws1", seal.NewKeyring(), 7)
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	ann, bella, inv, gone := record.NewID(), record.NewID(), record.NewID(), record.NewID()
	photo, err := s.StagePhoto(record.ClassProject, []byte("\xff\xd8 jpeg of bella"))
	if err != nil {
		t.Fatal(err)
	}
	for _, save := range []struct {
		id string
		v  any
	}{
		{ann, &record.Client{Name: "=HYPERLINK(\"http://evil\")", Phones: []string{"+44 7700 900123"}}},
		{record.NewID(), &record.Client{Name: "Béatrice Keep"}},
		{gone, &record.Client{Name: "Deleted Dan"}},
		{bella, &record.Pet{Client: ann, Name: "Bella", Allergies: []string{"chicken", "oats"}}},
		{record.NewID(), &record.Photo{Pet: bella, Kind: "before", Blob: photo}},
		{inv, &record.Invoice{Client: ann, Number: "INV-7", Issued: "2025-03-07", Status: "issued"}},
		{record.NewID(), &record.InvoiceLine{Invoice: inv, Position: 1, Description: "Full groom", Quantity: 1, UnitPrice: record.Money{Minor: 4550, Currency: "GBP"}}},
	} {
		if _, err := s.save(ctx, save.id, nil, save.v); err != nil {
			t.Fatalf("save %T: %v", save.v, err)
		}
	}
	if _, err := s.EraseClient(ctx, gone); err != nil {
		t.Fatal(err)
	}

	var steps []int
	ex, err := s.ExportAll(ctx, func(done, total int) { steps = append(steps, done, total) })
	if err != nil {
		t.Fatal(err)
	}
	if ex.Records != 6 || ex.Photos != 1 || ex.Missing != 0 {
		t.Errorf("export of %d records, %d photos, %d missing; want 6, 1, 0", ex.Records, ex.Photos, ex.Missing)
	}
	if n := len(steps); n == 0 || steps[n-2] != steps[n-1] {
		t.Errorf("progress %v does not end at its total", steps)
	}
	if ex.Name != "pawfile-everything-"+string(record.DateOf(time.Now()))+".zip" {
		t.Errorf("name %q", ex.Name)
	}
	raw := bytes.Join(ex.Parts, nil)
	if int64(len(raw)) != ex.Size {
		t.Errorf("size %d, parts hold %d bytes", ex.Size, len(raw))
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("the export is not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc) // checks the CRC-32 at the end
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = b
	}
	for _, typ := range record.Types() {
		name := groupName(typ)
		if files["json/"+name+".json"] == nil || files["csv/"+name+".csv"] == nil {
			t.Errorf("no JSON or CSV for %s", name)
		}
	}
	var clients []map[string]any
	if err := json.Unmarshal(files["json/client.json"], &clients); err != nil {
		t.Fatalf("clients JSON: %v", err)
	}
	if len(clients) != 2 || clients[1]["name"] != "Béatrice Keep" || clients[0]["id"] != ann {
		t.Errorf("clients = %v", clients)
	}
	if img := files["photos/"+photo+".jpg"]; string(img) != "\xff\xd8 jpeg of bella" {
		t.Errorf("photo file = %q", img)
	}
	var manifest struct {
		Workspace string         `json:"workspace"`
		Records   map[string]int `json:"records"`
		Photos    int            `json:"photos"`
	}
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.Workspace != "ws1" || manifest.Records["client"] != 2 || manifest.Records["pets"] != 1 || manifest.Records["invoice_lines"] != 1 || manifest.Photos != 1 {
		t.Errorf("manifest = %+v", manifest)
	}
	if !strings.Contains(string(files["README.txt"]), "not encrypted") {
		t.Error("README.txt missing or without its warning")
	}

	// CSV: stable columns, the formula escaped, amounts split.
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(files["csv/client.csv"], []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "id" || rows[0][1] != "name" {
		t.Errorf("client columns %v", rows[0])
	}
	body := string(files["csv/client.csv"])
	if !strings.Contains(body, `'=HYPERLINK(`) || !strings.Contains(body, `'+44 7700 900123`) {
		t.Errorf("formula-like cells not escaped:\n%s", body)
	}
	lines, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(files["csv/invoice_lines.csv"], []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range lines[0] {
		col[h] = i
	}
	if lines[1][col["unit_price"]] != "45.50" || lines[1][col["unit_price_currency"]] != "GBP" || len(lines[1]) != len(lines[0]) {
		t.Errorf("invoice line row %v under %v", lines[1], lines[0])
	}
}

func TestExportAllLocked(t *testing.T) {
	s, _ := setUp(t, "ws1", seal.NewKeyring(), 7)
	if _, err := s.ExportAll(context.Background(), nil); err != ErrLocked {
		t.Errorf("export while locked: %v", err)
	}
}

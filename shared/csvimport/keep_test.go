package csvimport

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestEveryRowKept is issue 17's file: 2,001 rows, 637 of them with
// "not-an-email" in the email column. Every row becomes a client with its
// phone, address and pet; the bad email is kept, marked, in its notes.
func TestEveryRowKept(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("Name,Phone,Email,Address,Pet\n")
	bad := 0
	for i := range 2001 {
		email := fmt.Sprintf("c%d@example.com", i)
		if i%3 == 1 && bad < 637 {
			email, bad = "not-an-email", bad+1
		}
		fmt.Fprintf(&b, "Client %d,07700 9%05d,%s,%d High Street,Rex%d\n", i, i, email, i, i)
	}
	tb := mustRead(t, b.Bytes(), Options{})
	res, err := Convert(tb, Guess(tb.Headers), Choices{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Clients) != 2001 {
		t.Fatalf("%d clients imported, want 2001", len(res.Clients))
	}
	noted := 0
	for i, c := range res.Clients {
		if c.Client.Address != fmt.Sprintf("%d High Street", i) || len(c.Client.Phones) != 1 || len(c.Pets) != 1 || c.Pets[0].Pet.Name != fmt.Sprintf("Rex%d", i) {
			t.Fatalf("row %d lost a value: %+v", c.Row, c)
		}
		if strings.Contains(c.Client.Notes, "Imported email, not valid: not-an-email") {
			noted++
			if len(c.Client.Emails) != 0 {
				t.Errorf("row %d keeps the bad email as an address: %q", c.Row, c.Client.Emails)
			}
		}
	}
	if noted != 637 {
		t.Errorf("%d clients have the bad email in their notes, want 637", noted)
	}
	// The summary says it once.
	var lines []string
	for _, p := range res.Problems() {
		lines = append(lines, p.String())
	}
	if want := []string{"637 emails were not valid: kept in each client's notes"}; !slices.Equal(lines, want) {
		t.Errorf("summary %q, want %q", lines, want)
	}
}

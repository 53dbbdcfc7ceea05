package csvimport

import (
	"bytes"
	"testing"
)

// FuzzRead feeds arbitrary bytes to Read, then Guess and Convert what it
// accepts. None may panic; a table must respect the limits it was given;
// Escape must neutralise and Unescape undo every cell.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"Name,Phone,Email\nAl,0113,al@example.com\n",
		"\xEF\xBB\xBFName;Adresse\nZoë;\"1 rue, Lyon\"\n",
		"\xFF\xFEN\x00a\x00m\x00e\x00\n\x00A\x00l\x00\n\x00",
		"\xFE\xFF\x00N\x00a\x00m\x00e",
		"Name\tPet\tBreed\nAl\tBella & Max\tPug\n",
		"Name,Notes\nAl,\"open\nBo,x\n",
		"Name,Notes\nAl,5\" poodle\n",
		"Name,Notes\n\"=cmd|' /C calc'!A0\",@SUM(1+1)\n",
		"Name\rAl\rBo",
		"Name,Marketing,Species\nAl,maybe,hamster\n",
		"N\x00ame\n",
		"Nom,T\xe9l\xe9phone\nR\xe9mi,0102\n",
		"PK\x03\x04",
		"\n\n,,,\n\"\"\"\"\n",
		"Name,Pets,Allergies,Behaviour,DOB,Groom every,Last visit,Rabies given,Rabies expiry\nAl,Rex & Bo,chicken,\"bites, ham\",01/02/2020; 03/04/2021,6,2024-01-01,2024-01-02,2023-01-01\n,,,,,,,\n",
	} {
		f.Add([]byte(s))
	}
	opts := Options{MaxBytes: 1 << 16, MaxLineBytes: 1 << 12, MaxColumns: 16, MaxRows: 64, MaxCells: 512}
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := Read(bytes.NewReader(data), opts)
		if err != nil {
			if tb != nil {
				t.Fatal("table and error")
			}
			return
		}
		if len(tb.Headers) > opts.MaxColumns || len(tb.Rows) > opts.MaxRows {
			t.Fatalf("limits exceeded: %d columns, %d rows", len(tb.Headers), len(tb.Rows))
		}
		prev := tb.HeaderRow
		for _, r := range tb.Rows {
			if r.Number <= prev || len(r.Cells) > len(tb.Headers) {
				t.Fatalf("row %d after %d, %d cells of %d", r.Number, prev, len(r.Cells), len(tb.Headers))
			}
			prev = r.Number
			for _, c := range r.Cells {
				e := Escape(c)
				if e != "" && formulaStart(e[0]) {
					t.Fatalf("Escape(%q) = %q starts a formula", c, e)
				}
				if Unescape(e) != c {
					t.Fatalf("Unescape(Escape(%q)) = %q", c, Unescape(e))
				}
			}
		}
		m := Guess(tb.Headers)
		m[0] = Name // so Convert runs even when no header looks like a name
		// Every row with a value becomes a client (Convert checks each
		// record it makes and errs on any it would refuse).
		res, err := Convert(tb, m, Choices{DateOrder: DayFirst, Today: "2026-12-06"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Clients)+res.BlankRows != len(tb.Rows) {
			t.Fatalf("%d rows became %d clients and %d blank", len(tb.Rows), len(res.Clients), res.BlankRows)
		}
	})
}

package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"pawfile/shared/csvimport"
	"pawfile/shared/record"
	"pawfile/shared/seal"
)

// importable reads and converts a client list of n clients; every client
// but each eighth has a pet.
func importable(t *testing.T, n int) []csvimport.Imported {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("Name,Mobile,Email,Dog,Breed,Notes\n")
	for i := range n {
		pet, breed := fmt.Sprintf("Rex%d", i), "Poodle"
		if i%8 == 0 {
			pet, breed = "", ""
		}
		notes := "Gate code 1234"
		if i == 7 {
			notes = `=cmd|' /C calc'!A0`
		}
		fmt.Fprintf(&b, "Client%04d Imported,07700 9%05d,c%d@example.com,%s,%s,%q\n", i, i, i, pet, breed, notes)
	}
	tb, err := csvimport.Read(&b, csvimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := csvimport.Convert(tb, csvimport.Guess(tb.Headers), csvimport.Choices{})
	if err != nil || len(res.Kept) != 0 || len(res.Clients) != n {
		t.Fatalf("convert: %v %v, %d clients", err, res.Problems(), len(res.Clients))
	}
	return res.Clients
}

func TestImportClients(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveClient(ctx, record.NewID(), &record.Client{Name: "Already Here"}); err != nil {
		t.Fatal(err)
	}
	clients := importable(t, 2000)
	rows, queued := len(st.records), len(st.outbox)

	// A failing transaction leaves nothing: not in the store, not in the
	// outbox, not in memory, not in search.
	st.mu.Lock()
	st.failCommit = errors.New("QuotaExceededError")
	st.mu.Unlock()
	if _, err := s.ImportClients(ctx, clients, nil); err == nil || !strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("import with a failing store: %v", err)
	}
	if len(st.records) != rows || len(st.outbox) != queued {
		t.Errorf("after a failed import: %d rows, %d queued; want %d, %d", len(st.records), len(st.outbox), rows, queued)
	}
	if n := s.ClientCount(); n != 1 {
		t.Errorf("%d clients after a failed import, want 1", n)
	}
	if ok, _ := s.LoadClient(clients[5].ID, &record.Client{}); ok {
		t.Error("a client of the failed import is in memory")
	}
	if ok, _ := s.LoadPet(clients[5].Pets[0].ID, &record.Pet{}); ok {
		t.Error("a pet of the failed import is in memory")
	}
	if hits := s.SearchClients("Client0005", 5); len(hits) != 0 {
		t.Errorf("search finds a client of the failed import: %+v", hits)
	}
	// A single save, a batch of one, fails the same way.
	one := record.NewID()
	if err := s.SaveClient(ctx, one, &record.Client{Name: "Not Saved"}); err == nil {
		t.Fatal("a save with a failing store succeeded")
	}
	if ok, _ := s.LoadClient(one, &record.Client{}); ok || s.ClientCount() != 1 {
		t.Error("a client whose save failed is in memory")
	}
	st.mu.Lock()
	st.failCommit = nil
	st.mu.Unlock()

	var reports []int
	tot, err := s.ImportClients(ctx, clients, func(done, total int) {
		if total != 2000 {
			t.Errorf("progress total %d, want 2000", total)
		}
		// Between chunks the session is free for the screens.
		if n := s.ClientCount(); n != 1 {
			t.Errorf("%d clients listed before the import is written, want 1", n)
		}
		reports = append(reports, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportTotals{Clients: 2000, Pets: 1750}); tot != want {
		t.Errorf("imported %+v, want %+v", tot, want)
	}
	if len(reports) != 20 || reports[0] != 100 || reports[19] != 2000 {
		t.Errorf("progress reports %v, want 100, 200, … 2000", reports)
	}
	if got, want := len(st.outbox)-queued, 2000+1750; got != want {
		t.Errorf("%d versions queued for sync, want %d", got, want)
	}
	check := func(s *Session) {
		t.Helper()
		if n := s.ClientCount(); n != 2001 {
			t.Errorf("%d clients, want 2001", n)
		}
		c := clients[1234]
		for _, q := range []string{"Client1234", "07700 901234", "Rex1234"} {
			if hits := s.SearchClients(q, 5); len(hits) != 1 || hits[0].ID != c.ID {
				t.Errorf("search %q = %+v, want client %s", q, hits, c.ID)
			}
		}
		if pets := s.PetsOf(c.ID); len(pets) != 1 || pets[0].Name != "Rex1234" {
			t.Errorf("pets of an imported client = %+v", pets)
		}
		// A formula-like note is kept as the text it was.
		var got record.Client
		if ok, _ := s.LoadClient(clients[7].ID, &got); !ok || got.Notes != `=cmd|' /C calc'!A0` {
			t.Errorf("the formula-like note reads %q", got.Notes)
		}
	}
	check(s)
	again, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Lock()
	if err := again.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	check(again) // from the store
}

// An import that the idle lock interrupts between chunks writes nothing.
func TestImportInterruptedByLock(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	_, err := s.ImportClients(ctx, importable(t, 250), func(done, total int) {
		if done == 100 {
			s.Lock()
			if err := s.Unlock(ctx, pass); err != nil {
				t.Fatal(err)
			}
		}
	})
	if err == nil {
		t.Fatal("an import interrupted by a lock succeeded")
	}
	if len(st.records) != 0 || len(st.outbox) != 0 || s.ClientCount() != 0 {
		t.Errorf("after an interrupted import: %d rows, %d queued, %d clients", len(st.records), len(st.outbox), s.ClientCount())
	}
}

// TestImportCare imports pets' allergies, vaccinations and last visits:
// the pets show their alerts, the vaccinations due list and the lapsed
// list know them, and a pet's next grooming is due from its last visit.
func TestImportCare(t *testing.T) {
	ctx := context.Background()
	s, _ := setUp(t, "ws1", seal.NewKeyring(), 7)
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	const today = record.Date("2026-12-06")
	tb, err := csvimport.Read(strings.NewReader("Name,Email,Dog,Allergies,Groom every,Last visit,Rabies expiry\n"+
		"Ann Lapsed,not-an-email,Rex,chlorhexidine,6,2026-06-01,2026-12-20\n"+
		"Bo Current,bo@example.com,Bella,,8,2026-11-20,2028-01-01\n"), csvimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	zone, err := record.LoadZone("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	res, err := csvimport.Convert(tb, csvimport.Guess(tb.Headers), csvimport.Choices{Today: today, Zone: zone})
	if err != nil {
		t.Fatal(err)
	}
	tot, err := s.ImportClients(ctx, res.Clients, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportTotals{Clients: 2, Pets: 2, Vaccinations: 2, Visits: 2}); tot != want {
		t.Errorf("imported %+v, want %+v", tot, want)
	}
	ann, bo := res.Clients[0], res.Clients[1]
	var c record.Client
	if ok, _ := s.LoadClient(ann.ID, &c); !ok || c.Notes != "Imported email, not valid: not-an-email" {
		t.Errorf("Ann's notes %q", c.Notes)
	}
	if pets := s.PetsOf(ann.ID); len(pets) != 1 || len(pets[0].Alerts) != 1 || pets[0].Alerts[0].Text != "allergy: chlorhexidine" {
		t.Errorf("Ann's pets %+v", pets)
	}
	if v := s.Visits(bo.Pets[0].ID, today); v.Due != "2027-01-15" || v.Lapsed {
		t.Errorf("Bella's visits %+v, want due 2027-01-15", v)
	}
	if l := s.Lapsed(today); len(l) != 1 || l[0].Client != ann.ID || l[0].Name != "Ann Lapsed" {
		t.Errorf("lapsed %+v, want Ann", l)
	}
	if due := s.DueVaccinations(today); len(due) != 1 || due[0].Name != "Rabies" || due[0].Due != record.DueSoon {
		t.Errorf("vaccinations due %+v, want Rex's Rabies", due)
	}
}

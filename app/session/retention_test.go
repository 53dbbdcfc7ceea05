package session

import (
	"context"
	"testing"
	"time"

	"pawfile/shared/access"
	"pawfile/shared/record"
	"pawfile/shared/retention"
)

// A retention run erases, on every device, the clients whose last entry
// is past the period, and only those: not a recent client, not one on
// legal hold, not one just typed in with no dated record. It leaves a
// deletion record with counts and no names; projects completed more than
// the archive period ago leave the day-to-day lists for the archive.
func TestRetentionRun(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	today := todayHere()
	at := func(years int) record.Instant {
		return record.InstantOf(time.Now().In(localZone()).AddDate(-years, 0, 0))
	}
	old, recent, held, undated := record.NewID(), record.NewID(), record.NewID(), record.NewID()
	oldPet, oldVisit, recentVisit, heldVisit := record.NewID(), record.NewID(), record.NewID(), record.NewID()
	oldInvoice := record.NewID()
	oldEnd := record.InstantOf(at(8).Time().Add(time.Hour))
	for _, save := range []struct {
		id string
		v  any
	}{
		{old, &record.Client{Name: "Olive Old"}},
		{oldPet, &record.Pet{Client: old, Name: "Biscuit", BirthDate: record.DateOf(time.Now().AddDate(-1, 0, 0))}},
		{oldVisit, &record.Project{Client: old, Pets: []string{oldPet}, Kind: "grooming", Title: "Full groom", Status: "done", Start: at(8), End: oldEnd}},
		{record.NewID(), &record.ProgressNote{Project: oldVisit, Text: "matted", When: at(8)}},
		{oldInvoice, &record.Invoice{Client: old, Status: "paid", Issued: record.DateOf(at(8).Time())}},
		{record.NewID(), &record.InvoiceLine{Invoice: oldInvoice, Description: "Full groom", Quantity: 1, UnitPrice: record.Money{Minor: 4500, Currency: "GBP"}}},
		{record.NewID(), &record.ContactLog{Client: old, When: at(9), Channel: "call", Summary: "booked"}},
		{recent, &record.Client{Name: "Rita Recent"}},
		{recentVisit, &record.Project{Client: recent, Kind: "grooming", Title: "Bath", Status: "done", Start: at(4)}},
		{record.NewID(), &record.ContactLog{Client: recent, When: at(1), Channel: "call", Summary: "asked about a bath"}},
		{held, &record.Client{Name: "Hal Held", LegalHold: true}},
		{heldVisit, &record.Project{Client: held, Kind: "grooming", Title: "Trim", Status: "done", Start: at(10)}},
		{undated, &record.Client{Name: "Una Undated"}},
	} {
		if _, err := a.save(ctx, save.id, nil, save.v); err != nil {
			t.Fatalf("save %T: %v", save.v, err)
		}
	}
	send(t, a, b, 1)

	p, err := a.RetentionPreview(today)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Clients) != 1 || p.Clients[0].ID != old || p.Clients[0].Name != "Olive Old" {
		t.Fatalf("preview lists %+v, want Olive Old alone", p.Clients)
	}
	if want := record.DateOf(oldEnd.Time()); p.Clients[0].LastEntry != want {
		t.Errorf("last entry %s, want %s (the visit, not the earlier call nor the pet's birth date)", p.Clients[0].LastEntry, want)
	}
	// Client class: the client, the invoice, its line, the call. Care:
	// the pet. Project: the visit and its note.
	if p.Records[record.ClassClient] != 4 || p.Records[record.ClassCare] != 1 || p.Records[record.ClassProject] != 2 || p.Total() != 7 {
		t.Errorf("preview records %v, want client 4, care 1, project 2", p.Records)
	}
	if p.Held != 1 {
		t.Errorf("held = %d, want 1 (Hal Held)", p.Held)
	}
	// Archived: Olive's 8-year-old visit and Rita's 4-year-old bath; not
	// Hal's, on hold.
	if p.Archived != 2 {
		t.Errorf("archived = %d, want 2", p.Archived)
	}
	if got := a.ProjectsOf(recent); len(got) != 0 {
		t.Errorf("an archived project is still on its client's list: %+v", got)
	}
	if got := a.ProjectsOf(held); len(got) != 1 {
		t.Errorf("the held client's project left their list: %+v", got)
	}
	arch := a.ArchivedProjects(today)
	if len(arch) != 2 || arch[0].ID != recentVisit || arch[1].ID != oldVisit {
		t.Errorf("archive lists %+v, want the bath, then the old visit", arch)
	}

	// Not the owner: no preview, no run.
	b.mu.Lock()
	b.dev.Role = access.FrontDesk
	b.mu.Unlock()
	if _, err := b.RetentionRun(ctx, today, false); err == nil {
		t.Error("a front desk ran retention")
	}
	if err := b.SaveRetentionSettings(ctx, nil, RetentionSettings{Policy: retention.Default}); err == nil {
		t.Error("a front desk changed the retention settings")
	}

	d, err := a.RetentionRun(ctx, today, false)
	if err != nil {
		t.Fatal(err)
	}
	if d.Clients != 1 || d.ClientRecords != 4 || d.CareRecords != 1 || d.ProjectRecords != 2 || d.By != "m1" || d.When.IsZero() {
		t.Errorf("deletion record %+v", d)
	}
	send(t, a, b, 2)
	for name, s := range map[string]*Session{"a": a, "b": b} {
		if ok, _ := s.LoadClient(old, &record.Client{}); ok {
			t.Errorf("%s: the old client still loads", name)
		}
		if rec, ok := s.book.Record(record.TypeProject, oldVisit); !ok || !rec.IsErased() {
			t.Errorf("%s: the old client's visit is not erased", name)
		}
		for _, id := range []string{recent, held, undated} {
			if ok, _ := s.LoadClient(id, &record.Client{}); !ok {
				t.Errorf("%s: client %s was erased", name, id)
			}
		}
		ds := s.Deletions()
		if len(ds) != 1 || ds[0].Clients != 1 || ds[0].ClientRecords != 4 {
			t.Errorf("%s: deletion log %+v", name, ds)
		}
	}
	// A second run finds nothing and logs nothing.
	if d, err := a.RetentionRun(ctx, today, false); err != nil || d.Clients != 0 {
		t.Errorf("second run: %+v, %v", d, err)
	}
	if ds := a.Deletions(); len(ds) != 1 {
		t.Errorf("a run with nothing to erase left a deletion record: %+v", ds)
	}
}

// The settings sync as a record; a shorter period makes more due, and a
// period the policy refuses is not saved.
func TestRetentionSettings(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	if got := b.RetentionSettings(); got.Policy != retention.Default || got.Automatic {
		t.Errorf("settings before any were saved: %+v", got)
	}
	if err := a.SaveRetentionSettings(ctx, nil, RetentionSettings{Policy: retention.Policy{ClientYears: 2, ArchiveYears: 3}}); err == nil {
		t.Error("saved an archive period longer than the client period")
	}
	want := RetentionSettings{Policy: retention.Policy{ClientYears: 2, ArchiveYears: 1}, Automatic: true}
	if err := a.SaveRetentionSettings(ctx, nil, want); err != nil {
		t.Fatal(err)
	}
	c := record.NewID()
	if _, err := a.save(ctx, c, nil, &record.Client{Name: "Three Years"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.save(ctx, record.NewID(), nil, &record.ContactLog{Client: c, Channel: "call", Summary: "hello",
		When: record.InstantOf(time.Now().In(localZone()).AddDate(-3, 0, 0))}); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)
	if got := b.RetentionSettings(); got != want {
		t.Errorf("settings on the other device: %+v, want %+v", got, want)
	}
	p, err := b.RetentionPreview(todayHere())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Clients) != 1 || p.Clients[0].ID != c {
		t.Errorf("with a 2-year period, preview lists %+v", p.Clients)
	}

	// Automatic: the first time b is up to date after unlocking, it runs.
	b.upToDate()
	var ds []Deletion
	for range 100 {
		if ds = b.Deletions(); len(ds) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(ds) != 1 || !ds[0].Automatic || ds[0].Clients != 1 {
		t.Fatalf("after the automatic run, the log holds %+v", ds)
	}
	if ok, _ := b.LoadClient(c, &record.Client{}); ok {
		t.Error("the automatic run left the client")
	}
}

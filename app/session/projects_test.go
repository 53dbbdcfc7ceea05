package session

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	// The tests name zones: Go's database makes them load under wasm.
	_ "time/tzdata"

	"pawfile/shared/record"
	"pawfile/shared/schedule"
	"pawfile/shared/seal"
)

// at is a wall-clock time in London, as a booking form makes it.
func at(t *testing.T, d record.Date, h, m int) record.Instant {
	t.Helper()
	i, err := schedule.At(d, h, m, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// twoDevices sets up two devices of one workspace, unlocked; bst is the
// second one's store.
func twoDevices(t *testing.T) (a, b *Session, bst *memStore) {
	t.Helper()
	keys := seal.NewKeyring()
	a, _ = setUp(t, "ws1", keys, 1)
	b, bst = setUp(t, "ws1", keys, 2)
	unlocked(t, a)
	unlocked(t, b)
	return a, b, bst
}

// unlocked unlocks s and waits for its bookings to be listed.
func unlocked(t *testing.T, s *Session) {
	t.Helper()
	if err := s.Unlock(context.Background(), pass); err != nil {
		t.Fatal(err)
	}
	waitProjects(t, s)
}

// waitProjects waits until the bookings opened after unlock are listed.
func waitProjects(t *testing.T, s *Session) {
	t.Helper()
	for range 500 {
		if !s.ProjectsLoading() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the bookings were still being opened 5 s after unlock")
}

// Unlock does not wait for the bookings: the client list and search are
// ready first, the bookings a moment later, and a booking saved meanwhile
// is not overwritten by its older doc.
func TestProjectsOpenAfterUnlock(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	ann, bella := household(t, s, "Ann", record.Pet{Name: "Bella"})
	ids := make([]string, 300)
	for i := range ids {
		ids[i] = record.NewID()
		p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 11, 0), "m1")
		if _, err := s.SaveProject(ctx, ids[i], nil, &p); err != nil {
			t.Fatal(err)
		}
	}
	again, _ := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	defer again.Lock()
	if err := again.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	if hits := again.SearchClients("Ann", 5); len(hits) != 1 {
		t.Fatalf("search right after unlock: %+v", hits)
	}
	var p record.Project
	if ok, err := again.LoadProject(ids[0], &p); !ok || err != nil {
		t.Fatalf("load a project right after unlock: %v %v", ok, err)
	}
	p.Title = "Renamed while the bookings opened"
	if _, err := again.SaveProject(ctx, ids[0], nil, &p); err != nil {
		t.Fatal(err)
	}
	waitProjects(t, again)
	list := again.ProjectsOf(ann)
	if len(list) != 300 {
		t.Fatalf("%d bookings listed, want 300", len(list))
	}
	for _, b := range list {
		if b.ID == ids[0] && b.Title != p.Title {
			t.Errorf("the booking saved during the load lists as %q", b.Title)
		}
	}
}

// household saves a client with one pet and returns their ids.
func household(t *testing.T, s *Session, name string, pet record.Pet) (client, petID string) {
	t.Helper()
	ctx := context.Background()
	client, petID = record.NewID(), record.NewID()
	if err := s.SaveClient(ctx, client, nil, &record.Client{Name: name}); err != nil {
		t.Fatal(err)
	}
	pet.Client = client
	if err := s.SavePet(ctx, petID, nil, &pet); err != nil {
		t.Fatal(err)
	}
	return client, petID
}

func groom(client, pet string, start, end record.Instant, staff ...string) record.Project {
	return record.Project{Client: client, Pets: []string{pet}, Kind: "grooming", Title: "Full groom", Status: schedule.Planned,
		Start: start, End: end, AssignedStaff: staff, Price: record.Money{Minor: 4500, Currency: "GBP"}}
}

// A project and its tasks, milestones and notes are saved, listed from
// the index docs, and still listed after a reload, which opens no project.
func TestProjectsSaveAndReload(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	ann, bella := household(t, s, "Ann", record.Pet{Name: "Bella", Allergies: []string{"chicken"}})
	id := record.NewID()
	p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 12, 0), "m1")
	if next, err := s.SaveProject(ctx, id, nil, &p); err != nil || next != "" {
		t.Fatalf("SaveProject = %q, %v", next, err)
	}
	for _, v := range []struct {
		id string
		v  any
	}{
		{record.NewID(), &record.Task{Project: id, Position: 2, Title: "Nails"}},
		{record.NewID(), &record.Task{Project: id, Position: 1, Title: "Bath", Done: true}},
		{record.NewID(), &record.Milestone{Project: id, Title: "Calm on the table", Date: "2026-04-01"}},
	} {
		if _, err := s.save(ctx, v.id, nil, v.v); err != nil {
			t.Fatal(err)
		}
	}
	older, newer := at(t, "2026-03-10", 10, 5), at(t, "2026-03-10", 11, 50)
	if err := s.SaveNote(ctx, record.NewID(), nil, &record.ProgressNote{Project: id, When: older, Condition: "matted behind the ears"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveNote(ctx, record.NewID(), nil, &record.ProgressNote{Project: id, When: newer, Blades: "7F", MinutesTaken: 105}); err != nil {
		t.Fatal(err)
	}

	// Cancelling needs a reason; the error names the field.
	c := p
	c.Status = schedule.Cancelled
	var errs record.Errors
	if _, err := s.SaveProject(ctx, id, nil, &c); !errors.As(err, &errs) || errs.On("status_reason") == "" {
		t.Errorf("cancel without a reason: %v", err)
	}
	// Done is final: back to planned is refused.
	d := p
	d.Status, d.Outcome = schedule.Done, "Lovely teddy cut"
	if _, err := s.SaveProject(ctx, id, nil, &d); err != nil {
		t.Fatal(err)
	}
	back := d
	back.Status = schedule.Planned
	if _, err := s.SaveProject(ctx, id, nil, &back); !errors.As(err, &errs) || errs.On("status") == "" {
		t.Errorf("done → planned: %v", err)
	}

	check := func(s *Session) {
		t.Helper()
		list := s.ProjectsOf(ann)
		if len(list) != 1 || list[0].ID != id || list[0].Status != schedule.Done || list[0].Outcome != "Lovely teddy cut" ||
			list[0].ClientName != "Ann" || list[0].Start != p.Start || list[0].End != p.End {
			t.Fatalf("ProjectsOf = %+v", list)
		}
		if pl := s.ProjectsOfPet(bella); len(pl) != 1 || pl[0].ID != id {
			t.Errorf("ProjectsOfPet = %+v", pl)
		}
		tasks := s.TasksOf(id)
		if len(tasks) != 2 || tasks[0].Record.Title != "Bath" || !tasks[0].Record.Done || tasks[1].Record.Title != "Nails" {
			t.Errorf("TasksOf = %+v", tasks)
		}
		if ms := s.MilestonesOf(id); len(ms) != 1 || ms[0].Record.Title != "Calm on the table" {
			t.Errorf("MilestonesOf = %+v", ms)
		}
		notes := s.NotesOf(id)
		if len(notes) != 2 || notes[0].Record.Blades != "7F" || notes[1].Record.Condition == "" || notes[0].Record.Author != "m1" {
			t.Errorf("NotesOf (newest first) = %+v", notes)
		}
		day, _ := schedule.Day("2026-03-10", "Europe/London")
		cols := s.Agenda(day, []string{"m1", "m2"})
		if len(cols) != 2 || cols[0].Staff != "m1" || len(cols[0].Bookings) != 1 || cols[0].Bookings[0].ID != id || len(cols[1].Bookings) != 0 {
			t.Errorf("Agenda = %+v", cols)
		}
		next, _ := schedule.Day("2026-03-11", "Europe/London")
		if cols := s.Agenda(next, nil); len(cols) != 0 {
			t.Errorf("Agenda of the next day = %+v", cols)
		}
	}
	check(s)

	again, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Lock()
	unlocked(t, again)
	check(again)
}

// Lists read the docs alone: a reload opens no project to list them.
func TestProjectListsOpenNoRecord(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	ann, bella := household(t, s, "Ann", record.Pet{Name: "Bella"})
	id := record.NewID()
	p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 11, 0), "m1")
	if _, err := s.SaveProject(ctx, id, nil, &p); err != nil {
		t.Fatal(err)
	}
	again, _ := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	defer again.Lock()
	unlocked(t, again)
	day, _ := schedule.Day("2026-03-10", "Europe/London")
	if len(again.ProjectsOf(ann)) != 1 || len(again.Agenda(day, nil)) != 1 || len(again.ConflictsIn(day)) != 0 {
		t.Fatal("the project is not listed after a reload")
	}
	again.book.Close() // a list that opened a record would now fail or find nothing
	if len(again.ProjectsOf(ann)) != 1 || len(again.Agenda(day, nil)) != 1 {
		t.Error("lists need the records, not only their docs")
	}
}

// A store whose index docs predate projects' is reindexed once at unlock.
func TestUnlockIndexesProjectsOfAnOlderStore(t *testing.T) {
	ctx := context.Background()
	keys := seal.NewKeyring()
	s, st := setUp(t, "ws1", keys, 7)
	unlocked(t, s)
	ann, bella := household(t, s, "Ann", record.Pet{Name: "Bella"})
	id := record.NewID()
	p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 11, 0))
	if _, err := s.SaveProject(ctx, id, nil, &p); err != nil {
		t.Fatal(err)
	}
	s.Lock()
	// As an older version left it: no project docs, no version mark.
	row := docPrefix + rowKey(seal.RecordKey(keys.MAC, record.ClassProject, record.TypeProject, id))
	if _, ok := st.later[row]; !ok {
		t.Fatal("no index doc row for the project among the bookings' rows")
	}
	delete(st.later, row)
	delete(st.meta, metaDocs)
	unlocked(t, s)
	if list := s.ProjectsOf(ann); len(list) != 1 || list[0].ID != id {
		t.Fatalf("after reindexing: %+v", list)
	}
	if b := st.meta[metaDocs]; len(b) != 1 || b[0] != docsVersion {
		t.Errorf("docs version after reindexing = %v", b)
	}
}

// Two devices edit different fields of one project offline; both edits
// are kept on both.
func TestProjectConcurrentEdits(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	ann, bella := household(t, a, "Ann", record.Pet{Name: "Bella"})
	id := record.NewID()
	p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 11, 0), "m1")
	if _, err := a.SaveProject(ctx, id, nil, &p); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)
	var pa, pb record.Project
	a.LoadProject(id, &pa)
	if ok, _ := b.LoadProject(id, &pb); !ok {
		t.Fatal("b does not have the project")
	}
	pa.Scope, pa.Status = "Teddy face, short body", schedule.InProgress
	pb.Price, pb.AssignedStaff = record.Money{Minor: 5200, Currency: "GBP"}, []string{"m1", "m2"}
	if _, err := a.SaveProject(ctx, id, nil, &pa); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SaveProject(ctx, id, nil, &pb); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 2)
	send(t, b, a, 3)
	for _, s := range []*Session{a, b} {
		var got record.Project
		s.LoadProject(id, &got)
		if got.Scope != "Teddy face, short body" || got.Status != schedule.InProgress || got.Price.Minor != 5200 || len(got.AssignedStaff) != 2 {
			t.Errorf("device %d after the exchange: %+v", s.dev.Device, got)
		}
		if sum, _ := s.Project(id); sum.Status != schedule.InProgress || len(sum.Staff) != 2 {
			t.Errorf("device %d's doc after the exchange: %+v", s.dev.Device, sum)
		}
	}
}

// Marking a repeating visit done books the next one six weeks later at
// the same wall-clock time, across the clocks going forward, once:
// saving it done again, reopening and redoing it, or another device
// marking it done too, make no second one.
func TestRepeatMakesOneNext(t *testing.T) {
	ctx := context.Background()
	keys := seal.NewKeyring()
	a, ast := setUp(t, "ws1", keys, 1)
	b, _ := setUp(t, "ws1", keys, 2)
	unlocked(t, a)
	unlocked(t, b)
	ann, bella := household(t, a, "Ann", record.Pet{Name: "Bella"})
	id := record.NewID()
	p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 12, 0), "m1")
	p.RepeatWeeks = 6
	if _, err := a.SaveProject(ctx, id, nil, &p); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)

	outbox := len(ast.outbox)
	done := p
	done.Status = schedule.Done
	next, err := a.SaveProject(ctx, id, nil, &done)
	if err != nil || next == "" {
		t.Fatalf("marking done: next %q, %v", next, err)
	}
	if n := len(ast.outbox) - outbox; n != 2 {
		t.Errorf("marking done queued %d versions, want 2 (the project and the next)", n)
	}
	var n record.Project
	if ok, _ := a.LoadProject(next, &n); !ok {
		t.Fatal("the next project is not saved")
	}
	if want := at(t, "2026-04-21", 10, 0); n.Start != want || n.End.UnixMilli-n.Start.UnixMilli != 2*3600*1000 {
		t.Errorf("next starts %v, ends %v; want %v for two hours", n.Start, n.End, want)
	}
	if n.Status != schedule.Planned || n.RepeatWeeks != 6 || n.Title != "Full groom" || len(n.Pets) != 1 {
		t.Errorf("next project = %+v", n)
	}

	done.Outcome = "Good girl"
	if again, err := a.SaveProject(ctx, id, nil, &done); err != nil || again != "" {
		t.Errorf("saving done again: next %q, %v", again, err)
	}
	if err := a.ReopenProject(ctx, id); err != nil {
		t.Fatal(err)
	}
	a.LoadProject(id, &done)
	if done.Status != schedule.InProgress {
		t.Fatalf("reopened status %q", done.Status)
	}
	done.Status = schedule.Done
	if again, err := a.SaveProject(ctx, id, nil, &done); err != nil || again != "" {
		t.Errorf("done after reopening: next %q, %v", again, err)
	}

	// b marks the same visit done offline before hearing of a's.
	var pb record.Project
	b.LoadProject(id, &pb)
	pb.Status = schedule.Done
	if nb, err := b.SaveProject(ctx, id, nil, &pb); err != nil || nb != next {
		t.Errorf("b's next = %q, %v; want the same id %q", nb, err, next)
	}
	send(t, a, b, 2)
	send(t, b, a, 3)
	for _, s := range []*Session{a, b} {
		if list := s.ProjectsOf(ann); len(list) != 2 {
			t.Errorf("device %d has %d projects, want 2: %+v", s.dev.Device, len(list), list)
		}
	}

	// A repeating project with no start cannot be marked done: the next
	// visit would have no date. The error says so on the field.
	odd := record.Project{Client: ann, Kind: "grooming", Title: "Walk-in", Status: schedule.Done, RepeatWeeks: 4}
	var errs record.Errors
	if _, err := a.SaveProject(ctx, record.NewID(), nil, &odd); !errors.As(err, &errs) || errs.On("repeat_weeks") == "" {
		t.Errorf("repeat with no start: %v", err)
	}
}

func TestBookAgain(t *testing.T) {
	ctx := context.Background()
	s, _ := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	ann, bella := household(t, s, "Ann", record.Pet{Name: "Bella"})
	id := record.NewID()
	p := groom(ann, bella, at(t, "2026-03-10", 9, 30), at(t, "2026-03-10", 11, 0), "m1")
	p.Status, p.StatusReason = schedule.NoShow, "no answer at the door"
	if _, err := s.SaveProject(ctx, id, nil, &p); err != nil {
		t.Fatal(err)
	}
	nid, err := s.BookAgain(ctx, id, "2026-03-17")
	if err != nil {
		t.Fatal(err)
	}
	var q record.Project
	s.LoadProject(nid, &q)
	if q.Start != at(t, "2026-03-17", 9, 30) || q.End != at(t, "2026-03-17", 11, 0) || q.Status != schedule.Planned || q.StatusReason != "" {
		t.Errorf("booked again: %+v", q)
	}
	if sum, _ := s.Project(id); sum.Outcome != "no answer at the door" {
		t.Errorf("a no-show lists its reason: %+v", sum)
	}
}

// Bookings clash for the same staff member or the same pet at once, not
// back to back, not when cancelled.
func TestProjectConflicts(t *testing.T) {
	ctx := context.Background()
	s, _ := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	ann, bella := household(t, s, "Ann", record.Pet{Name: "Bella"})
	bob, rex := household(t, s, "Bob", record.Pet{Name: "Rex"})
	save := func(p record.Project) string {
		t.Helper()
		id := record.NewID()
		if _, err := s.SaveProject(ctx, id, nil, &p); err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := save(groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 11, 0), "m1"))
	save(groom(bob, rex, at(t, "2026-03-10", 11, 0), at(t, "2026-03-10", 12, 0), "m1")) // back to back
	cancelled := groom(bob, rex, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 11, 0), "m1")
	cancelled.Status, cancelled.StatusReason = schedule.Cancelled, "client called"
	save(cancelled)

	// Same staff, another pet.
	p := groom(bob, rex, at(t, "2026-03-10", 10, 30), at(t, "2026-03-10", 11, 30), "m1")
	b, _ := schedule.BookingOf("new", &p)
	cs := s.Conflicts(b)
	if len(cs) != 2 {
		t.Fatalf("same staff: %d conflicts, want 2 (the 10:00 and the 11:00): %+v", len(cs), cs)
	}
	if cs[0].A.ID != first || len(cs[0].Staff) != 1 || cs[0].Staff[0] != "m1" || len(cs[0].Pets) != 0 {
		t.Errorf("first conflict = %+v", cs[0])
	}
	// Same pet, another groomer.
	p = groom(ann, bella, at(t, "2026-03-10", 10, 45), at(t, "2026-03-10", 10, 50), "m2")
	b, _ = schedule.BookingOf("new", &p)
	if cs := s.Conflicts(b); len(cs) != 1 || len(cs[0].Pets) != 1 || cs[0].Pets[0] != bella || len(cs[0].Staff) != 0 {
		t.Errorf("same pet: %+v", cs)
	}
	// Neither: another groomer, another pet, or after the day.
	p = groom(ann, record.NewID(), at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 12, 0), "m2")
	b, _ = schedule.BookingOf("new", &p)
	if cs := s.Conflicts(b); len(cs) != 0 {
		t.Errorf("no shared staff or pet: %+v", cs)
	}
	// A stored booking moved onto its own old slot does not clash with itself.
	var f record.Project
	s.LoadProject(first, &f)
	f.End = at(t, "2026-03-10", 10, 30)
	b, _ = schedule.BookingOf(first, &f)
	if cs := s.Conflicts(b); len(cs) != 0 {
		t.Errorf("a booking clashes with its stored self: %+v", cs)
	}
	day, _ := schedule.Day("2026-03-10", "Europe/London")
	if cs := s.ConflictsIn(day); len(cs) != 0 {
		t.Errorf("the day's stored bookings clash: %+v", cs)
	}
	save(groom(ann, bella, at(t, "2026-03-10", 10, 30), at(t, "2026-03-10", 11, 30), "m2"))
	if cs := s.ConflictsIn(day); len(cs) != 1 || cs[0].Pets[0] != bella {
		t.Errorf("the day's clashes after double-booking Bella: %+v", cs)
	}
}

// A pet's last visit and due date, and the lapsed clients, come from the
// docs; a client marked do not book is not on the lapsed list.
func TestVisitsAndLapsed(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	ann, bella := household(t, s, "Ann", record.Pet{Name: "Bella", GroomingIntervalWeeks: 6})
	bob, rex := household(t, s, "Bob", record.Pet{Name: "Rex"})
	cat, tom := household(t, s, "Cat", record.Pet{Name: "Tom"})
	for _, p := range []record.Project{
		groom(ann, bella, at(t, "2026-01-05", 10, 0), at(t, "2026-01-05", 11, 0)),
		groom(bob, rex, at(t, "2025-11-03", 10, 0), at(t, "2025-11-03", 11, 0)),
		groom(cat, tom, at(t, "2025-10-01", 10, 0), at(t, "2025-10-01", 11, 0)),
	} {
		p.Status = schedule.Done
		if _, err := s.SaveProject(ctx, record.NewID(), nil, &p); err != nil {
			t.Fatal(err)
		}
	}
	var c record.Client
	s.LoadClient(cat, &c)
	c.DoNotBook, c.DoNotBookReason = true, "bit the groomer"
	if err := s.SaveClient(ctx, cat, nil, &c); err != nil {
		t.Fatal(err)
	}
	again, _ := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	defer again.Lock()
	unlocked(t, again)
	v := again.Visits(bella, "2026-04-10")
	if v.Last != at(t, "2026-01-05", 10, 0) || v.Due != "2026-02-16" || !v.Next.IsZero() {
		t.Errorf("Bella's visits = %+v", v)
	}
	// Ann lapsed (over 12 weeks since her 6-weekly visit), Bob too (over
	// the default 12 weeks); Cat is not to be booked.
	lapsed := again.Lapsed("2026-04-10")
	if len(lapsed) != 2 || lapsed[0].Client != ann || lapsed[0].Name != "Ann" || lapsed[0].PetNames[0] != "Bella" || lapsed[1].Client != bob {
		t.Fatalf("lapsed = %+v", lapsed)
	}
	// Booking Ann again takes her off the list.
	next := groom(ann, bella, at(t, "2026-04-20", 10, 0), at(t, "2026-04-20", 11, 0))
	if _, err := again.SaveProject(ctx, record.NewID(), nil, &next); err != nil {
		t.Fatal(err)
	}
	if lapsed := again.Lapsed("2026-04-10"); len(lapsed) != 1 || lapsed[0].Client != bob {
		t.Errorf("lapsed after booking Ann = %+v", lapsed)
	}
	if v := again.Visits(bella, "2026-04-10"); v.Next != next.Start {
		t.Errorf("Bella's next visit = %v", v.Next)
	}
}

// Dragging a booking on the calendar moves its time, keeps its length,
// and moves it between staff columns; one with no time is refused.
func TestMoveProject(t *testing.T) {
	ctx := context.Background()
	s, _ := setUp(t, "ws1", seal.NewKeyring(), 1)
	unlocked(t, s)
	ann, bella := household(t, s, "Ann", record.Pet{Name: "Bella"})
	id, loose := record.NewID(), record.NewID()
	p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 12, 0), "m1", "m9")
	if _, err := s.SaveProject(ctx, id, nil, &p); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveProject(ctx, id, 90*time.Minute, "m1", "m2"); err != nil {
		t.Fatal(err)
	}
	var got record.Project
	s.load(id, &got)
	if got.Start != at(t, "2026-03-10", 11, 30) || got.End != at(t, "2026-03-10", 13, 30) || !slices.Equal(got.AssignedStaff, []string{"m9", "m2"}) {
		t.Errorf("moved = %v–%v by %v", got.Start, got.End, got.AssignedStaff)
	}
	if err := s.MoveProject(ctx, id, -30*time.Minute, "m2", ""); err != nil {
		t.Fatal(err)
	}
	s.load(id, &got)
	if got.Start != at(t, "2026-03-10", 11, 0) || !slices.Equal(got.AssignedStaff, []string{"m9"}) {
		t.Errorf("moved to the unassigned column = %v by %v", got.Start, got.AssignedStaff)
	}
	q := groom(ann, bella, record.Instant{}, record.Instant{})
	if _, err := s.SaveProject(ctx, loose, nil, &q); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveProject(ctx, loose, time.Hour, "", ""); err == nil || !strings.Contains(err.Error(), "no time") {
		t.Errorf("moving a booking with no time: %v", err)
	}
}

// The client's feedback on a done visit is saved through the one write
// path with the screen's base, so a change made elsewhere meanwhile stays;
// the client's and the pet's lists show it, and it can be undone.
func TestVisitFeedback(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	ann, bella := household(t, a, "Ann", record.Pet{Name: "Bella"})
	id := record.NewID()
	p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 12, 0))
	p.Status = schedule.Done
	if _, err := a.SaveProject(ctx, id, nil, &p); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)
	var pb record.Project
	b.LoadProject(id, &pb)
	pb.Outcome = "Matted behind the ears"
	if _, err := b.SaveProject(ctx, id, nil, &pb); err != nil {
		t.Fatal(err)
	}
	send(t, b, a, 2)
	base := p
	p.Rating, p.Feedback = 5, "Lovely cut"
	if _, err := a.SaveProject(ctx, id, &base, &p); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 3)
	for _, s := range []*Session{a, b} {
		var got record.Project
		s.LoadProject(id, &got)
		if got.Rating != 5 || got.Feedback != "Lovely cut" || got.Outcome != "Matted behind the ears" {
			t.Errorf("device %d: %+v", s.dev.Device, got)
		}
		for _, list := range [][]ProjectSummary{s.ProjectsOf(ann), s.ProjectsOfPet(bella)} {
			if len(list) != 1 || list[0].Rating != 5 || list[0].Feedback != "Lovely cut" {
				t.Errorf("device %d lists %+v", s.dev.Device, list)
			}
		}
	}
	if last, _ := a.LastChange(); last.Label != "Full groom's rating and comment changed" {
		t.Errorf("undo offers %q", last.Label)
	}
	if _, err := a.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	if list := a.ProjectsOf(ann); len(list) != 1 || list[0].Rating != 0 || list[0].Feedback != "" {
		t.Errorf("after undo: %+v", list)
	}
}

// The index docs hold one copy of each name they repeat: in a browser
// every copy is an object the garbage collector marks in one task the page
// cannot interrupt (100,000 docs made it a quarter-second freeze). Both
// after saves here and after a reload, which reads the docs back.
func TestDocsKeepOneCopyOfEachName(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	ann, bella := household(t, s, "Ann", record.Pet{Name: "Bella"})
	var projects, tasks [2]string
	for i := range projects {
		projects[i], tasks[i] = record.NewID(), record.NewID()
		p := groom(ann, bella, at(t, "2026-03-10", 10+i, 0), at(t, "2026-03-10", 11+i, 0), "m1")
		if _, err := s.SaveProject(ctx, projects[i], nil, &p); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveTask(ctx, tasks[i], nil, &record.Task{Project: projects[i], Title: "Nails"}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, s *Session) {
		t.Helper()
		s.mu.RLock()
		defer s.mu.RUnlock()
		same := func(what, a, b string) {
			t.Helper()
			if a != b || unsafe.StringData(a) != unsafe.StringData(b) {
				t.Errorf("%s: %s %q and %q are two copies", when, what, a, b)
			}
		}
		a, b := s.projectDocs[projects[0]], s.projectDocs[projects[1]]
		same("the bookings' client", a.Client, b.Client)
		same("the bookings' pet", a.Pets[0], b.Pets[0])
		same("the bookings' kind", a.Kind, b.Kind)
		same("the bookings' staff", a.Staff[0], b.Staff[0])
		same("the bookings' type", string(a.Type), string(b.Type))
		same("the bookings' title", a.Name, b.Name)
		if len(a.Pets) != 1 || len(b.Pets) != 1 || &a.Pets[0] != &b.Pets[0] || &a.Staff[0] != &b.Staff[0] {
			t.Errorf("%s: the bookings' lists of pets and staff are two copies", when)
		}
		same("a booking's client and the client's id", a.Client, s.clientDocs[ann].ID)
		same("the tasks' type", string(s.partDocs[tasks[0]].Type), string(s.partDocs[tasks[1]].Type))
		for id := range s.projectDocs {
			if id == projects[0] {
				same("a task's project and the booking's id", s.partDocs[tasks[0]].Project, id)
			}
		}
	}
	check("after the saves", s)
	again, _ := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	defer again.Lock()
	unlocked(t, again)
	check("after a reload", again)
	// After a reload, the parts' ids are one string: their keys lie end
	// to end in memory.
	lo, hi, n := ^uintptr(0), uintptr(0), 0
	for id := range again.partDocs {
		p := uintptr(unsafe.Pointer(unsafe.StringData(id)))
		lo, hi, n = min(lo, p), max(hi, p+uintptr(len(id))), n+len(id)
	}
	if int(hi-lo) != n {
		t.Errorf("after a reload, the parts' ids are apart: %d bytes of memory for %d of ids", hi-lo, n)
	}
}

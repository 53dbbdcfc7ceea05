package session

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"pawfile/app/localstore"
	"pawfile/shared/record"
	"pawfile/shared/schedule"
	"pawfile/shared/seal"
)

// heldStore is a memStore whose later part (the bookings) is read only
// once release is closed, and then fails with err if set: a slow, or
// failing, read of the years of bookings.
type heldStore struct {
	*memStore
	release chan struct{}
	err     error
}

func (h heldStore) LaterRecords(ctx context.Context) (map[string][]byte, error) {
	<-h.release
	if h.err != nil {
		return nil, h.err
	}
	return h.memStore.LaterRecords(ctx)
}

// bookingStored saves a booking on s, then a newer title for it, as
// another device's edit would leave the stored state; it returns the
// booking as first saved, which a screen opened before the edit still
// shows.
func bookingStored(t *testing.T, s *Session) (client, id string, shown record.Project) {
	t.Helper()
	ctx := context.Background()
	client, pet := household(t, s, "Ann", record.Pet{Name: "Bella"})
	id = record.NewID()
	shown = groom(client, pet, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 11, 0), "m1")
	if _, err := s.SaveProject(ctx, id, nil, &shown); err != nil {
		t.Fatal(err)
	}
	newer := shown
	newer.Title = "Full groom and nails"
	if _, err := s.SaveProject(ctx, id, &shown, &newer); err != nil {
		t.Fatal(err)
	}
	return client, id, shown
}

// reloadHeld stores a booking (bookingStored) and unlocks the device
// again on a heldStore that fails the bookings' read with err, if not
// nil. The session is locked at the end of the test.
func reloadHeld(t *testing.T, err error) (again *Session, held heldStore, client, id string, shown record.Project) {
	t.Helper()
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	client, id, shown = bookingStored(t, s)
	s.Lock()
	held = heldStore{memStore: st, release: make(chan struct{}), err: err}
	again, err = New(ctx, Config{Server: "http://127.0.0.1:1", Store: held})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(again.Lock)
	if err := again.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	return again, held, client, id, shown
}

// Unlock lists the clients without waiting for the bookings' part of the
// store, and a booking saved before that part is in waits for its stored
// state: what the save did not change stays as stored. Without the wait,
// the booking was written whole from what the screen held, and the newer
// title was lost.
func TestBookingSavedBeforeTheBookingsAreIn(t *testing.T) {
	ctx := context.Background()
	again, held, client, id, shown := reloadHeld(t, nil)
	st := held.memStore
	if hits := again.SearchClients("Ann", 5); len(hits) != 1 || !again.ProjectsLoading() {
		t.Fatalf("before the bookings are read: search %+v, bookings loading %v", hits, again.ProjectsLoading())
	}
	done := shown
	done.Status = schedule.Done
	saved := make(chan error, 1)
	go func() {
		_, err := again.SaveProject(ctx, id, &shown, &done)
		saved <- err
	}()
	select {
	case err := <-saved:
		t.Fatalf("the booking was saved before its stored state was read (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(held.release)
	if err := <-saved; err != nil {
		t.Fatal(err)
	}
	waitProjects(t, again)
	check := func(s *Session, when string) {
		t.Helper()
		var got record.Project
		if ok, err := s.LoadProject(id, &got); !ok || err != nil {
			t.Fatalf("%s: load the booking: %v %v", when, ok, err)
		}
		if got.Status != schedule.Done || got.Title != "Full groom and nails" || got.Client != client || got.Price != shown.Price {
			t.Errorf("%s: %+v; want status done and the stored title", when, got)
		}
	}
	check(again, "after the save")
	again.Lock()
	third, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer third.Lock()
	unlocked(t, third)
	check(third, "after a reload")
}

// If the bookings' part of the store cannot be read, a booking's save
// says so instead of writing over what it could not read, and the
// session locks.
func TestBookingsThatCannotBeRead(t *testing.T) {
	ctx := context.Background()
	again, held, _, id, shown := reloadHeld(t, errors.New("the disk is gone"))
	st := held.memStore
	done := shown
	done.Status = schedule.Done
	saved := make(chan error, 1)
	go func() {
		_, err := again.SaveProject(ctx, id, &shown, &done)
		saved <- err
	}()
	// The save must be waiting for the read when it fails: released
	// sooner, the read's failure could lock the session before the save
	// began, which then says only "locked".
	select {
	case err := <-saved:
		t.Fatalf("the booking's save returned before its stored state was read (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(held.release)
	if err := <-saved; err == nil || !strings.Contains(err.Error(), "the bookings on this device could not be read") {
		t.Fatalf("save with the bookings unread: %v", err)
	}
	for i := 0; again.Phase() != Locked && i < 500; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if again.Phase() != Locked {
		t.Errorf("phase %v after the bookings could not be read, want locked", again.Phase())
	}
	if r := again.LockReason(); !strings.Contains(r, "the bookings on this device could not be read (the disk is gone)") {
		t.Errorf("the reason the unlock screen gives: %q", r)
	}
	var got record.Project
	if ok, err := loadFrom(t, st, id, &got); !ok || err != nil || got.Title != "Full groom and nails" || got.Status == schedule.Done {
		t.Errorf("stored booking after the failed save: %+v (%v %v)", got, ok, err)
	}
}

// loadFrom unlocks st in a new session and loads record id into v.
func loadFrom(t *testing.T, st Store, id string, v any) (bool, error) {
	t.Helper()
	s, err := New(context.Background(), Config{Server: "http://127.0.0.1:1", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Lock()
	unlocked(t, s)
	return s.book.Load(id, v)
}

// A store written before the bookings had their own part holds them with
// the rest; the first unlock moves them there, and everything stays
// listed, then and after a reload.
func TestUnlockKeepsTheBookingsApart(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	client, id, _ := bookingStored(t, s)
	if err := s.SaveTask(ctx, record.NewID(), nil, &record.Task{Project: id, Title: "Nails"}); err != nil {
		t.Fatal(err)
	}
	s.Lock()
	// As an older version left it: every row in the one part, no mark.
	if len(st.later) < 4 {
		t.Fatalf("%d rows in the bookings' part, want the booking's, the task's and their docs", len(st.later))
	}
	moved := len(st.later)
	for k, v := range st.later {
		st.records[k] = v
	}
	clear(st.later)
	delete(st.meta, metaSplit)

	unlocked(t, s)
	if list := s.ProjectsOf(client); len(list) != 1 || len(s.TasksOf(id)) != 1 {
		t.Fatalf("bookings after the first unlock: %+v", list)
	}
	s.Lock()
	if len(st.later) != moved {
		t.Errorf("%d rows moved to the bookings' part, want %d", len(st.later), moved)
	}
	if err := checkParts(localstore.Change{Records: st.records, Later: st.later}, nil); err != nil {
		t.Error(err)
	}
	if b := st.meta[metaSplit]; len(b) != 1 || b[0] != 1 {
		t.Errorf("split mark %v", b)
	}
	unlocked(t, s)
	if list := s.ProjectsOf(client); len(list) != 1 || len(s.TasksOf(id)) != 1 || list[0].Title != "Full groom and nails" {
		t.Fatalf("bookings after a reload: %+v", list)
	}
}

// Bookings received in slices, the cursor moving only with the last, are
// each stored in the bookings' part: a slice with nothing else to write
// (no cursor, no photo) was taken for one that writes nothing, and its
// bookings were gone after a reload.
func TestReceivedBookingsStoredSliceBySlice(t *testing.T) {
	defer func(d time.Duration) { receiveSlice = d }(receiveSlice)
	receiveSlice = -time.Second // 16 versions a slice
	ctx := context.Background()
	a, b, bst := twoDevices(t)
	client, pet := household(t, a, "Ann", record.Pet{Name: "Bella"})
	for range 50 {
		p := groom(client, pet, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 11, 0))
		if _, err := a.SaveProject(ctx, record.NewID(), nil, &p); err != nil {
			t.Fatal(err)
		}
	}
	send(t, a, b, 1)
	if n := len(b.ProjectsOf(client)); n != 50 {
		t.Fatalf("%d bookings received, want 50", n)
	}
	b.Lock()
	again, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: bst})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Lock()
	unlocked(t, again)
	if n := len(again.ProjectsOf(client)); n != 50 {
		t.Errorf("%d bookings after a reload, want 50", n)
	}
}

package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"pawfile/shared/record"
	"pawfile/shared/schedule"
	"pawfile/shared/seal"
)

func TestUndo(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	if _, err := a.Undo(ctx); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("undo with nothing done: %v", err)
	}

	// Undoing a new record deletes it, here and, once synced, elsewhere.
	id := record.NewID()
	if err := a.SaveClient(ctx, id, nil, &record.Client{Name: "Ann Undo", Notes: "first"}); err != nil {
		t.Fatal(err)
	}
	if c, ok := a.LastChange(); !ok || c.Label != "new client Ann Undo" {
		t.Fatalf("LastChange = %+v %v", c, ok)
	}
	send(t, a, b, 1)
	if _, err := a.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.LastChange(); ok {
		t.Error("an undo can itself be undone")
	}
	send(t, a, b, 2)
	for _, s := range []*Session{a, b} {
		if ok, _ := s.LoadClient(id, &record.Client{}); ok || len(s.SearchClients("Ann", 5)) != 0 {
			t.Errorf("undone new client still there")
		}
	}

	// Undoing an edit brings back the old values of what it changed,
	// and keeps a field someone else changed since.
	id = record.NewID()
	c := record.Client{Name: "Bea", Notes: "old notes", Tags: []string{"regular"}}
	if err := a.SaveClient(ctx, id, nil, &c); err != nil {
		t.Fatal(err)
	}
	c.Notes, c.Address = "new notes", "1 New Road"
	if err := a.SaveClient(ctx, id, nil, &c); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 3)
	var cb record.Client
	b.LoadClient(id, &cb)
	cb.Address = "2 Other Street"
	if err := b.SaveClient(ctx, id, nil, &cb); err != nil {
		t.Fatal(err)
	}
	send(t, b, a, 4)
	if _, err := a.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 5)
	for _, s := range []*Session{a, b} {
		var got record.Client
		s.LoadClient(id, &got)
		if got.Notes != "old notes" || got.Address != "2 Other Street" || got.Name != "Bea" || len(got.Tags) != 1 {
			t.Errorf("after undo: %+v", got)
		}
	}

	// Everything the change wrote was changed again: nothing to revert.
	c = record.Client{Name: "Cy"}
	id = record.NewID()
	a.SaveClient(ctx, id, nil, &c)
	c.Notes = "x"
	a.SaveClient(ctx, id, nil, &c)
	send(t, a, b, 6)
	b.LoadClient(id, &cb)
	cb.Notes = "y"
	b.SaveClient(ctx, id, nil, &cb)
	send(t, b, a, 7)
	if _, err := a.Undo(ctx); err == nil || !strings.Contains(err.Error(), "changed again") {
		t.Errorf("undo of an overwritten change: %v", err)
	}

	// An erased record's change is forgotten: undo never brings it back.
	id = record.NewID()
	a.SaveClient(ctx, id, nil, &record.Client{Name: "Dee"})
	if _, err := a.EraseClient(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Undo(ctx); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("undo after erasure: %v", err)
	}
}

func TestDrafts(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 1)
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	type form struct {
		C      record.Client
		Phones []string
	}
	newID := record.NewID()
	in := form{C: record.Client{Name: "Margaret Draftwood", Notes: "half-typed"}, Phones: []string{"07700 900999"}}
	if err := s.KeepDraft(ctx, record.TypeClient, NewDraftID, newID, &in); err != nil {
		t.Fatal(err)
	}
	for name, b := range st.meta {
		if strings.Contains(name, newID) || strings.Contains(string(b), "Draftwood") || strings.Contains(string(b), "07700") {
			t.Fatalf("draft in the clear in the store: %q", name)
		}
	}
	// After a reload and unlock, the draft comes back.
	s.Lock()
	s2, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Lock()
	if _, _, _, err := s2.Draft(ctx, record.TypeClient, NewDraftID, &form{}); !errors.Is(err, ErrLocked) {
		t.Errorf("draft while locked: %v", err)
	}
	if err := s2.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	var out form
	id, saved, ok, err := s2.Draft(ctx, record.TypeClient, NewDraftID, &out)
	if err != nil || !ok || id != newID || saved.IsZero() || out.C.Notes != "half-typed" || out.Phones[0] != "07700 900999" {
		t.Fatalf("Draft = %q %v %v %v %+v", id, saved, ok, err, out)
	}
	// Another record's draft is another draft.
	if _, _, ok, _ := s2.Draft(ctx, record.TypeClient, newID, &form{}); ok {
		t.Error("a saved client's form found the new-client draft")
	}
	if err := s2.DropDraft(ctx, record.TypeClient, NewDraftID); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := s2.Draft(ctx, record.TypeClient, NewDraftID, &form{}); ok {
		t.Error("dropped draft still there")
	}

	// Erasing a client drops its drafts.
	if err := s2.SaveClient(ctx, newID, nil, &in.C); err != nil {
		t.Fatal(err)
	}
	if err := s2.KeepDraft(ctx, record.TypeClient, newID, "", &form{C: record.Client{Name: "Margaret Draftwood", Notes: "more"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.EraseClient(ctx, newID); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := s2.Draft(ctx, record.TypeClient, newID, &form{}); ok {
		t.Error("erased client's draft still there")
	}
}

// Undoing "done" on a repeating visit also removes the next visit it
// booked, unless someone changed that visit since; marking it done again
// books it again.
func TestUndoDoneRemovesNextVisit(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	ann, bella := household(t, a, "Ann", record.Pet{Name: "Bella"})
	id := record.NewID()
	p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 12, 0), "m1")
	p.RepeatWeeks = 6
	if _, err := a.SaveProject(ctx, id, nil, &p); err != nil {
		t.Fatal(err)
	}
	done := p
	done.Status = schedule.Done
	next, err := a.SaveProject(ctx, id, nil, &done)
	if err != nil || next == "" {
		t.Fatalf("marking done: %q, %v", next, err)
	}
	send(t, a, b, 1)
	undone, err := a.Undo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(undone.Note, "next visit it booked is removed") {
		t.Errorf("undo note = %q", undone.Note)
	}
	send(t, a, b, 2)
	for _, s := range []*Session{a, b} {
		var got record.Project
		s.LoadProject(id, &got)
		if got.Status != schedule.Planned {
			t.Errorf("device %d: status after undo %q", s.dev.Device, got.Status)
		}
		if ok, _ := s.LoadProject(next, &record.Project{}); ok {
			t.Errorf("device %d still has the next visit", s.dev.Device)
		}
		if list := s.ProjectsOf(ann); len(list) != 1 {
			t.Errorf("device %d lists %d bookings, want 1", s.dev.Device, len(list))
		}
	}

	// Done again: the next visit is booked again, with the same id.
	a.LoadProject(id, &done)
	done.Status = schedule.Done
	if again, err := a.SaveProject(ctx, id, nil, &done); err != nil || again != next {
		t.Fatalf("done again: next %q, %v; want %q", again, err, next)
	}
	if ok, _ := a.LoadProject(next, &record.Project{}); !ok {
		t.Fatal("the next visit is not booked again")
	}
	// Someone moves the next visit on another device; undoing "done"
	// then keeps it and says so.
	send(t, a, b, 3)
	var nb record.Project
	b.LoadProject(next, &nb)
	nb.Scope = "Shorter this time"
	if _, err := b.SaveProject(ctx, next, nil, &nb); err != nil {
		t.Fatal(err)
	}
	send(t, b, a, 4)
	undone, err = a.Undo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(undone.Note, "changed since, so it is kept") {
		t.Errorf("undo note = %q", undone.Note)
	}
	var kept record.Project
	if ok, _ := a.LoadProject(next, &kept); !ok || kept.Scope != "Shorter this time" {
		t.Errorf("the changed next visit: %v %+v", ok, kept)
	}
	a.LoadProject(id, &done)
	if done.Status != schedule.Planned {
		t.Errorf("status after the second undo %q", done.Status)
	}
}

// The undo offer says what it would undo in a groomer's words, and
// where the change was made.
func TestUndoSaysWhat(t *testing.T) {
	ctx := context.Background()
	s, _ := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	s.SetScreen("/clients/new")
	ann, bella := household(t, s, "Margaret Hill", record.Pet{Name: "Bella"})
	var c record.Client
	s.LoadClient(ann, &c)
	base := c
	c.Phones = []string{"07700 900123"}
	s.SetScreen("/clients/" + ann)
	if err := s.SaveClient(ctx, ann, &base, &c); err != nil {
		t.Fatal(err)
	}
	last, ok := s.LastChange()
	if want := (LastChange{Label: "Margaret Hill's phone changed", Screen: "/clients/" + ann, ID: ann}); !ok || last.Label != want.Label || last.Screen != want.Screen || last.ID != want.ID {
		t.Errorf("LastChange = %+v, want %+v", last, want)
	}
	s.SetScreen("/pets/" + bella)
	for _, tc := range []struct {
		save func() error
		want string
	}{
		{func() error { return s.SaveClient(ctx, record.NewID(), nil, &record.Client{Name: "Ann Lee"}) }, "new client Ann Lee"},
		{func() error {
			return s.SaveWeighing(ctx, record.NewID(), nil, &record.Weighing{Pet: bella, Date: "2026-03-10", Grams: 8000})
		}, "new weighing of Bella"},
		{func() error {
			p := record.Pet{Client: ann, Name: "Bella", Allergies: []string{"chicken"}, Notes: "calm", Breed: "Poodle", Colour: "apricot"}
			return s.SavePet(ctx, bella, nil, &p)
		}, "Bella's breed, colour and 2 more changed"},
		{func() error {
			id := record.NewID()
			p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 12, 0))
			if _, err := s.SaveProject(ctx, id, nil, &p); err != nil {
				return err
			}
			p.Status = schedule.Done
			_, err := s.SaveProject(ctx, id, nil, &p)
			return err
		}, "Full groom marked done"},
	} {
		if err := tc.save(); err != nil {
			t.Fatal(err)
		}
		if last, _ := s.LastChange(); last.Label != tc.want || last.Screen != "/pets/"+bella {
			t.Errorf("LastChange = %+v, want %q on /pets/%s", last, tc.want, bella)
		}
	}
}

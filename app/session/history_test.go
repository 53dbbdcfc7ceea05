package session

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pawfile/app/syncclient"
	"pawfile/shared/access"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// fakeServer keeps every version devices send, superseded ones too, as
// the sync server's store does, and answers history requests from it.
type fakeServer struct {
	mu   sync.Mutex
	seq  uint64
	log  []wire.Envelope
	page int // the most versions a history page holds; 0: no bound
}

// sync sends from's outbox to the server and on to the other devices.
func (f *fakeServer) sync(t *testing.T, from *Session, to ...*Session) {
	t.Helper()
	ctx := context.Background()
	vs, _, err := (*local)(from).Outbox(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var results []wire.Result
	f.mu.Lock()
	for i := range vs {
		f.seq++
		vs[i].Seq = f.seq
		results = append(results, wire.Result{OutboxID: vs[i].OutboxID, Seq: f.seq})
	}
	f.log = append(f.log, vs...)
	f.mu.Unlock()
	if err := (*local)(from).Acked(ctx, results); err != nil {
		t.Fatal(err)
	}
	for _, s := range to {
		if err := (*local)(s).Receive(ctx, vs, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// serve makes s read histories from f.
func (f *fakeServer) serve(s *Session) {
	s.historyFrom = func(_ context.Context, rk wire.Key, before uint64) ([]wire.Envelope, bool, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		var out []wire.Envelope
		for _, v := range f.log {
			if v.Key == rk && (before == 0 || v.Seq < before) {
				out = append(out, v)
			}
		}
		if f.page > 0 && len(out) > f.page {
			return out[len(out)-f.page:], true, nil
		}
		return out, false, nil
	}
}

func offline(s *Session) {
	s.historyFrom = func(context.Context, wire.Key, uint64) ([]wire.Envelope, bool, error) {
		return nil, false, syncclient.ErrOffline
	}
}

// changeText is a change as a test reads it: "field: old → new by device".
func changeText(c Change) string {
	if c.Event != "" {
		return fmt.Sprintf("%s by %d", c.Event, c.Device())
	}
	old := "?"
	if c.OldKnown {
		old = fmt.Sprint(c.Old)
	}
	return fmt.Sprintf("%s: %s → %v by %d", c.Field.Label, old, c.New, c.Device())
}

func historyText(t *testing.T, s *Session, typ record.Type, id string) (History, []string) {
	t.Helper()
	h, err := s.RecordHistory(context.Background(), typ, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range h.Changes {
		out = append(out, changeText(c))
	}
	return h, out
}

// A client edited on two devices, one of them offline: every device's
// history reads the same changes, in the order the merge applies them,
// each with the time it was made on its device and that device.
func TestHistoryOfARecordEditedOnTwoDevices(t *testing.T) {
	ctx := context.Background()
	keys := seal.NewKeyring()
	a, _ := setUp(t, "ws1", keys, 1)
	b, _ := setUp(t, "ws1", keys, 2)
	b.dev.Login, b.dev.Role = "desk@example.com", access.FrontDesk
	b.cfg.DeviceName = "Browser on Linux"
	srv := &fakeServer{}
	for _, s := range []*Session{a, b} {
		if err := s.Unlock(ctx, pass); err != nil {
			t.Fatal(err)
		}
		srv.serve(s)
	}
	id := record.NewID()
	c := record.Client{Name: "Margaret Lockwood", Phones: []string{"07700 900123"}}
	if err := a.SaveClient(ctx, id, &c); err != nil {
		t.Fatal(err)
	}
	srv.sync(t, a, b)

	// The front desk, offline, changes the phone; it syncs later.
	offline(b)
	var cb record.Client
	b.LoadClient(id, &cb)
	cb.Phones = []string{"07700 900999"}
	before := time.Now()
	if err := b.SaveClient(ctx, id, &cb); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	h, got := historyText(t, b, record.TypeClient, id)
	if !strings.Contains(h.Note, "Offline") {
		t.Errorf("offline history note: %q", h.Note)
	}
	// Offline, the device knows the last change of each field, not what
	// the phone was before.
	if want := "phones: ? → [07700 900999] by 2"; len(got) == 0 || got[0] != want {
		t.Errorf("offline history starts %q, want %q", got, want)
	}
	time.Sleep(30 * time.Millisecond)
	synced := time.Now()
	b.Viewed(ViewOpen, id, "") // so the owner's device learns who device 2 is
	waitFor(t, "the view entry", func() bool { _, n, _ := (*local)(b).Outbox(ctx, 10); return n == 2 })
	srv.sync(t, b, a)

	// The owner also edits, later, online.
	a.LoadClient(id, &c)
	c.Notes = "Bella bites"
	if err := a.SaveClient(ctx, id, &c); err != nil {
		t.Fatal(err)
	}
	srv.sync(t, a, b)
	srv.serve(b)
	if _, err := a.AuditTrail(); err != nil {
		t.Fatal(err)
	}

	want := []string{
		"notes:  → Bella bites by 1",
		"phones: [07700 900123] → [07700 900999] by 2",
		"name:  → Margaret Lockwood by 1",
		"phones: [] → [07700 900123] by 1",
		"created by 1",
	}
	for _, s := range []*Session{a, b} {
		h, got := historyText(t, s, record.TypeClient, id)
		if !slices.Equal(got, want) || h.Note != "" {
			t.Fatalf("device %d's history:\n%s\nwant:\n%s\nnote %q", s.dev.Device, strings.Join(got, "\n"), strings.Join(want, "\n"), h.Note)
		}
		phone := h.Changes[1]
		if at := phone.At(); at.Before(before.Truncate(time.Millisecond)) || at.After(after) || !at.Before(synced) {
			t.Errorf("the offline edit reads %v: made between %v and %v, synced at %v", at, before, after, synced)
		}
		if phone.Who.Login != "desk@example.com" || phone.Who.DeviceName != "Browser on Linux" || phone.Who.This != (s == b) {
			t.Errorf("device %d: the offline edit's author is %+v", s.dev.Device, phone.Who)
		}
		// The front desk has not seen the owner's device log anything:
		// it knows it by its id alone.
		if who := h.Changes[0].Who; (s == a) != (who.Login == "owner@example.com") {
			t.Errorf("device %d: the owner's edit's author is %+v", s.dev.Device, who)
		}
	}

	// Offline, a field emptied reads as a change too.
	offline(a)
	a.LoadClient(id, &c)
	c.Notes = ""
	if err := a.SaveClient(ctx, id, &c); err != nil {
		t.Fatal(err)
	}
	if _, got := historyText(t, a, record.TypeClient, id); len(got) == 0 || got[0] != "notes: ? →  by 1" {
		t.Errorf("an emptied field offline reads %q", got)
	}
	srv.sync(t, a, b)

	// Two offline edits of one field: the later by the clock wins, and the
	// history reads the earlier replaced by the later.
	offline(a)
	offline(b)
	a.LoadClient(id, &c)
	c.Notes = "muzzle"
	a.SaveClient(ctx, id, &c)
	b.LoadClient(id, &cb)
	cb.Notes = "no muzzle needed"
	b.SaveClient(ctx, id, &cb)
	srv.sync(t, a, b)
	srv.sync(t, b, a)
	srv.serve(a)
	_, got = historyText(t, a, record.TypeClient, id)
	if want := []string{"notes: muzzle → no muzzle needed by 2", "notes:  → muzzle by 1", "notes: Bella bites →  by 1"}; !slices.Equal(got[:3], want) {
		t.Errorf("concurrent edits read:\n%s", strings.Join(got, "\n"))
	}
}

// waitFor waits, boundedly, for what a goroutine does.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for range 500 {
		if ok() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never happened", what)
}

// A record edited more often than a page of the server's history holds:
// the history shows the latest page and says older changes remain;
// reading the older pages one by one ends with the whole history, the
// same as one read of it all.
func TestOlderHistoryPages(t *testing.T) {
	ctx := context.Background()
	a, _ := setUp(t, "ws1", seal.NewKeyring(), 1)
	if err := a.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	srv := &fakeServer{}
	srv.serve(a)
	id := record.NewID()
	c := record.Client{Name: "Margaret Lockwood"}
	for i := range 12 {
		c.Notes = fmt.Sprintf("visit %d", i)
		if err := a.SaveClient(ctx, id, &c); err != nil {
			t.Fatal(err)
		}
		srv.sync(t, a)
	}
	_, whole := historyText(t, a, record.TypeClient, id)

	srv.page = 5
	h, err := a.RecordHistory(ctx, record.TypeClient, id)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Older || len(h.Changes) >= len(whole) {
		t.Fatalf("first page: older %v, %d changes of %d", h.Older, len(h.Changes), len(whole))
	}
	pages := 1
	for h.Older {
		if pages++; pages > 5 {
			t.Fatal("older pages do not end")
		}
		shown := len(h.Changes)
		if h, err = a.OlderHistory(ctx, h); err != nil {
			t.Fatal(err)
		}
		if len(h.Changes) <= shown {
			t.Fatalf("page %d added no change: %d", pages, len(h.Changes))
		}
	}
	var got []string
	for _, c := range h.Changes {
		got = append(got, changeText(c))
	}
	if !slices.Equal(got, whole) || pages != 3 {
		t.Fatalf("after %d pages:\n%s\nwant:\n%s", pages, strings.Join(got, "\n"), strings.Join(whole, "\n"))
	}
}

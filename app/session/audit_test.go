package session

import (
	"context"
	"strings"
	"testing"

	"pawfile/shared/access"
	"pawfile/shared/audit"
	"pawfile/shared/record"
	"pawfile/shared/seal"
)

// outboxLen is how many versions wait to be sent.
func outboxLen(t *testing.T, s *Session) int {
	t.Helper()
	_, n, err := (*local)(s).Outbox(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Views of a client are logged as sealed entries that sync, chained per
// device; the owner's device checks every chain and sees one broken.
func TestAuditTrail(t *testing.T) {
	ctx := context.Background()
	keys := seal.NewKeyring()
	owner, _ := setUp(t, "ws1", keys, 1)
	desk, deskStore := setUp(t, "ws1", keys, 2)
	desk.dev.Login, desk.dev.Role = "desk@example.com", access.FrontDesk
	srv := &fakeServer{}
	for _, s := range []*Session{owner, desk} {
		if err := s.Unlock(ctx, pass); err != nil {
			t.Fatal(err)
		}
	}
	client := record.NewID()
	if err := owner.SaveClient(ctx, client, &record.Client{Name: "Margaret Lockwood"}); err != nil {
		t.Fatal(err)
	}
	srv.sync(t, owner, desk)
	last, _ := owner.LastChange()

	// The desk opens the card (twice in a row: one look), exports the
	// client and prints an invoice; the owner opens the card.
	if err := desk.logView(ctx, ViewOpen, client, ""); err != nil {
		t.Fatal(err)
	}
	if err := desk.logView(ctx, ViewOpen, client, ""); err != nil {
		t.Fatal(err)
	}
	if outboxLen(t, desk) != 1 {
		t.Fatalf("the same card opened twice in a row: %d entries", outboxLen(t, desk))
	}
	if _, err := desk.ExportClient(client); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the export's entry", func() bool { return outboxLen(t, desk) == 2 })
	if err := desk.logView(ctx, ViewPrint, client, "inv-1"); err != nil {
		t.Fatal(err)
	}
	if err := owner.logView(ctx, ViewOpen, client, ""); err != nil {
		t.Fatal(err)
	}
	// Logging a view is not a change to undo.
	if now, _ := owner.LastChange(); now.Label != last.Label || now.At != last.At {
		t.Errorf("the last change became %+v", now)
	}
	for _, b := range deskStore.outbox {
		if strings.Contains(string(b), "desk@example.com") || strings.Contains(string(b), client) {
			t.Fatal("an audit entry in the clear in the outbox")
		}
	}
	srv.sync(t, desk, owner)
	srv.sync(t, owner, desk)

	tr, err := owner.AuditTrail()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tr.Entries {
		got = append(got, e.Entry.Login+" "+e.Entry.Action+" "+e.ClientName)
	}
	want := "owner@example.com open Margaret Lockwood; desk@example.com print Margaret Lockwood; desk@example.com export Margaret Lockwood; desk@example.com open Margaret Lockwood"
	if strings.Join(got, "; ") != want {
		t.Fatalf("trail:\n%s\nwant\n%s", strings.Join(got, "; "), want)
	}
	if len(tr.Chains) != 2 || !tr.Chains[0].Intact() || !tr.Chains[1].Intact() || tr.Chains[1].Entries != 3 {
		t.Fatalf("chains: %+v", tr.Chains)
	}
	e := tr.Entries[1].Entry
	if e.Device != audit.DeviceHex(2) || e.Seq != 3 || e.Invoice != "inv-1" || e.Member != "m1" || e.At.IsZero() {
		t.Errorf("the print entry: %+v", e)
	}

	// Unlocked again, the desk finds where its chain stands.
	desk.Lock()
	if err := desk.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	if err := desk.logView(ctx, ViewOpen, client, ""); err != nil {
		t.Fatal(err)
	}
	srv.sync(t, desk, owner)
	if tr, _ = owner.AuditTrail(); !tr.Chains[1].Intact() || tr.Chains[1].Last != 4 {
		t.Fatalf("after the desk unlocked again: %+v", tr.Chains[1])
	}

	// Someone with the keys edits an entry of the desk's afterwards, and
	// deletes another: the owner's screen shows the chain broken.
	var forged record.AuditEntry
	desk.mu.RLock()
	desk.book.Load(audit.ID(2, 2), &forged)
	desk.mu.RUnlock()
	forged.Action = "open"
	if _, err := desk.save(ctx, audit.ID(2, 2), &forged); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.saveAll(ctx, []write{{id: audit.ID(2, 3), del: record.TypeAuditEntry}}); err != nil {
		t.Fatal(err)
	}
	srv.sync(t, desk, owner)
	tr, _ = owner.AuditTrail()
	problems := strings.Join(tr.Chains[1].Problems, "; ")
	if tr.Chains[1].Intact() || !tr.Chains[0].Intact() ||
		problems != "entry 2 was changed after it was written; entry 3 is missing" {
		t.Fatalf("after tampering: %+v", tr.Chains)
	}

	// A viewer may not write client records: nothing is logged for it.
	viewer, _ := setUp(t, "ws1", keys, 3)
	viewer.dev.Role = access.Viewer
	if err := viewer.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	if err := viewer.logView(ctx, ViewOpen, client, ""); err != nil || outboxLen(t, viewer) != 0 {
		t.Errorf("a viewer's view: %v, %d queued", err, outboxLen(t, viewer))
	}
}

package session

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"pawfile/shared/audit"
	"pawfile/shared/merge"
	"pawfile/shared/order"
	"pawfile/shared/record"
)

// The actions an audit entry records (record.AuditEntry.Action).
const (
	ViewOpen   = "open"   // a client's card opened
	ViewExport = "export" // a client's data exported
	ViewPrint  = "print"  // an invoice printed
)

// viewRepeat is how long the same look at the same client is one entry:
// a card shown again after a save or an undo was not looked at again.
const viewRepeat = time.Minute

// Viewed logs, in the background, that this member opened, exported or
// printed a client's records (invoice names the invoice printed): one
// small sealed record, chained to this device's entry before it and
// synced like any other. A role that may not write client records (a
// viewer) could not store it on the server, so nothing is logged for it.
func (s *Session) Viewed(action, client, invoice string) {
	go func() {
		if err := s.logView(context.Background(), action, client, invoice); err != nil {
			s.log.Printf("log a view in the audit trail: err=%v", err)
		}
	}()
}

// logView writes the audit entry Viewed asks for, through the one write
// path (commit), which does not hold the session's lock while the local
// store writes: the screens read under that lock, and a screen waiting for
// it while IndexedDB works can leave the browser with nothing to run.
// The write lock keeps this device's entries in chain order.
func (s *Session) logView(ctx context.Context, action, client, invoice string) error {
	var e record.AuditEntry
	logged := false
	err := s.commit(ctx, func(tx *writeTx) error {
		what := action + " " + client + " " + invoice
		if !s.dev.Role.CanWrite(record.ClassClient) || what == s.lastView && time.Since(s.lastViewAt) < viewRepeat {
			return nil
		}
		prev := s.auditHeadLocked()
		e = record.AuditEntry{
			Action: action, Client: client, Invoice: invoice,
			At:     record.InstantOf(time.UnixMilli(s.clock.Now().Wall).In(localZone())),
			Member: s.dev.Member, Login: s.dev.Login,
			Device: audit.DeviceHex(s.dev.Device), DeviceName: s.cfg.DeviceName,
		}
		if err := audit.Link(&e, prev); err != nil {
			return err
		}
		var err error
		if logged, err = tx.save(audit.ID(s.dev.Device, e.Seq), &e); err != nil || !logged {
			return err
		}
		tx.after = append(tx.after, func() { s.auditHead, s.lastView, s.lastViewAt = &e, what, time.Now() })
		return nil
	})
	if err != nil {
		return fmt.Errorf("save the audit entry on this device: %w", err)
	}
	if logged {
		s.mu.RLock()
		c := s.sync
		s.mu.RUnlock()
		if c != nil {
			c.Kick()
		}
	}
	return nil
}

// auditHeadLocked returns this device's latest audit entry, or nil if it
// has none. Entry ids follow from their numbers, so the latest is found
// by probing numbers (doubling, then halving) rather than by opening
// every record of the book.
func (s *Session) auditHeadLocked() *record.AuditEntry {
	dev := s.dev.Device
	if s.auditHead != nil && s.auditHead.Device == audit.DeviceHex(dev) {
		return s.auditHead
	}
	// lo: the highest number found held (0: none); hi: the lowest found
	// missing (0: none yet, so keep doubling).
	lo, hi := int64(0), int64(0)
	for hi == 0 || hi-lo > 1 {
		probe := lo*2 + 1
		if hi != 0 {
			probe = lo + (hi-lo)/2
		}
		if _, ok := s.book.Record(record.TypeAuditEntry, audit.ID(dev, probe)); ok {
			lo = probe
		} else {
			hi = probe
		}
	}
	if lo == 0 {
		return nil
	}
	rec, _ := s.book.Record(record.TypeAuditEntry, audit.ID(dev, lo))
	var e record.AuditEntry
	record.Decode(rec.Values(), &e)
	// A deleted entry has lost its content; the next still follows its
	// number, and the trail shows the gap.
	e.Seq, e.Device = lo, audit.DeviceHex(dev)
	s.auditHead = &e
	return &e
}

// AuditEntry is one entry of the audit trail as the owner's screen shows
// it.
type AuditEntry struct {
	ID         string
	Entry      *record.AuditEntry
	ClientName string // "" if the client is not on this device (erased)
}

// Trail is the audit trail this device holds.
type Trail struct {
	Entries []AuditEntry // newest first
	Chains  []audit.Chain
}

// AuditTrail reads every audit entry on this device and checks each
// device's chain: an entry deleted leaves its number missing. It opens every record of the book once: call it away
// from the UI.
func (s *Session) AuditTrail() (Trail, error) {
	s.mu.RLock()
	if s.book == nil {
		s.mu.RUnlock()
		return Trail{}, ErrLocked
	}
	var items []audit.Item
	var t Trail
	people := map[uint64]*record.AuditEntry{}
	for _, id := range s.book.IDs(record.TypeAuditEntry) {
		rec, ok := s.book.Record(record.TypeAuditEntry, id)
		if !ok {
			continue
		}
		e := new(record.AuditEntry)
		record.Decode(rec.Values(), e)
		if dev, _, ok := audit.ParseID(id); ok && e.Device == audit.DeviceHex(dev) {
			people[dev] = e
		}
		t.Entries = append(t.Entries, AuditEntry{ID: id, Entry: e, ClientName: s.clientDocs[e.Client].Name})
		items = append(items, audit.Item{ID: id, Entry: e, Rewritten: rewritten(rec)})
	}
	s.mu.RUnlock()
	t.Chains = audit.Verify(items)
	order.Sort(t.Entries, func(a, b AuditEntry) int {
		return cmp.Or(cmp.Compare(b.Entry.At.UnixMilli, a.Entry.At.UnixMilli),
			strings.Compare(a.Entry.Device, b.Entry.Device), cmp.Compare(b.Entry.Seq, a.Entry.Seq))
	})
	s.mu.Lock()
	for dev, e := range people {
		s.learnPersonLocked(dev, e.Member, Person{Login: e.Login, DeviceName: e.DeviceName})
	}
	s.mu.Unlock()
	return t, nil
}

// rewritten reports whether a field of an audit entry was written after
// the entry was made: entries are written once, all fields at creation.
func rewritten(r *merge.Record) bool {
	for _, c := range r.Fields {
		if c.TS != r.Created {
			return true
		}
	}
	return false
}

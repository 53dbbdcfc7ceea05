package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"pawfile/app/syncclient"
	"pawfile/shared/access"
	"pawfile/shared/audit"
	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/order"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// Change is one entry of a record's history: a field set, or the record
// created or deleted.
type Change struct {
	Who   Person // who wrote from Device, as far as this device knows
	Event string // "created", "deleted", or "" for a field's change
	Field *record.Field
	// Old and New are the values before and after, as the field's kind
	// holds them (string, int64, bool, record.Date, record.Instant,
	// record.Money or []string); nil for one that does not decode.
	Old, New any
	// OldKnown is false when the value before is not on this device:
	// offline, only the last change of each field is known.
	OldKnown bool

	ts clock.Timestamp
}

// At is when the change was made on its device, as that device's clock
// (corrected by the server's at its last connection) read it: an edit
// made offline keeps its own time, not the time it synced.
func (c *Change) At() time.Time { return time.UnixMilli(c.ts.Wall).In(localZone()) }

// Device is the device the change was made on.
func (c *Change) Device() uint64 { return c.ts.Device }

// History is a record's changes, newest first.
type History struct {
	Changes []Change
	// Note says what may be missing, for a person; "" when the history
	// is whole.
	Note string
	// Older is set when the server keeps older changes than these:
	// OlderHistory reads them, a page at a time.
	Older bool

	typ    record.Type
	id     string
	states []*merge.Record // every state read so far: this device's, then the server's pages
	before uint64          // the seq the next page of the server's versions is below
}

// Person is who writes from a device.
type Person struct {
	Login      string // "" if not known here
	DeviceName string // e.g. "Browser on Android"; "" if not known
	This       bool   // this device
}

// RecordHistory reads the history of record id of type typ: every version
// the server keeps of it (from every device, superseded ones included)
// and the state on this device (which holds edits not sent yet). Each
// field carries the time and device of each write, so the versions give
// every value a field held, in the order the merge applies them. Offline,
// the state on this device gives the last change of each field. It asks
// the server: call it away from the UI.
func (s *Session) RecordHistory(ctx context.Context, typ record.Type, id string) (History, error) {
	s.mu.RLock()
	if s.book == nil {
		s.mu.RUnlock()
		return History{}, ErrLocked
	}
	cur, held := s.book.Record(typ, id)
	keys, ws := s.keys, s.dev.Workspace
	rk := seal.RecordKey(keys.MAC, typ.Class(), typ, id)
	s.mu.RUnlock()

	h := History{typ: typ, id: id}
	if held {
		h.states = append(h.states, cur)
	}
	return s.readHistory(ctx, keys, ws, rk, h)
}

// OlderHistory reads the page of changes before h's from the server and
// returns h with them added, for a history whose Older is set. It asks
// the server: call it away from the UI.
func (s *Session) OlderHistory(ctx context.Context, h History) (History, error) {
	if !h.Older {
		return h, nil
	}
	s.mu.RLock()
	if s.book == nil {
		s.mu.RUnlock()
		return History{}, ErrLocked
	}
	keys, ws := s.keys, s.dev.Workspace
	s.mu.RUnlock()
	rk := seal.RecordKey(keys.MAC, h.typ.Class(), h.typ, h.id)
	// A fresh slice: h, and the screen showing it, keep theirs.
	h.states = slices.Clone(h.states)
	return s.readHistory(ctx, keys, ws, rk, h)
}

// readHistory adds the server's page of versions below h.before to h's
// states and lists the changes they hold.
func (s *Session) readHistory(ctx context.Context, keys *seal.Keyring, ws string, rk wire.Key, h History) (History, error) {
	sc, ok := record.SchemaOf(h.typ)
	if !ok {
		return History{}, fmt.Errorf("history: unknown record type %q", h.typ)
	}
	vs, more, err := s.serverHistory(ctx, rk, h.before)
	h.Note, h.Older = "", false
	switch {
	case errors.Is(err, syncclient.ErrOffline):
		h.Note = "Offline: this shows the last change of each field. Connect to see every earlier change."
	case err != nil:
		h.Note = "The server did not send the earlier changes (" + err.Error() + "): this shows the last change of each field."
	case more && len(vs) > 0:
		h.Older, h.before = true, vs[0].Seq
	}
	for _, v := range vs {
		if r, err := openVersion(keys, ws, v); err == nil && r.Key == (merge.Key{Class: h.typ.Class(), Type: h.typ, ID: h.id}) {
			h.states = append(h.states, r)
		}
	}
	h.Changes = changesOf(sc, h.states, err == nil && !h.Older)
	s.namePeople(ctx, h.Changes)
	return h, nil
}

// serverHistory reads a page of a record's stored versions from the
// server: the latest below before (0: the latest of all).
func (s *Session) serverHistory(ctx context.Context, rk wire.Key, before uint64) ([]wire.Envelope, bool, error) {
	s.mu.RLock()
	c, from := s.sync, s.historyFrom
	s.mu.RUnlock()
	switch {
	case from != nil:
		return from(ctx, rk, before)
	case c == nil:
		return nil, false, syncclient.ErrOffline
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return c.History(ctx, rk, before)
}

// openVersion opens a version from the server without merging it.
func openVersion(keys *seal.Keyring, ws string, v wire.Envelope) (*merge.Record, error) {
	if v.Erased {
		return nil, errors.New("erased")
	}
	key, ok := keys.Lookup(v.Class, v.KeyID)
	if !ok {
		return nil, errors.New("no key")
	}
	plain, err := seal.Open(key, seal.Header{Workspace: ws, RecordKey: v.Key, TS: v.TS, KeyID: v.KeyID, Format: v.Format}, v.Sealed)
	if err != nil {
		return nil, err
	}
	r, err := merge.Decode(plain)
	if err != nil {
		return nil, err
	}
	// The content must be the record the server filed it under.
	if r.Key.Class != v.Class || seal.RecordKey(keys.MAC, r.Key.Class, r.Key.Type, r.Key.ID) != [32]byte(v.Key) {
		return nil, errors.New("names another record")
	}
	return r, nil
}

// changesOf lists, newest first, every write the states of one record
// hold. Two states share most cells; a cell is one write, known by its
// timestamp. A field's writes in timestamp order are the values it held,
// as every device merges them: each write's old value is the one before
// it. whole says the states reach back to the record's creation, so a
// field's first write replaced nothing.
func changesOf(sc *record.Schema, states []*merge.Record, whole bool) []Change {
	cells := map[string]map[clock.Timestamp][]byte{}
	created, deleted := map[clock.Timestamp]bool{}, map[clock.Timestamp]bool{}
	for _, r := range states {
		if !r.Created.IsZero() {
			created[r.Created] = true
		}
		if !r.Deleted.IsZero() {
			deleted[r.Deleted] = true
		}
		for name, c := range r.Fields {
			if cells[name] == nil {
				cells[name] = map[clock.Timestamp][]byte{}
			}
			cells[name][c.TS] = c.Value
		}
		// A set field changes item by item: each state shows its list
		// as of its latest item change.
		for name, items := range r.Sets {
			var ts clock.Timestamp
			for _, it := range items {
				ts = clock.Max(ts, clock.Max(it.Added, it.Removed))
			}
			if cells[name] == nil {
				cells[name] = map[clock.Timestamp][]byte{}
			}
			if b, ok := r.Get(name); ok {
				cells[name][ts] = b
			}
		}
	}
	var out []Change
	for ts := range created {
		out = append(out, Change{Event: "created", ts: ts})
	}
	for ts := range deleted {
		out = append(out, Change{Event: "deleted", ts: ts})
	}
	pos := map[*record.Field]int{}
	for i := range sc.Fields {
		f := &sc.Fields[i]
		pos[f] = i
		writes := cells[f.Name]
		zero, _ := record.EncodeValue(fieldValue(f, nil, false))
		var prev []byte
		stamps := make([]clock.Timestamp, 0, len(writes))
		for ts := range writes {
			stamps = append(stamps, ts)
		}
		order.Sort(stamps, clock.Timestamp.Compare)
		for _, ts := range stamps {
			v := writes[ts]
			first := prev == nil && (whole || created[ts])
			if first && bytes.Equal(v, zero) || prev != nil && bytes.Equal(v, prev) {
				// A form saves every field: an empty one at creation or
				// one written again unchanged is no change.
				prev = v
				continue
			}
			c := Change{Field: f, New: fieldValue(f, v, true), OldKnown: true, ts: ts}
			switch {
			case prev != nil:
				c.Old = fieldValue(f, prev, true)
			case first:
				c.Old = fieldValue(f, nil, false)
			default:
				c.OldKnown = false
			}
			out = append(out, c)
			prev = v
		}
	}
	// Newest first; at one time, the record's creation below the fields
	// it was created with, and fields in form order.
	rank := func(c Change) int {
		if c.Field == nil {
			return len(sc.Fields)
		}
		return pos[c.Field]
	}
	order.Sort(out, func(a, b Change) int {
		if c := b.ts.Compare(a.ts); c != 0 {
			return c
		}
		return rank(a) - rank(b)
	})
	return out
}

// namePeople says who wrote each change, as far as this device knows:
// itself, the team list (an owner's device, online), and the audit
// entries it has read.
func (s *Session) namePeople(ctx context.Context, cs []Change) {
	unknown := false
	for i := range cs {
		p, ok := s.person(cs[i].ts.Device)
		cs[i].Who, unknown = p, unknown || !ok
	}
	if !unknown || s.Role() != access.Owner || !s.learnTeam(ctx) {
		return
	}
	for i := range cs {
		cs[i].Who, _ = s.person(cs[i].ts.Device)
	}
}

// person returns who writes from device dev; false if not known here.
func (s *Session) person(dev uint64) (Person, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.dev != nil && dev == s.dev.Device {
		return Person{Login: s.dev.Login, DeviceName: s.cfg.DeviceName, This: true}, true
	}
	p, ok := s.people[dev]
	return p, ok
}

// learnPersonLocked notes who writes from dev, member's login, keeping
// what is known already.
func (s *Session) learnPersonLocked(dev uint64, member string, p Person) {
	if s.people == nil {
		s.people, s.staff = map[uint64]Person{}, map[string]string{}
	}
	if member != "" && p.Login != "" {
		s.staff[member] = p.Login
	}
	old := s.people[dev]
	if p.Login == "" {
		p.Login = old.Login
	}
	if p.DeviceName == "" {
		p.DeviceName = old.DeviceName
	}
	s.people[dev] = p
}

// learnTeam reads the team's devices from the server (an owner may);
// false if it could not.
func (s *Session) learnTeam(ctx context.Context) bool {
	ms, err := s.members(ctx)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.learnMembersLocked(ms)
	return true
}

// learnMembersLocked notes who writes from each device of ms, the team
// as the server lists it.
func (s *Session) learnMembersLocked(ms []Member) {
	for _, m := range ms {
		for _, d := range m.Devices {
			s.learnPersonLocked(uint64(d.ID), m.Member, Person{Login: m.Login, DeviceName: d.Name})
		}
	}
}

// DeviceLabel is how screens name a device they know only by its id.
func DeviceLabel(dev uint64) string { return "device " + audit.DeviceHex(dev)[:8] }

// RefName is how a reference to record id of type t reads on a history:
// the client's or pet's name, the project's title, the invoice's number,
// "" if it is not on this device; a team member as StaffName names them.
func (s *Session) RefName(t record.Type, id string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch t {
	case record.TypeClient:
		return s.clientDocs[id].Name
	case record.TypePet:
		return s.petDocs[id].Name
	case record.TypeProject:
		return s.projectDocs[id].Name
	case record.TypeInvoice:
		return s.invoiceDocs[id].Number
	case record.RefStaff:
		return s.staffNameLocked(id)
	}
	return ""
}

// WrittenBy says who last changed field of record id of type typ, as a
// screen names them to the person: "desk@example.com's Browser on
// Android", or "another device" if not known here.
func (s *Session) WrittenBy(typ record.Type, id, field string) string {
	s.mu.RLock()
	bk := s.book
	s.mu.RUnlock()
	if bk == nil {
		return "another device"
	}
	r, ok := bk.Record(typ, id)
	if !ok {
		return "another device"
	}
	ts := r.Fields[field].TS
	for _, it := range r.Sets[field] {
		ts = clock.Max(ts, clock.Max(it.Added, it.Removed))
	}
	p, ok := s.person(ts.Device)
	switch {
	case !ok || p.Login == "" && p.DeviceName == "":
		return "another device"
	case p.Login == "":
		return "“" + p.DeviceName + "”"
	case p.DeviceName == "":
		return p.Login + "'s device"
	}
	return p.Login + "'s " + p.DeviceName
}

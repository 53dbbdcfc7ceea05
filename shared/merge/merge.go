// Package merge holds a record's replicated state and the rule that merges
// two copies of it: per field, the last writer by hybrid logical clock wins.
// A list field merges item by item instead (see [Item]).
// Merging is commutative, associative and idempotent, so devices that
// exchange record versions in any order, with duplicates and retries, end
// with the same state.
package merge

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"pawfile/shared/clock"
	"pawfile/shared/record"
)

// Key names a record on a device. It travels only inside sealed versions:
// the server sees a keyed hash of it.
type Key struct {
	Class record.Class
	Type  record.Type
	ID    string
}

func (k Key) String() string { return fmt.Sprintf("%s/%s/%s", k.Class, k.Type, k.ID) }

// Compare orders keys by class, type and id.
func (k Key) Compare(o Key) int {
	if k.Class != o.Class {
		return int(k.Class) - int(o.Class)
	}
	if c := compareStrings(string(k.Type), string(o.Type)); c != 0 {
		return c
	}
	return compareStrings(k.ID, o.ID)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Cell is one field's value and the timestamp of the write that set it.
// The value is opaque here (canonical bytes from record.Encode), so fields
// written by a newer app survive on a device that does not know them.
type Cell struct {
	TS    clock.Timestamp
	Value []byte
}

// wins reports whether c beats o. Equal timestamps with different values
// only come from a misbehaving writer; comparing the bytes still gives
// every replica the same answer.
func (c Cell) wins(o Cell) bool {
	if d := c.TS.Compare(o.TS); d != 0 {
		return d > 0
	}
	return bytes.Compare(c.Value, o.Value) > 0
}

// Record is the replicated state of one record.
//
// Existence is a register of its own, moved only by Create and Delete: an
// edit never brings a deleted record back. A delete drops every cell
// written at or before it, so deleted content does not linger. Erase is
// final: an erased record keeps only its key and the time of erasure, and
// merging anything into it leaves it erased.
type Record struct {
	Key     Key
	Created clock.Timestamp
	Deleted clock.Timestamp
	Erased  clock.Timestamp
	Fields  map[string]Cell
	Sets    map[string]map[string]Item // set fields, by field and item
}

// New returns an empty record for key.
func New(key Key) *Record { return &Record{Key: key, Fields: map[string]Cell{}} }

// Exists reports whether the record is live: created after its last delete
// and never erased.
func (r *Record) Exists() bool { return r.Erased.IsZero() && r.Created.After(r.Deleted) }

// IsErased reports whether the record has been erased.
func (r *Record) IsErased() bool { return !r.Erased.IsZero() }

// Create marks the record live as of ts.
func (r *Record) Create(ts clock.Timestamp) bool {
	if r.IsErased() || !ts.After(r.Created) {
		return false
	}
	r.Created = ts
	return true
}

// Delete marks the record deleted as of ts and drops what was written
// before.
func (r *Record) Delete(ts clock.Timestamp) bool {
	if r.IsErased() || !ts.After(r.Deleted) {
		return false
	}
	r.Deleted = ts
	r.normalize()
	return true
}

// Erase makes the record an erased marker: every cell is gone for good.
func (r *Record) Erase(ts clock.Timestamp) bool {
	if !ts.After(r.Erased) {
		return false
	}
	r.Erased = ts
	r.normalize()
	return true
}

// Set writes one field at ts. It reports whether the write took effect: a
// write older than the field's current value, or older than the record's
// last delete, is lost to the later one.
func (r *Record) Set(field string, value []byte, ts clock.Timestamp) bool {
	if r.IsErased() || !ts.After(r.Deleted) {
		return false
	}
	c := Cell{TS: ts, Value: value}
	if old, ok := r.Fields[field]; ok && !c.wins(old) {
		return false
	}
	if r.Fields == nil {
		r.Fields = map[string]Cell{}
	}
	r.Fields[field] = c
	return true
}

// Get returns a field's value: for a set field, the list of its present
// items.
func (r *Record) Get(field string) ([]byte, bool) {
	if _, ok := r.Sets[field]; ok {
		// Items are valid text and Items keeps within a cell's bounds,
		// so the list always encodes.
		b, err := record.EncodeValue(r.Items(field))
		return b, err == nil
	}
	c, ok := r.Fields[field]
	return c.Value, ok
}

// Values returns the fields' values, as record.Decode takes them: a set
// field's value is the list of its present items.
func (r *Record) Values() map[string][]byte {
	m := make(map[string][]byte, len(r.Fields)+len(r.Sets))
	for k, c := range r.Fields {
		m[k] = c.Value
	}
	for field := range r.Sets {
		if b, ok := r.Get(field); ok {
			m[field] = b
		}
	}
	return m
}

// Merge folds o into r and reports whether r changed. Both must name the
// same record.
func (r *Record) Merge(o *Record) (bool, error) {
	if r.Key != o.Key {
		return false, fmt.Errorf("merge %s into %s: different records", o.Key, r.Key)
	}
	changed := false
	if o.Erased.After(r.Erased) {
		r.Erased, changed = o.Erased, true
	}
	if o.Created.After(r.Created) {
		r.Created, changed = o.Created, true
	}
	if o.Deleted.After(r.Deleted) {
		r.Deleted, changed = o.Deleted, true
	}
	for name, c := range o.Fields {
		if old, ok := r.Fields[name]; ok && !c.wins(old) {
			continue
		}
		if r.Fields == nil {
			r.Fields = map[string]Cell{}
		}
		r.Fields[name] = c
		changed = true
	}
	if r.mergeSets(o) {
		changed = true
	}
	r.normalize()
	return changed, nil
}

// Take merges o into r as Merge does, but may keep o's maps: for a
// version just decoded that nothing else holds, as o must not be used
// after. Into an empty record, a new device's lot by the thousand, it
// takes o's cells instead of copying them one by one (a fifth of a new
// tablet's Apply).
func (r *Record) Take(o *Record) (bool, error) {
	if r.Key != o.Key || !r.empty() {
		return r.Merge(o)
	}
	// What follows is Merge's rules, each against a zero value: a
	// timestamp is taken if after the zero one, any cell is taken.
	var zero clock.Timestamp
	changed := len(o.Fields) > 0
	later := func(t clock.Timestamp) clock.Timestamp {
		if t.After(zero) {
			changed = true
			return t
		}
		return zero
	}
	r.Created, r.Deleted, r.Erased = later(o.Created), later(o.Deleted), later(o.Erased)
	if o.Fields != nil {
		r.Fields = o.Fields
	}
	for _, items := range o.Sets {
		for x, it := range items {
			it = Item{Added: clock.Max(zero, it.Added), Removed: clock.Max(zero, it.Removed)}
			if it != (Item{}) {
				changed = true
			}
			items[x] = it // normalize drops the zero ones
		}
	}
	r.Sets = o.Sets
	r.normalize()
	return changed, nil
}

// empty reports whether r holds nothing at all: as New returns it.
func (r *Record) empty() bool {
	if !r.Created.IsZero() || !r.Deleted.IsZero() || !r.Erased.IsZero() || len(r.Fields) > 0 {
		return false
	}
	for _, items := range r.Sets {
		if len(items) > 0 {
			return false
		}
	}
	return true
}

// normalize drops what a delete or an erasure has removed, so two replicas
// that saw the same writes hold the same cells whatever the order.
func (r *Record) normalize() {
	if r.IsErased() {
		r.Created, r.Deleted, r.Fields, r.Sets = clock.Timestamp{}, clock.Timestamp{}, nil, nil
		return
	}
	maps.DeleteFunc(r.Fields, func(_ string, c Cell) bool { return !c.TS.After(r.Deleted) })
	r.normalizeSets()
}

// Latest returns the latest timestamp anywhere in the record.
func (r *Record) Latest() clock.Timestamp {
	t := clock.Max(clock.Max(r.Created, r.Deleted), r.Erased)
	for _, c := range r.Fields {
		t = clock.Max(t, c.TS)
	}
	for _, items := range r.Sets {
		for _, it := range items {
			t = clock.Max(t, clock.Max(it.Added, it.Removed))
		}
	}
	return t
}

// Restamp moves every timestamp written after limit to fresh ones from
// now, keeping their order (equal ones stay equal: an item's removal names
// the addition it saw). A device whose clock ran ahead uses it when the
// server refuses its versions: left alone, those future timestamps would win
// every later merge.
func (r *Record) Restamp(limit clock.Timestamp, now func() clock.Timestamp) bool {
	ts := []*clock.Timestamp{&r.Created, &r.Deleted, &r.Erased}
	cells := map[string]*Cell{}
	for name, c := range r.Fields {
		cells[name] = &c
		ts = append(ts, &c.TS)
	}
	type itemKey struct{ field, item string }
	items := map[itemKey]*Item{}
	for field, set := range r.Sets {
		for x, it := range set {
			items[itemKey{field, x}] = &it
			ts = append(ts, &it.Added, &it.Removed)
		}
	}
	ts = slices.DeleteFunc(ts, func(t *clock.Timestamp) bool { return !t.After(limit) })
	if len(ts) == 0 {
		return false
	}
	slices.SortFunc(ts, func(a, b *clock.Timestamp) int { return a.Compare(*b) })
	fresh := map[clock.Timestamp]clock.Timestamp{}
	for _, t := range ts {
		n, ok := fresh[*t]
		if !ok {
			n = now()
			fresh[*t] = n
		}
		*t = n
	}
	for name, c := range cells {
		r.Fields[name] = *c
	}
	for k, it := range items {
		r.Sets[k.field][k.item] = *it
	}
	r.normalize()
	return true
}

// Clone returns a deep copy of r.
func (r *Record) Clone() *Record {
	c := *r
	c.Fields = make(map[string]Cell, len(r.Fields))
	for k, v := range r.Fields {
		v.Value = slices.Clone(v.Value)
		c.Fields[k] = v
	}
	c.Sets = cloneSets(r.Sets)
	return &c
}

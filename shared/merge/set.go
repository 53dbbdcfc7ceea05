package merge

import (
	"cmp"
	"maps"
	"slices"
	"unicode/utf8"

	"pawfile/shared/clock"
	"pawfile/shared/record"
)

// A set field (allergies, tags, phones: any list field) merges item by
// item, as an observed-remove set: two devices adding items offline both
// keep theirs, and a removal removes the item only as the remover saw it.
//
// Each item keeps two timestamps: its latest addition, and the latest
// addition a removal had seen. It is present while its latest addition is
// later than that. An addition the remover had not seen, stamped later than
// the one it had, survives the removal; adding an item again after it was
// removed brings it back. Both timestamps only grow, so merging is a
// maximum per item: commutative, associative and idempotent.
//
// A list written by an older app is one cell holding the whole list. It
// stays, and counts as every item it holds added at its timestamp and every
// other item removed up to it, so old data and versions from older apps
// merge with item-by-item edits without losing either.

// Item is one entry of a set field.
type Item struct {
	Added   clock.Timestamp // its latest addition
	Removed clock.Timestamp // the latest addition a removal had seen
}

func (it Item) present() bool { return it.Added.After(it.Removed) }

// MaxItemBytes bounds an item's text: far above any list entry's schema
// bound, so a newer app's longer entries still read.
const MaxItemBytes = 4096

// Add adds item to set field at ts. It reports whether the addition took
// effect: one older than the item's latest, or than the record's last
// delete, is lost to the later one; an item that is not text, or longer
// than MaxItemBytes, is refused.
func (r *Record) Add(field, item string, ts clock.Timestamp) bool {
	if r.IsErased() || !ts.After(r.Deleted) || !validItem(item) {
		return false
	}
	it := r.Sets[field][item]
	if !ts.After(it.Added) {
		return false
	}
	it.Added = ts
	r.putItem(field, item, it)
	return true
}

// Remove removes item from set field as this replica holds it: every
// addition of it seen here. It reports whether the item was present.
func (r *Record) Remove(field, item string) bool {
	if r.IsErased() {
		return false
	}
	it := r.effective(field, item, r.legacy(field))
	if !it.present() {
		return false
	}
	stored := r.Sets[field][item]
	stored.Removed = it.Added
	r.putItem(field, item, stored)
	return true
}

func (r *Record) putItem(field, item string, it Item) {
	if r.Sets == nil {
		r.Sets = map[string]map[string]Item{}
	}
	if r.Sets[field] == nil {
		r.Sets[field] = map[string]Item{}
	}
	r.Sets[field][item] = it
}

// Items returns the items of set field that are present, oldest addition
// first; items added together keep a whole-list cell's order, or else
// sort by text.
func (r *Record) Items(field string) []string {
	old := r.legacy(field)
	names := map[string]int{}
	for i, x := range old.items {
		if _, ok := names[x]; !ok {
			names[x] = i
		}
	}
	for x := range r.Sets[field] {
		if _, ok := names[x]; !ok {
			names[x] = len(old.items)
		}
	}
	type entry struct {
		item  string
		added clock.Timestamp
		pos   int
	}
	var es []entry
	for x, pos := range names {
		if it := r.effective(field, x, old); it.present() {
			es = append(es, entry{x, it.Added, pos})
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if c := a.added.Compare(b.added); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.pos, b.pos), cmp.Compare(a.item, b.item))
	})
	// A list longer than any app reads (items added on many devices at
	// once) shows its oldest items; the rest stay in the set.
	var out []string
	size := 0
	for _, e := range es {
		size += len(e.item) + 9 // the item and its CBOR header at most
		if len(out) == record.MaxListDecode || size > record.MaxCellBytes-9 {
			break
		}
		out = append(out, e.item)
	}
	return out
}

// legacyList is a list field as an older app wrote it: one cell.
type legacyList struct {
	ts    clock.Timestamp
	items []string
	ok    bool
}

func (r *Record) legacy(field string) legacyList {
	c, ok := r.Fields[field]
	if !ok {
		return legacyList{}
	}
	var items []string
	if record.DecodeValue(c.Value, &items) != nil {
		return legacyList{}
	}
	return legacyList{ts: c.TS, items: items, ok: true}
}

// effective is an item with the whole-list cell counted in.
func (r *Record) effective(field, item string, old legacyList) Item {
	it := r.Sets[field][item]
	if !old.ok {
		return it
	}
	if slices.Contains(old.items, item) {
		it.Added = clock.Max(it.Added, old.ts)
	} else {
		it.Removed = clock.Max(it.Removed, old.ts)
	}
	return it
}

// mergeSets folds o's set items into r's and reports whether r changed.
func (r *Record) mergeSets(o *Record) bool {
	changed := false
	for field, items := range o.Sets {
		for x, it := range items {
			cur := r.Sets[field][x]
			next := Item{Added: clock.Max(cur.Added, it.Added), Removed: clock.Max(cur.Removed, it.Removed)}
			if next != cur {
				r.putItem(field, x, next)
				changed = true
			}
		}
	}
	return changed
}

// normalizeSets drops what a delete removed: timestamps at or before it.
func (r *Record) normalizeSets() {
	for field, items := range r.Sets {
		for x, it := range items {
			if !it.Added.After(r.Deleted) {
				it.Added = clock.Timestamp{}
			}
			if !it.Removed.After(r.Deleted) {
				it.Removed = clock.Timestamp{}
			}
			if it == (Item{}) {
				delete(items, x)
			} else {
				items[x] = it
			}
		}
		if len(items) == 0 {
			delete(r.Sets, field)
		}
	}
	if len(r.Sets) == 0 {
		r.Sets = nil
	}
}

func cloneSets(s map[string]map[string]Item) map[string]map[string]Item {
	if s == nil {
		return nil
	}
	c := make(map[string]map[string]Item, len(s))
	for f, items := range s {
		c[f] = maps.Clone(items)
	}
	return c
}

func validItem(s string) bool {
	return s != "" && len(s) <= MaxItemBytes && utf8.ValidString(s)
}

package merge

import (
	"maps"
	"slices"
)

// State is a set of records, as one replica holds them.
type State struct {
	records map[Key]*Record
}

// NewState returns an empty state.
func NewState() *State { return &State{records: map[Key]*Record{}} }

// Len returns the number of records held, erased and deleted ones included.
func (s *State) Len() int { return len(s.records) }

// Get returns the record for key.
func (s *State) Get(key Key) (*Record, bool) {
	r, ok := s.records[key]
	return r, ok
}

// Apply merges a received version of a record into the state and reports
// whether anything changed. r is not retained.
func (s *State) Apply(r *Record) (bool, error) {
	cur, ok := s.records[r.Key]
	if !ok {
		s.records[r.Key] = r.Clone()
		return true, nil
	}
	return cur.Merge(r)
}

// Edit returns the record for key to change in place, creating an empty one
// if the state has none.
func (s *State) Edit(key Key) *Record {
	r, ok := s.records[key]
	if !ok {
		r = New(key)
		s.records[key] = r
	}
	return r
}

// Keys returns every key, sorted.
func (s *State) Keys() []Key {
	return slices.SortedFunc(maps.Keys(s.records), Key.Compare)
}

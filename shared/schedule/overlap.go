package schedule

import (
	"cmp"
	"slices"

	"pawfile/shared/record"
)

// Booking is a project as the calendar sees it: who and what it occupies,
// and when. It covers the half-open interval [Start, End): a booking
// ending at 11:00 and one starting at 11:00 do not clash.
type Booking struct {
	ID         string // the project's record id
	Start, End record.Instant
	Staff      []string // staff ids
	Pets       []string // pet ids
	Status     string   // the project's status; see [Booking.HoldsTime]
}

// BookingOf returns project p, whose record id is id, as a booking, or
// false if p has no start time and so is not on the calendar. A project
// with a start and no end is shown at its start but occupies no time.
func BookingOf(id string, p *record.Project) (Booking, bool) {
	if p.Start.IsZero() {
		return Booking{}, false
	}
	end := p.End
	if end.IsZero() {
		end = p.Start
	}
	return Booking{ID: id, Start: p.Start, End: end, Staff: p.AssignedStaff, Pets: p.Pets, Status: p.Status}, true
}

// HoldsTime reports whether b occupies its staff and pets: it has a length
// (an end after its start) and it was not cancelled or a no-show. A
// no-show's slot is free again, often for a walk-in.
func (b Booking) HoldsTime() bool {
	return b.End.UnixMilli > b.Start.UnixMilli && b.Status != Cancelled && b.Status != NoShow
}

// Conflict is two bookings that share a staff member or a pet at the same
// time.
type Conflict struct {
	A, B  Booking  // A starts first (or at the same time, earlier in the input)
	Staff []string // the staff ids booked in both, sorted
	Pets  []string // the pet ids booked in both, sorted
}

// Overlaps returns every pair of bookings that hold time (see
// [Booking.HoldsTime]), overlap, and share a staff member or a pet, once
// per pair, ordered by A's start and then B's. Bookings are compared as
// moments, so bookings in different zones clash exactly when they share
// real time.
//
// It sorts the bookings per staff member and per pet and sweeps each list
// in time order, keeping only the bookings still running: the work is
// O(n log n) for n bookings plus the number of clashes found, not the n²
// of comparing every pair, so it stays fast for a shop's whole week.
func Overlaps(bookings []Booking) []Conflict {
	// One entry per (resource, booking): a booking with two staff and one
	// pet is swept in three lists. Resources are numbered so the sort
	// compares integers, not ids.
	type resource struct {
		pet bool
		id  string
	}
	var names []resource
	number := map[resource]int{}
	type entry struct {
		res   int
		start int64
		i     int
	}
	var entries []entry
	add := func(r resource, i int) {
		n, ok := number[r]
		if !ok {
			n = len(names)
			number[r] = n
			names = append(names, r)
		}
		entries = append(entries, entry{n, bookings[i].Start.UnixMilli, i})
	}
	for i, b := range bookings {
		if !b.HoldsTime() {
			continue
		}
		for _, id := range set(b.Staff) {
			add(resource{false, id}, i)
		}
		for _, id := range set(b.Pets) {
			add(resource{true, id}, i)
		}
	}
	sorted := order(len(entries), func(j, k int) int {
		x, y := &entries[j], &entries[k]
		if x.res != y.res {
			return cmp.Compare(x.res, y.res)
		}
		if x.start != y.start {
			return cmp.Compare(x.start, y.start)
		}
		return cmp.Compare(x.i, y.i)
	})

	found := map[[2]int]*Conflict{}
	var active []int // bookings of the current resource that started and may still run
	for k, j := range sorted {
		e := entries[j]
		if k == 0 || e.res != entries[sorted[k-1]].res {
			active = active[:0]
		}
		// Keep the bookings still running when this one starts; each of
		// them clashes with it, so this loop costs no more than the
		// clashes it finds plus the bookings it drops, once each.
		kept := active[:0]
		for _, a := range active {
			if bookings[a].End.UnixMilli <= e.start {
				continue
			}
			kept = append(kept, a)
			c := found[[2]int{a, e.i}]
			if c == nil {
				c = &Conflict{A: bookings[a], B: bookings[e.i]}
				found[[2]int{a, e.i}] = c
			}
			if r := names[e.res]; r.pet {
				c.Pets = append(c.Pets, r.id)
			} else {
				c.Staff = append(c.Staff, r.id)
			}
		}
		active = append(kept, e.i)
	}
	for _, c := range found {
		// Resources are numbered in the order first met, not by id.
		slices.Sort(c.Staff)
		slices.Sort(c.Pets)
	}

	pairs := make([][2]int, 0, len(found))
	for p := range found {
		pairs = append(pairs, p)
	}
	sorted = order(len(pairs), func(j, k int) int {
		x, y := pairs[j], pairs[k]
		return cmp.Or(
			cmp.Compare(bookings[x[0]].Start.UnixMilli, bookings[y[0]].Start.UnixMilli),
			cmp.Compare(bookings[x[1]].Start.UnixMilli, bookings[y[1]].Start.UnixMilli),
			cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1]))
	})
	out := make([]Conflict, len(pairs))
	for k, j := range sorted {
		out[k] = *found[pairs[j]]
	}
	return out
}

// order returns the indices 0 to n-1 sorted by cmp. Every sort in the
// package sorts indices this way rather than its own element type: each
// element type would compile its own copy of the generic sort into the
// app's wasm (some 25 KB each), where sorting ints needs one.
func order(n int, cmp func(j, k int) int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, cmp)
	return idx
}

// set returns ids sorted without repeats and without the empty id, which
// names nobody. ids itself is not changed; the result may share its array,
// so callers must not change it either.
func set(ids []string) []string {
	if len(ids) == 1 && ids[0] != "" {
		return ids // the usual case: one groomer, one pet
	}
	s := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == "" })
	slices.Sort(s)
	return slices.Compact(s)
}

package schedule

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"pawfile/shared/record"
)

// Window is the span of time [Start, End) a day or week view shows.
type Window struct {
	Start, End time.Time
}

// Day returns the window of day d in zone: from the first moment of d to
// the first of the next day. Such a day lasts 23 or 25 hours when the
// clocks change, and starts at 01:00 in a zone whose clocks skip midnight.
func Day(d record.Date, zone string) (Window, error) {
	return days(d, 1, zone)
}

// Week returns the window of the seven days from the last first weekday
// on or before d (time.Monday for a week that starts on Monday), in zone.
func Week(d record.Date, first time.Weekday, zone string) (Window, error) {
	t := d.Time()
	if t.IsZero() {
		return Window{}, fmt.Errorf("%q is not a date (use YYYY-MM-DD)", trim(string(d)))
	}
	back := (int(t.Weekday()) - int(first) + 7) % 7
	return days(addDays(d, -back), 7, zone)
}

func days(d record.Date, n int, zone string) (Window, error) {
	start, err := At(d, 0, 0, zone)
	if err != nil {
		return Window{}, err
	}
	// The end is read from the wall clock directly rather than through
	// At, which refuses the day after the last date a record may hold.
	loc, err := record.LoadZone(zone)
	if err != nil {
		return Window{}, err
	}
	e := d.Time().AddDate(0, 0, n)
	return Window{Start: start.Time(), End: wall(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, loc)}, nil
}

// Contains reports whether booking b shows in w: it overlaps w, or it
// occupies no time and starts within w. A booking whose end is before its
// start (which validation refuses, but a damaged record may hold) shows
// at its start too: hiding it would hide an appointment.
func (w Window) Contains(b Booking) bool {
	s, e := b.Start.UnixMilli, b.End.UnixMilli
	ws, we := w.Start.UnixMilli(), w.End.UnixMilli()
	if e <= s {
		return ws <= s && s < we
	}
	return s < we && e > ws
}

// Column is one staff member's bookings in a window, in time order.
type Column struct {
	Staff    string // staff id; "" for bookings with nobody assigned
	Bookings []Booking
}

// Agenda returns the bookings of bs shown in window w, one column per
// staff member, each in time order (by start, then end, then id). A
// booking with two staff members is in both columns; bookings with nobody
// assigned come last, in a column of their own. Columns come in the order
// of staff (the app's order, such as by name), each shown even with no
// bookings, then any other staff with bookings in id order. Cancelled and
// no-show bookings are included; the view decides how to show them.
func Agenda(bs []Booking, w Window, staff []string) []Column {
	// Sorted once, the bookings go into their columns in time order.
	sorted := order(len(bs), func(j, k int) int {
		x, y := &bs[j], &bs[k]
		return cmp.Or(cmp.Compare(x.Start.UnixMilli, y.Start.UnixMilli),
			cmp.Compare(x.End.UnixMilli, y.End.UnixMilli), cmp.Compare(x.ID, y.ID), cmp.Compare(j, k))
	})
	byStaff := map[string][]Booking{}
	for _, j := range sorted {
		b := bs[j]
		if !w.Contains(b) {
			continue
		}
		ids := set(b.Staff)
		if len(ids) == 0 {
			ids = []string{""}
		}
		for _, id := range ids {
			byStaff[id] = append(byStaff[id], b)
		}
	}
	var cols []Column
	seen := map[string]bool{"": true}
	for _, id := range staff {
		if !seen[id] {
			seen[id] = true
			cols = append(cols, Column{Staff: id, Bookings: byStaff[id]})
		}
	}
	var others []string
	for id := range byStaff {
		if !seen[id] {
			others = append(others, id)
		}
	}
	slices.Sort(others)
	for _, id := range others {
		cols = append(cols, Column{Staff: id, Bookings: byStaff[id]})
	}
	if none := byStaff[""]; len(none) > 0 {
		cols = append(cols, Column{Staff: "", Bookings: none})
	}
	return cols
}

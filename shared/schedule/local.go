package schedule

import (
	"fmt"
	"time"

	"pawfile/shared/record"
)

// At returns the moment a wall clock in zone (an IANA name such as
// "Europe/London") shows hour:minute on day d: what a booking form makes
// of a date and a time. A time skipped by a daylight-saving change moves
// forward by the length of the gap, and a time that happens twice means
// the first occurrence (see the package comment).
func At(d record.Date, hour, minute int, zone string) (record.Instant, error) {
	t := d.Time()
	switch {
	case t.IsZero():
		return record.Instant{}, fmt.Errorf("%q is not a date (use YYYY-MM-DD)", trim(string(d)))
	case hour < 0 || hour > 23 || minute < 0 || minute > 59:
		return record.Instant{}, fmt.Errorf("%02d:%02d is not a time of day (use 00:00 to 23:59)", hour, minute)
	case t.Year() < record.MinYear || t.Year() > record.MaxYear:
		// The years a record may hold; the day after the last is not a
		// date at all, so a day or week view could not end.
		return record.Instant{}, fmt.Errorf("choose a date between %d and %d", record.MinYear, record.MaxYear)
	}
	loc, err := record.LoadZone(zone)
	if err != nil {
		return record.Instant{}, fmt.Errorf("unknown time zone %q (use a name such as Europe/London)", trim(zone))
	}
	return record.InstantOf(wall(t.Year(), t.Month(), t.Day(), hour, minute, 0, 0, loc)), nil
}

// wall returns the moment the wall clock of loc shows the given date and
// time, resolving skipped and repeated times as RFC 5545 does. time.Date
// resolves them too, but its documentation leaves the choice open, and a
// booking must land on the same moment on every device and Go version.
//
// The offsets in force a day either side of the wall time are the offsets
// before and after any change near it. Read with the offset before the
// change, the wall time is either valid (the usual case, and the first
// occurrence when clocks go back, since that offset is the larger one) or
// it is not; then, read with the offset after, it is valid after a change
// or it falls in a gap, where the offset before applies. This assumes a
// zone changes its offset at most once within a day and a half of any
// moment, which every zone in the database has done since 1900.
func wall(y int, m time.Month, d, h, mi, s, ns int, loc *time.Location) time.Time {
	naive := time.Date(y, m, d, h, mi, s, ns, time.UTC)
	before := offsetAt(naive.Add(-24*time.Hour), loc)
	u := naive.Add(-before)
	if offsetAt(u, loc) == before {
		return u.In(loc)
	}
	after := offsetAt(naive.Add(24*time.Hour), loc)
	if v := naive.Add(-after); offsetAt(v, loc) == after {
		return v.In(loc)
	}
	return u.In(loc)
}

// offsetAt is loc's offset from UTC at the moment t.
func offsetAt(t time.Time, loc *time.Location) time.Duration {
	_, off := t.In(loc).Zone()
	return time.Duration(off) * time.Second
}

// onDate returns the moment t's wall clock time of day falls on day d, in
// t's location.
func onDate(t time.Time, d time.Time) time.Time {
	return wall(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

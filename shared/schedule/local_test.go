package schedule

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	// The tests name zones: Go's database makes them load under wasm too.
	_ "time/tzdata"

	"pawfile/shared/record"
)

// zoneNames are the zones the property tests walk: the three the shops
// live in, and the odd ones (half-hour changes, midnight changes, a
// skipped day, quarter-hour offsets, no daylight saving at all).
var zoneNames = []string{
	"Europe/London", "America/New_York", "Australia/Sydney",
	"Australia/Lord_Howe", "America/Santiago", "America/Havana", "Asia/Beirut",
	"Pacific/Apia", "Pacific/Chatham", "America/St_Johns", "Asia/Kolkata", "UTC",
}

func mustLoc(t testing.TB, zone string) *time.Location {
	t.Helper()
	loc, err := record.LoadZone(zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestAt(t *testing.T) {
	tests := []struct {
		date     record.Date
		hh, mm   int
		zone     string
		wantUTC  string // the moment, in UTC
		wantWall string // what the zone's clock shows then
	}{
		{"2026-06-15", 10, 0, "Europe/London", "2026-06-15T09:00:00Z", "2026-06-15 10:00 BST"},
		{"2026-01-15", 10, 0, "Europe/London", "2026-01-15T10:00:00Z", "2026-01-15 10:00 GMT"},
		// Skipped times move forward by the gap (RFC 5545 3.3.5).
		{"2026-03-29", 1, 30, "Europe/London", "2026-03-29T01:30:00Z", "2026-03-29 02:30 BST"},
		{"2007-03-11", 2, 30, "America/New_York", "2007-03-11T07:30:00Z", "2007-03-11 03:30 EDT"}, // RFC 5545's own example
		{"2026-10-04", 2, 30, "Australia/Sydney", "2026-10-03T16:30:00Z", "2026-10-04 03:30 AEDT"},
		{"2026-10-04", 2, 15, "Australia/Lord_Howe", "2026-10-03T15:45:00Z", "2026-10-04 02:45 +11"}, // a half-hour gap
		{"2026-09-06", 0, 0, "America/Santiago", "2026-09-06T04:00:00Z", "2026-09-06 01:00 -03"},     // midnight skipped
		{"2011-12-30", 10, 0, "Pacific/Apia", "2011-12-30T20:00:00Z", "2011-12-31 10:00 +14"},        // a whole day skipped
		// Repeated times are their first occurrence.
		{"2026-10-25", 1, 30, "Europe/London", "2026-10-25T00:30:00Z", "2026-10-25 01:30 BST"},
		{"2007-11-04", 1, 30, "America/New_York", "2007-11-04T05:30:00Z", "2007-11-04 01:30 EDT"}, // RFC 5545's own example
		{"2026-04-05", 2, 30, "Australia/Sydney", "2026-04-04T15:30:00Z", "2026-04-05 02:30 AEDT"},
		{"2026-04-05", 1, 45, "Australia/Lord_Howe", "2026-04-04T14:45:00Z", "2026-04-05 01:45 +11"},
		// Just outside the changes.
		{"2026-03-29", 0, 59, "Europe/London", "2026-03-29T00:59:00Z", "2026-03-29 00:59 GMT"},
		{"2026-03-29", 2, 0, "Europe/London", "2026-03-29T01:00:00Z", "2026-03-29 02:00 BST"},
		{"2026-10-25", 2, 0, "Europe/London", "2026-10-25T02:00:00Z", "2026-10-25 02:00 GMT"},
		{"2026-06-15", 23, 59, "Pacific/Chatham", "2026-06-15T11:14:00Z", "2026-06-15 23:59 +1245"},
	}
	for _, tc := range tests {
		i, err := At(tc.date, tc.hh, tc.mm, tc.zone)
		if err != nil {
			t.Errorf("At(%s %02d:%02d %s): %v", tc.date, tc.hh, tc.mm, tc.zone, err)
			continue
		}
		utc := time.UnixMilli(i.UnixMilli).UTC().Format(time.RFC3339)
		w := i.Time().Format("2006-01-02 15:04 MST")
		if utc != tc.wantUTC || w != tc.wantWall || i.Zone != tc.zone {
			t.Errorf("At(%s %02d:%02d %s) = %s (%s, %s), want %s (%s)", tc.date, tc.hh, tc.mm, tc.zone, utc, w, i.Zone, tc.wantUTC, tc.wantWall)
		}
	}
}

func TestAtRefuses(t *testing.T) {
	for _, tc := range []struct {
		date   record.Date
		hh, mm int
		zone   string
	}{
		{"2026-02-30", 10, 0, "Europe/London"},
		{"15/06/2026", 10, 0, "Europe/London"},
		{"", 10, 0, "Europe/London"},
		{"2026-06-15", 24, 0, "Europe/London"},
		{"2026-06-15", 10, 60, "Europe/London"},
		{"2026-06-15", -1, 0, "Europe/London"},
		{"2026-06-15", 10, 0, "Local"},
		{"2026-06-15", 10, 0, ""},
		{"2026-06-15", 10, 0, "Mars/Olympus_Mons"},
		{"2026-06-15", 10, 0, strings.Repeat("Mars/", 1000)},
	} {
		i, err := At(tc.date, tc.hh, tc.mm, tc.zone)
		if err == nil {
			t.Errorf("At(%q, %d, %d, %q) = %v, want an error", tc.date, tc.hh, tc.mm, tc.zone, i)
		} else if len(err.Error()) > 200 {
			t.Errorf("At(…, %.20q…): %d-byte error", tc.zone, len(err.Error()))
		}
	}
}

// bruteWall is wall worked out the slow way: try every offset the zone
// uses within a day and a half, keep the earliest moment whose wall clock
// matches; if none does, find the change by walking minute by minute and
// read the wall time with the offset before it.
func bruteWall(y int, m time.Month, d, h, mi int, loc *time.Location) time.Time {
	naive := time.Date(y, m, d, h, mi, 0, 0, time.UTC)
	offsets := map[time.Duration]bool{}
	for s := -36 * time.Hour; s <= 36*time.Hour; s += 15 * time.Minute {
		offsets[offsetAt(naive.Add(s), loc)] = true
	}
	var best time.Time
	for o := range offsets {
		u := naive.Add(-o)
		if offsetAt(u, loc) == o && (best.IsZero() || u.Before(best)) {
			best = u
		}
	}
	if !best.IsZero() {
		return best.In(loc)
	}
	prev := offsetAt(naive.Add(-36*time.Hour), loc)
	for s := -36 * time.Hour; s <= 36*time.Hour; s += time.Minute {
		o := offsetAt(naive.Add(s), loc)
		if o > prev {
			// The clocks went forward at naive+s; is the wall time in that gap?
			t := naive.Add(s)
			if !naive.Before(t.Add(prev)) && naive.Before(t.Add(o)) {
				return naive.Add(-prev).In(loc)
			}
		}
		prev = o
	}
	panic("no moment and no gap for " + naive.String() + " in " + loc.String())
}

// TestWallAroundEveryChange checks every quarter hour within three hours
// of every offset change from 2000 to 2040 in each zone against the slow
// way, and that the wall clock reads as asked except in a gap.
func TestWallAroundEveryChange(t *testing.T) {
	n := 0
	for _, z := range zoneNames {
		loc := mustLoc(t, z)
		tm := time.Date(2000, 1, 1, 0, 0, 0, 0, loc)
		limit := time.Date(2040, 1, 1, 0, 0, 0, 0, loc)
		for {
			_, end := tm.ZoneBounds()
			if end.IsZero() || end.After(limit) {
				break
			}
			tm = end
			before := end.Add(-time.Nanosecond)
			for s := -3 * time.Hour; s <= 3*time.Hour; s += 15 * time.Minute {
				// Wall times around the change, read in both offsets.
				for _, ref := range []time.Time{before.Add(s), end.Add(s)} {
					y, m, d := ref.Date()
					h, mi := ref.Hour(), ref.Minute()
					got := wall(y, m, d, h, mi, 0, 0, loc)
					want := bruteWall(y, m, d, h, mi, loc)
					if !got.Equal(want) {
						t.Fatalf("%s %04d-%02d-%02d %02d:%02d: got %v, want %v", z, y, m, d, h, mi, got, want)
					}
					gy, gm, gd := got.Date()
					if (gy != y || gm != m || gd != d || got.Hour() != h || got.Minute() != mi) && !inGap(y, m, d, h, mi, loc) {
						t.Fatalf("%s %04d-%02d-%02d %02d:%02d: reads %v", z, y, m, d, h, mi, got)
					}
					n++
				}
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d wall times checked: the zones' changes were not found", n)
	}
}

// inGap reports whether no moment shows the wall time in loc.
func inGap(y int, m time.Month, d, h, mi int, loc *time.Location) bool {
	naive := time.Date(y, m, d, h, mi, 0, 0, time.UTC)
	for o := -14 * time.Hour; o <= 14*time.Hour; o += 15 * time.Minute {
		if offsetAt(naive.Add(-o), loc) == o {
			return false
		}
	}
	return true
}

// TestWallRandom compares wall with the slow way at random times of random
// days, weighted to the small hours of the change months.
func TestWallRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	months := []time.Month{time.March, time.April, time.September, time.October, time.November}
	for range 3000 {
		z := zoneNames[r.IntN(len(zoneNames))]
		loc := mustLoc(t, z)
		y, m, d := 1990+r.IntN(60), time.Month(1+r.IntN(12)), 1+r.IntN(28)
		h, mi := r.IntN(24), r.IntN(60)
		if r.IntN(2) == 0 {
			m, h = months[r.IntN(len(months))], r.IntN(4)
		}
		got, want := wall(y, m, d, h, mi, 0, 0, loc), bruteWall(y, m, d, h, mi, loc)
		if !got.Equal(want) {
			t.Fatalf("%s %04d-%02d-%02d %02d:%02d: got %v, want %v", z, y, m, d, h, mi, got, want)
		}
		// Away from changes, wall is time.Date.
		if !inGap(y, m, d, h, mi, loc) {
			if td := time.Date(y, m, d, h, mi, 0, 0, loc); td.Hour() == h && !got.Equal(td) && offsetAt(td.Add(-3*time.Hour), loc) == offsetAt(td.Add(3*time.Hour), loc) {
				t.Fatalf("%s %04d-%02d-%02d %02d:%02d: %v, time.Date says %v", z, y, m, d, h, mi, got, td)
			}
		}
	}
}

package schedule

import (
	"reflect"
	"testing"
	"time"

	"pawfile/shared/record"
)

func TestDay(t *testing.T) {
	for _, tc := range []struct {
		date   record.Date
		zone   string
		start  string // on the zone's clock
		length time.Duration
	}{
		{"2026-06-15", "Europe/London", "2026-06-15 00:00 BST", 24 * time.Hour},
		{"2026-03-29", "Europe/London", "2026-03-29 00:00 GMT", 23 * time.Hour},
		{"2026-10-25", "Europe/London", "2026-10-25 00:00 BST", 25 * time.Hour},
		{"2026-11-01", "America/New_York", "2026-11-01 00:00 EDT", 25 * time.Hour},
		{"2026-10-04", "Australia/Sydney", "2026-10-04 00:00 AEST", 23 * time.Hour},
		{"2026-04-05", "Australia/Lord_Howe", "2026-04-05 00:00 +11", 24*time.Hour + 30*time.Minute},
		// Chile's clocks skip midnight: the day starts at 01:00.
		{"2026-09-06", "America/Santiago", "2026-09-06 01:00 -03", 23 * time.Hour},
		{"2026-04-04", "America/Santiago", "2026-04-04 00:00 -03", 25 * time.Hour},
		// Samoa skipped 2011-12-30 altogether: its "day" is empty.
		{"2011-12-30", "Pacific/Apia", "2011-12-31 00:00 +14", 0},
	} {
		w, err := Day(tc.date, tc.zone)
		if err != nil {
			t.Errorf("Day(%s, %s): %v", tc.date, tc.zone, err)
			continue
		}
		if got := w.Start.Format("2006-01-02 15:04 MST"); got != tc.start || w.End.Sub(w.Start) != tc.length {
			t.Errorf("Day(%s, %s) starts %s and lasts %v, want %s and %v", tc.date, tc.zone, got, w.End.Sub(w.Start), tc.start, tc.length)
		}
	}
	if _, err := Day("2026-02-30", "Europe/London"); err == nil {
		t.Error("Day accepted 30 February")
	}
	if _, err := Day("2026-06-15", "Local"); err == nil {
		t.Error(`Day accepted the zone "Local"`)
	}
}

func TestWeek(t *testing.T) {
	for _, tc := range []struct {
		date  record.Date
		first time.Weekday
		want  string
	}{
		{"2026-10-21", time.Monday, "2026-10-19 00:00 BST – 2026-10-26 00:00 GMT"}, // a Wednesday; 169 hours
		{"2026-10-19", time.Monday, "2026-10-19 00:00 BST – 2026-10-26 00:00 GMT"},
		{"2026-10-25", time.Monday, "2026-10-19 00:00 BST – 2026-10-26 00:00 GMT"}, // a Sunday
		{"2026-10-25", time.Sunday, "2026-10-25 00:00 BST – 2026-11-01 00:00 GMT"},
		{"2026-10-24", time.Sunday, "2026-10-18 00:00 BST – 2026-10-25 00:00 BST"},
		{"2027-01-01", time.Monday, "2026-12-28 00:00 GMT – 2027-01-04 00:00 GMT"},
	} {
		w, err := Week(tc.date, tc.first, "Europe/London")
		if err != nil {
			t.Fatal(err)
		}
		if got := w.Start.Format("2006-01-02 15:04 MST") + " – " + w.End.Format("2006-01-02 15:04 MST"); got != tc.want {
			t.Errorf("Week(%s, %v) = %s, want %s", tc.date, tc.first, got, tc.want)
		}
	}
	if _, err := Week("", time.Monday, "Europe/London"); err == nil {
		t.Error("Week accepted no date")
	}
}

func TestAgenda(t *testing.T) {
	const lon = "Europe/London"
	d := record.Date("2026-10-25") // 25 hours long
	bs := []Booking{
		at(t, "late", d, "15:00", "16:00", lon, ids("s1"), nil),
		at(t, "early", d, "09:00", "10:00", lon, ids("s1"), nil),
		at(t, "pair", d, "11:00", "12:00", lon, ids("s2", "s1"), nil),
		at(t, "nobody", d, "12:00", "13:00", lon, nil, nil),
		at(t, "stranger", d, "13:00", "14:00", lon, ids("s9"), nil),
		at(t, "yesterday", "2026-10-24", "09:00", "10:00", lon, ids("s1"), nil),
		at(t, "tomorrow", "2026-10-26", "00:00", "01:00", lon, ids("s1"), nil),
		// Ends at midnight: shows on the day it ends on only if it runs into it.
		at(t, "eve", "2026-10-24", "23:00", "23:59", lon, ids("s2"), nil),
		{ID: "overnight", Start: booked(t, "2026-10-24", 23, 0, lon), End: booked(t, "2026-10-25", 1, 0, lon), Staff: ids("s2")},
		// The same moment booked from New York shows in London's day.
		at(t, "ny", "2026-10-25", "04:00", "05:00", "America/New_York", ids("s2"), nil), // 09:00 GMT
		// No end: shown at its start.
		{ID: "point", Start: booked(t, d, 23, 30, lon), End: booked(t, d, 23, 30, lon), Staff: ids("s2")},
		withStatus(at(t, "cancelled", d, "10:00", "11:00", lon, ids("s2"), nil), Cancelled),
		// In the repeated hour: 01:30 BST, then 01:15 GMT 45 minutes later.
		{ID: "bst", Start: booked(t, d, 1, 30, lon), End: record.Instant{UnixMilli: booked(t, d, 1, 30, lon).UnixMilli + 60000, Zone: lon}, Staff: ids("s3")},
		{ID: "gmt", Start: record.Instant{UnixMilli: booked(t, d, 1, 30, lon).UnixMilli + 45*60000, Zone: lon}, End: booked(t, d, 2, 0, lon), Staff: ids("s3")},
	}
	w, err := Day(d, lon)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	var order []string
	for _, c := range Agenda(bs, w, []string{"s2", "s4", "s1"}) {
		order = append(order, c.Staff)
		got[c.Staff] = []string{}
		for _, b := range c.Bookings {
			got[c.Staff] = append(got[c.Staff], b.ID)
		}
	}
	// The app's order first (s4 has nothing but is shown), then others by
	// id, then nobody.
	if want := []string{"s2", "s4", "s1", "s3", "s9", ""}; !reflect.DeepEqual(order, want) {
		t.Errorf("columns %q, want %q", order, want)
	}
	want := map[string][]string{
		"s1": {"early", "pair", "late"},
		"s2": {"overnight", "ny", "cancelled", "pair", "point"},
		"s3": {"bst", "gmt"},
		"s4": {},
		"s9": {"stranger"},
		"":   {"nobody"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Agenda:\n got %v\nwant %v", got, want)
	}
}

func TestWindowContains(t *testing.T) {
	w := Window{Start: time.UnixMilli(1000), End: time.UnixMilli(2000)}
	for _, tc := range []struct {
		s, e int64
		want bool
	}{
		{500, 1000, false}, // ends as the window starts
		{500, 1001, true},
		{1999, 3000, true},
		{2000, 3000, false}, // starts as the window ends
		{500, 3000, true},   // spans it
		{1000, 1000, true},  // no length, at the start
		{2000, 2000, false}, // no length, at the end
		{1500, 1200, true},  // ends before it starts: still shown, so someone corrects it
		{2500, 1200, false},
	} {
		b := Booking{Start: record.Instant{UnixMilli: tc.s, Zone: "UTC"}, End: record.Instant{UnixMilli: tc.e, Zone: "UTC"}}
		if got := w.Contains(b); got != tc.want {
			t.Errorf("[%d, %d) in [1000, 2000): %v, want %v", tc.s, tc.e, got, tc.want)
		}
	}
}

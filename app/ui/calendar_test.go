package ui

import (
	"testing"
	"time"

	// The tests name zones: Go's database makes them load under wasm.
	_ "time/tzdata"

	"pawfile/shared/record"
	"pawfile/shared/schedule"
)

// The day view shows 07:00 to 20:00, and stretches to every booking of
// the day: an early one, a late one, one that began the evening before
// or ends after midnight, on days the clocks change too.
func TestDayRange(t *testing.T) {
	booking := func(t *testing.T, d record.Date, h, m, mins int) schedule.Booking {
		t.Helper()
		s, err := schedule.At(d, h, m, "Europe/London")
		if err != nil {
			t.Fatal(err)
		}
		return schedule.Booking{ID: "b", Start: s, End: record.Instant{UnixMilli: s.UnixMilli + int64(mins)*60000, Zone: s.Zone}}
	}
	for _, tc := range []struct {
		name     string
		day      record.Date
		bookings func(t *testing.T) []schedule.Booking
		from, to string // the first and last slot's labels
		first    [2]int // the first booking's top and bottom, in minutes from the first slot
	}{
		{"none", "2026-03-10", func(t *testing.T) []schedule.Booking { return nil }, "07:00", "19:30", [2]int{}},
		{"within", "2026-03-10", func(t *testing.T) []schedule.Booking { return []schedule.Booking{booking(t, "2026-03-10", 10, 0, 90)} },
			"07:00", "19:30", [2]int{180, 270}},
		{"early", "2026-03-10", func(t *testing.T) []schedule.Booking { return []schedule.Booking{booking(t, "2026-03-10", 5, 45, 45)} },
			"05:30", "19:30", [2]int{15, 60}},
		{"late", "2026-03-10", func(t *testing.T) []schedule.Booking { return []schedule.Booking{booking(t, "2026-03-10", 21, 0, 75)} },
			"07:00", "22:00", [2]int{840, 915}},
		{"no end, at 06:10", "2026-03-10", func(t *testing.T) []schedule.Booking { return []schedule.Booking{booking(t, "2026-03-10", 6, 10, 0)} },
			"06:00", "19:30", [2]int{10, 40}},
		{"from the evening before", "2026-03-10", func(t *testing.T) []schedule.Booking { return []schedule.Booking{booking(t, "2026-03-09", 23, 0, 120)} },
			"00:00", "19:30", [2]int{0, 60}},
		{"past midnight", "2026-03-10", func(t *testing.T) []schedule.Booking { return []schedule.Booking{booking(t, "2026-03-10", 23, 0, 120)} },
			"07:00", "23:30", [2]int{960, 1020}},
		// The grid keeps to the clock on the days it changes.
		{"none, clocks forward", "2026-03-29", func(t *testing.T) []schedule.Booking { return nil }, "07:00", "19:30", [2]int{}},
		{"none, clocks back", "2026-10-25", func(t *testing.T) []schedule.Booking { return nil }, "07:00", "19:30", [2]int{}},
		// 23 hours: 06:00 is five hours after midnight.
		{"clocks forward", "2026-03-29", func(t *testing.T) []schedule.Booking { return []schedule.Booking{booking(t, "2026-03-29", 6, 0, 60)} },
			"06:00", "19:30", [2]int{0, 60}},
		// 25 hours: 06:00 is seven hours after midnight.
		{"clocks back", "2026-10-25", func(t *testing.T) []schedule.Booking { return []schedule.Booking{booking(t, "2026-10-25", 6, 0, 60)} },
			"06:00", "19:30", [2]int{0, 60}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := schedule.Day(tc.day, "Europe/London")
			if err != nil {
				t.Fatal(err)
			}
			bs := tc.bookings(t)
			cols := schedule.Agenda(bs, w, nil)
			if len(bs) > 0 && (len(cols) != 1 || len(cols[0].Bookings) != 1) {
				t.Fatalf("the day's agenda = %+v", cols)
			}
			from, to := dayRange(w, cols)
			label := func(m int) string { return w.Start.Add(time.Duration(m) * time.Minute).Format("15:04") }
			if got := label(from) + "–" + label(to-slotMinutes); got != tc.from+"–"+tc.to {
				t.Errorf("slots %s, want %s–%s", got, tc.from, tc.to)
			}
			if len(bs) == 0 {
				return
			}
			s, e := span(cols[0].Bookings[0], w)
			if s-from != tc.first[0] || e-from != tc.first[1] {
				t.Errorf("booking at %d–%d minutes into the grid, want %d–%d", s-from, e-from, tc.first[0], tc.first[1])
			}
			if s < from || e > to {
				t.Errorf("booking %d–%d outside the grid %d–%d", s, e, from, to)
			}
		})
	}
}

package schedule

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"pawfile/shared/record"
)

// booked returns the instant a wall clock in zone shows on the given day
// and time, failing the test if there is none.
func booked(t testing.TB, date record.Date, hh, mm int, zone string) record.Instant {
	t.Helper()
	i, err := At(date, hh, mm, zone)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func groom(t testing.TB, date record.Date, hh, mm, minutes int, zone string) record.Project {
	start := booked(t, date, hh, mm, zone)
	return record.Project{
		Client:        "c1",
		Pets:          []string{"pet1", "pet2"},
		Kind:          KindGrooming,
		Title:         "Full groom",
		Scope:         "bath, clip, nails",
		Status:        Done,
		StatusReason:  "",
		Start:         start,
		End:           record.Instant{UnixMilli: start.UnixMilli + int64(minutes)*60000, Zone: zone},
		Deadline:      "2026-12-01",
		AssignedStaff: []string{"s1"},
		Price:         record.Money{Minor: 4500, Currency: "GBP"},
		RepeatWeeks:   6,
		Outcome:       "matted behind the ears",
	}
}

func TestNext(t *testing.T) {
	tests := []struct {
		name     string
		p        record.Project
		weeks    int64
		wantWall string // start and end, on the zone's clock
	}{
		{"London, into summer time", groom(t, "2026-03-10", 10, 0, 90, "Europe/London"), 6,
			"2026-04-21 10:00 BST – 11:30 BST"},
		{"London, out of summer time", groom(t, "2026-10-06", 10, 0, 90, "Europe/London"), 4,
			"2026-11-03 10:00 GMT – 11:30 GMT"},
		{"New York, into daylight time", groom(t, "2026-02-20", 9, 30, 120, "America/New_York"), 3,
			"2026-03-13 09:30 EDT – 11:30 EDT"},
		{"Sydney, out of daylight time", groom(t, "2026-03-20", 14, 0, 60, "Australia/Sydney"), 8,
			"2026-05-15 14:00 AEST – 15:00 AEST"},
		{"Sydney, into daylight time", groom(t, "2026-09-01", 8, 0, 45, "Australia/Sydney"), 6,
			"2026-10-13 08:00 AEDT – 08:45 AEDT"},
		// Landing on the change day: 02:30 does not exist in New York on
		// 2026-03-08, so the visit moves forward by the gap, to 03:30.
		{"New York, onto a skipped time", groom(t, "2026-02-22", 2, 30, 60, "America/New_York"), 2,
			"2026-03-08 03:30 EDT – 04:30 EDT"},
		// 01:30 happens twice in London on 2026-10-25: the first one.
		{"London, onto a repeated time", groom(t, "2026-10-11", 1, 30, 60, "Europe/London"), 2,
			"2026-10-25 01:30 BST – 01:30 GMT"},
		// Across a year end and a leap day.
		{"leap year", groom(t, "2028-01-25", 11, 0, 60, "Europe/London"), 5,
			"2028-02-29 11:00 GMT – 12:00 GMT"},
	}
	for _, tc := range tests {
		tc.p.RepeatWeeks = tc.weeks
		q, err := Next(&tc.p)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		got := q.Start.Time().Format("2006-01-02 15:04 MST") + " – " + q.End.Time().Format("15:04 MST")
		if got != tc.wantWall {
			t.Errorf("%s: next is %s, want %s", tc.name, got, tc.wantWall)
		}
		if q.End.UnixMilli-q.Start.UnixMilli != tc.p.End.UnixMilli-tc.p.Start.UnixMilli {
			t.Errorf("%s: lasts %d ms, was %d ms", tc.name, q.End.UnixMilli-q.Start.UnixMilli, tc.p.End.UnixMilli-tc.p.Start.UnixMilli)
		}
		if err := record.Validate(&q); err != nil {
			t.Errorf("%s: the next project does not validate: %v", tc.name, err)
		}
	}
}

func TestNextRefuses(t *testing.T) {
	base := groom(t, "2026-03-10", 10, 0, 90, "Europe/London")
	for _, tc := range []struct {
		name string
		edit func(*record.Project)
		want string
	}{
		{"does not repeat", func(p *record.Project) { p.RepeatWeeks = 0 }, "does not repeat"},
		{"negative weeks", func(p *record.Project) { p.RepeatWeeks = -6 }, "does not repeat"},
		{"too many weeks", func(p *record.Project) { p.RepeatWeeks = 1 << 40 }, "does not repeat"},
		{"no start", func(p *record.Project) { p.Start = record.Instant{} }, "no start time"},
		{"unknown zone", func(p *record.Project) { p.Start.Zone = "Atlantis/Main" }, "unknown time zone"},
		{"local zone", func(p *record.Project) { p.Start.Zone = "Local" }, "unknown time zone"},
		{"ends as it starts", func(p *record.Project) { p.End = p.Start }, "end is not after its start"},
		{"ends before it starts", func(p *record.Project) { p.End.UnixMilli = p.Start.UnixMilli - 1 }, "end is not after its start"},
		{"starts before 1900", func(p *record.Project) { p.Start.UnixMilli = -1 << 62 }, "not between 1900 and 2199"},
		{"ends after 2199", func(p *record.Project) { p.End.UnixMilli = 1 << 62 }, "end is not after its start"},
		{"next falls after 2199", func(p *record.Project) {
			p.Start = booked(t, "2199-12-01", 10, 0, "Europe/London")
			p.End = record.Instant{UnixMilli: p.Start.UnixMilli + 60000, Zone: "Europe/London"}
		}, "must fall between 1900 and 2199"},
	} {
		p := base
		tc.edit(&p)
		if _, err := Next(&p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

// TestNextKeepsWallClock: for random visits in the three shop zones, the
// next visit is exactly N weeks of calendar days later, at the same time
// on the clock, lasting as long, whatever daylight-saving changes lie in
// between.
func TestNextKeepsWallClock(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	crossed := map[string]int{}
	for range 3000 {
		zone := []string{"Europe/London", "America/New_York", "Australia/Sydney"}[r.IntN(3)]
		date := record.DateOf(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(16*365)))
		hh, mm := 7+r.IntN(12), 15*r.IntN(4) // opening hours: every such time exists
		p := groom(t, date, hh, mm, 15*(1+r.IntN(16)), zone)
		p.RepeatWeeks = int64(1 + r.IntN(12))
		q, err := Next(&p)
		if err != nil {
			t.Fatal(err)
		}
		s0, s1 := p.Start.Time(), q.Start.Time()
		if s1.Hour() != hh || s1.Minute() != mm || s1.Second() != 0 {
			t.Fatalf("%s %s %02d:%02d every %d weeks: next at %v", zone, date, hh, mm, p.RepeatWeeks, s1)
		}
		if want := addDays(date, 7*int(p.RepeatWeeks)); record.DateOf(s1) != want {
			t.Fatalf("%s %s every %d weeks: next on %s, want %s", zone, date, p.RepeatWeeks, record.DateOf(s1), want)
		}
		if q.End.UnixMilli-q.Start.UnixMilli != p.End.UnixMilli-p.Start.UnixMilli || q.Start.Zone != zone || q.End.Zone != zone {
			t.Fatalf("%s %s: next %v – %v, from %v – %v", zone, date, q.Start, q.End, p.Start, p.End)
		}
		if _, o0 := s0.Zone(); o0 != offsetOf(s1) {
			crossed[zone]++
		}
	}
	// The property is only interesting if it crossed changes in every zone.
	for _, z := range []string{"Europe/London", "America/New_York", "Australia/Sydney"} {
		if crossed[z] < 50 {
			t.Errorf("%s: only %d repeats crossed a daylight-saving change", z, crossed[z])
		}
	}
}

func TestBookAgain(t *testing.T) {
	p := groom(t, "2026-03-10", 10, 0, 90, "Europe/London")
	p.Status = Cancelled
	p.StatusReason = "client ill"
	q, err := BookAgain(&p, "2026-04-02")
	if err != nil {
		t.Fatal(err)
	}
	want := record.Project{
		Client: "c1", Pets: []string{"pet1", "pet2"}, Kind: KindGrooming, Title: "Full groom",
		Scope: "bath, clip, nails", Status: Planned,
		Start:         booked(t, "2026-04-02", 10, 0, "Europe/London"),
		End:           booked(t, "2026-04-02", 11, 30, "Europe/London"),
		AssignedStaff: []string{"s1"}, Price: record.Money{Minor: 4500, Currency: "GBP"}, RepeatWeeks: 6,
	}
	if !sameProject(q, want) {
		t.Errorf("BookAgain = %+v\nwant %+v", q, want)
	}
	// The new project's lists are its own.
	q.Pets[0], q.AssignedStaff[0] = "other", "other"
	if p.Pets[0] != "pet1" || p.AssignedStaff[0] != "s1" {
		t.Error("BookAgain shares its lists with the original")
	}

	// No end: the new booking has none either.
	p.End = record.Instant{}
	if q, err := BookAgain(&p, "2026-04-02"); err != nil || !q.End.IsZero() {
		t.Errorf("without an end: %v, end %v", err, q.End)
	}
	for _, on := range []record.Date{"", "2026-13-01", "02/04/2026"} {
		if _, err := BookAgain(&p, on); err == nil || !strings.Contains(err.Error(), "not a date") {
			t.Errorf("BookAgain on %q: %v", on, err)
		}
	}
}

func sameProject(a, b record.Project) bool {
	return a.Client == b.Client && slices.Equal(a.Pets, b.Pets) && a.Kind == b.Kind && a.Title == b.Title &&
		a.Scope == b.Scope && a.Status == b.Status && a.StatusReason == b.StatusReason && a.Start == b.Start &&
		a.End == b.End && a.Deadline == b.Deadline && slices.Equal(a.AssignedStaff, b.AssignedStaff) &&
		a.Price == b.Price && a.RepeatWeeks == b.RepeatWeeks && a.Outcome == b.Outcome
}

func offsetOf(t time.Time) int {
	_, o := t.Zone()
	return o
}

func TestAgainOn(t *testing.T) {
	for _, c := range []struct {
		visit record.Date
		weeks int64
		want  record.Date
	}{
		{"2026-03-02", 4, "2026-03-30"},
		{"2026-03-02", 0, "2026-04-13"},   // no interval: six weeks
		{"2026-03-02", -2, "2026-04-13"},  // not an interval: six weeks
		{"2026-03-02", 105, "2026-04-13"}, // beyond the schema's bounds
		{"2026-12-21", 2, "2027-01-04"},   // into the next year
		{"2028-02-15", 2, "2028-02-29"},   // a leap day
		{"2026-03-23", 1, "2026-03-30"},   // across the clocks changing: still a date
		{"", 4, ""}, {"2026-02-30", 4, ""},
	} {
		if got := AgainOn(c.visit, c.weeks); got != c.want {
			t.Errorf("AgainOn(%q, %d) = %q, want %q", c.visit, c.weeks, got, c.want)
		}
	}
}

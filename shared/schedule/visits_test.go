package schedule

import (
	"reflect"
	"testing"

	"pawfile/shared/record"
)

// visit is a project of kind for pets on date at 10:00 London time.
func visit(t testing.TB, kind, status string, date record.Date, client string, pets ...string) record.Project {
	t.Helper()
	return record.Project{Client: client, Pets: pets, Kind: kind, Status: status, Title: "visit",
		Start: booked(t, date, 10, 0, "Europe/London")}
}

func TestPetVisits(t *testing.T) {
	pet := record.Pet{Client: "c1", Name: "Bella", GroomingIntervalWeeks: 6}
	tests := []struct {
		name     string
		pet      record.Pet
		projects []record.Project
		today    record.Date
		want     Visits
	}{
		{"never groomed", pet, nil, "2026-06-01", Visits{}},
		{"latest done grooming counts; training, cancelled, other pets' do not", pet, []record.Project{
			visit(t, KindGrooming, Done, "2026-03-02", "c1", "bella"),
			visit(t, KindGrooming, Done, "2026-04-13", "c1", "rex", "bella"),
			visit(t, "training", Done, "2026-05-01", "c1", "bella"),
			visit(t, KindGrooming, Cancelled, "2026-05-04", "c1", "bella"),
			visit(t, KindGrooming, NoShow, "2026-05-11", "c1", "bella"),
			visit(t, KindGrooming, Done, "2026-05-18", "c1", "rex"),
			visit(t, KindGrooming, Done, "2026-01-05", "c1", "bella"),
		}, "2026-05-20", Visits{Last: booked(t, "2026-04-13", 10, 0, "Europe/London"), Due: "2026-05-25"}},
		{"booked: the earliest planned visit from today on", pet, []record.Project{
			visit(t, KindGrooming, Done, "2026-01-05", "c1", "bella"),
			visit(t, KindGrooming, Planned, "2026-07-20", "c1", "bella"),
			visit(t, KindGrooming, Planned, "2026-06-01", "c1", "bella"), // today counts
			visit(t, KindGrooming, Planned, "2026-05-31", "c1", "bella"), // yesterday, never marked done: not a booking
		}, "2026-06-01", Visits{
			Last: booked(t, "2026-01-05", 10, 0, "Europe/London"), Next: booked(t, "2026-06-01", 10, 0, "Europe/London"),
			Due: "2026-02-16",
		}},
		// Six weeks: lapsed after twelve. 2026-01-05 + 84 days = 2026-03-30.
		{"at twice the interval: not yet lapsed", pet, []record.Project{
			visit(t, KindGrooming, Done, "2026-01-05", "c1", "bella"),
		}, "2026-03-30", Visits{Last: booked(t, "2026-01-05", 10, 0, "Europe/London"), Due: "2026-02-16"}},
		{"a day after twice the interval: lapsed", pet, []record.Project{
			visit(t, KindGrooming, Done, "2026-01-05", "c1", "bella"),
		}, "2026-03-31", Visits{Last: booked(t, "2026-01-05", 10, 0, "Europe/London"), Due: "2026-02-16", Lapsed: true}},
		{"lapsed but booked: not lapsed", pet, []record.Project{
			visit(t, KindGrooming, Done, "2026-01-05", "c1", "bella"),
			visit(t, KindGrooming, InProgress, "2026-04-01", "c1", "bella"),
		}, "2026-04-01", Visits{Last: booked(t, "2026-01-05", 10, 0, "Europe/London"), Next: booked(t, "2026-04-01", 10, 0, "Europe/London"), Due: "2026-02-16"}},
		// No interval: no due date, lapsed after twelve weeks.
		{"no interval, within twelve weeks", record.Pet{Client: "c1"}, []record.Project{
			visit(t, KindGrooming, Done, "2026-01-05", "c1", "bella"),
		}, "2026-03-30", Visits{Last: booked(t, "2026-01-05", 10, 0, "Europe/London")}},
		{"no interval, after twelve weeks", record.Pet{Client: "c1"}, []record.Project{
			visit(t, KindGrooming, Done, "2026-01-05", "c1", "bella"),
		}, "2026-03-31", Visits{Last: booked(t, "2026-01-05", 10, 0, "Europe/London"), Lapsed: true}},
		{"an interval outside the schema counts as none", record.Pet{Client: "c1", GroomingIntervalWeeks: 1 << 40}, []record.Project{
			visit(t, KindGrooming, Done, "2026-01-05", "c1", "bella"),
		}, "2026-03-31", Visits{Last: booked(t, "2026-01-05", 10, 0, "Europe/London"), Lapsed: true}},
	}
	for _, tc := range tests {
		if got := PetVisits("bella", tc.pet, tc.projects, tc.today); got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

// TestVisitDays: a visit's day is the day in the zone it was booked in. A
// 23:30 visit in Sydney is on the Sydney day, though London is still on
// the day before.
func TestVisitDays(t *testing.T) {
	p := record.Project{Kind: KindGrooming, Status: Done, Pets: []string{"p"},
		Start: booked(t, "2026-03-02", 8, 30, "Australia/Sydney")} // 2026-03-01 21:30 in London
	v := PetVisits("p", record.Pet{GroomingIntervalWeeks: 1}, []record.Project{p}, "2026-03-03")
	if v.Due != "2026-03-09" {
		t.Errorf("due %s, want 2026-03-09", v.Due)
	}
}

func TestLapsed(t *testing.T) {
	pets := map[string]record.Pet{
		// c1: one pet lapsed, one current: not lapsed.
		"c1a": {Client: "c1", GroomingIntervalWeeks: 4},
		"c1b": {Client: "c1", GroomingIntervalWeeks: 4},
		// c2: both pets lapsed; the latest visit is the client's.
		"c2a": {Client: "c2", GroomingIntervalWeeks: 4},
		"c2b": {Client: "c2"},
		// c3: lapsed, but booked.
		"c3a": {Client: "c3", GroomingIntervalWeeks: 4},
		// c4: never groomed: a new client, not a lapsed one.
		"c4a": {Client: "c4"},
		// c5: lapsed, with a new pet never groomed.
		"c5a": {Client: "c5", GroomingIntervalWeeks: 2},
		"c5b": {Client: "c5"},
		// c6: lapsed, with a new pet that is booked: current.
		"c6a": {Client: "c6", GroomingIntervalWeeks: 2},
		"c6b": {Client: "c6"},
	}
	projects := []record.Project{
		visit(t, KindGrooming, Done, "2026-01-05", "c1", "c1a"),
		visit(t, KindGrooming, Done, "2026-05-25", "c1", "c1b"),
		visit(t, KindGrooming, Done, "2026-02-02", "c2", "c2a"),
		visit(t, KindGrooming, Done, "2026-01-12", "c2", "c2b"),
		visit(t, KindGrooming, Done, "2026-01-05", "c3", "c3a"),
		visit(t, KindGrooming, Planned, "2026-06-10", "c3", "c3a"),
		visit(t, KindGrooming, Cancelled, "2026-05-01", "c4", "c4a"),
		visit(t, KindGrooming, Done, "2026-03-02", "c5", "c5a", "c5a"),
		visit(t, KindGrooming, Done, "2026-03-02", "c6", "c6a"),
		visit(t, KindGrooming, Planned, "2026-06-20", "c6", "c6b"),
		visit(t, KindGrooming, Done, "2026-06-01", "gone", "erased-pet"),
	}
	got := Lapsed(pets, projects, "2026-06-01")
	want := []LapsedClient{
		{Client: "c5", Last: booked(t, "2026-03-02", 10, 0, "Europe/London"), Pets: []string{"c5a"}},
		{Client: "c2", Last: booked(t, "2026-02-02", 10, 0, "Europe/London"), Pets: []string{"c2a", "c2b"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Lapsed:\n got %+v\nwant %+v", got, want)
	}
	if got := Lapsed(nil, projects, "2026-06-01"); got != nil {
		t.Errorf("Lapsed with no pets = %+v", got)
	}
}

package schedule

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"pawfile/shared/record"
)

// MaxRepeatWeeks is the longest repeat interval, as the schema bounds
// [record.Project.RepeatWeeks].
const MaxRepeatWeeks = 104

// Next returns the booking that follows p when p repeats every
// p.RepeatWeeks weeks: [BookAgain] on the day that many weeks after p's
// start, counted in the zone p was booked in. So a grooming every six
// weeks at 10:00 stays at 10:00 when the clocks change in between.
//
// Next does not look at p's status: the app offers the next booking when
// a visit is done, or at checkout while it is still in progress, as the
// groomer asks the client. The next of a cancelled visit is still six
// weeks after the day it was booked for.
func Next(p *record.Project) (record.Project, error) {
	if p.RepeatWeeks < 1 || p.RepeatWeeks > MaxRepeatWeeks {
		return record.Project{}, errors.New("the project does not repeat: set how many weeks apart its visits are first")
	}
	start, err := startOf(p)
	if err != nil {
		return record.Project{}, err
	}
	return BookAgain(p, addDays(record.DateOf(start), 7*int(p.RepeatWeeks)))
}

// DefaultIntervalWeeks is how many weeks after a visit the next is
// offered when the pet has no grooming interval of its own.
const DefaultIntervalWeeks = 6

// AgainOn is the day a visit on visit is booked again on: weeks later,
// the pet's grooming interval, or DefaultIntervalWeeks when weeks is not
// an interval (0 for none, or out of the schema's bounds). It is "" when
// visit is not a date, so the person picks one.
func AgainOn(visit record.Date, weeks int64) record.Date {
	if weeks < 1 || weeks > MaxRepeatWeeks {
		weeks = DefaultIntervalWeeks
	}
	return addDays(visit, 7*int(weeks))
}

// BookAgain returns a new planned project like p on day on: the same
// client, pets, kind, title, scope, staff, price and repeat interval,
// starting at p's wall-clock time of day in p's zone, and lasting as long
// as p did (the end is the start plus p's duration, so a two-hour groom
// stays two hours even on the day the clocks change). Its outcome, reason,
// and deadline start empty. It is how a person books a client again after
// a visit, and the way back from a cancelled or no-show project, which
// stays in the history as it was.
func BookAgain(p *record.Project, on record.Date) (record.Project, error) {
	start, err := startOf(p)
	if err != nil {
		return record.Project{}, err
	}
	d := on.Time()
	if d.IsZero() {
		return record.Project{}, fmt.Errorf("%q is not a date (use YYYY-MM-DD)", trim(string(on)))
	}
	var length int64 // milliseconds: 300 years of nanoseconds would overflow a time.Duration
	if !p.End.IsZero() {
		if p.End.UnixMilli <= p.Start.UnixMilli || !inBounds(p.End.UnixMilli) {
			return record.Project{}, errors.New("the project's end is not after its start: correct its end, then book again")
		}
		length = p.End.UnixMilli - p.Start.UnixMilli
	}
	next := onDate(start, d)
	if !inBounds(next.UnixMilli()) || !inBounds(next.UnixMilli()+length) {
		return record.Project{}, fmt.Errorf("the new booking must fall between %d and %d: choose another date", record.MinYear, record.MaxYear)
	}
	q := record.Project{
		Client:        p.Client,
		Pets:          slices.Clone(p.Pets),
		Kind:          p.Kind,
		Title:         p.Title,
		Scope:         p.Scope,
		Status:        Planned,
		Start:         record.InstantOf(next),
		AssignedStaff: slices.Clone(p.AssignedStaff),
		Price:         p.Price,
		RepeatWeeks:   p.RepeatWeeks,
	}
	if length > 0 {
		q.End = record.Instant{UnixMilli: q.Start.UnixMilli + length, Zone: q.Start.Zone}
	}
	return q, nil
}

// startOf returns p's start in the zone it was booked in.
func startOf(p *record.Project) (time.Time, error) {
	if p.Start.IsZero() {
		return time.Time{}, errors.New("the project has no start time to repeat: give it one, or book the new visit with its own date and time")
	}
	loc, err := record.LoadZone(p.Start.Zone)
	if err != nil {
		return time.Time{}, fmt.Errorf("the project's start has an unknown time zone %q: set its start again to fix it", trim(p.Start.Zone))
	}
	if !inBounds(p.Start.UnixMilli) {
		return time.Time{}, fmt.Errorf("the project's start is not between %d and %d; set its start again to fix it", record.MinYear, record.MaxYear)
	}
	return time.UnixMilli(p.Start.UnixMilli).In(loc), nil
}

// The moments a record may hold, as [record.Validate] bounds them. Within
// them, arithmetic in milliseconds cannot overflow.
var (
	minMilli = time.Date(record.MinYear, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	maxMilli = time.Date(record.MaxYear+1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
)

func inBounds(ms int64) bool { return ms >= minMilli && ms < maxMilli }

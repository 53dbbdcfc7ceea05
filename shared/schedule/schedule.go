// Package schedule holds the time and status rules of Pawfile's projects
// (grooming appointments, training courses, other jobs): which status
// changes a person may make, when a repeating appointment falls next,
// which bookings clash, what a day or week looks like per staff member,
// and when a pet is due again or its client has lapsed.
//
// Everything here is pure: it reads [record.Project] and [record.Pet]
// values and returns new values or errors, touching no storage and no
// clock (the caller passes today's date), so it runs alike on every tablet
// and is tested natively and in the browser.
//
// # Time
//
// A booking's start and end are [record.Instant] values: a moment plus the
// IANA zone it was booked in (the client's local zone). Moments are
// compared as moments, whatever their zones, so two bookings made on
// tablets in different zones clash exactly when they share real time.
// Calendar arithmetic ("the same time, six weeks later") is done on the
// wall clock of the booking's own zone, so a 10:00 appointment repeats at
// 10:00 across a daylight-saving change, not at 09:00 or 11:00.
//
// Some wall-clock times do not exist (the hour skipped when clocks go
// forward) and some happen twice (the hour repeated when they go back).
// [At] resolves them as iCalendar (RFC 5545, section 3.3.5) and calendar
// apps do: a skipped time moves forward by the length of the gap (02:30
// becomes 03:30), and a repeated time means its first occurrence. A
// booking thus keeps its place in the day, and an export to a calendar app
// reads the same.
//
// Zones are loaded with [record.LoadZone]: from the system's zoneinfo
// files, or on the tablet from the browser's own database.
package schedule

import "pawfile/shared/record"

// The statuses of a project, as [record.Project.Status] holds them.
const (
	Planned    = "planned"
	InProgress = "in_progress"
	Done       = "done"
	Cancelled  = "cancelled"
	NoShow     = "no_show"
)

// KindGrooming is the [record.Project.Kind] of a grooming appointment, the
// kind of project a pet's visits are counted from.
const KindGrooming = "grooming"

// addDays returns the date n days after d, or "" if d is not a date.
func addDays(d record.Date, n int) record.Date {
	t := d.Time()
	if t.IsZero() {
		return ""
	}
	return record.DateOf(t.AddDate(0, 0, n))
}

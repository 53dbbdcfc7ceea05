// Package retention holds Pawfile's retention rules: how long client and
// project records are kept, from which date that time counts, which
// clients are due for erasure and which projects are archived on a given
// day, and how a legal hold stops both.
//
// The seeds' rule, as the workspace settings hold it: client records are
// erased a number of years (7 by default) after the client's last entry;
// a project is archived some years (3 by default) after it was completed,
// and erased with its client's records. A client on legal hold is neither
// erased nor archived.
//
// Everything here is pure: the caller passes today's date and the records'
// values, so every tablet decides alike and the rules are tested natively.
package retention

import (
	"fmt"

	"pawfile/shared/record"
)

// Policy is a workspace's retention periods, in whole years.
type Policy struct {
	ClientYears  int // client records are erased this long after the client's last entry
	ArchiveYears int // a completed project is archived this long after completion
}

// Default is the seeds' policy: 7 years for client records, projects
// archived after 3.
var Default = Policy{ClientYears: 7, ArchiveYears: 3}

// MaxYears bounds both periods: longer is a typo, not a policy.
const MaxYears = 100

// Of returns the policy a settings record holds, with the default for a
// period it does not set (a workspace whose owner never saved settings).
func Of(s *record.Settings) Policy {
	p := Default
	if s.ClientYears > 0 {
		p.ClientYears = int(s.ClientYears)
	}
	if s.ArchiveYears > 0 {
		p.ArchiveYears = int(s.ArchiveYears)
	}
	return p
}

// Check says what is wrong with p, or nil: each period is 1 to MaxYears
// years, and a project is archived before its client's records go.
func (p Policy) Check() error {
	switch {
	case p.ClientYears < 1 || p.ClientYears > MaxYears:
		return fmt.Errorf("keep client records for 1 to %d years", MaxYears)
	case p.ArchiveYears < 1 || p.ArchiveYears > MaxYears:
		return fmt.Errorf("archive projects after 1 to %d years", MaxYears)
	case p.ArchiveYears > p.ClientYears:
		return fmt.Errorf("archive projects after at most %d years: their client's records are erased then", p.ClientYears)
	}
	return nil
}

// after returns the date years after d, or "" if d is not a date. A date
// with no such day in the later year (29 February) moves to the day after
// the month's last (1 March): the whole period has passed only then.
func after(d record.Date, years int) record.Date {
	t := d.Time()
	if t.IsZero() {
		return ""
	}
	return record.DateOf(t.AddDate(years, 0, 0))
}

// EraseOn returns the day from which a client whose last entry is last
// is due for erasure, or "" if last is not a date.
func (p Policy) EraseOn(last record.Date) record.Date { return after(last, p.ClientYears) }

// ArchiveOn returns the day from which a project completed on done is
// archived, or "" if done is not a date.
func (p Policy) ArchiveOn(done record.Date) record.Date { return after(done, p.ArchiveYears) }

// Client is what the policy needs to know of a client.
type Client struct {
	ID        string
	LastEntry record.Date // the latest entry of any of their records; "" if none is dated
	Hold      bool        // on legal hold
}

// Due reports whether c's records are due for erasure on today. A client
// on hold never is, nor one with no dated entry: with nothing to count
// from, the records are kept rather than guessed away.
func (p Policy) Due(c Client, today record.Date) bool {
	on := p.EraseOn(c.LastEntry)
	return !c.Hold && on != "" && today >= on
}

// Archived reports whether a project completed on done (see [Completed];
// "" if it is not) is archived on today. A project of a client on hold
// stays where it is.
func (p Policy) Archived(done record.Date, hold bool, today record.Date) bool {
	on := p.ArchiveOn(done)
	return !hold && on != "" && today >= on
}

// Completed returns the day a project was completed: for a done,
// cancelled or no-show project, the day of its end, else of its start, in
// the zone it was booked in. It returns "" for a project still open
// (planned, in progress) or with no time at all, which is never archived:
// there is no day to count from.
func Completed(status string, start, end record.Instant) record.Date {
	switch status {
	case "done", "cancelled", "no_show":
	default:
		return ""
	}
	switch {
	case !end.IsZero():
		return record.DateOf(end.Time())
	case !start.IsZero():
		return record.DateOf(start.Time())
	}
	return ""
}

// entryFields names, per record type, the fields whose dates are entries:
// when something happened with the client (a visit, a call, an invoice, a
// payment, a vaccination given, a weighing, consent given or withdrawn).
// Dates that are not entries are left out: a pet's birth date, when a
// vaccination expires, when an invoice falls due.
var entryFields = [...]struct {
	t      record.Type
	fields []string
}{
	{record.TypeClient, []string{"marketing_consent_date", "photo_consent_date"}},
	{record.TypeContactLog, []string{"when"}},
	{record.TypeInvoice, []string{"issued"}},
	{record.TypePayment, []string{"when"}},
	{record.TypeVaccination, []string{"given"}},
	{record.TypeWeighing, []string{"date"}},
	{record.TypeProject, []string{"start", "end", "deadline"}},
	{record.TypeTask, []string{"due"}},
	{record.TypeMilestone, []string{"date"}},
	{record.TypeProgressNote, []string{"when"}},
	{record.TypePhoto, []string{"taken"}},
}

// EntryDate returns the latest entry date a record of type t holds, from
// its encoded field values (as merge keeps them), or "" if it holds none.
// Instants count on the day they fell in their own zone. A value that does
// not decode, or is not a valid date, is not an entry.
func EntryDate(t record.Type, values map[string][]byte) record.Date {
	var latest record.Date
	sc, ok := record.SchemaOf(t)
	if !ok {
		return ""
	}
	var names []string
	for _, e := range entryFields {
		if e.t == t {
			names = e.fields
		}
	}
	for _, name := range names {
		f, ok := sc.Field(name)
		b, set := values[name]
		if !ok || !set {
			continue
		}
		var d record.Date
		switch f.Kind {
		case record.KindDate:
			if record.DecodeValue(b, &d) != nil || !d.Valid() {
				continue
			}
		case record.KindInstant:
			var i record.Instant
			if record.DecodeValue(b, &i) != nil || i.IsZero() {
				continue
			}
			d = record.DateOf(i.Time())
		}
		latest = max(latest, d)
	}
	return latest
}

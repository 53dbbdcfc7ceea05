package schedule

// The package decodes no bytes, so it has no decoder to fuzz. These
// targets fuzz what it reads from records instead: text a person typed or
// a newer (or damaged) app synced, such as dates, zone names, statuses and
// moments far outside the schema's bounds. None may panic, and what they
// accept must keep their promises.

import (
	"errors"
	"testing"
	"time"

	"pawfile/shared/record"
)

func FuzzAt(f *testing.F) {
	f.Add("2026-03-29", 1, 30, "Europe/London")
	f.Add("2026-09-06", 0, 0, "America/Santiago")
	f.Add("2011-12-30", 10, 0, "Pacific/Apia")
	f.Add("1900-01-01", 0, 0, "Asia/Kolkata")
	f.Add("2199-12-31", 23, 59, "Etc/GMT-14")
	f.Add("2026-02-30", 25, -1, "../etc/passwd")
	f.Fuzz(func(t *testing.T, date string, hh, mm int, zone string) {
		i, err := At(record.Date(date), hh, mm, zone)
		if err != nil {
			return
		}
		got := i.Time()
		if i.Zone != zone || got.Location().String() != zone {
			t.Fatalf("At(%q, %d, %d, %q) is in %q", date, hh, mm, zone, i.Zone)
		}
		d := record.Date(date).Time()
		if inGap(d.Year(), d.Month(), d.Day(), hh, mm, got.Location()) {
			return
		}
		if record.DateOf(got) != record.Date(date) || got.Hour() != hh || got.Minute() != mm {
			t.Fatalf("At(%q, %d, %d, %q) reads %v", date, hh, mm, zone, got)
		}
		if w, err := Day(record.Date(date), zone); err != nil || !w.Start.Before(w.End) || got.Before(w.Start) || !got.Before(w.End) {
			t.Fatalf("Day(%q, %q) = %v, %v; does not hold %v", date, zone, w, err, got)
		}
	})
}

func FuzzSetStatus(f *testing.F) {
	for _, from := range append(statuses, "", "rescheduled") {
		for _, to := range statuses {
			f.Add(from, to, "a reason")
		}
	}
	f.Add(Planned, Cancelled, " \t\n")
	f.Fuzz(func(t *testing.T, from, to, reason string) {
		p := record.Project{Status: from, StatusReason: "before"}
		err := SetStatus(&p, to, reason)
		if err != nil {
			var errs record.Errors
			if !errors.As(err, &errs) || len(errs) != 1 || p.Status != from || p.StatusReason != "before" {
				t.Fatalf("SetStatus(%q, %q, %q): %v; project %+v", from, to, reason, err, p)
			}
			return
		}
		if !known(p.Status) || (p.Status == Cancelled || p.Status == NoShow) != (p.StatusReason != "") {
			t.Fatalf("SetStatus(%q, %q, %q) saved %+v", from, to, reason, p)
		}
		if from == Done || from == Cancelled || from == NoShow {
			if p.Status != from {
				t.Fatalf("SetStatus left final %q for %q", from, p.Status)
			}
		}
	})
}

func FuzzBookAgain(f *testing.F) {
	london := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC).UnixMilli()
	f.Add(london, int64(90*60000), "Europe/London", int64(6), "2026-04-21")
	f.Add(london, int64(0), "America/New_York", int64(104), "2026-03-08")
	f.Add(int64(-1)<<62, int64(1)<<62, "Pacific/Apia", int64(1)<<40, "9999-12-31")
	f.Fuzz(func(t *testing.T, start, length int64, zone string, weeks int64, on string) {
		p := record.Project{Kind: KindGrooming, Status: Done, RepeatWeeks: weeks,
			Start: record.Instant{UnixMilli: start, Zone: zone},
			End:   record.Instant{UnixMilli: start + length, Zone: zone}}
		for _, book := range []func() (record.Project, error){
			func() (record.Project, error) { return Next(&p) },
			func() (record.Project, error) { return BookAgain(&p, record.Date(on)) },
		} {
			q, err := book()
			if err != nil {
				continue
			}
			if q.Status != Planned || q.Start.Zone != zone || q.End.UnixMilli-q.Start.UnixMilli != p.End.UnixMilli-p.Start.UnixMilli {
				t.Fatalf("from %+v: %+v", p, q)
			}
			s0, s1 := p.Start.Time(), q.Start.Time()
			if !inGap(s1.Year(), s1.Month(), s1.Day(), s0.Hour(), s0.Minute(), s1.Location()) &&
				(s1.Hour() != s0.Hour() || s1.Minute() != s0.Minute()) {
				t.Fatalf("from %v: next at %v", s0, s1)
			}
		}
	})
}

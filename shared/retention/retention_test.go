package retention

import (
	"testing"
	"time"

	"pawfile/shared/record"
)

func TestDue(t *testing.T) {
	for _, c := range []struct {
		name   string
		policy Policy
		client Client
		today  record.Date
		want   bool
	}{
		{"8 years after", Default, Client{LastEntry: "2018-05-01"}, "2026-05-01", true},
		{"on the 7th anniversary", Default, Client{LastEntry: "2019-05-01"}, "2026-05-01", true},
		{"the day before the anniversary", Default, Client{LastEntry: "2019-05-02"}, "2026-05-01", false},
		{"recent", Default, Client{LastEntry: "2026-04-30"}, "2026-05-01", false},
		{"last entry in the future", Default, Client{LastEntry: "2027-01-01"}, "2026-05-01", false},
		{"on legal hold", Default, Client{LastEntry: "2010-01-01", Hold: true}, "2026-05-01", false},
		{"no dated entry", Default, Client{}, "2026-05-01", false},
		{"damaged last entry", Default, Client{LastEntry: "2010-13-45"}, "2026-05-01", false},
		{"leap day: not on 28 February", Default, Client{LastEntry: "2016-02-29"}, "2023-02-28", false},
		{"leap day: due on 1 March", Default, Client{LastEntry: "2016-02-29"}, "2023-03-01", true},
		{"leap day to leap year", Policy{ClientYears: 8, ArchiveYears: 3}, Client{LastEntry: "2016-02-29"}, "2024-02-29", true},
		{"shorter policy", Policy{ClientYears: 2, ArchiveYears: 1}, Client{LastEntry: "2024-05-01"}, "2026-05-01", true},
	} {
		if got := c.policy.Due(c.client, c.today); got != c.want {
			t.Errorf("%s: Due(%+v, %s) = %v, want %v", c.name, c.client, c.today, got, c.want)
		}
	}
}

func TestArchived(t *testing.T) {
	for _, c := range []struct {
		name  string
		done  record.Date
		hold  bool
		today record.Date
		want  bool
	}{
		{"3 years after completion", "2023-06-01", false, "2026-06-01", true},
		{"a day short", "2023-06-02", false, "2026-06-01", false},
		{"not completed", "", false, "2026-06-01", false},
		{"client on hold", "2010-01-01", true, "2026-06-01", false},
		{"leap day", "2020-02-29", false, "2023-02-28", false},
		{"leap day, 1 March", "2020-02-29", false, "2023-03-01", true},
	} {
		if got := Default.Archived(c.done, c.hold, c.today); got != c.want {
			t.Errorf("%s: Archived(%s, %v, %s) = %v, want %v", c.name, c.done, c.hold, c.today, got, c.want)
		}
	}
}

func TestCompleted(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// 23:30 in London on 31 March 2022 is already 1 April in Berlin:
	// the project's own zone decides the day.
	late := record.InstantOf(time.Date(2022, 3, 31, 23, 30, 0, 0, london))
	start := record.InstantOf(time.Date(2022, 3, 1, 10, 0, 0, 0, london))
	for _, c := range []struct {
		name       string
		status     string
		start, end record.Instant
		want       record.Date
	}{
		{"done: its end", "done", start, late, "2022-03-31"},
		{"done, no end: its start", "done", start, record.Instant{}, "2022-03-01"},
		{"cancelled", "cancelled", start, late, "2022-03-31"},
		{"no-show", "no_show", start, record.Instant{}, "2022-03-01"},
		{"planned is not completed", "planned", start, late, ""},
		{"in progress is not completed", "in_progress", start, late, ""},
		{"done with no time", "done", record.Instant{}, record.Instant{}, ""},
	} {
		if got := Completed(c.status, c.start, c.end); got != c.want {
			t.Errorf("%s: Completed = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestEntryDate(t *testing.T) {
	enc := func(v any) []byte {
		b, err := record.EncodeValue(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	visit := record.InstantOf(time.Date(2018, 6, 2, 9, 0, 0, 0, london))
	for _, c := range []struct {
		name   string
		t      record.Type
		values map[string][]byte
		want   record.Date
	}{
		{"a visit: the later of start and end", record.TypeProject, map[string][]byte{
			"start": enc(visit), "end": enc(record.InstantOf(visit.Time().Add(26 * time.Hour))), "title": enc("Full groom"),
		}, "2018-06-03"},
		{"an invoice's issue, not its due date", record.TypeInvoice, map[string][]byte{
			"issued": enc(record.Date("2018-06-02")), "due": enc(record.Date("2018-07-02")),
		}, "2018-06-02"},
		{"a pet's birth date is no entry", record.TypePet, map[string][]byte{"birth_date": enc(record.Date("2015-01-01"))}, ""},
		{"a vaccination given, not expiring", record.TypeVaccination, map[string][]byte{
			"given": enc(record.Date("2018-01-10")), "expires": enc(record.Date("2019-01-10")),
		}, "2018-01-10"},
		{"consent", record.TypeClient, map[string][]byte{"photo_consent_date": enc(record.Date("2018-04-04"))}, "2018-04-04"},
		{"no dates", record.TypeContactLog, map[string][]byte{"summary": enc("called")}, ""},
		{"a damaged value", record.TypeContactLog, map[string][]byte{"when": {0xff}}, ""},
		{"an unknown type", record.Type("gizmo"), map[string][]byte{"when": enc(visit)}, ""},
		{"settings hold no entries", record.TypeSettings, map[string][]byte{"client_years": enc(int64(7))}, ""},
	} {
		if got := EntryDate(c.t, c.values); got != c.want {
			t.Errorf("%s: EntryDate = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestPolicy(t *testing.T) {
	if got := Of(&record.Settings{}); got != Default {
		t.Errorf("Of(no settings) = %+v, want the default", got)
	}
	if got := Of(&record.Settings{ClientYears: 10}); got != (Policy{ClientYears: 10, ArchiveYears: 3}) {
		t.Errorf("Of(10 years) = %+v", got)
	}
	for _, c := range []struct {
		p  Policy
		ok bool
	}{
		{Default, true},
		{Policy{ClientYears: 0, ArchiveYears: 3}, false},
		{Policy{ClientYears: 7, ArchiveYears: 0}, false},
		{Policy{ClientYears: 7, ArchiveYears: 8}, false},
		{Policy{ClientYears: MaxYears + 1, ArchiveYears: 3}, false},
		{Policy{ClientYears: 1, ArchiveYears: 1}, true},
	} {
		if err := c.p.Check(); (err == nil) != c.ok {
			t.Errorf("Check(%+v) = %v", c.p, err)
		}
	}
}

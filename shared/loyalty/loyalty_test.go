package loyalty

import (
	"strconv"
	"strings"
	"testing"

	"pawfile/shared/record"
	"pawfile/shared/schedule"
)

// visits makes a client's visits from a pattern, one letter a visit in
// the order they started: d done groom, R done groom rewarded, c
// cancelled, n no-show, p planned, t done training course, u done groom
// with no start. Each visit's id is its position from 1: "v1", "v2"…
func visits(pattern string) []Visit {
	var out []Visit
	// Listed latest first, so the order comes from the starts.
	for i := len(pattern) - 1; i >= 0; i-- {
		v := Visit{ID: "v" + strconv.Itoa(i+1), Kind: schedule.KindGrooming, Status: schedule.Done,
			Start: record.Instant{UnixMilli: int64(i+1) * 86_400_000, Zone: "Europe/London"}}
		switch pattern[i] {
		case 'R':
			v.Rewarded = true
		case 'c':
			v.Status = schedule.Cancelled
		case 'n':
			v.Status = schedule.NoShow
		case 'p':
			v.Status = schedule.Planned
		case 't':
			v.Kind = "training"
		case 'u':
			v.Start = record.Instant{}
		}
		out = append(out, v)
	}
	return out
}

func TestQualifies(t *testing.T) {
	six := Rule{Every: 6, PercentOff: 20}
	for _, tt := range []struct {
		name    string
		rule    Rule
		pattern string
		id      string
		nth     int64
		ok      bool
	}{
		{"the 6th done groom", six, "dddddd", "v6", 6, true},
		{"the 5th is not", six, "dddddd", "v5", 5, false},
		{"the 1st is not", six, "d", "v1", 1, false},
		{"cancelled and no-show not counted", six, "ddcdndddd", "v8", 6, true},
		{"cancelled and no-show not counted: one short", six, "ddcdndddd", "v7", 5, false},
		{"a cancelled visit never qualifies", six, "ddddddc", "v7", 0, false},
		{"a planned visit never qualifies", six, "dddddp", "v6", 0, false},
		{"training is not a groom", six, "dddddtd", "v7", 6, true},
		{"a groom with no start is not counted", six, "ddudddd", "v7", 6, true},
		{"counted since the last reward", six, "ddddddRdddddd", "v13", 6, true},
		{"a reward resets the count", six, "dddddRddddd", "v11", 5, false},
		{"the 12th after an unrewarded 6th", six, "dddddddddddd", "v12", 12, true},
		{"a 6th invoiced without it passes it on", six, "ddddddd", "v7", 7, true},
		{"rule changed from 6 to 4 mid-way: the 4th since the last reward", Rule{Every: 4, PercentOff: 10}, "ddddddRddd", "v10", 3, false},
		{"rule changed from 6 to 4 mid-way: the 4th qualifies", Rule{Every: 4, PercentOff: 10}, "ddddddRdddd", "v11", 4, true},
		{"rule changed from 6 to 3 after 5: the next visit qualifies", Rule{Every: 3, PercentOff: 10}, "dddddd", "v6", 6, true},
		{"no rule", Rule{}, "dddddd", "v6", 0, false},
		{"unknown visit", six, "dddddd", "v9", 0, false},
	} {
		nth, ok := Qualifies(tt.rule, visits(tt.pattern), tt.id)
		if nth != tt.nth || ok != tt.ok {
			t.Errorf("%s: Qualifies(%q, %s) = %d, %v; want %d, %v", tt.name, tt.pattern, tt.id, nth, ok, tt.nth, tt.ok)
		}
	}
}

func TestProgress(t *testing.T) {
	six := Rule{Every: 6, PercentOff: 20}
	for _, tt := range []struct {
		rule    Rule
		pattern string
		count   int64
		text    string
	}{
		{six, "", 0, "0 of 6 grooms — the 6th is 20% off"},
		{six, "dddd", 4, "4 of 6 grooms — the 6th is 20% off"},
		{six, "ddcnpdddt", 5, "5 of 6 grooms — the 6th is 20% off"},
		{six, "dddddd", 6, "6 of 6 grooms — the 6th is 20% off"},
		{six, "dddddR", 0, "0 of 6 grooms — the 6th is 20% off"},
		{six, "dddddRdd", 2, "2 of 6 grooms — the 6th is 20% off"},
		{six, "ddddddd", 7, "7 grooms since the last loyalty discount — the next one invoiced is 20% off"},
		{Rule{Every: 3, PercentOff: 15}, "ddddddRd", 1, "1 of 3 grooms — the 3rd is 15% off"},
		{Rule{}, "dddd", 4, ""},
	} {
		st := Progress(tt.rule, visits(tt.pattern))
		if st.Count != tt.count || st.Text() != tt.text {
			t.Errorf("Progress(%+v, %q) = %d %q; want %d %q", tt.rule, tt.pattern, st.Count, st.Text(), tt.count, tt.text)
		}
	}
}

func TestDiscount(t *testing.T) {
	for _, tt := range []struct {
		rule   Rule
		price  record.Money
		nth    int64
		want   record.Money
		reason string
	}{
		{Rule{6, 20}, record.Money{Minor: 4250, Currency: "GBP"}, 6, record.Money{Minor: 850, Currency: "GBP"}, "Loyalty: 6th groom, 20% off"},
		// 15% of £19.99 is 299.85p: rounded to 300p.
		{Rule{6, 15}, record.Money{Minor: 1999, Currency: "GBP"}, 6, record.Money{Minor: 300, Currency: "GBP"}, "Loyalty: 6th groom, 15% off"},
		// 15% of £19.90 is 298.5p: a half, away from zero.
		{Rule{6, 15}, record.Money{Minor: 1990, Currency: "GBP"}, 7, record.Money{Minor: 299, Currency: "GBP"}, "Loyalty: 7th groom, 15% off"},
		// Yen have no minor unit: 15% of ¥3333 is ¥499.95, so ¥500.
		{Rule{3, 15}, record.Money{Minor: 3333, Currency: "JPY"}, 3, record.Money{Minor: 500, Currency: "JPY"}, "Loyalty: 3rd groom, 15% off"},
		// Dinars in thousandths: 7% of 12.345 KWD is 0.86415, so 0.864.
		{Rule{2, 7}, record.Money{Minor: 12345, Currency: "KWD"}, 2, record.Money{Minor: 864, Currency: "KWD"}, "Loyalty: 2nd groom, 7% off"},
		{Rule{21, 100}, record.Money{Minor: 4250, Currency: "EUR"}, 21, record.Money{Minor: 4250, Currency: "EUR"}, "Loyalty: 21st groom, 100% off"},
	} {
		got, reason, err := tt.rule.Discount(tt.price, tt.nth)
		if err != nil || got != tt.want || reason != tt.reason {
			t.Errorf("%+v.Discount(%v, %d) = %v %q %v; want %v %q", tt.rule, tt.price, tt.nth, got, reason, err, tt.want, tt.reason)
		}
		if !strings.HasPrefix(reason, ReasonPrefix) {
			t.Errorf("reason %q does not start with %q", reason, ReasonPrefix)
		}
	}
	if _, _, err := (Rule{6, 20}).Discount(record.Money{Minor: -1, Currency: "GBP"}, 6); err == nil {
		t.Error("a negative price was discounted")
	}
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		rule Rule
		want string // "" for none
	}{
		{Rule{}, ""},
		{Rule{6, 20}, ""},
		{Rule{2, 1}, ""},
		{Rule{100, 100}, ""},
		{Rule{1, 20}, "reward every 2 to 100 grooms"},
		{Rule{101, 20}, "reward every 2 to 100 grooms"},
		{Rule{6, 0}, "give a discount from 1% to 100%"},
		{Rule{6, 101}, "give a discount from 1% to 100%"},
		{Rule{-1, 20}, "reward every 2 to 100 grooms"},
	} {
		err := tt.rule.Check()
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v.Check() = %v, want %q", tt.rule, err, tt.want)
		}
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int64]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 101: "101st", 111: "111th"} {
		if got := Ordinal(n); got != want {
			t.Errorf("Ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}

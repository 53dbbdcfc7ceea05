package zone

import (
	"strings"
	"testing"
	"time"
)

func TestBuild(t *testing.T) {
	// London around 2026: GMT, then BST from 29 March, GMT from 25 October.
	ps, err := parse("1767225600 0 GMT;1774746000 3600 BST;1792890000 0 GMT")
	if err != nil {
		t.Fatal(err)
	}
	l, err := build("Europe/London", ps)
	if err != nil {
		t.Fatal(err)
	}
	if l.String() != "Europe/London" {
		t.Errorf("name %q", l.String())
	}
	for _, c := range []struct {
		utc    string
		offset int
		abbr   string
	}{
		{"1950-06-01T12:00:00Z", 0, "GMT"}, // before the first period: the first offset
		{"2026-03-29T00:59:59Z", 0, "GMT"},
		{"2026-03-29T01:00:00Z", 3600, "BST"},
		{"2026-10-25T00:59:59Z", 3600, "BST"},
		{"2026-10-25T01:00:00Z", 0, "GMT"},
		{"2150-06-01T12:00:00Z", 0, "GMT"}, // after the last: the last
	} {
		at, _ := time.Parse(time.RFC3339, c.utc)
		abbr, off := at.In(l).Zone()
		if off != c.offset || abbr != c.abbr {
			t.Errorf("%s: %s %d, want %s %d", c.utc, abbr, off, c.abbr, c.offset)
		}
	}
	// A wall time in the skipped hour, as time.Date resolves it.
	if got := time.Date(2026, 3, 29, 1, 30, 0, 0, l).Format("15:04 MST"); got != "00:30 GMT" && got != "02:30 BST" {
		t.Errorf("skipped 01:30 became %s", got)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, s := range []string{
		"",
		"0 0",
		"x 0 GMT",
		"0 x GMT",
		"0 99999 GMT",
		"10 0 GMT;10 3600 BST",
		"10 0 GMT;5 3600 BST",
	} {
		if _, err := parse(s); err == nil {
			t.Errorf("parse(%q) accepted", s)
		}
	}
	if _, err := build("X", nil); err == nil {
		t.Error("build of no periods accepted")
	}
	long := []period{{0, 0, strings.Repeat("A", 200)}, {10, 60, strings.Repeat("B", 200)}}
	if _, err := build("X", long); err == nil {
		t.Error("build of 400 bytes of abbreviations accepted")
	}
}

// FuzzParse checks that no answer from the browser, however garbled,
// makes parse or build panic, and that what they accept loads.
func FuzzParse(f *testing.F) {
	f.Add("1767225600 0 GMT;1774746000 3600 BST;1792890000 0 GMT")
	f.Add("-2208988800 -17762 LMT;-1830383032 0 GMT")
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := parse(s)
		if err != nil {
			return
		}
		if _, err := build("Fuzz/Zone", ps); err != nil && len(ps) > 0 && len(ps) < 200 {
			if !strings.Contains(err.Error(), "abbreviations") && !strings.Contains(err.Error(), "offsets") {
				t.Errorf("build of %d parsed periods: %v", len(ps), err)
			}
		}
	})
}

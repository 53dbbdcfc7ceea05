//go:build js && wasm

package zone

import (
	"os"
	"syscall/js"
	"testing"
	"time"

	// Go's own zone database, to check the browser's against.
	_ "time/tzdata"

	"pawfile/shared/pagescript"
)

// TestMain loads the page's script, which the server serves to the app's
// page and the test runner's page lacks.
func TestMain(m *testing.M) {
	js.Global().Call("eval", pagescript.Source)
	os.Exit(m.Run())
}

// TestLoadMatchesGo compares the zones the browser gives with Go's
// database every six hours from 1970 to 2100, across zones with DST in
// either hemisphere, half- and quarter-hour offsets and none at all.
// Both databases are recent releases of the same IANA data; zones whose
// rules changed in the last few years are left out, as the two may be a
// release apart.
func TestLoadMatchesGo(t *testing.T) {
	for _, name := range []string{
		"Europe/London", "Europe/Dublin", "America/New_York", "America/Los_Angeles",
		"Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Kathmandu",
		"Pacific/Auckland", "Pacific/Chatham", "Asia/Tokyo", "UTC",
	} {
		start := time.Now()
		got, err := Load(name)
		if err != nil {
			t.Errorf("Load(%q): %v", name, err)
			continue
		}
		t.Logf("%s loaded in %v", name, time.Since(start).Round(time.Millisecond))
		want, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		bad := 0
		for at := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC); at.Year() < 2100 && bad < 3; at = at.Add(6 * time.Hour) {
			_, g := at.In(got).Zone()
			_, w := at.In(want).Zone()
			if g != w {
				t.Errorf("%s at %s: offset %d, Go's database says %d", name, at.Format(time.RFC3339), g, w)
				bad++
			}
		}
	}
}

func TestLoadNamesAndAbbreviations(t *testing.T) {
	london, err := Load("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := Load("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 7, 1, 12, 0, 0, 0, london), "12:00 BST"},
		{time.Date(2026, 12, 1, 12, 0, 0, 0, london), "12:00 GMT"},
		{time.Date(2026, 7, 1, 12, 0, 0, 0, ny), "12:00 EDT"},
		{time.Date(2026, 12, 1, 12, 0, 0, 0, ny), "12:00 EST"},
	} {
		if got := c.at.Format("15:04 MST"); got != c.want {
			t.Errorf("%s, want %s", got, c.want)
		}
	}
	kolkata, err := Load("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	if abbr, off := time.Date(2026, 7, 1, 12, 0, 0, 0, kolkata).Zone(); off != 19800 || abbr == "" {
		t.Errorf("Kolkata: %q %d, want an abbreviation and +05:30", abbr, off)
	}
	for _, name := range []string{"", "Mars/Olympus", "europe/london", "Local", "../etc/passwd"} {
		if _, err := Load(name); err == nil {
			t.Errorf("Load(%q) accepted", name)
		}
	}
	if Local() == "" {
		t.Error("the browser names no zone of its own")
	}
}

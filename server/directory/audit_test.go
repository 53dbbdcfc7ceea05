package directory

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestFailedLoginsAreAggregated: a stranger's guesses (at logins that do
// not exist, and at a member's) write one audit row per member, or one
// for all unknown logins, per hour, counting the attempts, instead of a
// row each: the audit log cannot be grown without bound by failures.
func TestFailedLoginsAreAggregated(t *testing.T) {
	d, clk := openTest(t)
	ctx := WithRemote(t.Context(), "198.51.100.7")
	owner := reg("owner@example.com", rnd(32))
	if _, err := d.CreateWorkspace(t.Context(), owner); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for i := range 60 {
		login := fmt.Sprintf("guess%d@example.com", i)
		if i%3 == 0 {
			login = "owner@example.com"
		}
		_, err := d.Login(ctx, login, rnd(32), DeviceInfo{ID: uint64(500 + i)})
		var throttled *ThrottledError
		switch {
		case errors.As(err, &throttled):
			continue // refused before the secret was checked: no failure to record
		case !errors.Is(err, ErrBadLogin):
			t.Fatalf("guess %d: %v", i, err)
		}
		failed++
		clk.advance(10 * time.Second)
	}
	rows, counted := failures(t, d)
	if len(rows) > 2 || counted != failed {
		t.Fatalf("%d failed logins wrote %d audit rows counting %d; want at most 2 rows (the member, unknown logins) counting them all", failed, len(rows), counted)
	}
	for _, e := range rows {
		if e.Remote != "198.51.100.7" || e.Last.Before(e.Time) || e.Count < 1 {
			t.Errorf("aggregated row %+v: want the address, a count and the last attempt's time", e)
		}
	}

	// An hour later, a failure opens a row of its own.
	clk.advance(2 * time.Hour)
	if _, err := d.Login(ctx, "late@example.com", rnd(32), DeviceInfo{ID: 999}); !errors.Is(err, ErrBadLogin) {
		t.Fatal(err)
	}
	if later, n := failures(t, d); len(later) != len(rows)+1 || n != counted+1 || later[len(later)-1].Count != 1 {
		t.Fatalf("a failure two hours later: %d rows counting %d, want %d counting %d", len(later), n, len(rows)+1, counted+1)
	}
}

// failures returns the audit log's failed-login rows and the attempts they
// count.
func failures(t *testing.T, d *Directory) ([]Event, int) {
	t.Helper()
	all, err := d.Audit(t.Context(), 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Event
	n := 0
	for _, e := range all {
		if e.Kind == LoginFailed {
			rows = append(rows, e)
			n += max(e.Count, 1)
		}
	}
	return rows, n
}

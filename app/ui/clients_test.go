package ui

import (
	"strings"
	"testing"

	"pawfile/app/syncclient"
)

// TestSearchWhileReceiving is issue 16's tablet at 76% of its download: a
// search that finds nothing must not say the client is not there alone,
// or a person adds them again.
func TestSearchWhileReceiving(t *testing.T) {
	st := syncclient.Status{State: syncclient.Syncing, Pulled: 76_000, Total: 100_000}
	if got, want := receiving(st), "Still receiving the book: 76%"; got != want {
		t.Errorf("receiving = %q, want %q", got, want)
	}
	if got := noMatch("Harry Hill", st); got == "No client matches “Harry Hill”." || !strings.Contains(got, "yet") {
		t.Errorf("noMatch while receiving = %q: it says the client is not there", got)
	}

	done := syncclient.Status{State: syncclient.UpToDate, Pulled: 100_000, Total: 100_000}
	if got := receiving(done); got != "" {
		t.Errorf("receiving when up to date = %q, want nothing", got)
	}
	if got, want := noMatch("Harry Hill", done), "No client matches “Harry Hill”."; got != want {
		t.Errorf("noMatch when up to date = %q, want %q", got, want)
	}
}

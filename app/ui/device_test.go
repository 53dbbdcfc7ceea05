package ui

import (
	"strings"
	"testing"

	"pawfile/app/session"
)

// The Device screen says how many records and changes do not open, and
// what to do about each.
func TestUnopenedText(t *testing.T) {
	if got := unopenedText(session.Unopened{}); len(got) != 1 || got[0] != "Every record on this device opens." {
		t.Errorf("nothing unopened: %q", got)
	}
	got := unopenedText(session.Unopened{Records: 3, Versions: 1})
	if len(got) != 2 {
		t.Fatalf("records and changes that do not open: %q", got)
	}
	for _, want := range []string{"3 records on this device cannot be opened", "Reload Pawfile", "tell the workspace owner"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("records: %q lacks %q", got[0], want)
		}
	}
	for _, want := range []string{"1 change from other devices could not be opened", "set aside", "Give access"} {
		if !strings.Contains(got[1], want) {
			t.Errorf("changes: %q lacks %q", got[1], want)
		}
	}
	if got := unopenedText(session.Unopened{Versions: 2}); len(got) != 1 || !strings.Contains(got[0], "2 changes") {
		t.Errorf("changes only: %q", got)
	}
}

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

	// A new device: the clients come first, then their pets, then the
	// bookings.
	first := syncclient.Status{State: syncclient.Syncing, Bootstrap: true, Pulled: 40_000, Total: 100_000}
	if got, want := receiving(first), "Still receiving clients: 40%"; got != want {
		t.Errorf("receiving the clients = %q, want %q", got, want)
	}
	if got := noMatch("Harry Hill", first); !strings.Contains(got, "yet") {
		t.Errorf("noMatch while the clients arrive = %q: it says the client is not there", got)
	}
	// A search may be for a pet's name.
	pets := syncclient.Status{State: syncclient.Syncing, Bootstrap: true, Pets: true, Pulled: 20_000, Total: 100_000}
	if got, want := receiving(pets), "Every client is here; still receiving their pets: 20%"; got != want {
		t.Errorf("receiving the pets = %q, want %q", got, want)
	}
	if got := noMatch("Biscuit", pets); !strings.Contains(got, "yet") {
		t.Errorf("noMatch while the pets arrive = %q: it says the client is not there", got)
	}
	rest := syncclient.Status{State: syncclient.Syncing, Bootstrap: true, ClientsIn: true, Pulled: 30_000, Total: 100_000}
	if got, want := receiving(rest), "Every client and pet is here; still receiving past bookings: 30%"; got != want {
		t.Errorf("receiving the bookings = %q, want %q", got, want)
	}
	if got, want := noMatch("Harry Hill", rest), "No client matches “Harry Hill”."; got != want {
		t.Errorf("noMatch once every client is in = %q, want %q", got, want)
	}

	done := syncclient.Status{State: syncclient.UpToDate, Pulled: 100_000, Total: 100_000}
	if got := receiving(done); got != "" {
		t.Errorf("receiving when up to date = %q, want nothing", got)
	}
	if got, want := noMatch("Harry Hill", done), "No client matches “Harry Hill”."; got != want {
		t.Errorf("noMatch when up to date = %q, want %q", got, want)
	}
}

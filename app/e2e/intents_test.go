//go:build !js

package e2e

import (
	"strings"
	"testing"
	"time"
)

// A screen left open saves only what the person changed on it: a newer
// change made on the other tablet meanwhile stays on both, even when the
// screen comes back from its draft after the change arrived.

// searchShows types q into the client search until the list shows want:
// the list is read again at each search, so this waits for sync.
func (b *browser) searchShows(q, want string) {
	b.t.Helper()
	b.waitFor("the list to show "+want, 60*time.Second, func() bool {
		b.fill("q", q)
		return strings.Contains(b.text(), want)
	})
}

// openPet opens a pet's screen from its client's card.
func (b *browser) openPet(name string) {
	b.t.Helper()
	b.click(`//a[contains(@class, "pet-name") and starts-with(normalize-space(), "` + name + ` ")]`)
	b.waitText("Edit pet", 20*time.Second)
}

// draftKept waits as long as a form takes to keep its draft after the
// last keystroke (draftDelay, 400 ms), with room to spare.
func draftKept() { time.Sleep(time.Second) }

func TestStaleClientCard(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "Bella bites")

	// The owner has Margaret's card open and types a tag.
	owner.openClient("Margaret Lockwood")
	owner.fill("tags", "regular")
	// The front desk changes her phone and saves.
	desk.openClient("Margaret Lockwood")
	desk.fill("phone-1", "07700 900789")
	desk.button("Save")
	desk.waitText("Saved on this device", 20*time.Second)
	// The owner's tablet receives it (the draft of the card is kept
	// meanwhile), and the card comes back from its draft, old phone shown.
	draftKept()
	owner.link("Clients")
	owner.searchShows("900789", "Margaret Lockwood")
	owner.openClient("Margaret Lockwood")
	owner.waitText("were brought back", 20*time.Second)
	// The phone, not changed in the draft, follows the desk's change.
	owner.waitValue("phone-1", "07700 900789", 10*time.Second)
	if got := owner.value("tags"); got != "regular" {
		t.Fatalf("the restored card's tags = %q, want the draft's", got)
	}
	owner.button("Save")
	owner.waitText("Saved on this device", 20*time.Second)

	for name, b := range map[string]*browser{"owner": owner, "desk": desk} {
		b.waitFor(name+"'s card with both changes", 60*time.Second, func() bool {
			b.link("Clients")
			b.openClient("Margaret Lockwood")
			return b.value("tags") == "regular" && b.value("phone-1") == "07700 900789"
		})
	}
}

func TestStalePetScreen(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "Bella bites")
	owner.openClient("Margaret Lockwood")
	owner.addPet("Bella", "")
	desk.searchShows("Bella", "Bella")

	// The owner opens Bella and types a coat type.
	owner.openPet("Bella")
	owner.fill("coat", "silky")
	// The front desk adds an allergy.
	desk.openClient("Margaret Lockwood")
	desk.openPet("Bella")
	desk.fill("allergies", "lavender oil")
	desk.button("Save pet")
	desk.waitText("Saved on this device", 20*time.Second)
	// The owner's tablet receives it; Bella's screen comes back from its
	// draft, without the allergy, and saves the coat only.
	draftKept()
	owner.link("Clients")
	owner.searchShows("Margaret", "lavender oil")
	owner.openClient("Margaret Lockwood")
	owner.openPet("Bella")
	owner.waitText("were brought back", 20*time.Second)
	// The allergies, not changed in the draft, follow the desk's change.
	owner.waitValue("allergies", "lavender oil", 10*time.Second)
	if got := owner.value("coat"); got != "silky" {
		t.Fatalf("the restored pet screen's coat = %q, want the draft's", got)
	}
	owner.button("Save pet")
	owner.waitText("Saved on this device", 20*time.Second)

	for name, b := range map[string]*browser{"owner": owner, "desk": desk} {
		b.waitFor(name+"'s Bella with both changes", 60*time.Second, func() bool {
			b.link("Clients")
			b.openClient("Margaret Lockwood")
			b.openPet("Bella")
			return b.value("allergies") == "lavender oil" && b.value("coat") == "silky"
		})
		b.waitText("allergy: lavender oil", 10*time.Second) // its badge
	}
}

func TestOfflineAllergies(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "Bella bites")
	owner.openClient("Margaret Lockwood")
	owner.addPet("Bella", "chicken")
	desk.searchShows("Bella", "chicken")

	srv.stop()
	for b, allergy := range map[*browser]string{owner: "lavender oil", desk: "tea tree"} {
		b.link("Clients")
		b.openClient("Margaret Lockwood")
		b.openPet("Bella")
		b.fill("allergies", "chicken, "+allergy)
		b.button("Save pet")
		b.waitText("Saved on this device", 20*time.Second)
		// The longest status the bar shows often: offline, with a change
		// to send. The owner's is beside every section, at 1024×768.
		b.waitText("to send", 20*time.Second)
		b.checkScreen("pet-offline")
	}
	srv.start()
	for name, b := range map[string]*browser{"owner": owner, "desk": desk} {
		b.waitFor(name+"'s Bella with both allergies", 60*time.Second, func() bool {
			b.link("Clients")
			b.searchShows("Bella", "Bella")
			v := b.text()
			return strings.Contains(v, "lavender oil") && strings.Contains(v, "tea tree") && strings.Contains(v, "chicken")
		})
	}
}

// An open card follows the other tablet: a field not touched here takes
// its change in place; a field changed on both is shown with the choice
// before saving, never overwritten either way.
func TestOpenCardFollows(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "Bella bites")
	owner.openClient("Margaret Lockwood")
	owner.fill("emergency-name", "Owner's sister")
	desk.openClient("Margaret Lockwood")
	desk.fill("phone-1", "07700 900789")
	desk.fill("emergency-name", "Desk's neighbour")
	desk.button("Save")
	desk.waitText("Saved on this device", 20*time.Second)

	owner.waitValue("phone-1", "07700 900789", 60*time.Second)
	owner.waitText("to Desk's neighbour — keep yours or take theirs", 20*time.Second)
	if got := owner.value("emergency-name"); got != "Owner's sister" {
		t.Fatalf("the owner's own edit became %q while the choice is shown", got)
	}
	owner.checkScreen("client-changed-elsewhere")
	owner.button("Save")
	owner.waitText("keep yours or take theirs for each", 10*time.Second)
	owner.button("Keep yours: emergency contact name")
	// As a person would, tap Save once the choice has gone from the
	// screen: the notes above Save move it as they go.
	owner.waitFor("the choice settled", 10*time.Second, func() bool {
		return !strings.Contains(owner.text(), "keep yours or take theirs")
	})
	owner.button("Save")
	owner.waitText("Saved on this device", 20*time.Second)

	for name, b := range map[string]*browser{"owner": owner, "desk": desk} {
		b.waitFor(name+"'s card with the owner's choice", 60*time.Second, func() bool {
			b.link("Clients")
			b.openClient("Margaret Lockwood")
			return b.value("emergency-name") == "Owner's sister" && b.value("phone-1") == "07700 900789"
		})
	}
}

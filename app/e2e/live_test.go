package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestOpenListsFollow: the owner keeps a list open while the front desk
// changes records on its tablet; each list shows the change without the
// owner navigating.
func TestOpenListsFollow(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "")

	owner.link("Clients")
	owner.waitText("Margaret Lockwood", 20*time.Second)
	desk.addClient("Arthur Pendleton", "07700 900456", "")
	owner.waitText("Arthur Pendleton", 60*time.Second)

	owner.openClient("Margaret Lockwood")
	owner.waitText("No current bookings", 20*time.Second)
	desk.openClient("Margaret Lockwood")
	desk.book("Full groom", func() { desk.setDate("start", "10:00") })
	owner.waitText("Full groom", 60*time.Second) // on the client's bookings card

	owner.link("Today")
	owner.waitText("Full groom", 20*time.Second)
	desk.fill("title", "Full groom and nails")
	desk.button("Save")
	desk.waitText("Saved on this device", 20*time.Second)
	owner.waitText("Full groom and nails", 60*time.Second)

	owner.link("Calendar")
	owner.waitText("Full groom and nails", 20*time.Second)
	desk.fill("title", "Bath and tidy")
	desk.button("Save")
	desk.waitText("Saved on this device", 20*time.Second)
	owner.waitText("Bath and tidy", 60*time.Second)

	owner.link("Due")
	owner.waitText("Nothing due", 20*time.Second)
	desk.link("Back to the client")
	desk.addPet("Bella", "")
	desk.openPet("Bella")
	desk.fill("vacc-name", "Rabies")
	desk.setDate("vacc-given", "2019-01-01")
	desk.setDate("vacc-expires", "2020-01-01")
	desk.button("Add vaccination")
	desk.waitText("expired", 20*time.Second)
	owner.waitText("Bella · Rabies", 60*time.Second)
	owner.checkScreen("due-followed")
}

// TestTeamFollows: a member who joins while the owner has Team open shows
// up there, waiting for access, without the owner reloading.
func TestTeamFollows(t *testing.T) {
	srv := startServer(t)
	owner := newBrowser(t, 1024, 768)
	owner.createWorkspace(srv, "owner@example.com")
	code := owner.inviteCode("groomer") // leaves the owner on Team
	owner.waitText("last seen", 20*time.Second)

	groomer := newBrowser(t, 820, 1180)
	groomer.open(srv.url() + "/")
	groomer.button("Join with an invite")
	groomer.fill("code", code)
	groomer.fill("login", "groomer@example.com")
	groomer.fill("pass", passphrase)
	groomer.fill("pass2", passphrase)
	groomer.button("Join")
	groomer.waitText("Waiting for access", 60*time.Second)
	var fp string
	groomer.run("fingerprint", 10*time.Second, chromedp.Text("#fingerprint", &fp, chromedp.ByQuery))

	owner.waitText(strings.TrimSpace(fp), 30*time.Second)
	owner.checkScreen("team-member-waiting")
	owner.button("Give access to groomer@example.com")
	owner.waitText("groomer@example.com has access now.", 20*time.Second)
	groomer.waitText("Today", 60*time.Second)
}

//go:build !js

package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
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

// TestOpenBookingFollows: the owner has a booking open, its price changed
// but not saved, when the front desk changes its title and price. The
// title the owner did not touch takes the desk's in place; the price,
// changed on both, is shown with the choice, and Save waits for it.
func TestOpenBookingFollows(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "")
	owner.openClient("Margaret Lockwood")
	owner.book("Full groom", func() {
		owner.setDate("start", "10:00")
		owner.fill("price", "40.00")
	})
	desk.link("Today")
	// The booking is the owner's: the desk, which may not read the team's
	// logins, names them by their role, not by an id.
	desk.waitText("With Owner", 60*time.Second)
	desk.click(`//a[.//span[contains(., "Full groom")]]`)
	desk.waitText("Status: planned", 60*time.Second)

	owner.fill("price", "45.00")
	desk.fill("title", "Full groom and teeth")
	desk.fill("price", "50.00")
	desk.button("Save")
	desk.waitText("Saved on this device", 20*time.Second)

	owner.waitValue("title", "Full groom and teeth", 60*time.Second)
	owner.waitText("Price: changed on", 20*time.Second)
	owner.waitText("to 50.00 — keep yours or take theirs", 5*time.Second)
	if got := owner.value("price"); got != "45.00" {
		t.Fatalf("the owner's own price became %q while the choice is shown", got)
	}
	owner.checkScreen("booking-changed-elsewhere")
	owner.button("Save")
	owner.waitText("keep yours or take theirs for each", 10*time.Second)
	owner.button("Take theirs: price")
	owner.waitFor("the choice settled", 10*time.Second, func() bool {
		return !strings.Contains(owner.text(), "keep yours or take theirs")
	})
	if got := owner.value("price"); got != "50.00" {
		t.Errorf("price after taking theirs = %q, want 50.00", got)
	}
	if strings.Contains(owner.text(), "Saved on this device") {
		t.Fatal("the refused save left 'Saved on this device' on the screen")
	}
	owner.button("Save")
	owner.waitText("Saved on this device", 20*time.Second)
	if got := owner.value("title"); got != "Full groom and teeth" {
		t.Errorf("title after saving = %q", got)
	}
}

// TestOpenInvoiceFollows: the owner has a draft invoice open, its
// discount changed but not saved, when the front desk changes its line,
// adds a line, sets its tax rate and its discount. What the owner did not
// touch takes the desk's in place; the discount, changed on both, is shown
// with the choice, and Save waits for it. Once the desk issues it, the
// owner's open invoice is issued too, its amounts kept.
func TestOpenInvoiceFollows(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "")
	owner.openClient("Margaret Lockwood")
	owner.link("New invoice")
	owner.fill("line-desc-1", "Full groom")
	owner.fill("line-price-1", "42.50")
	owner.waitTotals([]string{"Total | £42.50"}) // the form has settled: Save is where it shows
	owner.button("Save invoice")
	owner.waitText("Saved on this device", 20*time.Second)

	desk.openClient("Margaret Lockwood")
	desk.waitText(strconv.Itoa(time.Now().Year())+"-0001", 60*time.Second)
	desk.click(`(//a[contains(@class, "invoice-row")])[1]`)
	desk.waitValue("line-desc-1", "Full groom", 20*time.Second)

	owner.fill("discount", "5.00")
	desk.fill("line-desc-1", "Full groom and nails")
	desk.button("Add a line")
	desk.fill("line-desc-2", "Ear clean")
	desk.fill("line-price-2", "7.50")
	desk.fill("tax-rate", "20")
	desk.fill("discount", "2.00")
	// 42.50 + 7.50 = 50.00; less 2.00 is 48.00; 20% is 9.60; total 57.60.
	totals := []string{"Subtotal | £50.00", "Discount | −£2.00", "Tax (20%) | £9.60", "Total | £57.60"}
	desk.waitTotals(totals)
	desk.button("Save invoice")
	desk.waitText("Saved on this device", 20*time.Second)

	owner.waitValue("line-desc-1", "Full groom and nails", 60*time.Second)
	owner.waitValue("line-desc-2", "Ear clean", 20*time.Second)
	owner.waitValue("tax-rate", "20", 5*time.Second)
	owner.waitText("Discount: changed on", 20*time.Second)
	owner.waitText("to 2.00 — keep yours or take theirs", 5*time.Second)
	if got := owner.value("discount"); got != "5.00" {
		t.Fatalf("the owner's own discount became %q while the choice is shown", got)
	}
	checkScreenAt(owner, "invoice-changed-elsewhere", ".alert[role=alert]")
	owner.button("Save invoice")
	owner.waitText("keep yours or take theirs for each", 10*time.Second)
	owner.button("Take theirs: discount")
	owner.waitFor("the choice settled", 10*time.Second, func() bool {
		return !strings.Contains(owner.text(), "keep yours or take theirs")
	})
	if got := owner.value("discount"); got != "2.00" {
		t.Errorf("discount after taking theirs = %q, want 2.00", got)
	}
	owner.button("Save invoice")
	owner.waitText("Saved on this device", 20*time.Second)
	owner.waitTotals(totals)

	desk.selectOption("status", "issued")
	desk.button("Save invoice")
	desk.waitText("Saved on this device", 20*time.Second)
	owner.waitValue("status", "issued", 60*time.Second)
	owner.waitText("This invoice is issued", 20*time.Second)
	if strings.Contains(owner.text(), "keep yours or take theirs") {
		t.Errorf("the issued invoice asks for a choice: %s", owner.screenshot("issued-clash"))
	}
}

// TestClientListHoldsUnderFinger: the owner's finger is down on a row of
// the client list when the front desk adds a client who sorts above it.
// The count follows, but the rows stay where they are until the finger
// lifts, so the tap opens the client it was on; then the new client is
// listed.
func TestClientListHoldsUnderFinger(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "")
	owner.link("Clients")
	owner.waitText("1 client", 20*time.Second)
	first := func() (row string) {
		owner.eval("first row", `(() => {
			const a = document.querySelector('ul[aria-label="Clients"] li a');
			return a.textContent + " at " + Math.round(a.getBoundingClientRect().top);
		})()`, &row)
		return row
	}
	before := first()
	if !strings.HasPrefix(before, "Margaret Lockwood") {
		t.Fatalf("first row %q, want Margaret Lockwood", before)
	}
	owner.touchDown(`//a[.//span[.="Margaret Lockwood"]]`)
	desk.addClient("Arthur Pendleton", "07700 900456", "")
	owner.waitText("2 clients", 60*time.Second)
	if now := first(); now != before || strings.Contains(owner.text(), "Arthur Pendleton") {
		t.Fatalf("with the finger down the list changed: first row %q, was %q: %s", now, before, owner.screenshot("moved"))
	}
	owner.touchUp()
	owner.waitValue("name", "Margaret Lockwood", 20*time.Second)
	owner.link("Back to clients")
	owner.waitText("Arthur Pendleton", 20*time.Second)
	if now := first(); !strings.HasPrefix(now, "Arthur Pendleton") {
		t.Errorf("after the tap the first row is %q, want Arthur Pendleton, who sorts above", now)
	}
	owner.checkScreen("clients-after-hold")
}

// touchDown puts a finger on the middle of the element xpath finds, and
// leaves it there until touchUp.
func (b *browser) touchDown(xpath string) {
	b.t.Helper()
	b.run("wait for "+xpath, 20*time.Second, chromedp.WaitVisible(xpath, chromedp.BySearch))
	var at []float64
	b.eval("find "+xpath, fmt.Sprintf(`(() => {
		const r = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`, xpath), &at)
	b.run("touch "+xpath, 20*time.Second,
		emulation.SetTouchEmulationEnabled(true).WithMaxTouchPoints(1),
		input.DispatchTouchEvent(input.TouchStart, []*input.TouchPoint{{X: at[0], Y: at[1]}}),
	)
}

// touchUp lifts the finger touchDown put down.
func (b *browser) touchUp() {
	b.t.Helper()
	b.run("lift the finger", 20*time.Second, input.DispatchTouchEvent(input.TouchEnd, []*input.TouchPoint{}))
}

// TestOpenRetentionFollows: the owner has the retention policy open on two
// devices. The second saves both periods while the first has changed the
// archive period, not saved: the client period, not touched on the first,
// takes the second's in place; the archive period, changed on both, is
// shown with the choice, and Save waits for it. Kept, it reaches the
// second device's open screen.
func TestOpenRetentionFollows(t *testing.T) {
	srv := startServer(t)
	owner := newBrowser(t, 1024, 768)
	owner.createWorkspace(srv, "owner@example.com")
	second := newBrowser(t, 820, 1180)
	second.open(srv.url() + "/")
	second.button("I have an account")
	second.fill("login", "owner@example.com")
	second.fill("pass", passphrase)
	second.button("Sign in")
	second.waitText("No clients yet", 60*time.Second)
	for _, b := range []*browser{owner, second} {
		b.link("Due")
		b.link("Retention")
		b.waitValue("client-years", "7", 20*time.Second)
	}

	owner.fill("archive-years", "4")
	second.fill("client-years", "8")
	second.fill("archive-years", "5")
	second.button("Save settings")
	second.waitText("Settings saved", 20*time.Second)

	owner.waitValue("client-years", "8", 60*time.Second)
	owner.waitText("Archive projects after: changed on", 20*time.Second)
	owner.waitText("to 5 — keep yours or take theirs", 5*time.Second)
	if got := owner.value("archive-years"); got != "4" {
		t.Fatalf("the owner's own archive period became %q while the choice is shown", got)
	}
	checkScreenAt(owner, "retention-changed-elsewhere", ".alert[role=alert]")
	owner.button("Save settings")
	owner.waitText("keep yours or take theirs for each", 10*time.Second)
	owner.button("Keep yours: archive projects after")
	owner.waitFor("the choice settled", 10*time.Second, func() bool {
		return !strings.Contains(owner.text(), "keep yours or take theirs")
	})
	owner.button("Save settings")
	owner.waitText("Settings saved", 20*time.Second)
	second.waitValue("archive-years", "4", 60*time.Second)
	if got := second.value("client-years"); got != "8" {
		t.Errorf("the second device's client period = %q, want 8", got)
	}
}

// TestOpenSettingsFollows: the owner has Business settings open on two
// devices. The second saves a new currency and loyalty discount while the
// first has typed another percentage, not saved: the currency and the
// count of grooms, not touched on the first, take the second's in place;
// the percentage, changed on both, is shown with the choice, and Save
// waits for it. Kept, it reaches the second device's open screen, and
// the first's save wrote nothing else over the second's.
func TestOpenSettingsFollows(t *testing.T) {
	srv := startServer(t)
	owner := newBrowser(t, 1024, 768)
	owner.createWorkspace(srv, "owner@example.com")
	second := newBrowser(t, 820, 1180)
	second.open(srv.url() + "/")
	second.button("I have an account")
	second.fill("login", "owner@example.com")
	second.fill("pass", passphrase)
	second.button("Sign in")
	second.waitText("No clients yet", 60*time.Second)
	for _, b := range []*browser{owner, second} {
		b.link("Team")
		b.waitText("last seen", 20*time.Second)
		b.link("Business settings")
		b.waitValue("loyalty-every", "0", 20*time.Second)
	}

	owner.fill("loyalty-percent", "15")
	second.fill("currency", "EUR")
	second.button("Save money settings")
	second.waitText("Saved: amounts read", 20*time.Second)
	second.fill("loyalty-every", "6")
	second.fill("loyalty-percent", "20")
	second.button("Save loyalty discount")
	second.waitText("Saved: every 6th groom is 20% off", 20*time.Second)

	owner.waitValue("currency", "EUR", 60*time.Second)
	owner.waitValue("loyalty-every", "6", 20*time.Second)
	owner.waitText("Loyalty discount: changed on", 20*time.Second)
	owner.waitText("to 20 — keep yours or take theirs", 5*time.Second)
	if got := owner.value("loyalty-percent"); got != "15" {
		t.Fatalf("the owner's own percentage became %q while the choice is shown", got)
	}
	checkScreenAt(owner, "settings-changed-elsewhere", ".alert[role=alert]")
	owner.button("Save loyalty discount")
	owner.waitText("keep yours or take theirs for each", 10*time.Second)
	owner.button("Keep yours: loyalty discount")
	owner.waitFor("the choice settled", 10*time.Second, func() bool {
		return !strings.Contains(owner.text(), "keep yours or take theirs")
	})
	owner.button("Save loyalty discount")
	owner.waitText("Saved: every 6th groom is 15% off", 20*time.Second)
	second.waitValue("loyalty-percent", "15", 60*time.Second)
	if got := second.value("loyalty-every"); got != "6" {
		t.Errorf("the second device's count of grooms = %q, want 6", got)
	}
	if got := second.value("currency"); got != "EUR" {
		t.Errorf("the second device's currency = %q, want EUR", got)
	}
}

//go:build !js

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWeighingsAndDrafts weighs a pet twice and reads its history, then
// half-types a weighing, a vaccination and a call: a reload and the lock
// lose none of them.
func TestWeighingsAndDrafts(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, 1024, 768)
	b.createWorkspace(srv, "weighings@example.com")
	b.addClient("Margaret Lockwood", "07700 900123", "Bella bites when her paws are touched.")
	b.openClient("Margaret Lockwood")
	b.link("Add a pet")
	b.fill("pet-name", "Bella")
	b.fill("weight", "11,8")
	b.button("Save pet")
	b.waitText("Saved on this device", 20*time.Second)
	b.waitText("Weighs 11.8 kg, as entered with the pet. No weighings yet.", 20*time.Second)

	// Refused next to the field: a weight that is not one, a day to come.
	b.fill("weigh-kg", "twelve")
	b.setDate("weigh-date", "2099-01-01")
	b.button("Add weighing")
	b.waitText("Weight: enter kilograms, such as 12.5.", 10*time.Second)
	b.waitText("Weighed on: enter today or an earlier day.", 5*time.Second)
	b.fill("weigh-kg", "12,5")
	b.setDate("weigh-date", "2026-10-05")
	b.fill("weigh-note", "After the summer clip")
	b.button("Add weighing")
	b.waitText("Weighs 12.5 kg (weighed 5 October 2026).", 20*time.Second)
	b.waitText("first weighing", 5*time.Second)
	b.waitValue("weigh-kg", "", 5*time.Second)
	b.waitValue("weigh-note", "", 5*time.Second)
	b.fill("weigh-kg", "12.1")
	b.setDate("weigh-date", "2026-11-16")
	b.button("Add weighing")
	b.waitText("Weighs 12.1 kg (weighed 16 November 2026).", 20*time.Second)
	b.waitValue("weigh-kg", "", 5*time.Second)
	var rows []string
	b.run("read weighings", 10*time.Second, chromedp.Evaluate(
		`[...document.querySelectorAll(".weighings li")].map(li => [...li.children].filter(e => e.tagName !== "BUTTON").map(e => e.textContent).filter(t => t).join(" | "))`, &rows))
	want := []string{"16 November 2026 | 12.1 kg | −0.4 kg", "5 October 2026 | 12.5 kg | first weighing | After the summer clip"}
	if len(rows) != len(want) || rows[0] != want[0] || rows[1] != want[1] {
		t.Errorf("weighings, latest first:\n got %q\nwant %q", rows, want)
	}
	b.run("scroll to the weight", 10*time.Second, chromedp.ScrollIntoView("#weigh-title", chromedp.ByQuery))
	b.checkScreen("weighings")

	// A weighing entered by mistake is removed, after a confirmation: the
	// pet weighs what the one before says.
	b.click(`//button[@aria-label="Remove the weighing of 16 November 2026, 12.1 kg"]`)
	b.waitText("Only for one entered by mistake", 10*time.Second)
	b.checkScreen("weighing-remove")
	b.button("Remove weighing")
	b.waitText("Weighs 12.5 kg (weighed 5 October 2026).", 20*time.Second)
	if strings.Contains(b.text(), "12.1 kg") {
		t.Error("the removed weighing is still listed")
	}

	// Half a weighing and half a vaccination, then the tablet reloads.
	b.fill("weigh-kg", "13,2")
	b.fill("vacc-name", "Rabies")
	b.setDate("vacc-expires", "2027-06-01")
	time.Sleep(2 * draftWait)
	b.run("reload", 30*time.Second, chromedp.Reload())
	b.unlock()
	b.waitText("were brought back", 20*time.Second)
	b.waitValue("vacc-name", "Rabies", 10*time.Second)
	if got := b.value("vacc-expires"); got != "2027-06-01" {
		t.Errorf("expiry after reload = %q", got)
	}
	b.waitValue("weigh-kg", "13,2", 5*time.Second)
	b.run("scroll to the vaccinations", 10*time.Second, chromedp.ScrollIntoView("#vacc-title", chromedp.ByQuery))
	b.checkScreen("vaccination-draft")
	b.button("Add vaccination")
	b.waitText("expires 2027-06-01", 20*time.Second)
	b.waitValue("vacc-name", "", 5*time.Second)
	b.waitValue("vacc-expires", "", 5*time.Second)
	b.run("reload", 30*time.Second, chromedp.Reload())
	b.unlock()
	b.waitText("expires 2027-06-01", 20*time.Second)
	if got := b.value("vacc-name"); got != "" {
		t.Errorf("vaccine after adding and reloading = %q: the draft outlived the save", got)
	}

	// Half a call in the log, then the lock.
	b.link("Back to the client")
	b.fill("log-summary", "Asked to move Friday to")
	time.Sleep(2 * draftWait)
	b.button("Lock")
	b.unlock()
	b.waitText("were brought back", 20*time.Second)
	b.waitValue("log-summary", "Asked to move Friday to", 10*time.Second)
}

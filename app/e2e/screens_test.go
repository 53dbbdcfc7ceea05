//go:build !js

package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// smallTargets lists the buttons, links and inputs on the page smaller
// than 44×44 CSS pixels: too small for a finger. A checkbox or radio
// button inside its label is as large as the label, which takes its taps.
const smallTargets = `[...document.querySelectorAll("button, a, input, select, textarea")]
	.filter(e => e.offsetParent !== null)
	.map(e => [e, ((e.type === "checkbox" || e.type === "radio") && e.closest("label") || e.type === "file" && e.classList.contains("sr-only") && e.labels[0] || e).getBoundingClientRect()])
	.filter(([e, r]) => r.width < 44 || r.height < 44)
	.map(([e, r]) => e.tagName + " " + (e.id || e.textContent.trim().slice(0, 30)) + " " + Math.round(r.width) + "x" + Math.round(r.height))`

// unlabelled lists inputs without a label and buttons without a name.
const unlabelled = `[...document.querySelectorAll("input, select, textarea")]
	.filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label"))
	.map(e => e.tagName + "#" + e.id)
	.concat([...document.querySelectorAll("button")].filter(b => !b.textContent.trim() && !b.getAttribute("aria-label")).map(b => "button"))`

// cutStatus lists what of the bar's sync status does not show: text cut
// at the badge's edge, or a dot squeezed away. The badge shrinks to make
// room for the bar's buttons, and what it would lose is its end: the
// percentage, or how many changes wait to be sent.
const cutStatus = `[...document.querySelectorAll(".bar .status")].flatMap(s => {
	const dot = s.querySelector(".dot"), out = [];
	if (s.scrollWidth > s.clientWidth + 1 || s.scrollHeight > s.clientHeight + 1) out.push("cut: " + s.textContent);
	if (dot && dot.getBoundingClientRect().width < 4) out.push("no dot: " + s.textContent);
	return out;
})`

// checkScreen fails the test for targets under 44 px, unlabelled
// controls, a cut sync status and serious accessibility faults, and
// saves a screenshot.
func (b *browser) checkScreen(screen string) {
	b.t.Helper()
	var small, bare, cut []string
	b.run("check "+screen, 10*time.Second, chromedp.Evaluate(smallTargets, &small), chromedp.Evaluate(unlabelled, &bare), chromedp.Evaluate(cutStatus, &cut))
	if len(cut) > 0 {
		b.t.Errorf("%s: the sync status does not show whole: %s", screen, strings.Join(cut, "; "))
	}
	if len(small) > 0 {
		b.t.Errorf("%s: targets under 44 px: %s", screen, strings.Join(small, "; "))
	}
	if len(bare) > 0 {
		b.t.Errorf("%s: controls without a label or name: %s", screen, strings.Join(bare, "; "))
	}
	b.checkAxe(screen)
	var w int
	b.run("width", 5*time.Second, chromedp.Evaluate(`window.innerWidth`, &w))
	b.t.Logf("%s: %s", screen, b.screenshot(screen+"-"+strconv.Itoa(w)))
}

// TestScreens walks the screens at the two tablet sizes, saves
// screenshots (PAWFILE_SCREENSHOTS=dir to keep them) and checks each
// screen for finger-sized targets and labels.
func TestScreens(t *testing.T) {
	srv := startServer(t)
	atTabletSizes(t, func(t *testing.T, b *browser, size string) {
		check := b.checkScreen
		b.open(srv.url() + "/")
		b.waitText("Welcome to Pawfile", 30*time.Second)
		check("setup")
		b.createWorkspace(srv, size+"@example.com")
		for _, c := range [][3]string{
			{"Margaret Lockwood", "07700 900123", "Bella (cockapoo) bites when her paws are touched."},
			{"Arjun Patel", "07700 900456", "Two dogs; prefers mornings."},
			{"Chloé Dubois", "01632 960789", "Cat, anxious: quiet room."},
		} {
			b.addClient(c[0], c[1], c[2])
		}
		check("clients")
		b.fill("q", "07700")
		b.waitText("Arjun Patel", 10*time.Second)
		check("search")
		b.link("New client")
		b.fill("phone-1", strings.Repeat("9", 25))
		b.button("Save")
		b.waitText("at most 20", 10*time.Second)
		check("validation")
		// A pet with care alerts: the badges show on the pet, on its
		// client and in the client list.
		b.link("Clients")
		b.openClient("Margaret Lockwood")
		b.link("Add a pet")
		b.fill("pet-name", "Bella")
		b.fill("allergies", "chicken, oatmeal shampoo")
		b.fill("weight", "twelve")
		b.button("Save pet")
		b.waitText("enter kilograms", 10*time.Second)
		b.fill("weight", "12,5")
		b.setDate("birth-date", "2020-03-15")
		b.waitText("Age: ", 5*time.Second)
		b.fill("interval", "6")
		b.click(`//label[@for="flag-bites"]`)
		b.button("Save pet")
		b.waitText("Saved on this device", 20*time.Second)
		b.waitText("allergy: chicken", 5*time.Second)
		b.fill("vacc-name", "Rabies")
		b.setDate("vacc-given", "2019-01-01")
		b.setDate("vacc-expires", "2020-01-01")
		b.button("Add vaccination")
		b.waitText("expired", 20*time.Second)
		check("pet")
		// A second pet of the same client, without alerts.
		b.link("Back to the client")
		b.link("Add a pet")
		b.fill("pet-name", "Rolo")
		b.fill("breed", "Border terrier")
		b.button("Save pet")
		b.waitText("Saved on this device", 20*time.Second)
		b.link("Due")
		b.waitText("Bella · Rabies", 20*time.Second)
		b.waitText("allergy: chicken", 5*time.Second)
		check("due")
		b.link("Clients")
		b.openClient("Margaret Lockwood")
		b.waitText("allergy: oatmeal shampoo", 20*time.Second)
		b.waitText("Rolo", 5*time.Second)
		b.fill("log-summary", "Asked to move Friday to 10:00")
		b.button("Add to the log")
		b.waitText("Asked to move Friday to 10:00", 20*time.Second)
		b.waitText("by you", 5*time.Second)
		check("client")
		b.link("Clients")
		for _, want := range []string{"Bella (dog)", "Rolo (dog)", "allergy: chicken", "bites"} {
			b.waitText(want, 20*time.Second)
		}
		check("clients-with-pets")
		b.link("Device")
		b.waitText("used of", 20*time.Second)
		check("device")
		b.button("Lock")
		b.waitText("Unlock Pawfile", 10*time.Second)
		check("unlock")
	})
}

//go:build !js

package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUndoWhereMade: the undo offer is a line on the screen the change
// was made on, says what it would undo, covers nothing, is not offered on
// other screens, and a tap on it reverts the change. At both tablet
// sizes, with a finger.
func TestUndoWhereMade(t *testing.T) {
	srv := startServer(t)
	atTabletSizes(t, func(t *testing.T, b *browser, size string) {
		b.createWorkspace(srv, "undo-"+size+"@example.com")
		b.addClient("Margaret Hill", "07700 900123", "")
		// Made on the new client's form: not offered on the list.
		b.noUndo("the client list after a new client")

		b.openClient("Margaret Hill")
		b.fill("phone-1", "07700 900999")
		b.tapButton("Save")
		b.waitText("Undo: Margaret Hill's phone changed", 20*time.Second)
		b.undoCoversNothing()
		b.checkScreen("undo-client")

		// A pet's change is offered on the pet only.
		b.addPet("Bella", "")
		b.noUndo("the client after a new pet")
		b.tap(`//a[contains(@class, "pet-name") and starts-with(normalize-space(), "Bella")]`)
		b.run("pet form", 20*time.Second, chromedp.WaitVisible("#breed", chromedp.ByQuery))
		b.fill("breed", "Cockapoo")
		b.tapButton("Save pet")
		b.waitText("Undo: Bella's breed changed", 20*time.Second)
		b.undoCoversNothing()
		b.checkScreen("undo-pet")
		b.tapLink("Clients")
		b.waitText("Margaret Hill", 20*time.Second)
		b.noUndo("the client list after a pet's change")
		b.tapLink("Team")
		b.waitText("last seen", 20*time.Second)
		b.noUndo("Team after a pet's change")

		// Back on the pet, the offer is there from the first render;
		// a tap on it puts the breed back.
		b.openClient("Margaret Hill")
		b.run("watch the pet's screen open", 10*time.Second, chromedp.Evaluate(`(() => {
			window.late = 0;
			new MutationObserver(() => {
				if (document.getElementById("breed") && !document.getElementById("undo")) window.late++;
			}).observe(document.body, {subtree: true, childList: true});
			return true;
		})()`, nil))
		b.tap(`//a[contains(@class, "pet-name") and starts-with(normalize-space(), "Bella")]`)
		b.waitText("Undo: Bella's breed changed", 20*time.Second)
		var late int
		b.run("read how the screen opened", 10*time.Second, chromedp.Evaluate(`window.late`, &late))
		if late > 0 {
			t.Errorf("the pet's form showed %d time(s) without the undo offer before it came: it moved the form", late)
		}
		b.waitValue("breed", "Cockapoo", 10*time.Second)
		b.tap(`//button[normalize-space()="Undo: Bella's breed changed"]`)
		b.waitText("Undone: Bella's breed changed.", 20*time.Second)
		b.waitValue("breed", "", 10*time.Second)
		b.screenshot("undone")
	})
}

// noUndo fails the test if the screen offers an undo.
func (b *browser) noUndo(where string) {
	b.t.Helper()
	var line bool
	b.run("look for an undo offer", 10*time.Second, chromedp.Evaluate(`!!document.getElementById("undo") ||
		[...document.querySelectorAll("button")].some(e => /^undo/i.test(e.textContent.trim()) || /^undo/i.test(e.getAttribute("aria-label") || ""))`, &line))
	if line {
		b.t.Errorf("%s offers an undo: %s\nscreenshot: %s", where, b.text(), b.screenshot("stray-undo"))
	}
}

// undoCoversNothing fails the test if the undo line is not in the page's
// flow or overlaps anything a person reads or taps.
func (b *browser) undoCoversNothing() {
	b.t.Helper()
	var bad string
	b.run("check the undo line's place", 10*time.Second, chromedp.Evaluate(`(() => {
		window.scrollTo(0, 0);
		const u = document.getElementById("undo");
		if (!u) return "no undo line";
		for (let e = u; e; e = e.parentElement) {
			const p = getComputedStyle(e).position;
			if (p === "fixed" || p === "sticky" || p === "absolute") return "the undo line is " + p + " (" + e.tagName + ")";
		}
		const r = u.getBoundingClientRect();
		const over = [];
		for (const e of document.querySelectorAll("button, a, input, textarea, select, label, h1, h2, p, li, .status")) {
			if (u.contains(e) || e.contains(u)) continue;
			const o = e.getBoundingClientRect();
			if (!o.width || !o.height) continue;
			if (o.left < r.right && r.left < o.right && o.top < r.bottom && r.top < o.bottom) over.push(e.tagName + " " + (e.textContent || e.id).trim().slice(0, 40));
		}
		return over.join("; ");
	})()`, &bad))
	if bad != "" {
		b.t.Errorf("the undo line covers: %s\nscreenshot: %s", bad, b.screenshot("undo-covers"))
	}
}

// TestUndoInView: after a save at the foot of a long form, the undo line
// ("Undo: … Saved at …") is where the person is looking: the screen
// brings it into view below the bar, so they see that the save happened
// and can take it back. At both tablet sizes, with a finger.
func TestUndoInView(t *testing.T) {
	srv := startServer(t)
	atTabletSizes(t, func(t *testing.T, b *browser, size string) {
		b.createWorkspace(srv, "inview-"+size+"@example.com")
		b.addClient("Margaret Hill", "07700 900123", "")
		b.openClient("Margaret Hill")
		b.fill("notes", "Prefers mornings")
		b.tapButton("Save")
		b.waitText("Undo: Margaret Hill's notes changed", 20*time.Second)
		b.waitFor("the undo line in view below the bar", 10*time.Second, func() bool {
			var in bool
			b.eval("where the undo line is", `(() => {
				const u = document.getElementById("undo"), bar = document.querySelector(".bar");
				if (!u || !bar) return false;
				const r = u.getBoundingClientRect();
				return r.height > 0 && r.top >= bar.getBoundingClientRect().bottom - 1 && r.bottom <= innerHeight;
			})()`, &in)
			return in
		})
		t.Logf("screenshot: %s", b.screenshot("undo-in-view-"+size))
		b.undoCoversNothing()
		b.tap(`//button[normalize-space()="Undo: Margaret Hill's notes changed"]`)
		b.waitText("Undone: Margaret Hill's notes changed.", 20*time.Second)

		// A task added with the small form below the list, or ticked,
		// shows itself where the finger is: the page stays there for the
		// next one.
		b.book("Full groom", nil)
		b.fill("task-title", "Check the ears")
		offer := b.undoOffer()
		b.tapButton("Add task")
		task := `//label[normalize-space()="Check the ears"]`
		b.run("the task", 20*time.Second, chromedp.WaitVisible(task, chromedp.BySearch))
		b.waitFor("the new task offered for undo", 20*time.Second, func() bool { o := b.undoOffer(); return o != offer && o != "" })
		b.stillInView("adding a task", `//button[normalize-space()="Add task"]`)
		offer = b.undoOffer()
		b.tap(task)
		b.waitFor("the tick offered for undo", 20*time.Second, func() bool { o := b.undoOffer(); return o != offer && o != "" })
		b.stillInView("ticking a task", task)
	})
}

// stillInView fails the test if the element at xpath, just tapped, is no
// longer within the window below the bar after what the tap did.
func (b *browser) stillInView(after, xpath string) {
	b.t.Helper()
	var in bool
	b.eval("where "+xpath+" is", fmt.Sprintf(`(() => {
		const e = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		if (!e) return false;
		const r = e.getBoundingClientRect(), bar = document.querySelector(".bar").getBoundingClientRect();
		return r.top >= bar.bottom && r.bottom <= innerHeight;
	})()`, xpath), &in)
	if !in {
		b.t.Errorf("after %s the page moved it out of view: screenshot %s", after, b.screenshot("moved"))
	}
}

// undoOffer is the text of the undo button, "" if none.
func (b *browser) undoOffer() string {
	b.t.Helper()
	var o string
	b.eval("the undo offer", `(document.querySelector("#undo button") || {}).textContent || ""`, &o)
	return o
}

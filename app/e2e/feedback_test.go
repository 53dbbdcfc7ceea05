//go:build !js

package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestVisitFeedback: on a done visit the owner (1024×768) taps the
// client's rating and types their comment; it is saved on the visit and
// shown on the client's card, latest feedback and the visit's line, on
// the front desk's tablet (820×1180) too, which changes the rating back
// the other way. Every tap is a finger's.
func TestVisitFeedback(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "")
	owner.openClient("Margaret Lockwood")
	owner.addPet("Bella", "")
	owner.book("Full groom", func() {
		owner.setDate("start", "09:00")
		owner.fill("minutes", "90")
	})
	if owner.has("#feedback-title") {
		t.Error("a planned visit asks for the client's feedback")
	}
	owner.tapButton("Done")
	owner.waitText("Status: done", 20*time.Second)
	owner.waitText("Client's feedback", 10*time.Second)
	owner.tap(`//label[@for="rating-4"]`)
	owner.fill("feedback", "Lovely cut, a bit short on the ears")
	owner.tapButton("Save feedback")
	owner.waitText("Feedback saved on this device.", 20*time.Second)
	owner.waitText("Undo: Full groom's rating and comment changed", 10*time.Second)
	if !owner.checked("rating-4") {
		t.Error("the rating tapped is not shown chosen after the save")
	}
	checkScreenAt(owner, "feedback", "#feedback-title")

	owner.tapLink("Back to the client")
	owner.waitText("Latest feedback: rated 4 of 5: “Lovely cut, a bit short on the ears”", 20*time.Second)
	owner.waitText("done · rated 4 of 5", 5*time.Second)
	checkScreenAt(owner, "client-feedback", "#latest-feedback")

	desk.openClient("Margaret Lockwood")
	desk.waitText("Latest feedback: rated 4 of 5", 60*time.Second)
	desk.tap(`//p[@id="latest-feedback"]//a`)
	desk.waitText("Client's feedback", 20*time.Second)
	if !desk.checked("rating-4") {
		t.Error("the desk's tablet does not show the rating chosen")
	}
	if got := desk.value("feedback"); got != "Lovely cut, a bit short on the ears" {
		t.Errorf("the desk's tablet shows the comment %q", got)
	}
	desk.tap(`//label[@for="rating-5"]`)
	desk.tapButton("Save feedback")
	desk.waitText("Feedback saved on this device.", 20*time.Second)
	checkScreenAt(desk, "feedback", "#feedback-title")
	desk.tapLink("Back to the client")
	desk.waitText("Latest feedback: rated 5 of 5: “Lovely cut, a bit short on the ears”", 20*time.Second)
	checkScreenAt(desk, "client-feedback", "#latest-feedback")
	owner.waitText("Latest feedback: rated 5 of 5", 60*time.Second)
}

// has reports whether the page has an element matching the CSS selector.
func (b *browser) has(selector string) bool {
	b.t.Helper()
	var ok bool
	b.run("look for "+selector, 10*time.Second, chromedp.Evaluate(`!!document.querySelector(`+"`"+selector+"`"+`)`, &ok))
	return ok
}

// checked reports whether checkbox or radio button id is checked.
func (b *browser) checked(id string) bool {
	b.t.Helper()
	var ok bool
	b.run("read "+id, 10*time.Second, chromedp.WaitVisible("#"+id, chromedp.ByQuery), chromedp.Evaluate(`document.getElementById("`+id+`").checked`, &ok))
	return ok
}

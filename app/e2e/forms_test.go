//go:build !js

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDraftsAndUndo: what is typed survives a reload and the lock, sealed;
// the last change can be undone.
func TestDraftsAndUndo(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, 820, 1180)
	b.createWorkspace(srv, "drafts@example.com")

	// Half a new client, then the tablet reloads before Save.
	b.link("New client")
	b.fill("name", "Dorothy Draftwood")
	b.fill("notes", "Half-typed: poodle, comes every six")
	time.Sleep(2 * draftWait)
	if raw := b.idbText(); strings.Contains(raw, "Draftwood") || strings.Contains(raw, "poodle") {
		t.Error("the draft is in IndexedDB in the clear")
	}
	b.run("reload", 30*time.Second, chromedp.Reload())
	b.unlock()
	b.waitText("were brought back", 20*time.Second)
	if got := b.value("name"); got != "Dorothy Draftwood" {
		t.Fatalf("name after reload = %q", got)
	}
	if got := b.value("notes"); !strings.Contains(got, "comes every six") {
		t.Fatalf("notes after reload = %q", got)
	}
	b.checkAxe("restored draft")
	b.screenshot("restored-draft")
	b.button("Save")
	b.waitText("Saved on this device", 20*time.Second)

	// An edit, then the idle lock (here, the Lock button) before Save:
	// unlocking comes back to the form with the edit.
	b.fill("address", "12 Mill Lane")
	time.Sleep(2 * draftWait)
	b.button("Lock")
	b.unlock()
	b.waitText("were brought back", 20*time.Second)
	if got := b.value("address"); got != "12 Mill Lane" {
		t.Fatalf("address after the lock = %q", got)
	}
	// Thrown away: the saved client comes back.
	b.button("Discard changes")
	b.waitValue("address", "", 10*time.Second)

	// Saved, then undone: the old notes come back, on screen and stored.
	b.fill("notes", "Changed my mind")
	b.button("Save")
	b.waitText("Undo: Dorothy Draftwood's notes changed", 20*time.Second)
	b.screenshot("undo-offered")
	b.button("Undo: Dorothy Draftwood's notes changed")
	b.waitText("Undone: Dorothy Draftwood's notes changed", 20*time.Second)
	if got := b.value("notes"); !strings.Contains(got, "comes every six") {
		t.Fatalf("notes after undo = %q", got)
	}
	b.open(srv.url() + "/clients")
	b.unlock()
	b.openClient("Dorothy Draftwood")
	if got := b.value("notes"); !strings.Contains(got, "comes every six") {
		t.Fatalf("notes after undo and reload = %q", got)
	}
}

// draftWait is longer than the app waits after a keystroke to keep a draft.
const draftWait = 500 * time.Millisecond

// TestScreensOpenStill: a screen does not change under a finger as it
// opens. A client's form never shows its fields empty before the
// client's values (they could be read, typed into or saved as empty),
// and the undo offer that follows a save never moves the screen's
// buttons (a tap meant for New client once landed on it). A
// MutationObserver notes every state the page passes through.
func TestScreensOpenStill(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, 1024, 768)
	b.createWorkspace(srv, "still@example.com")
	b.addClient("Stella Still", "07700 900444", "Calm on the table")
	b.run("watch the page", 10*time.Second, chromedp.Evaluate(`(() => {
		window.seen = [];
		new MutationObserver(() => {
			const name = document.getElementById("name");
			const add = [...document.querySelectorAll("a")].find(a => a.textContent.trim() === "New client");
			window.seen.push({
				path: location.pathname,
				name: name ? name.value : null,
				addTop: add ? Math.round(add.getBoundingClientRect().top + scrollY) : null,
			});
		}).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
		return true;
	})()`, nil))
	for i := range 3 {
		b.openClient("Stella Still")
		b.fill("notes", fmt.Sprintf("Calm on the table, visit %d", i+1))
		b.button("Save")
		b.waitText("Undo: Stella Still's notes changed", 20*time.Second)
		b.link("Back to clients")
		b.waitText("Stella Still", 20*time.Second)
		time.Sleep(300 * time.Millisecond)
	}
	var seen []struct {
		Path   string
		Name   *string
		AddTop *int
	}
	b.run("read what the page went through", 10*time.Second, chromedp.Evaluate(`window.seen`, &seen))
	tops := map[int]bool{}
	forms := 0
	for _, s := range seen {
		if strings.HasPrefix(s.Path, "/clients/") && s.Name != nil {
			forms++
			if *s.Name != "Stella Still" {
				t.Errorf("the client's form showed name %q on the way to its values", *s.Name)
			}
		}
		if s.Path == "/clients" && s.AddTop != nil {
			tops[*s.AddTop] = true
		}
	}
	if forms == 0 || len(tops) == 0 {
		t.Fatalf("the observer saw %d states of the form and %d of the list: it watched nothing", forms, len(tops))
	}
	if len(tops) != 1 {
		t.Errorf("New client moved as the list opened: its top was at %v", tops)
	}
	b.screenshot("undo-line")
}

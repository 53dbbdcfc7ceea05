//go:build !js

package e2e

import (
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
	b.waitText("Last change: changed client Dorothy Draftwood", 20*time.Second)
	b.screenshot("undo-offered")
	b.click(`//button[@aria-label="Undo: changed client Dorothy Draftwood"]`)
	b.waitText("Undone: changed client Dorothy Draftwood", 20*time.Second)
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

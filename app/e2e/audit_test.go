//go:build !js

package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// deviceLabel is how the screens name this browser's device: "device "
// and the first 8 hex digits of its id, read from the app's storage.
func (b *browser) deviceLabel() string {
	b.t.Helper()
	var id string
	b.run("read the device id", 20*time.Second, chromedp.Evaluate(`(async () => {
		const db = await new Promise((ok, fail) => { const r = indexedDB.open("pawfile"); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
		const v = await new Promise((ok, fail) => { const r = db.transaction("meta").objectStore("meta").get("device"); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
		db.close();
		const m = /"device":(\d+)/.exec(new TextDecoder().decode(v));
		return m ? m[1] : "";
	})()`, &id, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		b.t.Fatalf("device id %q: %v", id, err)
	}
	return fmt.Sprintf("device %016x", n)[:len("device ")+8]
}

// clockTexts is how the browser writes, as HH:MM:SS in its own zone,
// every second from from to to.
func (b *browser) clockTexts(from, to time.Time) []string {
	b.t.Helper()
	var out []string
	for s := from.Truncate(time.Second); !s.After(to); s = s.Add(time.Second) {
		var text string
		b.run("format a time", 5*time.Second, chromedp.Evaluate(fmt.Sprintf(
			`new Date(%d).toLocaleTimeString("en-GB", {hour12: false, hour: "2-digit", minute: "2-digit", second: "2-digit"})`, s.UnixMilli()), &text))
		out = append(out, text)
	}
	return out
}

// elementText is the text of the element matching sel, "" if none.
func (b *browser) elementText(sel string) string {
	b.t.Helper()
	var s string
	b.run("read "+sel, 10*time.Second, chromedp.Evaluate(fmt.Sprintf(`(document.querySelector(%q) || {}).innerText || ""`, sel), &s))
	return s
}

// The front desk edits a client's phone offline; once it syncs, the
// owner's history of the client shows the old and the new phone, the
// front desk's device and the time the edit was made, not when it
// synced. The views of the card are in the owner's audit trail, each
// device's chain intact.
func TestAudit(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "Bella bites when her paws are touched")
	deskDevice, ownerDevice := desk.deviceLabel(), owner.deviceLabel()

	// Offline, the front desk opens the card and changes the phone.
	srv.stop()
	desk.openClient("Margaret Lockwood")
	desk.fill("phone-1", "07700 900999")
	before := time.Now()
	desk.button("Save")
	desk.waitText("Saved on this device", 20*time.Second)
	after := time.Now()
	// Offline, the desk's own history has the change, without the phone
	// before it.
	desk.button("History")
	desk.waitFor("the offline history", 20*time.Second, func() bool {
		return strings.Contains(desk.elementText("#history-body"), "07700 900999")
	})
	if h := desk.elementText("#history-body"); !strings.Contains(h, "Offline") || !strings.Contains(h, "this device") {
		t.Errorf("the desk's offline history:\n%s", h)
	}
	// The owner's writes: the desk does not know who writes from the
	// owner's device, and names no device id it cannot tell a person.
	if h := desk.elementText("#history-body"); !strings.Contains(h, "by a team member on another device") || strings.Contains(h, ownerDevice) {
		t.Errorf("the desk's history names the owner's writes otherwise:\n%s", h)
	}
	desk.checkScreen("history-offline")
	// Long enough that the time it syncs cannot pass for the time it
	// was made.
	time.Sleep(3 * time.Second)
	srv.start()
	desk.waitText("Up to date", 60*time.Second)

	// The owner's device has the edit once a search finds the new phone.
	owner.link("Clients")
	owner.fill("q", "900999")
	owner.waitFor("the desk's edit on the owner's device", 60*time.Second, func() bool {
		return strings.Contains(owner.text(), "Margaret Lockwood") && !strings.Contains(owner.text(), "No client matches")
	})
	// The list re-renders as sync reports: click the client from the page.
	owner.waitFor("the client's card", 30*time.Second, func() bool {
		var ok bool
		owner.run("open the client", 5*time.Second, chromedp.Evaluate(`(() => {
			if (document.getElementById("name")) return true;
			const a = [...document.querySelectorAll("ul.list a")].find(a => a.textContent.includes("Margaret Lockwood"));
			if (a) a.click();
			return false;
		})()`, &ok))
		return ok
	})
	// The card may have opened before the edit arrived (the search list
	// can show the client before it filters): open it again until the
	// edit is there.
	var card string
	owner.eval("the card's address", `location.pathname`, &card)
	owner.waitFor("the desk's phone on the owner's card", 60*time.Second, func() bool {
		if owner.value("phone-1") == "07700 900999" {
			return true
		}
		owner.eval("open the card again", fmt.Sprintf(`goappNav("/today"); setTimeout(() => goappNav(%q), 300); true`, card), nil)
		time.Sleep(time.Second)
		return false
	})
	owner.button("History")
	var history string
	owner.waitFor("the desk's edit in the history", 30*time.Second, func() bool {
		history = owner.elementText("#history-body")
		return strings.Contains(history, "07700 900999") && strings.Contains(history, "desk@example.com")
	})
	var line string
	for _, l := range strings.Split(history, "\n") {
		if strings.Contains(l, "07700 900123") && strings.Contains(l, "07700 900999") {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no line reads old phone → new phone in the owner's history:\n%s", history)
	}
	// The author and time are on the line after the change.
	lines := strings.Split(history, "\n")
	var meta string
	for i, l := range lines {
		if l == line {
			for _, m := range lines[i+1:] {
				if strings.TrimSpace(m) != "" {
					meta = m
					break
				}
			}
		}
	}
	if !strings.Contains(meta, "desk@example.com") || !strings.Contains(meta, deskDevice) {
		t.Errorf("the offline edit's author reads %q, want desk@example.com on %s", meta, deskDevice)
	}
	made := false
	for _, clock := range owner.clockTexts(before, after) {
		made = made || strings.Contains(meta, clock)
	}
	if !made {
		t.Errorf("the offline edit reads %q: made between %s and %s", meta, before.Format("15:04:05"), after.Format("15:04:05"))
	}
	owner.checkScreen("history")

	// The owner's audit trail: both devices' views of the card, chains
	// intact.
	owner.ownerScreen("Audit trail")
	owner.waitText("Recent entries", 30*time.Second)
	owner.waitFor("the desk's view in the trail", 30*time.Second, func() bool {
		return strings.Contains(owner.text(), "desk@example.com opened the card of Margaret Lockwood")
	})
	page := owner.text()
	for _, want := range []string{"owner@example.com opened the card of Margaret Lockwood", deskDevice} {
		if !strings.Contains(page, want) {
			t.Errorf("the audit screen lacks %q:\n%s", want, page)
		}
	}
	if n := strings.Count(page, "chain intact"); n != 2 || strings.Contains(page, "chain broken") || strings.Contains(page, "is broken") {
		t.Errorf("%d intact chains on the audit screen:\n%s", n, page)
	}
	owner.checkScreen("audit")
	owner.run("portrait", 10*time.Second, chromedp.EmulateViewport(820, 1180))
	owner.checkScreen("audit")
	owner.openClient("Margaret Lockwood")
	owner.button("History")
	owner.waitText("07700 900123", 30*time.Second)
	owner.checkScreen("history")
}

//go:build !js

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestReminders books Ann's dog for tomorrow and records a vaccination
// due for Cat's, who chose no contact; the Reminders screen offers Ann a
// text with the message filled in and Cat none; a finger's tap on Send
// reminder stays on the screen, marks Ann reminded and logs it on her card.
func TestReminders(t *testing.T) {
	srv := startServer(t)
	atTabletSizes(t, func(t *testing.T, b *browser, size string) {
		b.createWorkspace(srv, size+"@example.com")
		tomorrow := time.Now().AddDate(0, 0, 1)

		b.addClient("Ann Remind", "07700 900123", "")
		b.openClient("Ann Remind")
		b.addPet("Bella", "")
		b.book("Full groom", func() {
			b.setDate("date", tomorrow.Format("2006-01-02"))
			b.setDate("start", "10:30")
		})

		b.link("Clients")
		b.addClient("Cat Quiet", "07700 900789", "")
		b.openClient("Cat Quiet")
		b.fill("channel", "none")
		b.button("Save")
		b.waitText("Saved on this device", 20*time.Second)
		b.link("Add a pet")
		b.fill("pet-name", "Tom")
		b.button("Save pet")
		b.waitText("Saved on this device", 20*time.Second)
		b.fill("vacc-name", "Rabies")
		b.setDate("vacc-expires", time.Now().AddDate(0, 0, 10).Format("2006-01-02"))
		b.button("Add vaccination")
		b.waitText("expiring soon", 20*time.Second)

		// Dee prefers WhatsApp and her phone has its country code.
		b.link("Clients")
		b.addClient("Dee Abroad", "+33 6 12 34 56 78", "")
		b.openClient("Dee Abroad")
		b.fill("channel", "whatsapp")
		b.button("Save")
		b.waitText("Saved on this device", 20*time.Second)
		b.link("Add a pet")
		b.fill("pet-name", "Fifi")
		b.button("Save pet")
		b.waitText("Saved on this device", 20*time.Second)
		b.fill("vacc-name", "Rabies")
		b.setDate("vacc-expires", time.Now().AddDate(0, 0, 12).Format("2006-01-02"))
		b.button("Add vaccination")
		b.waitText("expiring soon", 20*time.Second)

		b.tapLink("Due")
		b.tapLink("Reminders")
		b.waitText("Tomorrow 10:30 · Bella", 20*time.Second)
		b.waitText("Tom · Rabies expires", 20*time.Second)
		b.waitText("Fifi · Rabies expires", 20*time.Second)
		b.checkScreen("reminders")
		var ok bool
		var dee string
		b.run("read Dee's link", 10*time.Second, chromedp.AttributeValue(`//a[@aria-label="Send reminder by WhatsApp to Dee Abroad"]`, "href", &dee, &ok, chromedp.BySearch))
		if !strings.HasPrefix(dee, "https://wa.me/33612345678?text=Hello%20Dee%20Abroad") {
			t.Errorf("Dee's reminder link = %q, want WhatsApp's to 33612345678", dee)
		}
		if page := b.text(); !strings.Contains(page, "Send reminder by WhatsApp") || !strings.Contains(page, "Send reminder by text") {
			t.Errorf("the list does not say how each reminder goes:\n%s", page)
		}

		const ann = `//a[@aria-label="Send reminder by text to Ann Remind"]`
		var href string
		b.run("read the link", 10*time.Second, chromedp.AttributeValue(ann, "href", &href, &ok, chromedp.BySearch))
		want := "sms:07700900123?body=Hello%20Ann%20Remind%2C%20a%20reminder%20that%20Bella%20is%20booked"
		if !strings.HasPrefix(href, want) || !strings.Contains(href, "at%2010%3A30") || !strings.Contains(href, strings.ReplaceAll(tomorrow.Format("on Mon 2 Jan at"), " ", "%20")) {
			t.Errorf("Ann's reminder link = %q, want %s… with tomorrow at 10:30", href, want)
		}
		page := b.text()
		if !strings.Contains(page, "Chose no contact") || strings.Contains(page, "to Cat") {
			t.Errorf("Cat chose no contact, yet:\n%s", page)
		}
		var cats int
		b.eval("Cat's links", `document.querySelectorAll('a[aria-label$="to Cat Quiet"]').length`, &cats)
		if cats != 0 {
			t.Error("a reminder link for Cat, who chose no contact")
		}

		// The test's stand-in for the tablet's messages app notes the
		// link the browser was asked to follow and stops there: a
		// headless browser asked for another app takes no more input.
		b.eval("stand in for the messages app", `window.addEventListener("click", e => {
			const a = e.target.closest && e.target.closest("a[href^='sms:']");
			if (a) { window.smsOpened = a.href; e.preventDefault(); }
		}, true); true`, &ok)
		b.tap(ann)
		b.waitText("Reminded ", 20*time.Second)
		var path string
		b.eval("where", `location.pathname`, &path)
		if path != "/reminders" {
			t.Errorf("after the tap the page is %q, want /reminders", path)
		}
		var opened string
		b.eval("link followed", `window.smsOpened || ""`, &opened)
		if opened != href {
			t.Errorf("the browser was asked to open %q, want %q", opened, href)
		}
		b.checkScreen("reminders-sent")

		b.openClient("Ann Remind")
		b.waitText("reminder sent: Hello Ann Remind, a reminder that Bella is booked", 20*time.Second)
	})
}

//go:build !js

package e2e

import (
	"net/url"
	"testing"
	"time"
)

// TestTheDayOnTheRoad books a visit for today for a client with an
// address and a phone, whose pet has an allergy and a four-week grooming
// interval, then checks what the groomer on the road taps: Today's maps,
// call, text and "On my way" links, the allergy named on the calendar,
// and Book again offering the visit's date four weeks on.
func TestTheDayOnTheRoad(t *testing.T) {
	atTabletSizes(t, func(t *testing.T, b *browser, size string) {
		srv := startServer(t)
		b.createWorkspace(srv, "owner@example.com")
		b.addClient("Cara Road", "+44 7700 900123", "")
		b.openClient("Cara Road")
		b.fill("address", "12 Mill Lane, Anytown")
		b.tapButton("Save")
		b.waitText("Saved on this device", 20*time.Second)
		b.link("Add a pet")
		b.fill("pet-name", "Rex")
		b.fill("allergies", "chlorhexidine")
		b.fill("interval", "4")
		b.tapButton("Save pet")
		b.waitText("Saved on this device", 20*time.Second)
		b.link("Back to the client")
		b.book("Full groom", func() {
			b.setDate("start", "10:00")
			b.fill("minutes", "60")
		})
		day := b.value("date")

		b.tapLink("Today")
		b.waitText("Full groom", 20*time.Second)
		b.waitText("12 Mill Lane, Anytown", 10*time.Second)
		var hrefs map[string]string
		b.eval("road links", `Object.fromEntries([...document.querySelectorAll(".road a")].map(a => [a.textContent.trim(), a.getAttribute("href")]))`, &hrefs)
		before := time.Now()
		want := map[string]string{
			"Navigate": "https://www.google.com/maps/search/?api=1&query=" + url.QueryEscape("12 Mill Lane, Anytown"),
			"Call":     "tel:+447700900123",
			"Text":     "sms:+447700900123",
		}
		for text, href := range want {
			if hrefs[text] != href {
				t.Errorf("Today's %q link = %q, want %q", text, hrefs[text], href)
			}
		}
		// The arrival is now (as the page was drawn) plus 20 minutes.
		onWay := hrefs["On my way · 20 min"]
		ok := false
		for m := -1; m <= 1; m++ {
			at := before.Add(time.Duration(20+m) * time.Minute).Format("15:04")
			ok = ok || onWay == "sms:+447700900123?&body="+url.PathEscape("On my way, arriving about "+at)
		}
		if !ok {
			t.Errorf("On my way · 20 min = %q, want a text saying the arrival about 20 minutes from %s", onWay, before.Format("15:04"))
		}
		b.checkScreen("today-road")
		// A tap on Call is the tablet's to dial, not the app's: the app
		// stays on Today (go-app would route "tel:" as one of its
		// pages). The test's browser has no dialer: its launch is
		// stopped before the page sees the tap.
		var ok2 bool
		b.eval("no dialer", `window.addEventListener("click", e => { if (e.target.closest('a[href^="tel:"]')) e.preventDefault(); }, true); true`, &ok2)
		b.tapLink("Call")
		time.Sleep(time.Second) // nothing to wait for: this checks that nothing happens
		var path string
		b.eval("where", `location.pathname`, &path)
		if path != "/today" {
			t.Errorf("after tapping Call the app is on %q, want /today", path)
		}
		b.waitText("12 Mill Lane, Anytown", 10*time.Second)

		b.link("Calendar")
		b.waitText("Full groom", 20*time.Second)
		var badge string
		b.eval("calendar alert", `[...document.querySelectorAll(".cal-booking .badge")].map(e => e.textContent).join("|")`, &badge)
		if badge != "allergy: chlorhexidine" {
			t.Errorf("the calendar's booking badges = %q, want the allergy named", badge)
		}
		b.checkScreen("calendar-alert")

		b.tap(`//a[.//span[contains(., "Full groom")]]`)
		b.waitText("Status: planned", 20*time.Second)
		b.tapButton("Done")
		b.waitText("Book again on", 20*time.Second)
		d, err := time.Parse("2006-01-02", day)
		if err != nil {
			t.Fatalf("the booking's date %q: %v", day, err)
		}
		if got, want := b.value("again-on"), d.AddDate(0, 0, 28).Format("2006-01-02"); got != want {
			t.Errorf("Book again on = %q, want the visit's date plus Rex's 4 weeks, %s", got, want)
		}
		b.waitText("At 10:00", 10*time.Second)
		b.checkScreen("book-again")
	})
}

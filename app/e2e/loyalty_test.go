//go:build !js

package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestLoyalty (issue 17): the owner sets "every 6th groom at 20% off"
// with a finger; a client with five finished grooms (and a cancelled
// visit, which does not count) shows "5 of 6" on their card; the invoice
// of the sixth has the loyalty line and the right total. At both tablet
// sizes.
func TestLoyalty(t *testing.T) {
	srv := startServer(t)
	atTabletSizes(t, func(t *testing.T, b *browser, size string) {
		b.createWorkspace(srv, size+"@example.com")

		b.link("Team")
		b.waitText("last seen", 20*time.Second)
		b.checkScreen("loyalty-team")
		b.tapLink("Business settings")
		b.waitText("Loyalty discount", 20*time.Second)
		b.fill("loyalty-every", "6")
		b.fill("loyalty-percent", "20")
		b.tapButton("Save loyalty discount")
		b.waitText("Saved: every 6th groom is 20% off", 20*time.Second)
		checkScreenAt(b, "loyalty-settings", "#loyalty-title")

		b.link("Clients")
		b.addClient("Ann Loyal", "07700 900123", "")
		b.openClient("Ann Loyal")
		b.addPet("Bella", "")
		b.waitText("Loyalty: 0 of 6 grooms — the 6th is 20% off", 20*time.Second)
		visit := func(weeksAgo int, finish func()) {
			t.Helper()
			b.book("Full groom", func() {
				b.setDate("date", time.Now().AddDate(0, 0, -7*weeksAgo).Format("2006-01-02"))
				b.setDate("start", "10:00")
				b.fill("price", "45.00")
			})
			finish()
		}
		done := func() {
			b.tapButton("Done")
			b.waitText("Status: done", 20*time.Second)
		}
		for i, weeks := range []int{30, 24, 18, 12, 6} {
			visit(weeks, done)
			b.link("Back to the client")
			if i == 2 {
				visit(15, func() {
					b.tap(`//button[@aria-label="Cancel the booking"]`)
					b.fill("reason", "the client called")
					b.tapButton("Confirm cancelled")
					b.waitText("Status: cancelled", 20*time.Second)
				})
				b.link("Back to the client")
			}
		}
		b.waitText("Loyalty: 5 of 6 grooms — the 6th is 20% off", 20*time.Second)
		checkScreenAt(b, "loyalty-client", "#invoices-title")

		visit(0, done)
		b.tapButton("Create invoice")
		b.waitTotals([]string{"Subtotal | £45.00", "Loyalty: 6th groom, 20% off | −£9.00", "Tax (0%) | £0.00", "Total | £36.00", "Balance due | £36.00"})
		if got := b.value("discount-reason"); got != "Loyalty: 6th groom, 20% off" {
			t.Errorf("the invoice's discount reason = %q", got)
		}
		checkScreenAt(b, "loyalty-invoice", "#discount")
		b.button("Save invoice")
		b.waitText("Saved on this device", 20*time.Second)

		b.openClient("Ann Loyal")
		b.waitText("Loyalty: 0 of 6 grooms — the 6th is 20% off", 20*time.Second)
		if page := b.text(); !strings.Contains(page, "£36.00") {
			t.Errorf("the client's invoices do not show the discounted total:\n%s", page)
		}
	})
}

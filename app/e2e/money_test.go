//go:build !js

package e2e

import (
	"testing"
	"time"
)

// TestMoneyStyle (issue 17): the owner of a shop in Germany sets the
// workspace's currency to EUR and amounts written "1.234,50 €" with a
// finger; a booking's price typed "1.234,50" reads as that, and its
// invoice shows every amount in that style. At both tablet sizes.
func TestMoneyStyle(t *testing.T) {
	srv := startServer(t)
	atTabletSizes(t, func(t *testing.T, b *browser, size string) {
		b.createWorkspace(srv, size+"@example.com")

		b.link("Team")
		b.waitText("last seen", 20*time.Second)
		b.tapLink("Business settings")
		b.waitText("Amounts are written", 20*time.Second)
		b.fill("currency", "eur")
		b.waitText("1.234,50 € (Germany", 10*time.Second)
		b.tap(`//label[contains(., "Germany")]`)
		b.tapButton("Save money settings")
		b.waitText("Saved: amounts read 1.234,50 € on every screen", 20*time.Second)
		checkScreenAt(b, "money-settings", "#money-title")

		b.link("Clients")
		b.addClient("Anna Schmidt", "0151 23456789", "")
		b.openClient("Anna Schmidt")
		b.addPet("Bello", "")
		b.book("Full groom", func() {
			b.setDate("date", time.Now().Format("2006-01-02"))
			b.setDate("start", "10:00")
			b.fill("price", "1.234,50")
		})
		b.tapButton("Done")
		b.waitText("Status: done", 20*time.Second)
		if got := b.value("price"); got != "1234,50" {
			t.Errorf("the booking's price shows as %q, want 1234,50", got)
		}
		b.tapButton("Create invoice")
		b.waitTotals([]string{"Subtotal | 1.234,50 €", "Tax (0%) | 0,00 €", "Total | 1.234,50 €", "Balance due | 1.234,50 €"})
		checkScreenAt(b, "money-invoice", "")
	})
}

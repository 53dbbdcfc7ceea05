//go:build !js

package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestInvoices bills a client end to end: an invoice with two lines, a
// discount and 20% tax, its exact totals, issued, the client's balance,
// paid by card with a tip, settled after a reload, and printed.
func TestInvoices(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, 1024, 768)
	b.createWorkspace(srv, "owner@example.com")
	b.addClient("Margaret Lockwood", "07700 900123", "Bella bites")
	b.openClient("Margaret Lockwood")
	b.waitText("Nothing owed", 20*time.Second)
	b.waitText("No invoices yet", 5*time.Second)

	b.link("New invoice")
	b.run("invoice form", 20*time.Second, chromedp.WaitVisible("#line-desc-1", chromedp.ByQuery))
	number := strconv.Itoa(time.Now().Year()) + "-0001"
	if got := b.value("number"); got != number {
		t.Errorf("first invoice's number = %q, want %q", got, number)
	}
	if got := b.value("currency"); got != "GBP" {
		t.Errorf("first invoice's currency = %q, want GBP", got)
	}
	b.fill("line-desc-1", "Full groom")
	b.fill("line-price-1", "42.50")
	b.button("Add a line")
	b.fill("line-desc-2", "Nail trim")
	b.fill("line-qty-2", "2")
	// Garbage is refused beside the field; a comma is a decimal mark.
	b.fill("line-price-2", "7.2x")
	b.waitText("not an amount: use digits", 10*time.Second)
	checkScreenAt(b, "invoice-garbage", "#line-desc-1")
	b.fill("line-price-2", "7,25")
	b.fill("tax-rate", "20")
	// A discount above the lines is clamped, and said so.
	b.fill("discount", "100")
	b.waitText("is more than the lines add up to, so only £57.00 counts", 10*time.Second)
	b.fill("discount", "3.33")
	// What was typed survives a reload before Save.
	time.Sleep(2 * draftWait)
	b.run("reload", 30*time.Second, chromedp.Reload())
	b.unlock()
	b.waitText("were brought back", 20*time.Second)
	for id, want := range map[string]string{"line-desc-2": "Nail trim", "line-price-2": "7,25", "discount": "3.33", "tax-rate": "20"} {
		if got := b.value(id); got != want {
			t.Errorf("%s after reload = %q, want %q", id, got, want)
		}
	}
	// A line left blank is refused beside its fields, then removed.
	b.button("Add a line")
	b.fill("line-qty-3", "1")
	b.button("Save invoice")
	b.waitText("description: required", 20*time.Second)
	checkScreenAt(b, "invoice-invalid-line", "#line-desc-3")
	b.click(`//button[@aria-label="Remove line 3"]`)
	b.run("line 3 removed", 10*time.Second, chromedp.WaitNotPresent("#line-desc-3", chromedp.ByQuery))
	// 42.50 + 2 × 7.25 = 57.00; less 3.33 is 53.67; 20% of it is 10.734,
	// rounded once to 10.73; total 64.40.
	wantTotals := []string{"Subtotal | £57.00", "Discount | −£3.33", "Tax (20%) | £10.73", "Total | £64.40", "Balance due | £64.40"}
	b.waitTotals(wantTotals)
	b.button("Save invoice")
	b.waitText("Saved on this device", 20*time.Second)
	b.selectOption("status", "issued")
	b.button("Save invoice")
	b.waitText("Saved on this device", 20*time.Second)
	b.waitTotals(wantTotals)
	// Issued, it is what the client holds: the form says so, and its
	// number, date, lines and amounts no longer take changes.
	b.waitText("To correct it, set its status to void", 10*time.Second)
	var kept bool
	b.eval("kept fields", `["number", "issued", "currency", "line-desc-1", "line-price-2", "discount", "tax-rate"].every(id => document.getElementById(id).matches(":disabled")) &&
		!["due", "status", "invoice-notes"].some(id => document.getElementById(id).matches(":disabled"))`, &kept)
	if !kept {
		t.Error("the issued invoice's number, date, lines and amounts still take changes, or its due date, status or notes do not")
	}
	checkScreenAt(b, "invoice", "")
	checkScreenAt(b, "invoice-totals", ".totals")

	b.link("Back to the client")
	b.waitText("Balance £64.40", 20*time.Second)
	row := b.rowsText(`.invoice-row`)
	for _, want := range []string{number, "issued", "£64.40", time.Now().Format("2 January 2006")} {
		if !strings.Contains(row, want) {
			t.Errorf("the client's invoice row %q lacks %q", row, want)
		}
	}
	checkScreenAt(b, "client-invoices", "#invoices-title")

	b.click(`//a[.//span[normalize-space()="` + number + `"]]`)
	b.run("payment form", 20*time.Second, chromedp.WaitVisible("#pay-amount", chromedp.ByQuery))
	if got := b.value("pay-amount"); got != "64.40" {
		t.Errorf("payment amount starts at %q, want the balance 64.40", got)
	}
	// A note typed and not yet saved stays through the payment.
	b.fill("invoice-notes", "Paid at the door")
	b.selectOption("pay-method", "card")
	b.fill("pay-tip", "5")
	b.fill("pay-ref", "slip 0042")
	b.button("Record payment")
	b.waitText("Payment recorded", 20*time.Second)
	b.waitText("card · £64.40 + tip £5.00 · ref. slip 0042", 5*time.Second)
	if got := b.value("invoice-notes"); got != "Paid at the door" {
		t.Errorf("the note typed before the payment reads %q after it, want it kept", got)
	}
	checkScreenAt(b, "invoice-paid", "#payments-title")
	b.button("Save invoice")
	b.waitText("Saved on this device", 20*time.Second)

	// After a reload, from what this device stored.
	b.open(srv.url() + "/clients")
	b.unlock()
	b.openClient("Margaret Lockwood")
	b.waitText("Balance £0.00", 20*time.Second)
	if row := b.rowsText(`.invoice-row`); !strings.Contains(row, "paid") || !strings.Contains(row, "£64.40") {
		t.Errorf("after the reload the invoice row reads %q, want paid, £64.40", row)
	}
	b.click(`//a[.//span[normalize-space()="` + number + `"]]`)
	b.run("invoice after reload", 20*time.Second, chromedp.WaitVisible("#status", chromedp.ByQuery))
	if got := b.value("status"); got != "paid" {
		t.Errorf("status after reload = %q, want paid", got)
	}
	if got := b.value("invoice-notes"); got != "Paid at the door" {
		t.Errorf("the note saved after the payment reads %q after a reload, want it saved", got)
	}
	b.waitTotals([]string{"Total | £64.40", "Paid | −£64.40", "Balance due | £0.00", "Tips (not part of the bill) | £5.00"})

	// Print: the business name is kept, the page prints the invoice alone.
	b.fill("business", "Paws & Claws Grooming")
	b.waitFor("the business name on the printed page", 10*time.Second, func() bool {
		var name string
		b.eval("printed business", `document.querySelector(".printed-business")?.textContent ?? ""`, &name)
		return name == "Paws & Claws Grooming"
	})
	b.button("Print")
	b.run("print media", 10*time.Second, emulation.SetEmulatedMedia().WithMedia("print"))
	defer b.run("screen media", 10*time.Second, emulation.SetEmulatedMedia().WithMedia(""))
	printed := b.rowsText(".printed")
	for _, want := range []string{"Paws & Claws Grooming", "Bill to: Margaret Lockwood", "Invoice " + number, "PAID",
		"Full groom | 1 | £42.50 | £42.50", "Nail trim | 2 | £7.25 | £14.50", "Subtotal | £57.00", "Discount | −£3.33",
		"Tax (20%) | £10.73", "Total | £64.40", "Balance due | £0.00", "Paid " + time.Now().Format("2 January 2006") + " by card: £64.40"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the printed invoice lacks %q; it reads:\n%s", want, printed)
		}
	}
	var shown []string
	b.run("what prints", 10*time.Second, chromedp.Evaluate(`[...document.querySelectorAll(".bar, button, form, .no-print")].filter(e => e.offsetParent !== null).map(e => e.tagName + "." + e.className)`, &shown))
	if len(shown) > 0 {
		t.Errorf("printed with the invoice: %v", shown)
	}
	b.run("top", 10*time.Second, chromedp.Evaluate(`window.scrollTo(0, 0)`, nil))
	t.Logf("printed, landscape: %s", b.screenshot("print-1024x768"))
	b.run("portrait", 10*time.Second, chromedp.EmulateViewport(820, 1180))
	t.Logf("printed, portrait: %s", b.screenshot("print-820x1180"))

	// The screens at the portrait size too.
	b.run("screen media", 10*time.Second, emulation.SetEmulatedMedia().WithMedia(""))
	checkScreenAt(b, "invoice-portrait", "")
	checkScreenAt(b, "invoice-lines-portrait", "#line-desc-1")
	checkScreenAt(b, "invoice-payments-portrait", "#payments-title")
	b.link("Back to the client")
	b.waitText("Balance £0.00", 20*time.Second)
	checkScreenAt(b, "client-invoices-portrait", "#invoices-title")

	// A payment recorded by mistake is removed, after a confirmation: the
	// invoice owes again and is issued again.
	b.click(`//a[.//span[normalize-space()="` + number + `"]]`)
	b.click(`//button[starts-with(@aria-label, "Remove the payment of")]`)
	b.waitText("Only for a payment recorded by mistake", 10*time.Second)
	checkScreenAt(b, "invoice-remove-payment", "#payments-title")
	b.button("Remove payment")
	b.waitTotals([]string{"Total | £64.40", "Balance due | £64.40"})
	b.waitValue("status", "issued", 10*time.Second)
	b.link("Back to the client")
	b.waitText("Balance £64.40", 20*time.Second)
}

// checkScreenAt scrolls the element matching the CSS selector at to the
// top ("" for the top of the page), then checks the screen.
func checkScreenAt(b *browser, screen, at string) {
	b.t.Helper()
	scroll := `window.scrollTo(0, 0)`
	if at != "" {
		scroll = fmt.Sprintf(`document.querySelector(%q).scrollIntoView()`, at)
	}
	b.run("scroll to "+at, 10*time.Second, chromedp.Evaluate(scroll+`; window.scrollBy(0, -140)`, nil))
	b.checkScreen(screen)
}

// selectOption chooses a value of a select as a person would.
func (b *browser) selectOption(id, value string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event("change", {bubbles: true})); return e.value })()`, id, value)
	var got string
	b.run("choose "+id, 10*time.Second, chromedp.WaitVisible("#"+id, chromedp.ByQuery), chromedp.Evaluate(js, &got))
	if got != value {
		b.t.Fatalf("select %s = %q, want %q", id, got, value)
	}
}

// rowsText is the visible text of the first element matching a CSS
// selector, with the cells of each of its rows (role="row") joined by
// " | ", one row a line.
func (b *browser) rowsText(sel string) string {
	b.t.Helper()
	var s string
	b.run("read "+sel, 10*time.Second, chromedp.WaitReady(sel, chromedp.ByQuery), chromedp.Evaluate(fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		const rows = [...e.querySelectorAll("[role=row]")];
		if (!rows.length) return e.innerText;
		return e.innerText + "\n" + rows.map(r => [...r.children].map(c => c.innerText.trim()).join(" | ")).join("\n");
	})()`, sel), &s))
	return s
}

// waitTotals waits until the totals table shows every row of want.
func (b *browser) waitTotals(want []string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got string
	for ctx.Err() == nil {
		got = b.rowsText(".totals")
		missing := false
		for _, w := range want {
			missing = missing || !strings.Contains(got, w)
		}
		if !missing {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatalf("totals never showed %q; they show:\n%s\nscreenshot: %s", want, got, b.screenshot("failed"))
}

// TestInvoiceNumberClash: two tablets offline each issue the next
// invoice number they know of, the same one. Once synced, both say so on
// the client's card and on the invoice; the desk gives its invoice the
// next free number, and the clash is gone on both.
func TestInvoiceNumberClash(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "Bella bites")

	srv.stop()
	year := strconv.Itoa(time.Now().Year())
	for _, b := range []*browser{owner, desk} {
		b.openClient("Margaret Lockwood")
		b.link("New invoice")
		b.fill("line-desc-1", "Full groom")
		b.fill("line-price-1", "42.50")
		b.selectOption("status", "issued")
		b.button("Save invoice")
		b.waitText("Saved on this device", 20*time.Second)
		if got := b.value("number"); got != year+"-0001" {
			t.Fatalf("offline invoice number = %q, want %s-0001", got, year)
		}
	}
	srv.start()
	for _, b := range []*browser{owner, desk} {
		b.link("Back to the client")
		b.waitText("Another invoice has this number", 60*time.Second)
	}
	desk.click(`(//a[contains(@class, "invoice-row")])[1]`)
	desk.waitText("two devices made invoices while offline", 20*time.Second)
	desk.checkScreen("invoice-number-clash")
	desk.button("Use " + year + "-0002")
	desk.waitValue("number", year+"-0002", 10*time.Second)
	desk.button("Save invoice")
	desk.waitText("Saved on this device", 20*time.Second)
	for _, b := range []*browser{owner, desk} {
		b.openClient("Margaret Lockwood")
		b.waitText(year+"-0002", 60*time.Second)
		if strings.Contains(b.text(), "Another invoice has this number") {
			t.Errorf("the clash is still shown after the desk renumbered: %s", b.screenshot("still-clashing"))
		}
	}
}

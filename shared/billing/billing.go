// Package billing is Pawfile's invoice arithmetic: subtotal, discount, tax,
// total, payments, tips and balance, exact in integer minor units. The app
// shows these figures and the server may check them, so they are computed
// here once and both sides get the same pennies.
//
// The rules, in order:
//
//   - subtotal = Σ quantity × unit price over the invoice's lines;
//   - discount = the invoice's discount, but never more than the subtotal
//     (see [Totals.DiscountClamped]);
//   - tax = (subtotal − discount) × tax rate, rounded once for the whole
//     invoice to the nearest minor unit, halves away from zero;
//   - total = subtotal − discount + tax;
//   - paid = Σ payment amounts; tips = Σ payment tips, which are the
//     groomer's and do not pay the invoice;
//   - balance = total − paid: what the client still owes, negative when
//     they paid too much.
//
// Tax is rounded per invoice, not per line, because the discount belongs to
// the invoice, not to a line: rounding per line would first need the
// discount shared out over the lines, a second rounding with its own
// leftover pennies. One rounding also keeps the tax within half a minor unit
// of the exact figure however many lines there are, where per-line rounding
// can drift by half a unit per line.
//
// Every amount must be in the invoice's one currency; a mix is refused with
// [ErrMixedCurrency], never converted. Amounts are checked rather than
// bounded: any int64 inputs either give the exact result or [ErrOverflow]
// (products and the tax are computed in 128 bits), and negative amounts or
// quantities, which [record.Validate] refuses, are refused here too with
// [ErrInvalid], so a record from a newer app or a damaged import cannot
// produce a silently wrong bill.
package billing

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"pawfile/shared/record"
)

// The errors Compute and Balance wrap; the wrapping text names the invoice
// and line and says what to change.
var (
	ErrMixedCurrency = errors.New("more than one currency")
	ErrOverflow      = errors.New("amount too large")
	ErrInvalid       = errors.New("invalid amount")
)

// TaxRateMax is a tax rate of 100%, in hundredths of a percent as
// [record.Invoice.TaxRate] holds it.
const TaxRateMax = 10000

// Totals are an invoice's figures, all in minor units of Currency.
type Totals struct {
	Currency string // "" only when the invoice has no amount at all
	Subtotal int64  // Σ quantity × unit price
	Discount int64  // the discount applied: the invoice's, at most Subtotal
	// DiscountClamped is set when the invoice's discount was more than the
	// subtotal and was reduced to it. Two devices can produce this by
	// merging offline edits (one sets a discount, another removes a line),
	// so the invoice still adds up, to zero rather than to a negative bill;
	// the app should show it so someone corrects the discount.
	DiscountClamped bool
	Taxable         int64 // Subtotal − Discount
	Tax             int64 // Taxable × tax rate, rounded half away from zero
	Total           int64 // Taxable + Tax
	Paid            int64 // Σ payment amounts
	Tips            int64 // Σ payment tips: not part of Paid or Balance
	Balance         int64 // Total − Paid; negative when overpaid
}

// Money returns minor units of t's currency as a Money, for display.
func (t Totals) Money(minor int64) record.Money {
	return record.Money{Minor: minor, Currency: t.Currency}
}

// Compute adds up one invoice from its lines and the payments made against
// it. The caller passes only that invoice's lines and payments (a record
// does not carry its own id); [Balance] does the matching for a client.
func Compute(inv record.Invoice, lines []record.InvoiceLine, payments []record.Payment) (Totals, error) {
	t, err := compute(inv, lines, payments)
	if err != nil {
		return Totals{}, fmt.Errorf("billing: invoice %s: %w", invoiceName(inv, ""), err)
	}
	return t, nil
}

func compute(inv record.Invoice, lines []record.InvoiceLine, payments []record.Payment) (Totals, error) {
	var t Totals
	cur := currency{}
	for i, l := range lines {
		what := place{"line", i + 1, l.Description, ""}
		if err := cur.check(l.UnitPrice, what.with("unit price"), "correct the line's price or bill it on an invoice of its own"); err != nil {
			return t, err
		}
		if l.Quantity < 0 {
			return t, fmt.Errorf("%s: %w: quantity is %d; a quantity must not be negative (for a refund or credit, use the discount)", what, ErrInvalid, l.Quantity)
		}
		amount, ok := mul(l.Quantity, l.UnitPrice.Minor)
		if !ok {
			return t, fmt.Errorf("%s: %w: %d × %d does not fit; check the quantity and price", what, ErrOverflow, l.Quantity, l.UnitPrice.Minor)
		}
		if t.Subtotal, ok = add(t.Subtotal, amount); !ok {
			return t, fmt.Errorf("%s: %w: the subtotal does not fit; check the line amounts", what, ErrOverflow)
		}
	}
	if err := cur.check(inv.Discount, place{what: "discount"}, "give the discount in the currency of the lines"); err != nil {
		return t, err
	}
	if inv.TaxRate < 0 || inv.TaxRate > TaxRateMax {
		return t, fmt.Errorf("%w: tax rate %d is outside 0 to %d hundredths of a percent (0%% to 100%%); correct the tax rate", ErrInvalid, inv.TaxRate, TaxRateMax)
	}
	t.Discount = inv.Discount.Minor
	if t.Discount > t.Subtotal {
		t.Discount, t.DiscountClamped = t.Subtotal, true
	}
	t.Taxable = t.Subtotal - t.Discount // both non-negative: cannot overflow
	t.Tax = tax(t.Taxable, inv.TaxRate)
	var ok bool
	if t.Total, ok = add(t.Taxable, t.Tax); !ok {
		return t, fmt.Errorf("%w: the total does not fit; check the line amounts", ErrOverflow)
	}
	for i, p := range payments {
		what := place{"payment", i + 1, "", ""}
		if err := cur.check(p.Amount, what.with("amount"), "record the payment in the invoice's currency (convert it first)"); err != nil {
			return t, err
		}
		if err := cur.check(p.Tip, what.with("tip"), "record the tip in the invoice's currency"); err != nil {
			return t, err
		}
		if t.Paid, ok = add(t.Paid, p.Amount.Minor); !ok {
			return t, fmt.Errorf("%s: %w: the amount paid does not fit; check the payment amounts", what, ErrOverflow)
		}
		if t.Tips, ok = add(t.Tips, p.Tip.Minor); !ok {
			return t, fmt.Errorf("%s: %w: the tips do not fit; check the tips", what, ErrOverflow)
		}
	}
	t.Balance = t.Total - t.Paid // both non-negative: cannot overflow
	t.Currency = cur.code
	return t, nil
}

// place names an amount in a message: `line 2 "Bath", unit price`. It is
// formatted only when there is an error, so adding up costs no formatting.
type place struct {
	kind string // "line", "payment"; "" for an invoice field
	n    int    // 1-based position among the lines or payments
	desc string // a line's description
	what string // "unit price", "discount"
}

func (p place) with(what string) place { p.what = what; return p }

func (p place) String() string {
	var s string
	switch {
	case p.kind == "":
		return p.what
	case p.desc != "":
		s = fmt.Sprintf("%s %d %q", p.kind, p.n, truncate(p.desc, 40))
	default:
		s = fmt.Sprintf("%s %d", p.kind, p.n)
	}
	if p.what != "" {
		s += ", " + p.what
	}
	return s
}

// currency tracks the one currency of an invoice: the first amount that
// names one sets it.
type currency struct {
	code  string
	first place // what set it, for the message
}

// check refuses a negative amount, an amount with no currency, and an
// amount in another currency than the ones before it. A zero Money with no
// currency is "no amount" (an unset discount or tip) and always passes.
func (c *currency) check(m record.Money, what place, fix string) error {
	if m.Minor < 0 {
		return fmt.Errorf("%s: %w: %d is negative; amounts must not be negative", what, ErrInvalid, m.Minor)
	}
	if m.Currency == "" {
		if m.Minor != 0 {
			return fmt.Errorf("%s: %w: %d has no currency; add the currency (such as GBP)", what, ErrInvalid, m.Minor)
		}
		return nil
	}
	switch c.code {
	case "":
		c.code, c.first = m.Currency, what
	case m.Currency:
	default:
		return fmt.Errorf("%s: %w: it is in %s but %s is in %s; an invoice has one currency: %s", what, ErrMixedCurrency, m.Currency, c.first, c.code, fix)
	}
	return nil
}

// Percent returns rate hundredths of a percent of amount (2000: 20%), in
// the same minor units, rounded to the nearest minor unit, halves away
// from zero, as the tax is: a discount worked out as a share of a price
// (a loyalty discount) rounds exactly as the invoice's tax does. amount
// must not be negative and rate must be 0 to [TaxRateMax].
func Percent(amount, rate int64) (int64, error) {
	switch {
	case amount < 0:
		return 0, fmt.Errorf("%w: %d is negative; amounts must not be negative", ErrInvalid, amount)
	case rate < 0 || rate > TaxRateMax:
		return 0, fmt.Errorf("%w: %d is outside 0 to %d hundredths of a percent (0%% to 100%%)", ErrInvalid, rate, TaxRateMax)
	}
	return tax(amount, rate), nil
}

// tax returns taxable × rate / 10000 rounded half away from zero, for
// 0 ≤ taxable and 0 ≤ rate ≤ 10000. The product is computed in 128 bits;
// it is below 2^63 × 10^4, so the high word is below 10^4 and Div64 cannot
// panic, and the quotient is at most taxable, so it fits an int64.
func tax(taxable, rate int64) int64 {
	hi, lo := bits.Mul64(uint64(taxable), uint64(rate))
	var carry uint64
	lo, carry = bits.Add64(lo, TaxRateMax/2, 0) // adding half then truncating rounds halves up (away from zero: all ≥ 0)
	hi += carry
	q, _ := bits.Div64(hi, lo, TaxRateMax)
	return int64(q)
}

// mul returns a × b for non-negative a and b, and whether it fit.
func mul(a, b int64) (int64, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// add returns a + b and whether it fit.
func add(a, b int64) (int64, bool) {
	s := a + b
	if (s > a) != (b > 0) {
		return 0, false
	}
	return s, true
}

// Balance is what a client owes across their invoices, per currency:
// Σ (total − paid) over invoices that are neither draft (not yet sent) nor
// void (cancelled). Invoices are keyed by record id; lines and payments are
// matched to them by their Invoice field, and those of invoices not given
// (or draft or void) are left out. A currency whose invoices net to zero is
// still listed, with 0, so "settled" can be shown per currency.
//
// Payments recorded against a void invoice do not count: a voided invoice
// takes its payments with it, so record a refund or move the payment to the
// invoice that replaced it.
//
// One invoice that does not add up (mixed currencies, an overflow) fails the
// whole balance, with an error naming it: a balance that silently left an
// invoice out would be wrong without saying so.
func Balance(invoices map[string]record.Invoice, lines []record.InvoiceLine, payments []record.Payment) (map[string]int64, error) {
	linesOf := map[string][]record.InvoiceLine{}
	for _, l := range lines {
		linesOf[l.Invoice] = append(linesOf[l.Invoice], l)
	}
	paymentsOf := map[string][]record.Payment{}
	for _, p := range payments {
		paymentsOf[p.Invoice] = append(paymentsOf[p.Invoice], p)
	}
	// Sorted, so the same data reports the same first failing invoice on
	// every device.
	ids := make([]string, 0, len(invoices))
	for id := range invoices {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := map[string]int64{}
	for _, id := range ids {
		inv := invoices[id]
		if inv.Status == "draft" || inv.Status == "void" {
			continue
		}
		t, err := compute(inv, linesOf[id], paymentsOf[id])
		if err != nil {
			return nil, fmt.Errorf("billing: balance: invoice %s: %w", invoiceName(inv, id), err)
		}
		if t.Currency == "" {
			continue // nothing billed or paid
		}
		sum, ok := add(out[t.Currency], t.Balance)
		if !ok {
			return nil, fmt.Errorf("billing: balance: invoice %s: %w: the client's %s balance does not fit; check the invoice amounts", invoiceName(inv, id), ErrOverflow, t.Currency)
		}
		out[t.Currency] = sum
	}
	return out, nil
}

// invoiceName is how a message names an invoice: its number, or its id.
func invoiceName(inv record.Invoice, id string) string {
	switch {
	case inv.Number != "":
		return fmt.Sprintf("%q", truncate(inv.Number, 40))
	case id != "":
		return id
	}
	return "(no number)"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

package ui

import (
	"testing"

	"pawfile/shared/record"
)

// TestOneMoney: a booking's price and an invoice read and show amounts
// the same way, with the digits of record.MinorDigits for every currency.
func TestOneMoney(t *testing.T) {
	for _, c := range []struct {
		typed, cur string
		minor      int64
		shown      string // formatMoney
	}{
		{"45,50", "GBP", 4550, "£45.50"}, {"45.50", "GBP", 4550, "£45.50"}, {"£45.50", "GBP", 4550, "£45.50"},
		{"45", "EUR", 4500, "€45.00"}, {"1500", "JPY", 1500, "1,500 JPY"}, {"1,234", "KWD", 1234, "1.234 KWD"},
		{"12", "UYI", 12, "12 UYI"}, {"1.2345", "CLF", 12345, "1.2345 CLF"}, {"2,5", "UYW", 25000, "2.5000 UYW"},
	} {
		want := record.Money{Minor: c.minor, Currency: c.cur}
		if m, err := parseMoney(c.typed, c.cur); err != nil || m != want {
			t.Errorf("invoice: parseMoney(%q, %s) = %+v, %v; want %+v", c.typed, c.cur, m, err, want)
		}
		if got := formatMoney(c.minor, c.cur); got != c.shown {
			t.Errorf("formatMoney(%d, %s) = %q, want %q", c.minor, c.cur, got, c.shown)
		}
		// A booking's price, typed on its form, in the price's currency.
		f := projectForm{price: c.typed}
		f.p.Price.Currency = c.cur
		p, errs := f.build()
		if len(errs) != 0 || p.Price != want {
			t.Errorf("booking: price %q (%s) = %+v, %v; want %+v", c.typed, c.cur, p.Price, errs, want)
		}
		// What the booking's form shows for the price reads back as it.
		f = projectForm{p: record.Project{Price: want}}
		f.fromRecord()
		if m, err := parseMoney(f.price, c.cur); err != nil || m != want {
			t.Errorf("booking shows %+v as %q, which reads as %+v, %v", want, f.price, m, err)
		}
	}
}

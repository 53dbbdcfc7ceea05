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

// TestNumberStyles: each style the owner can choose shows amounts as
// people of its countries write them, and what a form shows for editing
// in it reads back as the same amount.
func TestNumberStyles(t *testing.T) {
	for _, c := range []struct {
		style string
		minor int64
		cur   string
		shown string
		plain string
	}{
		{"", 123450, "GBP", "£1,234.50", "1234.50"},
		{"point", 123456789, "USD", "$1,234,567.89", "1234567.89"},
		{"comma", 123450, "EUR", "1.234,50 €", "1234,50"},
		{"comma", -500, "EUR", "−5,00 €", "−5,00"},
		{"space", 123450, "EUR", "1\u202f234,50 €", "1234,50"},
		{"space", 1234567, "SEK", "12\u202f345,67 SEK", "12345,67"},
		{"apostrophe", 123450, "CHF", "1’234.50 CHF", "1234.50"},
		{"comma", 1500, "JPY", "1.500 JPY", "1500"},
		{"comma", 1234, "KWD", "1,234 KWD", "1,234"},
	} {
		st, ok := numberStyles[c.style]
		if !ok {
			t.Fatalf("no number style %q", c.style)
		}
		if got := formatMoneyIn(st, c.minor, c.cur); got != c.shown {
			t.Errorf("%s style: formatMoney(%d, %s) = %q, want %q", c.style, c.minor, c.cur, got, c.shown)
		}
		// What a form shows, and what is shown, read back as the amount.
		for _, typed := range []string{c.plain, c.shown} {
			if c.minor < 0 {
				break
			}
			if m, err := parseMoneyIn(st, typed, c.cur); err != nil || m.Minor != c.minor {
				t.Errorf("%s style: parseMoney(%q, %s) = %+v, %v; want %d", c.style, typed, c.cur, m, err, c.minor)
			}
		}
	}
	// Every style the record allows has its definition here.
	f, _ := record.SchemaOf(record.TypeSettings)
	field, _ := f.Field("number_style")
	for _, name := range field.Enum {
		if _, ok := numberStyles[name]; !ok {
			t.Errorf("number style %q of the record has no definition", name)
		}
	}
}

// TestTypedInStyle: a lone mark is the decimal mark, except the style's
// own thousands separator splitting the digits in threes.
func TestTypedInStyle(t *testing.T) {
	for _, c := range []struct {
		style, typed, cur string
		minor             int64
	}{
		{"comma", "1.500", "EUR", 150000}, {"comma", "1.500", "JPY", 1500}, {"comma", "12.50", "EUR", 1250},
		{"comma", "12,5", "EUR", 1250}, {"point", "1.50", "GBP", 150}, {"point", "1,500", "GBP", 150000},
		{"comma", "1.234", "KWD", 1234}, {"space", "1 234,5", "EUR", 123450}, {"apostrophe", "1'234.5", "CHF", 123450},
	} {
		m, err := parseMoneyIn(numberStyles[c.style], c.typed, c.cur)
		if err != nil || m.Minor != c.minor {
			t.Errorf("%s style: %q %s read as %+v, %v; want %d", c.style, c.typed, c.cur, m, err, c.minor)
		}
	}
}

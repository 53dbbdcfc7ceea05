package billing

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"pawfile/shared/record"
)

func gbp(minor int64) record.Money { return record.Money{Minor: minor, Currency: "GBP"} }
func eur(minor int64) record.Money { return record.Money{Minor: minor, Currency: "EUR"} }

func line(qty, price int64) record.InvoiceLine {
	return record.InvoiceLine{Invoice: "inv1", Description: "Full groom", Quantity: qty, UnitPrice: gbp(price)}
}

func pay(amount, tip int64) record.Payment {
	p := record.Payment{Invoice: "inv1", Method: "card", Amount: gbp(amount)}
	if tip != 0 {
		p.Tip = gbp(tip)
	}
	return p
}

func TestCompute(t *testing.T) {
	tests := []struct {
		name     string
		inv      record.Invoice
		lines    []record.InvoiceLine
		payments []record.Payment
		want     Totals
	}{
		{
			name: "empty invoice",
			inv:  record.Invoice{Status: "draft"},
			want: Totals{},
		},
		{
			name:  "one line, no tax",
			inv:   record.Invoice{Status: "issued"},
			lines: []record.InvoiceLine{line(1, 4500)},
			want:  Totals{Currency: "GBP", Subtotal: 4500, Taxable: 4500, Total: 4500, Balance: 4500},
		},
		{
			name:     "20% VAT, discount, part payment and a tip",
			inv:      record.Invoice{Status: "issued", TaxRate: 2000, Discount: gbp(500)},
			lines:    []record.InvoiceLine{line(1, 4500), line(2, 750)},
			payments: []record.Payment{pay(3000, 500)},
			// 4500 + 1500 = 6000; − 500 = 5500; tax 1100; total 6600.
			want: Totals{Currency: "GBP", Subtotal: 6000, Discount: 500, Taxable: 5500, Tax: 1100, Total: 6600, Paid: 3000, Tips: 500, Balance: 3600},
		},
		{
			name:  "100% tax doubles",
			inv:   record.Invoice{Status: "issued", TaxRate: 10000},
			lines: []record.InvoiceLine{line(3, 333)},
			want:  Totals{Currency: "GBP", Subtotal: 999, Taxable: 999, Tax: 999, Total: 1998, Balance: 1998},
		},
		{
			name:  "half a penny rounds up: 5% of 10p is 0.5p",
			inv:   record.Invoice{Status: "issued", TaxRate: 500},
			lines: []record.InvoiceLine{line(1, 10)},
			want:  Totals{Currency: "GBP", Subtotal: 10, Taxable: 10, Tax: 1, Total: 11, Balance: 11},
		},
		{
			name:  "just under half rounds down: 4.99% of 10p",
			inv:   record.Invoice{Status: "issued", TaxRate: 499},
			lines: []record.InvoiceLine{line(1, 10)},
			want:  Totals{Currency: "GBP", Subtotal: 10, Taxable: 10, Tax: 0, Total: 10, Balance: 10},
		},
		{
			name: "rounded once per invoice, not per line",
			// Three lines of 5p at 10%: per line 0.5p → 1p each = 3p;
			// per invoice 15p × 10% = 1.5p → 2p.
			inv:   record.Invoice{Status: "issued", TaxRate: 1000},
			lines: []record.InvoiceLine{line(1, 5), line(1, 5), line(1, 5)},
			want:  Totals{Currency: "GBP", Subtotal: 15, Taxable: 15, Tax: 2, Total: 17, Balance: 17},
		},
		{
			name:  "discount larger than the subtotal is clamped",
			inv:   record.Invoice{Status: "issued", TaxRate: 2000, Discount: gbp(5000)},
			lines: []record.InvoiceLine{line(1, 3000)},
			want:  Totals{Currency: "GBP", Subtotal: 3000, Discount: 3000, DiscountClamped: true, Taxable: 0, Tax: 0, Total: 0, Balance: 0},
		},
		{
			name:  "discount equal to the subtotal is not clamped",
			inv:   record.Invoice{Status: "issued", Discount: gbp(3000)},
			lines: []record.InvoiceLine{line(1, 3000)},
			want:  Totals{Currency: "GBP", Subtotal: 3000, Discount: 3000, Taxable: 0, Tax: 0, Total: 0, Balance: 0},
		},
		{
			name:     "overpaid: negative balance",
			inv:      record.Invoice{Status: "paid"},
			lines:    []record.InvoiceLine{line(1, 4000)},
			payments: []record.Payment{pay(2000, 0), pay(2500, 0)},
			want:     Totals{Currency: "GBP", Subtotal: 4000, Taxable: 4000, Total: 4000, Paid: 4500, Balance: -500},
		},
		{
			name:     "a zero-price line with no currency and an unset discount",
			inv:      record.Invoice{Status: "issued", TaxRate: 2000},
			lines:    []record.InvoiceLine{{Description: "free nail trim", Quantity: 1}, line(1, 100)},
			payments: []record.Payment{pay(0, 0)},
			want:     Totals{Currency: "GBP", Subtotal: 100, Taxable: 100, Tax: 20, Total: 120, Balance: 120},
		},
		{
			name:  "largest record amounts: 10,000 × MoneyMax at 100%",
			inv:   record.Invoice{Status: "issued", TaxRate: 10000},
			lines: []record.InvoiceLine{line(10000, record.MoneyMax)},
			want:  Totals{Currency: "GBP", Subtotal: 1e16, Taxable: 1e16, Tax: 1e16, Total: 2e16, Balance: 2e16},
		},
		{
			// Checked independently: (x*3333 + 5000) // 10000 in Python.
			name:  "tax near int64's limit is exact (128-bit product)",
			inv:   record.Invoice{Status: "issued", TaxRate: 3333},
			lines: []record.InvoiceLine{line(1, math.MaxInt64/2)},
			want: Totals{Currency: "GBP", Subtotal: math.MaxInt64 / 2, Taxable: math.MaxInt64 / 2,
				Tax: 1537074949941848388, Total: math.MaxInt64/2 + 1537074949941848388, Balance: math.MaxInt64/2 + 1537074949941848388},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compute(tt.inv, tt.lines, tt.payments)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestComputeRefuses(t *testing.T) {
	tests := []struct {
		name     string
		inv      record.Invoice
		lines    []record.InvoiceLine
		payments []record.Payment
		want     error
		msg      string // part of the message
	}{
		{
			name:  "lines in two currencies",
			inv:   record.Invoice{Number: "2024-017"},
			lines: []record.InvoiceLine{line(1, 100), {Description: "Bath", Quantity: 1, UnitPrice: eur(100)}},
			want:  ErrMixedCurrency,
			msg:   `invoice "2024-017": line 2 "Bath", unit price: more than one currency: it is in EUR but line 1 "Full groom", unit price is in GBP`,
		},
		{
			name:  "discount in another currency",
			inv:   record.Invoice{Discount: eur(100)},
			lines: []record.InvoiceLine{line(1, 100)},
			want:  ErrMixedCurrency,
			msg:   "give the discount in the currency of the lines",
		},
		{
			name:     "payment in another currency",
			lines:    []record.InvoiceLine{line(1, 100)},
			payments: []record.Payment{{Amount: eur(100)}},
			want:     ErrMixedCurrency,
			msg:      "payment 1, amount",
		},
		{
			name:     "tip in another currency",
			lines:    []record.InvoiceLine{line(1, 100)},
			payments: []record.Payment{{Amount: gbp(100), Tip: eur(100)}},
			want:     ErrMixedCurrency,
			msg:      "payment 1, tip",
		},
		{
			name:  "a zero amount in another currency still mixes",
			lines: []record.InvoiceLine{line(1, 100), {Quantity: 1, UnitPrice: eur(0)}},
			want:  ErrMixedCurrency,
		},
		{
			name:  "negative price",
			lines: []record.InvoiceLine{line(1, -100)},
			want:  ErrInvalid,
			msg:   "must not be negative",
		},
		{
			name:  "negative quantity",
			lines: []record.InvoiceLine{line(-1, 100)},
			want:  ErrInvalid,
			msg:   "use the discount",
		},
		{
			name:  "amount without currency",
			lines: []record.InvoiceLine{{Quantity: 1, UnitPrice: record.Money{Minor: 100}}},
			want:  ErrInvalid,
			msg:   "no currency",
		},
		{
			name:  "negative discount",
			inv:   record.Invoice{Discount: gbp(-1)},
			lines: []record.InvoiceLine{line(1, 100)},
			want:  ErrInvalid,
		},
		{
			name:  "tax rate over 100%",
			inv:   record.Invoice{TaxRate: 10001},
			lines: []record.InvoiceLine{line(1, 100)},
			want:  ErrInvalid,
			msg:   "correct the tax rate",
		},
		{
			name:  "negative tax rate",
			inv:   record.Invoice{TaxRate: -1},
			lines: []record.InvoiceLine{line(1, 100)},
			want:  ErrInvalid,
		},
		{
			name:  "line amount overflows",
			lines: []record.InvoiceLine{line(3, math.MaxInt64/2)},
			want:  ErrOverflow,
		},
		{
			name:  "subtotal overflows",
			lines: []record.InvoiceLine{line(1, math.MaxInt64), line(1, 1)},
			want:  ErrOverflow,
		},
		{
			name:  "total with tax overflows",
			inv:   record.Invoice{TaxRate: 10000},
			lines: []record.InvoiceLine{line(1, math.MaxInt64/2+1)},
			want:  ErrOverflow,
		},
		{
			name:     "payments overflow",
			lines:    []record.InvoiceLine{line(1, 1)},
			payments: []record.Payment{pay(math.MaxInt64, 0), pay(1, 0)},
			want:     ErrOverflow,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compute(tt.inv, tt.lines, tt.payments)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if got != (Totals{}) {
				t.Errorf("a refused invoice returned figures: %+v", got)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not contain %q", err, tt.msg)
			}
		})
	}
}

// TestTotalsProperty checks, for random invoices, that total = subtotal −
// discount + tax and balance = total − paid, and that tax is the exact
// rational tax rounded half away from zero (computed independently with
// math/big).
func TestTotalsProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		var lines []record.InvoiceLine
		maxPrice := []int64{10, 10000, record.MoneyMax}[i%3]
		for range rng.IntN(8) {
			lines = append(lines, line(1+rng.Int64N(10000), rng.Int64N(maxPrice+1)))
		}
		inv := record.Invoice{Status: "issued", TaxRate: rng.Int64N(TaxRateMax + 1)}
		switch i % 4 {
		case 0: // no discount
		case 1:
			inv.Discount = gbp(rng.Int64N(maxPrice + 1))
		case 2:
			inv.Discount = gbp(rng.Int64N(record.MoneyMax)) // often larger than the subtotal
		case 3:
			inv.TaxRate = []int64{0, 1, 5000, 9999, TaxRateMax}[rng.IntN(5)]
		}
		var payments []record.Payment
		for range rng.IntN(3) {
			payments = append(payments, pay(rng.Int64N(maxPrice+1), rng.Int64N(100)))
		}
		got, err := Compute(inv, lines, payments)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}

		sub := new(big.Int)
		for _, l := range lines {
			sub.Add(sub, new(big.Int).Mul(big.NewInt(l.Quantity), big.NewInt(l.UnitPrice.Minor)))
		}
		disc := big.NewInt(min(inv.Discount.Minor, sub.Int64()))
		taxable := new(big.Int).Sub(sub, disc)
		// round(x / 10000) half away from zero for x ≥ 0: floor((2x + 10000) / 20000).
		x := new(big.Int).Mul(taxable, big.NewInt(inv.TaxRate))
		tax := new(big.Int).Div(new(big.Int).Add(new(big.Int).Mul(x, big.NewInt(2)), big.NewInt(10000)), big.NewInt(20000))

		if got.Subtotal != sub.Int64() || got.Discount != disc.Int64() || got.Tax != tax.Int64() {
			t.Fatalf("case %d: got %+v, want subtotal %v discount %v tax %v", i, got, sub, disc, tax)
		}
		if got.Total != got.Subtotal-got.Discount+got.Tax {
			t.Fatalf("case %d: total %d ≠ subtotal − discount + tax: %+v", i, got.Total, got)
		}
		if got.Balance != got.Total-got.Paid {
			t.Fatalf("case %d: balance %d ≠ total − paid: %+v", i, got.Balance, got)
		}
		if got.DiscountClamped != (inv.Discount.Minor > got.Subtotal) || got.Total < 0 || got.Discount > got.Subtotal {
			t.Fatalf("case %d: discount clamp wrong: %+v (discount %d)", i, got, inv.Discount.Minor)
		}
	}
}

func TestTaxRounding(t *testing.T) {
	// Every half rounds up, never to even: 0.5 → 1, 1.5 → 2, 2.5 → 3.
	for _, tt := range []struct{ taxable, rate, want int64 }{
		{1, 5000, 1}, {3, 5000, 2}, {5, 5000, 3}, {7, 5000, 4},
		{1, 4999, 0}, {1, 5001, 1},
		{0, 10000, 0}, {12345, 0, 0}, {12345, 10000, 12345},
		{999, 1750, 175}, // 174.825 → 175
		{math.MaxInt64, 10000, math.MaxInt64},
		{math.MaxInt64, 5000, math.MaxInt64/2 + 1}, // …x.5 → up
	} {
		if got := tax(tt.taxable, tt.rate); got != tt.want {
			t.Errorf("tax(%d, %d) = %d, want %d", tt.taxable, tt.rate, got, tt.want)
		}
	}
}

func TestBalance(t *testing.T) {
	invoices := map[string]record.Invoice{
		"a": {Status: "issued", Number: "A"},
		"b": {Status: "paid", Number: "B", TaxRate: 2000},
		"c": {Status: "draft", Number: "C"},
		"d": {Status: "void", Number: "D"},
		"e": {Status: "issued", Number: "E"},
		"f": {Status: "issued", Number: "F"}, // no lines: nothing owed, no currency
	}
	lines := []record.InvoiceLine{
		{Invoice: "a", Quantity: 1, UnitPrice: gbp(4500)},
		{Invoice: "b", Quantity: 2, UnitPrice: gbp(1000)},
		{Invoice: "c", Quantity: 1, UnitPrice: gbp(99999)}, // draft: ignored
		{Invoice: "d", Quantity: 1, UnitPrice: gbp(88888)}, // void: ignored
		{Invoice: "e", Quantity: 1, UnitPrice: eur(3000)},
		{Invoice: "zz", Quantity: 1, UnitPrice: gbp(77777)}, // no such invoice: ignored
	}
	payments := []record.Payment{
		{Invoice: "a", Amount: gbp(2000), Tip: gbp(300)},
		{Invoice: "b", Amount: gbp(2400)},
		{Invoice: "d", Amount: gbp(500)}, // on a void invoice: ignored
		{Invoice: "e", Amount: eur(3500)},
	}
	got, err := Balance(invoices, lines, payments)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"GBP": 2500, "EUR": -500}
	if len(got) != len(want) || got["GBP"] != want["GBP"] || got["EUR"] != want["EUR"] {
		t.Errorf("Balance = %v, want %v", got, want)
	}

	// A broken invoice fails the balance and is named; a broken draft does not.
	lines = append(lines, record.InvoiceLine{Invoice: "a", Quantity: 1, UnitPrice: eur(1)},
		record.InvoiceLine{Invoice: "c", Quantity: 1, UnitPrice: eur(1)})
	if _, err := Balance(invoices, lines, payments); !errors.Is(err, ErrMixedCurrency) || !strings.Contains(err.Error(), `invoice "A"`) {
		t.Errorf("Balance with a mixed invoice: %v", err)
	}

	// Overflow across invoices.
	big := map[string]record.Invoice{"x": {Status: "issued"}, "y": {Status: "issued"}}
	bigLines := []record.InvoiceLine{
		{Invoice: "x", Quantity: 1, UnitPrice: gbp(math.MaxInt64)},
		{Invoice: "y", Quantity: 1, UnitPrice: gbp(1)},
	}
	if _, err := Balance(big, bigLines, nil); !errors.Is(err, ErrOverflow) {
		t.Errorf("Balance overflow: %v", err)
	}
}

func BenchmarkCompute(b *testing.B) {
	inv := record.Invoice{Status: "issued", TaxRate: 2000, Discount: gbp(500)}
	lines := []record.InvoiceLine{line(1, 4500), line(2, 750), line(1, 1200), line(3, 300)}
	payments := []record.Payment{pay(3000, 500)}
	for b.Loop() {
		if _, err := Compute(inv, lines, payments); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tt := range []struct {
		amount, rate, want int64
		err                bool
	}{
		{4250, 2000, 850, false},   // 20% of £42.50
		{1999, 1500, 300, false},   // 299.85 rounds up
		{1997, 1500, 300, false},   // 299.55 rounds up
		{1993, 1500, 299, false},   // 298.95 rounds up to 299
		{1990, 1500, 299, false},   // 298.5: a half, away from zero
		{3, 5000, 2, false},        // 1.5 → 2
		{0, 2000, 0, false},        //
		{4250, 10000, 4250, false}, // 100%
		{math.MaxInt64, 10000, math.MaxInt64, false},
		{-1, 2000, 0, true},
		{100, 10001, 0, true},
		{100, -1, 0, true},
	} {
		got, err := Percent(tt.amount, tt.rate)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Percent(%d, %d) = %d, %v; want %d, error %v", tt.amount, tt.rate, got, err, tt.want, tt.err)
		}
	}
}

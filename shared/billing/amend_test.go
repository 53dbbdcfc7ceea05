package billing

import (
	"strings"
	"testing"

	"pawfile/shared/record"
)

func TestAmend(t *testing.T) {
	gbp := func(n int64) record.Money { return record.Money{Minor: n, Currency: "GBP"} }
	inv := func(status string) record.Invoice {
		return record.Invoice{Client: "c1", Number: "2026-0007", Issued: "2026-03-09", Due: "2026-03-23", Status: status, TaxRate: 2000, Discount: gbp(300), Notes: "thanks"}
	}
	lines := []record.InvoiceLine{{Description: "Full groom", Quantity: 1, UnitPrice: gbp(4500)}, {Description: "Nails", Quantity: 2, UnitPrice: gbp(600)}}
	with := func(f func(*record.Invoice), status string) record.Invoice {
		v := inv(status)
		f(&v)
		return v
	}
	same := func(*record.Invoice) {}
	for _, tc := range []struct {
		name          string
		before, after record.Invoice
		afterLines    []record.InvoiceLine
		want          string // in the error; "" for none
	}{
		{"a draft changes freely", inv("draft"), with(func(v *record.Invoice) { v.Number, v.TaxRate = "X", 0 }, "draft"), lines[:1], ""},
		{"a draft is issued with new lines", inv("draft"), inv("issued"), lines[:1], ""},
		{"issued: notes and due date change", inv("issued"), with(func(v *record.Invoice) { v.Notes, v.Due = "paid by card", "2026-04-01" }, "issued"), lines, ""},
		{"issued becomes paid", inv("issued"), inv("paid"), lines, ""},
		{"issued becomes void", inv("issued"), inv("void"), lines, ""},
		{"paid becomes void", inv("paid"), inv("void"), lines, ""},
		{"issued back to draft", inv("issued"), inv("draft"), lines, "cannot go back to draft"},
		{"void back to issued", inv("void"), inv("issued"), lines, "stays void"},
		{"issued: a line's price", inv("issued"), inv("issued"), []record.InvoiceLine{lines[0], {Description: "Nails", Quantity: 2, UnitPrice: gbp(700)}}, "lines: the lines of an issued invoice cannot change"},
		{"issued: a line dropped", inv("issued"), inv("issued"), lines[:1], "lines:"},
		{"issued: lines reordered", inv("issued"), inv("issued"), []record.InvoiceLine{lines[1], lines[0]}, "lines:"},
		{"issued: the number", inv("issued"), with(func(v *record.Invoice) { v.Number = "2026-0008" }, "issued"), lines, "number: the number"},
		{"paid: the discount", inv("paid"), with(func(v *record.Invoice) { v.Discount = gbp(0) }, "paid"), lines, "discount:"},
		{"issued: the discount's reason", inv("issued"), with(func(v *record.Invoice) { v.DiscountReason = "Loyalty: 6th groom, 20% off" }, "issued"), lines, "discount_reason: the discount's reason"},
		{"issued: the tax rate", inv("issued"), with(func(v *record.Invoice) { v.TaxRate = 0 }, "issued"), lines, "tax_rate_bp: the tax rate"},
		{"issued: the date", inv("issued"), with(func(v *record.Invoice) { v.Issued = "2026-03-10" }, "issued"), lines, "issued: the date"},
		{"issued: the client", inv("issued"), with(func(v *record.Invoice) { v.Client = "c2" }, "issued"), lines, "client:"},
		{"void: nothing else either", inv("void"), with(same, "void"), lines[:1], "lines:"},
	} {
		err := Amend(tc.before, tc.after, lines, tc.afterLines)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

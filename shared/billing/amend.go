package billing

import (
	"pawfile/shared/record"
)

// Amend checks that an invoice saved as before, with lines beforeLines,
// may be saved as after with afterLines. A draft may change in any way.
// Once issued, an invoice is a document the client holds: its number,
// client, date, currency, lines, discount (and its reason) and tax rate stay as issued,
// and only its due date, notes and status may change, the status never
// back to draft and never out of void. A correction is a void and a new
// invoice. The lines are compared in order by description, quantity and
// unit price; their ids do not matter.
func Amend(before, after record.Invoice, beforeLines, afterLines []record.InvoiceLine) error {
	if before.Status == "draft" {
		return nil
	}
	switch {
	case after.Status == "draft":
		return record.Errors{{Field: "status", Message: "status: an issued invoice cannot go back to draft; void it and make a new one to change it"}}
	case before.Status == "void" && after.Status != "void":
		return record.Errors{{Field: "status", Message: "status: a void invoice stays void; make a new invoice instead"}}
	}
	var errs record.Errors
	changed := func(field, label string) {
		errs = append(errs, record.FieldError{Field: field, Message: field + ": the " + label + " of an issued invoice cannot change; void it and make a new one"})
	}
	if after.Number != before.Number {
		changed("number", "number")
	}
	if after.Client != before.Client {
		changed("client", "client")
	}
	if after.Issued != before.Issued {
		changed("issued", "date")
	}
	if after.Discount != before.Discount {
		changed("discount", "discount")
	}
	if after.DiscountReason != before.DiscountReason {
		changed("discount_reason", "discount's reason")
	}
	if after.TaxRate != before.TaxRate {
		changed("tax_rate_bp", "tax rate")
	}
	if !sameLines(beforeLines, afterLines) {
		changed("lines", "lines")
	}
	if errs != nil {
		return errs
	}
	return nil
}

func sameLines(a, b []record.InvoiceLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Description != b[i].Description || a[i].Quantity != b[i].Quantity || a[i].UnitPrice != b[i].UnitPrice {
			return false
		}
	}
	return true
}

package session

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"pawfile/app/localstore"
	"pawfile/shared/billing"
	"pawfile/shared/record"
	"pawfile/shared/retention"
	"pawfile/shared/seal"
)

func gbp(minor int64) record.Money { return record.Money{Minor: minor, Currency: "GBP"} }

// groomLines are two lines, 42.50 and 2 × 7.25: 57.00.
func groomLines() []Line {
	return []Line{
		{InvoiceLine: record.InvoiceLine{Description: "Full groom", Quantity: 1, UnitPrice: gbp(4250)}},
		{InvoiceLine: record.InvoiceLine{Description: "Nail trim", Quantity: 2, UnitPrice: gbp(725)}},
	}
}

// 57.00 − 3.33 = 53.67; 20% is 10.734, rounded once to 10.73; 64.40.
var groomTotals = billing.Totals{Currency: "GBP", Subtotal: 5700, Discount: 333, Taxable: 5367, Tax: 1073, Total: 6440, Balance: 6440}

// annAlone is one unlocked device, its store and a client, Ann, to bill.
func annAlone(t *testing.T) (*Session, *memStore, string) {
	t.Helper()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	ann := record.NewID()
	if err := s.SaveClient(context.Background(), ann, nil, &record.Client{Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	return s, st, ann
}

// reopen is the app reloaded on the same store: a new session, unlocked.
func reopen(t *testing.T, st *memStore) *Session {
	t.Helper()
	s, err := New(context.Background(), Config{Server: "http://127.0.0.1:1", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Lock)
	unlocked(t, s)
	return s
}

func TestInvoiceTotalsAndBalance(t *testing.T) {
	ctx := context.Background()
	s, st, ann := annAlone(t)
	inv, cur := s.NewInvoice(ann, "2026-03-09")
	if inv.Number != "2026-0001" || cur != "GBP" || inv.Status != "draft" || inv.TaxRate != 0 || inv.Issued != "2026-03-09" {
		t.Fatalf("first invoice's defaults: %+v in %s", inv, cur)
	}
	inv.TaxRate, inv.Discount = 2000, gbp(333)
	id := record.NewID()
	lines := groomLines()
	if err := s.SaveInvoice(ctx, id, nil, &inv, lines); err != nil {
		t.Fatal(err)
	}
	v, ok, err := s.LoadInvoice(id)
	if err != nil || !ok || v.Err != nil {
		t.Fatalf("LoadInvoice: %v %v %v", ok, err, v.Err)
	}
	if v.Totals != groomTotals {
		t.Errorf("totals = %+v\nwant %+v", v.Totals, groomTotals)
	}
	if len(v.Lines) != 2 || v.Lines[0].Description != "Full groom" || v.Lines[1].Position != 1 || v.Lines[0].ID != lines[0].ID {
		t.Errorf("lines = %+v", v.Lines)
	}
	// A draft is not owed.
	if b := s.BillingOf(ann); b.Err != nil || len(b.Invoices) != 1 || len(b.Balance) != 0 {
		t.Errorf("billing with a draft = %+v", b)
	}
	inv.Status = "issued"
	if err := s.SaveInvoice(ctx, id, nil, &inv, lines); err != nil {
		t.Fatal(err)
	}
	b := s.BillingOf(ann)
	if b.Err != nil || b.Balance["GBP"] != 6440 || b.Invoices[0].Totals.Total != 6440 || b.Invoices[0].Status != "issued" {
		t.Errorf("billing once issued = %+v", b)
	}

	// Part of it: still issued. A tip does not pay the bill.
	if err := s.AddPayment(ctx, id, &record.Payment{Method: "cash", Amount: gbp(2000), Tip: gbp(500)}); err != nil {
		t.Fatal(err)
	}
	if b := s.BillingOf(ann); b.Balance["GBP"] != 4440 || b.Invoices[0].Status != "issued" || b.Invoices[0].Totals.Tips != 500 {
		t.Errorf("after 20.00 paid = %+v", b)
	}
	// The rest: paid.
	if err := s.AddPayment(ctx, id, &record.Payment{Method: "card", Amount: gbp(4440), Reference: "slip 0042"}); err != nil {
		t.Fatal(err)
	}
	check := func(s *Session) {
		t.Helper()
		b := s.BillingOf(ann)
		if b.Err != nil || b.Balance["GBP"] != 0 || len(b.Invoices) != 1 || b.Invoices[0].Status != "paid" || b.Invoices[0].Number != "2026-0001" {
			t.Fatalf("billing when paid = %+v", b)
		}
		v, _, _ := s.LoadInvoice(id)
		// Both payments were made in the same millisecond: their order
		// between them is the ids'.
		if len(v.Payments) != 2 {
			t.Fatalf("paid invoice has %d payments, want 2", len(v.Payments))
		}
		refs := []string{v.Payments[0].Reference, v.Payments[1].Reference}
		if !slices.Contains(refs, "slip 0042") || v.Totals.Paid != 6440 || v.Totals.Balance != 0 {
			t.Errorf("paid invoice = %+v", v)
		}
	}
	check(s)
	check(reopen(t, st)) // from the index docs, and the records they name

	// A second, issued: owed (25.00 at the last invoice's 20%). A void
	// one: not owed, and it takes no payment.
	second, _ := s.NewInvoice(ann, "2026-04-01")
	second.Status = "issued"
	secondID := record.NewID()
	if err := s.SaveInvoice(ctx, secondID, nil, &second, []Line{{InvoiceLine: record.InvoiceLine{Description: "Bath", Quantity: 1, UnitPrice: gbp(2500)}}}); err != nil {
		t.Fatal(err)
	}
	void, _ := s.NewInvoice(ann, "2026-04-02")
	void.Status = "void"
	voidID := record.NewID()
	if err := s.SaveInvoice(ctx, voidID, nil, &void, []Line{{InvoiceLine: record.InvoiceLine{Description: "Wrong", Quantity: 1, UnitPrice: gbp(9900)}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPayment(ctx, voidID, &record.Payment{Method: "cash", Amount: gbp(100)}); err == nil || !strings.Contains(err.Error(), "void") {
		t.Errorf("a payment on a void invoice: %v", err)
	}
	b = s.BillingOf(ann)
	if b.Balance["GBP"] != 3000 || len(b.Invoices) != 3 {
		t.Errorf("balance with a paid, an issued and a void invoice = %+v", b)
	}
	if got := []string{b.Invoices[0].Number, b.Invoices[1].Number, b.Invoices[2].Number}; strings.Join(got, " ") != "2026-0003 2026-0002 2026-0001" {
		t.Errorf("invoices listed as %v, want latest first", got)
	}
	// Another client's invoices are not Ann's.
	if b := s.BillingOf(record.NewID()); len(b.Invoices) != 0 || len(b.Balance) != 0 {
		t.Errorf("a client with no invoices: %+v", b)
	}
}

func TestInvoiceDefaultsAndValidation(t *testing.T) {
	ctx := context.Background()
	s, _, ann := annAlone(t)
	first := record.Invoice{Client: ann, Number: "2026-0041", Status: "issued", Issued: "2026-05-01", TaxRate: 2000}
	eur := []Line{{InvoiceLine: record.InvoiceLine{Description: "Groom", Quantity: 1, UnitPrice: record.Money{Minor: 5000, Currency: "EUR"}}}}
	if err := s.SaveInvoice(ctx, record.NewID(), nil, &first, eur); err != nil {
		t.Fatal(err)
	}
	// Numbered after the highest of the year; rate and currency of the
	// latest invoice.
	inv, cur := s.NewInvoice(ann, "2026-06-01")
	if inv.Number != "2026-0042" || inv.TaxRate != 2000 || cur != "EUR" {
		t.Errorf("defaults after a EUR invoice at 20%%: %q %d %s", inv.Number, inv.TaxRate, cur)
	}
	if inv, _ := s.NewInvoice(ann, "2027-01-02"); inv.Number != "2027-0001" {
		t.Errorf("first number of 2027 = %q", inv.Number)
	}

	// Problems are reported on their fields, and nothing is saved.
	inv.Number = "2026-0041"
	bad := []Line{{InvoiceLine: record.InvoiceLine{Description: "", Quantity: 0, UnitPrice: record.Money{Minor: 100, Currency: "EUR"}}}}
	err := s.SaveInvoice(ctx, record.NewID(), nil, &inv, bad)
	var errs *InvoiceErrors
	if !errors.As(err, &errs) {
		t.Fatalf("saving a bad invoice: %v", err)
	}
	if !strings.Contains(errs.Invoice.On("number"), "another invoice") {
		t.Errorf("a taken number: %q", errs.Invoice.On("number"))
	}
	le := errs.Lines[bad[0].ID]
	if le.On("description") == "" || le.On("quantity") == "" {
		t.Errorf("line errors = %v", le)
	}
	if b := s.BillingOf(ann); len(b.Invoices) != 1 {
		t.Errorf("a refused invoice was saved: %+v", b.Invoices)
	}
	// Two currencies on one invoice do not add up: refused whole.
	inv.Number = "2026-0042"
	mixed := append(eur, Line{InvoiceLine: record.InvoiceLine{Description: "Bow", Quantity: 1, UnitPrice: gbp(300)}})
	if err := s.SaveInvoice(ctx, record.NewID(), nil, &inv, mixed); !errors.Is(err, billing.ErrMixedCurrency) {
		t.Errorf("mixed currencies: %v", err)
	}
	if err := s.AddPayment(ctx, record.NewID(), &record.Payment{Method: "card", Amount: gbp(0)}); err == nil || !strings.Contains(err.Error(), "more than 0") {
		t.Errorf("a payment of nothing: %v", err)
	}
}

// Removing a line deletes its record; a reload does not bring it back,
// and the list reads the invoice from its index docs.
func TestInvoiceLineRemovedAndReload(t *testing.T) {
	ctx := context.Background()
	s, st, ann := annAlone(t)
	id := record.NewID()
	inv := record.Invoice{Client: ann, Number: "2026-0001", Status: "draft", Issued: "2026-03-09"}
	lines := groomLines()
	if err := s.SaveInvoice(ctx, id, nil, &inv, lines); err != nil {
		t.Fatal(err)
	}
	docs := func() int {
		n := 0
		for k := range st.records {
			if strings.HasPrefix(k, docPrefix) {
				n++
			}
		}
		return n
	}
	if n := docs(); n != 4 {
		t.Errorf("%d index docs, want 4 (client, invoice, 2 lines)", n)
	}
	// The draft loses a line as it is issued.
	lines, inv.Status = lines[1:], "issued"
	if err := s.SaveInvoice(ctx, id, nil, &inv, lines); err != nil {
		t.Fatal(err)
	}
	again := reopen(t, st)
	v, ok, err := again.LoadInvoice(id)
	if !ok || err != nil || len(v.Lines) != 1 || v.Lines[0].Description != "Nail trim" || v.Lines[0].Position != 0 || v.Totals.Total != 1450 {
		t.Fatalf("after removing a line and reloading: %v %v %+v", ok, err, v)
	}
	if b := again.BillingOf(ann); b.Balance["GBP"] != 1450 || len(b.Invoices) != 1 || b.Invoices[0].Number != "2026-0001" {
		t.Errorf("billing after reload = %+v", b)
	}
	if got := maps.Collect(maps.All(again.billDocs)); len(got) != 1 {
		t.Errorf("%d line and payment docs after reload, want 1", len(got))
	}
}

// An issued invoice keeps its lines and amounts: a change is refused
// and nothing of it is stored, while its notes may change and it may be
// voided.
func TestIssuedInvoiceIsKept(t *testing.T) {
	ctx := context.Background()
	s, _, ann := annAlone(t)
	id := record.NewID()
	inv := record.Invoice{Client: ann, Number: "2026-0002", Status: "issued", Issued: "2026-03-09"}
	if err := s.SaveInvoice(ctx, id, nil, &inv, groomLines()); err != nil {
		t.Fatal(err)
	}
	saved, _, _ := s.LoadInvoice(id)
	changed := slices.Clone(saved.Lines)
	changed[0].UnitPrice = gbp(1)
	var errs *InvoiceErrors
	if err := s.SaveInvoice(ctx, id, nil, &inv, changed); !errors.As(err, &errs) || errs.Invoice.On("lines") == "" {
		t.Fatalf("a changed price on an issued invoice: %v", err)
	}
	if v, _, _ := s.LoadInvoice(id); v.Totals != saved.Totals {
		t.Errorf("totals after the refused change = %+v, want %+v", v.Totals, saved.Totals)
	}
	inv.Notes = "Paid by card at the door"
	if err := s.SaveInvoice(ctx, id, nil, &inv, slices.Clone(saved.Lines)); err != nil {
		t.Fatalf("new notes on an issued invoice: %v", err)
	}
	inv.Status = "void"
	if err := s.SaveInvoice(ctx, id, nil, &inv, slices.Clone(saved.Lines)); err != nil {
		t.Fatalf("voiding an issued invoice: %v", err)
	}
	inv.Status = "issued"
	if err := s.SaveInvoice(ctx, id, nil, &inv, slices.Clone(saved.Lines)); !errors.As(err, &errs) || errs.Invoice.On("status") == "" {
		t.Fatalf("a void invoice issued again: %v", err)
	}
}

// A payment recorded by mistake can be removed: the invoice owes again
// and, paid before, is issued again.
func TestRemovePayment(t *testing.T) {
	ctx := context.Background()
	s, _, ann := annAlone(t)
	id := record.NewID()
	inv := record.Invoice{Client: ann, Number: "2026-0003", Status: "issued", Issued: "2026-03-09", TaxRate: 2000, Discount: gbp(333)}
	if err := s.SaveInvoice(ctx, id, nil, &inv, groomLines()); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPayment(ctx, id, &record.Payment{Method: "card", Amount: gbp(6440)}); err != nil {
		t.Fatal(err)
	}
	v, _, _ := s.LoadInvoice(id)
	if v.Record.Status != "paid" || len(v.Payments) != 1 {
		t.Fatalf("after paying in full: %s, %d payments", v.Record.Status, len(v.Payments))
	}
	if err := s.RemovePayment(ctx, id, "no-such-payment"); err == nil {
		t.Error("removing a payment the invoice lacks was not refused")
	}
	if err := s.RemovePayment(ctx, id, v.Payments[0].ID); err != nil {
		t.Fatal(err)
	}
	v, _, _ = s.LoadInvoice(id)
	if v.Record.Status != "issued" || len(v.Payments) != 0 || v.Totals.Balance != 6440 {
		t.Errorf("after removing the payment: %s, %d payments, balance %d", v.Record.Status, len(v.Payments), v.Totals.Balance)
	}
}

// Two tablets issuing offline can give two invoices one number. Both
// then see the clash, and the number of an issued one may be corrected
// (only while it clashes) to the next free one.
func TestInvoiceNumberClash(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	ann := record.NewID()
	if err := a.SaveClient(ctx, ann, nil, &record.Client{Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)
	ids := []string{record.NewID(), record.NewID()}
	for i, s := range []*Session{a, b} {
		inv := record.Invoice{Client: ann, Number: s.NextInvoiceNumber(2026), Status: "issued", Issued: "2026-03-09"}
		if err := s.SaveInvoice(ctx, ids[i], nil, &inv, groomLines()); err != nil {
			t.Fatal(err)
		}
	}
	send(t, a, b, 2)
	send(t, b, a, 3)
	for i, s := range []*Session{a, b} {
		for _, id := range ids {
			if !s.NumberTaken(id, "2026-0001") {
				t.Errorf("device %d does not see that invoice %s shares 2026-0001", i+1, id)
			}
		}
	}
	v, _, _ := b.LoadInvoice(ids[1])
	next := b.NextInvoiceNumber(2026)
	v.Record.Number = next
	if err := b.SaveInvoice(ctx, ids[1], nil, &v.Record, slices.Clone(v.Lines)); err != nil {
		t.Fatalf("renumbering an issued invoice that shares its number: %v", err)
	}
	send(t, b, a, 4)
	if next != "2026-0002" || a.NumberTaken(ids[0], "2026-0001") || a.NumberTaken(ids[1], next) {
		t.Errorf("after renumbering to %s, device 1 still sees a clash", next)
	}
	v.Record.Number = "2026-0003"
	var errs *InvoiceErrors
	if err := b.SaveInvoice(ctx, ids[1], nil, &v.Record, slices.Clone(v.Lines)); !errors.As(err, &errs) || errs.Invoice.On("number") == "" {
		t.Errorf("an issued invoice renumbered with no clash: %v", err)
	}
}

// An invoice made on one tablet and paid on another: each sees the other's
// work through sync, and after a reload.
func TestInvoiceThroughSync(t *testing.T) {
	ctx := context.Background()
	a, b, bst := twoDevices(t)
	ann, id := record.NewID(), record.NewID()
	a.SaveClient(ctx, ann, nil, &record.Client{Name: "Ann"})
	inv := record.Invoice{Client: ann, Number: "2026-0007", Status: "issued", Issued: "2026-03-09", TaxRate: 2000, Discount: gbp(333)}
	if err := a.SaveInvoice(ctx, id, nil, &inv, groomLines()); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)
	bill := b.BillingOf(ann)
	if bill.Err != nil || len(bill.Invoices) != 1 || bill.Invoices[0].Totals != groomTotals || bill.Balance["GBP"] != 6440 {
		t.Fatalf("b's billing after receiving = %+v", bill)
	}
	if n := b.NextInvoiceNumber(2026); n != "2026-0008" {
		t.Errorf("b's next number = %q", n)
	}
	if err := b.AddPayment(ctx, id, &record.Payment{Method: "card", Amount: gbp(6440), Tip: gbp(500)}); err != nil {
		t.Fatal(err)
	}
	send(t, b, a, 2)
	for name, s := range map[string]*Session{"a": a, "b": b, "b reloaded": reopen(t, bst)} {
		bill := s.BillingOf(ann)
		if bill.Err != nil || len(bill.Invoices) != 1 || bill.Invoices[0].Status != "paid" || bill.Balance["GBP"] != 0 || bill.Invoices[0].Totals.Tips != 500 {
			t.Errorf("%s: billing once paid = %+v", name, bill)
		}
	}
}

// The business name printed on invoices is the workspace's: set on one
// device, every device prints it, and the retention settings saved
// later keep it. A name an older version kept on the device is read
// until the next save, which forgets it.
func TestBusinessName(t *testing.T) {
	ctx := context.Background()
	a, _, bst := twoDevices(t)
	bst.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaBusiness: []byte("Old Name Kept Here")}})
	b := reopen(t, bst)
	if got := b.BusinessName(); got != "Old Name Kept Here" {
		t.Errorf("the name an older version kept = %q", got)
	}
	if err := a.SetBusinessName(ctx, "  Paws & Claws Grooming "); err != nil {
		t.Fatal(err)
	}
	if err := a.SetBusinessName(ctx, strings.Repeat("x", 121)); err == nil {
		t.Error("a 121-character name was kept")
	}
	if err := a.SaveRetentionSettings(ctx, nil, RetentionSettings{Policy: retention.Policy{ClientYears: 8, ArchiveYears: 2}}); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)
	for name, s := range map[string]*Session{"a": a, "b": b, "b reloaded": reopen(t, bst)} {
		if got := s.BusinessName(); got != "Paws & Claws Grooming" {
			t.Errorf("%s: business name = %q", name, got)
		}
		if got := s.RetentionSettings().Policy; got.ClientYears != 8 {
			t.Errorf("%s: retention = %+v", name, got)
		}
	}
	if err := b.SetBusinessName(ctx, "Paws & Claws"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := bst.Meta(ctx, metaBusiness); ok {
		t.Error("the name an older version kept is still on the device after a save")
	}
}

// A done project is invoiced once: a draft for its client with a line
// for the work at its price, linked to the project; asking again, here or
// on another device that invoices it offline, gives the same invoice.
func TestInvoiceProject(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	ann, bella := household(t, a, "Ann", record.Pet{Name: "Bella"})
	id := record.NewID()
	p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 12, 0), "m1")
	if _, err := a.SaveProject(ctx, id, nil, &p); err != nil {
		t.Fatal(err)
	}
	if _, err := a.InvoiceProject(ctx, id, "2026-03-10"); err == nil || !strings.Contains(err.Error(), "mark the project done first") {
		t.Errorf("invoicing a planned project: %v", err)
	}
	if _, ok := a.ProjectInvoice(id); ok {
		t.Error("a refused invoice is listed as the project's")
	}

	// Done without a price: the error is on the price.
	free := p
	free.Status, free.Price = "done", record.Money{}
	freeID := record.NewID()
	if _, err := a.SaveProject(ctx, freeID, nil, &free); err != nil {
		t.Fatal(err)
	}
	var errs record.Errors
	if _, err := a.InvoiceProject(ctx, freeID, "2026-03-10"); !errors.As(err, &errs) || errs.On("price") == "" {
		t.Errorf("invoicing a project with no price: %v", err)
	}

	p.Status = "done"
	if _, err := a.SaveProject(ctx, id, nil, &p); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)
	inv, err := a.InvoiceProject(ctx, id, "2026-03-10")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := a.ProjectInvoice(id); !ok || got != inv {
		t.Errorf("ProjectInvoice = %q %v, want %q", got, ok, inv)
	}
	v, ok, err := a.LoadInvoice(inv)
	if err != nil || !ok {
		t.Fatalf("LoadInvoice: %v %v", ok, err)
	}
	if v.Record.Client != ann || v.Record.Project != id || v.Record.Status != "draft" || v.Record.Issued != "2026-03-10" || v.Record.Number != "2026-0001" {
		t.Errorf("invoice = %+v", v.Record)
	}
	if len(v.Lines) != 1 || v.Lines[0].Description != "Full groom, 10 Mar 2026" || v.Lines[0].Quantity != 1 || v.Lines[0].UnitPrice != gbp(4500) {
		t.Errorf("lines = %+v", v.Lines)
	}
	if v.Totals.Total != 4500 || v.Totals.Currency != "GBP" {
		t.Errorf("totals = %+v", v.Totals)
	}
	if bill := a.BillingOf(ann); len(bill.Invoices) != 1 || bill.Balance["GBP"] != 0 {
		t.Errorf("a draft is listed but not owed: %+v", bill)
	}

	// Again: the same invoice, not a second one.
	if again, err := a.InvoiceProject(ctx, id, "2026-03-11"); err != nil || again != inv {
		t.Errorf("invoicing again = %q, %v; want %q", again, err, inv)
	}
	// b invoices it too before hearing of a's: one invoice with one line.
	if nb, err := b.InvoiceProject(ctx, id, "2026-03-10"); err != nil || nb != inv {
		t.Errorf("b's invoice = %q, %v; want %q", nb, err, inv)
	}
	send(t, a, b, 2)
	send(t, b, a, 3)
	for _, s := range []*Session{a, b} {
		bill := s.BillingOf(ann)
		if len(bill.Invoices) != 1 || bill.Invoices[0].ID != inv || bill.Invoices[0].Totals.Total != 4500 {
			t.Errorf("device %d's invoices: %+v", s.dev.Device, bill.Invoices)
		}
	}
}

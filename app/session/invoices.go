package session

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"pawfile/app/book"
	"pawfile/app/localstore"
	"pawfile/shared/billing"
	"pawfile/shared/order"
	"pawfile/shared/record"
	"pawfile/shared/schedule"
)

// Invoices. An invoice, each of its lines and each payment are records of
// their own (class client), so lines added and payments taken on two
// offline tablets all survive the merge. Their index docs carry an
// invoice's client, number, status and date, and the invoice of a line or
// payment: a client's screen finds that client's few invoices from the
// docs and opens only their records; package billing adds them up.
//
// What a client owes, their balance, is billing.Balance over their
// invoices: total less payments of every invoice issued or paid. A draft
// has not been sent and a void invoice is cancelled, so neither counts,
// nor do payments recorded against them. An invoice marked paid that was
// not paid in full still counts what is left: the status does not forgive
// a debt.

// DefaultCurrency is the currency of a book's first invoice. Later
// invoices start in the currency of the latest one.
const DefaultCurrency = "GBP"

// Line is an invoice line with its record id.
type Line struct {
	ID string
	record.InvoiceLine
}

// Payment is a payment with its record id.
type Payment struct {
	ID string
	record.Payment
}

// Invoice is an invoice as its screen shows it.
type Invoice struct {
	ID       string
	Record   record.Invoice
	Lines    []Line    // in position order
	Payments []Payment // oldest first
	Totals   billing.Totals
	// Err says why the invoice does not add up (amounts in two currencies
	// after a merge, an overflow); Totals are zero then.
	Err error
}

// InvoiceSummary is an invoice as a client's list shows it.
type InvoiceSummary struct {
	ID, Number, Status string
	Issued             record.Date
	Totals             billing.Totals
	Err                error // as Invoice.Err
}

// Billing is a client's invoices and what they owe.
type Billing struct {
	Invoices []InvoiceSummary // latest first
	// Balance is what the client owes per currency (negative: in credit),
	// from billing.Balance; a currency settled to zero is listed with 0.
	Balance map[string]int64
	Err     error // the invoices could not be opened or added up
}

// BillingOf lists a client's invoices with their totals, and the client's
// balance. It opens only that client's invoices, lines and payments.
func (s *Session) BillingOf(client string) Billing {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return Billing{Err: ErrLocked}
	}
	ids := map[string]bool{}
	for id, d := range s.invoiceDocs {
		if d.Client == client {
			ids[id] = true
		}
	}
	lines, payments, err := s.partsLocked(ids)
	if err != nil {
		return Billing{Err: err}
	}
	var b Billing
	invoices := map[string]record.Invoice{}
	var allLines []record.InvoiceLine
	var allPayments []record.Payment
	for id := range ids {
		var inv record.Invoice
		ok, err := s.book.Load(id, &inv)
		if err != nil {
			return Billing{Err: fmt.Errorf("open invoice %s: %w", id, err)}
		}
		if !ok {
			continue
		}
		invoices[id] = inv
		ls, ps := lineRecords(lines[id]), paymentRecords(payments[id])
		allLines, allPayments = append(allLines, ls...), append(allPayments, ps...)
		sum := InvoiceSummary{ID: id, Number: inv.Number, Status: inv.Status, Issued: inv.Issued}
		sum.Totals, sum.Err = billing.Compute(inv, ls, ps)
		b.Invoices = append(b.Invoices, sum)
	}
	order.Sort(b.Invoices, func(x, y InvoiceSummary) int {
		return cmp.Or(-cmp.Compare(x.Issued, y.Issued), -compareNumbers(x.Number, y.Number), strings.Compare(x.ID, y.ID))
	})
	b.Balance, b.Err = billing.Balance(invoices, allLines, allPayments)
	return b
}

// LoadInvoice opens an invoice with its lines and payments, and adds it
// up; false if there is no such invoice.
func (s *Session) LoadInvoice(id string) (Invoice, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return Invoice{}, false, ErrLocked
	}
	v := Invoice{ID: id}
	ok, err := s.book.Load(id, &v.Record)
	if err != nil || !ok {
		return v, false, err
	}
	lines, payments, err := s.partsLocked(map[string]bool{id: true})
	if err != nil {
		return v, false, err
	}
	v.Lines, v.Payments = lines[id], payments[id]
	v.Totals, v.Err = billing.Compute(v.Record, lineRecords(v.Lines), paymentRecords(v.Payments))
	return v, true, nil
}

// partsLocked opens the lines and payments of the invoices in ids, found
// through their index docs: lines in position order, payments oldest
// first.
func (s *Session) partsLocked(ids map[string]bool) (map[string][]Line, map[string][]Payment, error) {
	lines, payments := map[string][]Line{}, map[string][]Payment{}
	for id, d := range s.billDocs {
		if !ids[d.Invoice] {
			continue
		}
		var ok bool
		var err error
		switch d.Type {
		case record.TypeInvoiceLine:
			l := Line{ID: id}
			if ok, err = s.book.Load(id, &l.InvoiceLine); ok {
				lines[l.Invoice] = append(lines[l.Invoice], l)
			}
		case record.TypePayment:
			p := Payment{ID: id}
			if ok, err = s.book.Load(id, &p.Payment); ok {
				payments[p.Invoice] = append(payments[p.Invoice], p)
			}
		}
		if err != nil {
			// Leaving it out would show a wrong total without saying so.
			return nil, nil, fmt.Errorf("open %s %s: %w", d.Type, id, err)
		}
	}
	for _, ls := range lines {
		order.Sort(ls, func(a, b Line) int { return cmp.Or(cmp.Compare(a.Position, b.Position), strings.Compare(a.ID, b.ID)) })
	}
	for _, ps := range payments {
		order.Sort(ps, func(a, b Payment) int {
			return cmp.Or(cmp.Compare(a.When.UnixMilli, b.When.UnixMilli), strings.Compare(a.ID, b.ID))
		})
	}
	return lines, payments, nil
}

func lineRecords(ls []Line) []record.InvoiceLine {
	out := make([]record.InvoiceLine, len(ls))
	for i, l := range ls {
		out[i] = l.InvoiceLine
	}
	return out
}

func paymentRecords(ps []Payment) []record.Payment {
	out := make([]record.Payment, len(ps))
	for i, p := range ps {
		out[i] = p.Payment
	}
	return out
}

// NewInvoice returns what a new invoice's form starts from: a draft for
// client dated today, numbered NextInvoiceNumber, and its currency. The
// tax rate is that of the book's latest invoice (by date, then number),
// else no tax: a business bills at one rate, so a VAT-registered shop
// sets 20% once. The currency is the workspace's (Currency). The person
// can change all of it.
func (s *Session) NewInvoice(client string, today record.Date) (record.Invoice, string) {
	inv := record.Invoice{Client: client, Status: "draft", Issued: today, Number: s.NextInvoiceNumber(today.Time().Year())}
	inv.TaxRate, _ = s.billsIn()
	return inv, s.Currency()
}

// Currency is the workspace's currency: the one the owner set (Money),
// else that of its latest invoice, else DefaultCurrency. Every amount
// typed without one (a booking's price, an invoice's lines) is in it.
func (s *Session) Currency() string {
	if cur := s.Money().Currency; cur != "" {
		return cur
	}
	_, cur := s.billsIn()
	return cur
}

// Money is how the workspace writes amounts, as the owner set it: its
// currency and number style, each "" for the default.
type Money struct {
	Currency    string
	NumberStyle string // record.Settings' number_style: point, comma, space or apostrophe
}

// Money returns how the workspace writes amounts, as its owner set it.
// A currency that is not a three-letter code (from a forged or newer
// record) is no setting.
func (s *Session) Money() Money {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return Money{}
	}
	if kept := s.money.Load(); kept != nil && kept.book == s.book {
		return kept.m
	}
	st := s.workspaceSettingsLocked()
	m := Money{Currency: st.Currency, NumberStyle: st.NumberStyle}
	if record.Validate(&record.Info{Currency: m.Currency, NumberStyle: m.NumberStyle}) != nil {
		m = Money{}
	}
	// Kept only once the book is open: until then the unlock is still
	// adding to it (the versions waiting to be sent) without a commit.
	if s.phase == Open {
		s.money.Store(&moneyOf{book: s.book, m: m})
	}
	return m
}

// moneyOf is Money as read from one book, kept until the book changes.
type moneyOf struct {
	book *book.Book
	m    Money
}

// dropMoneyLocked forgets the Money kept: the book, or the keys it is
// read with, have changed. Called with the write lock held, so that no
// reader keeps a value read before the change after it.
func (s *Session) dropMoneyLocked() { s.money.Store(nil) }

// SetMoney saves how the workspace writes amounts, changed from base: the
// setting as the screen showed it (see SaveClient). Only the owner may.
func (s *Session) SetMoney(ctx context.Context, base *Money, m Money) error {
	if !s.Role().ManagesTeam() {
		return errors.New("only the owner sets the currency and how amounts are written: ask them")
	}
	set := func(st *record.Settings, m Money) { st.Currency, st.NumberStyle = m.Currency, m.NumberStyle }
	if err := saveSetting(s, ctx, base, m, set); err != nil {
		return fmt.Errorf("save the currency and number style: %w", err)
	}
	return nil
}

// billsIn returns the tax rate and currency of the book's latest invoice
// (by date, then number), else no tax and DefaultCurrency.
func (s *Session) billsIn() (int64, string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return 0, DefaultCurrency
	}
	var last string
	for id, d := range s.invoiceDocs {
		if l := s.invoiceDocs[last]; last == "" || cmp.Or(cmp.Compare(d.Issued, l.Issued), compareNumbers(d.Number, l.Number), strings.Compare(id, last)) > 0 {
			last = id
		}
	}
	var prev record.Invoice
	if last == "" || !s.loadLocked(last, &prev) {
		return 0, DefaultCurrency
	}
	lines, payments, err := s.partsLocked(map[string]bool{last: true})
	if err != nil {
		return prev.TaxRate, DefaultCurrency
	}
	t, err := billing.Compute(prev, lineRecords(lines[last]), paymentRecords(payments[last]))
	if err != nil || t.Currency == "" {
		return prev.TaxRate, DefaultCurrency
	}
	return prev.TaxRate, t.Currency
}

// NextInvoiceNumber is the number after the highest of the book's invoice
// numbers of the form "2026-0041" for the year: "2026-0042", or
// "2026-0001" for the year's first. Numbers typed in another form are
// left out. Two tablets numbering offline can both pick the same number;
// SaveInvoice refuses a number it knows is taken, and the person edits it.
func (s *Session) NextInvoiceNumber(year int) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	prefix := strconv.Itoa(year) + "-"
	last := 0
	for _, d := range s.invoiceDocs {
		if n, ok := sequence(d.Number, prefix); ok {
			last = max(last, n)
		}
	}
	n := strconv.Itoa(last + 1)
	if len(n) < 4 {
		n = strings.Repeat("0", 4-len(n)) + n
	}
	return prefix + n
}

// NumberTaken reports whether an invoice other than id has number: two
// devices numbered invoices offline, each the next it knew of.
func (s *Session) NumberTaken(id, number string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.numberTakenLocked(id, number)
}

func (s *Session) numberTakenLocked(id, number string) bool {
	if number == "" {
		return false
	}
	for other, d := range s.invoiceDocs {
		if other != id && d.Number == number {
			return true
		}
	}
	return false
}

// sequence reads the n of prefix+n, n all digits.
func sequence(number, prefix string) (int, bool) {
	digits, ok := strings.CutPrefix(number, prefix)
	if !ok || digits == "" || len(digits) > 9 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// compareNumbers orders invoice numbers as people count: "2026-0010"
// after "2026-9" (shorter first, then alphabetically).
func compareNumbers(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

// InvoiceErrors are what is wrong with an invoice and its lines, field by
// field, for a form to show beside each field.
type InvoiceErrors struct {
	Invoice record.Errors
	Lines   map[string]record.Errors // by line id
}

func (e *InvoiceErrors) Error() string {
	var lines []string
	for _, le := range e.Lines {
		lines = append(lines, "line: "+le.Error())
	}
	slices.Sort(lines)
	if e.Invoice != nil {
		lines = append([]string{e.Invoice.Error()}, lines...)
	}
	return strings.Join(lines, "; ")
}

// SaveInvoice validates and saves an invoice with its lines, positioned in
// the order given, and deletes the lines it had that are not given, all in
// one transaction. Lines without an id get one. An issued invoice keeps
// what billing.Amend says it keeps. Problems with fields are
// *InvoiceErrors; an invoice that does not add up is refused with
// billing's error, which says what to change. base is the invoice as the
// screen showed it (nil for a new one; see SaveClient): its record and
// lines are the bases of inv and of the lines with the same ids.
func (s *Session) SaveInvoice(ctx context.Context, id string, base *Invoice, inv *record.Invoice, lines []Line) error {
	errs := &InvoiceErrors{Lines: map[string]record.Errors{}}
	if err := record.Validate(inv); err != nil && !errors.As(err, &errs.Invoice) {
		return err
	}
	for i := range lines {
		l := &lines[i]
		if l.ID == "" {
			l.ID = record.NewID()
		}
		l.Invoice, l.Position = id, int64(i)
		var le record.Errors
		if err := record.Validate(&l.InvoiceLine); errors.As(err, &le) {
			errs.Lines[l.ID] = le
		} else if err != nil {
			return err
		}
	}
	s.mu.RLock()
	if s.book == nil {
		s.mu.RUnlock()
		return ErrLocked
	}
	if inv.Number != "" && errs.Invoice.On("number") == "" && s.numberTakenLocked(id, inv.Number) {
		errs.Invoice = append(errs.Invoice, record.FieldError{Field: "number",
			Message: "number: " + inv.Number + " is another invoice's number; give this one its own"})
	}
	had, payments, err := s.partsLocked(map[string]bool{id: true})
	var stored record.Invoice
	found := false
	if err == nil {
		found, err = s.book.Load(id, &stored)
	}
	// Two tablets numbering offline can give two invoices one number:
	// then the number of an issued one may be corrected.
	if found && s.numberTakenLocked(id, stored.Number) {
		stored.Number = inv.Number
	}
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	if found && errs.Invoice == nil && len(errs.Lines) == 0 {
		var locked record.Errors
		if errors.As(billing.Amend(stored, *inv, lineRecords(had[id]), lineRecords(lines)), &locked) {
			errs.Invoice = locked
		}
	}
	if errs.Invoice != nil || len(errs.Lines) > 0 {
		return errs
	}
	if _, err := billing.Compute(*inv, lineRecords(lines), paymentRecords(payments[id])); err != nil {
		return err
	}
	ws := []write{{id: id, v: inv}}
	if base != nil {
		ws[0].base = &base.Record
	}
	for i := range lines {
		w := write{id: lines[i].ID, v: &lines[i].InvoiceLine}
		if base != nil {
			if j := slices.IndexFunc(base.Lines, func(l Line) bool { return l.ID == lines[i].ID }); j >= 0 {
				w.base = &base.Lines[j].InvoiceLine
			}
		}
		ws = append(ws, w)
	}
	// The lines to delete are those the screen showed and the person
	// removed: a line added on another device meanwhile stays.
	shown := had[id]
	if base != nil {
		shown = base.Lines
	}
	stillHere := func(old Line) bool { return slices.ContainsFunc(had[id], func(l Line) bool { return l.ID == old.ID }) }
	for _, old := range shown {
		if stillHere(old) && !slices.ContainsFunc(lines, func(l Line) bool { return l.ID == old.ID }) {
			ws = append(ws, write{id: old.ID, del: record.TypeInvoiceLine})
		}
	}
	_, err = s.saveAll(ctx, ws)
	return err
}

// ProjectInvoice returns the id of project id's invoice, made by
// InvoiceProject; false if it has none.
func (s *Session) ProjectInvoice(id string) (string, bool) {
	inv := derivedID("project invoice", id)
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.invoiceDocs[inv]
	return inv, ok
}

// InvoiceProject bills a done project: it saves a draft invoice for the
// project's client, dated today and numbered as NewInvoice would, with one
// line for the work (its title and day, at its price) and the project as
// its project, less the loyalty discount when the visit earns it (see
// package loyalty), and returns the invoice's id. A project has one such
// invoice, whichever device makes it and however often: its id follows
// from the project's, and an existing one is returned as it is. The
// errors say what to do first: finish the project, or give it a price
// (a record.Errors on "price").
func (s *Session) InvoiceProject(ctx context.Context, id string, today record.Date) (string, error) {
	var p record.Project
	ok, err := s.load(id, &p)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", errors.New("this project is not on this device (deleted, or not synced yet)")
	}
	if inv, ok := s.ProjectInvoice(id); ok {
		return inv, nil
	}
	switch {
	case p.Status != schedule.Done:
		return "", errors.New("only finished work is invoiced: mark the project done first")
	case p.Price.IsZero():
		return "", record.Errors{{Field: "price", Message: "price: enter what the work costs and save, then create the invoice"}}
	}
	inv, _ := s.NewInvoice(p.Client, today)
	inv.Project = id
	if inv.Discount, inv.DiscountReason, err = s.loyaltyDiscount(p.Client, id, p.Price); err != nil {
		return "", fmt.Errorf("invoice the project: %w", err)
	}
	what := p.Title
	if !p.Start.IsZero() {
		what += ", " + p.Start.Time().Format("2 Jan 2006")
	}
	invID := derivedID("project invoice", id)
	line := Line{ID: derivedID("project invoice line", id),
		InvoiceLine: record.InvoiceLine{Description: what, Quantity: 1, UnitPrice: p.Price}}
	if err := s.SaveInvoice(ctx, invID, nil, &inv, []Line{line}); err != nil {
		return "", fmt.Errorf("invoice the project: %w", err)
	}
	return invID, nil
}

// AddPayment records a payment against an invoice, now, by this device.
// Taking money means the bill was given: a draft becomes issued, and an
// invoice paid in full becomes paid, in the same transaction. A void
// invoice takes no payment.
func (s *Session) AddPayment(ctx context.Context, invoice string, p *record.Payment) error {
	p.Invoice, p.When = invoice, now()
	if err := record.Validate(p); err != nil {
		return err
	}
	if p.Amount.Minor == 0 {
		return record.Errors{{Field: "amount", Message: "amount: enter the amount paid, more than 0"}}
	}
	v, err := s.invoiceHere(invoice)
	switch {
	case err != nil:
		return err
	case v.Record.Status == "void":
		return errors.New("this invoice is void and takes no payment: record it against the invoice that replaced it")
	}
	t, err := billing.Compute(v.Record, lineRecords(v.Lines), append(paymentRecords(v.Payments), *p))
	if err != nil {
		return err
	}
	ws := []write{{id: record.NewID(), v: p}}
	inv, was := v.Record, v.Record.Status
	switch {
	case was != "draft" && was != "issued":
	case t.Total > 0 && t.Balance <= 0:
		inv.Status = "paid"
	default:
		inv.Status = "issued"
	}
	if inv.Status != was {
		if inv.Issued.IsZero() {
			inv.Issued = record.DateOf(p.When.Time())
		}
		ws = append(ws, write{id: invoice, base: &v.Record, v: &inv})
	}
	_, err = s.saveAll(ctx, ws)
	return err
}

// invoiceHere is LoadInvoice for a change to invoice id, which must be on
// this device.
func (s *Session) invoiceHere(id string) (Invoice, error) {
	v, ok, err := s.LoadInvoice(id)
	if err == nil && !ok {
		err = errors.New("this invoice is not on this device (deleted, or not synced yet)")
	}
	return v, err
}

// RemovePayment removes a payment recorded by mistake from invoice; its
// record stays in the history. A paid invoice that owes again is issued
// again, in the same transaction.
func (s *Session) RemovePayment(ctx context.Context, invoice, payment string) error {
	v, err := s.invoiceHere(invoice)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(v.Payments, func(p Payment) bool { return p.ID == payment })
	if i < 0 {
		return errors.New("this payment is not on this device any more: open the invoice again")
	}
	rest := slices.Delete(slices.Clone(v.Payments), i, i+1)
	t, err := billing.Compute(v.Record, lineRecords(v.Lines), paymentRecords(rest))
	if err != nil {
		return err
	}
	ws := []write{{id: payment, del: record.TypePayment}}
	if inv := v.Record; inv.Status == "paid" && t.Balance > 0 {
		inv.Status = "issued"
		ws = append(ws, write{id: invoice, base: &v.Record, v: &inv})
	}
	_, err = s.saveAll(ctx, ws)
	return err
}

// now is the present as records keep it: in the device's zone, which the
// app sets from the browser's at start.
func now() record.Instant {
	loc := time.Local
	if loc.String() == "Local" {
		// No IANA name for this machine's zone: record UTC rather than
		// nothing.
		loc = time.UTC
	}
	return record.InstantOf(time.Now().In(loc))
}

// metaBusiness is where an older version kept the business name, on
// each device and unsealed; it is read until the name is next saved.
const metaBusiness = "business-name"

// BusinessName is the name printed at the head of invoices: the
// workspace's, the same on every device.
func (s *Session) BusinessName() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return cmp.Or(s.workspaceSettingsLocked().BusinessName, s.business)
}

// SetBusinessName changes the name printed on invoices, for every device
// of the workspace. Only an owner may change it; the name it has already
// is no change.
func (s *Session) SetBusinessName(ctx context.Context, name string) error {
	name = strings.TrimSpace(name)
	if len([]rune(name)) > 120 {
		return errors.New("at most 120 characters: shorten the business name")
	}
	if name == s.BusinessName() {
		return nil
	}
	if !s.Role().ManagesTeam() {
		return errors.New("only the owner can change the business name: ask them")
	}
	if err := s.saveSettings(ctx, nil, func(st *record.Settings) { st.BusinessName = name }); err != nil {
		return fmt.Errorf("save the business name: %w", err)
	}
	if err := s.cfg.Store.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaBusiness: nil}}); err != nil {
		return fmt.Errorf("forget the business name kept on this device: %w", err)
	}
	s.mu.Lock()
	s.business = ""
	s.mu.Unlock()
	return nil
}

package ui

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/billing"
	"pawfile/shared/loyalty"
	"pawfile/shared/record"
)

// Invoices: the card on a client's screen (balance and invoices) and the
// invoice screen (lines, discount, tax, status, payments, print). Every
// figure shown comes from package billing, through the session for saved
// invoices and directly for the form being typed; the screens parse and
// format amounts, they never add them up.

func invoiceField(t record.Type, name string) *record.Field {
	s, _ := record.SchemaOf(t)
	return must(s.Field(name))
}

// invoiceList is the card on a client's screen: what the client owes and
// their invoices, latest first.
type invoiceList struct {
	app.Compo
	Client string
	bill   session.Billing
	// loyalty is how far the client is from the loyalty discount; its
	// Text is "" when the workspace has no loyalty rule.
	loyalty loyalty.Standing
	stop    func()
}

// OnInit loads the invoices before the card's first render, which would
// otherwise say "Nothing owed" a moment before the client's balance.
func (l *invoiceList) OnInit() { l.load() }

func (l *invoiceList) OnMount(ctx app.Context) {
	l.stop = live(ctx, func(app.Context) { l.load() })
}

func (l *invoiceList) OnUpdate(ctx app.Context) { l.load() }

func (l *invoiceList) OnDismount() {
	if l.stop != nil {
		l.stop()
	}
}

// load opens the client's invoices once per change, not on every render:
// the client form re-renders at each keystroke.
func (l *invoiceList) load() {
	if current.Phase() == session.Open {
		l.bill = current.BillingOf(l.Client)
		l.loyalty = current.LoyaltyOf(l.Client)
	}
}

func (l *invoiceList) Render() app.UI {
	status := invoiceField(record.TypeInvoice, "status")
	return app.Section().Class("card").Aria("labelledby", "invoices-title").Body(
		app.Div().Class("card-head").Body(
			app.H2().ID("invoices-title").Text("Invoices"),
			app.P().ID("balance").Class("balance").Text(balanceText(l.bill.Balance)),
		),
		app.If(l.loyalty.Text() != "", func() app.UI {
			return app.P().ID("loyalty").Class("hint").Text("Loyalty: " + l.loyalty.Text())
		}),
		app.If(l.bill.Err != nil, func() app.UI {
			return app.Div().Class("alert").Attr("role", "alert").Text(errText(l.bill.Err))
		}),
		app.If(len(l.bill.Invoices) == 0, func() app.UI { return app.P().Class("hint").Text("No invoices yet.") }),
		app.Ul().Class("list").Aria("label", "Invoices").Body(
			app.Range(l.bill.Invoices).Slice(func(i int) app.UI {
				v := l.bill.Invoices[i]
				number := v.Number
				if number == "" {
					number = "No number"
				}
				total := formatMoney(v.Totals.Total, v.Totals.Currency)
				if v.Err != nil {
					total = "does not add up: open it"
				}
				return app.Li().Body(app.A().Class("invoice-row").Href("/invoices/"+v.ID).Body(
					app.Span().Class("client-name").Text(number),
					app.If(current.NumberTaken(v.ID, v.Number), func() app.UI {
						return app.Span().Class("clash").Text("Another invoice has this number: open it to give it its own")
					}),
					app.Span().Class("sub").Text(dateText(v.Issued)),
					invoiceBadge(status, v.Status),
					app.Span().Class("amount").Text(total),
				))
			}),
		),
		app.Div().Class("actions").Body(
			app.A().Class("button").Href("/clients/"+l.Client+"/invoices/new").Text("New invoice"),
		),
	)
}

// balanceText says what a client owes, per currency.
func balanceText(bal map[string]int64) string {
	if len(bal) == 0 {
		return "Nothing owed"
	}
	var parts []string
	for _, cur := range slices.Sorted(maps.Keys(bal)) {
		if n := bal[cur]; n < 0 {
			parts = append(parts, "In credit "+formatMoney(-n, cur))
		} else {
			parts = append(parts, "Balance "+formatMoney(n, cur))
		}
	}
	return strings.Join(parts, " · ")
}

func invoiceBadge(f *record.Field, s string) app.UI {
	return app.Span().Class("badge", "st-"+s).Text(f.EnumLabel(s))
}

// errText is an error as a sentence a person reads.
func errText(err error) string {
	s := strings.TrimPrefix(err.Error(), "billing: ")
	if s == "" {
		return "Something went wrong: try again"
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// lineRow is one invoice line as typed.
type lineRow struct {
	id, desc, qty, price string
}

// payRow is the payment form as typed.
type payRow struct {
	method, amount, tip, ref string
}

// invoiceForm creates or edits an invoice and takes its payments.
type invoiceForm struct {
	app.Compo
	here        string // its address, where it offers to undo a change made on it
	id, client  string
	isNew       bool
	clientName  string
	clientAddr  string
	inv         record.Invoice
	saved       session.Invoice  // as last saved: its payments and totals
	base        *session.Invoice // its record and lines as the form opened on them; nil for a new invoice
	cur         string           // the invoice's currency, as typed
	lines       []lineRow
	discount    string
	taxRate     string // percent
	business    string
	businessErr string

	errs     record.Errors            // the invoice's fields, from the last save
	lineErrs map[string]record.Errors // by line id
	payErrs  record.Errors
	err      string // the whole form
	payErr   string
	note     string
	pay      payRow
	removing string // the payment whose removal is being confirmed
	draft    draftKeeper
	loaded   bool       // OnNav has filled the form
	clashes  []conflict // fields changed here and on another device since base
	stop     func()
}

func (f *invoiceForm) OnMount(ctx app.Context) {
	f.stop = live(ctx, func(app.Context) {
		if f.loaded {
			f.follow()
		}
	})
}

func (f *invoiceForm) OnDismount() {
	if f.stop != nil {
		f.stop()
	}
}

// follow brings the open invoice up to date with changes from other
// devices, as the client form does: its payments and totals, and the
// fields and lines not touched here, take them; fields changed on both
// are held for the person to choose. An issued invoice's kept fields
// take no typing: they just follow. While an amount typed does not read
// (half typed), the fields wait: the next change or the save brings them
// up to date.
func (f *invoiceForm) follow() {
	f.clashes = nil
	if f.isNew || f.base == nil {
		return
	}
	now, ok, err := current.LoadInvoice(f.id)
	if !ok || err != nil {
		return // gone or unreadable: the save says so
	}
	f.saved = now
	inv, lines, bad := f.build()
	en, err := record.Encode(&now.Record)
	if len(bad) > 0 || err != nil {
		return
	}
	updated, clashes := follow(&f.base.Record, &inv, &now.Record)
	for i := range clashes {
		clashes[i].by = current.WrittenBy(record.TypeInvoice, f.id, clashes[i].field.Name)
	}
	// The form keeps what is typed as typed (build trims it): only the
	// fields taken change, and those typed as text are shown anew.
	for _, u := range updated {
		take(u, en[u.Name], &f.inv)
		f.typedFrom(u.Name)
	}
	f.clashes = append(clashes, f.followLines(lines, now.Lines)...)
}

// followLines brings the form's lines up to date with the invoice's lines
// now, typed being the form's lines as built: a line added elsewhere
// joins the form, one removed elsewhere and not touched here leaves it,
// and each line's fields follow as the invoice's do. It returns the
// lines' clashes.
func (f *invoiceForm) followLines(typed, now []session.Line) []conflict {
	at := func(ls []session.Line, id string) int {
		return slices.IndexFunc(ls, func(l session.Line) bool { return l.ID == id })
	}
	for i := len(typed) - 1; i >= 0; i-- {
		b := at(f.base.Lines, typed[i].ID)
		if b < 0 || at(now, typed[i].ID) >= 0 {
			continue
		}
		was := f.base.Lines[b].InvoiceLine
		if mine := aligned(typed[i].InvoiceLine, was); sameRecord(&mine, &was) {
			f.lines = slices.Delete(f.lines, i, i+1)
			f.base.Lines = slices.Delete(f.base.Lines, b, b+1)
		}
	}
	for _, n := range now {
		if at(f.base.Lines, n.ID) < 0 && at(typed, n.ID) < 0 {
			f.base.Lines = append(f.base.Lines, n)
			f.lines = append(f.lines, lineRow{id: n.ID})
			f.lineFrom(&f.lines[len(f.lines)-1], n.InvoiceLine, "description", "quantity", "unit_price")
		}
	}
	_, typed, _ = f.build() // the lines taken and added read: they are the book's
	var clashes []conflict
	for i, t := range typed {
		b, n := at(f.base.Lines, t.ID), at(now, t.ID)
		if b < 0 || n < 0 {
			continue
		}
		mine := aligned(t.InvoiceLine, now[n].InvoiceLine)
		updated, cs := follow(&f.base.Lines[b].InvoiceLine, &mine, &now[n].InvoiceLine)
		for _, u := range updated {
			f.lineFrom(&f.lines[i], now[n].InvoiceLine, u.Name)
		}
		for j := range cs {
			cs[j].part, cs[j].where = t.ID, "line "+strconv.Itoa(i+1)
			cs[j].by = current.WrittenBy(record.TypeInvoiceLine, t.ID, cs[j].field.Name)
		}
		clashes = append(clashes, cs...)
	}
	return clashes
}

// aligned is line l as the form built it, with the invoice and position
// of like, which the form does not show (the save sets them).
func aligned(l, like record.InvoiceLine) record.InvoiceLine {
	l.Invoice, l.Position = like.Invoice, like.Position
	return l
}

// sameRecord reports whether a and b encode alike.
func sameRecord(a, b any) bool {
	ea, err1 := record.Encode(a)
	eb, err2 := record.Encode(b)
	return err1 == nil && err2 == nil && maps.EqualFunc(ea, eb, bytes.Equal)
}

// typedFrom sets what is typed for the invoice's fields named from f.inv.
func (f *invoiceForm) typedFrom(names ...string) {
	for _, n := range names {
		switch n {
		case "discount":
			f.discount = ""
			if f.inv.Discount.Minor != 0 {
				f.discount = plainAmount(f.inv.Discount.Minor, f.cur)
			}
		case "tax_rate_bp":
			f.taxRate = percentText(f.inv.TaxRate)
		case "notes":
			// A text area shows what was typed into it over its text.
			showValues("invoice-notes", f.inv.Notes)
		}
	}
}

// lineFrom sets what is typed for line r's fields named from l.
func (f *invoiceForm) lineFrom(r *lineRow, l record.InvoiceLine, names ...string) {
	for _, n := range names {
		switch n {
		case "description":
			r.desc = l.Description
		case "quantity":
			r.qty = strconv.FormatInt(l.Quantity, 10)
		case "unit_price":
			r.price = plainAmount(l.UnitPrice.Minor, f.cur)
		}
	}
}

// resolve keeps this form's value of the field named by the button's
// value (mine) or takes the other device's (theirs).
func (f *invoiceForm) resolve(mine bool) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		key := ctx.JSSrc().Get("value").String()
		inv, lines, bad := f.build()
		if len(bad) > 0 {
			f.err = "Some fields are not right: see the messages beside them."
			return
		}
		if id, name, ok := strings.Cut(key, "/"); ok {
			i := slices.IndexFunc(lines, func(l session.Line) bool { return l.ID == id })
			b := slices.IndexFunc(f.base.Lines, func(l session.Line) bool { return l.ID == id })
			if i >= 0 && b >= 0 {
				l := aligned(lines[i].InvoiceLine, f.base.Lines[b].InvoiceLine)
				resolveClash(f.clashes, key, mine, &f.base.Lines[b].InvoiceLine, &l)
				f.lineFrom(&f.lines[i], l, name)
			}
		} else {
			resolveClash(f.clashes, key, mine, &f.base.Record, &inv)
			en, err := record.Encode(&inv)
			i := slices.IndexFunc(f.clashes, func(c conflict) bool { return c.key() == key })
			if err == nil && i >= 0 {
				take(f.clashes[i].field, en[key], &f.inv)
				f.typedFrom(key)
			}
		}
		f.follow()
		if len(f.clashes) == 0 && f.err == clashMessage {
			f.err = "" // all settled: Save goes through now
		}
		f.keep(ctx, e)
	}
}

// invoiceDraft is the invoice form's state as its draft keeps it; each
// line is its id, description, quantity and price as typed.
type invoiceDraft struct {
	Invoice           record.Invoice
	Base              *record.Invoice // what the form was opened on, and its lines; nil in drafts kept before bases
	BaseLines         []session.Line
	Currency          string
	Lines             [][4]string
	Discount, TaxRate string
}

func (f *invoiceForm) draftState() any {
	d := invoiceDraft{Invoice: f.inv, Currency: f.cur, Discount: f.discount, TaxRate: f.taxRate}
	if f.base != nil {
		d.Base, d.BaseLines = &f.base.Record, f.base.Lines
	}
	for _, l := range f.lines {
		d.Lines = append(d.Lines, [4]string{l.id, l.desc, l.qty, l.price})
	}
	return d
}

// openDraft brings back what was typed into the form and not saved.
func (f *invoiceForm) openDraft() {
	key := f.id
	if f.isNew {
		key = session.NewDraftOf(f.client)
	}
	var d invoiceDraft
	rid, ok := f.draft.open(record.TypeInvoice, key, &d)
	if !ok || d.Invoice.Client != f.client {
		f.draft.restored = time.Time{}
		return
	}
	f.inv, f.cur, f.discount, f.taxRate = d.Invoice, d.Currency, d.Discount, d.TaxRate
	f.lines = f.lines[:0]
	for _, l := range d.Lines {
		f.lines = append(f.lines, lineRow{id: l[0], desc: l[1], qty: l[2], price: l[3]})
	}
	if f.isNew && record.ValidID(rid) {
		f.id = rid
	}
	if d.Base != nil && !f.isNew {
		f.base = &session.Invoice{ID: f.id, Record: *d.Base, Lines: d.BaseLines}
	}
}

func (f *invoiceForm) keep(ctx app.Context, e app.Event) {
	f.draft.changed(ctx, f.id, f.draftState)
}

func (f *invoiceForm) discard(ctx app.Context, e app.Event) {
	f.draft.drop()
	if f.isNew {
		f.inv, f.cur = current.NewInvoice(f.client, today())
		f.lines = []lineRow{{id: record.NewID(), qty: "1"}}
		f.discount, f.taxRate = "", percentText(f.inv.TaxRate)
	} else {
		f.load()
	}
}

func (f *invoiceForm) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	f.here = ctx.Page().URL().Path
	path := ctx.Page().URL().Path
	if path == "/invoices/"+f.id && !f.isNew {
		// Just created: the address now names the invoice; keep the form.
		return
	}
	*f = invoiceForm{Compo: f.Compo, business: current.BusinessName(), loaded: true, stop: f.stop}
	if strings.HasSuffix(path, "/invoices/new") {
		f.client = strings.TrimSuffix(strings.TrimPrefix(path, "/clients/"), "/invoices/new")
		f.id, f.isNew = record.NewID(), true
		f.inv, f.cur = current.NewInvoice(f.client, today())
		f.lines = []lineRow{{id: record.NewID(), qty: "1"}}
		f.taxRate = percentText(f.inv.TaxRate)
	} else {
		f.id = strings.TrimPrefix(path, "/invoices/")
		f.load()
	}
	if f.client != "" {
		f.openDraft()
	}
	f.follow() // a draft's base may be older than the invoice now
	var c record.Client
	if ok, _ := current.LoadClient(f.client, &c); ok {
		f.clientName, f.clientAddr = c.Name, c.Address
	}
}

// load fills the form from the saved invoice.
func (f *invoiceForm) load() {
	v, ok, err := current.LoadInvoice(f.id)
	switch {
	case err != nil:
		f.err = err.Error()
		return
	case !ok:
		f.err = "This invoice is not on this device (deleted, or not synced yet)."
		return
	}
	f.saved, f.inv, f.client = v, v.Record, v.Record.Client
	f.base = &session.Invoice{ID: v.ID, Record: v.Record, Lines: slices.Clone(v.Lines)}
	f.cur = v.Totals.Currency
	if f.cur == "" {
		_, f.cur = current.NewInvoice(f.client, today())
	}
	f.lines = f.lines[:0]
	for _, l := range v.Lines {
		f.lines = append(f.lines, lineRow{id: l.ID, desc: l.Description, qty: strconv.FormatInt(l.Quantity, 10), price: plainAmount(l.UnitPrice.Minor, f.cur)})
	}
	f.discount = ""
	if v.Record.Discount.Minor != 0 {
		f.discount = plainAmount(v.Record.Discount.Minor, f.cur)
	}
	f.taxRate = percentText(v.Record.TaxRate)
	f.pay = payRow{method: "card"}
	if v.Err == nil && v.Totals.Balance > 0 {
		f.pay.amount = plainAmount(v.Totals.Balance, f.cur)
	}
}

// build reads the form into an invoice and its lines, and what does not
// parse, by input id.
func (f *invoiceForm) build() (record.Invoice, []session.Line, map[string]string) {
	bad := map[string]string{}
	inv := f.inv
	cur := strings.ToUpper(strings.TrimSpace(f.cur))
	if !validCode(cur) {
		bad["currency"] = "use a 3-letter currency code such as GBP"
		cur = "GBP" // to read the amounts at all
	}
	inv.Discount = record.Money{}
	if strings.TrimSpace(f.discount) != "" {
		m, err := parseMoney(f.discount, cur)
		if err != nil {
			bad["discount"] = err.Error()
		} else if m.Minor != 0 {
			inv.Discount = m
		}
	}
	inv.TaxRate = 0
	if strings.TrimSpace(f.taxRate) != "" {
		bp, err := parsePercent(f.taxRate)
		if err != nil {
			bad["tax-rate"] = err.Error()
		}
		inv.TaxRate = bp
	}
	inv.Number, inv.Notes = strings.TrimSpace(inv.Number), strings.TrimSpace(inv.Notes)
	lines := make([]session.Line, len(f.lines))
	for i, r := range f.lines {
		l := session.Line{ID: r.id}
		l.Description = strings.TrimSpace(r.desc)
		if q := strings.TrimSpace(r.qty); q != "" {
			n, err := strconv.ParseInt(q, 10, 64)
			if err != nil {
				bad["line-qty-"+r.id] = "a whole number, such as 1 or 2"
			}
			l.Quantity = n
		}
		if strings.TrimSpace(r.price) != "" {
			m, err := parseMoney(r.price, cur)
			if err != nil {
				bad["line-price-"+r.id] = err.Error()
			}
			l.UnitPrice = m
		}
		lines[i] = l
	}
	return inv, lines, bad
}

func validCode(c string) bool {
	return len(c) == 3 && strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

func (f *invoiceForm) Render() app.UI {
	if !f.loaded {
		return opening()
	}
	if f.err != "" && f.inv.Client == "" {
		return &frame{Content: []app.UI{app.H1().Text("Invoice"), app.Div().Class("alert").Attr("role", "alert").Text(f.err)}}
	}
	inv, lines, bad := f.build()
	// The figures follow the form as it is typed; payments are the saved ones.
	var totals billing.Totals
	var totalsErr error
	if len(bad) == 0 {
		ls := make([]record.InvoiceLine, len(lines))
		for i, l := range lines {
			ls[i] = l.InvoiceLine
		}
		ps := make([]record.Payment, len(f.saved.Payments))
		for i, p := range f.saved.Payments {
			ps[i] = p.Payment
		}
		totals, totalsErr = billing.Compute(inv, ls, ps)
	}
	title := "New invoice"
	if !f.isNew {
		title = "Invoice " + f.inv.Number
	}
	return &frame{Here: f.here, Content: []app.UI{
		app.Div().Class("no-print").Body(
			app.H1().Text(title),
			app.P().Class("hint").Body(app.Text("For "), app.A().Class("client-link").Href("/clients/"+f.client).Text(f.clientName)),
			f.draft.notice(f.discard),
			f.form(inv, bad, totals, totalsErr),
			app.If(!f.isNew, func() app.UI { return f.payments() }),
			app.If(!f.isNew, func() app.UI { return f.printCard() }),
		),
		app.If(!f.isNew, func() app.UI { return f.printable() }),
	}}
}

// errOn is the message beside a control: what does not parse, else what
// the last save said about the field.
func errOn(bad map[string]string, id string, errs record.Errors, name string) string {
	if m := bad[id]; m != "" {
		return m
	}
	return errs.On(name)
}

func (f *invoiceForm) form(inv record.Invoice, bad map[string]string, t billing.Totals, terr error) app.UI {
	status := invoiceField(record.TypeInvoice, "status")
	kept := f.kept()
	keep := func(ui ...app.UI) app.UI { return app.FieldSet().Class("plain").Disabled(kept).Body(ui...) }
	clash := !f.isNew && current.NumberTaken(f.id, f.saved.Record.Number)
	return app.Form().Class("card").OnSubmit(f.save).OnInput(f.keep).OnChange(f.keep).Body(
		app.If(kept, func() app.UI {
			what := "number, date"
			if clash {
				what = "date"
			}
			return app.P().Class("note").ID("kept").Text("This invoice is " + f.saved.Record.Status + ": its " + what + ", lines and amounts stay as the client got them. " +
				"To correct it, set its status to void, save, and make a new invoice.")
		}),
		app.If(clash, func() app.UI { return f.clashAlert() }),
		app.Div().Class("grid3").Body(
			app.FieldSet().Class("plain").Disabled(kept && !clash).Body(
				textField("number", "Number", f.errs.On("number"), "", f.inv.Number, f.ValueTo(&f.inv.Number))),
			keep(dateField("issued", "Invoice date", f.errs.On("issued"), string(f.inv.Issued), func(ctx app.Context, e app.Event) {
				f.inv.Issued = record.Date(ctx.JSSrc().Get("value").String())
			})),
			dateField("due", "Due date", f.errs.On("due"), string(f.inv.Due), func(ctx app.Context, e app.Event) {
				f.inv.Due = record.Date(ctx.JSSrc().Get("value").String())
			}),
		),
		app.Div().Class("grid3").Body(
			enumSelect("status", "Status", status, f.inv.Status, false, f.ValueTo(&f.inv.Status)),
			keep(textField("currency", "Currency", bad["currency"], "", f.cur, f.ValueTo(&f.cur))),
		),
		app.If(f.errs.On("status") != "", func() app.UI { return app.P().Class("error").Text(f.errs.On("status")) }),
		app.H2().Text("Lines"),
		app.If(f.errs.On("lines") != "", func() app.UI { return app.P().Class("error").Text(f.errs.On("lines")) }),
		keep(
			app.Range(f.lines).Slice(func(i int) app.UI { return f.lineEditor(i, bad) }),
			app.If(!kept, func() app.UI {
				return app.Div().Class("actions").Body(
					app.Button().Type("button").Text("Add a line").OnClick(func(ctx app.Context, e app.Event) {
						f.lines = append(f.lines, lineRow{id: record.NewID(), qty: "1"})
					}),
				)
			}),
			app.Div().Class("grid3").Body(
				amountField("discount", "Discount", errOn(bad, "discount", f.errs, "discount"), f.discount, f.ValueTo(&f.discount)),
				textField("discount-reason", "Discount reason", f.errs.On("discount_reason"), "", f.inv.DiscountReason, f.ValueTo(&f.inv.DiscountReason)),
				field("tax-rate", "Tax rate (%)", errOn(bad, "tax-rate", f.errs, "tax_rate_bp"), "", app.Input().ID("tax-rate").Type("text").
					Attr("inputmode", "decimal").Attr("autocomplete", "off").Value(f.taxRate).
					Aria("invalid", errOn(bad, "tax-rate", f.errs, "tax_rate_bp") != "").
					Aria("describedby", described("tax-rate", errOn(bad, "tax-rate", f.errs, "tax_rate_bp"), "")).OnInput(f.ValueTo(&f.taxRate))),
			),
		),
		field("invoice-notes", "Notes", f.errs.On("notes"), "", app.Textarea().ID("invoice-notes").Class("short").Text(f.inv.Notes).
			Aria("invalid", f.errs.On("notes") != "").OnInput(f.ValueTo(&f.inv.Notes))),
		totalsTable(inv, t, terr, len(bad) > 0),
		app.If(f.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(f.err) }),
		app.If(f.note != "", func() app.UI { return app.Div().Class("note").Attr("role", "status").Text(f.note) }),
		clashNotes(f.clashes, f.resolve), // beside Save, where the person goes next
		app.Div().Class("actions").Body(
			app.Button().Class("primary").Type("submit").Text("Save invoice"),
			app.A().Class("button").Href("/clients/"+f.client).Text("Back to the client"),
		),
	)
}

// clashAlert says that another invoice has this one's number, which
// happens when two devices make invoices offline, and offers the next
// free number.
func (f *invoiceForm) clashAlert() app.UI {
	year := f.inv.Issued.Time().Year()
	if f.inv.Issued.IsZero() {
		year = time.Now().Year()
	}
	next := current.NextInvoiceNumber(year)
	return app.Div().Class("alert").Attr("role", "alert").ID("number-clash").Body(
		app.P().Text("Another invoice also has the number "+f.saved.Record.Number+": two devices made invoices while offline. "+
			"Give this one a number of its own, such as "+next+", and save. Tell the client if they already have it."),
		app.Button().Type("button").Text("Use "+next).OnClick(func(ctx app.Context, e app.Event) {
			f.inv.Number = next
			f.keep(ctx, e)
		}),
	)
}

// kept reports whether the invoice was saved issued, paid or void: then
// it is what the client holds, billing.Amend keeps all but its due date,
// notes and status, and the form says so.
func (f *invoiceForm) kept() bool { return !f.isNew && f.saved.Record.Status != "draft" }

// lineEditor is one line's description, quantity and unit price.
func (f *invoiceForm) lineEditor(i int, bad map[string]string) app.UI {
	r := &f.lines[i]
	errs := f.lineErrs[r.id]
	n := strconv.Itoa(i + 1)
	desc, qty, price := "line-desc-"+n, "line-qty-"+n, "line-price-"+n
	return app.FieldSet().Class("line").Body(
		app.Legend().Text("Line "+n),
		app.Div().Class("line-grid").Body(
			textField(desc, "Description", errs.On("description"), "", r.desc, f.ValueTo(&r.desc)),
			field(qty, "Quantity", errOn(bad, "line-qty-"+r.id, errs, "quantity"), "", app.Input().ID(qty).Type("text").
				Attr("inputmode", "numeric").Attr("autocomplete", "off").Value(r.qty).
				Aria("invalid", errOn(bad, "line-qty-"+r.id, errs, "quantity") != "").OnInput(f.ValueTo(&r.qty))),
			amountField(price, "Unit price", errOn(bad, "line-price-"+r.id, errs, "unit_price"), r.price, f.ValueTo(&r.price)),
			app.If(!f.kept(), func() app.UI {
				return app.Button().Type("button").Class("remove").Aria("label", "Remove line "+n).Text("Remove").
					OnClick(func(ctx app.Context, e app.Event) { f.lines = slices.Delete(f.lines, i, i+1) })
			}),
		),
	)
}

// amountField is a money input: digits with a point or a comma.
func amountField(id, label, errMsg, value string, onInput app.EventHandler) app.UI {
	return field(id, label, errMsg, "", app.Input().ID(id).Type("text").Attr("inputmode", "decimal").Attr("autocomplete", "off").
		Placeholder("0"+workspaceStyle().decimal+"00").Value(value).Aria("invalid", errMsg != "").Aria("describedby", described(id, errMsg, "")).OnInput(onInput))
}

// totalsTable shows an invoice's figures as billing computed them.
func totalsTable(inv record.Invoice, t billing.Totals, err error, unread bool) app.UI {
	switch {
	case unread:
		return app.P().Class("alert").Attr("role", "status").Text("Correct the marked fields to see the totals.")
	case err != nil:
		return app.Div().Class("alert").Attr("role", "alert").Text(errText(err))
	}
	m := func(n int64) string { return formatMoney(n, t.Currency) }
	row := func(label, value string, class ...string) app.UI {
		return app.Div().Class(append([]string{"tr"}, class...)...).Attr("role", "row").Body(
			app.Span().Attr("role", "rowheader").Text(label), app.Span().Attr("role", "cell").Text(value))
	}
	return app.Div().Body(
		app.If(t.DiscountClamped, func() app.UI {
			return app.P().Class("warn").Attr("role", "status").Text("The discount (" + formatMoney(inv.Discount.Minor, t.Currency) +
				") is more than the lines add up to, so only " + m(t.Discount) + " counts: correct the discount.")
		}),
		app.Div().Class("totals").Attr("role", "table").Aria("label", "Totals").Body(
			row("Subtotal", m(t.Subtotal)),
			app.If(t.Discount != 0, func() app.UI { return row(discountLabel(inv), "−"+m(t.Discount)) }),
			row("Tax ("+percentText(inv.TaxRate)+"%)", m(t.Tax)),
			row("Total", m(t.Total), "total"),
			app.If(t.Paid != 0, func() app.UI { return row("Paid", "−"+m(t.Paid)) }),
			row("Balance due", m(t.Balance), "total"),
			app.If(t.Tips != 0, func() app.UI { return row("Tips (not part of the bill)", m(t.Tips)) }),
		),
	)
}

// discountLabel names the discount's line of the totals by why it was
// given ("Loyalty: 6th groom, 20% off"), or "Discount".
func discountLabel(inv record.Invoice) string {
	return cmpOr(strings.TrimSpace(inv.DiscountReason), "Discount")
}

func (f *invoiceForm) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	f.err, f.note, f.errs, f.lineErrs = "", "", nil, nil
	if f.follow(); len(f.clashes) > 0 {
		f.err = clashMessage
		return
	}
	inv, lines, bad := f.build()
	if len(bad) > 0 {
		f.err = "Some fields are not right: see the messages beside them."
		return
	}
	err := current.SaveInvoice(context.Background(), f.id, f.base, &inv, lines)
	var ie *session.InvoiceErrors
	switch {
	case errors.As(err, &ie):
		f.errs, f.lineErrs = ie.Invoice, ie.Lines
		f.err = "Some fields are not right: see the messages beside them."
		return
	case err != nil:
		f.err = errText(err)
		return
	}
	f.note = "Saved on this device."
	f.draft.saved(f.id)
	if f.isNew {
		f.isNew = false
		f.load()
		ctx.Navigate("/invoices/" + f.id)
		return
	}
	note := f.note
	f.load()
	f.note = note
}

// payments lists the invoice's payments and takes a new one.
func (f *invoiceForm) payments() app.UI {
	method := invoiceField(record.TypePayment, "method")
	ps := f.saved.Payments
	return app.Section().Class("card").Aria("labelledby", "payments-title").Body(
		app.H2().ID("payments-title").Text("Payments"),
		app.If(len(ps) == 0, func() app.UI { return app.P().Class("hint").Text("None recorded yet.") }),
		app.Ul().Class("list plain").Aria("label", "Payments").Body(
			app.Range(ps).Slice(func(i int) app.UI {
				p := ps[i]
				text := p.When.Time().Format("2 Jan 2006 15:04") + " · " + method.EnumLabel(p.Method) + " · " + formatMoney(p.Amount.Minor, p.Amount.Currency)
				if p.Tip.Minor != 0 {
					text += " + tip " + formatMoney(p.Tip.Minor, p.Tip.Currency)
				}
				if p.Reference != "" {
					text += " · ref. " + p.Reference
				}
				if f.removing == p.ID {
					return confirmRemoval("Remove this payment?",
						"Remove "+text+"? Only for a payment recorded by mistake: the invoice owes it again, and the payment stays in its history.",
						"Remove payment", p.ID, f.removePayment, func(ctx app.Context, e app.Event) { f.removing = "" })
				}
				return app.Li().Class("row").Body(
					app.Span().Style("flex", "1").Text(text),
					app.Button().Aria("label", "Remove the payment of "+p.When.Time().Format("2 Jan 2006 15:04")).Value(p.ID).Text("Remove…").
						OnClick(f.askRemovePayment),
				)
			}),
		),
		app.If(f.saved.Record.Status == "void", func() app.UI {
			return app.P().Class("hint").Text("A void invoice takes no payment.")
		}).Else(func() app.UI {
			return app.Form().OnSubmit(f.addPayment).Body(
				app.Div().Class("grid3").Body(
					enumSelect("pay-method", "Method", method, f.pay.method, false, f.ValueTo(&f.pay.method)),
					amountField("pay-amount", "Amount", f.payErrs.On("amount"), f.pay.amount, f.ValueTo(&f.pay.amount)),
					amountField("pay-tip", "Tip", f.payErrs.On("tip"), f.pay.tip, f.ValueTo(&f.pay.tip)),
				),
				textField("pay-ref", "Reference", f.payErrs.On("reference"), "Card slip or bank reference, if any.", f.pay.ref, f.ValueTo(&f.pay.ref)),
				app.If(f.payErr != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(f.payErr) }),
				app.Div().Class("actions").Body(app.Button().Type("submit").Text("Record payment")),
			)
		}),
	)
}

// askRemovePayment asks to confirm the removal of the payment its button
// names (read from the button, as weighings.askRemove says why).
func (f *invoiceForm) askRemovePayment(ctx app.Context, e app.Event) {
	f.removing = ctx.JSSrc().Get("value").String()
}

// removePayment removes the payment its button names, recorded by
// mistake.
func (f *invoiceForm) removePayment(ctx app.Context, e app.Event) {
	id := ctx.JSSrc().Get("value").String()
	f.payErr, f.note, f.removing = "", "", ""
	if err := current.RemovePayment(context.Background(), f.id, id); err != nil {
		f.payErr = errText(err)
		return
	}
	f.paymentsChanged("Payment removed.")
}

// paymentsChanged brings the form up to date after a payment recorded or
// removed here, as after another device's change: the payments, totals
// and fields not touched follow, and what is typed in the invoice's
// fields stays (a load would put back the saved values). The next
// payment starts at the balance.
func (f *invoiceForm) paymentsChanged(note string) {
	f.follow()
	f.pay = payRow{method: "card"}
	if f.saved.Err == nil && f.saved.Totals.Balance > 0 {
		f.pay.amount = plainAmount(f.saved.Totals.Balance, f.cur)
	}
	f.note = note
}

func (f *invoiceForm) addPayment(ctx app.Context, e app.Event) {
	e.PreventDefault()
	f.payErr, f.payErrs, f.note = "", nil, ""
	cur := f.saved.Totals.Currency
	if cur == "" {
		cur = f.cur
	}
	p := record.Payment{Method: f.pay.method, Reference: strings.TrimSpace(f.pay.ref)}
	var err error
	if p.Amount, err = parseMoney(f.pay.amount, cur); err != nil {
		f.payErrs = append(f.payErrs, record.FieldError{Field: "amount", Message: err.Error()})
	}
	if strings.TrimSpace(f.pay.tip) != "" {
		if p.Tip, err = parseMoney(f.pay.tip, cur); err != nil {
			f.payErrs = append(f.payErrs, record.FieldError{Field: "tip", Message: err.Error()})
		} else if p.Tip.Minor == 0 {
			p.Tip = record.Money{}
		}
	}
	if f.payErrs != nil {
		return
	}
	err = current.AddPayment(context.Background(), f.id, &p)
	if f.payErrs, f.payErr = saveFailure(err); err != nil {
		return
	}
	f.paymentsChanged("Payment recorded.")
}

// printCard holds the business name printed on the invoice and the print
// button.
func (f *invoiceForm) printCard() app.UI {
	// The name is part of the owner's settings: other roles print under
	// it as it is.
	owner, hint := current.Role().ManagesTeam(), "Shared with every device of the workspace."
	if !owner {
		hint = "Set by the workspace's owner."
	}
	return app.Section().Class("card").Aria("labelledby", "print-title").Body(
		app.H2().ID("print-title").Text("Print"),
		field("business", "Your business name, printed at the top", f.businessErr, hint, app.Input().ID("business").Type("text").ReadOnly(!owner).
			Attr("autocomplete", "organization").Value(f.business).Aria("invalid", f.businessErr != "").
			Aria("describedby", described("business", f.businessErr, "Kept on this device.")).
			OnInput(f.ValueTo(&f.business)).OnChange(func(ctx app.Context, e app.Event) { f.saveBusiness() })),
		app.Div().Class("actions").Body(
			app.Button().Class("primary").Text("Print").OnClick(func(ctx app.Context, e app.Event) {
				if !f.saveBusiness() {
					return
				}
				current.Viewed(session.ViewPrint, f.client, f.id)
				// After this render, so the printed page shows the name.
				ctx.Defer(func(app.Context) { app.Window().Call("print") })
			}),
		),
	)
}

// saveBusiness keeps the business name as typed; false if it was refused.
func (f *invoiceForm) saveBusiness() bool {
	f.businessErr = ""
	if err := current.SetBusinessName(context.Background(), f.business); err != nil {
		f.businessErr = err.Error()
		return false
	}
	f.business = current.BusinessName()
	return true
}

// printable is the invoice as printed, from the saved invoice only: what
// is printed is what is stored.
func (f *invoiceForm) printable() app.UI {
	v := f.saved
	t, cur := v.Totals, v.Totals.Currency
	status, method := invoiceField(record.TypeInvoice, "status"), invoiceField(record.TypePayment, "method")
	m := func(n int64) string { return formatMoney(n, cur) }
	business := f.business
	if business == "" {
		business = "Invoice"
	}
	return app.Section().Class("print-only", "printed").Aria("label", "Printable invoice").Body(
		app.Header().Class("printed-head").Body(
			app.Div().Body(
				app.P().Class("printed-business").Text(business),
				app.P().Text("Bill to: "+f.clientName),
				app.If(f.clientAddr != "", func() app.UI { return app.P().Class("printed-address").Text(f.clientAddr) }),
			),
			app.Div().Class("printed-meta").Body(
				app.P().Class("printed-title").Text("Invoice "+v.Record.Number),
				app.P().Text("Date: "+dateText(v.Record.Issued)),
				app.If(!v.Record.Due.IsZero(), func() app.UI { return app.P().Text("Due: " + dateText(v.Record.Due)) }),
				app.If(v.Record.Status != "issued", func() app.UI {
					return app.P().Class("printed-status").Text(strings.ToUpper(status.EnumLabel(v.Record.Status)))
				}),
			),
		),
		app.If(v.Err != nil, func() app.UI { return app.P().Text(errText(v.Err)) }).Else(func() app.UI {
			return app.Div().Class("printed-lines").Attr("role", "table").Aria("label", "Lines").Body(
				app.Div().Class("tr", "head").Attr("role", "row").Body(
					cell("columnheader", "Description"), cell("columnheader", "Qty"), cell("columnheader", "Unit price"), cell("columnheader", "Amount"),
				),
				app.Range(v.Lines).Slice(func(i int) app.UI {
					l := v.Lines[i]
					return app.Div().Class("tr").Attr("role", "row").Body(
						cell("cell", l.Description), cell("cell", strconv.FormatInt(l.Quantity, 10)),
						cell("cell", m(l.UnitPrice.Minor)), cell("cell", lineAmount(l.InvoiceLine)),
					)
				}),
				printedRow("Subtotal", m(t.Subtotal), false),
				app.If(t.Discount != 0, func() app.UI { return printedRow(discountLabel(v.Record), "−"+m(t.Discount), false) }),
				printedRow("Tax ("+percentText(v.Record.TaxRate)+"%)", m(t.Tax), false),
				printedRow("Total", m(t.Total), true),
				app.If(t.Paid != 0, func() app.UI { return printedRow("Paid", "−"+m(t.Paid), false) }),
				printedRow("Balance due", m(t.Balance), true),
			)
		}),
		app.If(len(v.Payments) > 0, func() app.UI {
			return app.Ul().Class("printed-payments").Aria("label", "Payments").Body(app.Range(v.Payments).Slice(func(i int) app.UI {
				p := v.Payments[i]
				return app.Li().Text("Paid " + dateText(record.DateOf(p.When.Time())) + " by " + method.EnumLabel(p.Method) + ": " + m(p.Amount.Minor))
			}))
		}),
		app.If(v.Record.Notes != "", func() app.UI { return app.P().Class("printed-notes").Text(v.Record.Notes) }),
	)
}

// cell is one cell of a table made of divs: go-app's table elements would
// add about 60 KB to the app's first load for two small tables.
func cell(role, text string) app.UI { return app.Span().Attr("role", role).Text(text) }

// printedRow is a row below the printed lines: a label across three
// columns, and an amount.
func printedRow(label, value string, strong bool) app.UI {
	class := []string{"tr", "sum"}
	if strong {
		class = append(class, "strong")
	}
	return app.Div().Class(class...).Attr("role", "row").Body(cell("rowheader", label), cell("cell", value))
}

// lineAmount is quantity × unit price as billing computes it.
func lineAmount(l record.InvoiceLine) string {
	t, err := billing.Compute(record.Invoice{}, []record.InvoiceLine{l}, nil)
	if err != nil {
		return "—"
	}
	return formatMoney(t.Subtotal, t.Currency)
}

// parsePercent reads a tax rate in percent ("20", "17.5", "17,5") as
// hundredths of a percent, 0 to 100%.
func parsePercent(s string) (int64, error) {
	bp, err := parseDecimal(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 2)
	if err != nil {
		return 0, err
	}
	if bp > billing.TaxRateMax {
		return 0, errors.New("at most 100%")
	}
	return bp, nil
}

// percentText is a rate in hundredths of a percent as percent: 2000 is
// "20", 1750 "17.5".
func percentText(bp int64) string {
	s := strconv.FormatInt(bp/100, 10)
	if frac := bp % 100; frac != 0 {
		f := strconv.FormatInt(frac+100, 10)[1:]
		s += "." + strings.TrimSuffix(f, "0")
	}
	return s
}

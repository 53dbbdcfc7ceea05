package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/search"
	"pawfile/app/session"
	"pawfile/app/syncclient"
	"pawfile/shared/record"
)

// clients is the client book: one search box over names, phones, emails,
// tags and pets, answering each keystroke.
type clients struct {
	app.Compo
	q      string
	hits   []search.Hit
	more   bool // more clients match than the rows shown
	rows   int  // how many rows to show: listPage, more after Show more
	total  int
	erased string // how many records an erasure just removed
	stop   func()
	loaded bool // OnNav has filled the list
	// A finger or pointer on the list holds its rows where they are: a
	// client arriving from another device and sorting above would move
	// the row being tapped. touches counts the presses, so a release
	// settles only the last; held is the press in progress or settling;
	// waiting, a re-read held back until it settles.
	touches       int
	held, waiting bool
}

// listPage is how many rows the client list shows at first, and adds at
// each Show more: a tablet's screen holds about fifteen, and every row
// shown is rendered again at each keystroke (with 100 rows a key took
// 80 ms to reach the screen in BenchmarkTablet).
const listPage = 40

// settle is how long the rows stay put after the finger lifts: the tap's
// click comes after the release.
const settle = 400 * time.Millisecond

func (c *clients) OnMount(ctx app.Context) {
	c.stop = live(ctx, func(app.Context) {
		if c.held {
			// The count above the rows follows; the rows wait.
			c.total, c.waiting = current.ClientCount(), true
			return
		}
		c.refresh()
	})
}

// press holds the rows while a pointer is down on the list.
func (c *clients) press(ctx app.Context, e app.Event) {
	c.touches++
	c.held = true
}

// release lets the rows move again once the press has settled, and
// applies the re-read held back meanwhile.
func (c *clients) release(ctx app.Context, e app.Event) {
	if !c.held {
		return
	}
	n := c.touches
	ctx.After(settle, func(app.Context) {
		if c.touches != n {
			return // pressed again meanwhile: that press holds them
		}
		c.held = false
		if c.waiting {
			c.waiting = false
			c.refresh()
		}
	})
}

func (c *clients) OnDismount() {
	if c.stop != nil {
		c.stop()
	}
}

func (c *clients) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	if !current.Role().CanRead(record.ClassClient) {
		// A role without client records (a groomer) starts on its day.
		ctx.Navigate("/today")
		return
	}
	c.erased = ctx.Page().URL().Query().Get("erased")
	c.refresh()
	c.loaded = true
}

func (c *clients) refresh() {
	if current.Phase() != session.Open {
		return
	}
	c.total = current.ClientCount()
	c.rows = max(c.rows, listPage)
	if strings.TrimSpace(c.q) == "" {
		c.hits = current.FirstClients(c.rows + 1)
	} else {
		c.hits = current.SearchClients(c.q, c.rows+1)
	}
	c.more = len(c.hits) > c.rows
	c.hits = c.hits[:min(len(c.hits), c.rows)]
}

// showMore adds a page of rows to the list.
func (c *clients) showMore(ctx app.Context, e app.Event) {
	c.rows += listPage
	c.refresh()
}

func (c *clients) Render() app.UI {
	if !c.loaded {
		return opening()
	}
	return &frame{Content: []app.UI{
		app.Div().Class("row").Body(
			app.H1().Text("Clients"),
			app.A().Class("button").Href("/import").Style("margin-left", "auto").Text("Import from CSV"),
			app.A().Class("button", "primary").Href("/clients/new").Text("New client"),
		),
		app.If(c.erased != "", func() app.UI {
			return app.Div().Class("note").Attr("role", "status").Text("Client erased: " + c.erased + " records are gone from this device and will be from the others and the server.")
		}),
		app.Div().Class("search").Body(
			app.Label().For("q").Text("Search clients, phones, emails, tags or pets"),
			app.Input().ID("q").Type("search").Attr("autocomplete", "off").Placeholder("e.g. Bella or 07700").Value(c.q).
				OnInput(func(ctx app.Context, e app.Event) {
					c.q, c.rows = ctx.JSSrc().Get("value").String(), listPage
					c.refresh()
				}),
		),
		// The lines above the rows come and go with the query: in a
		// block of their own, so that the rows keep their place among the
		// screen's elements. go-app matches elements by place, and the
		// rows one place further would be built anew from scratch (the
		// first key typed and the last taken back did so, 40 rows each).
		app.Div().Body(
			app.If(strings.TrimSpace(c.q) == "" && c.total > 0, func() app.UI {
				if c.total > len(c.hits) {
					return app.P().Class("count").Text(fmt.Sprintf("Showing the first %d of %s clients: search to find the others.", len(c.hits), thousands(c.total)))
				}
				return app.P().Class("count").Text(thousands(c.total) + " " + plural(c.total, "client", "clients"))
			}),
			app.If(receiving(current.Sync()) != "", func() app.UI {
				return app.P().Class("note").Attr("role", "status").Text(receiving(current.Sync()))
			}),
		),
		app.If(len(c.hits) == 0, func() app.UI {
			if strings.TrimSpace(c.q) != "" {
				return app.P().Class("empty").Text(noMatch(c.q, current.Sync()))
			}
			return app.P().Class("empty").Text("No clients yet: add your first with New client.")
		}).Else(func() app.UI {
			return app.Ul().Class("list").Aria("label", "Clients").
				On("pointerdown", c.press).On("pointerup", c.release).On("pointercancel", c.release).On("pointerleave", c.release).Body(
				app.Range(c.hits).Slice(func(i int) app.UI {
					h := c.hits[i]
					return app.Li().Body(app.A().Href("/clients/"+h.ID).Body(
						app.Span().Class("client-name").Text(h.Name),
						petLines(current.PetsOf(h.ID), false),
					))
				}),
			)
		}),
		app.If(c.more, func() app.UI {
			return app.Div().Class("actions").Body(app.Button().Text(fmt.Sprintf("Show %d more", listPage)).OnClick(c.showMore))
		}),
	}}
}

// receiving says, while the device is still pulling the book, how far it
// has come: a client not found may only not have arrived yet. A new
// device receives its clients first, then their pets, and says when they
// are in.
func receiving(st syncclient.Status) string {
	pct, ok := st.Receiving()
	switch {
	case !ok:
		return ""
	case st.ClientsIn:
		return fmt.Sprintf("Every client and pet is here; still receiving past bookings: %d%%", pct)
	case st.Pets:
		return fmt.Sprintf("Every client is here; still receiving their pets: %d%%", pct)
	case st.Bootstrap:
		return fmt.Sprintf("Still receiving clients: %d%%", pct)
	}
	return fmt.Sprintf("Still receiving the book: %d%%", pct)
}

// noMatch is what a search that finds nothing says: while clients or
// pets may be missing, not that the client is not there (a person would
// add them again), but to wait for the rest.
func noMatch(q string, st syncclient.Status) string {
	if _, ok := st.Receiving(); ok && !st.ClientsIn {
		return "No client matches “" + q + "” yet: wait for the rest of the book before adding them."
	}
	return "No client matches “" + q + "”."
}

// clientForm creates or edits a client.
type clientForm struct {
	app.Compo
	here    string // its address, where it offers to undo a change made on it
	id      string
	isNew   bool
	created bool // just saved for the first time: the address changes to its id
	c       record.Client
	base    *record.Client // c as it was opened; nil for a new client
	phones  []string
	errs    record.Errors
	err     string
	saved   bool
	erasing bool   // the erase confirmation is shown
	emails  string // comma-separated in the form
	tags    string
	draft   draftKeeper
	loaded  bool       // OnNav has filled the form
	clashes []conflict // fields changed here and on another device since base
	stop    func()
}

func (f *clientForm) OnMount(ctx app.Context) {
	f.stop = live(ctx, func(app.Context) { f.follow() })
}

func (f *clientForm) OnDismount() {
	if f.stop != nil {
		f.stop()
	}
}

// typed is the client as the form holds it, its lists as typed.
func (f *clientForm) typed() record.Client {
	c := f.c
	c.Phones = nil
	for _, p := range f.phones {
		if p = strings.TrimSpace(p); p != "" {
			c.Phones = append(c.Phones, p)
		}
	}
	c.Emails, c.Tags = list(f.emails), list(f.tags)
	return c
}

// show puts c into the form, its lists as the form types them.
func (f *clientForm) show(c record.Client) {
	was := f.typed()
	f.c = c
	if !slices.Equal(was.Phones, c.Phones) {
		f.phones = append([]string{}, c.Phones...)
		if len(f.phones) == 0 {
			f.phones = []string{""}
		}
	}
	if !slices.Equal(was.Emails, c.Emails) {
		f.emails = strings.Join(c.Emails, ", ")
	}
	if !slices.Equal(was.Tags, c.Tags) {
		f.tags = strings.Join(c.Tags, ", ")
	}
}

// follow brings the open card up to date with changes from other
// devices: fields not touched here take them; fields changed on both
// are held for the person to choose.
func (f *clientForm) follow() {
	f.clashes = nil
	if f.isNew || f.base == nil {
		return
	}
	var now record.Client
	if ok, err := current.LoadClient(f.id, &now); !ok || err != nil {
		return // gone or unreadable: the save says so
	}
	c := f.typed()
	var updated []*record.Field
	updated, f.clashes = follow(f.base, &c, &now)
	for i := range f.clashes {
		f.clashes[i].by = current.WrittenBy(record.TypeClient, f.id, f.clashes[i].field.Name)
	}
	f.show(c)
	// A text area shows what was typed into it over its text: put the
	// new value on screen.
	for _, u := range updated {
		switch u.Name {
		case "address", "preferences", "notes":
			showValues(u.Name, map[string]string{"address": c.Address, "preferences": c.Preferences, "notes": c.Notes}[u.Name])
		}
	}
}

// resolve keeps this form's value of the field named by the button's
// value (mine) or takes the other device's (theirs).
func (f *clientForm) resolve(mine bool) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		cur := f.typed()
		resolveClash(f.clashes, ctx.JSSrc().Get("value").String(), mine, f.base, &cur)
		f.show(cur)
		f.follow()
		if len(f.clashes) == 0 && f.err == clashMessage {
			f.err = "" // all settled: Save goes through now
		}
		f.keep(ctx, e)
	}
}

// clientDraft is the client form's state as its draft keeps it.
type clientDraft struct {
	Client       record.Client
	Base         *record.Client // what the form was opened on; nil in drafts kept before bases
	Phones       []string
	Emails, Tags string
}

func (f *clientForm) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	f.here = ctx.Page().URL().Path
	id := strings.TrimPrefix(ctx.Page().URL().Path, "/clients/")
	if f.created && id == f.id {
		// Just created: the address now names the client; keep the form.
		f.created = false
		return
	}
	f.load(id)
	f.loaded = true
}

// load fills the form with client id ("new" for a new one), or with the
// draft kept for it.
func (f *clientForm) load(id string) {
	f.errs, f.err, f.saved, f.erasing, f.created = nil, "", false, false, false
	key := id
	if id == "new" {
		f.id, f.isNew, f.c, f.base = record.NewID(), true, record.Client{}, nil
		key = session.NewDraftID
	} else {
		f.id, f.isNew, f.c, f.base = id, false, record.Client{}, nil
		ok, err := current.LoadClient(id, &f.c)
		if ok {
			f.base = baseOf(&f.c)
		}
		if err != nil {
			f.err = err.Error()
		}
		if !ok {
			f.err = "This client is not on this device (deleted, or not synced yet)."
		} else {
			current.Viewed(session.ViewOpen, id, "")
		}
	}
	f.emails, f.tags = strings.Join(f.c.Emails, ", "), strings.Join(f.c.Tags, ", ")
	f.phones = append([]string{}, f.c.Phones...)
	var d clientDraft
	if rid, ok := f.draft.open(record.TypeClient, key, &d); ok && (f.isNew || rid == f.id) {
		f.c, f.phones, f.emails, f.tags = d.Client, d.Phones, d.Emails, d.Tags
		if d.Base != nil && !f.isNew {
			f.base = d.Base
		}
		if f.isNew && record.ValidID(rid) {
			f.id = rid
		}
	}
	if len(f.phones) == 0 {
		f.phones = []string{""}
	}
	f.follow() // a draft's base may be older than the record now
}

// keep keeps the form's draft after a change.
func (f *clientForm) keep(ctx app.Context, e app.Event) {
	f.draft.changed(ctx, f.id, func() any {
		return clientDraft{Client: f.c, Base: f.base, Phones: f.phones, Emails: f.emails, Tags: f.tags}
	})
}

func (f *clientForm) discard(ctx app.Context, e app.Event) {
	f.draft.drop()
	if f.isNew {
		f.load("new")
	} else {
		f.load(f.id)
	}
}

func (f *clientForm) Render() app.UI {
	if !f.loaded {
		return opening()
	}
	title := "Edit client"
	if f.isNew {
		title = "New client"
	}
	return &frame{Here: f.here, Content: []app.UI{
		app.H1().Text(title),
		app.If(!f.isNew, func() app.UI {
			return app.Section().Class("card").Aria("labelledby", "pets-title").Body(
				app.H2().ID("pets-title").Text("Pets"),
				petLines(current.PetsOf(f.id), true),
				app.Div().Class("actions").Body(app.A().Class("button").Href("/clients/"+f.id+"/pets/new").Text("Add a pet")),
			)
		}),
		app.If(!f.isNew, func() app.UI { return &clientProjects{Client: f.id} }),
		f.draft.notice(f.discard),
		app.Form().Class("card").OnSubmit(f.save).OnInput(f.keep).OnChange(f.keep).Body(
			field("name", "Name", f.errs.On("name"), "", app.Input().ID("name").Type("text").Attr("autocomplete", "off").Value(f.c.Name).
				Aria("invalid", f.errs.On("name") != "").Aria("describedby", described("name", f.errs.On("name"), "")).
				OnInput(f.ValueTo(&f.c.Name))),
			app.FieldSet().Style("border", "0").Style("padding", "0").Style("margin", "0").Body(
				app.Legend().Style("font-weight", "600").Style("margin-top", "1rem").Text("Phones"),
				app.Range(f.phones).Slice(func(i int) app.UI {
					id := "phone-" + string(rune('1'+i))
					return app.Div().Class("row").Style("margin-top", ".5rem").Body(
						app.Label().For(id).Style("margin", "0").Style("min-width", "5.5rem").Text("Phone "+string(rune('1'+i))),
						app.Input().ID(id).Type("tel").Attr("autocomplete", "off").Value(f.phones[i]).
							Aria("invalid", f.errs.On("phones") != "").
							OnInput(func(ctx app.Context, e app.Event) { f.phones[i] = ctx.JSSrc().Get("value").String() }),
					)
				}),
				app.If(f.errs.On("phones") != "", func() app.UI { return app.P().Class("error").Text(f.errs.On("phones")) }),
				app.If(len(f.phones) < 10, func() app.UI {
					return app.Button().Type("button").Style("margin-top", ".5rem").Text("Add a phone").
						OnClick(func(ctx app.Context, e app.Event) { f.phones = append(f.phones, "") })
				}),
			),
			textField("emails", "Emails", f.errs.On("emails"), "Separate several with commas.", f.emails, f.ValueTo(&f.emails)),
			field("address", "Address", f.errs.On("address"), "", app.Textarea().ID("address").Class("short").Text(f.c.Address).
				Aria("invalid", f.errs.On("address") != "").OnInput(f.ValueTo(&f.c.Address))),
			enumField("channel", "Preferred contact", "preferred_channel", f.c.PreferredChannel, f.ValueTo(&f.c.PreferredChannel)),
			app.Div().Class("grid3").Body(
				textField("emergency-name", "Emergency contact", f.errs.On("emergency_contact_name"), "", f.c.EmergencyContactName, f.ValueTo(&f.c.EmergencyContactName)),
				textField("emergency-phone", "Emergency phone", f.errs.On("emergency_contact_phone"), "", f.c.EmergencyContactPhone, f.ValueTo(&f.c.EmergencyContactPhone)),
			),
			textField("tags", "Tags", f.errs.On("tags"), "Separate several with commas, e.g. regular, mobile.", f.tags, f.ValueTo(&f.tags)),
			field("preferences", "Preferences", f.errs.On("preferences"), "", app.Textarea().ID("preferences").Class("short").Text(f.c.Preferences).
				Aria("invalid", f.errs.On("preferences") != "").OnInput(f.ValueTo(&f.c.Preferences))),
			field("notes", "Notes", f.errs.On("notes"), "", app.Textarea().ID("notes").Text(f.c.Notes).
				Aria("invalid", f.errs.On("notes") != "").Aria("describedby", described("notes", f.errs.On("notes"), "")).
				OnInput(f.ValueTo(&f.c.Notes))),
			app.FieldSet().Class("checks").Body(
				app.Legend().Text("Consent and booking"),
				checkbox("marketing", "Agrees to marketing", f.c.MarketingConsent, func(on bool) { f.c.MarketingConsent, f.c.MarketingConsentDate = on, today() }),
				checkbox("photos", "Agrees to photos being shared", f.c.PhotoConsent, func(on bool) { f.c.PhotoConsent, f.c.PhotoConsentDate = on, today() }),
				checkbox("do-not-book", "Do not book", f.c.DoNotBook, func(on bool) { f.c.DoNotBook = on }),
				checkbox("legal-hold", "Legal hold: keep all their records (never erased or archived)", f.c.LegalHold, func(on bool) { f.c.LegalHold = on }),
			),
			app.If(!f.c.MarketingConsentDate.IsZero() || !f.c.PhotoConsentDate.IsZero(), func() app.UI {
				return app.P().Class("hint").Text(consentText(&f.c))
			}),
			app.If(f.c.DoNotBook, func() app.UI {
				return textField("dnb-reason", "Why not to book", f.errs.On("do_not_book_reason"), "", f.c.DoNotBookReason, f.ValueTo(&f.c.DoNotBookReason))
			}),
			clashNotes(f.clashes, f.resolve), // beside Save, where the person goes next
			app.If(f.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(f.err) }),
			app.If(f.saved, func() app.UI { return app.Div().Class("note").Attr("role", "status").Text("Saved on this device.") }),
			app.Div().Class("actions").Body(
				app.Button().Class("primary").Type("submit").Text("Save"),
				app.A().Class("button").Href("/clients").Text("Back to clients"),
			),
		),
		app.If(!f.isNew, func() app.UI { return &invoiceList{Client: f.id} }),
		app.If(!f.isNew, func() app.UI { return &contactLog{Client: f.id} }),
		app.If(!f.isNew, func() app.UI { return &recordHistory{Type: record.TypeClient, ID: f.id} }),
		app.If(!f.isNew, func() app.UI { return f.eraseCard() }),
	}}
}

// eraseCard offers a client's erasure (a GDPR erasure request), behind a
// confirmation that says what goes.
func (f *clientForm) eraseCard() app.UI {
	if !f.erasing {
		return app.Div().Class("actions").Body(
			app.A().Class("button").Href("/clients/"+f.id+"/export").Text("Export their data"),
			app.Button().Class("danger").Text("Erase this client…").OnClick(func(ctx app.Context, e app.Event) { f.erasing = true }),
		)
	}
	pets := current.PetsOf(f.id)
	return app.Section().Class("card", "danger-zone").Attr("role", "alertdialog").Aria("labelledby", "erase-title").Body(
		app.H2().ID("erase-title").Text("Erase "+f.c.Name+" for good?"),
		app.P().Text(fmt.Sprintf("This erases the client, %d pet(s) and every record about them (vaccinations, visits, notes, invoices) on every device and on the server. It cannot be undone. Use it for an erasure request; export their data first if they asked for a copy.", len(pets))),
		app.Div().Class("actions").Body(
			app.Button().Class("danger").Text("Erase "+f.c.Name).OnClick(f.erase),
			app.Button().Text("Keep the client").OnClick(func(ctx app.Context, e app.Event) { f.erasing = false }),
		),
	)
}

func (f *clientForm) erase(ctx app.Context, e app.Event) {
	n, err := current.EraseClient(context.Background(), f.id)
	if err != nil {
		f.err = err.Error()
		return
	}
	f.erasing = false
	ctx.Navigate("/clients?erased=" + strconv.Itoa(n))
}

func (f *clientForm) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.follow(); len(f.clashes) > 0 {
		f.err = clashMessage
		return
	}
	f.c = f.typed()
	f.c.Name = strings.TrimSpace(f.c.Name)
	f.saved = false
	err := current.SaveClient(context.Background(), f.id, f.base, &f.c)
	if f.errs, f.err = saveFailure(err); err == nil {
		f.saved, f.base = true, baseOf(&f.c)
		f.draft.saved(f.id)
		if f.isNew {
			f.isNew, f.created = false, true
			ctx.Navigate("/clients/" + f.id)
		}
	}
}

// enumField is a select over a client field's enum values, with a blank
// choice for "not set".
func enumField(id, label, name, value string, onChange app.EventHandler) app.UI {
	sc, _ := record.SchemaOf(record.TypeClient)
	return enumSelect(id, label, must(sc.Field(name)), value, true, onChange)
}

// checkbox is a labelled checkbox; the whole label is the touch target.
func checkbox(id, label string, on bool, set func(bool)) app.UI {
	return app.Label().For(id).Class("check").Body(
		app.Input().ID(id).Type("checkbox").Checked(on).
			// Scoped by id: go-app keeps a handler whose code it has seen
			// at that place, and a list's checkbox (a pet, a staff member)
			// must toggle its own item, not the one first shown there.
			OnChange(func(ctx app.Context, e app.Event) { set(ctx.JSSrc().Get("checked").Bool()) }, app.EventScope(id)),
		app.Span().Text(label),
	)
}

// consentText says when consent was given or withdrawn: the record a
// business must keep.
func consentText(c *record.Client) string {
	var parts []string
	for _, x := range []struct {
		what string
		on   bool
		when record.Date
	}{{"Marketing", c.MarketingConsent, c.MarketingConsentDate}, {"Photos", c.PhotoConsent, c.PhotoConsentDate}} {
		if x.when.IsZero() {
			continue
		}
		verb := "withdrawn"
		if x.on {
			verb = "given"
		}
		parts = append(parts, x.what+": consent "+verb+" on "+string(x.when))
	}
	return strings.Join(parts, " · ")
}

package ui

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/record"
	"pawfile/shared/schedule"
)

// projectField is a field of the project schema, for its labels and enums.
func projectField(name string) *record.Field {
	sc, _ := record.SchemaOf(record.TypeProject)
	return must(sc.Field(name))
}

// projectForm books or edits a project: an appointment, a course or
// another job, with its status buttons, tasks, milestones and notes.
type projectForm struct {
	app.Compo
	here       string // its address, where it offers to undo a change made on it
	id, client string
	isNew      bool
	created    bool // just saved for the first time: the address changes to its id
	p          record.Project
	base       *record.Project // p as it was opened or last saved; nil for a new booking
	// The schedule and money as typed.
	date, start, minutes, price, repeat string
	asking                              string // "cancelled" or "no_show" while its reason is asked
	reason                              string
	againOn                             string // the day to book again on
	next                                string // the next visit, booked by marking this one done
	errs                                record.Errors
	err, saved                          string
	feedbackSaved                       bool // the last save was the feedback card's
	ui                                  app.Context
	draft                               draftKeeper
	loaded                              bool       // OnNav has filled the form
	clashes                             []conflict // fields changed here and on another device since base
	stop                                func()
}

// projectDraft is the booking form's state as its draft keeps it, with
// the reason being typed for cancelling.
type projectDraft struct {
	Project                             record.Project
	Base                                *record.Project // what the form was opened on; nil in drafts kept before bases
	Date, Start, Minutes, Price, Repeat string
	Asking, Reason                      string
}

func (f *projectForm) OnMount(ctx app.Context) {
	f.ui = ctx
	loadStaffNames(ctx)
	f.stop = live(ctx, func(app.Context) {
		if f.loaded {
			f.follow()
		}
	})
}

func (f *projectForm) OnDismount() {
	if f.stop != nil {
		f.stop()
	}
}

// follow brings the open booking up to date with changes from other
// devices, as the client form does: fields not touched here take them;
// fields changed on both are held for the person to choose. While the
// time, duration, price or repeat typed do not read (half typed), it
// waits: the next change or the save brings it up to date.
func (f *projectForm) follow() {
	f.clashes = nil
	if f.isNew || f.base == nil {
		return
	}
	var now record.Project
	if ok, err := current.LoadProject(f.id, &now); !ok || err != nil {
		return // gone or unreadable: the save says so
	}
	p, errs := f.build()
	if errs != nil {
		return
	}
	updated, clashes := follow(f.base, &p, &now)
	en, err := record.Encode(&now)
	if err != nil {
		return
	}
	for i := range clashes {
		clashes[i].by = current.WrittenBy(record.TypeProject, f.id, clashes[i].field.Name)
	}
	f.clashes = clashes
	// The form keeps what is typed as typed (build trims it): only the
	// fields taken change, and those typed as text are shown anew.
	for _, u := range updated {
		take(u, en[u.Name], &f.p)
		f.typedFrom(u.Name)
		switch u.Name {
		case "scope", "outcome":
			// A text area shows what was typed into it over its text.
			showValues(u.Name, map[string]string{"scope": f.p.Scope, "outcome": f.p.Outcome}[u.Name])
		}
	}
}

// resolve keeps this form's value of the field named by the button's
// value (mine) or takes the other device's (theirs).
func (f *projectForm) resolve(mine bool) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		name := ctx.JSSrc().Get("value").String()
		p, errs := f.build()
		if errs != nil {
			f.errs = errs
			return
		}
		f.p = p
		resolveClash(f.clashes, name, mine, f.base, &f.p)
		f.typedFrom(name)
		f.follow()
		if len(f.clashes) == 0 && f.err == clashMessage {
			f.err = "" // all settled: Save goes through now
		}
		f.keep(ctx, e)
	}
}

func (f *projectForm) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	f.here = ctx.Page().URL().Path
	u := ctx.Page().URL()
	if f.created && u.Path == "/projects/"+f.id {
		f.created = false
		return
	}
	f.load(u.Path, u.Query().Get("date"), u.Query().Get("time"), u.Query().Get("staff"))
	f.loaded = true
}

// load fills the form from the project its address names, or a new
// booking for the client it names, at the day, time and staff member a
// calendar slot passed along; or with the draft kept for either.
func (f *projectForm) load(path, date, at, staff string) {
	*f = projectForm{Compo: f.Compo, ui: f.ui, loaded: f.loaded, stop: f.stop, here: f.here}
	f.loadRecord(path, date, at, staff)
	f.againOn = f.againFrom()
	if f.client == "" {
		return // the client is chosen first
	}
	key := f.id
	if f.isNew {
		key = session.NewDraftID
	}
	var d projectDraft
	// A new booking's draft is of one client's new booking: not another's.
	if rid, ok := f.draft.open(record.TypeProject, key, &d); ok && d.Project.Client == f.client {
		// The status changes by its buttons, each saving at once: a draft
		// of the form must not take it back.
		status, reason := f.p.Status, f.p.StatusReason
		f.p, f.date, f.start, f.minutes, f.price, f.repeat = d.Project, d.Date, d.Start, d.Minutes, d.Price, d.Repeat
		f.p.Status, f.p.StatusReason, f.asking, f.reason = status, reason, d.Asking, d.Reason
		if d.Base != nil && !f.isNew {
			// The status is the record's now, as above: so is its base.
			f.base = d.Base
			f.base.Status, f.base.StatusReason = status, reason
		}
		if f.isNew && record.ValidID(rid) {
			f.id = rid
		}
	} else if ok {
		f.draft.restored = time.Time{}
	}
	f.follow() // a draft's base may be older than the record now
}

// keep keeps the form's draft after a change.
func (f *projectForm) keep(ctx app.Context, e app.Event) {
	f.draft.changed(ctx, f.id, func() any {
		return projectDraft{Project: f.p, Base: f.base, Date: f.date, Start: f.start, Minutes: f.minutes, Price: f.price, Repeat: f.repeat,
			Asking: f.asking, Reason: f.reason}
	})
}

func (f *projectForm) discard(ctx app.Context, e app.Event) {
	f.draft.drop()
	u := ctx.Page().URL()
	f.load(u.Path, u.Query().Get("date"), u.Query().Get("time"), u.Query().Get("staff"))
}

// loadRecord fills the form from the project path names, or a new one.
func (f *projectForm) loadRecord(path, date, at, staff string) {
	if strings.HasSuffix(path, "/projects/new") {
		f.isNew, f.id = true, record.NewID()
		f.client = strings.TrimSuffix(strings.TrimPrefix(path, "/clients/"), "/projects/new")
		if f.client == "/projects/new" {
			f.client = "" // chosen on the form first
		}
		f.p = record.Project{Client: f.client, Kind: schedule.KindGrooming, Status: schedule.Planned}
		if pets := current.PetsOf(f.client); len(pets) == 1 {
			f.p.Pets = []string{pets[0].ID}
		}
		if staff == "" {
			staff = current.Me()
		}
		if record.ValidID(staff) {
			f.p.AssignedStaff = []string{staff}
		}
		f.date, f.start, f.minutes = cmpOr(date, string(today())), cmpOr(at, "09:00"), "90"
		return
	}
	f.id = strings.TrimPrefix(path, "/projects/")
	ok, err := current.LoadProject(f.id, &f.p)
	if ok {
		f.base = baseOf(&f.p)
	}
	switch {
	case err != nil:
		f.err = err.Error()
	case !ok:
		f.err = "This booking is not on this device (deleted, or not synced yet)."
	}
	f.client = f.p.Client
	f.fromRecord()
}

// fromRecord sets the typed fields from f.p.
func (f *projectForm) fromRecord() { f.typedFrom("start", "price", "repeat_weeks") }

// typedFrom sets the typed fields that show the project's fields named
// from f.p; other names have none.
func (f *projectForm) typedFrom(names ...string) {
	for _, n := range names {
		switch n {
		case "start", "end":
			f.date, f.start, f.minutes = "", "", ""
			if !f.p.Start.IsZero() {
				t := f.p.Start.Time()
				f.date, f.start = string(record.DateOf(t)), t.Format("15:04")
				if !f.p.End.IsZero() {
					f.minutes = strconv.FormatInt((f.p.End.UnixMilli-f.p.Start.UnixMilli)/60000, 10)
				}
			}
		case "price":
			f.price = ""
			if !f.p.Price.IsZero() {
				f.price = plainAmount(f.p.Price.Minor, f.p.Price.Currency)
			}
		case "repeat_weeks":
			f.repeat = ""
			if f.p.RepeatWeeks > 0 {
				f.repeat = strconv.FormatInt(f.p.RepeatWeeks, 10)
			}
		}
	}
}

// currency is that of the price: the booking's own, else the workspace's.
func (f *projectForm) currency() string {
	if f.p.Price.Currency != "" {
		return f.p.Price.Currency
	}
	return current.Currency()
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// build makes the project the form shows from what was typed; the errors
// are on the fields to correct.
func (f *projectForm) build() (record.Project, record.Errors) {
	p := f.p
	p.Title, p.Scope, p.Outcome = strings.TrimSpace(p.Title), strings.TrimSpace(p.Scope), strings.TrimSpace(p.Outcome)
	var errs record.Errors
	p.Start, p.End = record.Instant{}, record.Instant{}
	if f.date != "" || f.start != "" {
		zone := cmpOr(f.p.Start.Zone, current.Zone())
		h, m, ok := parseClock(f.start)
		if !ok {
			errs = append(errs, record.FieldError{Field: "start", Message: "start time: use a time such as 09:30"})
		} else if st, err := schedule.At(record.Date(f.date), h, m, zone); err != nil {
			errs = append(errs, record.FieldError{Field: "start", Message: "start: " + err.Error()})
		} else {
			p.Start = st
			if mins := strings.TrimSpace(f.minutes); mins != "" {
				n, err := strconv.Atoi(mins)
				if err != nil || n < 1 || n > 24*60 {
					errs = append(errs, record.FieldError{Field: "end", Message: "duration: minutes from 1 to 1440, such as 90"})
				} else {
					p.End = record.Instant{UnixMilli: st.UnixMilli + int64(n)*60000, Zone: st.Zone}
				}
			}
		}
	}
	p.Price = record.Money{}
	if s := strings.TrimSpace(f.price); s != "" {
		m, err := parseMoney(s, f.currency())
		if err != nil {
			errs = append(errs, record.FieldError{Field: "price", Message: "price: " + err.Error()})
		}
		p.Price = m
	}
	p.RepeatWeeks = 0
	if s := strings.TrimSpace(f.repeat); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			errs = append(errs, record.FieldError{Field: "repeat_weeks", Message: "repeat every: a number of weeks, such as 6"})
		}
		p.RepeatWeeks = n
	}
	return p, errs
}

// parseClock reads "HH:MM", as a time input gives it.
func parseClock(s string) (h, m int, ok bool) {
	hs, ms, found := strings.Cut(strings.TrimSpace(s), ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	return h, m, found && err1 == nil && err2 == nil && len(ms) == 2
}

// save saves the form with status (and its reason) as the new status.
func (f *projectForm) save(status, reason string) {
	f.saved, f.next, f.feedbackSaved = "", "", false
	if f.follow(); len(f.clashes) > 0 {
		f.err = clashMessage
		return
	}
	p, errs := f.build()
	if errs != nil {
		f.errs, f.err = errs, ""
		return
	}
	p.Status, p.StatusReason = status, reason
	next, err := current.SaveProject(context.Background(), f.id, f.base, &p)
	if f.errs, f.err = saveFailure(err); err != nil {
		if f.errs.On("status_reason") != "" {
			f.asking = status // the reason field, with the message beside it
		}
		return
	}
	f.draft.saved(f.id)
	f.p, f.next, f.asking, f.reason = p, next, "", ""
	f.base = baseOf(&f.p)
	f.fromRecord()
	f.saved = "Saved on this device."
	if status == schedule.Done && next != "" {
		f.saved = "Done. The next visit is booked."
	}
	if f.isNew {
		f.isNew, f.created = false, true
		f.ui.Navigate("/projects/" + f.id)
	}
}

func (f *projectForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	f.save(f.p.Status, f.p.StatusReason)
}

func (f *projectForm) reopen(ctx app.Context, e app.Event) {
	f.saved = ""
	if err := current.ReopenProject(context.Background(), f.id); err != nil {
		f.errs, f.err = saveFailure(err)
		return
	}
	current.LoadProject(f.id, &f.p)
	f.fromRecord()
	f.saved = "Reopened: the visit is in progress again."
}

// invoice opens the done project's invoice, made the first time.
func (f *projectForm) invoice(ctx app.Context, e app.Event) {
	f.saved = ""
	id, err := current.InvoiceProject(context.Background(), f.id, today())
	if f.errs, f.err = saveFailure(err); err != nil {
		return
	}
	ctx.Navigate("/invoices/" + id)
}

// againFrom is the day "Book again" offers: the visit's date plus its
// pets' grooming interval (the shortest, when several have one), six
// weeks when none has; today for a visit with no date.
func (f *projectForm) againFrom() string {
	if f.date == "" {
		return string(today())
	}
	var weeks int64
	for _, id := range f.p.Pets {
		var pet record.Pet
		ok, err := current.LoadPet(id, &pet)
		if err == nil && ok && pet.GroomingIntervalWeeks > 0 && (weeks == 0 || pet.GroomingIntervalWeeks < weeks) {
			weeks = pet.GroomingIntervalWeeks
		}
	}
	return cmpOr(string(schedule.AgainOn(record.Date(f.date), weeks)), string(today()))
}

// againSlot says what the new booking keeps of this one: its time and
// groomer, as schedule.BookAgain copies them.
func (f *projectForm) againSlot() string {
	s := "The same time"
	if f.start != "" {
		s = "At " + f.start
	}
	var who []string
	for _, id := range f.p.AssignedStaff {
		who = append(who, staffLabel(id))
	}
	if len(who) > 0 {
		s += " with " + strings.Join(who, ", ")
	}
	return s + ", as this visit."
}

func (f *projectForm) bookAgain(ctx app.Context, e app.Event) {
	on := cmpOr(f.againOn, string(today()))
	id, err := current.BookAgain(context.Background(), f.id, record.Date(on))
	if err != nil {
		f.err = err.Error()
		return
	}
	ctx.Navigate("/projects/" + id)
}

func (f *projectForm) Render() app.UI {
	if !f.loaded {
		return opening()
	}
	if f.client == "" && f.isNew {
		return &frame{Content: []app.UI{&clientPicker{Date: f.date, Time: f.start, Staff: strings.Join(f.p.AssignedStaff, "")}}}
	}
	title := f.p.Title
	switch {
	case f.isNew:
		title = "New booking"
	case title == "":
		title = "Booking"
	}
	pets := current.PetsOf(f.client)
	var chosen []session.PetSummary
	for _, p := range pets {
		if slices.Contains(f.p.Pets, p.ID) {
			chosen = append(chosen, p)
		}
	}
	var client record.Client
	current.LoadClient(f.client, &client) // a groomer cannot: "the client"
	clientName := client.Name
	archived := !f.isNew && current.Archived(f.id)
	return &frame{Here: f.here, Content: []app.UI{
		app.H1().Text(title),
		app.P().Class("hint").Body(
			app.Text("For "),
			app.A().Class("inline-target").Href("/clients/"+f.client).Text(cmpOr(clientName, "the client")),
			app.If(!f.isNew, func() app.UI { return app.Text(" · " + statusLabel(f.p.Status)) }),
		),
		app.If(archived, func() app.UI {
			return app.P().Class("note").ID("archived").Text("Archived: completed longer ago than the workspace keeps projects in use, so it is kept as it was, to read. " +
				"Book the client again from their card.")
		}),
		// An archived project is kept as it was: one disabled fieldset
		// stills every control below, its cards' included.
		app.FieldSet().Class("plain").Disabled(archived).Body(f.body(pets, chosen)...),
		app.If(!f.isNew, func() app.UI { return &recordHistory{Type: record.TypeProject, ID: f.id} }),
	}}
}

// body is the project's screen below its title: its alerts, status,
// photos, form and cards, but its history.
func (f *projectForm) body(pets, chosen []session.PetSummary) []app.UI {
	return []app.UI{
		app.If(len(chosen) > 0, func() app.UI {
			return app.Div().Class("card", "alerts-card").Aria("label", "Pets' care alerts").Body(
				app.Range(chosen).Slice(func(i int) app.UI {
					return app.Div().Class("pet").Body(app.Span().Class("pet-name").Text(chosen[i].Name), alertBadges(chosen[i].Alerts))
				}),
			)
		}),
		f.conflicts(),
		app.If(f.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(f.err) }),
		app.If(f.saved != "", func() app.UI {
			return app.Div().Class("note").Attr("role", "status").Body(
				app.Text(f.saved+" "),
				app.If(f.next != "", func() app.UI { return app.A().Href("/projects/" + f.next).Text("Open the next visit") }),
			)
		}),
		app.If(!f.isNew, f.statusCard),
		app.If(!f.isNew && f.p.Status == schedule.Done, f.feedbackCard),
		app.If(!f.isNew, func() app.UI { return &projectPhotos{Project: f.id, Client: f.client, Pets: chosen} }),
		f.draft.notice(f.discard),
		app.Form().Class("card").OnSubmit(f.submit).OnInput(f.keep).OnChange(f.keep).Body(
			app.If(len(pets) == 0, func() app.UI {
				return app.P().Class("hint").Body(app.Text("This client has no pets yet. "), app.A().Class("inline-target").Href("/clients/"+f.client+"/pets/new").Text("Add a pet"))
			}).Else(func() app.UI {
				return app.FieldSet().Class("checks").Body(
					app.Legend().Text("Pets"),
					app.Range(pets).Slice(func(i int) app.UI {
						p := pets[i]
						return checkbox("pet-"+p.ID, p.Name, slices.Contains(f.p.Pets, p.ID), func(on bool) { f.p.Pets = toggle(f.p.Pets, p.ID, on) })
					}),
				)
			}),
			app.If(f.errs.On("pets") != "", func() app.UI { return app.P().Class("error").Text(f.errs.On("pets")) }),
			app.Div().Class("grid3").Body(
				enumSelect("kind", "Kind", projectField("kind"), f.p.Kind, false, f.ValueTo(&f.p.Kind)),
				textField("title", "Title", f.errs.On("title"), "", f.p.Title, f.ValueTo(&f.p.Title)),
			),
			field("scope", "Scope", f.errs.On("scope"), "What is to be done: e.g. bath, clip, nails, ears.", app.Textarea().ID("scope").Class("short").Text(f.p.Scope).
				Aria("describedby", "scope-hint").OnInput(f.ValueTo(&f.p.Scope))),
			app.Div().Class("grid3").Body(
				dateField("date", "Date", "", f.date, f.ValueTo(&f.date)),
				field("start", "Start time", f.errs.On("start"), "", app.Input().ID("start").Type("time").Value(f.start).
					Aria("invalid", f.errs.On("start") != "").Aria("describedby", described("start", f.errs.On("start"), "")).OnInput(f.ValueTo(&f.start))),
				field("minutes", "Duration (minutes)", f.errs.On("end"), "", app.Input().ID("minutes").Type("number").Attr("min", "1").Attr("max", "1440").
					Attr("inputmode", "numeric").Value(f.minutes).Aria("invalid", f.errs.On("end") != "").
					Aria("describedby", described("minutes", f.errs.On("end"), "")).OnInput(f.ValueTo(&f.minutes))),
			),
			app.Div().Class("grid3").Body(
				field("price", "Price ("+f.currency()+")", f.errs.On("price"), "", app.Input().ID("price").Type("text").
					Attr("inputmode", "decimal").Attr("autocomplete", "off").Value(f.price).Aria("invalid", f.errs.On("price") != "").
					Aria("describedby", described("price", f.errs.On("price"), "")).OnInput(f.ValueTo(&f.price))),
				field("repeat", "Repeat every (weeks)", f.errs.On("repeat_weeks"), "Empty: does not repeat.", app.Input().ID("repeat").Type("number").
					Attr("min", "0").Attr("max", "104").Attr("inputmode", "numeric").Value(f.repeat).Aria("invalid", f.errs.On("repeat_weeks") != "").
					Aria("describedby", described("repeat", f.errs.On("repeat_weeks"), "Empty: does not repeat.")).OnInput(f.ValueTo(&f.repeat))),
				dateField("deadline", "Deadline", f.errs.On("deadline"), string(f.p.Deadline), func(ctx app.Context, e app.Event) {
					f.p.Deadline = record.Date(ctx.JSSrc().Get("value").String())
				}),
			),
			f.staffChecks(),
			field("outcome", "Outcome", f.errs.On("outcome"), "", app.Textarea().ID("outcome").Class("short").Text(f.p.Outcome).
				OnInput(f.ValueTo(&f.p.Outcome))),
			app.If(f.errs != nil && f.errs.On("status") != "", func() app.UI { return app.P().Class("error").Text(f.errs.On("status")) }),
			clashNotes(f.clashes, f.resolve), // beside Save, where the person goes next
			app.Div().Class("actions").Body(
				app.Button().Class("primary").Type("submit").Text(map[bool]string{true: "Book", false: "Save"}[f.isNew]),
				app.A().Class("button").Href("/clients/"+f.client).Text("Back to the client"),
			),
		),
		app.If(!f.isNew, func() app.UI { return &taskList{Project: f.id} }),
		app.If(!f.isNew, func() app.UI { return &milestoneList{Project: f.id} }),
		app.If(!f.isNew, func() app.UI { return &visitNotes{Project: f.id, Pets: chosen} }),
	}
}

func toggle(ids []string, id string, on bool) []string {
	ids = slices.DeleteFunc(slices.Clone(ids), func(s string) bool { return s == id })
	if on {
		ids = append(ids, id)
	}
	return ids
}

// staffChecks offers every staff member this device knows of.
func (f *projectForm) staffChecks() app.UI {
	staff := current.Staff()
	for id := range staffNames {
		if !slices.Contains(staff, id) {
			staff = append(staff, id)
		}
	}
	for _, id := range f.p.AssignedStaff {
		if !slices.Contains(staff, id) {
			staff = append(staff, id)
		}
	}
	return app.FieldSet().Class("checks").Body(
		app.Legend().Text("Staff"),
		app.Range(staff).Slice(func(i int) app.UI {
			id := staff[i]
			return checkbox("staff-"+id, staffLabel(id), slices.Contains(f.p.AssignedStaff, id), func(on bool) {
				f.p.AssignedStaff = toggle(f.p.AssignedStaff, id, on)
			})
		}),
	)
}

// statusCard shows the status and the buttons that change it; cancelling
// and no-show ask for a reason first.
func (f *projectForm) statusCard() app.UI {
	st := f.p.Status
	open := st == schedule.Planned || st == schedule.InProgress
	return app.Section().Class("card").Aria("labelledby", "status-title").Body(
		app.H2().ID("status-title").Text("Status: "+statusLabel(st)),
		app.If(f.p.StatusReason != "", func() app.UI { return app.P().Text("Reason: " + f.p.StatusReason) }),
		app.If(f.asking != "", func() app.UI {
			what := "Why is it cancelled?"
			if f.asking == schedule.NoShow {
				what = "What happened?"
			}
			return app.Div().OnInput(f.keep).Body(
				textField("reason", what, f.errs.On("status_reason"), "", f.reason, f.ValueTo(&f.reason)),
				app.Div().Class("actions").Body(
					app.Button().Class("danger").Text("Confirm "+statusLabel(f.asking)).OnClick(func(ctx app.Context, e app.Event) { f.save(f.asking, f.reason) }),
					app.Button().Text("Keep it").OnClick(func(ctx app.Context, e app.Event) { f.asking, f.reason = "", ""; f.keep(ctx, e) }),
				),
			)
		}),
		app.Div().Class("actions").Body(
			app.If(st == schedule.Planned, func() app.UI {
				return app.Button().Class("primary").Text("Start").OnClick(func(ctx app.Context, e app.Event) { f.save(schedule.InProgress, "") })
			}),
			app.If(st == schedule.InProgress, func() app.UI {
				return app.Button().Text("Back to planned").OnClick(func(ctx app.Context, e app.Event) { f.save(schedule.Planned, "") })
			}),
			app.If(open, func() app.UI {
				return app.Button().Class("primary").Text("Done").OnClick(func(ctx app.Context, e app.Event) { f.save(schedule.Done, "") })
			}),
			app.If(open && f.asking == "", func() app.UI {
				return app.Button().Class("danger").Text("Cancel…").Aria("label", "Cancel the booking").OnClick(func(ctx app.Context, e app.Event) { f.asking = schedule.Cancelled })
			}),
			app.If(open && f.asking == "", func() app.UI {
				return app.Button().Class("danger").Text("No-show…").OnClick(func(ctx app.Context, e app.Event) { f.asking = schedule.NoShow })
			}),
			app.If(st == schedule.Done, f.invoiceAction),
			app.If(st == schedule.Done, func() app.UI {
				return app.Button().Text("Reopen").OnClick(f.reopen)
			}),
		),
		app.If(!open, func() app.UI {
			return app.Div().Class("row", "again").Body(
				field("again-on", "Book again on", "", f.againSlot(), app.Input().ID("again-on").Type("date").Value(cmpOr(f.againOn, string(today()))).
					Aria("describedby", described("again-on", "", f.againSlot())).OnInput(f.ValueTo(&f.againOn))),
				app.Button().Text("Book again").OnClick(f.bookAgain),
			)
		}),
	)
}

// feedbackCard records the client's feedback on a done visit: their
// rating, five choices each the size of a finger, and what they said.
// Saved with the form, through its base, as any change of the visit.
func (f *projectForm) feedbackCard() app.UI {
	return app.Section().Class("card").Aria("labelledby", "feedback-title").OnInput(f.keep).OnChange(f.keep).Body(
		app.H2().ID("feedback-title").Text("Client's feedback"),
		app.FieldSet().Class("rating").Aria("describedby", "rating-hint").Body(
			app.Legend().Text("Their rating"),
			app.Range(ratingChoices).Slice(func(i int) app.UI {
				n := ratingChoices[i]
				id := "rating-" + strconv.FormatInt(n, 10)
				return app.Label().For(id).Class("choice").Body(
					app.Input().Type("radio").ID(id).Name("rating").Value(n).Checked(f.p.Rating == n).
						OnChange(func(ctx app.Context, e app.Event) { f.p.Rating = n }, app.EventScope(id)),
					app.Span().Text(strconv.FormatInt(n, 10)),
					app.Span().Aria("hidden", "true").Text("★"),
				)
			}),
		),
		app.P().Class("hint").ID("rating-hint").Text("1: unhappy · 5: delighted."),
		app.If(f.errs.On("rating") != "", func() app.UI { return app.P().Class("error").Text(f.errs.On("rating")) }),
		field("feedback", "What they said", f.errs.On("feedback"), "", app.Textarea().ID("feedback").Class("short").Text(f.p.Feedback).
			Aria("invalid", f.errs.On("feedback") != "").OnInput(f.ValueTo(&f.p.Feedback))),
		app.If(f.feedbackSaved, func() app.UI {
			return app.Div().Class("note").Attr("role", "status").Text("Feedback saved on this device.")
		}),
		app.Div().Class("actions").Body(
			app.Button().Class("primary").Text("Save feedback").OnClick(func(ctx app.Context, e app.Event) {
				f.save(f.p.Status, f.p.StatusReason)
				f.feedbackSaved = f.saved != ""
			}),
		),
	)
}

// ratingChoices are the ratings a client can give a visit.
var ratingChoices = []int64{1, 2, 3, 4, 5}

// feedbackText says what a client thought of a visit, for a list:
// "rated 4 of 5: “Lovely cut”", or "" if they said nothing.
func feedbackText(rating int64, comment string) string {
	rated := "rated " + strconv.FormatInt(rating, 10) + " of 5"
	switch {
	case rating > 0 && comment != "":
		return rated + ": “" + comment + "”"
	case rating > 0:
		return rated
	case comment != "":
		return "said “" + comment + "”"
	}
	return ""
}

// invoiceAction opens the done project's invoice, or makes it for a
// member who may bill.
func (f *projectForm) invoiceAction() app.UI {
	if id, ok := current.ProjectInvoice(f.id); ok {
		return app.A().Class("button", "primary").Href("/invoices/" + id).Text("Open invoice")
	}
	if !current.Role().CanWrite(record.ClassClient) {
		return app.Text("")
	}
	return app.Button().Class("primary").Text("Create invoice").OnClick(f.invoice)
}

// conflicts warns of the booking's clashes as the form stands: the same
// staff member or pet booked elsewhere at the same time.
func (f *projectForm) conflicts() app.UI {
	p, errs := f.build()
	if errs != nil {
		return app.Text("")
	}
	b, ok := schedule.BookingOf(f.id, &p)
	if !ok {
		return app.Text("")
	}
	cs := current.Conflicts(b)
	if len(cs) == 0 {
		return app.Text("")
	}
	return app.Div().Class("alert", "warn").Attr("role", "alert").Body(
		app.Strong().Text("Overlap: "),
		app.Range(cs).Slice(func(i int) app.UI {
			other := cs[i].A
			if other.ID == f.id {
				other = cs[i].B
			}
			return app.Div().Body(app.Text(clashText(cs[i])+" — "), bookingLink(other))
		}),
	)
}

// clashText says who is booked twice.
func clashText(c schedule.Conflict) string {
	var who []string
	for _, id := range c.Staff {
		who = append(who, staffLabel(id))
	}
	for _, id := range c.Pets {
		who = append(who, petName(id))
	}
	return strings.Join(who, ", ") + " also booked " + timeRange(c.A.Start, c.A.End) + " and " + timeRange(c.B.Start, c.B.End)
}

func bookingLink(b schedule.Booking) app.UI {
	s, _ := current.Project(b.ID)
	return app.A().Href("/projects/" + b.ID).Text(cmpOr(s.Title, "booking") + cmpOr(prefix(" for ", s.ClientName), ""))
}

func prefix(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// petName finds a pet's name in the index docs.
func petName(id string) string {
	var p record.Pet
	if ok, _ := current.LoadPet(id, &p); ok {
		return p.Name
	}
	return "a pet"
}

func timeRange(start, end record.Instant) string {
	s := start.Time()
	layout := "Mon 2 Jan 15:04"
	if d := time.Since(s); d > 300*24*time.Hour || d < -300*24*time.Hour {
		layout = "Mon 2 Jan 2006 15:04" // far enough to need its year: an old visit, the archive's
	}
	out := s.Format(layout)
	if !end.IsZero() && end.UnixMilli > start.UnixMilli {
		out += "–" + end.Time().Format("15:04")
	}
	return out
}

// clockRange is a booking's times of day, "10:00–11:30", in its zone.
func clockRange(start, end record.Instant) string {
	out := start.Time().Format("15:04")
	if !end.IsZero() && end.UnixMilli > start.UnixMilli {
		out += "–" + end.Time().Format("15:04")
	}
	return out
}

func statusLabel(s string) string {
	if s == schedule.InProgress {
		return "in progress"
	}
	return projectField("status").EnumLabel(s)
}

// staffNames are the team's logins by member id, for an owner's device
// that could ask the server; others name them as session.StaffName does.
var staffNames = map[string]string{}

// loadStaffNames asks the server for the team once, when this member may
// see it; offline it is skipped, and names stay as they were.
func loadStaffNames(ctx app.Context) {
	if len(staffNames) > 0 || current.Role().String() != "owner" {
		return
	}
	ctx.Async(func() {
		ms, err := current.Members(context.Background())
		if err != nil {
			return
		}
		ctx.Dispatch(func(ctx app.Context) {
			for _, m := range ms {
				staffNames[m.Member] = m.Login
			}
		})
	})
}

func staffLabel(id string) string {
	switch {
	case id == "":
		return "Nobody assigned"
	case id == current.Me():
		return "Me"
	case staffNames[id] != "":
		return staffNames[id]
	}
	return current.StaffName(id)
}

// clientPicker chooses the client of a booking made from a calendar slot.
type clientPicker struct {
	app.Compo
	Date, Time, Staff string
	q                 string
}

func (c *clientPicker) Render() app.UI {
	hits := current.FirstClients(20)
	if strings.TrimSpace(c.q) != "" {
		hits = current.SearchClients(c.q, 20)
	}
	query := "?date=" + c.Date + "&time=" + c.Time + "&staff=" + c.Staff
	return app.Div().Body(
		app.H1().Text("New booking"),
		app.P().Class("hint").Text("On "+c.Date+" at "+c.Time+". Choose the client first."),
		app.Div().Class("search").Body(
			app.Label().For("pick-q").Text("Search clients or pets"),
			app.Input().ID("pick-q").Type("search").Attr("autocomplete", "off").Value(c.q).OnInput(c.ValueTo(&c.q)),
		),
		app.Ul().Class("list").Aria("label", "Clients").Body(
			app.Range(hits).Slice(func(i int) app.UI {
				return app.Li().Body(app.A().Href("/clients/"+hits[i].ID+"/projects/new"+query).Body(
					app.Span().Class("client-name").Text(hits[i].Name),
					petLines(current.PetsOf(hits[i].ID), false),
				))
			}),
		),
	)
}

// clientProjects is the card on a client's screen: upcoming bookings and
// past ones with their outcome.
type clientProjects struct {
	app.Compo
	Client string
	stop   func()
}

func (c *clientProjects) OnMount(ctx app.Context) { c.stop = live(ctx, nil) }

func (c *clientProjects) OnDismount() {
	if c.stop != nil {
		c.stop()
	}
}

func (c *clientProjects) Render() app.UI {
	all := current.ProjectsOf(c.Client)
	now := time.Now().UnixMilli()
	var upcoming, past []session.ProjectSummary
	for _, p := range all {
		open := p.Status == schedule.Planned || p.Status == schedule.InProgress
		if open && (p.Start.IsZero() || p.Start.UnixMilli >= now-12*3600*1000) {
			upcoming = append(upcoming, p)
		} else {
			past = append(past, p)
		}
	}
	slices.Reverse(upcoming) // soonest first
	return app.Section().Class("card").Aria("labelledby", "projects-title").Body(
		app.Div().Class("row").Body(
			app.H2().ID("projects-title").Text("Bookings"),
			app.A().Class("button", "primary").Style("margin-left", "auto").Href("/clients/"+c.Client+"/projects/new").Text("New appointment"),
		),
		app.If(len(all) == 0, func() app.UI {
			return app.P().Class("hint").Text("No current bookings; completed ones from years ago are in the archive (on Due).")
		}),
		latestFeedback(all),
		app.If(len(upcoming) > 0, func() app.UI {
			return app.Div().Body(subhead("Upcoming"), projectLines(upcoming, "upcoming"))
		}),
		app.If(len(past) > 0, func() app.UI {
			return app.Div().Body(subhead("Past"), projectLines(past, "past"))
		}),
	)
}

// subhead is a third-level heading; go-app's H3 would add its element
// type (some 100 KB) to the wasm.
func subhead(text string) app.UI {
	return app.P().Class("subhead").Attr("role", "heading").Aria("level", "3").Text(text)
}

func projectLines(ps []session.ProjectSummary, label string) app.UI {
	return app.Ul().Class("list").Aria("label", label+" bookings").Body(
		app.Range(ps).Slice(func(i int) app.UI {
			p := ps[i]
			when := "no date yet"
			if !p.Start.IsZero() {
				when = timeRange(p.Start, p.End)
			}
			return app.Li().Body(app.A().Href("/projects/"+p.ID).Body(
				app.Span().Class("client-name").Text(when+" · "+p.Title),
				app.Span().Class("sub").Text(statusLabel(p.Status)+prefix(" · ", p.Outcome)+repeatText(p.RepeatWeeks)+photoCount(p.Photos)+
					prefix(" · ", feedbackText(p.Rating, p.Feedback))),
			))
		}),
	)
}

func photoCount(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " · 1 photo"
	}
	return " · " + strconv.Itoa(n) + " photos"
}

func repeatText(weeks int64) string {
	if weeks <= 0 {
		return ""
	}
	return " · every " + strconv.FormatInt(weeks, 10) + " weeks"
}

// petVisitsLine is the line on a pet's screen: its last grooming, when
// it is due again, and its next booking.
func petVisitsLine(pet string) app.UI {
	v := current.Visits(pet, today())
	var parts []string
	if v.Last.IsZero() {
		parts = append(parts, "No grooming recorded yet")
	} else {
		parts = append(parts, "Last visit "+v.Last.Time().Format("2 Jan 2006"))
	}
	if v.Due != "" {
		parts = append(parts, "due again "+v.Due.Time().Format("2 Jan 2006"))
	}
	if !v.Next.IsZero() {
		parts = append(parts, "booked "+v.Next.Time().Format("Mon 2 Jan 15:04"))
	} else if v.Lapsed {
		parts = append(parts, "lapsed: not booked")
	}
	return app.P().Class("visits").Attr("role", "note").Text(strings.Join(parts, " · ") + ".")
}

// latestFeedback shows, on the client's card, what they thought of their
// latest visit that they gave feedback on; ps is latest first.
func latestFeedback(ps []session.ProjectSummary) app.UI {
	for _, p := range ps {
		if p.Rating == 0 && p.Feedback == "" {
			continue
		}
		when := p.Title
		if !p.Start.IsZero() {
			when = p.Start.Time().Format("2 Jan 2006") + " · " + p.Title
		}
		return app.P().Class("note").ID("latest-feedback").Body(
			app.Span().Style("font-weight", "600").Text("Latest feedback: "),
			app.Text(feedbackText(p.Rating, p.Feedback)+", on "),
			app.A().Class("inline-target").Href("/projects/"+p.ID).Text(when),
		)
	}
	return nil
}

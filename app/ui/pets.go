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
)

// alertBadges shows a pet's care alerts as coloured badges: never hidden
// behind a tap.
func alertBadges(alerts []record.Alert) app.UI {
	if len(alerts) == 0 {
		return app.Text("")
	}
	return app.Ul().Class("badges").Aria("label", "Care alerts").Body(
		app.Range(alerts).Slice(func(i int) app.UI {
			return app.Li().Class("badge", string(alerts[i].Kind)).Text(alerts[i].Text)
		}),
	)
}

// petLines lists a client's pets with their alerts.
func petLines(pets []session.PetSummary, link bool) app.UI {
	return app.Range(pets).Slice(func(i int) app.UI {
		p := pets[i]
		var name app.UI = app.Span().Class("pet-name").Text(p.Name + speciesSuffix(p.Species))
		if link {
			name = app.A().Class("pet-name").Href("/pets/" + p.ID).Text(p.Name + speciesSuffix(p.Species))
		}
		return app.Div().Class("pet").Body(name, alertBadges(p.Alerts))
	})
}

func speciesSuffix(s string) string {
	if s == "" {
		return ""
	}
	f := petField("species")
	return " (" + f.EnumLabel(s) + ")"
}

func petField(name string) *record.Field {
	s, _ := record.SchemaOf(record.TypePet)
	f, _ := s.Field(name)
	return f
}

// petForm creates or edits a pet of a client.
type petForm struct {
	app.Compo
	here        string // its address, where it offers to undo a change made on it
	id, client  string
	isNew       bool
	p           record.Pet
	base        *record.Pet // p as it was opened; nil for a new pet
	allergies   string      // comma-separated in the form
	conditions  string
	medications string
	weight      string // kilograms, as typed
	interval    string // weeks, as typed
	errs        record.Errors
	err         string
	saved       bool
	created     bool // just saved for the first time: the address changes to its id
	draft       draftKeeper
	loaded      bool       // OnNav has filled the form
	clashes     []conflict // fields changed here and on another device since base
	stop        func()
}

func (f *petForm) OnMount(ctx app.Context) {
	f.stop = live(ctx, func(app.Context) { f.follow() })
}

func (f *petForm) OnDismount() {
	if f.stop != nil {
		f.stop()
	}
}

// typed is the pet as the form holds it, its lists and numbers as typed.
func (f *petForm) typed() record.Pet {
	p := f.p
	p.Allergies, p.MedicalConditions, p.Medications = list(f.allergies), list(f.conditions), list(f.medications)
	if w, ok := parseWeeks(f.interval); ok {
		p.GroomingIntervalWeeks = w
	}
	return p
}

// show puts p into the form, its lists and numbers as the form types them.
func (f *petForm) show(p record.Pet) {
	was := f.typed()
	f.p = p
	for _, l := range []struct {
		was, now []string
		typed    *string
	}{{was.Allergies, p.Allergies, &f.allergies}, {was.MedicalConditions, p.MedicalConditions, &f.conditions}, {was.Medications, p.Medications, &f.medications}} {
		if !slices.Equal(l.was, l.now) {
			*l.typed = strings.Join(l.now, ", ")
		}
	}
	if was.GroomingIntervalWeeks != p.GroomingIntervalWeeks {
		f.interval = ""
		if p.GroomingIntervalWeeks > 0 {
			f.interval = strconv.FormatInt(p.GroomingIntervalWeeks, 10)
		}
	}
}

// follow brings the open pet up to date with changes from other devices:
// fields not touched here take them; fields changed on both are held for
// the person to choose.
func (f *petForm) follow() {
	f.clashes = nil
	if f.isNew || f.base == nil {
		return
	}
	var now record.Pet
	if ok, err := current.LoadPet(f.id, &now); !ok || err != nil {
		return // gone or unreadable: the save says so
	}
	p := f.typed()
	var updated []*record.Field
	updated, f.clashes = follow(f.base, &p, &now)
	for i := range f.clashes {
		f.clashes[i].by = current.WrittenBy(record.TypePet, f.id, f.clashes[i].field.Name)
	}
	f.show(p)
	// A text area shows what was typed into it over its text: put the
	// new value on screen.
	areas := map[string][2]string{"behaviour_notes": {"behaviour-notes", p.BehaviourNotes},
		"grooming_preferences": {"grooming-prefs", p.GroomingPreferences}, "notes": {"pet-notes", p.Notes}}
	for _, u := range updated {
		if a, ok := areas[u.Name]; ok {
			showValues(a[0], a[1])
		}
	}
}

// resolve keeps this form's value of the field named by the button's
// value (mine) or takes the other device's (theirs).
func (f *petForm) resolve(mine bool) app.EventHandler {
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

// petDraft is the pet form's state as its draft keeps it.
type petDraft struct {
	Pet                                record.Pet
	Base                               *record.Pet // what the form was opened on; nil in drafts kept before bases
	Allergies, Conditions, Medications string
	Weight, Interval                   string
}

func (f *petForm) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	f.here = ctx.Page().URL().Path
	path := ctx.Page().URL().Path
	if f.created && path == "/pets/"+f.id {
		// Just created: the address now names the pet; keep the form.
		f.created = false
		return
	}
	f.load(path)
	f.loaded = true
}

// load fills the form from the pet its address names, or a new pet of
// the client it names, or the draft kept for either.
func (f *petForm) load(path string) {
	f.errs, f.err, f.saved, f.created = nil, "", false, false
	var key string
	if strings.HasSuffix(path, "/pets/new") {
		f.client = strings.TrimSuffix(strings.TrimPrefix(path, "/clients/"), "/pets/new")
		f.id, f.isNew, f.p, f.base = record.NewID(), true, record.Pet{Client: f.client, Species: "dog"}, nil
		key = session.NewDraftOf(f.client)
	} else {
		f.id, f.isNew, f.p, key = strings.TrimPrefix(path, "/pets/"), false, record.Pet{}, strings.TrimPrefix(path, "/pets/")
		ok, err := current.LoadPet(f.id, &f.p)
		f.base = nil
		if ok {
			f.base = baseOf(&f.p)
		}
		switch {
		case err != nil:
			f.err = err.Error()
		case !ok:
			f.err = "This pet is not on this device (deleted, or not synced yet)."
		}
		f.client = f.p.Client
	}
	f.allergies, f.conditions, f.medications = strings.Join(f.p.Allergies, ", "), strings.Join(f.p.MedicalConditions, ", "), strings.Join(f.p.Medications, ", ")
	f.weight, f.interval = kilograms(f.p.WeightGrams), ""
	if f.p.GroomingIntervalWeeks > 0 {
		f.interval = strconv.FormatInt(f.p.GroomingIntervalWeeks, 10)
	}
	var d petDraft
	// Not the draft of a pet another device has since moved to another client.
	if rid, ok := f.draft.open(record.TypePet, key, &d); ok && d.Pet.Client == f.client {
		f.p, f.allergies, f.conditions, f.medications = d.Pet, d.Allergies, d.Conditions, d.Medications
		f.weight, f.interval = d.Weight, d.Interval
		if d.Base != nil && !f.isNew {
			f.base = d.Base
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
func (f *petForm) keep(ctx app.Context, e app.Event) {
	f.draft.changed(ctx, f.id, func() any {
		return petDraft{Pet: f.p, Base: f.base, Allergies: f.allergies, Conditions: f.conditions, Medications: f.medications, Weight: f.weight, Interval: f.interval}
	})
}

func (f *petForm) discard(ctx app.Context, e app.Event) {
	f.draft.drop()
	if f.isNew {
		f.load("/clients/" + f.client + "/pets/new")
	} else {
		f.load("/pets/" + f.id)
	}
}

func (f *petForm) Render() app.UI {
	if !f.loaded {
		return opening()
	}
	title := "Edit pet"
	if f.isNew {
		title = "New pet"
	}
	species, flags := petField("species"), petField("behaviour_flags")
	const listHint = "Separate several with commas."
	return &frame{Here: f.here, Content: []app.UI{
		app.H1().Text(title),
		alertBadges(record.Alerts(&f.p)),
		app.If(!f.isNew, func() app.UI { return petVisitsLine(f.id) }),
		f.draft.notice(f.discard),
		app.Form().Class("card").OnSubmit(f.save).OnInput(f.keep).OnChange(f.keep).Body(
			textField("pet-name", "Name", f.errs.On("name"), "", f.p.Name, f.ValueTo(&f.p.Name)),
			&photoField{ID: "pet-photo", Label: "Photo of the pet", Button: "Take", Class: record.ClassCare, Ref: f.p.Photo,
				Set: func(ref string) { f.p.Photo = ref }},
			app.Div().Body(
				app.Label().For("species").Text("Species"),
				app.Select().ID("species").OnChange(f.ValueTo(&f.p.Species)).Body(
					app.Range(species.Enum).Slice(func(i int) app.UI {
						return app.Option().Value(species.Enum[i]).Selected(species.Enum[i] == f.p.Species).Text(species.EnumLabels[i])
					}),
				),
			),
			textField("breed", "Breed", f.errs.On("breed"), "", f.p.Breed, f.ValueTo(&f.p.Breed)),
			app.Div().Class("grid3").Body(
				enumSelect("sex", "Sex", petField("sex"), f.p.Sex, true, f.ValueTo(&f.p.Sex)),
				dateField("birth-date", "Birth date", f.errs.On("birth_date"), string(f.p.BirthDate), func(ctx app.Context, e app.Event) {
					f.p.BirthDate = record.Date(ctx.JSSrc().Get("value").String())
				}),
				app.Div().Class("age").Body(app.P().Class("hint").Text(ageText(f.p.BirthDate, today()))),
			),
			app.Div().Class("checks").Body(checkbox("neutered", "Neutered or spayed", f.p.Neutered, func(on bool) { f.p.Neutered = on })),
			app.Div().Class("grid3").Body(
				// Once the pet is saved, its weight is recorded as weighings (see weighings).
				app.If(f.isNew, func() app.UI {
					return kilogramsField("weight", f.errs.On("weight_grams"), f.weight, f.ValueTo(&f.weight))
				}),
				textField("coat", "Coat type", f.errs.On("coat"), "", f.p.Coat, f.ValueTo(&f.p.Coat)),
				textField("colour", "Colour", f.errs.On("colour"), "", f.p.Colour, f.ValueTo(&f.p.Colour)),
			),
			textField("allergies", "Allergies", f.errs.On("allergies"), listHint, f.allergies, f.ValueTo(&f.allergies)),
			textField("conditions", "Medical conditions", f.errs.On("medical_conditions"), listHint, f.conditions, f.ValueTo(&f.conditions)),
			textField("medications", "Medications", f.errs.On("medications"), listHint, f.medications, f.ValueTo(&f.medications)),
			app.FieldSet().Class("checks").Body(
				app.Legend().Text("Behaviour"),
				app.Range(flags.Enum).Slice(func(i int) app.UI {
					v, id := flags.Enum[i], "flag-"+flags.Enum[i]
					return app.Label().For(id).Class("check").Body(
						app.Input().ID(id).Type("checkbox").Checked(slices.Contains(f.p.BehaviourFlags, v)).
							OnChange(func(ctx app.Context, e app.Event) { f.toggle(v, ctx.JSSrc().Get("checked").Bool()) }),
						app.Span().Text(flags.EnumLabels[i]),
					)
				}),
			),
			field("behaviour-notes", "Behaviour notes", f.errs.On("behaviour_notes"), "", app.Textarea().ID("behaviour-notes").Class("short").Text(f.p.BehaviourNotes).
				Aria("invalid", f.errs.On("behaviour_notes") != "").OnInput(f.ValueTo(&f.p.BehaviourNotes))),
			app.H2().Text("Grooming"),
			app.Div().Class("grid3").Body(
				field("interval", "Groom every (weeks)", f.errs.On("grooming_interval_weeks"), "", app.Input().ID("interval").Type("text").
					Attr("inputmode", "numeric").Attr("autocomplete", "off").Value(f.interval).
					Aria("invalid", f.errs.On("grooming_interval_weeks") != "").
					Aria("describedby", described("interval", f.errs.On("grooming_interval_weeks"), "")).OnInput(f.ValueTo(&f.interval))),
				textField("style", "Style", f.errs.On("preferred_style"), "", f.p.PreferredStyle, f.ValueTo(&f.p.PreferredStyle)),
				textField("blade", "Blade", f.errs.On("preferred_blade"), "", f.p.PreferredBlade, f.ValueTo(&f.p.PreferredBlade)),
			),
			textField("shampoo", "Shampoo", f.errs.On("preferred_shampoo"), "", f.p.PreferredShampoo, f.ValueTo(&f.p.PreferredShampoo)),
			field("grooming-prefs", "Grooming preferences", f.errs.On("grooming_preferences"), "", app.Textarea().ID("grooming-prefs").Class("short").Text(f.p.GroomingPreferences).
				Aria("invalid", f.errs.On("grooming_preferences") != "").OnInput(f.ValueTo(&f.p.GroomingPreferences))),
			app.H2().Text("Vet"),
			textField("vet-name", "Vet", f.errs.On("vet_name"), "", f.p.VetName, f.ValueTo(&f.p.VetName)),
			textField("vet-phone", "Vet's phone", f.errs.On("vet_phone"), "", f.p.VetPhone, f.ValueTo(&f.p.VetPhone)),
			field("pet-notes", "Notes", f.errs.On("notes"), "", app.Textarea().ID("pet-notes").Text(f.p.Notes).
				Aria("invalid", f.errs.On("notes") != "").OnInput(f.ValueTo(&f.p.Notes))),
			clashNotes(f.clashes, f.resolve), // beside Save, where the person goes next
			app.If(f.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(f.err) }),
			app.If(f.saved, func() app.UI { return app.Div().Class("note").Attr("role", "status").Text("Saved on this device.") }),
			app.Div().Class("actions").Body(
				app.Button().Class("primary").Type("submit").Text("Save pet"),
				app.A().Class("button").Href("/clients/"+f.client).Text("Back to the client"),
			),
		),
		app.If(!f.isNew, func() app.UI { return &weighings{Pet: f.id, Entered: f.p.WeightGrams} }),
		app.If(!f.isNew, func() app.UI { return &vaccinations{Pet: f.id} }),
		app.If(!f.isNew, func() app.UI { return &recordHistory{Type: record.TypePet, ID: f.id} }),
	}}
}

// textField is a labelled one-line text input.
func textField(id, label, errMsg, hint, value string, onInput app.EventHandler) app.UI {
	return field(id, label, errMsg, hint, app.Input().ID(id).Type("text").Attr("autocomplete", "off").Value(value).
		Aria("invalid", errMsg != "").Aria("describedby", described(id, errMsg, hint)).OnInput(onInput))
}

func (f *petForm) toggle(flag string, on bool) {
	f.p.BehaviourFlags = slices.DeleteFunc(f.p.BehaviourFlags, func(s string) bool { return s == flag })
	if on {
		f.p.BehaviourFlags = append(f.p.BehaviourFlags, flag)
	}
}

// list splits a comma-separated entry into trimmed items.
func list(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func (f *petForm) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.follow(); len(f.clashes) > 0 {
		f.err = clashMessage
		return
	}
	f.p.Name = strings.TrimSpace(f.p.Name)
	f.p.Allergies, f.p.MedicalConditions, f.p.Medications = list(f.allergies), list(f.conditions), list(f.medications)
	f.saved = false
	var typed record.Errors
	var ok bool
	if f.isNew {
		if f.p.WeightGrams, ok = parseKilograms(f.weight); !ok {
			typed = append(typed, record.FieldError{Field: "weight_grams", Message: "Weight: enter kilograms, such as 12.5, or leave it empty."})
		}
	}
	if f.p.GroomingIntervalWeeks, ok = parseWeeks(f.interval); !ok {
		typed = append(typed, record.FieldError{Field: "grooming_interval_weeks", Message: "Groom every: enter a whole number of weeks, such as 6, or leave it empty."})
	}
	if typed != nil {
		f.errs, f.err = typed, ""
		return
	}
	err := current.SavePet(context.Background(), f.id, f.base, &f.p)
	if f.errs, f.err = saveFailure(err); err == nil {
		f.saved, f.base = true, baseOf(&f.p)
		f.draft.saved(f.id)
		if f.isNew {
			f.isNew, f.created = false, true
			ctx.Navigate("/pets/" + f.id)
		}
	}
}

// kilograms shows grams as kilograms, exactly: "12.5", "4.25", "7".
func kilograms(g int64) string {
	if g <= 0 {
		return ""
	}
	return strconv.FormatFloat(float64(g)/1000, 'f', -1, 64)
}

// kilogramsField is a weight input in kilograms, which parseKilograms reads.
func kilogramsField(id, errMsg, value string, onInput app.EventHandler) app.UI {
	return field(id, "Weight (kg)", errMsg, "", app.Input().ID(id).Type("text").Attr("inputmode", "decimal").
		Attr("autocomplete", "off").Value(value).Aria("invalid", errMsg != "").
		Aria("describedby", described(id, errMsg, "")).OnInput(onInput))
}

// parseKilograms reads a weight typed in kilograms ("12.5" or "12,5")
// as grams; empty is no weight.
func parseKilograms(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.ToLower(s)), "kg"))
	if s == "" {
		return 0, true
	}
	kg, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || kg < 0 || kg > 200 {
		return 0, false
	}
	return int64(kg*1000 + 0.5), true
}

// parseWeeks reads a whole number of weeks; empty is none.
func parseWeeks(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0
}

// ageText is a pet's age on today, from its birth date: "3 years 2
// months", "7 months".
func ageText(born, today record.Date) string {
	if born.IsZero() || !born.Valid() || born > today {
		return ""
	}
	b, t := born.Time(), today.Time()
	months := (t.Year()-b.Year())*12 + int(t.Month()-b.Month())
	if t.Day() < b.Day() {
		months--
	}
	switch y, m := months/12, months%12; {
	case y == 0:
		return "Age: " + count(m, "month")
	case m == 0:
		return "Age: " + count(y, "year")
	default:
		return "Age: " + count(y, "year") + " " + count(m, "month")
	}
}

// count is n units: "1 month", "7 months".
func count(n int, unit string) string {
	return strconv.Itoa(n) + " " + plural(n, unit, unit+"s")
}

package ui

import (
	"context"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/record"
)

// weighings is the card on a pet's screen: what the pet weighs now, its
// weighings with the change at each, and a short form to record one,
// whose draft is kept while it is typed.
type weighings struct {
	app.Compo
	Pet      string
	Entered  int64  // the weight entered with the pet, in grams: shown until it is first weighed
	pet      string // the pet the form was loaded for
	id       string
	w        record.Weighing
	kg       string // as typed
	errs     record.Errors
	err      string
	removing string // the weighing whose removal is being confirmed
	draft    draftKeeper
}

// weighingDraft is the weighing form's state as its draft keeps it.
type weighingDraft struct {
	Weighing record.Weighing
	Kg       string
}

func (c *weighings) OnMount(ctx app.Context) { c.load(ctx) }

// OnUpdate loads the form again for another pet, not when only the
// weight entered with this one changed: that would empty it mid-typing.
func (c *weighings) OnUpdate(ctx app.Context) {
	if c.Pet != c.pet {
		c.load(ctx)
	}
}

// load empties the form for a weighing of the pet today, then fills it
// with the draft kept for one, if any.
func (c *weighings) load(ctx app.Context) {
	c.pet = c.Pet
	c.reset()
	c.show()
	if c.Pet == "" || current.Phase() != session.Open {
		return // the pet's screen has not loaded yet
	}
	var d weighingDraft
	c.draft.openLater(ctx, record.TypeWeighing, session.NewDraftOf(c.Pet), &d, func(id string) {
		if c.w, c.kg = d.Weighing, d.Kg; record.ValidID(id) {
			c.id = id
		}
		c.show()
	})
}

func (c *weighings) show() {
	showValues("weigh-date", string(c.w.Date), "weigh-kg", c.kg, "weigh-note", c.w.Note)
}

func (c *weighings) reset() {
	c.id, c.w, c.kg, c.errs, c.err = record.NewID(), record.Weighing{Pet: c.Pet, Date: today()}, "", nil, ""
}

func (c *weighings) keep(ctx app.Context, e app.Event) {
	c.draft.changed(ctx, c.id, func() any { return weighingDraft{Weighing: c.w, Kg: c.kg} })
}

func (c *weighings) discard(ctx app.Context, e app.Event) {
	c.draft.drop()
	c.reset()
	c.show()
}

func (c *weighings) Render() app.UI {
	list := current.WeighingsOf(c.Pet)
	return app.Section().Class("card").Aria("labelledby", "weigh-title").Body(
		app.H2().ID("weigh-title").Text("Weight"),
		app.P().Class("weight-now").Text(weightNow(list, c.Entered)),
		app.Ul().Class("list plain weighings").Aria("label", "Weighings, latest first").Body(
			app.Range(list).Slice(func(i int) app.UI {
				w, change := list[i], "first weighing"
				if i+1 < len(list) {
					change = weightChange(w.Grams - list[i+1].Grams)
				}
				what := dateText(w.Date) + ", " + kilograms(w.Grams) + " kg"
				if c.removing == w.ID {
					return confirmRemoval("Remove this weighing?",
						"Remove the weighing of "+what+"? Only for one entered by mistake: the pet then weighs what its latest other weighing says.",
						"Remove weighing", w.ID, c.remove, func(ctx app.Context, e app.Event) { c.removing = "" })
				}
				// An empty note's span is hidden by the style sheet.
				return app.Li().Body(
					app.Span().Text(dateText(w.Date)),
					app.Span().Class("weigh-kg").Text(kilograms(w.Grams)+" kg"),
					app.Span().Class("hint").Text(change),
					app.Button().Aria("label", "Remove the weighing of "+what).Value(w.ID).Text("Remove…").OnClick(c.askRemove),
					app.Span().Class("weigh-note").Text(w.Note),
				)
			}),
		),
		c.draft.addForm(c.discard, c.keep, c.add, c.err, "Add weighing",
			app.Div().Class("grid3").Body(
				dateField("weigh-date", "Weighed on", c.errs.On("date"), string(c.w.Date), func(ctx app.Context, e app.Event) {
					c.w.Date = record.Date(ctx.JSSrc().Get("value").String())
				}),
				kilogramsField("weigh-kg", c.errs.On("grams"), c.kg, c.ValueTo(&c.kg)),
				textField("weigh-note", "Note", c.errs.On("note"), "", c.w.Note, c.ValueTo(&c.w.Note)),
			),
		),
	)
}

// weightNow says what the pet weighs: its latest weighing, or the weight
// entered with it before it was first weighed.
func weightNow(list []session.Weighing, entered int64) string {
	switch {
	case len(list) > 0:
		return "Weighs " + kilograms(list[0].Grams) + " kg (weighed " + dateText(list[0].Date) + ")."
	case entered > 0:
		return "Weighs " + kilograms(entered) + " kg, as entered with the pet. No weighings yet."
	}
	return "No weighings yet."
}

// weightChange is how a weighing differs from the one before it:
// "+0.4 kg", "−1.25 kg", "no change".
func weightChange(grams int64) string {
	switch {
	case grams > 0:
		return "+" + kilograms(grams) + " kg"
	case grams < 0:
		return "−" + kilograms(-grams) + " kg"
	}
	return "no change"
}

// confirmRemoval is a list's item asking to confirm the removal of item
// id: the question, a danger button whose value is id, and a way back.
func confirmRemoval(label, question, button, id string, remove, keep app.EventHandler) app.UI {
	return app.Li().Class("danger-zone").Body(app.Div().Attr("role", "alertdialog").Aria("label", label).Body(
		app.P().Text(question),
		app.Div().Class("actions").Body(
			app.Button().Class("danger").Value(id).Text(button).OnClick(remove),
			app.Button().Text("Keep it").OnClick(keep),
		),
	))
}

// askRemove asks to confirm the removal of the weighing its button
// names. The weighing's id is read from the button: go-app keeps the
// handler of a list's first render for a row (it tells handlers apart by
// their code), so a closure would hold the weighing first shown there.
func (c *weighings) askRemove(ctx app.Context, e app.Event) {
	c.removing = ctx.JSSrc().Get("value").String()
}

// remove removes the weighing its button names, entered by mistake.
func (c *weighings) remove(ctx app.Context, e app.Event) {
	id := ctx.JSSrc().Get("value").String()
	c.removing, c.err = "", ""
	if err := current.RemoveWeighing(context.Background(), id); err != nil {
		c.err = errText(err)
	}
}

func (c *weighings) add(ctx app.Context, e app.Event) {
	e.PreventDefault()
	c.w.Pet, c.w.Note = c.Pet, strings.TrimSpace(c.w.Note)
	var typed record.Errors
	g, ok := parseKilograms(c.kg)
	if !ok || g == 0 {
		typed = append(typed, record.FieldError{Field: "grams", Message: "Weight: enter kilograms, such as 12.5."})
	}
	if c.w.Date > today() {
		typed = append(typed, record.FieldError{Field: "date", Message: "Weighed on: enter today or an earlier day."})
	}
	if typed != nil {
		c.errs, c.err = typed, ""
		return
	}
	c.w.Grams = g
	err := current.SaveWeighing(context.Background(), c.id, nil, &c.w) // a new one
	if c.errs, c.err = saveFailure(err); err == nil {
		c.draft.drop()
		c.reset()
		c.show()
	}
}

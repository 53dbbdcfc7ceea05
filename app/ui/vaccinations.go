package ui

import (
	"context"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/access"
	"pawfile/shared/record"
)

func today() record.Date { return record.DateOf(time.Now()) }

// dueBadge shows a vaccination's state; only what needs action is coloured.
func dueBadge(d record.Due) app.UI {
	switch d {
	case record.DueExpired:
		return app.Span().Class("badge", "allergy").Text("expired")
	case record.DueSoon:
		return app.Span().Class("badge", "medical").Text("expiring soon")
	}
	return app.Span().Class("hint").Text(d.String())
}

// vaccinations is the card on a pet's screen: its vaccinations and a
// short form to record one, whose draft is kept while it is typed.
type vaccinations struct {
	app.Compo
	Pet   string
	id    string // the new vaccination's
	v     record.Vaccination
	errs  record.Errors
	err   string
	draft draftKeeper
}

func (c *vaccinations) OnMount(ctx app.Context)  { c.load(ctx) }
func (c *vaccinations) OnUpdate(ctx app.Context) { c.load(ctx) }

// load empties the form for a new vaccination of the pet, then fills it
// with the draft kept for one, if any.
func (c *vaccinations) load(ctx app.Context) {
	c.reset()
	c.show()
	if c.Pet == "" || current.Phase() != session.Open {
		return // the pet's screen has not loaded yet
	}
	var v record.Vaccination
	c.draft.openLater(ctx, record.TypeVaccination, session.NewDraftOf(c.Pet), &v, func(id string) {
		if c.v = v; record.ValidID(id) {
			c.id = id
		}
		c.show()
	})
}

func (c *vaccinations) show() {
	showValues("vacc-name", c.v.Name, "vacc-given", string(c.v.Given), "vacc-expires", string(c.v.Expires))
}

func (c *vaccinations) reset() {
	c.id, c.v, c.errs, c.err = record.NewID(), record.Vaccination{Pet: c.Pet}, nil, ""
}

func (c *vaccinations) keep(ctx app.Context, e app.Event) {
	c.draft.changed(ctx, c.id, func() any { return c.v })
}

func (c *vaccinations) discard(ctx app.Context, e app.Event) {
	c.draft.drop()
	c.reset()
	c.show()
}

func (c *vaccinations) Render() app.UI {
	list := current.VaccinationsOf(c.Pet, today())
	return app.Section().Class("card").Aria("labelledby", "vacc-title").Body(
		app.H2().ID("vacc-title").Text("Vaccinations"),
		app.If(len(list) == 0, func() app.UI { return app.P().Class("hint").Text("None recorded yet.") }),
		app.Ul().Class("list plain").Body(
			app.Range(list).Slice(func(i int) app.UI {
				v := list[i]
				return app.Li().Class("vacc").Body(
					app.Strong().Text(v.Name),
					app.Span().Text(" expires "+string(v.Expires)+" "),
					dueBadge(v.Due),
					app.If(v.Proof != "", func() app.UI {
						return app.Div().Class("thumb").Body(&photoView{Ref: v.Proof, Alt: "Proof of " + v.Name})
					}),
				)
			}),
		),
		c.draft.addForm(c.discard, c.keep, c.add, c.err, "Add vaccination",
			app.Div().Class("grid3").Body(
				textField("vacc-name", "Vaccine", c.errs.On("name"), "", c.v.Name, c.ValueTo(&c.v.Name)),
				dateField("vacc-given", "Given", c.errs.On("given"), string(c.v.Given), func(ctx app.Context, e app.Event) {
					c.v.Given = record.Date(ctx.JSSrc().Get("value").String())
				}),
				dateField("vacc-expires", "Expires", c.errs.On("expires"), string(c.v.Expires), func(ctx app.Context, e app.Event) {
					c.v.Expires = record.Date(ctx.JSSrc().Get("value").String())
				}),
			),
			&photoField{ID: "vacc-proof", Label: "Proof (the certificate)", Button: "Photograph", Class: record.ClassCare, Ref: c.v.Proof,
				Set: func(ref string) { c.v.Proof = ref }},
		),
	)
}

func dateField(id, label, errMsg, value string, onInput app.EventHandler) app.UI {
	return field(id, label, errMsg, "", app.Input().ID(id).Type("date").Value(value).
		Aria("invalid", errMsg != "").Aria("describedby", described(id, errMsg, "")).OnInput(onInput))
}

func (c *vaccinations) add(ctx app.Context, e app.Event) {
	e.PreventDefault()
	c.v.Pet, c.v.Name = c.Pet, strings.TrimSpace(c.v.Name)
	err := current.SaveVaccination(context.Background(), c.id, nil, &c.v) // a new one
	if c.errs, c.err = saveFailure(err); err == nil {
		c.draft.drop()
		c.reset()
		c.show()
	}
}

// dueList is the book-wide list of vaccinations expired or expiring soon.
type dueList struct {
	app.Compo
}

func (d *dueList) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
	}
}

func (d *dueList) Render() app.UI {
	due := current.DueVaccinations(today())
	var retentionLink app.UI
	if current.Role() == access.Owner {
		retentionLink = app.A().Class("button").Href("/retention").Text("Retention")
	}
	return &frame{Content: []app.UI{
		app.H1().Text("Vaccinations due"),
		app.P().Class("hint").Text("Expired, or expiring within 30 days: ask the owner for proof before the next visit."),
		// Records past their time are due too: the archive for everyone,
		// retention for the owner (the bar has no room for them).
		app.Div().Class("actions").Body(app.A().Class("button").Href("/reminders").Text("Reminders"), app.A().Class("button").Href("/archive").Text("Archived projects"), retentionLink),
		app.If(len(due) == 0, func() app.UI {
			return app.P().Class("empty").Text("Nothing due: every recorded vaccination is current.")
		}),
		app.Ul().Class("list").Aria("label", "Vaccinations due").Body(
			app.Range(due).Slice(func(i int) app.UI {
				v := due[i]
				return app.Li().Body(app.A().Href("/pets/"+v.PetID).Body(
					app.Span().Class("client-name").Text(v.PetName+" · "+v.Name),
					app.Span().Class("sub").Body(app.Text(v.ClientName+" · expires "+string(v.Expires)+" "), dueBadge(v.Due)),
					alertBadges(v.Alerts),
				))
			}),
		),
	}}
}

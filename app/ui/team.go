package ui

import (
	"context"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/access"
)

// team is the owner's screen for inviting staff and giving them access.
type team struct {
	app.Compo
	role    string
	invite  string
	expires time.Time
	members []session.Member
	err     string
	busy    bool
	ui      app.Context // the component's own context (see home.ui)
}

func (t *team) OnMount(ctx app.Context) { t.ui = ctx }

func (t *team) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	if t.role == "" {
		t.role = access.Groomer.String()
	}
	t.load(ctx)
}

func (t *team) load(ctx app.Context) {
	ctx.Async(func() {
		ms, err := current.Members(context.Background())
		ctx.Dispatch(func(ctx app.Context) {
			t.members, t.err = ms, ""
			if err != nil {
				t.err = err.Error()
			}
		})
	})
}

func (t *team) Render() app.UI {
	roles := []access.Role{access.FrontDesk, access.Groomer, access.Viewer, access.Owner}
	return &frame{Content: []app.UI{
		app.H1().Text("Team"),
		app.Section().Class("card").Aria("labelledby", "invite-title").Body(
			app.H2().ID("invite-title").Text("Invite someone"),
			app.Label().For("role").Text("Role"),
			app.Select().ID("role").OnChange(t.ValueTo(&t.role)).Body(
				app.Range(roles).Slice(func(i int) app.UI {
					return app.Option().Value(roles[i].String()).Selected(roles[i].String() == t.role).Text(roles[i].Label())
				}),
			),
			app.Div().Class("actions").Body(
				app.Button().Class("primary").ID("make-invite").Disabled(t.busy).Text("Make an invite code").OnClick(t.makeInvite),
			),
			app.If(t.invite != "", func() app.UI {
				return app.Div().Class("note").Attr("role", "status").Body(
					app.P().Text("Give this code to the new member. They choose “Join with an invite” on their device:"),
					app.P().Class("fingerprint").ID("invite-code").Text(t.invite),
					app.P().Class("hint").Text("Valid until "+t.expires.Local().Format("2 Jan 15:04")+", once."),
				)
			}),
		),
		app.Section().Class("card").Aria("labelledby", "members-title").Body(
			app.H2().ID("members-title").Text("Members"),
			app.If(t.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(t.err) }),
			app.Ul().Class("list").Body(
				app.Range(t.members).Slice(func(i int) app.UI {
					m := t.members[i]
					return app.Li().Class("member").Body(
						app.Div().Body(
							app.Strong().Text(m.Login),
							app.Span().Class("hint").Text(" · "+access.Role(m.Role).Label()),
						),
						app.If(!m.HasKeys && m.Fingerprint != "" && m.Login != current.Login(), func() app.UI {
							return app.Div().Body(
								app.P().Text("Waiting for access. Their screen must show this fingerprint:"),
								app.P().Class("fingerprint").Text(m.Fingerprint),
								app.Button().Class("primary").Text("Give access to "+m.Login).OnClick(func(ctx app.Context, e app.Event) { t.give(ctx, m) }),
							)
						}),
					)
				}),
			),
		),
	}}
}

func (t *team) makeInvite(ctx app.Context, e app.Event) {
	role, err := access.Parse(t.role)
	if err != nil {
		t.err = err.Error()
		return
	}
	t.busy = true
	t.ui.Async(func() {
		inv, err := current.Invite(context.Background(), role)
		t.ui.Dispatch(func(ctx app.Context) {
			t.busy = false
			if err != nil {
				t.err = err.Error()
				return
			}
			t.invite, t.expires, t.err = inv.Code, inv.Expires, ""
		})
	})
}

func (t *team) give(_ app.Context, m session.Member) {
	t.ui.Async(func() {
		err := current.GiveAccess(context.Background(), m)
		t.ui.Dispatch(func(ctx app.Context) {
			if err != nil {
				t.err = err.Error()
				return
			}
			t.load(ctx)
		})
	})
}

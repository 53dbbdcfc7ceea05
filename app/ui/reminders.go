package ui

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
)

// reminderList is the reminders to send today: tomorrow's appointments,
// pets due again and vaccinations due, each a ready message that one tap
// hands to the tablet's SMS or email app (an sms: or mailto: link; the
// page script lets the browser follow those). The tap also notes the
// reminder in the client's contact log, which marks it reminded here.
type reminderList struct {
	app.Compo
	err  string
	stop func()
}

func (l *reminderList) OnMount(ctx app.Context) {
	l.stop = current.OnChange(func() { ctx.Dispatch(func(ctx app.Context) {}) })
}

func (l *reminderList) OnDismount() {
	if l.stop != nil {
		l.stop()
	}
}

func (l *reminderList) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
	}
}

// sent notes r in its client's contact log. The browser follows the link
// itself: the message leaves through the tablet's own app.
func (l *reminderList) sent(r session.Reminder) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		l.err = ""
		if err := current.Reminded(context.Background(), r); err != nil {
			l.err = err.Error() + " The message may have gone: add it to their contact log by hand."
		}
	}
}

func (l *reminderList) Render() app.UI {
	list := current.Reminders(today())
	return &frame{Here: "/reminders", Content: []app.UI{
		app.H1().Text("Reminders"),
		app.P().Class("hint").Text("Tomorrow's appointments, pets due for a groom within a week, and vaccinations due. Send reminder opens the message in this tablet's messages, email or WhatsApp app, by each client's preferred contact."),
		app.If(l.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(l.err) }),
		app.If(len(list) == 0, func() app.UI { return app.P().Class("empty").Text("No reminders to send.") }),
		app.Ul().Class("list", "reminders").Aria("label", "Reminders").Body(
			app.Range(list).Slice(func(i int) app.UI {
				r := list[i]
				return app.Li().Class("reminder").Body(
					app.A().Href("/clients/"+r.Client).Body(
						app.Span().Class("client-name").Text(cmpOr(r.ClientName, "Client")),
						app.Span().Class("sub").Text(r.About),
					),
					app.P().Class("message").Text(r.Message),
					app.Div().Class("actions").Body(
						app.If(r.Href != "", func() app.UI {
							return app.A().Class("button").Href(r.Href).Aria("label", "Send reminder by "+r.Via+" to "+r.ClientName).
								Text("Send reminder by " + r.Via).OnClick(l.sent(r))
						}).Else(func() app.UI { return app.Span().Class("sub").Text(r.Why) }),
						app.If(!r.Reminded.IsZero(), func() app.UI {
							return app.Span().Class("sub").Text("Reminded " + r.Reminded.Format("2 Jan 15:04"))
						}),
					),
				)
			}),
		),
	}}
}

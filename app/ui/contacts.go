package ui

import (
	"context"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/record"
)

// contactLog is the card on a client's screen: calls, texts, emails and
// conversations, with time and author, and a short form to add one,
// whose draft is kept while it is typed.
type contactLog struct {
	app.Compo
	Client string
	c      record.ContactLog
	errs   record.Errors
	err    string
	draft  draftKeeper
}

func (l *contactLog) OnMount(ctx app.Context)  { l.load(ctx) }
func (l *contactLog) OnUpdate(ctx app.Context) { l.load(ctx) }

// load empties the form for a new entry in the client's log, then fills
// it with the draft kept for one, if any.
func (l *contactLog) load(ctx app.Context) {
	l.reset("")
	l.show()
	if l.Client == "" || current.Phase() != session.Open {
		return // the client's screen has not loaded yet
	}
	var c record.ContactLog
	l.draft.openLater(ctx, record.TypeContactLog, session.NewDraftOf(l.Client), &c, func(string) {
		l.c = c
		l.show()
	})
}

// reset empties the form, keeping the channel chosen last.
func (l *contactLog) reset(channel string) {
	l.c, l.errs, l.err = record.ContactLog{Client: l.Client, Channel: channel}, nil, ""
}

func (l *contactLog) show() { showValues("log-summary", l.c.Summary) }

func (l *contactLog) keep(ctx app.Context, e app.Event) {
	// The entry's id and time are given when it is added.
	l.draft.changed(ctx, "", func() any { return l.c })
}

func (l *contactLog) discard(ctx app.Context, e app.Event) {
	l.draft.drop()
	l.reset(l.c.Channel)
	l.show()
}

func (l *contactLog) Render() app.UI {
	list := current.ContactsOf(l.Client)
	sc, _ := record.SchemaOf(record.TypeContactLog)
	channel, direction := must(sc.Field("channel")), must(sc.Field("direction"))
	me := current.Me()
	return app.Section().Class("card").Aria("labelledby", "log-title").Body(
		app.H2().ID("log-title").Text("Contact log"),
		l.draft.addForm(l.discard, l.keep, l.add, l.err, "Add to the log",
			app.Div().Class("grid3").Body(
				enumSelect("log-channel", "Channel", channel, l.c.Channel, false, l.ValueTo(&l.c.Channel)),
				enumSelect("log-direction", "Direction", direction, l.c.Direction, true, l.ValueTo(&l.c.Direction)),
			),
			field("log-summary", "What was said", l.errs.On("summary"), "", app.Textarea().ID("log-summary").Class("short").Text(l.c.Summary).
				Aria("invalid", l.errs.On("summary") != "").OnInput(l.ValueTo(&l.c.Summary))),
		),
		app.Ul().Class("list plain").Body(
			app.Range(list).Slice(func(i int) app.UI {
				c := list[i]
				who := "a colleague"
				if c.Author == me {
					who = "you"
				}
				head := c.When.Local().Format("2 Jan 2006 15:04") + " · " + channel.EnumLabel(c.Channel)
				if c.Direction != "" {
					head += " " + direction.EnumLabel(c.Direction)
				}
				return app.Li().Body(
					app.Div().Body(
						app.Strong().Text(head),
						app.Span().Class("hint").Text(" · by "+who),
						app.P().Style("margin", ".25rem 0 0").Text(c.Summary),
					),
				)
			}),
		),
	)
}

func must(f *record.Field, _ bool) *record.Field { return f }

// enumSelect is a labelled select over a field's enum values.
func enumSelect(id, label string, f *record.Field, value string, optional bool, onChange app.EventHandler) app.UI {
	return app.Div().Body(
		app.Label().For(id).Text(label),
		app.Select().ID(id).OnChange(onChange).Body(
			app.If(optional, func() app.UI { return app.Option().Value("").Selected(value == "").Text("Not set") }),
			app.Range(f.Enum).Slice(func(i int) app.UI {
				return app.Option().Value(f.Enum[i]).Selected(f.Enum[i] == value).Text(f.EnumLabels[i])
			}),
		),
	)
}

func (l *contactLog) add(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if l.c.Channel == "" {
		l.c.Channel = "call"
	}
	l.c.Client, l.c.Summary = l.Client, strings.TrimSpace(l.c.Summary)
	err := current.LogContact(context.Background(), &l.c)
	if l.errs, l.err = saveFailure(err); err == nil {
		l.draft.drop()
		l.reset(l.c.Channel)
		l.show()
	}
}

package ui

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/record"
)

// recordHistory is a record's history, folded under a button: who changed
// what, when and on which device, from the versions the server keeps of
// every device's edits and this device's own. It is read when unfolded,
// away from the UI, and again each time: the latest changes first, older
// ones a page at a time on demand, so a record edited thousands of times
// costs the server and the device one page per request.
type recordHistory struct {
	app.Compo
	Type record.Type
	ID   string

	open    bool
	loading bool
	of      string // the record whose history is shown
	h       session.History
	err     string
	ui      app.Context // the component's own context (see home.ui)
}

func (r *recordHistory) OnMount(ctx app.Context) { r.ui = ctx }

// OnUpdate folds the history when the screen moves to another record.
func (r *recordHistory) OnUpdate(ctx app.Context) {
	if r.of != "" && r.of != r.key() {
		r.open, r.loading, r.of, r.h, r.err = false, false, "", session.History{}, ""
	}
}

func (r *recordHistory) key() string { return string(r.Type) + "/" + r.ID }

func (r *recordHistory) toggle(ctx app.Context, e app.Event) {
	if r.open = !r.open; !r.open {
		return
	}
	typ, id := r.Type, r.ID
	r.of, r.loading, r.err = r.key(), true, ""
	r.ui.Async(func() {
		h, err := current.RecordHistory(context.Background(), typ, id)
		r.ui.Dispatch(func(ctx app.Context) {
			if r.of != string(typ)+"/"+id {
				return // folded, or another record since
			}
			r.loading, r.h = false, h
			if err != nil {
				r.err = "The history could not be read: " + err.Error() + "."
			}
		})
	})
}

// older reads the page of changes before those shown.
func (r *recordHistory) older(ctx app.Context, e app.Event) {
	if r.loading {
		return
	}
	of, h := r.of, r.h
	r.loading, r.err = true, ""
	r.ui.Async(func() {
		more, err := current.OlderHistory(context.Background(), h)
		r.ui.Dispatch(func(ctx app.Context) {
			if r.of != of || !r.open {
				return // folded, or another record since
			}
			r.loading = false
			if err != nil {
				r.err = "The older changes could not be read: " + err.Error() + "."
				return
			}
			r.h = more
		})
	})
}

func (r *recordHistory) Render() app.UI {
	parts := []app.UI{app.H2().ID("history-title").Body(
		app.Button().Class("fold").Aria("expanded", r.open).Aria("controls", "history-body").Text("History").OnClick(r.toggle),
	)}
	if r.open {
		status := r.h.Note
		switch {
		case r.loading && len(r.h.Changes) > 0:
			status = "Reading older changes…"
		case r.loading:
			status = "Reading the history…"
		case r.err != "":
			status = r.err
		case len(r.h.Changes) == 0:
			status = strings.TrimSpace(status + " No changes recorded yet.")
		}
		items := make([]app.UI, len(r.h.Changes))
		for i, c := range r.h.Changes {
			items[i] = changeItem(c)
		}
		parts = append(parts, app.Div().ID("history-body").Body(
			app.P().Class("hint").Attr("role", "status").Text(status),
			app.Ul().Class("list", "plain", "changes").Body(items...),
			app.If(r.h.Older && !r.loading, func() app.UI {
				return app.Button().ID("history-older").Text("Show older changes").OnClick(r.older)
			}),
		))
	}
	return app.Section().Class("card", "history").Aria("labelledby", "history-title").Body(parts...)
}

// changeItem is one change: what changed, from what to what, then who,
// on which device and when.
func changeItem(c session.Change) app.UI {
	what, change := capital(c.Event), ""
	if c.Field != nil {
		old := "(earlier value not on this device)"
		if c.OldKnown {
			old = historyValue(c.Field, c.Old)
		}
		what, change = capital(c.Field.Label)+":", " "+old+" → "+historyValue(c.Field, c.New)
	}
	return app.Li().Body(app.Strong().Text(what), app.Text(change+"\n"+whoText(c.Who, c.Device())+" · "+c.At().Format("2 Jan 2006, 15:04:05")))
}

// whoText names the author and the device of a change: the login if this
// device knows it, with the device. Who writes from another device is
// known only from the server's team list (an owner's) or the audit
// entries read; the signed team log names members, not their devices. A
// writer not known reads as a team member, never as a device's id, which
// tells the person nothing.
func whoText(p session.Person, device uint64) string {
	if p.Login == "" && !p.This {
		if p.DeviceName != "" {
			return "by a team member on " + p.DeviceName
		}
		return "by a team member on another device"
	}
	dev := session.DeviceLabel(device)
	if p.DeviceName != "" {
		dev = p.DeviceName + ", " + dev
	}
	if p.This {
		dev = "this device (" + dev + ")"
	}
	if p.Login == "" {
		return "by " + dev
	}
	return "by " + p.Login + " on " + dev
}

// historyShown bounds the characters of a value a history line shows.
const historyShown = 160

// historyValue is a value as the screens show it, shortened.
func historyValue(f *record.Field, v any) string {
	s := showValue(f, v, func(t record.Type, id string) string {
		// A team member always has a name: their login or their role.
		if n := current.RefName(t, id); n != "" {
			return n
		}
		return "a record no longer on this device"
	})
	if s == "" {
		return "(empty)"
	}
	if utf8.RuneCountInString(s) > historyShown {
		s = string([]rune(s)[:historyShown]) + "…"
	}
	return strings.TrimSpace(s)
}

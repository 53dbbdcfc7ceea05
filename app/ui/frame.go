package ui

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/app/syncclient"
	"pawfile/shared/access"
	"pawfile/shared/record"
)

// frame is the bar at the top of every unlocked screen: the sync status,
// always visible, the lock button, and the install and update offers.
type frame struct {
	app.Compo
	Content     []app.UI
	sync        syncclient.Status
	updatable   bool
	installable bool
	last        session.LastChange
	undoable    bool   // the last change is recent enough to offer undo
	undone      string // what the last undo reverted, or why it could not
	stop        func()
}

// undoWindow is how long after a change the frame offers to undo it.
const undoWindow = 2 * time.Minute

func (f *frame) OnDismount() {
	if f.stop != nil {
		f.stop()
	}
}

// OnInit reads what the bar shows before its first render: read later,
// in OnMount, the undo offer would appear a moment after the screen and
// move it under a finger already on its way.
func (f *frame) OnInit() {
	f.sync = current.Sync()
	f.last, f.undoable = undoOffer()
}

func (f *frame) OnMount(ctx app.Context) {
	f.updatable = updateReady(ctx)
	f.installable = ctx.IsAppInstallable()
	f.watchUndo(ctx)
	// A dispatch here renders the screen around the frame again too (go-app
	// updates every enclosing component): screens that read their records
	// in Render follow through it; those that read them beforehand re-read
	// through their own live.
	f.stop = live(ctx, func(ctx app.Context) {
		f.sync = current.Sync()
		f.watchUndo(ctx)
		if current.Phase() != session.Open {
			toUnlock(ctx)
		}
	})
}

// undoOffer returns the last change and whether it is recent enough to
// offer for undo.
func undoOffer() (session.LastChange, bool) {
	last, ok := current.LastChange()
	return last, ok && time.Since(last.At) < undoWindow
}

// watchUndo offers the last change for undo until undoWindow after it.
func (f *frame) watchUndo(ctx app.Context) {
	f.last, f.undoable = undoOffer()
	if f.undoable {
		f.undone = ""
		ctx.After(undoWindow-time.Since(f.last.At), func(ctx app.Context) { f.watchUndo(ctx) })
	}
}

func (f *frame) undo(ctx app.Context, e app.Event) {
	done, err := current.Undo(context.Background())
	if err != nil {
		f.undone = "Could not undo: " + err.Error() + "."
		return
	}
	f.undone = "Undone: " + done.Label + "." + prefix(" ", done.Note)
	ctx.After(undoWindow, func(ctx app.Context) { f.undone = "" })
	// Show the screen again with what the record holds now.
	u := *ctx.Page().URL()
	q := u.Query()
	q.Set("undone", strconv.FormatInt(time.Now().UnixMilli(), 36))
	u.RawQuery = q.Encode()
	ctx.Navigate(u.String())
}

func (f *frame) OnAppUpdate(ctx app.Context) { f.updatable = updateReady(ctx) }

// updateReady reports go-app's offer of a new version, except on the
// first visit: the service worker's first install, which takes control
// of the page, looks like an update to go-app (see server/pwa).
func updateReady(ctx app.Context) bool {
	return ctx.AppUpdateAvailable() && app.Window().Get("pawfileControlled").Truthy()
}
func (f *frame) OnAppInstallChange(ctx app.Context) { f.installable = ctx.IsAppInstallable() }

func (f *frame) Render() app.UI {
	return app.Div().Body(
		app.Header().Class("bar").Body(
			app.A().Class("title").Href("/clients").Text("Pawfile"),
			app.Nav().Aria("label", "Sections").Body(
				app.A().Href("/today").Text("Today"),
				app.A().Href("/calendar").Text("Calendar"),
				app.If(current.Role().CanRead(record.ClassClient), func() app.UI { return app.A().Href("/clients").Text("Clients") }),
				app.A().Href("/due").Text("Due"),
				app.If(current.Role() == access.Owner, func() app.UI { return app.A().Href("/team").Text("Team") }),
				app.A().Href("/device").Text("Device"),
			),
			statusBadge(f.sync),
			app.If(f.installable, func() app.UI {
				return app.Button().Text("Install").OnClick(func(ctx app.Context, e app.Event) { ctx.ShowAppInstallPrompt() })
			}),
			app.Button().Text("Lock").Aria("label", "Lock Pawfile").OnClick(func(ctx app.Context, e app.Event) {
				toUnlock(ctx)
				current.Lock()
			}),
		),
		app.If((f.sync.State == syncclient.SignedOut || f.sync.State == syncclient.ServerProblem) && f.sync.Err != "", func() app.UI {
			return app.Div().Class("alert").Attr("role", "alert").ID("sync-problem").Text(f.sync.Err)
		}).ElseIf(f.sync.Full, func() app.UI {
			return app.Div().Class("alert").Attr("role", "alert").ID("storage-full").Text(f.sync.Err)
		}),
		app.Main().Class("page").Body(f.Content...),
		// The offers float at the foot of the screen: coming and going,
		// they never move what is under a finger.
		app.Div().Class("toasts").Body(
			app.If(f.updatable, func() app.UI {
				return app.Div().Class("toast").Attr("role", "status").Body(
					app.Span().Text("A new version of Pawfile is ready."),
					app.Button().Text("Update now").OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
				)
			}),
			app.If(f.undoable, func() app.UI {
				return app.Div().Class("toast").Attr("role", "status").Body(
					app.Span().Text("Last change: "+f.last.Label+" at "+f.last.At.Format("15:04")+"."),
					app.Button().Text("Undo").Aria("label", "Undo: "+f.last.Label).OnClick(f.undo),
				)
			}).ElseIf(f.undone != "", func() app.UI {
				return app.Div().Class("toast").Attr("role", "status").Text(f.undone)
			}),
		),
	)
}

func statusBadge(s syncclient.Status) app.UI {
	class, text := "status", ""
	switch s.State {
	case syncclient.UpToDate:
		class, text = "status up-to-date", "Up to date"
		if !s.LastSync.IsZero() {
			text += " · " + since(s.LastSync)
		}
	case syncclient.Syncing:
		text = "Syncing"
		if s.Pending > 0 {
			text = fmt.Sprintf("Syncing · %d left", s.Pending)
		}
		if pct, ok := s.Receiving(); ok {
			text = fmt.Sprintf("Syncing · %d%%", pct)
		}
	case syncclient.Connecting:
		text = "Connecting…"
	case syncclient.SignedOut:
		class, text = "status offline", "Signed out: sign in again"
	case syncclient.ServerProblem:
		class, text = "status offline", "Server problem · retrying"
		if s.Pending > 0 {
			text = fmt.Sprintf("Server problem · %d to send · retrying", s.Pending)
		}
	default:
		class, text = "status offline", "Offline"
		if s.Pending > 0 {
			text = fmt.Sprintf("Offline · %d to send", s.Pending)
		}
		if !s.LastSync.IsZero() {
			text += " · last sync " + since(s.LastSync)
		}
	}
	text += photoProgress(s, current.PhotosWaiting())
	return app.Span().Class(class).Attr("role", "status").Body(
		app.Span().Class("dot").Aria("hidden", "true"),
		app.Span().Text(text),
	)
}

func since(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return t.Format("2 Jan 15:04")
}

// opening is what a screen shows until its OnNav has filled it. go-app
// renders a screen once before OnNav, which may wait on storage: its
// fields would show empty meanwhile, and what was typed or tapped then
// would land on a form about to change under it.
func opening() app.UI {
	return &frame{Content: []app.UI{app.P().Class("empty").Attr("role", "status").Text("Opening…")}}
}

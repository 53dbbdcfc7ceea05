package ui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/app/syncclient"
	"pawfile/shared/access"
	"pawfile/shared/record"
)

// frame is the bar at the top of every unlocked screen: the sync status,
// always visible, the lock button, the install and update offers, and the
// offer to undo the last change, on the screen it was made on.
type frame struct {
	app.Compo
	Content []app.UI
	// Here is the address of the screen, given by the screens where
	// changes are made: the undo offer shows only there. A screen knows
	// it before its first render; the page's address does not (go-app
	// renders the new screen before it changes the address).
	Here        string
	Opening     bool // the screen is still reading what it shows: no offer yet
	sync        syncclient.Status
	updatable   bool
	installable bool
	last        session.LastChange
	undoable    bool // the last change was made on this screen, recently enough to offer undo
	// shown is when the change was made whose offer was last brought
	// into view, or was there from the screen's first render.
	shown time.Time
	stop  func()
}

// undoWindow is how long after a change the frame offers to undo it.
const undoWindow = 2 * time.Minute

// undone is what the last undo reverted, or why it could not, and the
// screen it was asked on, which says so until the person leaves it: the
// screen is built anew to show the record as it is now.
var undone struct{ here, text string }

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
	f.last, f.undoable = undoOffer(f.Here, f.Opening)
	if f.undoable {
		f.shown = f.last.At
	}
}

// OnUpdate reads the undo offer again for the screen's new state: the
// screen shown once it has read its records, or another client's.
func (f *frame) OnUpdate(ctx app.Context) {
	f.last, f.undoable = undoOffer(f.Here, f.Opening)
	f.showUndo(ctx)
}

// showUndo brings the offer to undo a change the screen's Save just made
// to its record into view, below the bar: after a save at the foot of a
// long form the line at the top of the screen is out of sight, and the
// person would see neither that the save happened nor the Undo. The line
// stays in the page's flow, covering nothing; the page moves only if it
// is out of view, once per change. An offer there from the screen's first
// render stays put, and so does the page after a change that shows itself
// where the finger is: a task ticked, or one added with the small form
// below the list (a jump would take the next one away).
func (f *frame) showUndo(ctx app.Context) {
	if !f.undoable || f.last.At.Equal(f.shown) {
		return
	}
	f.shown = f.last.At
	if f.last.ID == "" || !strings.HasSuffix(f.Here, "/"+f.last.ID) {
		return
	}
	sub := submitted.Load()
	if at := time.UnixMilli(sub); sub == answered || f.last.At.Before(at) || f.last.At.Sub(at) > saveTakes {
		return
	}
	answered = sub
	ctx.Defer(func(app.Context) {
		w := app.Window()
		u, bar := w.GetElementByID("undo"), w.Get("document").Call("querySelector", ".bar")
		if !u.Truthy() || !bar.Truthy() {
			return
		}
		r := u.Call("getBoundingClientRect")
		below := bar.Call("getBoundingClientRect").Get("bottom").Float() + 8
		if top := r.Get("top").Float(); top < below || r.Get("bottom").Float() > w.Get("innerHeight").Float() {
			w.Call("scrollBy", 0, top-below)
		}
	})
}

// OnNav tells the session which screen is shown, so that a change saved
// on it is offered for undo on it.
func (f *frame) OnNav(ctx app.Context) {
	path := ctx.Page().URL().Path
	current.SetScreen(path)
	if path != undone.here && path != reopenPath {
		undone.here, undone.text = "", ""
	}
}

func (f *frame) OnMount(ctx app.Context) {
	watchSubmits()
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

// undoOffer returns the last change and whether to offer it for undo on
// the screen at here: it was made there, or it made or changed the record
// that screen shows (a new client's form moves to the client's address
// once saved), and recently.
func undoOffer(here string, opening bool) (session.LastChange, bool) {
	last, ok := current.LastChange()
	there := !opening && here != "" && (last.Screen == here || (last.ID != "" && strings.HasSuffix(here, "/"+last.ID)))
	return last, ok && there && time.Since(last.At) < undoWindow
}

// watchUndo offers the last change for undo until undoWindow after it.
func (f *frame) watchUndo(ctx app.Context) {
	f.last, f.undoable = undoOffer(f.Here, f.Opening)
	f.showUndo(ctx)
	if f.undoable {
		ctx.After(undoWindow-time.Since(f.last.At), func(ctx app.Context) { f.watchUndo(ctx) })
	}
}

func (f *frame) undo(ctx app.Context, e app.Event) {
	undone.here = f.Here
	done, err := current.Undo(context.Background())
	if err != nil {
		undone.text = "Could not undo: " + err.Error() + "."
		return
	}
	undone.text = "Undone: " + done.Label + "." + prefix(" ", done.Note)
	// Build the screen anew with what the record holds now: go-app keeps
	// an input's typed text where a value is emptied.
	ctx.Navigate(reopenPath)
}

// reopenPath is the address of reopen.
const reopenPath = "/reopen"

// reopen is a screen that goes straight back to the one before it, which
// go-app then builds anew: the same screen updated in place would keep on
// screen what was typed into fields the undo emptied.
type reopen struct{ app.Compo }

func (r *reopen) OnNav(ctx app.Context) { app.Window().Get("history").Call("back") }

func (r *reopen) Render() app.UI { return opening() }

// submitted is when a form on the page was last submitted (Unix ms): a
// tap of Save, or Enter in a field.
var submitted atomic.Int64

// answered is the submit whose change showUndo last took: the changes
// after it, until the next submit, were not made by a Save.
var answered int64

// watchingSubmits is set once watchSubmits has its listener in place.
var watchingSubmits bool

// saveTakes bounds the time from a Save to the change it makes: a change
// later than that came from something else.
const saveTakes = 10 * time.Second

// watchSubmits notes every submit on the page in submitted, once per
// page: a listener on the document, in the capture phase, before any
// form's own handler.
func watchSubmits() {
	if watchingSubmits {
		return
	}
	watchingSubmits = true
	app.Window().Get("document").Call("addEventListener", "submit", app.FuncOf(func(app.Value, []app.Value) any {
		submitted.Store(time.Now().UnixMilli())
		return nil
	}), true)
}

// undoLine is the offer to undo the last change, or what the undo did: a
// line at the top of the screen, in its flow, so that it covers nothing.
// It is there from the screen's first render (OnInit) or comes in answer
// to a tap of Save or Undo on this screen, and then into view (showUndo).
func (f *frame) undoLine() app.UI {
	switch {
	case f.undoable:
		return app.Div().Class("undo").ID("undo").Attr("role", "status").Body(
			app.Button().Text("Undo: "+f.last.Label).OnClick(f.undo),
			app.Span().Class("hint").Text("Saved at "+f.last.At.Format("15:04")+"."),
		)
	case !f.Opening && f.Here != "" && undone.here == f.Here && undone.text != "":
		return app.Div().Class("undo").ID("undo").Attr("role", "status").Text(undone.text)
	}
	return nil
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
		app.Main().Class("page").Body(append([]app.UI{f.undoLine()}, f.Content...)...),
		// The update offer floats at the foot of the screen: coming and
		// going, it never moves what is under a finger.
		app.Div().Class("toasts").Body(
			app.If(f.updatable, func() app.UI {
				return app.Div().Class("toast").Attr("role", "status").Body(
					app.Span().Text("A new version of Pawfile is ready."),
					app.Button().Text("Update now").OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
				)
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
			if s.Bootstrap {
				// Three passes, each counted to its end.
				what := "clients"
				switch {
				case s.ClientsIn:
					what = "bookings"
				case s.Pets:
					what = "pets"
				}
				text = fmt.Sprintf("Syncing %s · %d%%", what, pct)
			}
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
	return &frame{Opening: true, Content: []app.UI{app.P().Class("empty").Attr("role", "status").Text("Opening…")}}
}

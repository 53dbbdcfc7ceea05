package ui

import (
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/app/syncclient"
	"pawfile/shared/access"
)

// frame is the bar at the top of every unlocked screen: the sync status,
// always visible, the lock button, and the install and update offers.
type frame struct {
	app.Compo
	Content     []app.UI
	sync        syncclient.Status
	updatable   bool
	installable bool
	stop        func()
}

func (f *frame) OnDismount() {
	if f.stop != nil {
		f.stop()
	}
}

func (f *frame) OnMount(ctx app.Context) {
	f.sync = current.Sync()
	f.updatable = ctx.AppUpdateAvailable()
	f.installable = ctx.IsAppInstallable()
	f.stop = current.OnChange(func() {
		ctx.Dispatch(func(ctx app.Context) {
			f.sync = current.Sync()
			if current.Phase() != session.Open {
				ctx.Navigate("/")
			}
		})
	})
}

func (f *frame) OnAppUpdate(ctx app.Context)        { f.updatable = ctx.AppUpdateAvailable() }
func (f *frame) OnAppInstallChange(ctx app.Context) { f.installable = ctx.IsAppInstallable() }

func (f *frame) Render() app.UI {
	return app.Div().Body(
		app.Header().Class("bar").Body(
			app.A().Class("title").Href("/clients").Text("Pawfile"),
			app.Nav().Aria("label", "Sections").Body(
				app.A().Href("/clients").Text("Clients"),
				app.A().Href("/due").Text("Due"),
				app.If(current.Role() == access.Owner, func() app.UI { return app.A().Href("/team").Text("Team") }),
				app.A().Href("/device").Text("Device"),
			),
			statusBadge(f.sync),
			app.If(f.installable, func() app.UI {
				return app.Button().Text("Install").OnClick(func(ctx app.Context, e app.Event) { ctx.ShowAppInstallPrompt() })
			}),
			app.Button().Text("Lock").Aria("label", "Lock Pawfile").OnClick(func(ctx app.Context, e app.Event) {
				current.Lock()
				ctx.Navigate("/")
			}),
		),
		app.If(f.updatable, func() app.UI {
			return app.Div().Class("banner", "info").Body(
				app.Span().Text("A new version of Pawfile is ready."),
				app.Button().Text("Update now").OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
			)
		}),
		app.Main().Class("page").Body(f.Content...),
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
		if s.Total > 0 && s.Pulled < s.Total {
			text = fmt.Sprintf("Syncing · %d%%", s.Pulled*100/s.Total)
		}
	case syncclient.Connecting:
		text = "Connecting…"
	case syncclient.SignedOut:
		class, text = "status offline", "Signed out: sign in again"
	default:
		class, text = "status offline", "Offline"
		if s.Pending > 0 {
			text = fmt.Sprintf("Offline · %d to send", s.Pending)
		}
		if !s.LastSync.IsZero() {
			text += " · last sync " + since(s.LastSync)
		}
	}
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

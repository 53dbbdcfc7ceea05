// Package ui holds Pawfile's screens as go-app components and the routes
// that show them. The screens work on a session.Session, which compiles
// natively, so the screens do too.
package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
)

// current is the session the screens use; Register sets it.
var current *session.Session

// Register binds every route to its screen, for session s.
func Register(s *session.Session) {
	current = s
	app.Route("/", func() app.Composer { return &home{} })
	app.Route("/clients", func() app.Composer { return &clients{} })
	app.Route("/clients/new", func() app.Composer { return &clientForm{} })
	app.Route("/import", func() app.Composer { return &importer{} })
	app.RouteWithRegexp(`^/clients/[a-z0-9_-]{1,64}$`, func() app.Composer { return &clientForm{} })
	app.RouteWithRegexp(`^/clients/[a-z0-9_-]{1,64}/export$`, func() app.Composer { return &exportPage{} })
	app.RouteWithRegexp(`^/clients/[a-z0-9_-]{1,64}/pets/new$`, func() app.Composer { return &petForm{} })
	app.RouteWithRegexp(`^/pets/[a-z0-9_-]{1,64}$`, func() app.Composer { return &petForm{} })
	app.RouteWithRegexp(`^/clients/[a-z0-9_-]{1,64}/invoices/new$`, func() app.Composer { return &invoiceForm{} })
	app.RouteWithRegexp(`^/invoices/[a-z0-9_-]{1,64}$`, func() app.Composer { return &invoiceForm{} })
	app.Route("/due", func() app.Composer { return &dueList{} })
	app.Route("/reminders", func() app.Composer { return &reminderList{} })
	app.Route("/today", func() app.Composer { return &todayList{} })
	app.Route("/calendar", func() app.Composer { return &calendar{} })
	app.Route("/lapsed", func() app.Composer { return &lapsedList{} })
	app.Route("/projects/new", func() app.Composer { return &projectForm{} })
	app.RouteWithRegexp(`^/clients/[a-z0-9_-]{1,64}/projects/new$`, func() app.Composer { return &projectForm{} })
	app.RouteWithRegexp(`^/projects/[a-z0-9_-]{1,64}$`, func() app.Composer { return &projectForm{} })
	app.Route("/team", func() app.Composer { return &team{} })
	app.Route("/audit", func() app.Composer { return &auditScreen{} })
	app.Route("/device", func() app.Composer { return &deviceScreen{} })
	app.Route("/retention", func() app.Composer { return &retentionScreen{} })
	app.Route("/archive", func() app.Composer { return &archive{} })
	app.Route("/backup", func() app.Composer { return &backupScreen{} })
	app.Route("/settings", func() app.Composer { return &settingsScreen{} })
	app.Route(reopenPath, func() app.Composer { return &reopen{} })
}

// returnTo is the screen that was open when the session locked, or was
// asked for while locked: unlocking goes back to it, and to its draft.
var returnTo string

// toUnlock leaves the current screen for the unlock screen, to come back
// after unlocking.
func toUnlock(ctx app.Context) {
	if u := ctx.Page().URL(); u.Path != "/" {
		returnTo = u.RequestURI()
	}
	ctx.Navigate("/")
}

// resume goes, once unlocked, to the screen toUnlock left, or to the
// client list.
func resume(ctx app.Context) {
	to := returnTo
	if to == "" {
		to = "/clients"
	}
	returnTo = ""
	ctx.Navigate(to)
}

// RegisterUnavailable binds every route to a screen that explains why
// Pawfile cannot start in this browser.
func RegisterUnavailable(err error) {
	msg := err.Error()
	app.RouteWithRegexp(`^/.*`, func() app.Composer { return &unavailable{msg: msg} })
}

type unavailable struct {
	app.Compo
	msg string
}

func (u *unavailable) Render() app.UI {
	return app.Main().Class("shell").Body(
		app.H1().Text("Pawfile cannot start here"),
		app.Div().Class("alert").Attr("role", "alert").Text(u.msg),
		app.P().Text("Pawfile keeps your records in this browser's storage. Leave private browsing, or allow storage for this site, then reload."),
	)
}

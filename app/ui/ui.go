// Package ui holds Pawfile's screens as go-app components and the routes
// that show them.
package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Register binds every route to its screen.
func Register() {
	app.Route("/", func() app.Composer { return &home{} })
}

type home struct {
	app.Compo
}

func (h *home) Render() app.UI {
	return app.Main().Class("home").Body(
		app.H1().Text("Pawfile"),
		app.P().Text("Client and project records for groomers, on the tablet in your hand."),
		app.P().Text("The record screens arrive with the next releases."),
	)
}

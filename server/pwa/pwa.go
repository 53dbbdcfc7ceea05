// Package pwa serves the Pawfile progressive web app: the page shell, the
// manifest, the service worker and the static assets from web/.
//
// The server never renders records (it cannot read them), so every route
// pre-renders the same loading shell and the wasm app takes over in the
// browser.
package pwa

import (
	"net/http"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

type shell struct {
	app.Compo
}

func (s *shell) Render() app.UI {
	return app.Main().Class("shell").Body(
		app.H1().Text("Pawfile"),
		app.P().Text("Opening your records…"),
	)
}

// Handler returns the handler for the app, announcing version to the
// browser so it updates when, and only when, a new build is served.
func Handler(version, webDir string) http.Handler {
	app.RouteWithRegexp("^/.*", func() app.Composer { return &shell{} })
	return &app.Handler{
		Name:         "Pawfile",
		ShortName:    "Pawfile",
		Title:        "Pawfile",
		Description:  "Client and project records for groomers, offline first.",
		Lang:         "en",
		LoadingLabel: "Opening Pawfile… {progress}%",
		Version:      version,
		// Our own icons: go-app's default is fetched from the internet,
		// which a service worker cannot precache offline.
		Icon: app.Icon{
			Default:  "/web/icons/icon-192.png",
			Large:    "/web/icons/icon-512.png",
			SVG:      "/web/icons/icon.svg",
			Maskable: "/web/icons/maskable-512.png",
		},
		Resources: assets{http.StripPrefix("/web", http.FileServer(http.Dir(webDir)))},
	}
}

// assets serves the files of the web directory at /web/, wherever the
// directory is. Paths stay absolute so deep links such as /clients/42 load
// the same files as /.
type assets struct{ http.Handler }

func (assets) Resolve(location string) string { return location }

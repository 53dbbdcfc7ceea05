// Command app is the Pawfile progressive web app. Built with GOOS=js
// GOARCH=wasm it becomes web/app.wasm; natively it compiles so that its
// components can be tested without a browser.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/ui"
)

func main() {
	ui.Register()
	app.RunWhenOnBrowser()
}

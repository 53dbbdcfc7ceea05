// Package pagescript holds the JavaScript of the app's page (page.js): it
// stops the browser's own navigation, which go-app does from Go, and defines
// the functions the app calls that must run in the browser whole (dragging
// a booking, reading a time zone). The server serves it as a script of the
// page, before the app, because the page's Content-Security-Policy forbids
// the app to eval code; tests that run the app outside the page load it
// themselves.
package pagescript

import _ "embed"

// Source is page.js.
//
//go:embed page.js
var Source string

// Path is where the server serves Source.
const Path = "/page.js"

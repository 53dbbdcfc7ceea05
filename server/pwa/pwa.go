// Package pwa serves the Pawfile progressive web app: the page shell, the
// manifest, the service worker and the static assets from web/.
//
// The server never renders records (it cannot read them), so every route
// pre-renders the same loading shell and the wasm app takes over in the
// browser.
package pwa

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

//go:embed worker.js
var worker string

type shell struct {
	app.Compo
}

func (s *shell) Render() app.UI {
	return app.Main().Class("shell").Body(
		app.H1().Text("Pawfile"),
		app.P().Text("Opening your records…"),
	)
}

// Handler returns the handler for the app in webDir, announcing version to
// the browser so it offers an update when, and only when, a new build is
// served. app.wasm is compressed once, here, rather than per request.
func Handler(version, webDir string) (http.Handler, error) {
	a, err := newAssets(webDir)
	if err != nil {
		return nil, err
	}
	app.RouteWithRegexp("^/.*", func() app.Composer { return &shell{} })
	h := &app.Handler{
		Name:         name,
		ShortName:    name,
		Title:        name,
		Description:  description,
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
		Styles:                []string{"/web/app.css"},
		RawHeaders:            []string{nativeNavigation},
		BackgroundColor:       background,
		ThemeColor:            theme,
		WasmContentLength:     a.wasmLength,
		ServiceWorkerTemplate: worker,
		Resources:             a,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /manifest.webmanifest", serveManifest)
	mux.Handle("/", h)
	// The page, scripts and styles go out gzipped too (app.wasm is
	// compressed ahead, and left as it is): 30 KB less on a first load.
	return gzhttp.GzipHandler(mux), nil
}

// nativeNavigation stops the browser from following a link or posting a
// form itself. go-app does both from Go, on its UI goroutine: while that
// goroutine waits (on storage, say) a tap on a link reaches the browser
// first, which loads the page anew, and the app comes back locked with
// what was on screen lost. go-app still does the navigating. It also
// notes whether a service worker controlled the page as it loaded: if
// not, the worker that takes control is the first install, which go-app
// announces as an update; that announcement is dropped before it reaches
// Go, where it would re-render the screen a few seconds after the first
// load, under the person's first taps.
const nativeNavigation = `<script>
window.pawfileControlled = !!(navigator.serviceWorker && navigator.serviceWorker.controller);
(() => {
  let onUpdate = () => {};
  Object.defineProperty(window, "goappOnUpdate", {
    configurable: true,
    get: () => window.pawfileControlled ? onUpdate : () => {},
    set: f => { onUpdate = f; },
  });
})();
document.addEventListener("click", e => {
  const a = e.target.closest && e.target.closest("a[href]");
  if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey ||
      a.target === "_blank" || a.hasAttribute("download") || a.origin !== location.origin) return;
  e.preventDefault();
}, true);
document.addEventListener("submit", e => e.preventDefault(), true);
</script>`

const (
	name        = "Pawfile"
	description = "Client and project records for groomers, offline first."
	background  = "#ffffff"
	theme       = "#0f5f58"
)

// manifest is the web app manifest. go-app writes its icons with an empty
// "purpose", which Chrome reads as no purpose at all and ignores the icons,
// so the app would not be installable: we serve our own.
var manifest = mustJSON(map[string]any{
	"name": name, "short_name": name, "description": description,
	"scope": "/", "start_url": "/", "display": "standalone", "orientation": "any",
	"background_color": background, "theme_color": theme,
	"icons": []map[string]string{
		{"src": "/web/icons/icon-192.png", "type": "image/png", "sizes": "192x192", "purpose": "any"},
		{"src": "/web/icons/icon-512.png", "type": "image/png", "sizes": "512x512", "purpose": "any"},
		{"src": "/web/icons/icon.svg", "type": "image/svg+xml", "sizes": "any", "purpose": "any"},
		{"src": "/web/icons/maskable-192.png", "type": "image/png", "sizes": "192x192", "purpose": "maskable"},
		{"src": "/web/icons/maskable-512.png", "type": "image/png", "sizes": "512x512", "purpose": "maskable"},
	},
})

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("pwa: manifest: %v", err))
	}
	return b
}

func serveManifest(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(manifest)
}

// assets serves the files of the web directory at /web/, wherever the
// directory is. Paths stay absolute so deep links such as /clients/42 load
// the same files as /.
type assets struct {
	files      http.Handler
	wasm       []byte // gzip of app.wasm; nil when there is none
	brotli     []byte // app.wasm.br when it holds this app.wasm (see Compress)
	wasmLength string // its uncompressed size, for the loading progress
}

func newAssets(webDir string) (*assets, error) {
	a := &assets{files: http.StripPrefix("/web", http.FileServer(http.Dir(webDir)))}
	raw, err := os.ReadFile(filepath.Join(webDir, "app.wasm"))
	if os.IsNotExist(err) {
		return a, nil // tests serve no app; a browser then gets a 404 for it
	}
	if err != nil {
		return nil, fmt.Errorf("read app: %w", err)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress app: %w", err)
	}
	a.wasm, a.wasmLength = buf.Bytes(), strconv.Itoa(len(raw))
	if br, err := os.ReadFile(filepath.Join(webDir, "app.wasm.br")); err == nil && matches(br, raw) {
		a.brotli = br
	}
	return a, nil
}

func (assets) Resolve(location string) string { return location }

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/web/app.wasm" && a.wasm != nil {
		w.Header().Set("Content-Type", "application/wasm")
		w.Header().Set("Vary", "Accept-Encoding")
		accept := r.Header.Get("Accept-Encoding")
		if a.brotli != nil && strings.Contains(accept, "br") {
			w.Header().Set("Content-Encoding", "br")
			w.Header().Set("Content-Length", strconv.Itoa(len(a.brotli)))
			w.Write(a.brotli)
			return
		}
		if !strings.Contains(accept, "gzip") {
			zr, err := gzip.NewReader(bytes.NewReader(a.wasm))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Length", a.wasmLength)
			zr.WriteTo(w)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(a.wasm)))
		w.Write(a.wasm)
		return
	}
	a.files.ServeHTTP(w, r)
}

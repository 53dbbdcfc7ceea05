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
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/shared/pagescript"
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
		Styles: []string{"/web/app.css"},
		// Loaded (not deferred) before go-app's own scripts, which are.
		Scripts:               []string{pagescript.Path},
		BackgroundColor:       background,
		ThemeColor:            theme,
		WasmContentLength:     a.wasmLength,
		ServiceWorkerTemplate: worker,
		Resources:             a,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /manifest.webmanifest", serveManifest)
	mux.HandleFunc("GET "+pagescript.Path, servePageScript)
	mux.Handle("/", h)
	// The page, scripts and styles go out gzipped too (app.wasm is
	// compressed ahead, and left as it is): 30 KB less on a first load.
	return secure(gzhttp.GzipHandler(mux)), nil
}

// Policy is the Content-Security-Policy of the app: its code, styles,
// pictures and sync come from its own origin only. go-app's wasm needs
// 'wasm-unsafe-eval' to compile, and nothing may eval JavaScript (the
// app's own scripts are in pagescript). Inline style attributes are
// allowed because go-app sets an element's style as an attribute; no
// inline <style> or script is. Photos are shown from blob: URLs. No other
// site may frame the app (clickjacking).
const Policy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' blob: data:; " +
	"connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// secure sets the security headers of every answer of the app: the
// policy, no content-type sniffing (an uploaded-looking file is never run
// as a script), no Referer (an address can carry what a proxy or another
// site should not see), and no framing for browsers that predate
// frame-ancestors.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", Policy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func servePageScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	io.WriteString(w, pagescript.Source)
}

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
	a := &assets{files: http.StripPrefix("/web", http.FileServer(files{http.Dir(webDir)}))}
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

// files is the web directory without its directories: /web/ and
// /web/icons/ are not found rather than listed.
type files struct{ dir http.Dir }

func (f files) Open(name string) (http.File, error) {
	file, err := f.dir.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	if info.IsDir() {
		file.Close()
		return nil, os.ErrNotExist
	}
	return file, nil
}

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

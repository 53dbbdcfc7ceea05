package pwa

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newTestHandler(t *testing.T, wasm []byte) http.Handler {
	t.Helper()
	dir := t.TempDir()
	if wasm != nil {
		if err := os.WriteFile(filepath.Join(dir, "app.wasm"), wasm, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h, err := Handler("v1", dir)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(h http.Handler, path string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Chrome ignores icons without a purpose it knows, and then refuses to
// install the app: every icon must say any or maskable, and there must be
// a 192 and a 512 of each.
func TestManifestIsInstallable(t *testing.T) {
	w := get(newTestHandler(t, nil), "/manifest.webmanifest", nil)
	if w.Code != 200 {
		t.Fatalf("manifest: %d", w.Code)
	}
	var m struct {
		StartURL string `json:"start_url"`
		Display  string `json:"display"`
		Icons    []struct{ Src, Sizes, Purpose, Type string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m.StartURL != "/" || m.Display != "standalone" {
		t.Errorf("start_url %q, display %q", m.StartURL, m.Display)
	}
	have := map[string]bool{}
	for _, ic := range m.Icons {
		if ic.Purpose != "any" && ic.Purpose != "maskable" {
			t.Errorf("icon %s has purpose %q", ic.Src, ic.Purpose)
		}
		if _, err := os.Stat(filepath.Join("../../web", strings.TrimPrefix(ic.Src, "/web/"))); err != nil {
			t.Errorf("icon %s is not in web/: %v", ic.Src, err)
		}
		have[ic.Purpose+" "+ic.Sizes] = true
	}
	for _, want := range []string{"any 192x192", "any 512x512", "maskable 192x192", "maskable 512x512"} {
		if !have[want] {
			t.Errorf("no %s icon", want)
		}
	}
}

func TestWasmIsCompressedWithItsLength(t *testing.T) {
	raw := []byte(strings.Repeat("wasm bytes ", 10_000))
	h := newTestHandler(t, raw)
	w := get(h, "/web/app.wasm", map[string]string{"Accept-Encoding": "gzip, deflate, br"})
	if w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("Content-Type") != "application/wasm" {
		t.Fatalf("headers %v", w.Header())
	}
	if w.Body.Len() >= len(raw)/10 {
		t.Errorf("compressed to %d of %d bytes", w.Body.Len(), len(raw))
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); string(got) != string(raw) {
		t.Error("gzip does not round trip")
	}
	plain := get(h, "/web/app.wasm", nil)
	if plain.Body.String() != string(raw) || plain.Header().Get("Content-Encoding") != "" {
		t.Error("a client without gzip gets something else than the file")
	}
	// The loading bar divides by the uncompressed size.
	if js := get(h, "/app.js", nil); !strings.Contains(js.Body.String(), "110000") {
		t.Errorf("app.js (%d) does not carry the wasm length", js.Code)
	}
	if page := get(h, "/clients/42", nil); page.Code != 200 || !strings.Contains(page.Body.String(), "/app.js") {
		t.Errorf("a deep link (%d) does not load the app", page.Code)
	}
}

// The page, scripts and styles are gzipped for a browser that takes it
// (responses under gzhttp.DefaultMinSize, such as the manifest, are not).
func TestTextIsGzipped(t *testing.T) {
	dir := t.TempDir()
	css := strings.Repeat(".card { padding: 1rem; }\n", 400)
	if err := os.WriteFile(filepath.Join(dir, "app.css"), []byte(css), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := Handler("v1", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/app.js", "/wasm_exec.js", "/web/app.css"} {
		w := get(h, path, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
		if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: %d, Content-Encoding %q", path, w.Code, w.Header().Get("Content-Encoding"))
			continue
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		plain, _ := io.ReadAll(zr)
		raw := get(h, path, nil)
		if raw.Header().Get("Content-Encoding") != "" {
			t.Errorf("%s: compressed for a browser that did not ask", path)
		}
		// The page differs from one request to the next; the files do not.
		if path == "/" && !strings.Contains(string(plain), "/app.js") || path != "/" && raw.Body.String() != string(plain) {
			t.Errorf("%s: the gzipped body is not the file", path)
		}
	}
}

func TestBrotliWhenCompressedForThisBuild(t *testing.T) {
	dir := t.TempDir()
	raw := []byte(strings.Repeat("wasm bytes ", 10_000))
	wasm := filepath.Join(dir, "app.wasm")
	os.WriteFile(wasm, raw, 0o644)
	if err := Compress(wasm, io.Discard); err != nil {
		t.Fatal(err)
	}
	h, err := Handler("v1", dir)
	if err != nil {
		t.Fatal(err)
	}
	w := get(h, "/web/app.wasm", map[string]string{"Accept-Encoding": "gzip, deflate, br, zstd"})
	if w.Header().Get("Content-Encoding") != "br" || w.Body.Len() >= len(raw)/10 {
		t.Fatalf("encoding %q, %d bytes", w.Header().Get("Content-Encoding"), w.Body.Len())
	}
	if !matches(w.Body.Bytes(), raw) {
		t.Error("brotli does not round trip")
	}
	// A new build without a new .br: the stale file is not served.
	os.WriteFile(wasm, append(raw, "v2"...), 0o644)
	h, _ = Handler("v2", dir)
	if w := get(h, "/web/app.wasm", map[string]string{"Accept-Encoding": "gzip, br"}); w.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("stale .br served (%q)", w.Header().Get("Content-Encoding"))
	}
}

package main

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// policy splits a Content-Security-Policy into its directives.
func policy(csp string) map[string][]string {
	ds := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		if f := strings.Fields(d); len(f) > 0 {
			ds[f[0]] = f[1:]
		}
	}
	return ds
}

// The app shell, its scripts and the files of /web/ carry a policy that
// lets go-app's wasm compile but no JavaScript be evaluated, and forbid
// framing, sniffing and referrers; /web/ lists no directories.
func TestSecurityHeaders(t *testing.T) {
	s := startServer(t, t.TempDir(), freeAddr(t), "-web", "../web")
	for _, path := range []string{"/", "/clients/42", "/web/app.css", "/app.js", "/app-worker.js", "/manifest.webmanifest"} {
		resp, err := http.Get("http://" + s.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", path, resp.Status)
		}
		csp := policy(resp.Header.Get("Content-Security-Policy"))
		for d, want := range map[string]string{"default-src": "'self'", "script-src": "'wasm-unsafe-eval'", "frame-ancestors": "'none'", "object-src": "'none'"} {
			if !slices.Contains(csp[d], want) {
				t.Errorf("GET %s: Content-Security-Policy's %s is %q, without %s", path, d, csp[d], want)
			}
		}
		for _, bad := range []string{"'unsafe-eval'", "'unsafe-inline'", "data:", "blob:", "*"} {
			if slices.Contains(csp["script-src"], bad) {
				t.Errorf("GET %s: Content-Security-Policy's script-src has %s", path, bad)
			}
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("GET %s: %s is %q, want %q", path, h, got, want)
			}
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("GET %s over plain HTTP sends Strict-Transport-Security", path)
		}
	}
	for _, path := range []string{"/web/", "/web/icons/", "/web/icons"} {
		resp, err := http.Get("http://" + s.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNotFound || strings.Contains(string(body), "icon-192.png") {
			t.Errorf("GET %s: %s, %q: a directory is listed", path, resp.Status, body)
		}
	}
}

// The page loads no inline script: its own script is a file of the app's
// origin, which the policy allows.
func TestShellHasNoInlineScript(t *testing.T) {
	s := startServer(t, t.TempDir(), freeAddr(t), "-web", "../web")
	resp, err := http.Get("http://" + s.addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	page := string(body)
	for rest := page; ; {
		i := strings.Index(rest, "<script")
		if i < 0 {
			break
		}
		tag := rest[i : i+strings.Index(rest[i:], ">")+1]
		if !strings.Contains(tag, "src=") {
			t.Errorf("inline script in the page: %s…", rest[i:min(len(rest), i+80)])
		}
		rest = rest[i+len(tag):]
	}
	if !strings.Contains(page, `src="/page.js"`) {
		t.Errorf("the page does not load /page.js:\n%s", page)
	}
}

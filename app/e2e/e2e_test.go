//go:build !js

// Package e2e drives the real app in headless Chromium against the real
// server binary: the five journeys of a groomer's tablet and the front
// desk, online and off.
package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// built holds the server binary and the web directory with app.wasm,
// built once for all tests.
var built struct {
	bin, web string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pawfile-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		if err := build(dir); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: build:", err)
			return 1
		}
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

func build(dir string) error {
	root, err := filepath.Abs("../..")
	if err != nil {
		return err
	}
	built.bin, built.web = filepath.Join(dir, "pawfile"), filepath.Join(dir, "web")
	if err := os.CopyFS(built.web, os.DirFS(filepath.Join(root, "web"))); err != nil {
		return fmt.Errorf("copy web: %w", err)
	}
	// Built as make build does, so that a web/app.wasm.br left by make
	// build is reused when it matches, rather than made again (a minute).
	for _, c := range []*exec.Cmd{
		exec.Command("go", "build", "-o", built.bin, "./server"),
		exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(built.web, "app.wasm"), "./app"),
		exec.Command(built.bin, "compress-app", "-web", built.web),
	} {
		c.Dir = root
		c.Stderr = os.Stderr
		if strings.HasSuffix(c.Args[len(c.Args)-1], "app") {
			c.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		}
		if err := c.Run(); err != nil {
			return fmt.Errorf("%v: %w", c.Args, err)
		}
	}
	return nil
}

// server is the real binary, started and stopped by a test.
type server struct {
	t    testing.TB
	addr string
	data string
	cmd  *exec.Cmd
	// flags are the server's flags beyond its address and directories,
	// from its next start.
	flags []string
}

func startServer(t testing.TB) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{t: t, addr: addr, data: t.TempDir()}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *server) url() string { return "http://" + s.addr }

func (s *server) start() {
	s.t.Helper()
	s.cmd = exec.Command(built.bin, append([]string{"serve", "-addr", s.addr, "-data", s.data, "-web", built.web}, s.flags...)...)
	s.cmd.Stderr = os.Stderr
	if testing.Verbose() {
		s.cmd.Stdout = os.Stdout
	}
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	for range 500 {
		if resp, err := http.Get(s.url() + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatal("server did not start within 10 s")
}

// signupLink runs pawfile signup-code for s, as its operator would, and
// returns the link it prints.
func (s *server) signupLink() string {
	s.t.Helper()
	out, err := exec.Command(built.bin, "signup-code", "-data", s.data, "-addr", s.addr).Output()
	if err != nil {
		s.t.Fatalf("pawfile signup-code: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if link, ok := strings.CutPrefix(line, "Link:"); ok {
			return strings.TrimSpace(link)
		}
	}
	s.t.Fatalf("pawfile signup-code printed no link:\n%s", out)
	return ""
}

// stop kills the server as a power cut would.
func (s *server) stop() {
	if s.cmd != nil && s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(syscall.SIGKILL)
		s.cmd.Wait()
	}
}

// browser is one Chromium profile: one tablet.
type browser struct {
	t   testing.TB
	ctx context.Context
	// quit ends Chromium; the test's cleanup does, and a benchmark
	// may sooner, so that one browser's background work does not
	// slow the next one's measures.
	quit func()
	// console keeps the page's last console lines and uncaught
	// exceptions, for the message of a failure.
	mu      sync.Mutex
	console []string
	// crash keeps the first lines of a Go crash, which name its cause;
	// the goroutine dump after them would push them out of console.
	crash []string
	// violations are what the page's Content-Security-Policy blocked:
	// each fails the test.
	violations []string
}

// reportViolations makes the page say on its console what its
// Content-Security-Policy blocks, which the browser only tells DevTools.
const reportViolations = `document.addEventListener("securitypolicyviolation", e =>
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline code") + " at " + e.sourceFile + ":" + e.lineNumber));`

// consoleLines is how many console lines a failure shows.
const consoleLines = 40

func (b *browser) logConsole(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	line = time.Now().Format("15:04:05.000 ") + line
	if len(b.crash) > 0 && len(b.crash) < consoleLines {
		b.crash = append(b.crash, line)
	} else if strings.Contains(line, "panic:") || strings.Contains(line, "fatal error:") {
		b.crash = append(b.crash, line)
	}
	if strings.Contains(line, "CSP violation:") {
		b.violations = append(b.violations, line)
	}
	b.console = append(b.console, line)
	if len(b.console) > consoleLines {
		b.console = b.console[len(b.console)-consoleLines:]
	}
}

// where says, for a failure, the page's address and its last console lines.
func (b *browser) where() string {
	var href string
	chromedp.Run(b.ctx, chromedp.Evaluate(`location.href`, &href))
	b.mu.Lock()
	defer b.mu.Unlock()
	out := "address: " + href
	if len(b.crash) > 0 {
		out += "\ncrash:\n  " + strings.Join(b.crash, "\n  ")
	}
	return out + "\nconsole:\n  " + strings.Join(b.console, "\n  ")
}

// chromium finds the browser; chromedp's own search covers other names.
func chromium() string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func newBrowser(t testing.TB, width, height int) *browser {
	t.Helper()
	// Not t.TempDir: Chromium may still write to its profile while it
	// exits, which fails the test's own cleanup.
	profile, err := os.MkdirTemp("", "pawfile-profile")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(width, height),
	)
	if p := chromium(); p != "" {
		opts = append(opts, chromedp.ExecPath(p))
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	// This Chromium sends a CDP value the pinned cdproto does not know;
	// the event is irrelevant here.
	quiet := func(format string, args ...any) {
		if msg := fmt.Sprintf(format, args...); !strings.Contains(msg, "IPAddressSpace") {
			t.Logf("chromedp: %s", msg)
		}
	}
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithErrorf(quiet))
	if err := chromedp.Run(ctx); err != nil {
		cancelC()
		cancelA()
		t.Fatalf("start Chromium: %v", err)
	}
	quit := func() {
		cancelC()
		cancelA()
	}
	t.Cleanup(func() {
		quit()
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	b := &browser{t: t, ctx: ctx, quit: quit}
	if err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(reportViolations).Do(ctx)
		return err
	})); err != nil {
		t.Fatalf("watch the page's Content-Security-Policy: %v", err)
	}
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, v := range b.violations {
			t.Errorf("the page's Content-Security-Policy blocked something the app needs: %s", v)
		}
	})
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range e.Args {
				// A primitive has a Value, an object only a Description.
				if a.Value != nil {
					parts = append(parts, strings.Trim(string(a.Value), `"`))
				} else {
					parts = append(parts, a.Description)
				}
			}
			b.logConsole(string(e.Type) + ": " + strings.Join(parts, " "))
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if x := e.ExceptionDetails.Exception; x != nil && x.Description != "" {
				msg += " " + x.Description
			}
			b.logConsole("exception: " + msg)
		}
	})
	return b
}

// run runs actions with a deadline, failing the test with what was asked.
func (b *browser) run(what string, timeout time.Duration, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var body string
		chromedp.Run(b.ctx, chromedp.Text("body", &body, chromedp.ByQuery))
		b.t.Fatalf("%s: %v\npage text: %s\nscreenshot: %s\n%s", what, err, body, b.screenshot("failed"), b.where())
	}
}

// open loads a page and waits for the app to render into it.
func (b *browser) open(url string) {
	b.t.Helper()
	b.run("open "+url, 60*time.Second, chromedp.Navigate(url), chromedp.WaitVisible("main", chromedp.ByQuery))
}

// screenshot saves the page as a PNG in $PAWFILE_SCREENSHOTS (or the
// temp dir) and returns its path.
func (b *browser) screenshot(name string) string {
	dir := os.Getenv("PAWFILE_SCREENSHOTS")
	if dir == "" {
		dir = os.TempDir()
	}
	// Bounded: a capture headless Chromium never answered (CI, TestScreens
	// at 820 px) held the whole suite for 13 minutes. A test goes on
	// without its picture; what it checks does not depend on it.
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.CaptureScreenshot(&png)); err != nil {
		return "none: " + err.Error()
	}
	path := filepath.Join(dir, "pawfile-"+strings.NewReplacer("/", "-", " ", "_").Replace(b.t.Name())+"-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "none: " + err.Error()
	}
	return path
}

// text is the visible text of the page.
func (b *browser) text() string {
	var s string
	b.run("read page", 10*time.Second, chromedp.Text("body", &s, chromedp.ByQuery))
	return s
}

// waitText waits until the page shows s.
func (b *browser) waitText(s string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(b.text(), s) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatalf("page never showed %q; it shows:\n%s\nscreenshot: %s\n%s", s, b.text(), b.screenshot("failed"), b.where())
}

// fill puts value into input id and tells the page, as typing would end
// (an input event, then change). Keystrokes are not sent: a busy page
// may take them after focus has moved on, into the next field.
func (b *browser) fill(id, value string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => {
		const e = document.getElementById(%q);
		if (!e) return false;
		e.focus();
		e.value = %q;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		e.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, id, value)
	var ok bool
	b.run("fill "+id, 20*time.Second, chromedp.WaitVisible("#"+id, chromedp.ByQuery), chromedp.Evaluate(js, &ok))
	if !ok {
		b.t.Fatalf("fill %s: no such input; screenshot: %s", id, b.screenshot("failed"))
	}
}

// click clicks the element at xpath once it is visible. A screen that
// renders again between finding the element and clicking it replaces the
// node: the click is tried again then, a few times.
func (b *browser) click(xpath string) {
	b.t.Helper()
	// Scrolled to the middle of the screen first: at an edge the sticky
	// bar (or the client list's sticky search) can cover it and take the
	// tap, as it would a finger's.
	center := chromedp.ActionFunc(func(ctx context.Context) error {
		return chromedp.Evaluate(fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue?.scrollIntoView({block: "center"}) ?? true`, xpath), nil).Do(ctx)
	})
	for range 3 {
		ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
		err := chromedp.Run(ctx, chromedp.WaitVisible(xpath, chromedp.BySearch), center, chromedp.Click(xpath, chromedp.BySearch))
		cancel()
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "Could not find node") {
			break
		}
	}
	b.run("click "+xpath, 20*time.Second, chromedp.WaitVisible(xpath, chromedp.BySearch), center, chromedp.Click(xpath, chromedp.BySearch))
}

func (b *browser) button(text string) {
	b.t.Helper()
	b.click(`//button[normalize-space()="` + text + `"]`)
}
func (b *browser) link(text string) {
	b.t.Helper()
	b.click(`//a[normalize-space()="` + text + `"]`)
}

const passphrase = "correct horse battery"

// ownerScreen opens one of the owner's screens linked from Team, once the
// team's list has loaded: it moves the links as it comes in.
func (b *browser) ownerScreen(link string) {
	b.t.Helper()
	b.link("Team")
	b.waitText("last seen", 20*time.Second)
	b.link(link)
}

// inviteCode makes an invite code for role on the Team screen and returns it.
func (b *browser) inviteCode(role string) string {
	b.t.Helper()
	b.link("Team")
	b.run("choose role", 10*time.Second, chromedp.WaitVisible("#role", chromedp.ByQuery), chromedp.SetValue("#role", role, chromedp.ByQuery))
	b.button("Make an invite code")
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var code string
		b.run("read code", 5*time.Second, chromedp.Evaluate(`(document.getElementById("invite-code") || {}).textContent || ""`, &code))
		if code = strings.TrimSpace(code); code != "" {
			return code
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatalf("no invite code; the page shows:\n%s\nscreenshot: %s", b.text(), b.screenshot("failed"))
	return ""
}

// join has b join the owner's workspace as login with an invite for
// role, typing the code in.
func (b *browser) join(s *server, owner *browser, role, login string) {
	b.t.Helper()
	code := owner.inviteCode(role)
	b.open(s.url() + "/")
	b.button("Join with an invite")
	b.fill("code", strings.TrimSpace(code))
	b.finishJoin(owner, login)
}

// finishJoin fills in the rest of the join form, its code given, and has
// the owner give b access once b's fingerprint shows on Team; it returns
// the fingerprint.
func (b *browser) finishJoin(owner *browser, login string) string {
	b.t.Helper()
	b.fill("login", login)
	b.fill("pass", passphrase)
	b.fill("pass2", passphrase)
	b.button("Join")
	b.waitText("Waiting for access", 60*time.Second)
	var fp string
	b.run("fingerprint", 10*time.Second, chromedp.Text("#fingerprint", &fp, chromedp.ByQuery))
	fp = strings.TrimSpace(fp)
	owner.link("Today")
	owner.link("Team")
	owner.waitText(fp, 20*time.Second)
	owner.button("Give access to " + login)
	owner.waitText(login+" has access now.", 20*time.Second)
	return fp
}

// ownerAndDesk is a workspace with one client, Margaret Lockwood (notes
// given), on the owner's browser (1024×768) and, once synced, on the
// front desk's (820×1180).
func ownerAndDesk(t *testing.T, s *server, notes string) (owner, desk *browser) {
	t.Helper()
	owner = newBrowser(t, 1024, 768)
	owner.createWorkspace(s, "owner@example.com")
	owner.addClient("Margaret Lockwood", "07700 900123", notes)
	desk = newBrowser(t, 820, 1180)
	desk.join(s, owner, "front_desk", "desk@example.com")
	desk.waitText("Margaret Lockwood", 60*time.Second)
	return owner, desk
}

func (b *browser) createWorkspace(s *server, login string) {
	b.t.Helper()
	// The server asks for a sign-up code: its operator's link opens the
	// form with the code filled in.
	link := s.signupLink()
	b.open(link)
	b.waitValue("signup", strings.TrimPrefix(link, s.url()+"/#signup="), 20*time.Second)
	b.fill("login", login)
	b.fill("pass", passphrase)
	b.fill("pass2", passphrase)
	b.button("Create workspace")
	b.waitText("No clients yet", 60*time.Second)
}

func (b *browser) unlock() {
	b.t.Helper()
	b.waitText("Unlock Pawfile", 60*time.Second)
	b.fill("pass", passphrase)
	b.button("Unlock")
	// Unlocking goes back to the screen asked for, with the bar on top.
	b.run("unlocked", 60*time.Second, chromedp.WaitVisible("header.bar", chromedp.ByQuery))
}

// addClient creates a client from the client list.
func (b *browser) addClient(name, phone, notes string) {
	b.t.Helper()
	b.link("New client")
	b.fill("name", name)
	b.fill("phone-1", phone)
	b.fill("notes", notes)
	b.button("Save")
	b.waitText("Saved on this device", 20*time.Second)
	b.link("Back to clients")
	b.waitText(name, 20*time.Second)
}

// addPet adds a pet from its client's screen, with its allergies if
// given, and goes back to the client.
func (b *browser) addPet(name, allergies string) {
	b.t.Helper()
	b.link("Add a pet")
	b.fill("pet-name", name)
	if allergies != "" {
		b.fill("allergies", allergies)
	}
	b.button("Save pet")
	b.waitText("Saved on this device", 20*time.Second)
	b.link("Back to the client")
}

// book books a new appointment from its client's screen: its title, what
// fill puts in the other fields (nil: nothing), then Book.
func (b *browser) book(title string, fill func()) {
	b.t.Helper()
	b.link("New appointment")
	b.waitText("New booking", 20*time.Second)
	b.fill("title", title)
	if fill != nil {
		fill()
	}
	b.button("Book")
	b.waitText("Status: planned", 20*time.Second)
}

// openClient opens a client's form from the list.
func (b *browser) openClient(name string) {
	b.t.Helper()
	b.link("Clients")
	b.click(`//a[.//span[normalize-space()="` + name + `"]]`)
	b.run("client form", 20*time.Second, chromedp.WaitVisible("#name", chromedp.ByQuery))
}

// setDate sets a date input as a person picking a date would.
func (b *browser) setDate(id, date string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event("input", {bubbles: true})); return e.value })()`, id, date)
	var got string
	b.run("set date "+id, 10*time.Second, chromedp.WaitVisible("#"+id, chromedp.ByQuery), chromedp.Evaluate(js, &got))
	if got != date {
		b.t.Fatalf("date %s = %q, want %q", id, got, date)
	}
}

// waitValue waits until input id holds want.
func (b *browser) waitValue(id, want string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if b.value(id) == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("#%s = %q, want %q; screenshot: %s", id, b.value(id), want, b.screenshot("failed"))
}

func (b *browser) value(id string) string {
	var v string
	b.run("read "+id, 10*time.Second, chromedp.Value("#"+id, &v, chromedp.ByQuery))
	return v
}

// idbText is everything in the page's IndexedDB as text, for checking
// that no plaintext reaches it.
// blobKeys lists the keys of the app's blobs store in IndexedDB: the
// hashes of the sealed photos this browser holds.
func (b *browser) blobKeys() []string {
	var keys []string
	b.run("list stored photos", 30*time.Second, chromedp.Evaluate(`(async () => {
		const db = await new Promise((ok, fail) => { const r = indexedDB.open("pawfile"); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
		const keys = await new Promise((ok, fail) => { const r = db.transaction("blobs").objectStore("blobs").getAllKeys(); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
		db.close();
		return keys;
	})()`, &keys, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	return keys
}

func (b *browser) idbText() string {
	var s string
	b.run("dump IndexedDB", 30*time.Second, chromedp.Evaluate(`(async () => {
		const out = [];
		for (const info of await indexedDB.databases()) {
			const db = await new Promise((ok, fail) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
			for (const name of db.objectStoreNames) {
				const rows = await new Promise((ok, fail) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
				const keys = await new Promise((ok, fail) => { const r = db.transaction(name).objectStore(name).getAllKeys(); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
				out.push(name + ":" + keys.join(","));
				for (const v of rows) {
					if (v instanceof Uint8Array || v instanceof ArrayBuffer) out.push(new TextDecoder("latin1").decode(v));
					else out.push(JSON.stringify(v));
				}
			}
			db.close();
		}
		return out.join("\n");
	})()`, &s, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	return s
}

// atTabletSizes runs test on each tablet the product is checked at, a
// landscape 1024×768 and a portrait 820×1180, each in its own browser,
// as a subtest named for the size ("landscape", "portrait").
func atTabletSizes(t *testing.T, test func(t *testing.T, b *browser, size string)) {
	for _, s := range []struct {
		name string
		w, h int
	}{{"landscape", 1024, 768}, {"portrait", 820, 1180}} {
		t.Run(s.name, func(t *testing.T) { test(t, newBrowser(t, s.w, s.h), s.name) })
	}
}

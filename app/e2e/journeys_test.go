//go:build !js

package e2e

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The five journeys share one workspace and run in order: each stands on
// what the one before left, as a business's first day would.
func TestJourneys(t *testing.T) {
	srv := startServer(t)
	owner := newBrowser(t, 1024, 768)

	t.Run("create, add a client, reload", func(t *testing.T) {
		owner.t = t
		owner.createWorkspace(srv, "owner@example.com")
		owner.addClient("Margaret Lockwood", "07700 900123", "Bella bites when her paws are touched")
		owner.open(srv.url() + "/clients")
		owner.unlock()
		owner.waitText("Margaret Lockwood", 10*time.Second)
	})

	t.Run("nothing readable in IndexedDB", func(t *testing.T) {
		owner.t = t
		raw := owner.idbText()
		if !strings.Contains(raw, "records:") || !strings.Contains(raw, "meta:") {
			t.Fatalf("IndexedDB dump lacks the stores; got %.300s", raw)
		}
		for _, secret := range []string{"Margaret", "Lockwood", "07700", "900123", "Bella bites"} {
			if strings.Contains(raw, secret) {
				t.Errorf("IndexedDB holds %q in the clear", secret)
			}
		}
	})

	desk := newBrowser(t, 820, 1180)
	t.Run("a second device joins and sees the client", func(t *testing.T) {
		owner.t, desk.t = t, t
		desk.join(srv, owner, "front_desk", "desk@example.com")
		defer func() {
			if t.Failed() {
				t.Logf("owner's screen: %s\n%s", owner.screenshot("owner"), owner.text())
			}
		}()
		desk.waitText("Margaret Lockwood", 60*time.Second)
	})

	t.Run("offline edits on both merge", func(t *testing.T) {
		owner.t, desk.t = t, t
		srv.stop()
		owner.open(srv.url() + "/clients")
		owner.unlock()
		owner.openClient("Margaret Lockwood")
		owner.fill("notes", "Bella bites; use the muzzle")
		owner.button("Save")
		owner.waitText("Saved on this device", 20*time.Second)
		owner.link("Back to clients")
		owner.addClient("Owner Offline", "01632 960001", "added by the owner offline")

		desk.openClient("Margaret Lockwood")
		desk.fill("phone-1", "07700 900999")
		desk.button("Save")
		desk.waitText("Saved on this device", 20*time.Second)
		desk.link("Back to clients")
		desk.addClient("Desk Offline", "01632 960002", "added at the desk offline")

		srv.start()
		for _, b := range []*browser{owner, desk} {
			b.waitText("Owner Offline", 60*time.Second)
			b.waitText("Desk Offline", 60*time.Second)
			b.waitText("Up to date", 60*time.Second)
		}
		for i, b := range []*browser{owner, desk} {
			who := []string{"owner", "desk"}[i]
			b.openClient("Margaret Lockwood")
			if got := b.value("notes"); got != "Bella bites; use the muzzle" {
				t.Errorf("%s: notes after merge = %q; %s\n%s", who, got, b.screenshot(who+"-merged"), b.where())
			}
			if got := b.value("phone-1"); got != "07700 900999" {
				t.Errorf("%s: phone after merge = %q", who, got)
			}
		}
	})

	t.Run("offline reload, also of a deep link", func(t *testing.T) {
		owner.t = t
		owner.openClient("Owner Offline")
		var deep string
		owner.run("url", 5*time.Second, chromedp.Location(&deep))
		srv.stop()
		for _, u := range []string{srv.url() + "/", deep} {
			owner.open(u)
			owner.unlock()
			owner.link("Clients")
			owner.waitText("Margaret Lockwood", 20*time.Second)
			owner.waitText("Desk Offline", 20*time.Second)
		}
		srv.start()
	})

	t.Run("a new browser signs in and restores from the server", func(t *testing.T) {
		fresh := newBrowser(t, 820, 1180)
		fresh.open(srv.url() + "/")
		fresh.button("I have an account")
		fresh.fill("login", "owner@example.com")
		fresh.fill("pass", passphrase)
		fresh.button("Sign in")
		for _, name := range []string{"Margaret Lockwood", "Owner Offline", "Desk Offline"} {
			fresh.waitText(name, 60*time.Second)
		}
		fresh.openClient("Margaret Lockwood")
		if got := fresh.value("notes"); got != "Bella bites; use the muzzle" {
			t.Errorf("restored notes = %q", got)
		}
	})

	t.Run("erase a client: gone on the other device", func(t *testing.T) {
		owner.t, desk.t = t, t
		// A pet with a photo: its sealed image reaches the other device's
		// storage, and erasure must take it from both.
		owner.openClient("Desk Offline")
		owner.link("Add a pet")
		owner.fill("pet-name", "Pip")
		owner.run("take the pet's photo", 20*time.Second,
			chromedp.SetUploadFiles("#pet-photo", []string{cameraPhoto(t)}, chromedp.ByQuery))
		owner.waitPhotos(1, 60*time.Second)
		owner.button("Save pet")
		owner.waitText("Saved on this device", 20*time.Second)
		photos := owner.blobKeys()
		if len(photos) != 1 {
			t.Fatalf("photos stored after saving the pet: %q", photos)
		}
		desk.waitFor("the pet's photo on the other device", 60*time.Second, func() bool {
			return slices.Contains(desk.blobKeys(), photos[0])
		})
		owner.link("Clients")
		owner.openClient("Desk Offline")
		owner.button("Erase this client…")
		owner.button("Erase Desk Offline")
		owner.waitText("Client erased", 20*time.Second)
		desk.link("Clients")
		deadline := time.Now().Add(60 * time.Second)
		for strings.Contains(desk.text(), "Desk Offline") {
			if time.Now().After(deadline) {
				t.Fatalf("the erased client is still listed on the other device: %s", desk.screenshot("erase"))
			}
			time.Sleep(300 * time.Millisecond)
		}
		desk.waitText("Margaret Lockwood", 5*time.Second)
		// The raw stores: the photo's sealed bytes are gone from both.
		for _, b := range []*browser{owner, desk} {
			b.waitFor("the erased client's photo gone from storage", 30*time.Second, func() bool {
				return !slices.Contains(b.blobKeys(), photos[0])
			})
		}
	})

	t.Run("first load is at most 3 MB", func(t *testing.T) {
		fresh := newBrowser(t, 1024, 768)
		var mu sync.Mutex
		total := 0.0
		urls := map[network.RequestID]string{}
		sizes := map[string]float64{}
		chromedp.ListenTarget(fresh.ctx, func(ev any) {
			mu.Lock()
			defer mu.Unlock()
			switch e := ev.(type) {
			case *network.EventRequestWillBeSent:
				urls[e.RequestID] = e.Request.URL
			case *network.EventLoadingFinished:
				total += e.EncodedDataLength
				sizes[urls[e.RequestID]] += e.EncodedDataLength
			}
		})
		fresh.run("enable network events", 10*time.Second, network.Enable())
		fresh.open(srv.url() + "/")
		fresh.waitText("Welcome to Pawfile", 60*time.Second)
		time.Sleep(2 * time.Second) // the service worker's precache
		mu.Lock()
		defer mu.Unlock()
		t.Logf("first load transferred %.0f bytes", total)
		for u, n := range sizes {
			t.Logf("  %8.0f %s", n, u)
		}
		if total > 3<<20 {
			t.Errorf("first load transferred %.2f MB, want at most 3 MB", total/(1<<20))
		}
	})

	t.Run("installable", func(t *testing.T) {
		owner.t = t
		owner.open(srv.url() + "/")
		// Chrome fetches the manifest and icons after the page loads: ask
		// until it has an answer without errors, for a while.
		var errs []*page.InstallabilityError
		for range 20 {
			owner.run("installability", 30*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
				var err error
				errs, err = page.GetInstallabilityErrors().Do(ctx)
				return err
			}))
			if len(errs) == 0 {
				break
			}
			time.Sleep(time.Second)
		}
		for _, e := range errs {
			var args []string
			for _, a := range e.ErrorArguments {
				args = append(args, a.Name+"="+a.Value)
			}
			t.Errorf("not installable: %s %v", e.ErrorID, args)
		}
	})
}

//go:build !js

package e2e

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	bolt "go.etcd.io/bbolt"

	"pawfile/server/db"
	"pawfile/server/store"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// TestRetention: a workspace with a client last seen in 2018, one on
// legal hold last seen in 2018 too, and a recent one. The retention
// preview lists only the first; the owner confirms; the client, their pet
// and its photo and their visit are gone on a second device and on the
// server, whose history of them is purged, and the deletion log says how
// many went, with no name. A project completed years ago has left the
// client's screen for the archive.
func TestRetention(t *testing.T) {
	srv := startServer(t)
	owner := newBrowser(t, 1024, 768)
	owner.createWorkspace(srv, "owner@example.com")

	// A visit booked on a past day, then marked done.
	visit := func(title, date string) {
		t.Helper()
		owner.book(title, func() {
			owner.setDate("date", date)
			owner.setDate("start", "10:00")
			owner.fill("minutes", "60")
		})
		owner.button("Done")
		owner.waitText("Status: done", 20*time.Second)
		owner.link("Back to the client")
		owner.run("client form", 20*time.Second, chromedp.WaitVisible("#name", chromedp.ByQuery))
	}

	owner.addClient("Olive Oldfield", "01632 960111", "moved away")
	owner.openClient("Olive Oldfield")
	owner.link("Add a pet")
	owner.fill("pet-name", "Biscuit")
	owner.run("take the pet's photo", 20*time.Second,
		chromedp.SetUploadFiles("#pet-photo", []string{cameraPhoto(t)}, chromedp.ByQuery))
	owner.waitPhotos(1, 60*time.Second)
	owner.button("Save pet")
	owner.waitText("Saved on this device", 20*time.Second)
	photos := owner.blobKeys()
	if len(photos) != 1 {
		t.Fatalf("photos stored after saving the pet: %q", photos)
	}
	owner.link("Back to the client")
	visit("Full groom 2018", "2018-06-02")

	owner.link("Back to clients")
	owner.addClient("Hal Holdsworth", "01632 960222", "dispute with the insurer")
	owner.openClient("Hal Holdsworth")
	visit("Bath 2018", "2018-03-10")
	owner.click(`//label[@for="legal-hold"]`)
	owner.button("Save")
	owner.waitText("Saved on this device", 20*time.Second)
	owner.link("Back to clients")

	owner.addClient("Rita Recent", "01632 960333", "")
	owner.openClient("Rita Recent")
	visit("Nails 2021", "2021-09-15")
	// Completed over 3 years ago: archived, so off her screen.
	owner.waitText("No current bookings", 10*time.Second)
	owner.waitText("Up to date", 60*time.Second)

	// A second device, signed in as the owner, holds everything.
	second := newBrowser(t, 820, 1180)
	second.open(srv.url() + "/")
	second.button("I have an account")
	second.fill("login", "owner@example.com")
	second.fill("pass", passphrase)
	second.button("Sign in")
	for _, name := range []string{"Olive Oldfield", "Hal Holdsworth", "Rita Recent"} {
		second.waitText(name, 60*time.Second)
	}
	second.waitFor("the pet's photo on the second device", 60*time.Second, func() bool {
		return slices.Contains(second.blobKeys(), photos[0])
	})

	owner.link("Due")
	owner.link("Archived projects")
	owner.waitText("Projects completed more than 3 years ago", 20*time.Second)
	owner.waitText("Rita Recent · Nails 2021", 5*time.Second)
	owner.waitText("Olive Oldfield · Full groom 2018", 5*time.Second)
	// An archived project opens to be read, not changed.
	owner.click(`//a[.//span[contains(., "Rita Recent · Nails 2021")]]`)
	owner.waitText("Archived: completed longer ago", 20*time.Second)
	// Read once the screen has settled: the form re-renders as the
	// client's records arrive, and a field may be between renders.
	owner.waitFor("an archived project's form and buttons disabled", 10*time.Second, func() bool {
		var still bool
		owner.eval("archived controls", `["title", "scope", "date"].every(id => document.getElementById(id)?.matches(":disabled")) &&
			[...document.querySelectorAll("main button")].every(b => b.matches(":disabled") || b.classList.contains("fold") || b.closest("#undo"))`, &still)
		return still
	})
	owner.checkScreen("archived-project")
	owner.link("Due")
	owner.link("Archived projects")
	if page := owner.text(); strings.Contains(page, "Bath 2018") {
		t.Errorf("the held client's visit is archived:\n%s", page)
	}
	owner.checkScreen("archive")

	owner.link("Due")
	owner.link("Retention")
	owner.waitText("Olive Oldfield · last entry 2018-06-02", 30*time.Second)
	page := owner.text()
	for _, want := range []string{"1 client's last entry is more than 7 years ago; with them go 1 client record, 1 care record and 1 project record.",
		"1 client is past the period but on legal hold: kept", "2 projects are archived"} {
		if !strings.Contains(page, want) {
			t.Errorf("the preview lacks %q:\n%s", want, page)
		}
	}
	for _, kept := range []string{"Hal Holdsworth", "Rita Recent"} {
		if strings.Contains(page, kept) {
			t.Errorf("the preview lists %s:\n%s", kept, page)
		}
	}
	owner.checkScreen("retention")
	owner.screenshot("retention-preview")
	// The client, the pet and the visit.
	owner.button("Erase 1 client and 3 records…")
	owner.waitText("Erase 1 client and 3 records for good?", 10*time.Second)
	owner.checkScreen("retention-confirm")
	owner.button("Erase 1 client and 3 records")
	owner.waitText("Erased 1 client: 1 client, 1 care and 1 project records", 30*time.Second)
	owner.waitText("Nothing is due", 20*time.Second)
	log := owner.text()
	if !strings.Contains(log, "by Me") || strings.Count(log, "1 client: 1 client, 1 care and 1 project records") < 2 {
		t.Errorf("the deletion log lacks the run:\n%s", log)
	}
	owner.checkScreen("retention-log")
	owner.screenshot("retention-log")
	if strings.Contains(log, "Olive") {
		t.Errorf("the deletion log names the client:\n%s", log)
	}
	owner.waitText("Up to date", 60*time.Second)

	// Gone on the second device, with the photo's sealed bytes; the
	// others stay.
	second.link("Clients")
	second.waitFor("the erased client gone from the second device", 60*time.Second, func() bool {
		return !strings.Contains(second.text(), "Olive Oldfield")
	})
	second.waitText("Hal Holdsworth", 5*time.Second)
	second.waitText("Rita Recent", 5*time.Second)
	for _, b := range []*browser{owner, second} {
		b.waitFor("the erased pet's photo gone from storage", 30*time.Second, func() bool {
			return !slices.Contains(b.blobKeys(), photos[0])
		})
	}
	second.link("Due")
	second.link("Retention")
	second.waitText("1 client: 1 client, 1 care and 1 project records", 30*time.Second)
	second.checkScreen("retention-tablet")

	// The server: the erased records are markers with no history, and
	// the others are whole.
	srv.stop()
	checkServerErased(t, srv.data, 3, photos[0])
}

// checkServerErased opens the stopped server's database and checks that
// it holds exactly want erased records, each with its marker as its only
// version, that every other record has a live head, and that the photos
// gone (hex hashes) are gone from it too.
func checkServerErased(t *testing.T, dir string, want int, gone ...string) {
	t.Helper()
	d, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, err := store.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	var spaces []string
	if err := d.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("store")).ForEachBucket(func(k []byte) error {
			spaces = append(spaces, string(k))
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if len(spaces) != 1 {
		t.Fatalf("workspaces on the server: %q", spaces)
	}
	ctx := context.Background()
	erased, live := 0, 0
	for after, more := uint64(0), true; more; {
		var vs []wire.Envelope
		vs, after, more, err = st.Heads(ctx, spaces[0], after, store.MaxPage, record.Classes)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if !v.Erased {
				live++
				continue
			}
			erased++
			h, _, err := st.History(ctx, spaces[0], v.Key, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != 1 || !h[0].Erased {
				t.Errorf("an erased record keeps %d versions on the server", len(h))
			}
		}
	}
	if erased != want {
		t.Errorf("the server holds %d erased records, want %d", erased, want)
	}
	for _, ref := range gone {
		var h [32]byte
		hex.Decode(h[:], []byte(ref))
		if _, _, err := st.GetChunk(ctx, spaces[0], h, 0, 100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the server still holds the erased photo %s: %v", ref[:8], err)
		}
	}
	// The two clients kept, their visits (one held, one archived) and
	// the deletion record are live, besides the audit entries of the
	// client cards opened, whose number depends on the screens visited.
	if live < 5 {
		t.Errorf("the server holds %d live records, want at least 5", live)
	}
}

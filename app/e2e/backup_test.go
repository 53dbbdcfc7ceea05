//go:build !js

package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestBackup: the owner downloads everything as a zip that opens without
// Pawfile, and the encrypted backup; the backup restores onto an empty
// server, where the owner signs in on a new browser and finds the same
// records and photo; a backup taken before an erasure says it holds
// erased data.
func TestBackup(t *testing.T) {
	srv := startServer(t)
	owner := newBrowser(t, 1024, 768)
	owner.createWorkspace(srv, "owner@example.com")
	owner.addClient("Margaret Lockwood", "07700 900123", "Prefers mornings")
	owner.addClient("Arjun Patel", "07700 900456", "=HYPERLINK(\"http://evil.example\")")

	owner.openClient("Margaret Lockwood")
	owner.click(`//label[@for="photos"]`) // agrees to photos
	owner.waitText("Photos: consent given", 10*time.Second)
	owner.button("Save")
	owner.waitText("Saved on this device", 20*time.Second)
	owner.addPet("Bella", "")
	owner.book("Full groom", func() {
		owner.setDate("start", "10:00")
		owner.fill("minutes", "60")
	})
	owner.run("take the before photo", 20*time.Second,
		chromedp.SetUploadFiles("#photo-before", []string{smallPhoto(t)}, chromedp.ByQuery))
	owner.waitText("Retake before photo", 60*time.Second)
	owner.waitText("Saved on the server", 60*time.Second)

	owner.ownerScreen("Backups and export")
	owner.waitText("Backups and export", 20*time.Second)
	owner.waitText("None yet.", 20*time.Second)
	owner.checkScreen("backup")

	// Everything, as a zip another program opens.
	dir := t.TempDir()
	owner.run("allow downloads", 10*time.Second,
		cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir))
	owner.button("Download everything (zip)")
	file := waitFile(t, dir, "pawfile-everything-*.zip")
	owner.waitText("Downloaded pawfile-everything-", 20*time.Second)
	files := unzip(t, file)
	counts := map[string]int{}
	for name, want := range map[string]int{"client": 2, "pets": 1, "projects": 1, "photos": 1, "invoices": 0} {
		var recs []map[string]any
		if err := json.Unmarshal(files["json/"+name+".json"], &recs); err != nil {
			t.Errorf("json/%s.json: %v", name, err)
			continue
		}
		counts[name] = len(recs)
		if len(recs) != want {
			t.Errorf("json/%s.json holds %d records, want %d", name, len(recs), want)
		}
	}
	t.Logf("records in the zip: %v", counts)
	var jpegs int
	for name, b := range files {
		if strings.HasPrefix(name, "photos/") && strings.HasSuffix(name, ".jpg") {
			if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
				t.Errorf("%s is not a JPEG: %v", name, err)
			}
			jpegs++
		}
	}
	if jpegs != 1 {
		t.Errorf("%d photo files in the zip, want 1", jpegs)
	}
	if csv := string(files["csv/client.csv"]); !strings.Contains(csv, "Margaret Lockwood") || !strings.Contains(csv, `'=HYPERLINK(`) {
		t.Errorf("csv/client.csv lacks the client or its escaped formula:\n%s", csv)
	}

	// The encrypted backup, saved by the browser from the server.
	owner.button("Download encrypted backup")
	backupFile := waitFile(t, dir, "pawfile-backup-*.pawfile")
	owner.waitText("by owner@example.com", 30*time.Second)
	if raw, _ := os.ReadFile(backupFile); bytes.Contains(raw, []byte("Margaret")) || bytes.Contains(raw, []byte("Lockwood")) {
		t.Error("the encrypted backup holds a client's name in clear")
	}

	// An erasure after the backup: the backup now holds erased data.
	owner.link("Clients")
	owner.openClient("Arjun Patel")
	owner.button("Erase this client…")
	owner.button("Erase Arjun Patel")
	owner.waitText("Client erased", 20*time.Second)
	owner.waitFor("the backup marked as holding erased data", 60*time.Second, func() bool {
		owner.ownerScreen("Backups and export")
		time.Sleep(time.Second)
		return strings.Contains(owner.text(), "Holds data erased since")
	})
	owner.checkScreen("backup-erased")

	// Restore onto an empty server: the old one stays stopped.
	srv.stop()
	restore := func(data string) (string, error) {
		out, err := exec.Command(built.bin, "restore-workspace", "-data", data, backupFile).CombinedOutput()
		return string(out), err
	}
	if out, err := restore(srv.data); err == nil || !strings.Contains(out, "already exists") {
		t.Errorf("restore over the workspace's own server: %v\n%s", err, out)
	}
	fresh := startServer(t)
	fresh.stop()
	if out, err := restore(fresh.data); err != nil {
		t.Fatalf("restore-workspace: %v\n%s", err, out)
	}
	fresh.start()

	tablet := newBrowser(t, 820, 1180)
	tablet.open(fresh.url() + "/")
	tablet.button("I have an account")
	tablet.fill("login", "owner@example.com")
	tablet.fill("pass", passphrase)
	tablet.button("Sign in")
	for _, name := range []string{"Margaret Lockwood", "Arjun Patel"} {
		tablet.waitText(name, 60*time.Second)
	}
	tablet.openClient("Margaret Lockwood")
	tablet.waitText("Bella", 20*time.Second)
	tablet.link("Today")
	tablet.click(`//a[.//span[contains(., "Full groom")]]`)
	tablet.waitText("Visit notes", 20*time.Second)
	tablet.waitPhotos(1, 60*time.Second) // fetched from the restored server
	tablet.ownerScreen("Backups and export")
	tablet.waitText("None yet.", 20*time.Second)
	tablet.checkScreen("backup")
}

// smallPhoto writes a small JPEG and returns its path.
func smallPhoto(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := range 480 {
		for x := range 640 {
			img.SetRGBA(x, y, color.RGBA{uint8(x / 3), uint8(y / 2), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitFile waits for one complete download matching pattern in dir.
func waitFile(t *testing.T, dir, pattern string) string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if names, _ := filepath.Glob(filepath.Join(dir, pattern)); len(names) == 1 {
			return names[0]
		}
	}
	t.Fatalf("no download %s within 60 s", pattern)
	return ""
}

// unzip reads every file of a zip, checking each one's CRC-32.
func unzip(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("the download is not a zip: %v", err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s in the zip: %v", f.Name, err)
		}
		files[f.Name] = b
	}
	return files
}

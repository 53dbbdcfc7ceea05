//go:build !js

package e2e

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// formula is a cell that a spreadsheet would run: imported, it must stay
// the text it is.
const formula = `=cmd|' /C calc'!A0`

// clientList writes a client list of n clients as a booking product
// exports it. Every 200th row from the 18th has a bad email; row 6 (i ==
// 4) has a formula in its notes; i == 1234 is the one the test searches
// for. It returns the file and the rows (as a spreadsheet numbers them)
// with problems, and how many pets the good rows hold.
func clientList(t *testing.T, n int) (path string, badRows []int, pets int) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "clients.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	firsts := []string{"Ann", "Bo", "Chloë", "Dev", "Erin", "Femi", "Gus", "Hana", "Iwan", "José"}
	lasts := []string{"Lee", "Smith", "O'Neil", "Brontë", "Patel", "Nowak", "Jones", "García", "Khan", "Murphy"}
	petNames := []string{"Bella", "Max", "Luna", "Teddy", "Milo", "Daisy", "Coco", "Alfie"}
	breeds := []string{"Cockapoo", "Shih Tzu", "Labrador", "Poodle", "Border Collie", "Bichon Frise"}
	w := csv.NewWriter(f)
	w.UseCRLF = true
	w.Write([]string{"First Name", "Last Name", "Mobile", "Email", "Street", "Town", "Postcode", "Email Marketing", "Tags", "Pet Name", "Breed", "Notes"})
	for i := range n {
		first, last := firsts[i%len(firsts)], lasts[i/len(firsts)%len(lasts)]
		pet, breed := petNames[i%len(petNames)], breeds[i%len(breeds)]
		email, notes := fmt.Sprintf("client%d@example.com", i), "Gate code "+fmt.Sprint(1000+i)
		tags := ""
		if i%2 == 0 {
			tags = "regular, mobile"
		}
		switch {
		case i == 4:
			first, last, notes = "Formula", "Tester", formula
		case i == 1234:
			first, last, pet, breed = "Wilhelmina", "Fotheringay", "Pickles", "Dachshund"
		}
		if i%10 == 3 {
			pet, breed = "", ""
		}
		if i%200 == 17 {
			email = "not-an-email"
			badRows = append(badRows, i+2)
		} else if pet != "" {
			pets++
		}
		w.Write([]string{first, last, fmt.Sprintf("07700 9%05d", i), email, fmt.Sprintf("%d High Street", i+1), "Leeds",
			fmt.Sprintf("LS%d %dAA", i%28+1, i%9+1), []string{"yes", "no"}[i%2], tags, pet, breed, notes})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, badRows, pets
}

// eval evaluates a JavaScript expression into out.
func (b *browser) eval(what, js string, out any) {
	b.t.Helper()
	b.run(what, 10*time.Second, chromedp.Evaluate(js, out))
}

// chooseFile opens the import screen from the client list and uploads path.
func (b *browser) chooseFile(path string) {
	b.t.Helper()
	b.link("Import from CSV")
	b.run("upload "+path, 20*time.Second, chromedp.WaitVisible("#csv-file", chromedp.ByQuery),
		chromedp.SetUploadFiles("#csv-file", []string{path}, chromedp.ByQuery))
	b.waitText("What each column holds", 30*time.Second)
}

// setSelect chooses value in a select as a person would: with a change event.
func (b *browser) setSelect(id, value string) {
	b.t.Helper()
	var got string
	b.eval("choose "+id, fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event("change", {bubbles: true})); return e.value })()`, id, value), &got)
	if got != value {
		b.t.Fatalf("select %s = %q, want %q", id, got, value)
	}
}

// scrollTo scrolls the element sel to the top of the window, for a
// screenshot of what is below it.
func (b *browser) scrollTo(sel string) {
	b.t.Helper()
	var ok bool
	b.eval("scroll to "+sel, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (e) e.scrollIntoView(); return !!e })()`, sel), &ok)
	if !ok {
		b.t.Fatalf("no %s on the page", sel)
	}
}

func (b *browser) waitFor(what string, timeout time.Duration, ok func() bool) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: not within %v; page shows:\n%s\nscreenshot: %s", what, timeout, b.text(), b.screenshot("failed"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestImportCSV imports a 2,000-client list with ten bad rows: the
// columns are guessed and editable, the problems named by row, the good
// rows imported in one go with a progress bar, and found afterwards.
func TestImportCSV(t *testing.T) {
	srv := startServer(t)
	path, badRows, pets := clientList(t, 2000)
	good := 2000 - len(badRows)

	b := newBrowser(t, 1024, 768)
	b.createWorkspace(srv, "importer@example.com")
	b.chooseFile(path)
	b.waitText("“clients.csv”: 2,000 rows, UTF-8, comma-separated.", 5*time.Second)

	// The columns, guessed from their headings.
	var mapping []string
	b.eval("read the mapping", `[...document.querySelectorAll("table.mapping select")].map(s => s.value)`, &mapping)
	want := []string{"first_name", "last_name", "phone", "email", "address", "address", "address", "marketing_consent", "tags", "pet_name", "pet_breed", "notes"}
	if !slices.Equal(mapping, want) {
		t.Errorf("guessed mapping %q, want %q", mapping, want)
	}
	preview := func() string {
		var s string
		b.eval("read the preview", `document.querySelector("ol.preview") ? document.querySelector("ol.preview").innerText : ""`, &s)
		return s
	}
	p := preview()
	for _, s := range []string{"Row 2", "Ann Lee", "07700 900000", "client0@example.com", "1 High Street, Leeds, LS1 1AA", "regular, mobile", "agrees to marketing", "Pets: Bella, Cockapoo", "Row 6", "Formula Tester", "Notes: " + formula} {
		if !strings.Contains(p, s) {
			t.Errorf("the preview lacks %q:\n%s", s, p)
		}
	}
	b.checkScreen("mapping")
	b.scrollTo("#preview-title")
	b.t.Logf("preview: %s", b.screenshot("preview"))
	// The mapping is editable, and the preview follows it.
	b.setSelect("col-8", "")
	b.waitFor("the preview without tags", 5*time.Second, func() bool { return !strings.Contains(preview(), "regular") })
	b.setSelect("col-8", "tags")
	b.waitFor("the preview with tags", 5*time.Second, func() bool { return strings.Contains(preview(), "regular, mobile") })

	b.button("Continue")
	b.waitText("Check the rows", 30*time.Second)
	var problems []string
	b.eval("read the problems", `[...document.querySelectorAll("ul.problems li")].map(li => li.innerText)`, &problems)
	if len(problems) != len(badRows) {
		t.Errorf("%d problems listed, want %d: %q", len(problems), len(badRows), problems)
	}
	for k, row := range badRows {
		if k < len(problems) && (!strings.HasPrefix(problems[k], fmt.Sprintf("Row %d", row)) || !strings.Contains(problems[k], "emails") || !strings.Contains(problems[k], "not an email address")) {
			t.Errorf("problem %d reads %q; want row %d's email named", k, problems[k], row)
		}
	}
	b.scrollTo("h1")
	b.checkScreen("problems")

	// Import, watching the progress bar.
	action := fmt.Sprintf("Import the 1,990 good rows and skip %d", len(badRows))
	start := time.Now()
	b.button(action)
	done := fmt.Sprintf("Imported 1,990 clients and %s pets.", thousandsOf(pets))
	sawProgress := false
	for {
		var state struct {
			Progress bool
			Value    float64
			Max      float64
			Text     string
		}
		b.eval("watch the import", `(() => { const p = document.querySelector("progress#import-progress"); return {Progress: !!p, Value: p ? p.value : 0, Max: p ? p.max : 0, Text: document.body.innerText} })()`, &state)
		if state.Progress && state.Max == float64(good) {
			sawProgress = true
		}
		if strings.Contains(state.Text, done) {
			break
		}
		if strings.Contains(state.Text, "The import failed") || time.Since(start) > 2*time.Minute {
			t.Fatalf("import did not finish: %s\nscreenshot: %s", state.Text, b.screenshot("failed"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	t.Logf("imported %d clients and %d pets in Chromium in %v", good, pets, elapsed.Round(time.Millisecond))
	if !sawProgress {
		t.Error("no progress bar was shown during the import")
	}
	b.checkScreen("done")

	b.link("Go to clients")
	b.waitText("Showing the first 100 of 1,990 clients", 10*time.Second)
	b.fill("q", "Fotheringay")
	b.waitText("Wilhelmina Fotheringay", 10*time.Second)
	b.click(`//a[.//span[normalize-space()="Wilhelmina Fotheringay"]]`)
	b.run("client form", 20*time.Second, chromedp.WaitVisible("#name", chromedp.ByQuery))
	b.waitValue("emails", "client1234@example.com", 10*time.Second)
	b.link("Pickles")
	b.run("pet form", 20*time.Second, chromedp.WaitVisible("#breed", chromedp.ByQuery))
	b.waitValue("breed", "Dachshund", 10*time.Second)

	// The formula is kept as text, not run and not altered.
	b.link("Clients")
	b.fill("q", "Formula Tester")
	b.waitText("Formula Tester", 10*time.Second)
	b.click(`//a[.//span[normalize-space()="Formula Tester"]]`)
	b.run("client form", 20*time.Second, chromedp.WaitVisible("#notes", chromedp.ByQuery))
	if v := b.value("notes"); v != formula {
		t.Errorf("the formula-like note reads %q, want %q", v, formula)
	}

	// All of it was written: a reload shows every client.
	b.open(srv.url() + "/clients")
	b.unlock()
	b.waitText("Showing the first 100 of 1,990 clients", 20*time.Second)

	// The two screens a person reads longest, at the portrait size.
	portrait := newBrowser(t, 820, 1180)
	portrait.createWorkspace(srv, "portrait@example.com")
	// Files that cannot be imported are explained, before and after reading.
	dir := t.TempDir()
	workbook, huge := filepath.Join(dir, "clients.xlsx"), filepath.Join(dir, "huge.csv")
	if err := os.WriteFile(workbook, []byte("PK\x03\x04\x14\x00\x06\x00 a workbook"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(huge, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 21<<20); err != nil { // sparse: 21 MB that the browser must not read
		t.Fatal(err)
	}
	portrait.link("Import from CSV")
	for _, f := range []struct{ path, says string }{
		{workbook, "this is an Excel or Numbers workbook (.xlsx), not CSV; open it and save it as \"CSV UTF-8\""},
		{huge, "“huge.csv” is 21.0 MB, and Pawfile imports at most 20.0 MB at once: split the list"},
	} {
		portrait.run("upload "+f.path, 20*time.Second, chromedp.WaitVisible("#csv-file", chromedp.ByQuery),
			chromedp.SetUploadFiles("#csv-file", []string{f.path}, chromedp.ByQuery))
		portrait.waitText(f.says, 20*time.Second)
	}
	portrait.checkScreen("file-error-portrait")
	portrait.link("Back to clients")
	portrait.chooseFile(path)
	portrait.checkScreen("mapping-portrait")
	portrait.scrollTo("#preview-title")
	t.Logf("preview-portrait: %s", portrait.screenshot("preview-portrait"))
	portrait.button("Continue")
	portrait.waitText("Check the rows", 30*time.Second)
	portrait.scrollTo("h1")
	portrait.checkScreen("problems-portrait")
}

func thousandsOf(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

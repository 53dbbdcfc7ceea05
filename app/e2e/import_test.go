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

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// formula is a cell that a spreadsheet would run: imported, it must stay
// the text it is.
const formula = `=cmd|' /C calc'!A0`

// messy is what clientList put in its file, for the test to check.
type messy struct {
	path                      string
	pets, visits, vaccs       int
	badEmails, badPhones      int // emails not valid; phones a spreadsheet rounded
	lapsed                    int // clients whose pets all last came long ago
	unflagged                 int // behaviours no flag knows, one per pet
	badBirths, badVaccs       int
	lapsedName, lapsedPet     string // a lapsed client, with an allergy and a bad email
	dueName, duePet, dueAgain string // a client whose pet is due again, on dueAgain (2 Jan 2006)
}

// clientList writes a messy client list of n clients as a booking
// product exports it: a third of the emails are "not-an-email", some
// phones were rounded by a spreadsheet, some birth dates do not exist;
// allergies, behaviour, birth dates with the day first, grooming
// intervals, last visits and rabies expiries. Row 6 (i == 4) has a
// formula in its notes.
func clientList(t *testing.T, n int) messy {
	t.Helper()
	m := messy{path: filepath.Join(t.TempDir(), "clients.csv"),
		lapsedName: "Wilhelmina Fotheringay", lapsedPet: "Pickles", dueName: "Zebedee Quartermaine", duePet: "Dougal"}
	f, err := os.Create(m.path)
	if err != nil {
		t.Fatal(err)
	}
	firsts := []string{"Ann", "Bo", "Chloë", "Dev", "Erin", "Femi", "Gus", "Hana", "Iwan", "José"}
	lasts := []string{"Lee", "Smith", "O'Neil", "Brontë", "Patel", "Nowak", "Jones", "García", "Khan", "Murphy"}
	petNames := []string{"Bella", "Max", "Luna", "Teddy", "Milo", "Daisy", "Coco", "Alfie"}
	breeds := []string{"Cockapoo", "Shih Tzu", "Labrador", "Poodle", "Border Collie", "Bichon Frise"}
	now := time.Now()
	day := func(d int) string { return now.AddDate(0, 0, d).Format("02/01/2006") }
	w := csv.NewWriter(f)
	w.UseCRLF = true
	w.Write([]string{"First Name", "Last Name", "Mobile", "Email", "Street", "Town", "Postcode", "Email Marketing", "Tags", "Pet Name", "Breed",
		"Allergies", "Behaviour", "Date of birth", "Groom every", "Last visit", "Rabies expiry", "Notes"})
	for i := range n {
		first, last := firsts[i%len(firsts)], lasts[i/len(firsts)%len(lasts)]
		pet, breed := petNames[i%len(petNames)], breeds[i%len(breeds)]
		email, phone, notes := fmt.Sprintf("client%d@example.com", i), fmt.Sprintf("07700 9%05d", i), "Gate code "+fmt.Sprint(1000+i)
		tags := ""
		if i%2 == 0 {
			tags = "regular, mobile"
		}
		allergy := []string{"chicken, beef", "None", "", "", ""}[i%5]
		behaviour := []string{"Bites, nervous", "hates the dryer", "likes ham", "", "", "", ""}[i%7]
		born := fmt.Sprintf("%02d/%02d/%d", i%28+1, i%12+1, 2015+i%8)
		if i%101 == 3 {
			born = "31/02/2020"
		}
		every := []string{"6 weeks", ""}[i%2]
		visit := []string{day(-10), day(-200), "", day(-30)}[i%4]
		rabies := []string{day(10), "yes", "", "", "", "", "", "", "", day(400)}[i%10]
		switch i {
		case 4:
			first, last, notes = "Formula", "Tester", formula
		case 1237: // i%4 == 1: long ago
			first, last, pet, breed, allergy, email = "Wilhelmina", "Fotheringay", "Pickles", "Dachshund", "chlorhexidine", "not-an-email"
		case 1000: // i%4 == 0, every 6 weeks
			first, last, pet = "Zebedee", "Quartermaine", "Dougal"
			m.dueAgain = now.AddDate(0, 0, -10+42).Format("2 Jan 2006")
		}
		if i%3 == 1 && i != 4 {
			email = "not-an-email"
		}
		if email == "not-an-email" {
			m.badEmails++
		}
		if i%50 == 7 {
			phone = "4.47701E+11"
			m.badPhones++
		}
		if i%10 == 3 {
			pet, breed, allergy, behaviour, born, every, rabies = "", "", "", "", "", "", ""
		}
		hasPet := pet != ""
		if hasPet {
			m.pets++
			if born == "31/02/2020" {
				m.badBirths++
			}
			if behaviour == "likes ham" {
				m.unflagged++
			}
			if rabies == "yes" {
				m.badVaccs++
			} else if rabies != "" {
				m.vaccs++
			}
			if visit == day(-200) {
				m.lapsed++
			}
		}
		if visit != "" {
			m.visits++
		}
		w.Write([]string{first, last, phone, email, fmt.Sprintf("%d High Street", i+1), "Leeds",
			fmt.Sprintf("LS%d %dAA", i%28+1, i%9+1), []string{"yes", "no"}[i%2], tags, pet, breed,
			allergy, behaviour, born, every, visit, rabies, notes})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return m
}

// tap taps the element at xpath with a finger: a touch starts and ends on
// its middle, once it is scrolled to the middle of the screen.
func (b *browser) tap(xpath string) {
	b.t.Helper()
	b.run("wait for "+xpath, 20*time.Second, chromedp.WaitVisible(xpath, chromedp.BySearch))
	var at []float64
	b.eval("find "+xpath, fmt.Sprintf(`(() => {
		const e = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`, xpath), &at)
	finger := []*input.TouchPoint{{X: at[0], Y: at[1]}}
	b.run("tap "+xpath, 20*time.Second,
		emulation.SetTouchEmulationEnabled(true).WithMaxTouchPoints(1),
		input.DispatchTouchEvent(input.TouchStart, finger),
		input.DispatchTouchEvent(input.TouchEnd, []*input.TouchPoint{}),
	)
}

func (b *browser) tapButton(text string) {
	b.t.Helper()
	b.tap(`//button[normalize-space()="` + text + `"]`)
}

func (b *browser) tapLink(text string) {
	b.t.Helper()
	b.tap(`//a[normalize-space()="` + text + `"]`)
}

// eval evaluates a JavaScript expression into out.
func (b *browser) eval(what, js string, out any) {
	b.t.Helper()
	b.run(what, 10*time.Second, chromedp.Evaluate(js, out))
}

// chooseFile opens the import screen from the client list and uploads path.
func (b *browser) chooseFile(path string) {
	b.t.Helper()
	b.tapLink("Import from CSV")
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

// TestImportCSV imports a messy 2,000-client list by finger: the columns
// are guessed (care facts too) and editable, every row is imported, what
// did not fit is summed up once per kind and kept in the notes, with a
// progress bar; then the clients, their pets' allergy badges, a pet due
// again and the lapsed list are checked.
func TestImportCSV(t *testing.T) {
	srv := startServer(t)
	m := clientList(t, 2000)

	b := newBrowser(t, 1024, 768)
	b.createWorkspace(srv, "importer@example.com")
	b.chooseFile(m.path)
	b.waitText("“clients.csv”: 2,000 rows, UTF-8, comma-separated.", 5*time.Second)

	// The columns, guessed from their headings.
	var mapping []string
	b.eval("read the mapping", `[...document.querySelectorAll("table.mapping select")].map(s => s.value)`, &mapping)
	want := []string{"first_name", "last_name", "phone", "email", "address", "address", "address", "marketing_consent", "tags", "pet_name", "pet_breed",
		"pet_allergies", "pet_behaviour", "pet_birth_date", "pet_interval", "last_visit", "vaccine_expires", "notes"}
	if !slices.Equal(mapping, want) {
		t.Errorf("guessed mapping %q, want %q", mapping, want)
	}
	b.waitText("Dates are read with the day first", 5*time.Second)
	preview := func() string {
		var s string
		b.eval("read the preview", `document.querySelector("ol.preview") ? document.querySelector("ol.preview").innerText : ""`, &s)
		return s
	}
	p := preview()
	for _, s := range []string{"Row 2", "Ann Lee", "07700 900000", "client0@example.com", "1 High Street, Leeds, LS1 1AA", "regular, mobile", "agrees to marketing",
		"Pets: Bella, Cockapoo, born 1 Jan 2015, allergy: chicken, allergy: beef, bites, anxious, every 6 weeks", "Row 3", "Imported email, not valid: not-an-email",
		"Row 6", "Formula Tester", "Notes: " + formula} {
		if !strings.Contains(p, s) {
			t.Errorf("the preview lacks %q:\n%s", s, p)
		}
	}
	b.checkScreen("mapping")
	b.scrollTo("#preview-title")
	b.t.Logf("preview: %s", b.screenshot("preview"))
	// The mapping is editable, and the preview follows it.
	b.setSelect("col-8", "ignore")
	b.waitFor("the preview without tags", 5*time.Second, func() bool { return !strings.Contains(preview(), "regular") })
	b.setSelect("col-8", "tags")
	b.waitFor("the preview with tags", 5*time.Second, func() bool { return strings.Contains(preview(), "regular, mobile") })

	b.tapButton("Continue")
	b.waitText("Check the rows", 30*time.Second)
	b.waitText(fmt.Sprintf("All 2,000 rows will be imported: 2,000 clients, %s pets, %s past visits and %s vaccinations.",
		thousandsOf(m.pets), thousandsOf(m.visits), thousandsOf(m.vaccs)), 5*time.Second)
	var problems []string
	b.eval("read the problems", `[...document.querySelectorAll("ul.kept li")].map(li => li.firstChild.textContent)`, &problems)
	wantProblems := []string{
		fmt.Sprintf("%s emails were not valid: kept in each client's notes.", thousandsOf(m.badEmails)),
		fmt.Sprintf("%d behaviours were not among the flags: kept in each pet's behaviour notes.", m.unflagged),
		fmt.Sprintf("%d Rabies vaccination expiries were not a date: kept in each pet's notes.", m.badVaccs),
		fmt.Sprintf("%d phone numbers were rounded by a spreadsheet: kept in each client's notes.", m.badPhones),
		fmt.Sprintf("%d birth dates were not a date: kept in each pet's notes.", m.badBirths),
	}
	slices.Sort(problems)
	slices.Sort(wantProblems)
	if !slices.Equal(problems, wantProblems) {
		t.Errorf("problems listed\n %q\nwant\n %q", problems, wantProblems)
	}
	b.scrollTo("h1")
	b.checkScreen("problems")

	// Import, watching the progress bar.
	start := time.Now()
	b.tapButton("Import all 2,000 clients")
	done := fmt.Sprintf("Imported 2,000 clients, %s pets, %s past visits and %s vaccinations.", thousandsOf(m.pets), thousandsOf(m.visits), thousandsOf(m.vaccs))
	sawProgress := false
	for {
		var state struct {
			Progress bool
			Value    float64
			Max      float64
			Text     string
		}
		b.eval("watch the import", `(() => { const p = document.querySelector("progress#import-progress"); return {Progress: !!p, Value: p ? p.value : 0, Max: p ? p.max : 0, Text: document.body.innerText} })()`, &state)
		if state.Progress && state.Max == 2000 {
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
	t.Logf("imported 2,000 clients, %d pets, %d visits and %d vaccinations (%d bad emails, %d rounded phones) in Chromium in %v",
		m.pets, m.visits, m.vaccs, m.badEmails, m.badPhones, time.Since(start).Round(time.Millisecond))
	if !sawProgress {
		t.Error("no progress bar was shown during the import")
	}
	b.checkScreen("done")

	// The client whose email was bad: kept, with the email in the notes
	// and the pet's allergy as a badge.
	b.tapLink("Go to clients")
	b.waitText("Showing the first 40 of 2,000 clients", 10*time.Second)
	b.tapButton("Show 40 more")
	b.waitText("Showing the first 80 of 2,000 clients", 10*time.Second)
	b.fill("q", "Fotheringay")
	b.waitText(m.lapsedName, 10*time.Second)
	b.tap(`//a[.//span[normalize-space()="` + m.lapsedName + `"]]`)
	b.run("client form", 20*time.Second, chromedp.WaitVisible("#name", chromedp.ByQuery))
	b.waitValue("phone-1", "07700 901237", 10*time.Second)
	if v := b.value("notes"); !strings.Contains(v, "Imported email, not valid: not-an-email") || b.value("emails") != "" {
		t.Errorf("notes %q, emails %q: want the bad email in the notes only", v, b.value("emails"))
	}
	b.waitText("allergy: chlorhexidine", 10*time.Second)
	b.tapLink(m.lapsedPet)
	b.run("pet form", 20*time.Second, chromedp.WaitVisible("#breed", chromedp.ByQuery))
	b.waitValue("breed", "Dachshund", 10*time.Second)
	b.waitValue("birth-date", "2020-02-06", 10*time.Second) // 06/02/2020, day first
	b.waitText("lapsed: not booked", 10*time.Second)

	// A pet seen ten days ago, every six weeks, is due again in 32 days.
	b.tapLink("Clients")
	b.fill("q", "Quartermaine")
	b.waitText(m.dueName, 10*time.Second)
	b.tap(`//a[.//span[normalize-space()="` + m.dueName + `"]]`)
	b.tapLink(m.duePet)
	b.waitText("due again "+m.dueAgain, 20*time.Second)

	// The lapsed list, from the first day.
	b.tapLink("Today")
	b.tapLink("Lapsed clients")
	b.waitText(m.lapsedName, 20*time.Second)
	var lapsed int
	b.eval("count the lapsed", `document.querySelectorAll('ul[aria-label="Lapsed clients"] > li').length`, &lapsed)
	if lapsed != m.lapsed {
		t.Errorf("%d lapsed clients listed, want %d", lapsed, m.lapsed)
	}
	b.checkScreen("lapsed")

	// The formula is kept as text, not run and not altered.
	b.tapLink("Clients")
	b.fill("q", "Formula Tester")
	b.waitText("Formula Tester", 10*time.Second)
	b.tap(`//a[.//span[normalize-space()="Formula Tester"]]`)
	b.run("client form", 20*time.Second, chromedp.WaitVisible("#notes", chromedp.ByQuery))
	if v := b.value("notes"); v != formula {
		t.Errorf("the formula-like note reads %q, want %q", v, formula)
	}

	// All of it was written: a reload shows every client.
	b.open(srv.url() + "/clients")
	b.unlock()
	b.waitText("Showing the first 40 of 2,000 clients", 20*time.Second)

	// Portrait: files that cannot be imported are explained, and a file
	// whose dates read two ways asks which.
	portrait := newBrowser(t, 820, 1180)
	portrait.createWorkspace(srv, "portrait@example.com")
	dir := t.TempDir()
	workbook, huge, ambiguous := filepath.Join(dir, "clients.xlsx"), filepath.Join(dir, "huge.csv"), filepath.Join(dir, "us.csv")
	if err := os.WriteFile(workbook, []byte("PK\x03\x04\x14\x00\x06\x00 a workbook"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(huge, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 21<<20); err != nil { // sparse: 21 MB that the browser must not read
		t.Fatal(err)
	}
	if err := os.WriteFile(ambiguous, []byte("Name,Dog,DOB,Allergies\nAl Ambig,Rex,04/03/2020,wheat\nBo Ambig,Fido,11/12/2019,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	portrait.tapLink("Import from CSV")
	for _, f := range []struct{ path, says string }{
		{workbook, "this is an Excel or Numbers workbook (.xlsx), not CSV; open it and save it as \"CSV UTF-8\""},
		{huge, "“huge.csv” is 21.0 MB, and Pawfile imports at most 20.0 MB at once: split the list"},
	} {
		portrait.run("upload "+f.path, 20*time.Second, chromedp.WaitVisible("#csv-file", chromedp.ByQuery),
			chromedp.SetUploadFiles("#csv-file", []string{f.path}, chromedp.ByQuery))
		portrait.waitText(f.says, 20*time.Second)
	}
	portrait.checkScreen("file-error-portrait")
	portrait.tapLink("Back to clients")
	portrait.chooseFile(ambiguous)
	portrait.waitText("How are the dates written?", 5*time.Second)
	var disabled bool
	portrait.eval("Continue waits", `document.evaluate('//button[normalize-space()="Continue"]', document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue.disabled`, &disabled)
	if !disabled {
		t.Error("Continue is enabled before the dates' order is chosen")
	}
	portrait.scrollTo("#date-order-title")
	portrait.checkScreen("date-order-portrait")
	portrait.tap(`//label[normalize-space()="April 3, 2020, the month first"]`)
	portrait.waitFor("the preview with the month first", 5*time.Second, func() bool {
		var s string
		portrait.eval("read the preview", `document.querySelector("ol.preview").innerText`, &s)
		return strings.Contains(s, "born 3 Apr 2020") && strings.Contains(s, "born 12 Nov 2019")
	})
	portrait.tapButton("Continue")
	portrait.waitText("All 2 rows will be imported: 2 clients and 2 pets.", 30*time.Second)
	portrait.scrollTo("h1")
	portrait.checkScreen("rows-portrait")
	portrait.tapButton("Import all 2 clients")
	portrait.waitText("Imported 2 clients and 2 pets.", 30*time.Second)
	portrait.tapLink("Go to clients")
	portrait.tap(`//a[.//span[normalize-space()="Al Ambig"]]`)
	portrait.waitText("allergy: wheat", 10*time.Second)
	portrait.tapLink("Rex")
	portrait.waitValue("birth-date", "2020-04-03", 10*time.Second)
}

func thousandsOf(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

//go:build !js

package e2e

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// TestProjects books a recurring grooming for today for a pet with an
// allergy, works it from the Today screen (visit note, done), finds the
// next visit six weeks on, and sees both on a second device.
func TestProjects(t *testing.T) {
	srv := startServer(t)
	owner := newBrowser(t, 1024, 768)
	owner.createWorkspace(srv, "owner@example.com")
	owner.addClient("Ann Groom", "07700 900555", "Side gate")
	owner.openClient("Ann Groom")
	owner.fill("address", "12 Mill Lane, Anytown")
	owner.click(`//label[@for="photos"]`) // agrees to photos
	// The consent's date appears under it and moves Save down: click
	// Save once it has.
	owner.waitText("Photos: consent given", 10*time.Second)
	owner.button("Save")
	owner.waitText("Saved on this device", 20*time.Second)
	owner.addPet("Bella", "chicken")

	owner.book("Full groom", func() {
		owner.setDate("start", "10:00")
		owner.fill("minutes", "120")
		owner.fill("price", "45.50")
		owner.fill("repeat", "6")
	})
	if page := owner.text(); strings.Contains(page, "A new version of Pawfile") {
		t.Error("a first visit offers a new version")
	}
	owner.waitText("allergy: chicken", 5*time.Second) // the pet's alerts on top
	if got := owner.value("price"); got != "45.50" {
		t.Errorf("price after saving = %q", got)
	}

	owner.link("Today")
	owner.waitText("Full groom", 20*time.Second)
	page := owner.text()
	for _, want := range []string{"10:00–12:00", "12 Mill Lane, Anytown", "allergy: chicken", "Ann Groom"} {
		if !strings.Contains(page, want) {
			t.Errorf("Today lacks %q:\n%s", want, page)
		}
	}
	owner.checkScreen("today")

	owner.link("Calendar")
	owner.waitText("Full groom", 20*time.Second)
	owner.checkScreen("calendar-day")
	owner.link("Week")
	owner.waitText("Week of", 20*time.Second)
	owner.waitText("Full groom", 10*time.Second)
	owner.checkScreen("calendar-week")

	owner.link("Today")
	owner.click(`//a[.//span[contains(., "Full groom")]]`)
	owner.waitText("Visit notes", 20*time.Second)
	owner.fill("note-condition", "Matted behind the ears")
	owner.fill("note-blades", "7F")
	owner.fill("note-minutes", "110")
	owner.button("Add visit note")
	owner.waitText("Condition: Matted behind the ears", 20*time.Second)
	if got := owner.value("note-blades") + owner.value("note-minutes"); got != "" {
		t.Errorf("the note form is not cleared after adding: %q", got)
	}
	// Before and after photos from the camera: a 12-megapixel JPEG each,
	// shrunk, sealed and shown side by side.
	camera := cameraPhoto(t)
	for _, kind := range []string{"before", "after"} {
		owner.run("take the "+kind+" photo", 20*time.Second,
			chromedp.SetUploadFiles("#photo-"+kind, []string{camera}, chromedp.ByQuery))
		owner.waitText("Retake "+kind+" photo", 60*time.Second)
	}
	owner.waitPhotos(2, 30*time.Second)
	owner.waitText("Saved on the server", 60*time.Second)
	owner.scrollTo("#photos-title")
	owner.checkScreen("project-photos")
	owner.button("Done")
	owner.waitText("The next visit is booked", 20*time.Second)
	owner.waitText("Status: done", 5*time.Second)

	next := time.Now().AddDate(0, 0, 42).Format("Mon 2 Jan") + " 10:00–12:00 · Full groom"
	owner.link("Ann Groom")
	owner.waitText("Upcoming", 20*time.Second)
	owner.waitText(next, 10*time.Second)
	if page := owner.text(); !strings.Contains(page, "Past") || !strings.Contains(page, "done · every 6 weeks") || !strings.Contains(page, "planned · every 6 weeks") {
		t.Errorf("the client's bookings: want one past and one upcoming:\n%s", page)
	}

	// A second device joins and, once synced, sees both bookings.
	desk := newBrowser(t, 820, 1180)
	desk.join(srv, owner, "front_desk", "desk@example.com")
	desk.waitText("Ann Groom", 60*time.Second)
	desk.openClient("Ann Groom")
	desk.waitText(next, 30*time.Second)
	desk.waitText("Past", 5*time.Second)
	desk.checkScreen("client")

	desk.link("Today")
	desk.waitText("allergy: chicken", 20*time.Second)
	desk.checkScreen("today")
	desk.link("Calendar")
	desk.waitText("Full groom", 20*time.Second)
	desk.checkScreen("calendar-day")
	desk.link("Week")
	desk.waitText("Week of", 20*time.Second)
	desk.checkScreen("calendar-week")
	desk.link("Today")
	desk.click(`//a[.//span[contains(., "Full groom")]]`)
	desk.waitText("Matted behind the ears", 20*time.Second)
	desk.waitPhotos(2, 60*time.Second) // fetched from the server, opened here
	desk.checkScreen("project")
	for _, b := range []*browser{owner, desk} {
		if page := b.text(); strings.Contains(page, "A new version of Pawfile") {
			t.Error("a first visit offers a new version")
		}
	}

	// Both offline, each edits the visit: the owner its scope and a task,
	// the desk its outcome and a note. Back online, both keep both.
	owner.link("Today")
	owner.click(`//a[.//span[contains(., "Full groom")]]`)
	owner.waitText("Visit notes", 20*time.Second)
	srv.stop()
	owner.fill("scope", "Bath, clip, nails")
	owner.button("Save")
	owner.waitText("Saved on this device", 20*time.Second)
	owner.fill("task-title", "Check the ears")
	owner.button("Add task")
	owner.waitText("Check the ears", 20*time.Second)
	desk.fill("outcome", "Calm throughout; matting cleared")
	desk.button("Save")
	desk.waitText("Saved on this device", 20*time.Second)
	desk.fill("note-text", "Owner asked for a shorter face next time")
	desk.button("Add visit note")
	desk.waitText("shorter face next time", 20*time.Second)
	srv.start()
	for _, b := range []*browser{owner, desk} {
		b.waitFor("both devices' edits of the visit", 90*time.Second, func() bool {
			b.open(srv.url() + "/today")
			b.unlock()
			b.click(`//a[.//span[contains(., "Full groom")]]`)
			b.waitText("Visit notes", 20*time.Second)
			page := b.text()
			return b.value("scope") == "Bath, clip, nails" && b.value("outcome") == "Calm throughout; matting cleared" &&
				strings.Contains(page, "Check the ears") && strings.Contains(page, "shorter face next time")
		})
	}

	// Dragged two slots down on the day view, the booking moves an hour,
	// and the drag does not open it.
	owner.link("Calendar")
	owner.waitText("Full groom", 20*time.Second)
	var at []float64
	owner.eval("the booking's place", `(() => {
		const b = document.querySelector(".cal-day .cal-booking");
		b.scrollIntoView({block: "center"});
		const r = b.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + 12];
	})()`, &at)
	x, y := at[0], at[1]
	left := chromedp.ButtonType(input.Left)
	owner.run("drag the booking two slots down", 20*time.Second,
		chromedp.MouseEvent(input.MousePressed, x, y, left, chromedp.ClickCount(1)),
		chromedp.MouseEvent(input.MouseMoved, x, y+20, left),
		chromedp.MouseEvent(input.MouseMoved, x, y+60, left),
		chromedp.MouseEvent(input.MouseMoved, x, y+96, left),
		chromedp.MouseEvent(input.MouseReleased, x, y+96, left, chromedp.ClickCount(1)),
	)
	owner.waitText("11:00–13:00", 20*time.Second)
	var path string
	owner.eval("address", `location.pathname`, &path)
	if path != "/calendar" {
		t.Errorf("the drag opened %s", path)
	}
	owner.checkScreen("calendar-moved")

	// A finger drags a booking by its grip only: anywhere else on it, it
	// scrolls the day.
	fingerDrag := func(what, sel string) {
		t.Helper()
		var at []float64
		owner.eval(what, fmt.Sprintf(`(() => {
			document.querySelector(".cal-day .cal-booking").scrollIntoView({block: "center"});
			const r = document.querySelector(%q).getBoundingClientRect();
			return [r.left + r.width / 2, r.top + 12];
		})()`, sel), &at)
		x, y := at[0], at[1]
		point := func(dy float64) []*input.TouchPoint { return []*input.TouchPoint{{X: x, Y: y + dy}} }
		owner.run(what, 20*time.Second,
			input.DispatchTouchEvent(input.TouchStart, point(0)),
			input.DispatchTouchEvent(input.TouchMove, point(20)),
			input.DispatchTouchEvent(input.TouchMove, point(60)),
			input.DispatchTouchEvent(input.TouchMove, point(96)),
			input.DispatchTouchEvent(input.TouchEnd, []*input.TouchPoint{}),
		)
	}
	fingerDrag("a finger along the booking's title", ".cal-day .cal-booking .cal-title")
	time.Sleep(time.Second)
	owner.waitText("11:00–13:00", 5*time.Second)
	fingerDrag("a finger on the booking's grip", ".cal-day .cal-booking .grip")
	owner.waitText("12:00–14:00", 20*time.Second)
}

// cameraPhoto writes a JPEG of a 12-megapixel camera's size and much
// detail (a gradient under fine noise) and returns its path.
func cameraPhoto(t *testing.T) string {
	t.Helper()
	const w, h = 4000, 3000
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rnd := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			n := uint8(rnd.IntN(48))
			img.SetRGBA(x, y, color.RGBA{uint8(x*200/w) + n, uint8(y*160/h) + n, 90 + n, 255})
		}
	}
	path := filepath.Join(t.TempDir(), "camera.jpg")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := f.Stat(); fi != nil {
		t.Logf("camera photo: %d×%d, %d bytes", w, h, fi.Size())
	}
	return path
}

// waitPhotos waits for n photos on the page to be shown, decoded.
func (b *browser) waitPhotos(n int, timeout time.Duration) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("%d photos shown", n), timeout, func() bool {
		var shown int
		b.eval("count photos", `[...document.querySelectorAll(".photo img")].filter(i => i.complete && i.naturalWidth > 0).length`, &shown)
		return shown >= n
	})
}

// TestProjectRecords: a visit note half-typed survives a reload; a done
// appointment makes its invoice, once, at its price; cancelling without
// a reason is refused beside the reason field.
func TestProjectRecords(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, 1024, 768)
	b.createWorkspace(srv, "records@example.com")
	b.addClient("Ivy Invoice", "07700 900777", "")
	b.openClient("Ivy Invoice")
	b.addPet("Rex", "")
	b.book("Bath and tidy", func() {
		b.setDate("start", "09:00")
		b.fill("minutes", "60")
		b.fill("price", "38.50")
	})

	// A visit note half-typed, then the tablet reloads.
	b.fill("note-text", "Nervous of the dryer; towel dry")
	time.Sleep(2 * draftWait)
	if raw := b.idbText(); strings.Contains(raw, "Nervous of the dryer") {
		t.Error("the visit note's draft is in IndexedDB in the clear")
	}
	b.run("reload", 30*time.Second, chromedp.Reload())
	b.unlock()
	b.waitText("were brought back", 20*time.Second)
	if got := b.value("note-text"); got != "Nervous of the dryer; towel dry" {
		t.Fatalf("the visit note after a reload = %q", got)
	}
	b.button("Add visit note")
	b.waitText("Nervous of the dryer; towel dry", 20*time.Second)
	b.waitValue("note-text", "", 10*time.Second)

	// Done, then its invoice: a draft with the booking's line and price.
	b.button("Done")
	b.waitText("Status: done", 20*time.Second)
	checkScreenAt(b, "project-done", "#status-title")
	b.button("Create invoice")
	b.run("invoice form", 20*time.Second, chromedp.WaitVisible("#line-desc-1", chromedp.ByQuery))
	b.waitText("Invoice "+strconv.Itoa(time.Now().Year())+"-0001", 10*time.Second)
	if got := b.value("line-desc-1"); !strings.HasPrefix(got, "Bath and tidy, ") {
		t.Errorf("the invoice's line = %q", got)
	}
	if got := b.value("line-price-1"); got != "38.50" {
		t.Errorf("the invoice's price = %q, want 38.50", got)
	}
	b.waitTotals([]string{"Total | £38.50"})
	checkScreenAt(b, "project-invoice", "")
	// Back on the booking, it opens that invoice rather than making another.
	b.run("back", 20*time.Second, chromedp.NavigateBack())
	b.waitText("Status: done", 20*time.Second)
	b.link("Open invoice")
	b.waitText("Invoice "+strconv.Itoa(time.Now().Year())+"-0001", 20*time.Second)
	b.link("Back to the client")
	b.waitText("Nothing owed", 20*time.Second) // a draft is not owed yet
	if n := strings.Count(b.rowsText(`ul[aria-label="Invoices"]`), "-0001"); n != 1 {
		t.Errorf("the client lists the project's invoice %d times, want once", n)
	}

	// Cancelling another visit without a reason is refused beside the field.
	b.book("Nails", nil)
	b.click(`//button[@aria-label="Cancel the booking"]`)
	b.button("Confirm cancelled")
	b.waitText("say why the project is cancelled", 20*time.Second)
	var described string
	b.run("reason's error", 10*time.Second, chromedp.AttributeValue("#reason", "aria-describedby", &described, nil, chromedp.ByQuery))
	if described != "reason-error" {
		t.Errorf("the reason field is described by %q, want its error", described)
	}
	if got := b.text(); !strings.Contains(got, "Status: planned") {
		t.Errorf("the visit was cancelled without a reason:\n%s", got)
	}
	checkScreenAt(b, "cancel-no-reason", "#status-title")
	b.fill("reason", "The client called: Rex is unwell")
	b.button("Confirm cancelled")
	b.waitText("Status: cancelled", 20*time.Second)
	b.waitText("Reason: The client called: Rex is unwell", 5*time.Second)
}

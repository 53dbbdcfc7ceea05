//go:build !js

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// A client's access request: the export page shows everything held about
// them and nothing of another client, downloads it as JSON another
// program can read, and prints clean.
func TestExportClient(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, 1024, 768)
	b.createWorkspace(srv, "owner@example.com")
	b.addClient("Margaret Lockwood", "07700 900123", "Prefers mornings")
	b.addClient("Arjun Patel", "07700 900456", "Not part of Margaret's export")

	b.openClient("Margaret Lockwood")
	b.link("Add a pet")
	b.fill("pet-name", "Bella")
	b.fill("breed", "Cockapoo")
	b.fill("allergies", "chicken, oatmeal shampoo")
	b.button("Save pet")
	b.waitText("Saved on this device", 20*time.Second)
	b.fill("vacc-name", "Rabies")
	b.setDate("vacc-given", "2024-01-10")
	b.setDate("vacc-expires", "2027-01-10")
	b.button("Add vaccination")
	b.waitText("expires 2027-01-10", 20*time.Second)
	b.link("Back to the client")
	b.addPet("Max", "")
	b.fill("log-summary", "Asked to move Friday to 10:00")
	b.button("Add to the log")
	b.waitText("by you", 20*time.Second)

	exportLink := `//a[normalize-space()="Export their data"]`
	b.run("scroll to the export link", 10*time.Second, chromedp.ScrollIntoView(exportLink, chromedp.BySearch))
	t.Logf("client screen: %s", b.screenshot("client-1024x768"))
	b.link("Export their data")
	b.waitText("Data held about Margaret Lockwood", 20*time.Second)
	page := b.text()
	for _, want := range []string{
		"Margaret Lockwood", "07700 900123", "Prefers mornings",
		"Pet: Bella", "Cockapoo", "chicken, oatmeal shampoo", "Pet: Max",
		"Vaccination: Rabies", "Pet\nBella", "10 January 2024", "10 January 2027", // the vaccination's pet, by name
		"Asked to move Friday to 10:00", "Channel\ncall", "Author\nowner@example.com", // the log's author, by login on the owner's device
		"Nothing held of: invoices",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the export page lacks %q", want)
		}
	}
	if strings.Contains(page, "Arjun") {
		t.Error("the export page shows another client")
	}
	b.checkScreen("screen-1024x768")

	// The download, as the browser saves it.
	dir := t.TempDir()
	b.run("allow downloads", 10*time.Second,
		cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir))
	b.button("Download JSON")
	var file string
	for deadline := time.Now().Add(20 * time.Second); file == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		names, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		if len(names) == 1 {
			file = names[0]
		}
	}
	if file == "" {
		t.Fatal("no JSON file downloaded within 20 s")
	}
	if !regexp.MustCompile(`^pawfile-export-margaret-lockwood-\d{4}-\d{2}-\d{2}\.json$`).MatchString(filepath.Base(file)) {
		t.Errorf("downloaded as %q", filepath.Base(file))
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Export struct {
			App        string `json:"app"`
			Workspace  string `json:"workspace"`
			ExportedAt string `json:"exported_at"`
			ExportedBy string `json:"exported_by"`
			ClientID   string `json:"client_id"`
		} `json:"export"`
		Client       map[string]any   `json:"client"`
		Pets         []map[string]any `json:"pets"`
		Vaccinations []map[string]any `json:"vaccinations"`
		ContactLog   []map[string]any `json:"contact_log"`
		Invoices     []map[string]any `json:"invoices"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("the download is not JSON: %v\n%.500s", err, raw)
	}
	if strings.Contains(string(raw), "Arjun") || strings.Contains(string(raw), "900456") {
		t.Error("the JSON holds another client")
	}
	if got.Export.App != "Pawfile" || got.Export.ExportedBy != "owner@example.com" || got.Export.Workspace == "" || got.Export.ClientID != got.Client["id"] {
		t.Errorf("export header = %+v", got.Export)
	}
	if _, err := time.Parse(time.RFC3339, got.Export.ExportedAt); err != nil {
		t.Errorf("exported_at: %v", err)
	}
	if got.Client["name"] != "Margaret Lockwood" || got.Client["notes"] != "Prefers mornings" {
		t.Errorf("client = %v", got.Client)
	}
	if len(got.Pets) != 2 || len(got.Vaccinations) != 1 || len(got.ContactLog) != 1 || got.Invoices == nil || len(got.Invoices) != 0 {
		t.Fatalf("%d pets, %d vaccinations, %d contacts, invoices %v; want 2, 1, 1, []",
			len(got.Pets), len(got.Vaccinations), len(got.ContactLog), got.Invoices)
	}
	pets := map[any]map[string]any{}
	for _, p := range got.Pets {
		pets[p["name"]] = p
	}
	bella, max := pets["Bella"], pets["Max"]
	if bella == nil || max == nil {
		t.Fatalf("pets = %v", got.Pets)
	}
	if a, _ := bella["allergies"].([]any); len(a) != 2 || a[0] != "chicken" || a[1] != "oatmeal shampoo" {
		t.Errorf("Bella's allergies = %v", bella["allergies"])
	}
	if a, _ := max["allergies"].([]any); a == nil || len(a) != 0 {
		t.Errorf("Max's allergies = %#v, want []", max["allergies"])
	}
	if v := got.Vaccinations[0]; v["name"] != "Rabies" || v["given"] != "2024-01-10" || v["expires"] != "2027-01-10" || v["pet"] != bella["id"] {
		t.Errorf("vaccination = %v", v)
	}
	if c := got.ContactLog[0]; c["summary"] != "Asked to move Friday to 10:00" || c["channel"] != "call" || c["client"] != got.Client["id"] {
		t.Errorf("contact = %v", c)
	} else if _, err := time.Parse(time.RFC3339, c["when"].(string)); err != nil {
		t.Errorf("contact time: %v", err)
	}

	// Printed: no app bar or buttons.
	b.run("print media", 10*time.Second, emulation.SetEmulatedMedia().WithMedia("print"))
	var barShown, buttonsShown bool
	b.run("print layout", 10*time.Second,
		chromedp.Evaluate(`document.querySelector(".bar").offsetParent !== null || getComputedStyle(document.querySelector(".bar")).display !== "none"`, &barShown),
		chromedp.Evaluate(`[...document.querySelectorAll("button")].some(e => e.offsetParent !== null)`, &buttonsShown))
	if barShown || buttonsShown {
		t.Errorf("printed page shows the app bar (%v) or buttons (%v)", barShown, buttonsShown)
	}
	t.Logf("printed, 1024×768: %s", b.screenshot("print-1024x768"))
	b.run("portrait", 10*time.Second, emulation.SetDeviceMetricsOverride(820, 1180, 1, false))
	t.Logf("printed, 820×1180: %s", b.screenshot("print-820x1180"))
	b.run("screen media", 10*time.Second, emulation.SetEmulatedMedia().WithMedia(""))
	t.Logf("on screen, 820×1180: %s", b.screenshot("screen-820x1180"))
}

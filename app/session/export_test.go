package session

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"pawfile/shared/record"
	"pawfile/shared/seal"
)

// An export holds every record below its client, in a JSON that reads
// without Pawfile, and nothing of any other client.
func TestExportClient(t *testing.T) {
	ctx := context.Background()
	s, _ := setUp(t, "ws1", seal.NewKeyring(), 7)
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	london, _ := time.LoadLocation("Europe/London")
	called := record.InstantOf(time.Date(2025, 3, 4, 9, 15, 0, 0, london))
	ann, bella, max, inv := record.NewID(), record.NewID(), record.NewID(), record.NewID()
	other, rex, otherInv := record.NewID(), record.NewID(), record.NewID()
	photo, err := s.StagePhoto(record.ClassProject, []byte("jpeg of bella"))
	if err != nil {
		t.Fatal(err)
	}
	for _, save := range []struct {
		id string
		v  any
	}{
		{ann, &record.Client{Name: "Ann Export", Phones: []string{"07700 900123"}, MarketingConsent: true, MarketingConsentDate: "2024-05-01"}},
		{bella, &record.Pet{Client: ann, Name: "Bella", Allergies: []string{"chicken"}, WeightGrams: 8200}},
		{max, &record.Pet{Client: ann, Name: "Max", Species: "cat"}},
		{record.NewID(), &record.Vaccination{Pet: bella, Name: "Rabies", Given: "2024-01-10", Expires: "2027-01-10"}},
		{record.NewID(), &record.Vaccination{Pet: max, Name: "Cat flu", Expires: "2025-06-01"}},
		{record.NewID(), &record.Weighing{Pet: bella, Date: "2025-03-04", Grams: 8450, Note: "after winter"}},
		{record.NewID(), &record.Weighing{Pet: bella, Date: "2024-11-02", Grams: 8200}},
		{record.NewID(), &record.ContactLog{Client: ann, When: called, Channel: "call", Direction: "inbound", Summary: "Asked to move Friday"}},
		{record.NewID(), &record.ContactLog{Client: ann, When: record.InstantOf(time.Date(2025, 3, 5, 10, 0, 0, 0, london)), Channel: "text", Summary: "Confirmed 10:00"}},
		{inv, &record.Invoice{Client: ann, Number: "INV-7", Issued: "2025-03-07", Status: "issued", TaxRate: 2000}},
		{record.NewID(), &record.InvoiceLine{Invoice: inv, Position: 1, Description: "Full groom", Quantity: 1, UnitPrice: record.Money{Minor: 4550, Currency: "GBP"}}},
		{record.NewID(), &record.Payment{Invoice: inv, Method: "card", Amount: record.Money{Minor: 5460, Currency: "GBP"}}},
		{record.NewID(), &record.Photo{Pet: bella, Kind: "before", Blob: photo}}, // a pet's photo outside any project
		{other, &record.Client{Name: "Other Keep"}},
		{rex, &record.Pet{Client: other, Name: "Rex"}},
		{record.NewID(), &record.Vaccination{Pet: rex, Name: "Leptospirosis"}},
		{record.NewID(), &record.Weighing{Pet: rex, Date: "2025-03-04", Grams: 31000, Note: "Other's dog"}},
		{record.NewID(), &record.ContactLog{Client: other, When: called, Channel: "email", Summary: "Other's email"}},
		{otherInv, &record.Invoice{Client: other, Number: "INV-8", Status: "draft"}},
		{record.NewID(), &record.InvoiceLine{Invoice: otherInv, Description: "Other's nails", Quantity: 1, UnitPrice: record.Money{Minor: 999, Currency: "GBP"}}},
	} {
		if _, err := s.save(ctx, save.id, nil, save.v); err != nil {
			t.Fatalf("save %T: %v", save.v, err)
		}
	}

	e, err := s.ExportClient(ann)
	if err != nil {
		t.Fatal(err)
	}
	if e.Workspace != "ws1" || e.ExportedBy != "owner@example.com" || time.Since(e.ExportedAt) > time.Minute {
		t.Errorf("header: workspace %q, by %q, at %v", e.Workspace, e.ExportedBy, e.ExportedAt)
	}
	if e.Count() != 13 {
		t.Errorf("export holds %d records, want 13", e.Count())
	}
	if got := e.FileName(); got != "pawfile-export-ann-export-"+string(record.DateOf(e.ExportedAt))+".json" {
		t.Errorf("file name %q", got)
	}

	if err := s.ExportPhotos(ctx, &e); err != nil {
		t.Fatal(err)
	}
	raw, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{other, rex, otherInv, "Other Keep", "Rex", "Leptospirosis", "Other's", "INV-8"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the export holds %q of another client", leak)
		}
	}
	// Read as another program would: plain JSON, no Pawfile types.
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	head := got["export"].(map[string]any)
	if head["app"] != "Pawfile" || head["workspace"] != "ws1" || head["client_id"] != ann || head["exported_by"] != "owner@example.com" {
		t.Errorf("export header = %v", head)
	}
	if _, err := time.Parse(time.RFC3339, head["exported_at"].(string)); err != nil {
		t.Errorf("exported_at: %v", err)
	}
	client := got["client"].(map[string]any)
	if client["id"] != ann || client["name"] != "Ann Export" || client["marketing_consent"] != true ||
		client["marketing_consent_date"] != "2024-05-01" || client["photo_consent_date"] != nil {
		t.Errorf("client = %v", client)
	}
	if phones := client["phones"].([]any); len(phones) != 1 || phones[0] != "07700 900123" {
		t.Errorf("phones = %v", client["phones"])
	}
	if emails, ok := client["emails"].([]any); !ok || len(emails) != 0 {
		t.Errorf("no emails should be an empty list, got %#v", client["emails"])
	}
	counts := map[string]int{"pets": 2, "vaccinations": 2, "weighings": 2, "contact_log": 2, "invoices": 1, "invoice_lines": 1,
		"payments": 1, "photos": 1, "projects": 0, "tasks": 0, "milestones": 0, "progress_notes": 0}
	for k, n := range counts {
		list, ok := got[k].([]any)
		if !ok || len(list) != n {
			t.Errorf("%s: %d records (%T), want %d", k, len(list), got[k], n)
		}
	}
	if len(got) != len(counts)+3 {
		t.Errorf("the export has %d keys, want %d", len(got), len(counts)+3)
	}
	if files, _ := got["photo_files"].(map[string]any); len(files) != 1 || files[photo] != base64.StdEncoding.EncodeToString([]byte("jpeg of bella")) {
		t.Errorf("photo_files = %v, want bella's photo by its reference", got["photo_files"])
	}
	rec := func(k string, i int) map[string]any {
		if list, _ := got[k].([]any); i < len(list) {
			return list[i].(map[string]any)
		}
		return nil
	}
	if p := rec("pets", 0); p["name"] != "Bella" || p["client"] != ann || p["weight_grams"] != 8200.0 || p["allergies"].([]any)[0] != "chicken" {
		t.Errorf("first pet = %v", p)
	}
	if v := rec("vaccinations", 1); v["name"] != "Rabies" || v["given"] != "2024-01-10" || v["pet"] != bella {
		t.Errorf("vaccinations, in date order: second = %v", v)
	}
	if w := rec("weighings", 1); w["pet"] != bella || w["date"] != "2025-03-04" || w["grams"] != 8450.0 || w["note"] != "after winter" {
		t.Errorf("weighings, in date order: second = %v", w)
	}
	if c := rec("contact_log", 0); c["summary"] != "Asked to move Friday" || c["when"] != "2025-03-04T09:15:00.000Z" || c["direction"] != "inbound" {
		t.Errorf("first contact = %v", c)
	}
	if l := rec("invoice_lines", 0); l["invoice"] != inv || !equalJSON(l["unit_price"], `{"amount":"45.50","currency":"GBP"}`) {
		t.Errorf("invoice line = %v", l)
	}
	if p := rec("payments", 0); !equalJSON(p["amount"], `{"amount":"54.60","currency":"GBP"}`) || p["tip"] != nil {
		t.Errorf("payment = %v", p)
	}
	if p := rec("photos", 0); p["blob"] != photo || p["pet"] != bella || p["project"] != "" {
		t.Errorf("photo = %v", p)
	}

	if _, err := s.ExportClient(record.NewID()); err == nil {
		t.Error("exporting a client that does not exist succeeded")
	}
	s.Lock()
	if _, err := s.ExportClient(ann); err != ErrLocked {
		t.Errorf("export while locked: %v", err)
	}
}

func equalJSON(v any, want string) bool {
	b, _ := json.Marshal(v)
	return string(b) == want
}

package session

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"pawfile/shared/record"
)

// weights lists a pet's weighings as "date grams", latest first.
func weights(s *Session, pet string) []string {
	var out []string
	for _, w := range s.WeighingsOf(pet) {
		out = append(out, fmt.Sprint(w.Date, " ", w.Grams))
	}
	return out
}

// Two devices weighing the same pet offline both keep their weighings,
// and agree on the pet's weight: the latest weighing by date, not the
// one saved last.
func TestWeighingsFromTwoDevices(t *testing.T) {
	ctx := context.Background()
	a, b, bst := twoDevices(t)
	ann, bella := record.NewID(), record.NewID()
	if err := a.SaveClient(ctx, ann, nil, &record.Client{Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	if err := a.SavePet(ctx, bella, nil, &record.Pet{Client: ann, Name: "Bella", WeightGrams: 11000}); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)

	// Offline: b weighs on the 10th, then a enters the 1st and the 3rd,
	// later by the clock.
	if err := b.SaveWeighing(ctx, record.NewID(), nil, &record.Weighing{Pet: bella, Date: "2026-03-10", Grams: 12600, Note: "after the diet"}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []record.Weighing{
		{Pet: bella, Date: "2026-03-01", Grams: 12000},
		{Pet: bella, Date: "2026-03-03", Grams: 12100},
	} {
		if err := a.SaveWeighing(ctx, record.NewID(), nil, &w); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.SaveWeighing(ctx, record.NewID(), nil, &record.Weighing{Pet: bella, Grams: 12000}); err == nil {
		t.Error("a weighing without a date was saved")
	}
	send(t, a, b, 2)
	send(t, b, a, 3)
	want := []string{"2026-03-10 12600", "2026-03-03 12100", "2026-03-01 12000"}
	for name, s := range map[string]*Session{"a": a, "b": b} {
		if got := weights(s, bella); !slices.Equal(got, want) {
			t.Errorf("%s: weighings %v, want %v", name, got, want)
		}
	}
	if w := b.WeighingsOf(bella); w[0].Note != "after the diet" {
		t.Errorf("note = %q", w[0].Note)
	}

	// b reloads: the list comes from the index docs.
	b.Lock()
	again, _ := New(ctx, Config{Server: "http://127.0.0.1:1", Store: bst})
	if err := again.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	defer again.Lock()
	if got := weights(again, bella); !slices.Equal(got, want) {
		t.Errorf("after reload: weighings %v, want %v", got, want)
	}
	if got := weights(again, record.NewID()); len(got) != 0 {
		t.Errorf("another pet has weighings %v", got)
	}
}

// Erasing a client erases their pets' weighings on every device, and the
// drafts of what was being typed about them; the export holds them.
func TestWeighingsErasedWithTheClient(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	ann, bella, other, rex := record.NewID(), record.NewID(), record.NewID(), record.NewID()
	w1, w2, kept := record.NewID(), record.NewID(), record.NewID()
	for _, save := range []struct {
		id string
		v  any
	}{
		{ann, &record.Client{Name: "Ann Erase"}},
		{bella, &record.Pet{Client: ann, Name: "Bella"}},
		{w1, &record.Weighing{Pet: bella, Date: "2026-01-05", Grams: 8000}},
		{w2, &record.Weighing{Pet: bella, Date: "2026-02-05", Grams: 8300}},
		{other, &record.Client{Name: "Other Keep"}},
		{rex, &record.Pet{Client: other, Name: "Rex"}},
		{kept, &record.Weighing{Pet: rex, Date: "2026-02-05", Grams: 30000}},
	} {
		if _, err := a.save(ctx, save.id, nil, save.v); err != nil {
			t.Fatalf("save %T: %v", save.v, err)
		}
	}
	send(t, a, b, 1)

	e, err := a.ExportClient(ann)
	if err != nil {
		t.Fatal(err)
	}
	// The export logs itself in the background; it goes with the erasure.
	waitFor(t, "the export's audit entry", func() bool { return outboxLen(t, a) == 1 })
	for _, g := range e.Groups {
		if g.Schema.Type != record.TypeWeighing {
			continue
		}
		if len(g.Records) != 2 || g.Name != "weighings" || g.Records[0].ID != w1 || g.Records[1].ID != w2 {
			t.Errorf("export's weighings: %q %+v", g.Name, g.Records)
		}
	}

	// What each device was typing about Ann's pet and Ann, and about Rex.
	type draft struct{ Note string }
	for _, s := range []*Session{a, b} {
		for _, d := range []struct {
			t      record.Type
			parent string
		}{{record.TypeWeighing, bella}, {record.TypeVaccination, bella}, {record.TypeContactLog, ann}, {record.TypePet, ann}, {record.TypeWeighing, rex}} {
			if err := s.KeepDraft(ctx, d.t, NewDraftOf(d.parent), record.NewID(), draft{"typed"}); err != nil {
				t.Fatal(err)
			}
		}
	}

	n, err := a.EraseClient(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("erased %d records, want 4 (client, pet, two weighings)", n)
	}
	send(t, a, b, 2)
	for name, s := range map[string]*Session{"a": a, "b": b} {
		for _, id := range []string{w1, w2} {
			if rec, ok := s.book.Record(record.TypeWeighing, id); !ok || !rec.IsErased() {
				t.Errorf("%s: weighing %s not erased", name, id)
			}
		}
		if got := s.WeighingsOf(bella); len(got) != 0 {
			t.Errorf("%s: erased pet still lists weighings %+v", name, got)
		}
		if got := weights(s, rex); len(got) != 1 {
			t.Errorf("%s: another client's pet's weighings: %v", name, got)
		}
		for _, d := range []struct {
			t      record.Type
			parent string
		}{{record.TypeWeighing, bella}, {record.TypeVaccination, bella}, {record.TypeContactLog, ann}, {record.TypePet, ann}} {
			if _, _, ok, _ := s.Draft(ctx, d.t, NewDraftOf(d.parent), &draft{}); ok {
				t.Errorf("%s: the draft of a new %s of an erased record is still there", name, d.t)
			}
		}
		if id, _, ok, _ := s.Draft(ctx, record.TypeWeighing, NewDraftOf(rex), &draft{}); !ok || !record.ValidID(id) {
			t.Errorf("%s: the draft of another client's pet's weighing was dropped, or lost its record's id (%q)", name, id)
		}
	}
}

// A weighing entered by mistake is removed, on every device; one the
// device does not hold is refused with what to do.
func TestRemoveWeighing(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	_, bella := household(t, a, "Ann", record.Pet{Name: "Bella"})
	right, wrong := record.NewID(), record.NewID()
	for id, w := range map[string]record.Weighing{
		right: {Pet: bella, Date: "2026-10-05", Grams: 12500},
		wrong: {Pet: bella, Date: "2026-11-16", Grams: 125000},
	} {
		if err := a.SaveWeighing(ctx, id, nil, &w); err != nil {
			t.Fatal(err)
		}
	}
	send(t, a, b, 1)
	if err := a.RemoveWeighing(ctx, wrong); err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveWeighing(ctx, wrong); err == nil || !strings.Contains(err.Error(), "open the pet again") {
		t.Errorf("removing it twice: %v", err)
	}
	send(t, a, b, 2)
	for name, s := range map[string]*Session{"a": a, "b": b} {
		if got := weights(s, bella); !slices.Equal(got, []string{"2026-10-05 12500"}) {
			t.Errorf("%s: weighings after the removal = %q", name, got)
		}
	}
}

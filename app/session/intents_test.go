package session

import (
	"context"
	"slices"
	"testing"

	"pawfile/shared/record"
)

// A screen left open saves what the person changed on it, measured
// against what it showed (its base): a newer change made on another
// tablet meanwhile stays, on both tablets.

func TestStaleClientCardKeepsNewerPhone(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	id := record.NewID()
	if err := a.SaveClient(ctx, id, nil, &record.Client{Name: "Margaret", Phones: []string{"07700 900123"}}); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)
	var onA record.Client // A opens her card
	if ok, err := a.LoadClient(id, &onA); !ok || err != nil {
		t.Fatalf("load: %v %v", ok, err)
	}
	base := onA
	base.Phones = slices.Clone(onA.Phones)

	var onB record.Client // B changes her phone
	b.LoadClient(id, &onB)
	bBase := onB
	bBase.Phones = slices.Clone(onB.Phones)
	onB.Phones = []string{"07700 900789"}
	if err := b.SaveClient(ctx, id, &bBase, &onB); err != nil {
		t.Fatal(err)
	}
	send(t, b, a, 2)

	onA.Tags = []string{"regular"} // A, still showing the old phone, adds a tag
	if err := a.SaveClient(ctx, id, &base, &onA); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 3)
	for name, s := range map[string]*Session{"A": a, "B": b} {
		var got record.Client
		s.LoadClient(id, &got)
		if !slices.Equal(got.Phones, []string{"07700 900789"}) || !slices.Equal(got.Tags, []string{"regular"}) {
			t.Fatalf("on %s: phones %q tags %q; want B's phone and A's tag", name, got.Phones, got.Tags)
		}
	}
}

func TestStalePetScreenKeepsNewAllergy(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	_, pet := household(t, a, "Ann", record.Pet{Name: "Bella", Coat: "double"})
	send(t, a, b, 1)
	var onA record.Pet // A opens Bella
	if ok, err := a.LoadPet(pet, &onA); !ok || err != nil {
		t.Fatalf("load: %v %v", ok, err)
	}
	base := onA

	var onB record.Pet // the front desk adds an allergy
	b.LoadPet(pet, &onB)
	bBase := onB
	onB.Allergies = append(slices.Clone(onB.Allergies), "lavender oil")
	if err := b.SavePet(ctx, pet, &bBase, &onB); err != nil {
		t.Fatal(err)
	}
	send(t, b, a, 2)

	onA.Coat = "silky" // A saves only the coat type
	if err := a.SavePet(ctx, pet, &base, &onA); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 3)
	for name, s := range map[string]*Session{"A": a, "B": b} {
		var got record.Pet
		s.LoadPet(pet, &got)
		if !slices.Equal(got.Allergies, []string{"lavender oil"}) || got.Coat != "silky" {
			t.Fatalf("on %s: allergies %q coat %q; want the allergy from B and the coat from A", name, got.Allergies, got.Coat)
		}
		if !slices.ContainsFunc(record.Alerts(&got), func(al record.Alert) bool { return al.Kind == record.AlertAllergy }) {
			t.Fatalf("on %s: no allergy badge for %+v", name, record.Alerts(&got))
		}
	}
}

func TestOfflineAllergyAdditionsBothSurvive(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	_, pet := household(t, a, "Ann", record.Pet{Name: "Bella", Allergies: []string{"chicken"}})
	send(t, a, b, 1)
	for i, s := range []*Session{a, b} { // each offline, each adds one
		var p record.Pet
		s.LoadPet(pet, &p)
		base := p
		p.Allergies = append(slices.Clone(p.Allergies), []string{"lavender oil", "tea tree"}[i])
		if err := s.SavePet(ctx, pet, &base, &p); err != nil {
			t.Fatal(err)
		}
	}
	send(t, a, b, 2)
	send(t, b, a, 3)
	for name, s := range map[string]*Session{"A": a, "B": b} {
		var got record.Pet
		s.LoadPet(pet, &got)
		g := slices.Sorted(slices.Values(got.Allergies))
		if !slices.Equal(g, []string{"chicken", "lavender oil", "tea tree"}) {
			t.Fatalf("on %s: allergies %q, want both additions and the first", name, g)
		}
	}
}

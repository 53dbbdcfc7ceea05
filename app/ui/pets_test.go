package ui

import (
	"testing"

	"pawfile/app/session"
	"pawfile/shared/record"
)

func TestParseKilograms(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", 0, true}, {"12.5", 12500, true}, {"12,5", 12500, true}, {" 7 kg", 7000, true}, {"0.35", 350, true},
		{"twelve", 0, false}, {"-3", 0, false}, {"250", 0, false}, {"1.2.3", 0, false},
	} {
		got, ok := parseKilograms(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("parseKilograms(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	// Shown exactly, so that a weight read back and saved again is the same.
	for g, want := range map[int64]string{12500: "12.5", 7000: "7", 4250: "4.25", 12345: "12.345", 0: ""} {
		if got := kilograms(g); got != want {
			t.Errorf("kilograms(%d) = %q, want %q", g, got, want)
		}
		if back, ok := parseKilograms(kilograms(g)); !ok || back != g {
			t.Errorf("parseKilograms(kilograms(%d)) = %d, %v", g, back, ok)
		}
	}
}

func TestWeightChange(t *testing.T) {
	for g, want := range map[int64]string{400: "+0.4 kg", -1250: "−1.25 kg", 0: "no change", 30: "+0.03 kg"} {
		if got := weightChange(g); got != want {
			t.Errorf("weightChange(%d) = %q, want %q", g, got, want)
		}
	}
	latest := []session.Weighing{{Date: "2026-03-10", Grams: 12600}, {Date: "2026-03-01", Grams: 12000}}
	for _, c := range []struct {
		list    []session.Weighing
		entered int64
		want    string
	}{
		{latest, 11000, "Weighs 12.6 kg (weighed 10 March 2026)."},
		{nil, 11000, "Weighs 11 kg, as entered with the pet. No weighings yet."},
		{nil, 0, "No weighings yet."},
	} {
		if got := weightNow(c.list, c.entered); got != c.want {
			t.Errorf("weightNow(%v, %d) = %q, want %q", c.list, c.entered, got, c.want)
		}
	}
}

func TestAgeText(t *testing.T) {
	for _, c := range []struct {
		born, today record.Date
		want        string
	}{
		{"2020-03-15", "2026-12-01", "Age: 6 years 8 months"},
		{"2026-03-15", "2026-12-01", "Age: 8 months"},
		{"2025-12-01", "2026-12-01", "Age: 1 year"},
		{"2025-12-02", "2026-12-01", "Age: 11 months"},
		{"", "2026-12-01", ""},
		{"2027-01-01", "2026-12-01", ""},
	} {
		if got := ageText(c.born, c.today); got != c.want {
			t.Errorf("ageText(%s, %s) = %q, want %q", c.born, c.today, got, c.want)
		}
	}
}

package ui

import (
	"testing"

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
	if got := kilograms(12500); got != "12.5" {
		t.Errorf("kilograms(12500) = %q", got)
	}
	if got := kilograms(7000); got != "7" {
		t.Errorf("kilograms(7000) = %q", got)
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

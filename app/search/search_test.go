package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

func book() *Index {
	ix := New()
	ix.Put("c1", Doc{Name: "Ann Smith", Phones: []string{"+44 7700 900123"}, Emails: []string{"ann@example.com"}, Pets: []string{"Bella"}, Tags: []string{"vip"}})
	ix.Put("c2", Doc{Name: "Bella Jones", Pets: []string{"Rex", "Max"}})
	ix.Put("c3", Doc{Name: "Zoë Brown", Phones: []string{"01632 960001"}, Pets: []string{"Annabel"}})
	return ix
}

func ids(hits []Hit) string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return strings.Join(out, " ")
}

func TestSearch(t *testing.T) {
	ix := book()
	tests := []struct {
		q    string
		want string
	}{
		{"ann", "c1 c3"},      // the name's first word beats a pet's
		{"bella", "c2 c1"},    // the client named Bella first, then Bella's owner
		{"zoe", "c3"},         // accents folded
		{"ZOË br", "c3"},      // every word must match
		{"900123", "c1"},      // part of a phone number
		{"7700 900", "c1"},    // spaces in a phone number
		{"example.com", "c1"}, // email
		{"vip", "c1"},         // tag
		{"rex", "c2"},         // pet
		{"smith bella", "c1"}, // name and pet
		{"nobody", ""},        // no match
		{"   ", ""},           // nothing to search
		{"77", ""},            // too short to search phone numbers
		{"smith zoe", ""},     // words of two different clients
		{"an", "c1 c3"},       // prefix
		{"annabel", "c3"},     // a longer word does not match its prefix
		{"Smith, Ann", "c1"},  // punctuation ignored
		{"max", "c2"},         // second pet
		{"jones", "c2"},       // surname
		{"01632960001", "c3"}, // phone written without spaces
		{"ann@example", "c1"}, // part of an email
		{"bell", "c2 c1"},     // prefix of a pet
	}
	for _, tt := range tests {
		if got := ids(ix.Search(tt.q, 10)); got != tt.want {
			t.Errorf("Search(%q) = %s, want %s", tt.q, got, tt.want)
		}
	}
}

func TestPutReplacesAndRemove(t *testing.T) {
	ix := book()
	ix.Put("c1", Doc{Name: "Ann Taylor"})
	if got := ids(ix.Search("smith", 10)); got != "" {
		t.Errorf("old name still found: %s", got)
	}
	ix.Remove("c2")
	ix.Remove("nope")
	if ix.Len() != 2 || ids(ix.Search("rex", 10)) != "" || ids(ix.Search("zoe", 10)) != "c3" {
		t.Errorf("after remove: len %d", ix.Len())
	}
	if got := len(ix.Search("a", 1)); got != 1 {
		t.Errorf("limit: %d hits", got)
	}
}

// shop builds the client book of a five-year-old shop: 2,000 clients and
// 3,000 pets.
func shop() *Index {
	rng := rand.New(rand.NewPCG(1, 2))
	first := []string{"Ann", "Bob", "Carla", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack", "Kai", "Lena", "Mia", "Noah", "Olive", "Priya"}
	last := []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright", "Walker", "Evans"}
	pets := []string{"Bella", "Max", "Luna", "Charlie", "Daisy", "Rocky", "Milo", "Coco", "Ruby", "Teddy", "Bailey", "Poppy"}
	ix := New()
	for i := range 2000 {
		d := Doc{
			Name:   first[rng.IntN(len(first))] + " " + last[rng.IntN(len(last))],
			Phones: []string{fmt.Sprintf("07%03d %06d", rng.IntN(1000), rng.IntN(1_000_000))},
			Emails: []string{fmt.Sprintf("client%d@example.com", i)},
		}
		for range 1 + i%2 + (i%4)/3 {
			d.Pets = append(d.Pets, pets[rng.IntN(len(pets))])
		}
		ix.Put(fmt.Sprintf("c%d", i), d)
	}
	return ix
}

// BenchmarkKeystroke types "bella" one key at a time over the shop and
// reports the time per keystroke (target: under 16 ms in Chromium).
func BenchmarkKeystroke(b *testing.B) {
	ix := shop()
	queries := []string{"b", "be", "bel", "bell", "bella"}
	for b.Loop() {
		for _, q := range queries {
			ix.Search(q, 50)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(queries))/1000, "ms/keystroke")
}

// BenchmarkFirst is the client list shown before anything is typed,
// refreshed on every change that arrives.
func BenchmarkFirst(b *testing.B) {
	ix := shop()
	for b.Loop() {
		ix.First(100)
	}
}

func TestFirstIsInNameOrder(t *testing.T) {
	ix := New()
	ix.Put("3", Doc{Name: "Émile Zola"})
	ix.Put("1", Doc{Name: "bella Ray"})
	ix.Put("2", Doc{Name: "Anna Kay"})
	got := ix.First(2)
	if len(got) != 2 || got[0].Name != "Anna Kay" || got[1].Name != "bella Ray" {
		t.Errorf("First(2) = %+v, want Anna Kay, bella Ray", got)
	}
	if all := ix.First(10); len(all) != 3 || all[2].Name != "Émile Zola" {
		t.Errorf("First(10) = %+v", all)
	}
}

// fold agrees with Unicode's canonical decompositions (decompose, drop the
// accents, compose) on every letter of the Latin, Greek and Cyrillic
// scripts, and on accents typed as combining marks.
func TestFoldMatchesUnicode(t *testing.T) {
	unicodeFold := func(s string) string {
		out, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
		if err != nil {
			t.Fatal(err)
		}
		return strings.ToLower(out)
	}
	checked := 0
	for r := rune(0); r < 0x2000; r++ {
		if !unicode.IsLetter(r) || r >= 0x250 && r < 0x370 || r >= 0x500 && r < 0x1E00 {
			continue
		}
		if got, want := fold(string(r)), unicodeFold(string(r)); got != want {
			t.Errorf("fold(%q) = %q, want %q", r, got, want)
		}
		checked++
	}
	for _, s := range []string{"Zoe\u0308 Chloe\u0301", "Łukasz Żółć", "Ærøskøbing", "Ђорђе Ѓорѓи", "Ἀθηνᾶ", "Nguyễn Thị Bích"} {
		if got, want := fold(s), unicodeFold(s); got != want {
			t.Errorf("fold(%q) = %q, want %q", s, got, want)
		}
	}
	if checked < 1000 {
		t.Errorf("checked only %d letters", checked)
	}
}

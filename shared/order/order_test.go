package order

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestSort(t *testing.T) {
	type pet struct {
		name string
		age  int
	}
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		s := make([]pet, n)
		for i := range s {
			s[i] = pet{name: string(rune('a' + r.IntN(26))), age: r.IntN(20)}
		}
		by := func(a, b pet) int { return cmp.Or(strings.Compare(a.name, b.name), a.age-b.age) }
		want := slices.Clone(s)
		slices.SortFunc(want, by)
		Sort(s, by)
		if !slices.Equal(s, want) {
			t.Fatalf("n=%d: got %v, want %v", n, s, want)
		}
	}
}

// Package order sorts slices by a comparison function, as slices.SortFunc
// does, with one sorting routine for every element type. slices.SortFunc
// compiles a copy of its sort for each element type (about 15 KB of
// WebAssembly each); sorting through one sort.Slice keeps the app's
// download smaller. The sort is not stable.
package order

import "sort"

// Sort sorts s in ascending order as determined by cmp, which returns a
// negative number when a < b, a positive number when a > b and zero when
// they are equal.
func Sort[T any](s []T, cmp func(a, b T) int) {
	sort.Slice(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 })
}

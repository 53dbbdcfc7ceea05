// Package zone builds time zones from the browser's own zone database
// (Intl), so the app need not embed Go's (time/tzdata, 67 KB of the
// first download). Under wasm Go finds no zoneinfo files, and without
// this it would know no zone but UTC.
//
// The browser answers one question, the UTC offset and abbreviation of a
// zone at an instant; Load asks it often enough to find every change of
// offset between 1900 and 2200 (the years records may hold) and builds a
// [time.Location] from them.
package zone

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// period is a stretch of time with one offset: from start (Unix seconds)
// to the next period's start.
type period struct {
	start  int64
	offset int // seconds east of UTC
	abbr   string
}

// parse reads what the browser found: "start offset abbr" periods,
// separated by ";", in order of time.
func parse(s string) ([]period, error) {
	var ps []period
	for _, f := range strings.Split(s, ";") {
		parts := strings.Fields(f)
		if len(parts) != 3 {
			return nil, fmt.Errorf("zone period %q: want start, offset and abbreviation", f)
		}
		start, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("zone period %q: %w", f, err)
		}
		off, err := strconv.Atoi(parts[1])
		if err != nil || off < -18*3600 || off > 18*3600 {
			return nil, fmt.Errorf("zone period %q: bad offset", f)
		}
		if len(ps) > 0 && start <= ps[len(ps)-1].start {
			return nil, fmt.Errorf("zone period %q: out of order", f)
		}
		ps = append(ps, period{start, off, parts[2]})
	}
	return ps, nil
}

// build makes a location from its periods, by way of the TZif form
// (RFC 8536) that time.LoadLocationFromTZData reads: the time package
// offers no other way to make a zone with more than one offset. Before
// the first period the first offset holds, after the last the last.
func build(name string, ps []period) (*time.Location, error) {
	if len(ps) == 0 {
		return nil, fmt.Errorf("zone %s: no offsets", name)
	}
	type kind struct {
		offset int
		abbr   string
	}
	var (
		kinds []kind
		index = map[kind]int{}
		chars []byte
		at    = map[string]int{}
		times []byte
		types []byte
	)
	for _, p := range ps {
		k := kind{p.offset, p.abbr}
		i, ok := index[k]
		if !ok {
			if len(kinds) == 256 {
				return nil, fmt.Errorf("zone %s: too many offsets", name)
			}
			i = len(kinds)
			index[k] = i
			kinds = append(kinds, k)
			if _, ok := at[p.abbr]; !ok {
				if len(chars)+len(p.abbr) > 255 {
					return nil, fmt.Errorf("zone %s: abbreviations too long", name)
				}
				at[p.abbr] = len(chars)
				chars = append(append(chars, p.abbr...), 0)
			}
		}
		times = binary.BigEndian.AppendUint64(times, uint64(p.start))
		types = append(types, byte(i))
	}
	header := func(b []byte, ntime, ntype, nchar int) []byte {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		for _, n := range []int{0, 0, 0, ntime, ntype, nchar} {
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
		return b
	}
	// A version 2 file repeats its data with 64-bit times after a
	// version 1 block, left empty here, that readers of version 2 skip.
	b := header(nil, 0, 0, 0)
	b = header(b, len(ps), len(kinds), len(chars))
	b = append(b, times...)
	b = append(b, types...)
	for _, k := range kinds {
		b = binary.BigEndian.AppendUint32(b, uint32(int32(k.offset)))
		b = append(b, 0, byte(at[k.abbr]))
	}
	b = append(b, chars...)
	l, err := time.LoadLocationFromTZData(name, b)
	if err != nil {
		return nil, fmt.Errorf("zone %s: %w", name, err)
	}
	return l, nil
}

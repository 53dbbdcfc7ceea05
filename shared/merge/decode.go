package merge

import (
	"math"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"

	"pawfile/shared/clock"
	"pawfile/shared/internal/cborhead"
	"pawfile/shared/record"
)

// decodeFast reads a record of the current format without reflection: a
// new tablet decodes the 5-year shop's 100,000 records, and the reflective
// decoder was the largest part of receiving them in a browser. It takes
// only what decMode surely takes, and the same way: definite lengths, no
// tags, no duplicate keys, each part of the type its field needs, a raw
// value nested no deeper than rawDepth. For anything else it reports
// false, and the caller decodes b with decMode, which then gives the same
// record or the error it always gave. FuzzDecodeFast holds the two to
// that.
//
// The values of the cells it returns are slices of b.
func decodeFast(b []byte) (e encodedRecord, ok bool) {
	d := fastDecoder{b: b}
	if !d.arrayOf(9) {
		return e, false
	}
	format, ok1 := d.uint(math.MaxUint8)
	class, ok2 := d.uint(math.MaxUint8)
	typ, ok3 := d.text()
	id, ok4 := d.text()
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return e, false
	}
	e.Format, e.Class, e.Type, e.ID = uint8(format), record.Class(class), record.Type(typ), id
	for _, ts := range []*clock.Timestamp{&e.Created, &e.Deleted, &e.Erased} {
		if *ts, ok = d.timestamp(); !ok {
			return e, false
		}
	}
	if e.Fields, ok = d.fields(); !ok {
		return e, false
	}
	if e.Sets, ok = d.sets(); !ok {
		return e, false
	}
	return e, d.off == len(d.b)
}

// rawDepth is how deeply decodeFast lets a cell's value nest arrays and
// maps: the cell is at depth 3 of the record, and decMode allows 8.
const rawDepth = 3

// fastDecoder reads CBOR from b at off; every method reports false, and
// reads no further, at anything decodeFast leaves to decMode.
type fastDecoder struct {
	b   []byte
	off int
}

// head reads a data item's head: its major type and its argument.
// Indefinite lengths and the reserved additional values report false.
func (d *fastDecoder) head() (major byte, arg uint64, ok bool) {
	major, arg, n, ok := cborhead.Read(d.b[d.off:])
	if !ok || major == 7 && d.b[d.off]&0x1f == 24 {
		return 0, 0, false // a simple value in two bytes: decMode's rules differ by value
	}
	d.off += n
	return major, arg, true
}

// arrayOf reads the head of an array of n items.
func (d *fastDecoder) arrayOf(n uint64) bool {
	major, arg, ok := d.head()
	return ok && major == 4 && arg == n
}

// uint reads an unsigned integer of at most max.
func (d *fastDecoder) uint(max uint64) (uint64, bool) {
	major, arg, ok := d.head()
	return arg, ok && major == 0 && arg <= max
}

// int64 reads an integer that fits an int64.
func (d *fastDecoder) int64() (int64, bool) {
	major, arg, ok := d.head()
	switch {
	case !ok || arg > math.MaxInt64:
		return 0, false
	case major == 0:
		return int64(arg), true
	case major == 1:
		return -1 - int64(arg), true
	}
	return 0, false
}

// text reads a text string of valid UTF-8.
func (d *fastDecoder) text() (string, bool) {
	major, arg, ok := d.head()
	if !ok || major != 3 || arg > uint64(len(d.b)-d.off) {
		return "", false
	}
	s := d.b[d.off : d.off+int(arg)]
	d.off += int(arg)
	return string(s), utf8.Valid(s)
}

// timestamp reads a clock.Timestamp: an array of its three integers.
func (d *fastDecoder) timestamp() (t clock.Timestamp, ok bool) {
	if !d.arrayOf(3) {
		return t, false
	}
	wall, ok1 := d.int64()
	counter, ok2 := d.uint(math.MaxUint32)
	device, ok3 := d.uint(math.MaxUint64)
	t.Wall, t.Counter, t.Device = wall, uint32(counter), device
	return t, ok1 && ok2 && ok3
}

// mapLen reads the head of a map of at most MaxFields pairs, or of null
// (which decMode reads as a nil map).
func (d *fastDecoder) mapLen() (n int, null, ok bool) {
	major, arg, ok := d.head()
	switch {
	case !ok:
		return 0, false, false
	case major == 7 && arg == 22:
		return 0, true, true
	case major != 5 || arg > MaxFields:
		return 0, false, false
	}
	return int(arg), false, true
}

// fields reads the record's cells: a map of field names to [timestamp, value].
func (d *fastDecoder) fields() (map[string]encodedCell, bool) {
	n, null, ok := d.mapLen()
	if !ok || null {
		return nil, ok
	}
	m := make(map[string]encodedCell, n)
	for range n {
		name, ok := d.text()
		if !ok {
			return nil, false
		}
		if _, dup := m[name]; dup || !d.arrayOf(2) {
			return nil, false
		}
		ts, ok := d.timestamp()
		if !ok {
			return nil, false
		}
		start := d.off
		if !d.skip(rawDepth) {
			return nil, false
		}
		m[name] = encodedCell{TS: ts, Value: cbor.RawMessage(d.b[start:d.off:d.off])}
	}
	return m, true
}

// sets reads the set fields: a map of field names to maps of items to
// [added, removed].
func (d *fastDecoder) sets() (map[string]map[string]encodedItem, bool) {
	n, null, ok := d.mapLen()
	if !ok || null {
		return nil, ok
	}
	m := make(map[string]map[string]encodedItem, n)
	for range n {
		field, ok := d.text()
		if !ok {
			return nil, false
		}
		if _, dup := m[field]; dup {
			return nil, false
		}
		k, null, ok := d.mapLen()
		if !ok || null {
			return nil, false
		}
		items := make(map[string]encodedItem, k)
		for range k {
			x, ok := d.text()
			if !ok {
				return nil, false
			}
			if _, dup := items[x]; dup || !d.arrayOf(2) {
				return nil, false
			}
			added, ok1 := d.timestamp()
			removed, ok2 := d.timestamp()
			if !ok1 || !ok2 {
				return nil, false
			}
			items[x] = encodedItem{Added: added, Removed: removed}
		}
		m[field] = items
	}
	return m, true
}

// skip passes over one well-formed data item, with arrays and maps nested
// at most depth deep, each of at most MaxFields items or pairs.
func (d *fastDecoder) skip(depth int) bool {
	major, arg, ok := d.head()
	if !ok {
		return false
	}
	switch major {
	case 0, 1, 7:
		return true
	case 2, 3:
		if arg > uint64(len(d.b)-d.off) {
			return false
		}
		d.off += int(arg)
		return true
	case 4, 5:
		if depth == 0 || arg > MaxFields {
			return false
		}
		n := int(arg)
		if major == 5 {
			n *= 2
		}
		for range n {
			if !d.skip(depth - 1) {
				return false
			}
		}
		return true
	}
	return false // a tag
}

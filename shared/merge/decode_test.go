package merge

import (
	"bytes"
	"math"
	"testing"

	"pawfile/shared/clock"
)

// decodeSlow is what decodeAnyFormat did before decodeFast: decMode alone.
func decodeSlow(b []byte) (encodedRecord, error) {
	var e encodedRecord
	err := decMode.Unmarshal(b, &e)
	return e, err
}

// sameEncoded reports whether two decoded records hold the same things
// (a nil map and an empty one alike: Decode reads them the same).
func sameEncoded(a, b encodedRecord) bool {
	if a.Format != b.Format || a.Class != b.Class || a.Type != b.Type || a.ID != b.ID ||
		a.Created != b.Created || a.Deleted != b.Deleted || a.Erased != b.Erased ||
		len(a.Fields) != len(b.Fields) || len(a.Sets) != len(b.Sets) {
		return false
	}
	for name, c := range a.Fields {
		o, ok := b.Fields[name]
		if !ok || o.TS != c.TS || !bytes.Equal(o.Value, c.Value) {
			return false
		}
	}
	for field, items := range a.Sets {
		o, ok := b.Sets[field]
		if !ok || len(o) != len(items) {
			return false
		}
		for x, it := range items {
			if oi, ok := o[x]; !ok || oi != it {
				return false
			}
		}
	}
	return true
}

// The records the app writes are all read by decodeFast, as decMode
// reads them: were it to leave them to decMode, a new tablet's download
// would be slower again, though no less right.
func TestDecodeFastReadsWhatEncodeWrites(t *testing.T) {
	big := clock.Timestamp{Wall: math.MaxInt64, Counter: math.MaxUint32, Device: math.MaxUint64}
	tests := map[string]*Record{
		"empty":   New(key),
		"created": rec(func(r *Record) { r.Create(ts(1, 1)) }),
		"fields": rec(func(r *Record) {
			r.Create(ts(1_700_000_000_000, 7))
			r.Set("name", []byte{0x65, 'B', 'e', 'l', 'l', 'a'}, ts(1_700_000_000_001, 7))
			r.Set("weight", []byte{0x19, 0x30, 0x39}, big)
			r.Set("price", []byte{0x82, 0x19, 0x11, 0x94, 0x63, 'G', 'B', 'P'}, ts(2, 3))
			r.Set("alerts", []byte{0xa1, 0x61, 'a', 0x81, 0xf5}, ts(2, 3))
			r.Set("note", []byte{0xf6}, ts(2, 3))
			r.Set("before", []byte{0x3a, 0x7f, 0xff, 0xff, 0xff}, ts(-5, 3))
			r.Set("ratio", []byte{0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, ts(2, 3))
		}),
		"sets": rec(func(r *Record) {
			r.Create(ts(1, 1))
			r.Add("allergies", "lavender oil", ts(2, 1))
			r.Add("allergies", "chicken", ts(3, 2))
			r.Remove("allergies", "chicken")
			r.Add("tags", "regular", ts(4, 2))
		}),
		"deleted": rec(func(r *Record) { r.Create(ts(1, 1)); r.Set("name", []byte{0x61, 'x'}, ts(2, 1)); r.Delete(ts(3, 2)) }),
		"erased":  rec(func(r *Record) { r.Erase(ts(4, 1)) }),
	}
	for name, r := range tests {
		b, err := Encode(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fast, ok := decodeFast(bytes.Clone(b))
		if !ok {
			t.Errorf("%s: decodeFast left it to decMode: % x", name, b)
			continue
		}
		slow, err := decodeSlow(b)
		if err != nil {
			t.Fatalf("%s: decMode: %v", name, err)
		}
		if !sameEncoded(fast, slow) {
			t.Errorf("%s: decodeFast read\n%+v\ndecMode read\n%+v", name, fast, slow)
		}
	}
}

// decodeFast takes nothing decMode refuses, and reads what it takes as
// decMode does: a hostile member's record decodes, or fails, the same.
func FuzzDecodeFast(f *testing.F) {
	for _, r := range []*Record{
		rec(func(r *Record) { r.Create(ts(1, 1)); r.Set("name", []byte{0x61, 'x'}, ts(2, 1)) }),
		rec(func(r *Record) {
			r.Create(ts(1, 1))
			r.Set("v", []byte{0x82, 0xa1, 0x61, 'k', 0x80, 0xfa, 0, 0, 0, 0}, ts(-2, 1))
		}),
		rec(func(r *Record) {
			r.Create(ts(1, 1))
			r.Add("allergies", "chicken", ts(3, 2))
			r.Remove("allergies", "chicken")
		}),
		rec(func(r *Record) { r.Erase(ts(4, 1)) }),
	} {
		f.Add(encodeSeed(r))
	}
	// Forms decodeFast leaves to decMode: a tag, an indefinite length,
	// a two-byte simple value, a duplicate field.
	f.Add([]byte{0x89, 0x02, 0x01, 0x61, 'c', 0x61, 'i', 0x83, 0, 0, 0, 0x83, 0, 0, 0, 0x83, 0, 0, 0, 0xa1, 0x61, 'n', 0x82, 0x83, 1, 0, 1, 0xc1, 0x01, 0xf6})
	f.Add([]byte{0x89, 0x02, 0x01, 0x61, 'c', 0x61, 'i', 0x83, 0, 0, 0, 0x83, 0, 0, 0, 0x83, 0, 0, 0, 0xa1, 0x61, 'n', 0x82, 0x83, 1, 0, 1, 0x9f, 0xff, 0xf6})
	f.Add([]byte{0x89, 0x02, 0x01, 0x61, 'c', 0x61, 'i', 0x83, 0, 0, 0, 0x83, 0, 0, 0, 0x83, 0, 0, 0, 0xa1, 0x61, 'n', 0x82, 0x83, 1, 0, 1, 0xf8, 0x10, 0xf6})
	f.Add([]byte{0x89, 0x02, 0x01, 0x61, 'c', 0x61, 'i', 0x83, 0, 0, 0, 0x83, 0, 0, 0, 0x83, 0, 0, 0, 0xa2, 0x61, 'n', 0x82, 0x83, 1, 0, 1, 0x01, 0x61, 'n', 0x82, 0x83, 1, 0, 1, 0x01, 0xf6})
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := decodeFast(bytes.Clone(b))
		if !ok {
			return
		}
		slow, err := decodeSlow(b)
		if err != nil {
			t.Fatalf("decodeFast took what decMode refuses (%v): % x", err, b)
		}
		if !sameEncoded(fast, slow) {
			t.Fatalf("decodeFast read\n%+v\ndecMode read\n%+v\nfrom % x", fast, slow, b)
		}
	})
}

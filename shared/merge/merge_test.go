package merge

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"pawfile/shared/clock"
	"pawfile/shared/record"
)

var key = Key{Class: record.ClassClient, Type: "client", ID: "abc"}

func ts(wall int64, device uint64) clock.Timestamp {
	return clock.Timestamp{Wall: wall, Device: device}
}

func rec(build func(r *Record)) *Record {
	r := New(key)
	build(r)
	return r
}

func encode(t *testing.T, r *Record) []byte {
	t.Helper()
	b, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mergeAll(t *testing.T, rs ...*Record) *Record {
	t.Helper()
	out := New(key)
	for _, r := range rs {
		if _, err := out.Merge(r); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestMergeRules(t *testing.T) {
	v := func(s string) []byte { return []byte{0x61, s[0]} } // CBOR text of one byte
	tests := []struct {
		name       string
		a, b       *Record
		wantExists bool
		wantFields map[string]string
	}{
		{
			name:       "later write wins per field",
			a:          rec(func(r *Record) { r.Create(ts(1, 1)); r.Set("name", v("a"), ts(2, 1)); r.Set("notes", v("x"), ts(5, 1)) }),
			b:          rec(func(r *Record) { r.Create(ts(1, 1)); r.Set("name", v("b"), ts(3, 2)); r.Set("notes", v("y"), ts(4, 2)) }),
			wantExists: true,
			wantFields: map[string]string{"name": "b", "notes": "x"},
		},
		{
			name:       "equal wall time: device breaks the tie",
			a:          rec(func(r *Record) { r.Create(ts(1, 1)); r.Set("name", v("a"), ts(2, 1)) }),
			b:          rec(func(r *Record) { r.Create(ts(1, 1)); r.Set("name", v("b"), ts(2, 2)) }),
			wantExists: true,
			wantFields: map[string]string{"name": "b"},
		},
		{
			name:       "an edit after a delete does not bring the record back",
			a:          rec(func(r *Record) { r.Create(ts(1, 1)); r.Delete(ts(5, 1)) }),
			b:          rec(func(r *Record) { r.Create(ts(1, 1)); r.Set("name", v("b"), ts(9, 2)) }),
			wantExists: false,
			wantFields: map[string]string{"name": "b"},
		},
		{
			name:       "a delete drops what was written before it",
			a:          rec(func(r *Record) { r.Create(ts(1, 1)); r.Delete(ts(5, 1)) }),
			b:          rec(func(r *Record) { r.Create(ts(1, 1)); r.Set("name", v("b"), ts(3, 2)) }),
			wantExists: false,
			wantFields: map[string]string{},
		},
		{
			name:       "a create after a delete revives",
			a:          rec(func(r *Record) { r.Create(ts(1, 1)); r.Delete(ts(5, 1)) }),
			b:          rec(func(r *Record) { r.Create(ts(7, 2)); r.Set("name", v("n"), ts(7, 2)) }),
			wantExists: true,
			wantFields: map[string]string{"name": "n"},
		},
		{
			name:       "erasure is final",
			a:          rec(func(r *Record) { r.Create(ts(1, 1)); r.Erase(ts(2, 1)) }),
			b:          rec(func(r *Record) { r.Create(ts(8, 2)); r.Set("name", v("b"), ts(9, 2)) }),
			wantExists: false,
			wantFields: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ab, ba := mergeAll(t, tt.a, tt.b), mergeAll(t, tt.b, tt.a)
			if !bytes.Equal(encode(t, ab), encode(t, ba)) {
				t.Fatalf("not commutative:\n%x\n%x", encode(t, ab), encode(t, ba))
			}
			again := mergeAll(t, ab, tt.a, tt.b)
			if !bytes.Equal(encode(t, ab), encode(t, again)) {
				t.Fatal("not idempotent")
			}
			if ab.Exists() != tt.wantExists {
				t.Errorf("exists = %v, want %v", ab.Exists(), tt.wantExists)
			}
			if len(ab.Fields) != len(tt.wantFields) {
				t.Errorf("fields = %v, want %v", ab.Fields, tt.wantFields)
			}
			for f, want := range tt.wantFields {
				if got, _ := ab.Get(f); !bytes.Equal(got, v(want)) {
					t.Errorf("%s = %q, want %q", f, got, v(want))
				}
			}
		})
	}
}

func TestMergeOtherRecord(t *testing.T) {
	other := New(Key{Class: record.ClassClient, Type: "client", ID: "zzz"})
	if _, err := New(key).Merge(other); err == nil {
		t.Fatal("merging two different records succeeded")
	}
}

func TestSetRefusesStaleWrites(t *testing.T) {
	r := New(key)
	r.Create(ts(1, 1))
	if !r.Set("name", []byte{0x01}, ts(5, 1)) {
		t.Fatal("first write refused")
	}
	if r.Set("name", []byte{0x02}, ts(4, 1)) {
		t.Fatal("older write replaced a newer one")
	}
	r.Delete(ts(6, 1))
	if r.Set("notes", []byte{0x03}, ts(6, 1)) {
		t.Fatal("write at the delete's time survived the delete")
	}
	r.Erase(ts(7, 1))
	if r.Set("notes", []byte{0x03}, ts(9, 1)) || r.Create(ts(9, 1)) {
		t.Fatal("an erased record took a write")
	}
}

func TestRestampKeepsOrder(t *testing.T) {
	future := int64(10_000_000)
	r := New(key)
	r.Create(ts(future, 1))
	r.Set("name", []byte{0x01}, ts(future+1, 1))
	r.Set("notes", []byte{0x02}, ts(5, 1))
	r.Delete(ts(4, 1))
	next := int64(100)
	now := func() clock.Timestamp { next++; return ts(next, 1) }
	if !r.Restamp(ts(1000, 1), now) {
		t.Fatal("nothing restamped")
	}
	if r.Created != ts(101, 1) || r.Fields["name"].TS != ts(102, 1) {
		t.Fatalf("restamp changed the order: created %v name %v", r.Created, r.Fields["name"].TS)
	}
	if r.Fields["notes"].TS != ts(5, 1) || r.Deleted != ts(4, 1) {
		t.Fatal("restamp touched timestamps below the limit")
	}
	if !r.Exists() {
		t.Fatal("restamp lost the record")
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	r := New(key)
	r.Create(ts(1, 7))
	r.Set("name", []byte{0x63, 'B', 'o', 'b'}, ts(2, 7))
	r.Set("x_newer", []byte{0x18, 0x2a}, ts(3, 9))
	b := encode(t, r)
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encode(t, got), b) {
		t.Fatal("round trip changed the bytes")
	}
	if got.Key != key || got.Fields["x_newer"].TS != ts(3, 9) {
		t.Fatalf("round trip lost data: %+v", got)
	}
}

func TestDecodeRejects(t *testing.T) {
	good := encode(t, rec(func(r *Record) { r.Create(ts(1, 1)); r.Set("name", []byte{0x01}, ts(1, 1)) }))
	tests := map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)-3],
		"trailing":  append(append([]byte{}, good...), 0x00),
		"not cbor":  []byte("hello"),
		"too big":   make([]byte, MaxEncoded+1),
		"bad class": func() []byte {
			b := append([]byte{}, good...)
			b[2] = 0x09 // the class, right after the array header and format
			return b
		}(),
	}
	for name, b := range tests {
		if _, err := Decode(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encodeSeed(rec(func(r *Record) { r.Create(ts(1, 1)); r.Set("name", []byte{0x61, 'x'}, ts(2, 1)) })))
	f.Add(encodeSeed(rec(func(r *Record) { r.Create(ts(1, 1)); r.Delete(ts(3, 2)) })))
	f.Add(encodeSeed(rec(func(r *Record) { r.Erase(ts(4, 1)) })))
	f.Add(encodeSeed(rec(func(r *Record) {
		r.Create(ts(1, 1))
		r.Add("allergies", "lavender oil", ts(2, 1))
		r.Add("allergies", "chicken", ts(3, 2))
		r.Remove("allergies", "chicken")
	})))
	f.Add([]byte{0x88})
	f.Add([]byte{0x89})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Encode(r)
		if err != nil {
			t.Fatalf("accepted record does not encode: %v", err)
		}
		r2, err := Decode(again)
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		if third, _ := Encode(r2); !bytes.Equal(third, again) {
			t.Fatal("encoding is not stable")
		}
		if _, err := r2.Merge(r); err != nil {
			t.Fatal(err)
		}
		// Take into an empty record is Merge into it.
		merged, took := New(r.Key), New(r.Key)
		mc, err := merged.Merge(r.Clone())
		if err != nil {
			t.Fatal(err)
		}
		tc, err := took.Take(r.Clone())
		if err != nil {
			t.Fatal(err)
		}
		if mc != tc || !reflect.DeepEqual(merged, took) {
			t.Fatalf("Take into an empty record: changed %v, %+v; Merge: changed %v, %+v", tc, took, mc, merged)
		}
	})
}

func encodeSeed(r *Record) []byte {
	b, err := Encode(r)
	if err != nil {
		panic(err)
	}
	return b
}

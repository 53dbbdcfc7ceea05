package record

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode as the value of one field of
// one record type. Decode must never panic; what it accepts must validate
// without panicking and encode back to exactly the bytes it read (the
// canonical form is the only form accepted).
func FuzzDecode(f *testing.F) {
	types := Types()
	for ti, ty := range types {
		enc, err := Encode(fill(f, ty))
		if err != nil {
			f.Fatal(err)
		}
		for name, b := range enc {
			f.Add(uint8(ti), name, b)
		}
		zero, _ := New(ty)
		zenc, _ := Encode(zero)
		for name, b := range zenc {
			f.Add(uint8(ti), name, b)
		}
	}
	// By the type's place in types, which a new type may move.
	at := func(ty Type) uint8 { return uint8(slices.Index(types, ty)) }
	f.Add(at(TypeClient), "name", []byte{0x7f, 0x61, 'a', 0xff})
	f.Add(at(TypeClient), "phones", []byte{0x9a, 0xff, 0xff, 0xff, 0xff})
	f.Add(at(TypeInvoice), "discount", []byte{0x82, 0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x63, 'G', 'B', 'P'})
	f.Add(at(TypeProject), "start", []byte{0x82, 0x01, 0x6d, 'E', 'u', 'r', 'o', 'p', 'e', '/', 'L', 'o', 'n', 'd', 'o', 'n'})
	f.Add(at(TypeWeighing), "grams", []byte{0x3a, 0x7f, 0xff, 0xff, 0xff}) // a negative weight
	f.Add(at(TypeProject), "rating", []byte{0x06})                         // above the top of the scale
	f.Add(at(TypeProject), "rating", []byte{0x20})                         // below it
	f.Add(at(TypeProject), "feedback", []byte{0x63, 'a', 0xff, 'b'})       // not UTF-8

	f.Fuzz(func(t *testing.T, ti uint8, name string, data []byte) {
		ty := types[int(ti)%len(types)]
		v, _ := New(ty)
		fields := map[string][]byte{name: data, "field_from_the_future": data}
		err := Decode(fields, v)
		_ = Validate(v)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Field != name {
				t.Fatalf("Decode error %v does not name field %q", err, name)
			}
			if !reflect.ValueOf(v).Elem().IsZero() {
				t.Fatalf("failed decode changed the record: %+v", v)
			}
			return
		}
		enc, err := Encode(v)
		if err != nil {
			t.Fatalf("Encode after Decode: %v", err)
		}
		if _, known := mustSchema(ty).Field(name); known && !bytes.Equal(enc[name], data) {
			t.Fatalf("%s.%s: read %x, wrote back %x", ty, name, data, enc[name])
		}
	})
}

// FuzzDecodeShort holds decodeShort to the reflective decoder: whatever it
// takes as a text, an integer or a boolean, decodeReflect takes too, with
// the same value; and what it leaves, DecodeValue still decodes as before.
func FuzzDecodeShort(f *testing.F) {
	for _, b := range [][]byte{
		{0xf4}, {0xf5}, {0xf6}, {0x00}, {0x17}, {0x18, 0x17}, {0x18, 0x18}, {0x20}, {0x38, 0x63},
		{0x1b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0},
		{0x60}, {0x63, 'a', 'b', 'c'}, {0x78, 0x03, 'a', 'b', 'c'}, {0x62, 0xc3, 0xa9}, {0x61, 0xff}, {0x7f, 0x61, 'a', 0xff},
		{0x80}, {0x82, 0x61, 'a', 0x60}, {0x81, 0x61}, {0x82, 0x61, 'a'}, {0x81, 0x61, 'a', 0x61}, {0x98, 0x01, 0x60}, {0x9f, 0x60, 0xff},
		{0x6a, '2', '0', '2', '6', '-', '1', '2', '-', '0', '7'},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		same := func(fast, slow, viaDecodeValue any) {
			t.Helper()
			got := reflect.ValueOf(fast).Elem().Interface()
			if decodeShort(b, fast) {
				if err := decodeReflect(b, slow); err != nil {
					t.Fatalf("% x: decodeShort took %#v, the reflective decoder refuses it: %v", b, reflect.ValueOf(fast).Elem(), err)
				}
				if a, c := reflect.ValueOf(fast).Elem().Interface(), reflect.ValueOf(slow).Elem().Interface(); !reflect.DeepEqual(a, c) {
					t.Fatalf("% x: decodeShort read %#v, the reflective decoder %#v", b, a, c)
				}
			} else if after := reflect.ValueOf(fast).Elem().Interface(); !reflect.DeepEqual(after, got) {
				t.Fatalf("% x: decodeShort refused but changed the value to %#v", b, after)
			}
			// DecodeValue agrees with the reflective decoder either way.
			errD, errR := DecodeValue(b, viaDecodeValue), decodeReflect(b, slow)
			if (errD == nil) != (errR == nil) || errD == nil && !reflect.DeepEqual(reflect.ValueOf(viaDecodeValue).Elem().Interface(), reflect.ValueOf(slow).Elem().Interface()) {
				t.Fatalf("% x: DecodeValue gives %#v, %v; the reflective decoder %#v, %v", b,
					reflect.ValueOf(viaDecodeValue).Elem(), errD, reflect.ValueOf(slow).Elem(), errR)
			}
		}
		var s1, s2, s3 string
		same(&s1, &s2, &s3)
		var i1, i2, i3 int64
		same(&i1, &i2, &i3)
		var b1, b2, b3 bool
		same(&b1, &b2, &b3)
		var d1, d2, d3 Date
		same(&d1, &d2, &d3)
		var l1, l2, l3 []string
		same(&l1, &l2, &l3)
	})
}

// TestDecodeShortTakesWhatEncodeWrites: every text, integer and boolean
// EncodeValue writes takes decodeShort's way, at each size of head.
func TestDecodeShortTakesWhatEncodeWrites(t *testing.T) {
	values := []any{true, false, int64(math.MaxInt64), int64(math.MinInt64), Date("2026-12-07"), []string(nil), []string{"a", "", "é"}}
	for _, n := range []int64{0, 23, 24, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1} {
		values = append(values, n, -1-n)
	}
	for _, n := range []int{0, 1, 23, 24, 255, 256, 20000} {
		values = append(values, strings.Repeat("é", n/2)+strings.Repeat("a", n%2))
	}
	for _, v := range values {
		b, err := EncodeValue(v)
		if err != nil {
			t.Fatal(err)
		}
		p := reflect.New(reflect.TypeOf(v))
		if !decodeShort(b, p.Interface()) {
			t.Errorf("%T of %d bytes: decodeShort leaves it to the reflective decoder", v, len(b))
		} else if got := p.Elem().Interface(); !reflect.DeepEqual(got, v) {
			t.Errorf("decodeShort read %v, want %v", got, v)
		}
	}
}

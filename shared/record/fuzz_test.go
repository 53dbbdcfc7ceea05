package record

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
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

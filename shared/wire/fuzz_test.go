package wire

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzDecode feeds Decode and DecodePlain mutated frames of every type, compressed and not.
// Decode must never panic, must refuse with a *ProtocolError, and whatever it
// accepts must encode again and decode to the same message.
func FuzzDecode(f *testing.F) {
	for _, m := range samples() {
		for _, force := range []bool{false, true} {
			frame, err := encode(m, force)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(frame)
		}
	}
	f.Add([]byte{Version, byte(TypeBatch), flagZstd, 0x28, 0xb5, 0x2f, 0xfd})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		// DecodePlain never panics either, and reads a plain frame as
		// Decode does.
		pm, perr := DecodePlain(b)
		if len(b) >= headerSize && b[2]&flagZstd == 0 && ((perr == nil) != (err == nil) || !reflect.DeepEqual(pm, m)) {
			t.Fatalf("DecodePlain %v, Decode %v", perr, err)
		}
		if err != nil {
			var pe *ProtocolError
			if !errors.As(err, &pe) || pe.Code == CodeOK || pe.Code == CodeInternal {
				t.Fatalf("refusal %T %v with code %s", err, err, CodeOf(err))
			}
			if m != nil {
				t.Fatal("a message returned with an error")
			}
			return
		}
		frame, err := Encode(m)
		if err != nil {
			t.Fatalf("accepted %+v but cannot encode it: %v", m, err)
		}
		again, err := Decode(frame)
		if err != nil {
			t.Fatalf("cannot decode own encoding of %+v: %v", m, err)
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("round trip changed\n%+v\ninto\n%+v", m, again)
		}
	})
}

// FuzzUnmarshalEnvelope does the same for a stored version.
func FuzzUnmarshalEnvelope(f *testing.F) {
	for _, e := range envelopes(3, 100, 13) {
		b, err := MarshalEnvelope(&e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := UnmarshalEnvelope(b)
		if err != nil {
			if CodeOf(err) == CodeInternal {
				t.Fatalf("refusal without a protocol code: %v", err)
			}
			return
		}
		b2, err := MarshalEnvelope(&e)
		if err != nil {
			t.Fatalf("accepted %+v but cannot encode it: %v", e, err)
		}
		e2, err := UnmarshalEnvelope(b2)
		if err != nil || !reflect.DeepEqual(e, e2) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, e, e2)
		}
	})
}

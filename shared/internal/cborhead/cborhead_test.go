package cborhead

import "testing"

func TestRead(t *testing.T) {
	for _, c := range []struct {
		b     []byte
		major byte
		arg   uint64
		size  int
		ok    bool
	}{
		{b: []byte{0x00}, major: 0, arg: 0, size: 1, ok: true},
		{b: []byte{0x17}, major: 0, arg: 23, size: 1, ok: true},
		{b: []byte{0x18, 0x18}, major: 0, arg: 24, size: 2, ok: true},
		{b: []byte{0x18, 0x05}, major: 0, arg: 5, size: 2, ok: true}, // longer than needed: read as it is
		{b: []byte{0x39, 0x01, 0x00}, major: 1, arg: 256, size: 3, ok: true},
		{b: []byte{0x7a, 0, 1, 0, 0, 'x'}, major: 3, arg: 65536, size: 5, ok: true},
		{b: []byte{0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, major: 4, arg: 1<<64 - 1, size: 9, ok: true},
		{b: []byte{0xf5}, major: 7, arg: 21, size: 1, ok: true},
		{b: nil},
		{b: []byte{0x19, 0x01}}, // cut short
		{b: []byte{0x5f}},       // indefinite length
		{b: []byte{0x1c, 0, 0}}, // reserved
	} {
		major, arg, size, ok := Read(c.b)
		if major != c.major || arg != c.arg || size != c.size || ok != c.ok {
			t.Errorf("Read(% x) = %d, %d, %d, %v; want %d, %d, %d, %v", c.b, major, arg, size, ok, c.major, c.arg, c.size, c.ok)
		}
	}
}

func TestSize(t *testing.T) {
	for arg, want := range map[uint64]int{0: 1, 23: 1, 24: 2, 255: 2, 256: 3, 65535: 3, 65536: 5, 1<<32 - 1: 5, 1 << 32: 9, 1<<64 - 1: 9} {
		if got := Size(arg); got != want {
			t.Errorf("Size(%d) = %d, want %d", arg, got, want)
		}
	}
}

package record

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// DecodeValue accepts a text, integer or boolean only in its one canonical
// encoding, and the shortcut that checks those forms agrees with encoding
// the value again.
func TestDecodeValueCanonical(t *testing.T) {
	long := strings.Repeat("a", 24)
	cases := []struct {
		name string
		b    []byte
		into func() any
		ok   bool
	}{
		{"short text", []byte{0x63, 'a', 'b', 'c'}, func() any { return new(string) }, true},
		{"short text, longer head", []byte{0x78, 0x03, 'a', 'b', 'c'}, func() any { return new(string) }, false},
		{"24 bytes of text", append([]byte{0x78, 24}, long...), func() any { return new(string) }, true},
		{"24 bytes of text, longer head", append([]byte{0x79, 0, 24}, long...), func() any { return new(string) }, false},
		{"empty text", []byte{0x60}, func() any { return new(string) }, true},
		{"bytes for text", []byte{0x43, 'a', 'b', 'c'}, func() any { return new(string) }, false},
		{"null for text", []byte{0xf6}, func() any { return new(string) }, false},
		{"zero", []byte{0x00}, func() any { return new(int64) }, true},
		{"23", []byte{0x17}, func() any { return new(int64) }, true},
		{"5, longer head", []byte{0x18, 0x05}, func() any { return new(int64) }, false},
		{"24", []byte{0x18, 24}, func() any { return new(int64) }, true},
		{"1000", []byte{0x19, 0x03, 0xe8}, func() any { return new(int64) }, true},
		{"1000, longer head", []byte{0x1a, 0, 0, 0x03, 0xe8}, func() any { return new(int64) }, false},
		{"-1", []byte{0x20}, func() any { return new(int64) }, true},
		{"-25", []byte{0x38, 24}, func() any { return new(int64) }, true},
		{"-1, longer head", []byte{0x38, 0x00}, func() any { return new(int64) }, false},
		{"most negative", []byte{0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, func() any { return new(int64) }, true},
		{"largest", []byte{0x1b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, func() any { return new(int64) }, true},
		{"half a float for an integer", []byte{0xf9, 0x3c, 0x00}, func() any { return new(int64) }, false},
		{"true", []byte{0xf5}, func() any { return new(bool) }, true},
		{"false", []byte{0xf4}, func() any { return new(bool) }, true},
		{"null for a boolean", []byte{0xf6}, func() any { return new(bool) }, false},
	}
	for _, c := range cases {
		v := c.into()
		err := DecodeValue(c.b, v)
		if (err == nil) != c.ok {
			t.Errorf("%s: DecodeValue(% x) = %v, want accepted %v", c.name, c.b, err, c.ok)
		}
		if err != nil {
			continue
		}
		again, err := encMode.Marshal(reflect.ValueOf(v).Elem().Interface())
		if err != nil || !bytes.Equal(again, c.b) {
			t.Errorf("%s: accepted % x, which encodes again as % x", c.name, c.b, again)
		}
	}
}

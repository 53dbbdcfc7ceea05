// Package cborhead reads the head of a CBOR data item (RFC 8949, section
// 3): its major type and argument. It is the one piece of CBOR that the
// hand-written decoders on the hot path share, record's of field values
// and merge's of whole records; everything else they leave to the
// reflective decoder (github.com/fxamacker/cbor).
package cborhead

import "math"

// Read reads the head b begins with: the major type, the argument and the
// head's length in bytes. ok is false if b is empty or cut short within
// the head, or if the head has no argument (additional information 28 to
// 31: reserved values and indefinite lengths). A longer head than the
// argument needs is read as it is: whether to take it is the caller's
// rule (see Size).
func Read(b []byte) (major byte, arg uint64, size int, ok bool) {
	if len(b) == 0 {
		return 0, 0, 0, false
	}
	major = b[0] >> 5
	switch info := b[0] & 0x1f; {
	case info < 24:
		return major, uint64(info), 1, true
	case info <= 27:
		size = 1 + 1<<(info-24)
	default:
		return 0, 0, 0, false
	}
	if len(b) < size {
		return 0, 0, 0, false
	}
	for _, c := range b[1:size] {
		arg = arg<<8 | uint64(c)
	}
	return major, arg, size, true
}

// Size is the length of the shortest head whose argument is arg, the only
// head canonical CBOR allows.
func Size(arg uint64) int {
	switch {
	case arg < 24:
		return 1
	case arg <= math.MaxUint8:
		return 2
	case arg <= math.MaxUint16:
		return 3
	case arg <= math.MaxUint32:
		return 5
	}
	return 9
}

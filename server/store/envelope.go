package store

import (
	"encoding/binary"
	"fmt"

	"pawfile/shared/wire"
)

// The few envelope fields the store reads, in one place.
func envKey(e *wire.Envelope) [32]byte  { return [32]byte(e.Key) }
func envDevice(e *wire.Envelope) uint64 { return e.TS.Device }
func envOutbox(e *wire.Envelope) uint64 { return e.OutboxID }
func envClass(e *wire.Envelope) uint8   { return uint8(e.Class) }

func supersedes(e *wire.Envelope, seq uint64) bool {
	for _, s := range e.Supersedes {
		if s == seq {
			return true
		}
	}
	return false
}

// check validates a version pushed by device (or, with marker, an erasure
// marker); ok is false with the refusal to return for it.
func check(e *wire.Envelope, device uint64, marker bool) (res wire.Result, ok bool) {
	switch {
	case e.Key == [32]byte{}:
		return refuse(wire.CodeBadMessage, "version without a record key"), false
	case !e.Class.Valid():
		return refuse(wire.CodeBadMessage, "record %x has unknown class %d", e.Key[:6], e.Class), false
	case e.TS.Device != device:
		return refuse(wire.CodeForbidden, "record %x: version authored by device %016x pushed by device %016x", e.Key[:6], e.TS.Device, device), false
	case len(e.Sealed) > wire.MaxSealed:
		return refuse(wire.CodeTooLarge, "record %x: sealed version of %d bytes (at most %d)", e.Key[:6], len(e.Sealed), wire.MaxSealed), false
	case len(e.Supersedes) > wire.MaxSupersedes:
		return refuse(wire.CodeTooLarge, "record %x: version supersedes %d versions (at most %d)", e.Key[:6], len(e.Supersedes), wire.MaxSupersedes), false
	case marker && !e.Erased:
		return refuse(wire.CodeBadMessage, "record %x: an erasure marker must be marked erased", e.Key[:6]), false
	case !marker && e.Erased:
		return refuse(wire.CodeForbidden, "record %x: an erasure is not a push; it must go through Erase", e.Key[:6]), false
	case !marker && len(e.Sealed) == 0:
		return refuse(wire.CodeBadMessage, "record %x: version without a sealed payload", e.Key[:6]), false
	}
	return wire.Result{}, true
}

// encodeEntry returns the log entry of e, stored as seq after the record's
// version prev: its class byte (so reads can filter without decoding), prev
// and the encoded envelope.
func encodeEntry(e *wire.Envelope, seq, prev uint64) ([]byte, error) {
	p, err := prepare(e)
	if err != nil {
		return nil, err
	}
	return p.fill(seq, prev), nil
}

// prepared is a version's log entry built before its seq and prev are
// known, so the encoding happens when the version is enqueued rather than
// in the commit that every append of the store waits for. buf holds room
// for the header and the longest seq, then the envelope's encoding after
// its Seq field; fill writes the rest in place.
type prepared struct {
	buf   []byte
	class uint8
	head  byte // the CBOR array head the envelope's encoding starts with
}

// maxSeqSize is the longest CBOR encoding of a seq (a uint64); seqStart is
// where the longest one starts in a prepared buf.
const (
	maxSeqSize = 9
	seqStart   = entryHead + 1
)

// prepare encodes e with Seq 0. Envelope is a CBOR array whose first
// element is Seq, so its encoding is a one-byte array head, the Seq 0 as
// the single byte 0, then the rest, which fill needs untouched.
func prepare(e *wire.Envelope) (prepared, error) {
	c := *e
	c.Seq = 0
	enc, err := wire.MarshalEnvelope(&c)
	if err != nil {
		return prepared{}, fmt.Errorf("encode version of %x: %w", e.Key[:6], err)
	}
	if len(enc) < 2 || enc[0]>>5 != 4 || enc[0]&0x1f >= 24 || enc[1] != 0 {
		return prepared{}, fmt.Errorf("encode version of %x: encoding starts % x, not an array starting with seq 0", e.Key[:6], enc[:min(len(enc), 2)])
	}
	buf := make([]byte, seqStart+maxSeqSize+len(enc)-2)
	copy(buf[seqStart+maxSeqSize:], enc[2:])
	return prepared{buf: buf, class: envClass(e), head: enc[0]}, nil
}

// fill returns the log entry of the prepared version stored as seq after
// prev: the same bytes encodeEntry would have built from scratch. It is a
// suffix of p.buf, written in place; fill may be called again (when a
// transaction is retried) once the entry of the last call is no longer in
// use.
func (p prepared) fill(seq, prev uint64) []byte {
	var sb [maxSeqSize]byte
	s := appendUint(sb[:0], seq)
	start := maxSeqSize - len(s)
	b := p.buf[start:]
	b[0] = p.class
	binary.BigEndian.PutUint64(b[1:], prev)
	b[entryHead] = p.head
	copy(b[seqStart:], s)
	return b
}

// appendUint appends the CBOR encoding of n (major type 0, in the shortest
// form, as the encoder writes it).
func appendUint(b []byte, n uint64) []byte {
	switch {
	case n < 24:
		return append(b, byte(n))
	case n <= 0xff:
		return append(b, 0x18, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 0x19), uint16(n))
	case n <= 0xffff_ffff:
		return binary.BigEndian.AppendUint32(append(b, 0x1a), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0x1b), n)
}

// decodeEntry decodes the log entry of seq. The result shares no memory with
// v, which bbolt owns.
func decodeEntry(v []byte, seq uint64) (wire.Envelope, error) {
	if len(v) < entryHead {
		return wire.Envelope{}, fmt.Errorf("log entry %d of %d bytes (damaged database?)", seq, len(v))
	}
	e, err := wire.UnmarshalEnvelope(v[entryHead:])
	if err != nil {
		return wire.Envelope{}, fmt.Errorf("decode log entry %d: %w", seq, err)
	}
	return e, nil
}

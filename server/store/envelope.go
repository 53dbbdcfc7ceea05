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
	c := *e
	c.Seq = seq
	enc, err := wire.MarshalEnvelope(&c)
	if err != nil {
		return nil, fmt.Errorf("encode version %d: %w", seq, err)
	}
	entry := make([]byte, 0, entryHead+len(enc))
	entry = binary.BigEndian.AppendUint64(append(entry, envClass(e)), prev)
	return append(entry, enc...), nil
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

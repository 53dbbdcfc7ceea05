package store

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// TestPreparedEntry checks that a log entry prepared before its seq is
// known is, once filled, byte for byte what the log has always held: the
// class, prev, and the envelope encoded with its seq. Filling the same
// entry again, as a retried transaction does, must not leave anything of
// the last fill behind.
func TestPreparedEntry(t *testing.T) {
	version := wire.Envelope{
		Class: record.ClassCare, Key: wire.Key{1, 2, 3}, TS: clock.Timestamp{Wall: 1_800_000_000_000, Device: 7},
		KeyID: 2, Format: 1, OutboxID: 300, Supersedes: []uint64{5, 1 << 40}, Sealed: []byte("sealed bytes"),
	}
	marker := wire.Envelope{Class: record.ClassClient, Key: wire.Key{4}, TS: clock.Timestamp{Wall: 1, Device: 8}, OutboxID: 1, Erased: true}
	seqs := []uint64{1, 23, 24, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxUint64}
	// Long after short and short after long, in the same buffer.
	back := slices.Clone(seqs)
	slices.Reverse(back)
	seqs = append(seqs, back...)
	for _, e := range []wire.Envelope{version, marker} {
		p, err := prepare(&e)
		if err != nil {
			t.Fatal(err)
		}
		for i, seq := range seqs {
			prev := uint64(i) * 1000
			c := e
			c.Seq = seq
			enc, err := wire.MarshalEnvelope(&c)
			if err != nil {
				t.Fatal(err)
			}
			want := append(binary.BigEndian.AppendUint64([]byte{uint8(e.Class)}, prev), enc...)
			if got := p.fill(seq, prev); !bytes.Equal(got, want) {
				t.Fatalf("seq %d, prev %d:\n got % x\nwant % x", seq, prev, got, want)
			}
			got, err := decodeEntry(p.fill(seq, prev), seq)
			if err != nil || got.Seq != seq || got.OutboxID != e.OutboxID {
				t.Fatalf("seq %d: decoded %+v, %v", seq, got, err)
			}
		}
	}
}

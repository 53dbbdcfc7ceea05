package store

import (
	"testing"

	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// FuzzDecode feeds the decoders of the store's own bbolt values arbitrary
// bytes (a damaged file): they must return an error, never panic.
func FuzzDecode(f *testing.F) {
	e := wire.Envelope{Key: [32]byte{1}, Class: record.ClassCare, TS: clock.Timestamp{Wall: 1, Device: 2}, OutboxID: 3, Sealed: []byte("sealed")}
	entry, err := encodeEntry(&e, 7, 5)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(entry)
	f.Add(rec{last: 7, heads: make([]byte, headSize)}.encode())
	f.Add(blobMeta{total: 10, received: 5}.encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, v []byte) {
		_, _ = decodeEntry(v, 1)
		if r, err := parseRecord([32]byte{}, v); err == nil && len(r.heads)%headSize != 0 {
			t.Fatalf("record with %d bytes of heads accepted", len(r.heads))
		}
		_, _ = decodeBlobMeta(v)
	})
}

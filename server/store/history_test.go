package store_test

import (
	"context"
	"crypto/rand"
	"runtime"
	"testing"

	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// TestHistoryMemory stores a record edited hundreds of times with large
// versions (a groomer's long notes) and reads the first page of its
// history: the store must read one page, not the whole chain, so what a
// request allocates stays near wire.MaxBatchBytes however long the
// history grows.
func TestHistoryMemory(t *testing.T) {
	d, s := openBolt(t, t.TempDir())
	defer d.Close()
	ctx := context.Background()
	const ws, versions, size = "0123456789abcdef0123456789abcdef", 320, 60 << 10
	k := [32]byte{9}
	var batch []wire.Envelope
	for i := range versions {
		sealed := make([]byte, size)
		rand.Read(sealed)
		batch = append(batch, wire.Envelope{Key: k, Class: record.ClassProject, OutboxID: uint64(i + 1),
			TS: clock.Timestamp{Wall: 1_800_000_000_000 + int64(i), Device: 1}, Sealed: sealed})
		if len(batch) == 32 {
			if _, err := s.Append(ctx, ws, 1, batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	vs, more, err := s.History(ctx, ws, k, 0)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for _, v := range vs {
		read += len(v.Sealed)
	}
	if !more || read > wire.MaxBatchBytes || len(vs) == 0 || vs[len(vs)-1].OutboxID != versions {
		t.Errorf("first page: %d versions (%d bytes), more %v, want the latest that fit in %d bytes and more", len(vs), read, more, wire.MaxBatchBytes)
	}
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(2*wire.MaxBatchBytes); got > limit {
		t.Errorf("one page of a %d MB history allocated %d MB, want at most %d MB", versions*size>>20, got>>20, limit>>20)
	}
}

package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"pawfile/server/store"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// Full is a store as the server runs it: versions, blobs and pruning on
// one storage.
type Full interface {
	store.Store
	store.Blobs
	store.Pruner
}

// RunLimits runs the contract tests of the quota and of pruning; open
// returns an empty store whose per-workspace quota is quota bytes (tests
// of other limits ask for a large one).
func RunLimits(t *testing.T, open func(t *testing.T, quota uint64) Full) {
	const quota = 400_000
	tests := []struct {
		name  string
		run   func(t *testing.T, s Full, quota uint64)
		quota uint64
	}{
		{"QuotaVersions", testQuotaVersions, quota},
		{"QuotaBlobs", testQuotaBlobs, quota},
		{"ExpireUploads", testExpireUploads, quota},
		{"PruneOutbox", testPruneOutbox, 1 << 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t, tt.quota), tt.quota) })
	}
}

func usage(t *testing.T, s Full, ws string) uint64 {
	t.Helper()
	n, err := s.Usage(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// testQuotaVersions: versions are stored until the workspace's quota,
// then refused with CodeFull and not stored; a retry of a stored one
// still gets its seq; an erasure goes through and makes room; another
// workspace is not affected.
func testQuotaVersions(t *testing.T, s Full, quota uint64) {
	ctx := context.Background()
	big := func(n int, ob uint64) wire.Envelope {
		v := version(key(n), record.ClassCare, 1, ob)
		v.Sealed = make([]byte, quota/8)
		return v
	}
	var stored []wire.Envelope
	var refused *wire.Envelope
	for i := range 20 {
		v := big(i, uint64(i+1))
		res, err := s.Append(ctx, wsA, 1, []wire.Envelope{v})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Code == wire.CodeFull {
			refused = &v
			if res[0].Seq != 0 || res[0].Message == "" || res[0].OutboxID != v.OutboxID {
				t.Fatalf("refusal for the quota: %+v", res[0])
			}
			break
		}
		if res[0].Code != 0 {
			t.Fatalf("version %d: %+v", i, res[0])
		}
		v.Seq = res[0].Seq
		stored = append(stored, v)
	}
	if refused == nil || len(stored) < 6 {
		t.Fatalf("%d versions of %d bytes stored under a quota of %d, refused: %v", len(stored), quota/8, quota, refused != nil)
	}
	if u := usage(t, s, wsA); u > quota || u < uint64(len(stored))*quota/8 {
		t.Fatalf("usage %d after %d versions of %d bytes, quota %d", u, len(stored), quota/8, quota)
	}
	if vs := since(t, s, wsA, 0, 1000, all, false); len(vs) != len(stored) {
		t.Fatalf("%d versions stored, want %d: a refused one was kept", len(vs), len(stored))
	}
	if res, err := s.Append(ctx, wsA, 1, []wire.Envelope{stored[0]}); err != nil || res[0].Code != 0 || res[0].Seq != stored[0].Seq {
		t.Fatalf("retry of a stored version in a full workspace: %+v, %v", res, err)
	}
	appendOK(t, s, wsB, 1, big(1, 1))

	// Erasing two records makes room for the refused version.
	before := usage(t, s, wsA)
	for i, v := range stored[:2] {
		m := version(v.Key, v.Class, 1, uint64(100+i), v.Seq)
		m.Erased, m.Sealed = true, nil
		if res, err := s.Erase(ctx, wsA, 1, m); err != nil || res.Code != 0 {
			t.Fatalf("erase in a full workspace: %+v, %v", res, err)
		}
	}
	if after := usage(t, s, wsA); after+2*quota/8 > before+1024 {
		t.Fatalf("usage %d after erasing two versions of %d bytes, was %d", after, quota/8, before)
	}
	if res, err := s.Append(ctx, wsA, 1, []wire.Envelope{*refused}); err != nil || res[0].Code != 0 || res[0].Seq == 0 {
		t.Fatalf("the refused version once there is room: %+v, %v", res, err)
	}
}

// testQuotaBlobs: a blob that would not fit is refused at its first
// chunk (ErrFull), nothing of it is kept; dropping blobs makes room.
func testQuotaBlobs(t *testing.T, s Full, quota uint64) {
	ctx := context.Background()
	blob := func(n int, size uint64) ([]byte, [32]byte) {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(n + i)
		}
		return b, sha256.Sum256(b)
	}
	a, ha := blob(1, quota*3/5)
	if got, err := s.PutChunk(ctx, wsA, ha, 0, uint64(len(a)), a); err != nil || got != uint64(len(a)) {
		t.Fatalf("a blob within the quota: %d, %v", got, err)
	}
	b, hb := blob(2, quota*3/5)
	before := usage(t, s, wsA)
	if _, err := s.PutChunk(ctx, wsA, hb, 0, uint64(len(b)), b[:len(b)/4]); !errors.Is(err, store.ErrFull) {
		t.Fatalf("first chunk of a blob past the quota: %v, want ErrFull", err)
	}
	if after := usage(t, s, wsA); after != before {
		t.Fatalf("a refused chunk changed the usage from %d to %d", before, after)
	}
	if _, _, err := s.GetChunk(ctx, wsA, hb, 0, 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused blob: %v, want ErrNotFound", err)
	}
	if err := s.DropBlobs(ctx, wsA, [][32]byte{ha}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PutChunk(ctx, wsA, hb, 0, uint64(len(b)), b); err != nil || got != uint64(len(b)) {
		t.Fatalf("the blob once there is room: %d, %v", got, err)
	}
	if u := usage(t, s, wsA); u < uint64(len(b)) || u > quota {
		t.Fatalf("usage %d holding one blob of %d, quota %d", u, len(b), quota)
	}
}

// testExpireUploads: Prune removes an upload left unfinished for
// UploadTTL, and frees its bytes; it keeps finished blobs and recent
// uploads; the device can then upload it again from the start.
func testExpireUploads(t *testing.T, s Full, quota uint64) {
	ctx := context.Background()
	data := make([]byte, quota/4)
	for i := range data {
		data[i] = byte(i / 3)
	}
	h := sha256.Sum256(data)
	done := sha256.Sum256([]byte("a finished photo"))
	if _, err := s.PutChunk(ctx, wsA, done, 0, 16, []byte("a finished photo")); err != nil {
		t.Fatal(err)
	}
	empty := usage(t, s, wsA)
	if got, err := s.PutChunk(ctx, wsA, h, 0, uint64(len(data)), data[:len(data)/2]); err != nil || got != uint64(len(data)/2) {
		t.Fatalf("half an upload: %d, %v", got, err)
	}
	if p, err := s.Prune(ctx, time.Now()); err != nil || p.Uploads != 0 {
		t.Fatalf("Prune of a fresh upload: %+v, %v", p, err)
	}
	if u := usage(t, s, wsA); u != empty+uint64(len(data)/2) {
		t.Fatalf("usage %d with half an upload of %d, %d without", u, len(data), empty)
	}
	p, err := s.Prune(ctx, time.Now().Add(store.UploadTTL+time.Hour))
	if err != nil || p.Uploads != 1 {
		t.Fatalf("Prune of an upload abandoned for longer than UploadTTL: %+v, %v", p, err)
	}
	if u := usage(t, s, wsA); u != empty {
		t.Fatalf("usage %d after the upload expired, want %d", u, empty)
	}
	if got, _, err := s.GetChunk(ctx, wsA, done, 0, 0); err != nil || string(got) != "a finished photo" {
		t.Fatalf("a finished blob after Prune: %q, %v", got, err)
	}
	// The device resumes where the server stands: at the start.
	if got, err := s.PutChunk(ctx, wsA, h, uint64(len(data)/2), uint64(len(data)), data[len(data)/2:]); err != nil || got != 0 {
		t.Fatalf("resuming an expired upload: received %d, %v; want 0", got, err)
	}
	if got, err := s.PutChunk(ctx, wsA, h, 0, uint64(len(data)), data); err != nil || got != uint64(len(data)) {
		t.Fatalf("uploading it again: %d, %v", got, err)
	}
}

// testPruneOutbox: Prune keeps a device's latest KeepOutbox outbox ids,
// so a retry of a recent push is still recognized, and drops older ones
// and those of erased versions.
func testPruneOutbox(t *testing.T, s Full, _ uint64) {
	ctx := context.Background()
	const extra = 30
	var last []uint64
	for ob := 1; ob <= store.KeepOutbox+extra; ob += wire.MaxBatch {
		var batch []wire.Envelope
		for i := ob; i < ob+wire.MaxBatch && i <= store.KeepOutbox+extra; i++ {
			batch = append(batch, version(key(i%50), record.ClassProject, 3, uint64(i)))
		}
		last = appendOK(t, s, wsA, 3, batch...)
	}
	// An erased record: its outbox ids serve no retry.
	gone := version(key(999), record.ClassCare, 4, 1)
	seq := appendOK(t, s, wsA, 4, gone)[0]
	m := version(key(999), record.ClassCare, 4, 2, seq)
	m.Erased, m.Sealed = true, nil
	if res, err := s.Erase(ctx, wsA, 4, m); err != nil || res.Code != 0 {
		t.Fatalf("erase: %+v, %v", res, err)
	}
	p, err := s.Prune(ctx, time.Now())
	if err != nil || p.Outbox != extra+1 {
		t.Fatalf("Prune: %+v, %v; want %d outbox ids", p, err, extra+1)
	}
	if p, err := s.Prune(ctx, time.Now()); err != nil || p.Outbox != 0 {
		t.Fatalf("Prune again: %+v, %v; want nothing", p, err)
	}
	// A retry of the latest push gets its seqs, not new versions.
	recent := version(key((store.KeepOutbox+extra)%50), record.ClassProject, 3, store.KeepOutbox+extra)
	res, err := s.Append(ctx, wsA, 3, []wire.Envelope{recent})
	if err != nil || res[0].Seq != last[len(last)-1] {
		t.Fatalf("retry of the latest version after Prune: %+v, %v; want seq %d", res, err, last[len(last)-1])
	}
	res, err = s.Append(ctx, wsA, 4, []wire.Envelope{gone})
	if err != nil || res[0].Code != wire.CodeErased {
		t.Fatalf("retry of an erased version after Prune: %+v, %v; want erased", res, err)
	}
}

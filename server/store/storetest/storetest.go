// Package storetest is the contract test suite of store.Store and
// store.Blobs: any implementation (bbolt here, a hosted one later) must pass
// Run and RunBlobs.
package storetest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"pawfile/server/store"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// Run runs the Store contract tests; open returns an empty store for one
// subtest (and arranges its cleanup with t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"SeqsIncrease", testSeqsIncrease},
		{"Idempotent", testIdempotent},
		{"Refusals", testRefusals},
		{"Heads", testHeads},
		{"SincePages", testSincePages},
		{"HeadsBootstrap", testHeadsBootstrap},
		{"Erase", testErase},
		{"ClassBound", testClassBound},
		{"Isolation", testIsolation},
		{"DeleteWorkspace", testDeleteWorkspace},
		{"Concurrent", testConcurrent},
		{"EnqueueOrder", testEnqueueOrder},
		{"HistoryPages", testHistoryPages},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
}

const (
	wsA = "0123456789abcdef0123456789abcdef"
	wsB = "fedcba9876543210fedcba9876543210"
)

var all = record.Classes

// key returns the record key numbered n.
func key(n int) [32]byte {
	return sha256.Sum256(fmt.Appendf(nil, "record %d", n))
}

// version returns a version of record k authored by device with outbox id
// ob, superseding sup.
func version(k [32]byte, class record.Class, device, ob uint64, sup ...uint64) wire.Envelope {
	return wire.Envelope{
		Key:        k,
		Class:      class,
		TS:         clock.Timestamp{Wall: 1_800_000_000_000 + int64(ob), Device: device},
		OutboxID:   ob,
		Supersedes: sup,
		Sealed:     fmt.Appendf(nil, "sealed %x by %d #%d", k[:4], device, ob),
	}
}

func appendOK(t *testing.T, s store.Store, ws string, device uint64, batch ...wire.Envelope) []uint64 {
	t.Helper()
	res, err := s.Append(context.Background(), ws, device, batch)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if len(res) != len(batch) {
		t.Fatalf("Append: %d results for %d versions", len(res), len(batch))
	}
	seqs := make([]uint64, len(res))
	for i, r := range res {
		if r.Code != 0 || r.Seq == 0 {
			t.Fatalf("Append version %d: refused: %+v", i, r)
		}
		seqs[i] = r.Seq
	}
	return seqs
}

func head(t *testing.T, s store.Store, ws string) uint64 {
	t.Helper()
	h, err := s.Head(context.Background(), ws)
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	return h
}

// since reads every page after cursor with the given page size.
func since(t *testing.T, s store.Store, ws string, after uint64, limit int, classes []record.Class, heads bool) []wire.Envelope {
	t.Helper()
	var out []wire.Envelope
	for range 10_000 {
		read := s.Since
		if heads {
			read = s.Heads
		}
		vs, next, more, err := read(context.Background(), ws, after, limit, classes)
		if err != nil {
			t.Fatalf("read after %d: %v", after, err)
		}
		if max := cmp.Or(limit, store.MaxPage); len(vs) > max {
			t.Fatalf("read after %d: %d versions, limit %d", after, len(vs), limit)
		}
		for _, v := range vs {
			if v.Seq <= after || v.Seq > next {
				t.Fatalf("read after %d (next %d): version with seq %d", after, next, v.Seq)
			}
			if !slices.Contains(classes, v.Class) {
				t.Fatalf("read of classes %v returned class %v", classes, v.Class)
			}
		}
		if next < after {
			t.Fatalf("read after %d: cursor went back to %d", after, next)
		}
		out = append(out, vs...)
		if !more {
			return out
		}
		if next == after {
			t.Fatalf("read after %d: more, but the cursor did not move", after)
		}
		after = next
	}
	t.Fatal("read did not end")
	return nil
}

func seqsOf(vs []wire.Envelope) []uint64 {
	out := make([]uint64, len(vs))
	for i, v := range vs {
		out[i] = v.Seq
	}
	return out
}

func testSeqsIncrease(t *testing.T, s store.Store) {
	if h := head(t, s, wsA); h != 0 {
		t.Fatalf("Head of an empty workspace = %d, want 0", h)
	}
	var last uint64
	for i := range 3 {
		seqs := appendOK(t, s, wsA, 7,
			version(key(3*i), record.ClassClient, 7, uint64(3*i+1)),
			version(key(3*i+1), record.ClassCare, 7, uint64(3*i+2)),
			version(key(3*i+2), record.ClassProject, 7, uint64(3*i+3)))
		for _, seq := range seqs {
			if seq <= last {
				t.Fatalf("seq %d after %d", seq, last)
			}
			last = seq
		}
	}
	if h := head(t, s, wsA); h != last {
		t.Fatalf("Head = %d, want the last seq %d", h, last)
	}
	vs := since(t, s, wsA, 0, 100, all, false)
	if len(vs) != 9 || !slices.IsSorted(seqsOf(vs)) {
		t.Fatalf("Since(0) = seqs %v, want 9 in order", seqsOf(vs))
	}
	want := version(key(4), record.ClassCare, 7, 5)
	got := vs[4]
	if got.Key != want.Key || got.Class != want.Class || got.TS != want.TS || got.OutboxID != want.OutboxID || !bytes.Equal(got.Sealed, want.Sealed) {
		t.Fatalf("stored version differs:\n got %+v\nwant %+v", got, want)
	}
}

func testIdempotent(t *testing.T, s store.Store) {
	v1 := version(key(1), record.ClassClient, 7, 1)
	v2 := version(key(2), record.ClassClient, 7, 2)
	first := appendOK(t, s, wsA, 7, v1, v2)
	h := head(t, s, wsA)
	// A retry after a lost ack, with a new version in the same batch and the
	// same version twice.
	v3 := version(key(3), record.ClassClient, 7, 3)
	again := appendOK(t, s, wsA, 7, v2, v3, v1, v3)
	if again[0] != first[1] || again[2] != first[0] {
		t.Fatalf("retried versions got seqs %v, first time %v", again, first)
	}
	if again[1] <= h || again[3] != again[1] {
		t.Fatalf("new version in a retried batch: seqs %v (head was %d)", again, h)
	}
	if n := len(since(t, s, wsA, 0, 100, all, false)); n != 3 {
		t.Fatalf("%d versions stored, want 3", n)
	}
	// Another device's outbox ids are its own.
	other := appendOK(t, s, wsA, 8, version(key(1), record.ClassClient, 8, 1))
	if other[0] == first[0] {
		t.Fatalf("device 8's outbox id 1 got device 7's seq %d", first[0])
	}
}

func testRefusals(t *testing.T, s store.Store) {
	ctx := context.Background()
	good := version(key(1), record.ClassClient, 7, 1)
	noKey := good
	noKey.Key = [32]byte{}
	badClass := good
	badClass.Class = 9
	otherAuthor := good
	otherAuthor.TS.Device = 8
	empty := good
	empty.Sealed = nil
	huge := good
	huge.Sealed = make([]byte, 1<<20)
	marker := good
	marker.Erased = true
	for _, tt := range []struct {
		name string
		v    wire.Envelope
		code wire.Code
	}{
		{"no key", noKey, 0},
		{"bad class", badClass, 0},
		{"other author", otherAuthor, wire.CodeForbidden},
		{"empty", empty, 0},
		{"huge", huge, 0},
		{"erasure marker", marker, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Append(ctx, wsA, 7, []wire.Envelope{tt.v})
			if err != nil {
				t.Fatalf("Append: %v (a refusal is a Result, not an error)", err)
			}
			if len(res) != 1 || res[0].Code == 0 || res[0].Seq != 0 || res[0].Message == "" {
				t.Fatalf("Append = %+v, want a refusal with a message", res)
			}
			if tt.code != 0 && res[0].Code != tt.code {
				t.Fatalf("code %v, want %v", res[0].Code, tt.code)
			}
		})
	}
	if vs := since(t, s, wsA, 0, 100, all, false); len(vs) != 0 {
		t.Fatalf("refused versions were stored: %v", seqsOf(vs))
	}
	// A refused version does not spoil the rest of its batch.
	res, err := s.Append(ctx, wsA, 7, []wire.Envelope{otherAuthor, good})
	if err != nil || res[0].Code == 0 || res[1].Code != 0 || res[1].Seq == 0 {
		t.Fatalf("mixed batch: %+v, %v", res, err)
	}
	if _, err := s.Append(ctx, wsA, 7, make([]wire.Envelope, wire.MaxBatch+1)); err == nil {
		t.Fatal("batch over wire.MaxBatch accepted")
	}
	if _, err := s.Enqueue(ctx, wsA, 7, make([]wire.Envelope, wire.MaxBatch+1))(); err == nil {
		t.Fatal("batch over wire.MaxBatch enqueued")
	}
}

func testHeads(t *testing.T, s store.Store) {
	k := key(1)
	heads := func() []uint64 {
		t.Helper()
		var out []uint64
		for _, v := range since(t, s, wsA, 0, 100, all, true) {
			if v.Key == k {
				out = append(out, v.Seq)
			}
		}
		return out
	}
	a := appendOK(t, s, wsA, 1, version(k, record.ClassCare, 1, 10))[0]
	b := appendOK(t, s, wsA, 2, version(k, record.ClassCare, 2, 20))[0]
	if h := heads(); !slices.Equal(h, []uint64{a, b}) {
		t.Fatalf("two concurrent versions: heads %v, want %v", h, []uint64{a, b})
	}
	c := appendOK(t, s, wsA, 1, version(k, record.ClassCare, 1, 11, a, b))[0]
	if h := heads(); !slices.Equal(h, []uint64{c}) {
		t.Fatalf("a version superseding both: heads %v, want [%d]", h, c)
	}
	// Device 2 edits from its older state; then device 1 edits again
	// without listing c: its later outbox id supersedes its own c.
	d := appendOK(t, s, wsA, 2, version(k, record.ClassCare, 2, 21, b))[0]
	if h := heads(); !slices.Equal(h, []uint64{c, d}) {
		t.Fatalf("concurrent edit: heads %v, want %v", h, []uint64{c, d})
	}
	e := appendOK(t, s, wsA, 1, version(k, record.ClassCare, 1, 12))[0]
	if h := heads(); !slices.Equal(h, []uint64{d, e}) {
		t.Fatalf("same device's later version: heads %v, want %v", h, []uint64{d, e})
	}
	// A device's earlier version arriving late is history, not a head.
	late := appendOK(t, s, wsA, 2, version(k, record.ClassCare, 2, 15))[0]
	if h := heads(); !slices.Equal(h, []uint64{d, e}) {
		t.Fatalf("late earlier version %d: heads %v, want %v", late, h, []uint64{d, e})
	}
	hist, _, err := s.History(context.Background(), wsA, k, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := seqsOf(hist), []uint64{a, b, c, d, e, late}; !slices.Equal(got, want) {
		t.Fatalf("History = %v, want %v", got, want)
	}
	if hist, _, _ := s.History(context.Background(), wsA, key(2), 0); len(hist) != 0 {
		t.Fatalf("History of an unknown record: %v", seqsOf(hist))
	}
}

// testHistoryPages: a record's history comes in pages of at most
// wire.MaxBatch versions and wire.MaxBatchBytes of sealed bytes, the
// latest first, each oldest first; Before continues below a page, and the
// pages together are the whole history once.
func testHistoryPages(t *testing.T, s store.Store) {
	ctx := context.Background()
	k, other := key(1), key(2)
	var all []uint64
	for i := 0; i < 2*wire.MaxBatch+10; i += 100 {
		var batch []wire.Envelope
		for j := range 100 {
			batch = append(batch, version(k, record.ClassCare, 1, uint64(i+j+1)))
		}
		all = append(all, appendOK(t, s, wsA, 1, batch...)...)
		appendOK(t, s, wsA, 1, version(other, record.ClassCare, 1, uint64(1_000_000+i)))
	}
	var got []uint64
	before, pages := uint64(0), 0
	for more := true; more; pages++ {
		if pages > 10 {
			t.Fatal("History pages do not end")
		}
		var vs []wire.Envelope
		var err error
		vs, more, err = s.History(ctx, wsA, k, before)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) == 0 || len(vs) > wire.MaxBatch {
			t.Fatalf("page %d: %d versions (want 1 to %d)", pages, len(vs), wire.MaxBatch)
		}
		got = append(seqsOf(vs), got...)
		before = vs[0].Seq
	}
	if !slices.Equal(got, all) || pages != 3 {
		t.Fatalf("History in %d pages: %d versions %v..., want %d in 3 pages", pages, len(got), got[:min(3, len(got))], len(all))
	}
	if vs, more, err := s.History(ctx, wsA, k, all[0]); err != nil || len(vs) != 0 || more {
		t.Fatalf("History below the first version: %d versions, more %v, %v", len(vs), more, err)
	}

	// Large versions: a page holds at most MaxBatchBytes of them.
	big := key(3)
	const size = 60 << 10
	n := wire.MaxBatchBytes/size + 5
	for i := range n {
		v := version(big, record.ClassCare, 2, uint64(i+1))
		v.Sealed = bytes.Repeat([]byte{byte(i)}, size)
		appendOK(t, s, wsA, 2, v)
	}
	vs, more, err := s.History(ctx, wsA, big, 0)
	sealed := 0
	for _, v := range vs {
		sealed += len(v.Sealed)
	}
	if err != nil || !more || sealed > wire.MaxBatchBytes || len(vs) < n-10 || vs[len(vs)-1].OutboxID != uint64(n) {
		t.Fatalf("History of large versions: %d versions of %d, %d bytes, more %v, %v", len(vs), n, sealed, more, err)
	}
}

func testSincePages(t *testing.T, s store.Store) {
	classes := []record.Class{record.ClassClient, record.ClassCare, record.ClassProject}
	var batch []wire.Envelope
	byClass := map[record.Class][]uint64{}
	for i := range 20 {
		batch = append(batch, version(key(i), classes[i%3], 7, uint64(i+1)))
	}
	seqs := appendOK(t, s, wsA, 7, batch...)
	for i, seq := range seqs {
		byClass[classes[i%3]] = append(byClass[classes[i%3]], seq)
	}
	for _, limit := range []int{1, 3, 7, 20, 1000} {
		if got := seqsOf(since(t, s, wsA, 0, limit, all, false)); !slices.Equal(got, seqs) {
			t.Fatalf("limit %d: seqs %v, want %v", limit, got, seqs)
		}
		for _, c := range classes {
			if got := seqsOf(since(t, s, wsA, 0, limit, []record.Class{c}, false)); !slices.Equal(got, byClass[c]) {
				t.Fatalf("limit %d class %v: seqs %v, want %v", limit, c, got, byClass[c])
			}
		}
	}
	// Continue from the middle; a limit of 0 or too large still pages.
	if got := seqsOf(since(t, s, wsA, seqs[9], 0, all, false)); !slices.Equal(got, seqs[10:]) {
		t.Fatalf("after %d: %v, want %v", seqs[9], got, seqs[10:])
	}
	ctx := context.Background()
	vs, next, more, err := s.Since(ctx, wsA, 0, 4, []record.Class{record.ClassCare})
	if err != nil || len(vs) != 4 || !more || next != vs[3].Seq {
		t.Fatalf("first page of care: %d versions, next %d, more %v, %v", len(vs), next, more, err)
	}
	// The cursor moves past versions filtered out, to the end.
	vs, next, more, err = s.Since(ctx, wsA, seqs[18], 10, []record.Class{record.ClassClient})
	if err != nil || len(vs) != 0 || more || next != seqs[19] {
		t.Fatalf("after %d, clients only: %v, next %d (want %d), more %v, %v", seqs[18], seqsOf(vs), next, seqs[19], more, err)
	}
	vs, next, more, err = s.Since(ctx, wsA, seqs[19], 10, all)
	if err != nil || len(vs) != 0 || more || next != seqs[19] {
		t.Fatalf("at the end: %v, next %d, more %v, %v", seqsOf(vs), next, more, err)
	}
	vs, _, more, err = s.Since(ctx, wsA, 0, 10, nil)
	if err != nil || len(vs) != 0 {
		t.Fatalf("no classes: %v, more %v, %v", seqsOf(vs), more, err)
	}
}

func testHeadsBootstrap(t *testing.T, s store.Store) {
	classes := []record.Class{record.ClassClient, record.ClassCare, record.ClassProject}
	var want []uint64
	wantClass := map[record.Class][]uint64{}
	ob := uint64(0)
	for i := range 12 {
		c := classes[i%3]
		ob++
		first := appendOK(t, s, wsA, 7, version(key(i), c, 7, ob))[0]
		if i%4 == 0 {
			continue // one version only
		}
		ob++
		second := appendOK(t, s, wsA, 8, version(key(i), c, 8, ob, first))[0]
		if i%4 == 1 {
			// A concurrent version: two heads.
			ob++
			third := appendOK(t, s, wsA, 9, version(key(i), c, 9, ob, first))[0]
			want = append(want, second, third)
			wantClass[c] = append(wantClass[c], second, third)
			continue
		}
		want = append(want, second)
		wantClass[c] = append(wantClass[c], second)
	}
	for i := range 12 {
		if i%4 == 0 {
			hist, _, err := s.History(context.Background(), wsA, key(i), 0)
			if err != nil || len(hist) != 1 {
				t.Fatalf("History(%d): %d, %v", i, len(hist), err)
			}
			want = append(want, hist[0].Seq)
			wantClass[hist[0].Class] = append(wantClass[hist[0].Class], hist[0].Seq)
		}
	}
	slices.Sort(want)
	for _, limit := range []int{1, 2, 5, 100} {
		if got := seqsOf(since(t, s, wsA, 0, limit, all, true)); !slices.Equal(got, want) {
			t.Fatalf("Heads limit %d: %v, want %v", limit, got, want)
		}
		for _, c := range classes {
			slices.Sort(wantClass[c])
			if got := seqsOf(since(t, s, wsA, 0, limit, []record.Class{c}, true)); !slices.Equal(got, wantClass[c]) {
				t.Fatalf("Heads limit %d class %v: %v, want %v", limit, c, got, wantClass[c])
			}
		}
	}
}

func testErase(t *testing.T, s store.Store) {
	ctx := context.Background()
	k, other := key(1), key(2)
	seqs := appendOK(t, s, wsA, 7,
		version(k, record.ClassClient, 7, 1),
		version(other, record.ClassClient, 7, 2),
		version(k, record.ClassClient, 7, 3))
	seqs = append(seqs, appendOK(t, s, wsA, 8, version(k, record.ClassClient, 8, 1, seqs[0]))...)
	marker := version(k, record.ClassClient, 9, 1)
	marker.Erased, marker.Sealed = true, nil
	res, err := s.Erase(ctx, wsA, 9, marker)
	if err != nil || res.Code != 0 || res.Seq <= seqs[3] {
		t.Fatalf("Erase = %+v, %v", res, err)
	}
	hist, _, err := s.History(ctx, wsA, k, 0)
	if err != nil || len(hist) != 1 || !hist[0].Erased || hist[0].Seq != res.Seq {
		t.Fatalf("History after erase: %+v, %v; want only the marker", hist, err)
	}
	var inLog []uint64
	for _, v := range since(t, s, wsA, 0, 100, all, false) {
		if v.Key == k {
			inLog = append(inLog, v.Seq)
		}
	}
	if !slices.Equal(inLog, []uint64{res.Seq}) {
		t.Fatalf("log after erase holds %v of the record, want only the marker %d", inLog, res.Seq)
	}
	var heads []uint64
	for _, v := range since(t, s, wsA, 0, 100, all, true) {
		if v.Key == k {
			heads = append(heads, v.Seq)
		}
	}
	if !slices.Equal(heads, []uint64{res.Seq}) {
		t.Fatalf("heads after erase: %v, want the marker %d", heads, res.Seq)
	}
	if hist, _, _ := s.History(ctx, wsA, other, 0); len(hist) != 1 {
		t.Fatalf("erase touched another record: %v", seqsOf(hist))
	}
	// A stale device pushes an older and a newer version, and retries a
	// version acknowledged before the erasure: all refused, none stored.
	h := head(t, s, wsA)
	stale := []wire.Envelope{
		version(k, record.ClassClient, 8, 2, seqs[3]),
		version(k, record.ClassClient, 8, 3, seqs[3], res.Seq),
		version(k, record.ClassClient, 8, 1, seqs[0]),
		version(other, record.ClassClient, 8, 4),
	}
	out, err := s.Append(ctx, wsA, 8, stale)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if out[i].Code != wire.CodeErased || out[i].Seq != 0 || out[i].Message == "" {
			t.Fatalf("version %d of an erased record: %+v, want CodeErased", i, out[i])
		}
	}
	if out[3].Code != 0 || out[3].Seq <= h {
		t.Fatalf("version of another record beside them: %+v", out[3])
	}
	if hist, _, _ := s.History(ctx, wsA, k, 0); len(hist) != 1 {
		t.Fatalf("refused versions stored: history %v", seqsOf(hist))
	}
	// Erasing again is done already.
	again, err := s.Erase(ctx, wsA, 9, marker)
	if err != nil || again.Code != 0 || again.Seq != res.Seq {
		t.Fatalf("second Erase = %+v, %v; want the first marker's seq %d", again, err, res.Seq)
	}
	// A marker that is not one, or from another author, is refused.
	notMarker := version(key(3), record.ClassClient, 9, 2)
	if r, err := s.Erase(ctx, wsA, 9, notMarker); err != nil || r.Code == 0 {
		t.Fatalf("Erase of a non-marker: %+v, %v", r, err)
	}
	if r, err := s.Erase(ctx, wsA, 8, marker); err != nil || r.Code != wire.CodeForbidden {
		t.Fatalf("Erase by another device than the marker's author: %+v, %v", r, err)
	}
	// An erased key in one workspace is nothing to another.
	appendOK(t, s, wsB, 8, version(k, record.ClassClient, 8, 2))
}

// testClassBound: a record key belongs to the class of its first version.
// A member who may write one class and can compute the record key of
// another's record (it holds the MAC key) must not be able to supersede
// or erase that record by declaring its own class.
func testClassBound(t *testing.T, s store.Store) {
	ctx := context.Background()
	k := key(1)
	first := appendOK(t, s, wsA, 7, version(k, record.ClassClient, 7, 1))
	junk := version(k, record.ClassCare, 8, 1, first[0])
	res, err := s.Append(ctx, wsA, 8, []wire.Envelope{junk})
	if err != nil || len(res) != 1 || res[0].Code != wire.CodeForbidden || res[0].Seq != 0 || res[0].Message == "" {
		t.Fatalf("a care version of a client record: %+v, %v; want CodeForbidden", res, err)
	}
	marker := version(k, record.ClassCare, 8, 2)
	marker.Erased, marker.Sealed = true, nil
	if r, err := s.Erase(ctx, wsA, 8, marker); err != nil || r.Code != wire.CodeForbidden || r.Seq != 0 {
		t.Fatalf("a care erasure of a client record: %+v, %v; want CodeForbidden", r, err)
	}
	hist, _, err := s.History(ctx, wsA, k, 0)
	if err != nil || len(hist) != 1 || hist[0].Seq != first[0] || hist[0].Erased {
		t.Fatalf("history after refused versions of another class: %v, %v", seqsOf(hist), err)
	}
	heads := since(t, s, wsA, 0, 100, all, true)
	if len(heads) != 1 || heads[0].Seq != first[0] {
		t.Fatalf("heads after refused versions of another class: %v", seqsOf(heads))
	}
	// The record's own class still goes through, and so does its
	// erasure; after that, a marker of another class is refused too.
	next := appendOK(t, s, wsA, 9, version(k, record.ClassClient, 9, 1, first[0]))
	own := version(k, record.ClassClient, 9, 2)
	own.Erased, own.Sealed = true, nil
	if r, err := s.Erase(ctx, wsA, 9, own); err != nil || r.Code != 0 || r.Seq <= next[0] {
		t.Fatalf("erasure of the record's own class: %+v, %v", r, err)
	}
	if r, err := s.Erase(ctx, wsA, 8, marker); err != nil || r.Code != wire.CodeForbidden {
		t.Fatalf("a care erasure of an erased client record: %+v, %v; want CodeForbidden", r, err)
	}
	// The same key in another workspace is bound on its own.
	appendOK(t, s, wsB, 8, version(k, record.ClassCare, 8, 3))
}

func testIsolation(t *testing.T, s store.Store) {
	ctx := context.Background()
	k := key(1)
	a := appendOK(t, s, wsA, 7, version(k, record.ClassClient, 7, 1), version(key(2), record.ClassCare, 7, 2))
	if err := blank(s, wsB, k); err != nil {
		t.Fatalf("workspace B after A's append: %v", err)
	}
	// The same device and outbox id in B is a new version, not a retry.
	b := appendOK(t, s, wsB, 7, version(k, record.ClassClient, 7, 1))
	if hist, _, _ := s.History(ctx, wsB, k, 0); len(hist) != 1 || hist[0].Seq != b[0] {
		t.Fatalf("B's history: %v", seqsOf(hist))
	}
	if hist, _, _ := s.History(ctx, wsA, k, 0); len(hist) != 1 || hist[0].Seq != a[0] {
		t.Fatalf("A's history after B's push: %v", seqsOf(hist))
	}
	if got := seqsOf(since(t, s, wsA, 0, 10, all, false)); !slices.Equal(got, a) {
		t.Fatalf("A's log after B's push: %v, want %v", got, a)
	}
	if err := s.DeleteWorkspace(ctx, wsB); err != nil {
		t.Fatal(err)
	}
	if got := seqsOf(since(t, s, wsA, 0, 10, all, true)); !slices.Equal(got, a) {
		t.Fatalf("A's heads after B was deleted: %v, want %v", got, a)
	}
}

// blank reports an error unless workspace ws shows nothing.
func blank(s store.Store, ws string, k [32]byte) error {
	ctx := context.Background()
	if h, err := s.Head(ctx, ws); err != nil || h != 0 {
		return fmt.Errorf("head = %d, %v", h, err)
	}
	for _, read := range []func(context.Context, string, uint64, int, []record.Class) ([]wire.Envelope, uint64, bool, error){s.Since, s.Heads} {
		if vs, _, more, err := read(ctx, ws, 0, 100, all); err != nil || len(vs) != 0 || more {
			return fmt.Errorf("read: %d versions, more %v, %v", len(vs), more, err)
		}
	}
	if hist, _, err := s.History(ctx, ws, k, 0); err != nil || len(hist) != 0 {
		return fmt.Errorf("history: %d versions, %v", len(hist), err)
	}
	return nil
}

func testDeleteWorkspace(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.DeleteWorkspace(ctx, wsA); err != nil {
		t.Fatalf("deleting a workspace that holds nothing: %v", err)
	}
	k := key(1)
	first := appendOK(t, s, wsA, 7, version(k, record.ClassClient, 7, 1))
	marker := version(key(2), record.ClassClient, 7, 2)
	marker.Erased = true
	if r, err := s.Erase(ctx, wsA, 7, marker); err != nil || r.Code != 0 {
		t.Fatalf("Erase: %+v, %v", r, err)
	}
	if err := s.DeleteWorkspace(ctx, wsA); err != nil {
		t.Fatal(err)
	}
	if err := blank(s, wsA, k); err != nil {
		t.Fatalf("after DeleteWorkspace: %v", err)
	}
	// Nothing is remembered: not the outbox ids, not the erased keys.
	again := appendOK(t, s, wsA, 7, version(k, record.ClassClient, 7, 1), version(key(2), record.ClassClient, 7, 2))
	if hist, _, _ := s.History(ctx, wsA, k, 0); len(hist) != 1 || hist[0].Seq != again[0] {
		t.Fatalf("after re-creating: history %v (first life had seq %d)", seqsOf(hist), first[0])
	}
}

func testConcurrent(t *testing.T, s store.Store) {
	const devices, batches, size = 8, 10, 20
	var wg sync.WaitGroup
	errs := make(chan error, devices)
	acked := make([][]uint64, devices)
	for d := range devices {
		wg.Go(func() {
			dev := uint64(d + 1)
			for b := range batches {
				batch := make([]wire.Envelope, size)
				for i := range batch {
					n := d*batches*size + b*size + i
					batch[i] = version(key(n), record.Classes[n%3], dev, uint64(b*size+i+1))
				}
				res, err := s.Append(context.Background(), wsA, dev, batch)
				if err != nil {
					errs <- err
					return
				}
				for _, r := range res {
					if r.Code != 0 {
						errs <- fmt.Errorf("device %d refused: %+v", dev, r)
						return
					}
					if n := len(acked[d]); n > 0 && r.Seq <= acked[d][n-1] {
						errs <- fmt.Errorf("device %d: seq %d after %d", dev, r.Seq, acked[d][n-1])
						return
					}
					acked[d] = append(acked[d], r.Seq)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var want []uint64
	for _, a := range acked {
		want = append(want, a...)
	}
	slices.Sort(want)
	if got := seqsOf(since(t, s, wsA, 0, 1000, all, false)); !slices.Equal(got, want) {
		t.Fatalf("log holds %d versions, %d acknowledged (or out of order)", len(got), len(want))
	}
}

// testEnqueueOrder enqueues batches one after another without waiting, as
// a connection with several pushes in flight does, while another device
// appends: they must commit in the order enqueued, each seeing the ones
// before it.
func testEnqueueOrder(t *testing.T, s store.Store) {
	ctx := context.Background()
	const batches = 30
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // splits the batches over several commits, at random places
		for ob := uint64(1); ; ob++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Append(ctx, wsA, 8, []wire.Envelope{version(key(int(1_000+ob)), record.ClassCare, 8, ob)}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	defer func() {
		close(stop)
		wg.Wait()
	}()

	// Each batch: a new record, the device's next version of record k
	// (superseding its earlier ones), and a retry of the previous batch's
	// new record.
	k := key(1)
	pending := make([]store.Pending, batches)
	for b := range batches {
		batch := []wire.Envelope{
			version(key(100+b), record.ClassClient, 7, uint64(2*b+1)),
			version(k, record.ClassCare, 7, uint64(2*b+2)),
		}
		if b > 0 {
			batch = append(batch, version(key(100+b-1), record.ClassClient, 7, uint64(2*b-1)))
		}
		pending[b] = s.Enqueue(ctx, wsA, 7, batch)
	}
	// The last batch committed, every one before it is: before their
	// Pendings are even called.
	if _, err := pending[batches-1](); err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, v := range since(t, s, wsA, 0, 1000, all, false) {
		if v.TS.Device == 7 {
			stored++
		}
	}
	if stored != 2*batches {
		t.Fatalf("after the last batch's commit, %d of device 7's %d versions are stored", stored, 2*batches)
	}

	var last, firstOfPrev, lastOfK uint64
	for b := range batches {
		res, err := pending[b]()
		if err != nil {
			t.Fatalf("batch %d: %v", b, err)
		}
		for i, r := range res {
			if r.Code != 0 || r.Seq == 0 {
				t.Fatalf("batch %d version %d refused: %+v", b, i, r)
			}
		}
		if res[0].Seq <= last || res[1].Seq <= res[0].Seq {
			t.Fatalf("batch %d: seqs %d, %d after %d: not in the order enqueued", b, res[0].Seq, res[1].Seq, last)
		}
		if b > 0 && res[2].Seq != firstOfPrev {
			t.Fatalf("batch %d: retry of the previous batch's version got seq %d, not its %d", b, res[2].Seq, firstOfPrev)
		}
		last, firstOfPrev, lastOfK = res[1].Seq, res[0].Seq, res[1].Seq
	}
	var heads []uint64
	for _, v := range since(t, s, wsA, 0, 1000, all, true) {
		if v.Key == k {
			heads = append(heads, v.Seq)
		}
	}
	if !slices.Equal(heads, []uint64{lastOfK}) {
		t.Fatalf("heads of the record every batch changed: %v, want only the last version %d", heads, lastOfK)
	}
}

// RunBlobs runs the Blobs contract tests; open returns an empty store whose
// blob size limit is maxBlob.
func RunBlobs(t *testing.T, maxBlob uint64, open func(t *testing.T) store.Blobs) {
	ctx := context.Background()
	content := func(n int) ([]byte, [32]byte) {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + i/251)
		}
		return b, sha256.Sum256(b)
	}
	put := func(t *testing.T, s store.Blobs, ws string, data []byte, hash [32]byte, chunk int) {
		t.Helper()
		total := uint64(len(data))
		for off := 0; off < len(data); off += chunk {
			end := min(off+chunk, len(data))
			got, err := s.PutChunk(ctx, ws, hash, uint64(off), total, data[off:end])
			if err != nil {
				t.Fatalf("PutChunk at %d: %v", off, err)
			}
			if got != uint64(end) {
				t.Fatalf("PutChunk at %d: received %d, want %d", off, got, end)
			}
		}
	}
	get := func(t *testing.T, s store.Blobs, ws string, hash [32]byte, limit int) []byte {
		t.Helper()
		var out []byte
		for {
			data, total, err := s.GetChunk(ctx, ws, hash, uint64(len(out)), limit)
			if err != nil {
				t.Fatalf("GetChunk at %d: %v", len(out), err)
			}
			if len(data) > limit {
				t.Fatalf("GetChunk limit %d returned %d bytes", limit, len(data))
			}
			out = append(out, data...)
			if uint64(len(out)) == total {
				return out
			}
			if len(data) == 0 {
				t.Fatalf("GetChunk at %d of %d: no data", len(out), total)
			}
		}
	}

	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		data, hash := content(100_000)
		put(t, s, wsA, data, hash, 30_000)
		for _, limit := range []int{1000, 29_999, 30_000, 45_000, 1 << 20} {
			if got := get(t, s, wsA, hash, limit); !bytes.Equal(got, data) {
				t.Fatalf("limit %d: read back %d bytes differing", limit, len(got))
			}
		}
		// Putting it again (another device, same photo) is done at once.
		if got, err := s.PutChunk(ctx, wsA, hash, 0, uint64(len(data)), data[:10]); err != nil || got != uint64(len(data)) {
			t.Fatalf("PutChunk of a complete blob: %d, %v", got, err)
		}
		if _, _, err := s.GetChunk(ctx, wsB, hash, 0, 100); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("blob of workspace A read from B: %v, want ErrNotFound", err)
		}
	})
	t.Run("Drop", func(t *testing.T) {
		s := open(t)
		kept, keptHash := content(40_000)
		gone, goneHash := content(70_000)
		put(t, s, wsA, kept, keptHash, 30_000)
		put(t, s, wsA, gone, goneHash, 30_000)
		put(t, s, wsB, gone, goneHash, 30_000)
		half, halfHash := content(90_000)
		if _, err := s.PutChunk(ctx, wsA, halfHash, 0, uint64(len(half)), half[:30_000]); err != nil {
			t.Fatal(err)
		}
		unknown := sha256.Sum256([]byte("never uploaded"))
		if err := s.DropBlobs(ctx, wsA, [][32]byte{goneHash, halfHash, unknown}); err != nil {
			t.Fatalf("DropBlobs: %v", err)
		}
		if _, _, err := s.GetChunk(ctx, wsA, goneHash, 0, 100); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a dropped blob is still read: %v", err)
		}
		// A dropped partial upload starts again from nothing.
		if got, err := s.PutChunk(ctx, wsA, halfHash, 30_000, uint64(len(half)), half[30_000:60_000]); err != nil || got != 0 {
			t.Fatalf("after its drop, a partial upload resumes at %d (%v), want 0", got, err)
		}
		if got := get(t, s, wsA, keptHash, 1<<20); !bytes.Equal(got, kept) {
			t.Fatal("a blob not dropped changed")
		}
		if got := get(t, s, wsB, goneHash, 1<<20); !bytes.Equal(got, gone) {
			t.Fatal("another workspace's copy was dropped")
		}
		if err := s.DropBlobs(ctx, "ws-none", [][32]byte{goneHash}); err != nil {
			t.Fatalf("DropBlobs in a workspace with nothing: %v", err)
		}
	})
	t.Run("Resume", func(t *testing.T) {
		s := open(t)
		data, hash := content(50_000)
		total := uint64(len(data))
		if got, err := s.PutChunk(ctx, wsA, hash, 0, total, data[:20_000]); err != nil || got != 20_000 {
			t.Fatalf("first chunk: %d, %v", got, err)
		}
		if _, _, err := s.GetChunk(ctx, wsA, hash, 0, 100); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("incomplete blob readable: %v", err)
		}
		// A gap and a repeat are ignored; received says where to resume.
		for _, off := range []uint64{30_000, 10_000, 0} {
			if got, err := s.PutChunk(ctx, wsA, hash, off, total, data[off:off+10_000]); err != nil || got != 20_000 {
				t.Fatalf("chunk at %d: received %d, %v; want 20000", off, got, err)
			}
		}
		if got, err := s.PutChunk(ctx, wsA, hash, 20_000, total, data[20_000:]); err != nil || got != total {
			t.Fatalf("last chunk: %d, %v", got, err)
		}
		if got := get(t, s, wsA, hash, 7_000); !bytes.Equal(got, data) {
			t.Fatal("resumed blob reads back different")
		}
	})
	t.Run("HashMismatch", func(t *testing.T) {
		s := open(t)
		data, hash := content(1000)
		bad := bytes.Clone(data)
		bad[999] ^= 1
		if _, err := s.PutChunk(ctx, wsA, hash, 0, 1000, bad[:500]); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutChunk(ctx, wsA, hash, 500, 1000, bad[500:]); !errors.Is(err, store.ErrHashMismatch) {
			t.Fatalf("wrong content: %v, want ErrHashMismatch", err)
		}
		if _, _, err := s.GetChunk(ctx, wsA, hash, 0, 100); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("mismatched blob readable: %v", err)
		}
		put(t, s, wsA, data, hash, 400) // starts over from 0
		if got := get(t, s, wsA, hash, 1000); !bytes.Equal(got, data) {
			t.Fatal("blob after a failed upload reads back different")
		}
	})
	t.Run("Limits", func(t *testing.T) {
		s := open(t)
		_, hash := content(10)
		if _, err := s.PutChunk(ctx, wsA, hash, 0, maxBlob+1, []byte("x")); !errors.Is(err, store.ErrTooLarge) {
			t.Fatalf("blob over the limit: %v, want ErrTooLarge", err)
		}
		if _, err := s.PutChunk(ctx, wsA, hash, 5, 10, make([]byte, 6)); err == nil {
			t.Fatal("chunk past the blob's end accepted")
		}
		if _, err := s.PutChunk(ctx, wsA, hash, 0, 0, nil); err == nil {
			t.Fatal("empty blob accepted")
		}
		if _, _, err := s.GetChunk(ctx, wsA, hash, 0, 10); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown blob: %v, want ErrNotFound", err)
		}
	})
}

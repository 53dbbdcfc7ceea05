//go:build js && wasm

package localstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"syscall/js"
	"testing"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"
)

var dbSeq atomic.Int64

// testName returns a database name no other test or run uses.
func testName(tb testing.TB) string {
	return fmt.Sprintf("localstore-test-%s-%d-%d", tb.Name(), time.Now().UnixNano(), dbSeq.Add(1))
}

func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// openTest opens a fresh database that is closed and deleted after tb.
func openTest(tb testing.TB) (*DB, string) {
	tb.Helper()
	ctx := testCtx(tb)
	name := testName(tb)
	db, err := Open(ctx, name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = db.Close()
		if err := Delete(context.Background(), name); err != nil {
			tb.Errorf("cleanup: %v", err)
		}
	})
	return db, name
}

func mustCommit(tb testing.TB, db *DB, c Change) {
	tb.Helper()
	if err := db.Commit(testCtx(tb), c); err != nil {
		tb.Fatal(err)
	}
}

// The tests compact the records store as soon as Records has read it,
// not after compactDelay; mustRecords waits for that compaction to have
// made its requests, so that what the test reads next comes after it.
func init() { compactPause = func(<-chan struct{}) {} }

func mustRecords(tb testing.TB, db *DB) map[string][]byte {
	tb.Helper()
	r, err := db.Records(testCtx(tb))
	if err != nil {
		tb.Fatal(err)
	}
	db.bg.Wait()
	return r
}

func mustOutbox(tb testing.TB, db *DB) []Item {
	tb.Helper()
	o, err := db.Outbox(testCtx(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

func mustMeta(tb testing.TB, db *DB, name string) ([]byte, bool) {
	tb.Helper()
	v, ok, err := db.Meta(testCtx(tb), name)
	if err != nil {
		tb.Fatal(err)
	}
	return v, ok
}

func equalRecords(a, b map[string][]byte) bool {
	return maps.EqualFunc(a, b, bytes.Equal)
}

func equalItems(a, b []Item) bool {
	return slices.EqualFunc(a, b, func(x, y Item) bool { return x.ID == y.ID && bytes.Equal(x.Data, y.Data) })
}

func ids(items []Item) []uint64 {
	out := make([]uint64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func TestRoundTrip(t *testing.T) {
	db, _ := openTest(t)
	ctx := testCtx(t)

	if r := mustRecords(t, db); len(r) != 0 {
		t.Fatalf("new database has records %v", r)
	}
	if o := mustOutbox(t, db); len(o) != 0 {
		t.Fatalf("new database has outbox %v", o)
	}
	if _, ok := mustMeta(t, db, "cursor"); ok {
		t.Fatal("new database has meta")
	}

	records := map[string][]byte{
		"r1":                     randBytes(400),
		"r2":                     {0, 1, 2, 255},
		"empty":                  {},
		"":                       []byte("empty key"),
		"ünïcødé ✓ 🐾":            []byte("non-ASCII key"),
		"with\x00nul":            []byte("NUL in key"),
		strings.Repeat("k", 300): randBytes(70_000),
	}
	want := Change{
		Meta:    map[string][]byte{"cursor": []byte("c1"), "device": randBytes(32), "zero": {}},
		Records: records,
		Enqueue: []Item{{ID: 2, Data: []byte("second")}, {ID: 1, Data: []byte("first")}, {ID: 3, Data: nil}},
	}
	mustCommit(t, db, want)

	for k, v := range want.Meta {
		got, ok := mustMeta(t, db, k)
		if !ok || !bytes.Equal(got, v) || got == nil {
			t.Errorf("meta %q = %v, %v; want %v", k, got, ok, v)
		}
	}
	if got := mustRecords(t, db); !equalRecords(got, records) {
		t.Errorf("records: got %d rows, want %d, or contents differ", len(got), len(records))
	}
	// Appending to one returned row must not write into another.
	got := mustRecords(t, db)
	_ = append(got["r2"], 9, 9, 9)
	if !equalRecords(got, records) {
		t.Error("appending to a returned row changed another row")
	}
	wantOutbox := []Item{{1, []byte("first")}, {2, []byte("second")}, {3, []byte{}}}
	if got := mustOutbox(t, db); !equalItems(got, wantOutbox) {
		t.Errorf("outbox = %v, want %v", got, wantOutbox)
	}

	// Blobs.
	if _, ok, err := db.Blob(ctx, "h1"); err != nil || ok {
		t.Fatalf("missing blob: ok %v, err %v", ok, err)
	}
	blob := randBytes(1 << 20)
	mustCommit(t, db, Change{Blobs: map[string][]byte{"h1": blob, "h-empty": {}, "h-gone": {1}}})
	mustCommit(t, db, Change{Blobs: map[string][]byte{"h-gone": nil}, Meta: map[string][]byte{"with-blob": {1}}})
	if _, ok, err := db.Blob(ctx, "h-gone"); err != nil || ok {
		t.Fatalf("blob deleted by a nil value: ok %v, err %v", ok, err)
	}
	if b, ok, err := db.Blob(ctx, "h1"); err != nil || !ok || !bytes.Equal(b, blob) {
		t.Fatalf("blob h1: ok %v, err %v, equal %v", ok, err, bytes.Equal(b, blob))
	}
	if b, ok, err := db.Blob(ctx, "h-empty"); err != nil || !ok || len(b) != 0 {
		t.Fatalf("blob h-empty = %v, %v, %v", b, ok, err)
	}

	// Overwrite and delete with nil.
	mustCommit(t, db, Change{
		Meta:    map[string][]byte{"cursor": []byte("c2"), "device": nil, "never-there": nil},
		Records: map[string][]byte{"r1": []byte("new"), "r2": nil},
	})
	if v, _ := mustMeta(t, db, "cursor"); string(v) != "c2" {
		t.Errorf("meta cursor = %q, want c2", v)
	}
	if _, ok := mustMeta(t, db, "device"); ok {
		t.Error("meta device not deleted")
	}
	records["r1"] = []byte("new")
	delete(records, "r2")
	if got := mustRecords(t, db); !equalRecords(got, records) {
		t.Errorf("records after update differ: got keys %v", slices.Sorted(maps.Keys(got)))
	}

	// An empty Change writes nothing and succeeds.
	if err := db.Commit(ctx, Change{}); err != nil {
		t.Fatal(err)
	}
}

func TestAcked(t *testing.T) {
	db, _ := openTest(t)
	mustCommit(t, db, Change{Enqueue: []Item{{1, []byte("a")}, {2, []byte("b")}, {3, []byte("c")}, {4, []byte("d")}}})
	mustCommit(t, db, Change{Acked: []uint64{1, 3, 99}})
	if got := ids(mustOutbox(t, db)); !slices.Equal(got, []uint64{2, 4}) {
		t.Fatalf("outbox after ack = %v, want [2 4]", got)
	}
	// Acking and enqueueing together: acks apply first, so an ID may be
	// replaced in one Change.
	mustCommit(t, db, Change{Acked: []uint64{2}, Enqueue: []Item{{2, []byte("b2")}, {5, []byte("e")}}})
	want := []Item{{2, []byte("b2")}, {4, []byte("d")}, {5, []byte("e")}}
	if got := mustOutbox(t, db); !equalItems(got, want) {
		t.Fatalf("outbox = %v, want %v", got, want)
	}
}

func TestClearRecords(t *testing.T) {
	db, _ := openTest(t)
	mustCommit(t, db, Change{Records: map[string][]byte{"a": {1}, "b": {2}, "c": {3}}})
	mustCommit(t, db, Change{Later: map[string][]byte{"e": {5}, "f": {6}}})
	mustCommit(t, db, Change{ClearRecords: true, Records: map[string][]byte{"b": {20}, "d": {4}}, Later: map[string][]byte{"f": {60}}})
	want := map[string][]byte{"b": {20}, "d": {4}}
	if got := mustRecords(t, db); !equalRecords(got, want) {
		t.Fatalf("records = %v, want %v", got, want)
	}
	if got := readState(t, db).later; !equalRecords(got, map[string][]byte{"f": {60}}) {
		t.Fatalf("later records = %v, want only f", got)
	}
	mustCommit(t, db, Change{ClearRecords: true})
	if got := readState(t, db); len(got.records)+len(got.later) != 0 {
		t.Fatalf("records after clear = %v, later %v", got.records, got.later)
	}
}

// state is everything a test database holds outside blobs.
type state struct {
	meta           map[string][]byte
	records, later map[string][]byte
	outbox         []Item
}

func readState(t *testing.T, db *DB, metaNames ...string) state {
	t.Helper()
	later, err := db.LaterRecords(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	s := state{meta: map[string][]byte{}, records: mustRecords(t, db), later: later, outbox: mustOutbox(t, db)}
	for _, n := range metaNames {
		if v, ok := mustMeta(t, db, n); ok {
			s.meta[n] = v
		}
	}
	return s
}

func (s state) equal(o state) bool {
	return equalRecords(s.meta, o.meta) && equalRecords(s.records, o.records) &&
		equalRecords(s.later, o.later) && equalItems(s.outbox, o.outbox)
}

func seedAtomic(t *testing.T) (*DB, state) {
	db, _ := openTest(t)
	mustCommit(t, db, Change{
		Meta:    map[string][]byte{"cursor": []byte("c1")},
		Records: map[string][]byte{"a": {1}, "b": {2}},
		Later:   map[string][]byte{"x": {24}},
		Enqueue: []Item{{7, []byte("seven")}},
	})
	return db, readState(t, db, "cursor", "other")
}

func TestCommitAtomicValidation(t *testing.T) {
	db, before := seedAtomic(t)
	bad := []Change{
		{Enqueue: []Item{{8, nil}, {8, nil}}},
	}
	for i, c := range bad {
		c.Meta = map[string][]byte{"cursor": []byte("c2"), "other": {1}}
		c.Records = map[string][]byte{"a": nil, "c": {3}}
		c.Later = map[string][]byte{"x": nil, "y": {25}}
		c.ClearRecords = i%2 == 0
		err := db.Commit(testCtx(t), c)
		if err == nil {
			t.Fatalf("change %d: Commit succeeded", i)
		}
		if !strings.HasPrefix(err.Error(), "localstore: commit: ") {
			t.Errorf("change %d: error %q lacks context", i, err)
		}
		t.Logf("change %d: %v", i, err)
		if after := readState(t, db, "cursor", "other"); !after.equal(before) {
			t.Fatalf("change %d: invalid change wrote something: %+v", i, after)
		}
	}
	// The largest ID works.
	mustCommit(t, db, Change{Enqueue: []Item{{^uint64(0), []byte("max")}}})
}

func TestCommitAtomicIDBFailure(t *testing.T) {
	for _, clearRecords := range []bool{false, true} {
		t.Run(fmt.Sprint("clear=", clearRecords), func(t *testing.T) {
			db, before := seedAtomic(t)
			// Outbox ID 7 is already there: IndexedDB fails the add only
			// when it runs, after the records, meta and the other outbox
			// item were written in the same transaction; all of that must
			// be rolled back.
			err := db.Commit(testCtx(t), Change{
				Meta:         map[string][]byte{"cursor": []byte("c2"), "other": {1}},
				Records:      map[string][]byte{"a": nil, "c": {3}},
				Later:        map[string][]byte{"x": nil, "y": {25}},
				ClearRecords: clearRecords,
				Acked:        []uint64{99},
				Enqueue:      []Item{{8, []byte("eight")}, {7, []byte("again")}, {9, nil}},
			})
			if err == nil {
				t.Fatal("Commit with an outbox ID already present succeeded")
			}
			if !errors.Is(err, idb.NewDOMException("ConstraintError")) {
				t.Errorf("error %v is not a ConstraintError", err)
			}
			t.Log(err)
			if after := readState(t, db, "cursor", "other"); !after.equal(before) {
				t.Fatalf("failed change wrote something: %+v", after)
			}
			// The database is still usable.
			mustCommit(t, db, Change{Enqueue: []Item{{8, []byte("eight")}}, Records: map[string][]byte{"c": {3}}})
			if got := ids(mustOutbox(t, db)); !slices.Equal(got, []uint64{7, 8}) {
				t.Fatalf("outbox = %v", got)
			}
			if got := mustRecords(t, db); len(got) != 3 || !bytes.Equal(got["c"], []byte{3}) {
				t.Fatalf("records = %v", got)
			}
		})
	}
}

func TestCommitCanceled(t *testing.T) {
	db, before := seedAtomic(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Commit(ctx, Change{Records: map[string][]byte{"z": {26}}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit with canceled ctx: %v", err)
	}
	if _, _, err := db.Meta(ctx, "cursor"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Meta with canceled ctx: %v", err)
	}
	if after := readState(t, db, "cursor", "other"); !after.equal(before) {
		t.Fatalf("canceled change wrote something")
	}
}

func TestReopen(t *testing.T) {
	db, name := openTest(t)
	ctx := testCtx(t)
	mustCommit(t, db, Change{
		Meta:    map[string][]byte{"m": []byte("meta")},
		Records: map[string][]byte{"r": []byte("row")},
		Enqueue: []Item{{42, []byte("item")}},
	})
	mustCommit(t, db, Change{Blobs: map[string][]byte{"h": []byte("blob")}})
	before := readState(t, db, "m")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// A closed DB fails cleanly.
	if _, err := db.Records(ctx); err == nil {
		t.Error("Records after Close succeeded")
	}
	if err := db.Commit(ctx, Change{Records: map[string][]byte{"x": {}}}); err == nil {
		t.Error("Commit after Close succeeded")
	}

	db2, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if after := readState(t, db2, "m"); !after.equal(before) {
		t.Fatalf("reopened database differs: %+v, want %+v", after, before)
	}
	if b, ok, err := db2.Blob(ctx, "h"); err != nil || !ok || string(b) != "blob" {
		t.Fatalf("blob after reopen = %q, %v, %v", b, ok, err)
	}
}

func TestDelete(t *testing.T) {
	ctx := testCtx(t)
	name := testName(t)
	db, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, db, Change{Records: map[string][]byte{"r": {1}}, Enqueue: []Item{{1, nil}}, Meta: map[string][]byte{"m": {1}}})
	mustCommit(t, db, Change{Blobs: map[string][]byte{"h": {1}}})
	// Deleting while db is still open must not hang: the open connection
	// gives way.
	if err := Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Records(ctx); err == nil {
		t.Error("Records on a deleted database succeeded")
	}
	_ = db.Close()

	db2, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = db2.Close()
		_ = Delete(context.Background(), name)
	}()
	if s := readState(t, db2, "m"); len(s.meta)+len(s.records)+len(s.outbox) != 0 {
		t.Fatalf("deleted database still holds %+v", s)
	}
	if _, ok, err := db2.Blob(ctx, "h"); err != nil || ok {
		t.Fatalf("deleted database still holds a blob (%v, %v)", ok, err)
	}
	// Deleting a database that does not exist is fine.
	if err := Delete(ctx, testName(t)); err != nil {
		t.Fatal(err)
	}
}

func TestOutboxOrder(t *testing.T) {
	db, _ := openTest(t)
	in := []uint64{1<<53 - 1, 0, 1, 255, 256, 1 << 32, 1<<32 - 1, 1<<40 + 1, 1<<53 - 2, 1000, 1 << 52, 1<<52 + 1, 10, 9, ^uint64(0), 1<<63 + 5, 1 << 60}
	var items []Item
	for _, id := range in {
		items = append(items, Item{ID: id, Data: []byte(fmt.Sprint(id))})
	}
	// In two commits, so ordering comes from IndexedDB, not insertion.
	mustCommit(t, db, Change{Enqueue: items[:7]})
	mustCommit(t, db, Change{Enqueue: items[7:]})
	got := mustOutbox(t, db)
	want := slices.Sorted(slices.Values(in))
	if !slices.Equal(ids(got), want) {
		t.Fatalf("outbox order = %v, want %v", ids(got), want)
	}
	for _, it := range got {
		if string(it.Data) != fmt.Sprint(it.ID) {
			t.Fatalf("item %d has data %q", it.ID, it.Data)
		}
	}
}

func TestUsage(t *testing.T) {
	db, _ := openTest(t)
	ctx := testCtx(t)
	mustCommit(t, db, Change{Blobs: map[string][]byte{"big": randBytes(2 << 20)}})
	used, quota, err := Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("used %d of %d bytes", used, quota)
	if used < 0 || quota <= 0 || used > quota {
		t.Fatalf("Usage = %d, %d", used, quota)
	}
	persisted, err := Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("persist: %v", persisted)
}

// withIndexedDB replaces the global indexedDB property for one test.
func withIndexedDB(t *testing.T, desc map[string]any) {
	t.Helper()
	obj := js.Global().Get("Object")
	// indexedDB is an own property of the global object, so the original
	// is saved and put back rather than deleted.
	orig := obj.Call("getOwnPropertyDescriptor", js.Global(), "indexedDB")
	d := map[string]any{"configurable": true}
	maps.Copy(d, desc)
	obj.Call("defineProperty", js.Global(), "indexedDB", d)
	t.Cleanup(func() {
		if orig.IsUndefined() {
			js.Global().Get("Reflect").Call("deleteProperty", js.Global(), "indexedDB")
		} else {
			obj.Call("defineProperty", js.Global(), "indexedDB", orig)
		}
	})
}

func TestOpenUnavailable(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		withIndexedDB(t, map[string]any{"value": js.Undefined()})
		_, err := Open(testCtx(t), testName(t))
		if err == nil || !strings.Contains(err.Error(), "this browser blocks storage for this site: ") {
			t.Fatalf("Open without IndexedDB: %v", err)
		}
		t.Log(err)
	})
	t.Run("throws", func(t *testing.T) {
		// Reading indexedDB throws, as it does in sandboxed frames: any
		// built-in getter called on the wrong object throws.
		withIndexedDB(t, map[string]any{"get": jsByteLength})
		_, err := Open(testCtx(t), testName(t))
		if err == nil || !strings.Contains(err.Error(), "this browser blocks storage for this site: ") {
			t.Fatalf("Open with a throwing indexedDB: %v", err)
		}
		t.Log(err)
	})
	// The real one is back.
	db, _ := openTest(t)
	mustCommit(t, db, Change{Meta: map[string][]byte{"ok": {1}}})
}

func TestOpenNotOurs(t *testing.T) {
	ctx := testCtx(t)
	name := testName(t)
	// A database of the same version without our stores.
	f, err := factory()
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.Open(ctx, name, schemaVersion, func(*idb.Database, uint, uint) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	d, err := req.Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = d.Close()
	defer func() { _ = Delete(context.Background(), name) }()
	if _, err := Open(ctx, name); err == nil || !strings.Contains(err.Error(), "object store") {
		t.Fatalf("Open of a foreign database: %v", err)
	}
}

// A device's database of version 1 had no later store: opening it adds
// the store, empty, and keeps every row, meta value and outbox item.
func TestUpgradeFromVersion1(t *testing.T) {
	ctx := testCtx(t)
	name := testName(t)
	f, err := factory()
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.Open(ctx, name, 1, func(d *idb.Database, _, _ uint) error {
		for _, s := range []string{storeMeta, storeRecords, storeOutbox, storeBlobs} {
			if _, err := d.CreateObjectStore(s, idb.ObjectStoreOptions{}); err != nil {
				t.Error(err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := req.Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := req.Request.Result()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = Delete(context.Background(), name) }()
	old := &DB{db: d, raw: raw, closing: make(chan struct{})}
	seg := encodeRows(map[string][]byte{"kept": []byte("row")}, false, commitSegmentMax)[0]
	rawPut(t, old, storeRecords, segmentKey(1), bytesToJS(seg))
	rawPut(t, old, storeMeta, "cursor", bytesToJS([]byte("c1")))
	rawPut(t, old, storeOutbox, outboxKey(3), bytesToJS([]byte("three")))
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, name)
	if err != nil {
		t.Fatalf("open a version 1 database: %v", err)
	}
	defer db.Close()
	got := readState(t, db, "cursor")
	want := state{
		meta:    map[string][]byte{"cursor": []byte("c1")},
		records: map[string][]byte{"kept": []byte("row")},
		later:   map[string][]byte{},
		outbox:  []Item{{3, []byte("three")}},
	}
	if !got.equal(want) {
		t.Fatalf("after the upgrade: %+v, want %+v", got, want)
	}
	mustCommit(t, db, Change{Later: map[string][]byte{"moved": []byte("row")}, Records: map[string][]byte{"kept": nil}})
	if got := readState(t, db); len(got.records) != 0 || string(got.later["moved"]) != "row" {
		t.Fatalf("a row moved to the later store: %+v", got)
	}
}

// segmentSizes returns the sizes of the segments in the records store, in
// order.
func segmentSizes(t *testing.T, db *DB) []int {
	t.Helper()
	_, values, err := db.readAll(testCtx(t), storeRecords)
	if err != nil {
		t.Fatal(err)
	}
	lens, err := byteLengths(values)
	if err != nil {
		t.Fatal(err)
	}
	return lens
}

// rawPut writes value under key in store, bypassing Commit.
func rawPut(t *testing.T, db *DB, store, key string, value js.Value) {
	t.Helper()
	txn := db.raw.Call("transaction", store, "readwrite")
	txn.Call("objectStore", store).Call("put", value, key)
	if err := awaitTxn(testCtx(t), txn); err != nil {
		t.Fatal(err)
	}
}

func TestRecordsTailMerge(t *testing.T) {
	db, _ := openTest(t)
	// A base segment of more than tailSegmentMax bytes, less than
	// segmentTarget.
	want := map[string][]byte{}
	base := Change{Records: map[string][]byte{}}
	for i := range 4000 {
		k := fmt.Sprintf("base-%04d", i)
		base.Records[k] = randBytes(400)
		want[k] = base.Records[k]
	}
	mustCommit(t, db, base)
	// The commit cut it into small segments (see commitSegmentMax); with a
	// few more commits they are tailMergeCount, and Records rewrites them
	// into one.
	for i := 0; i < tailMergeCount && len(segmentSizes(t, db)) < tailMergeCount; i++ {
		k := fmt.Sprint("pad-", i)
		want[k] = []byte{byte(i)}
		mustCommit(t, db, Change{Records: map[string][]byte{k: want[k]}})
	}
	if got := mustRecords(t, db); !equalRecords(got, want) {
		t.Fatalf("records differ after the base was written")
	}
	if sizes := segmentSizes(t, db); len(sizes) != 1 || sizes[0] < tailSegmentMax {
		t.Fatalf("the base is not one large segment after Records: %v", sizes)
	}
	// Small commits after it, deleting and overwriting base rows.
	for i := range tailMergeCount + 3 {
		c := Change{Records: map[string][]byte{
			fmt.Sprintf("base-%04d", i):     nil,
			fmt.Sprintf("base-%04d", i+100): []byte(fmt.Sprint("new", i)),
			fmt.Sprintf("small-%d", i):      {byte(i)},
		}}
		mustCommit(t, db, c)
		maps.Copy(want, c.Records)
		delete(want, fmt.Sprintf("base-%04d", i))
	}
	before := segmentSizes(t, db)
	if len(before) != tailMergeCount+4 {
		t.Fatalf("%d segments before Records, want %d", len(before), tailMergeCount+4)
	}
	if got := mustRecords(t, db); !equalRecords(got, want) {
		t.Fatalf("records differ before the merge")
	}
	after := segmentSizes(t, db)
	t.Logf("segments: %d before Records, %d after (sizes %v)", len(before), len(after), after)
	if len(after) != 2 || after[0] != before[0] {
		t.Fatalf("tail not merged into one segment after the base: %v", after)
	}
	// The merged tail kept its deletions of rows of the base segment.
	if got := mustRecords(t, db); !equalRecords(got, want) {
		t.Fatalf("records differ after the merge")
	}
	// New commits go after the merged segment.
	mustCommit(t, db, Change{Records: map[string][]byte{"base-0000": []byte("back"), "small-0": nil}})
	want["base-0000"] = []byte("back")
	delete(want, "small-0")
	if got := mustRecords(t, db); !equalRecords(got, want) {
		t.Fatalf("records differ after commits following the merge")
	}
}

// A compaction starts a while after the read it compacts (compactDelay),
// in a transaction of its own: if the store changed meanwhile, it must
// leave it as it is, or the change would be lost.
func TestRecordsCompactionAfterChange(t *testing.T) {
	db, _ := openTest(t)
	want := map[string][]byte{}
	// A log of small segments only, which Records rewrites whole.
	for i := range tailMergeCount + 2 {
		c := Change{Records: map[string][]byte{fmt.Sprint("row-", i): randBytes(100), "shared": {byte(i)}}}
		mustCommit(t, db, c)
		maps.Copy(want, c.Records)
	}
	release := make(chan bool)
	compactPause = func(<-chan struct{}) { <-release }
	defer func() { compactPause = func(<-chan struct{}) {} }()
	keysBefore := segmentKeys(t, db)

	got, err := db.Records(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !equalRecords(got, want) {
		t.Fatal("records differ before the compaction")
	}
	// Written between the read and its compaction.
	late := Change{Records: map[string][]byte{"shared": []byte("late"), "row-0": nil, "new": {9}}}
	mustCommit(t, db, late)
	maps.Copy(want, late.Records)
	delete(want, "row-0")
	release <- true
	db.bg.Wait()
	if keys := segmentKeys(t, db); len(keys) != len(keysBefore)+1 {
		t.Fatalf("%d segments after a compaction of a store that changed, want %d: the compaction ran", len(keys), len(keysBefore)+1)
	}

	// The next read compacts, under numbers never used before.
	go func() { release <- true }()
	if got := mustRecords(t, db); !equalRecords(got, want) {
		t.Fatalf("records differ after the change: %q", got)
	}
	keys := segmentKeys(t, db)
	if len(keys) != 1 || keys[0] <= keysBefore[len(keysBefore)-1] {
		t.Fatalf("segments %v after the compaction of %v", keys, keysBefore)
	}
	if got := mustRecords(t, db); !equalRecords(got, want) {
		t.Fatalf("records differ after the compaction: %q", got)
	}
	// A cleared store goes on numbering after the last segment too.
	mustCommit(t, db, Change{ClearRecords: true, Records: map[string][]byte{"only": {1}}})
	if after := segmentKeys(t, db); len(after) != 1 || after[0] <= keys[0] {
		t.Fatalf("segments %v after clearing %v", after, keys)
	}
}

// segmentKeys returns the keys of the records store's segments.
func segmentKeys(t *testing.T, db *DB) []string {
	t.Helper()
	keys, _, err := db.readAll(testCtx(t), storeRecords)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := stringsFromJS(keys)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestRecordsFullCompaction(t *testing.T) {
	db, _ := openTest(t)
	want := map[string][]byte{}
	// Overwrite the same 1 MB of rows four times: three quarters of the
	// log is then overwritten rows.
	for round := range 4 {
		c := Change{Records: map[string][]byte{}}
		for i := range 2500 {
			c.Records[fmt.Sprintf("row-%04d", i)] = randBytes(400)
		}
		if round == 3 {
			for i := range 100 {
				c.Records[fmt.Sprintf("row-%04d", i)] = nil
			}
		}
		mustCommit(t, db, c)
		maps.Copy(want, c.Records)
	}
	for k, v := range want {
		if v == nil {
			delete(want, k)
		}
	}
	before := segmentSizes(t, db)
	if got := mustRecords(t, db); !equalRecords(got, want) {
		t.Fatalf("records differ before compaction")
	}
	after := segmentSizes(t, db)
	t.Logf("segments before %v, after %v", before, after)
	stored := 0
	for _, n := range after {
		stored += n
	}
	if len(after) != 1 || stored > 2400*450 {
		t.Fatalf("log not compacted: %v", after)
	}
	if got := mustRecords(t, db); !equalRecords(got, want) {
		t.Fatalf("records differ after compaction")
	}
	// Appending after a compaction.
	mustCommit(t, db, Change{Records: map[string][]byte{"row-0000": {1}}})
	want["row-0000"] = []byte{1}
	if got := mustRecords(t, db); !equalRecords(got, want) {
		t.Fatalf("records differ after a commit following compaction")
	}
}

// A Commit writes no value over 64 KB to the records store but for a row
// that is larger by itself: Chrome keeps a larger value as a blob, a file
// of its own, which cost a new tablet ten times as much of the page's
// time to put (see commitSegmentMax). The later store's segments stay
// large: its bookings read back twice as slowly from small ones.
func TestCommitSegmentsUnder64KB(t *testing.T) {
	db, _ := openTest(t)
	c := Change{Records: map[string][]byte{"big": randBytes(100_000)}, Later: map[string][]byte{}}
	for i := range 1000 {
		c.Records[fmt.Sprintf("row-%04d", i)] = randBytes(500)
		c.Later[fmt.Sprintf("later-%04d", i)] = randBytes(500)
	}
	mustCommit(t, db, c)
	_, values, err := db.readAll(testCtx(t), storeLater)
	if err != nil {
		t.Fatal(err)
	}
	if later, err := byteLengths(values); err != nil || len(later) != 1 {
		t.Errorf("the later store's rows are in segments of %v (%v), want one", later, err)
	}
	sizes := segmentSizes(t, db)
	big := 0
	for _, n := range sizes {
		if n > 64<<10 {
			big++
		}
	}
	if big != 1 || len(sizes) < 8 {
		t.Fatalf("segment sizes %v: want about 500 KB in segments of at most 64 KB, and the 100 KB row alone", sizes)
	}
	if got := mustRecords(t, db); !equalRecords(got, c.Records) {
		t.Fatal("records differ")
	}
}

func TestRecordsLargeChange(t *testing.T) {
	db, _ := openTest(t)
	c := Change{Records: map[string][]byte{"huge": randBytes(segmentTarget + 1000)}}
	for i := range 60 {
		c.Records[fmt.Sprint("r", i)] = randBytes(300_000)
	}
	mustCommit(t, db, c)
	sizes := segmentSizes(t, db)
	t.Logf("segments %v", sizes)
	if len(sizes) < 3 || sizes[0] <= segmentTarget || sizes[1] > segmentTarget {
		t.Fatalf("a change of %d rows was not split into segments of %d bytes: %v", len(c.Records), segmentTarget, sizes)
	}
	if got := mustRecords(t, db); !equalRecords(got, c.Records) {
		t.Fatal("records differ")
	}
}

// A compaction puts each segment it writes in a task of the page that
// cannot be cut (see segmentTarget): the 5-year shop's bookings,
// compacted into 16 MB segments, froze the page for 110–240 ms five
// times in a row, ten seconds into a groomer's day.
func TestCompactionWritesSegmentsOfAtMost2MB(t *testing.T) {
	db, _ := openTest(t)
	c := Change{Records: map[string][]byte{}}
	for i := range 3000 {
		c.Records[fmt.Sprint("r", i)] = randBytes(4000)
	}
	mustCommit(t, db, c)
	if err := db.Purge(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	sizes := segmentSizes(t, db)
	if len(sizes) < 6 || slices.Max(sizes) > 2<<20 {
		t.Fatalf("12 MB compacted into segments of %v bytes, want none over 2 MB", sizes)
	}
	if got := mustRecords(t, db); !equalRecords(got, c.Records) {
		t.Fatal("records differ")
	}
}

func TestRecordsCorrupt(t *testing.T) {
	for name, value := range map[string]js.Value{
		"format":    bytesToJS([]byte{99, 1, 'a', 1}),
		"truncated": bytesToJS([]byte{segmentFormat, 5, 'a'}),
		"length":    bytesToJS([]byte{segmentFormat, 1, 'a', 9, 'x'}),
		"string":    js.ValueOf("not bytes"),
		"float64s":  jsFloat64Array.New(2),
	} {
		t.Run(name, func(t *testing.T) {
			db, _ := openTest(t)
			mustCommit(t, db, Change{Records: map[string][]byte{"ok": {1}}})
			rawPut(t, db, storeRecords, segmentKey(2), value)
			_, err := db.Records(testCtx(t))
			if err == nil {
				t.Fatal("Records of a corrupt store succeeded")
			}
			t.Log(err)
		})
	}
	t.Run("key", func(t *testing.T) {
		db, _ := openTest(t)
		rawPut(t, db, storeRecords, "zzz", bytesToJS([]byte{segmentFormat}))
		err := db.Commit(testCtx(t), Change{Records: map[string][]byte{"ok": {1}}})
		if err == nil {
			t.Fatal("Commit after a foreign key succeeded")
		}
		t.Log(err)
	})
}

// TestRecordsModel applies random changes and checks Records against a
// map after each, through tail merges and full compactions.
func TestRecordsModel(t *testing.T) {
	db, _ := openTest(t)
	want := map[string][]byte{}
	seed := randBytes(1)[0]
	t.Logf("seed %d", seed)
	r := uint32(seed) + 1
	next := func(n int) int { // xorshift, reproducible from seed
		r ^= r << 13
		r ^= r >> 17
		r ^= r << 5
		return int(r % uint32(n))
	}
	for step := range 120 {
		c := Change{Records: map[string][]byte{}}
		switch next(20) {
		case 0:
			c.ClearRecords = true
			clear(want)
		case 1: // a big batch
			for range 3000 {
				c.Records[fmt.Sprint("k", next(4000))] = randBytes(next(600))
			}
		}
		for range next(8) {
			k := fmt.Sprint("k", next(4000))
			if next(3) == 0 {
				c.Records[k] = nil
			} else {
				c.Records[k] = randBytes(next(50))
			}
		}
		mustCommit(t, db, c)
		for k, v := range c.Records {
			if v == nil {
				delete(want, k)
			} else {
				want[k] = v
			}
		}
		if next(4) == 0 || step == 119 {
			if got := mustRecords(t, db); !equalRecords(got, want) {
				t.Fatalf("step %d: records differ: %d rows, want %d", step, len(got), len(want))
			}
		}
	}
	t.Logf("%d rows in %d segments", len(want), len(segmentSizes(t, db)))
}

// BenchmarkRecords100k times Records on a store of 100,000 rows of 400
// bytes.
func BenchmarkRecords100k(b *testing.B) {
	const rows, size, batch = 100_000, 400, 10_000
	db, _ := openTest(b)
	ctx := testCtx(b)
	start := time.Now()
	for i := 0; i < rows; i += batch {
		c := Change{Records: make(map[string][]byte, batch)}
		for j := i; j < i+batch; j++ {
			c.Records[fmt.Sprintf("%016x", j*7919)] = randBytes(size)
		}
		mustCommit(b, db, c)
	}
	b.Logf("filled %d rows in %v", rows, time.Since(start))
	b.ResetTimer()
	for b.Loop() {
		r, err := db.Records(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(r) != rows {
			b.Fatalf("%d rows", len(r))
		}
	}
}

// BenchmarkCommitOne times a typical edit: one record row, one outbox item
// and one meta value.
func BenchmarkCommitOne(b *testing.B) {
	db, _ := openTest(b)
	ctx := testCtx(b)
	row, item := randBytes(400), randBytes(500)
	id := uint64(0)
	for b.Loop() {
		id++
		err := db.Commit(ctx, Change{
			Records: map[string][]byte{fmt.Sprintf("rec-%d", id%50): row},
			Enqueue: []Item{{ID: id, Data: item}},
			Meta:    map[string][]byte{"clock": []byte(fmt.Sprint(id))},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// rawRecords is every byte the two records stores hold, as one string.
func rawRecords(t *testing.T, db *DB) string {
	t.Helper()
	var all []byte
	for _, store := range []string{storeRecords, storeLater} {
		_, values, err := db.readAll(testCtx(t), store)
		if err != nil {
			t.Fatal(err)
		}
		vs, err := valuesFromJS(values)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			all = append(all, v...)
		}
	}
	return string(all)
}

// An overwritten or deleted row stays in older segments until a
// compaction; Purge removes it at once, keeping the live rows.
func TestPurgeRemovesOverwrittenBytes(t *testing.T) {
	db, _ := openTest(t)
	mustCommit(t, db, Change{
		Records: map[string][]byte{"a": []byte("secret-one"), "b": []byte("secret-two"), "c": []byte("kept")},
		Later:   map[string][]byte{"l": []byte("secret-three"), "m": []byte("kept too")},
	})
	mustCommit(t, db, Change{Records: map[string][]byte{"a": []byte("erased"), "b": nil}, Later: map[string][]byte{"l": nil}})
	if raw := rawRecords(t, db); !strings.Contains(raw, "secret-one") {
		t.Fatal("test premise: the overwritten bytes should still be stored before Purge")
	}
	if err := db.Purge(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	raw := rawRecords(t, db)
	for _, gone := range []string{"secret-one", "secret-two", "secret-three"} {
		if strings.Contains(raw, gone) {
			t.Errorf("%q still stored after Purge", gone)
		}
	}
	rows, err := db.Records(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if string(rows["a"]) != "erased" || string(rows["c"]) != "kept" || rows["b"] != nil {
		t.Errorf("rows after Purge: %q", rows)
	}
	if later := readState(t, db).later; len(later) != 1 || string(later["m"]) != "kept too" {
		t.Errorf("later rows after Purge: %q", later)
	}
}

// A connection numbers its commits' segments from where its last commit
// left off, without asking the store first (see writeRecords). Another
// connection (a second tab) writing or compacting meanwhile must not
// make a later edit replay before an earlier one: the last write wins.
func TestCommitAfterAnotherConnection(t *testing.T) {
	a, name := openTest(t)
	b, err := Open(testCtx(t), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	// Each commit also writes a row of its own, which a wrong guess
	// that was not undone would overwrite, with the segment holding it.
	var own []string
	put := func(db *DB, store, v string) {
		t.Helper()
		rows := map[string][]byte{"row": []byte(v), store + "-" + v: []byte(v)}
		c := Change{Records: rows}
		if store == storeLater {
			c = Change{Later: rows}
		}
		mustCommit(t, db, c)
		own = append(own, store+"-"+v)
	}
	want := func(step, v, later string) {
		t.Helper()
		st := readState(t, a)
		if got := string(st.records["row"]); got != v {
			t.Errorf("%s: the records store's row is %q, want %q", step, got, v)
		}
		if got := string(st.later["row"]); got != later {
			t.Errorf("%s: the later store's row is %q, want %q", step, got, later)
		}
		for _, k := range own {
			if st.records[k] == nil && st.later[k] == nil {
				t.Errorf("%s: row %q is lost", step, k)
			}
		}
	}
	for _, store := range []string{storeRecords, storeLater} {
		put(a, store, "a1")
		put(a, store, "a2")
	}
	if g := a.guesses(); g.records == 0 || g.later == 0 {
		t.Fatalf("after its commits, connection a guesses %+v: want both numbers known", g)
	}
	want("a's commits", "a2", "a2")

	for _, store := range []string{storeRecords, storeLater} {
		put(b, store, "b1")
		put(b, store, "b2")
		put(a, store, "a3") // a's guess is b's first number
	}
	want("a after b", "a3", "a3")

	for _, store := range []string{storeRecords, storeLater} {
		put(b, store, "b3")
	}
	// Purge empties both stores and writes them again under a number
	// after the last: a's guesses are no longer any segment's.
	if err := b.Purge(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	for _, store := range []string{storeRecords, storeLater} {
		put(a, store, "a4")
	}
	want("a after b's purge", "a4", "a4")
}

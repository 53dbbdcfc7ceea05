//go:build js && wasm

package localstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"syscall/js"

	"github.com/hack-pad/go-indexeddb/idb"

	"pawfile/app/browser"
)

// The records store does not hold one IndexedDB row per record: reading
// 100,000 rows one IndexedDB value each costs seconds in Chrome, whatever
// the API (getAll included). Instead it is a log of segments. Each Commit
// that touches records appends one segment (more if it is large) holding
// its puts and deletes, under the next segment number; Records reads every
// segment with one getAll and replays them in order. Records also compacts
// the log now and then, so that it stays a few large segments.
//
// A segment's key is its number as 16 lower-case hex digits, so that
// string order is number order. Its value is a Uint8Array:
//
//	segmentFormat
//	entries: uvarint len(key), key, uvarint n, then n-1 value bytes;
//	         n == 0 marks a deleted row
const (
	segmentFormat = 1
	// segmentTarget is the size segments are cut to when a large Change
	// is written or the log is compacted.
	segmentTarget = 16 << 20
	// tailSegmentMax: segments smaller than this at the end of the log are
	// its tail, which Records merges into one segment once it has
	// tailMergeCount segments.
	tailSegmentMax = 1 << 20
	tailMergeCount = 32
	// maxSegments is the number of segments past which Records rewrites
	// the whole log, as it does when more than half of it is overwritten
	// or deleted rows.
	maxSegments = 1024
)

// segmentKey returns the key of segment number seq.
func segmentKey(seq uint64) string {
	return fmt.Sprintf("%016x", seq)
}

// parseSegmentKey is the inverse of segmentKey.
func parseSegmentKey(key string) (uint64, error) {
	if len(key) != 16 {
		return 0, fmt.Errorf("%q is not a segment key", key)
	}
	seq, err := strconv.ParseUint(key, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a segment key", key)
	}
	return seq, nil
}

// entrySize is the encoded size of an entry (an upper bound).
func entrySize(key string, value []byte) int {
	return len(key) + len(value) + 2*binary.MaxVarintLen64
}

// segmentWriter encodes entries into segments of about segmentTarget
// bytes (an entry larger than that gets a segment of its own).
type segmentWriter struct {
	done [][]byte
	cur  []byte
}

// add appends an entry: value under key, or a deletion of key if del.
func (w *segmentWriter) add(key string, value []byte, del bool) {
	size := entrySize(key, value)
	if len(w.cur) > 1 && len(w.cur)+size > segmentTarget {
		w.done = append(w.done, w.cur)
		w.cur = nil
	}
	if w.cur == nil {
		w.cur = make([]byte, 1, min(segmentTarget, 1+size))
		w.cur[0] = segmentFormat
	}
	w.cur = binary.AppendUvarint(w.cur, uint64(len(key)))
	w.cur = append(w.cur, key...)
	if del {
		w.cur = binary.AppendUvarint(w.cur, 0)
		return
	}
	w.cur = binary.AppendUvarint(w.cur, uint64(len(value))+1)
	w.cur = append(w.cur, value...)
}

// segments returns the encoded segments, none if nothing was added.
func (w *segmentWriter) segments() [][]byte {
	if w.cur != nil {
		w.done = append(w.done, w.cur)
		w.cur = nil
	}
	return w.done
}

// encodeRows encodes rows, sorted by key, as segments; a nil value is a
// deletion unless skipDeletes.
func encodeRows(rows map[string][]byte, skipDeletes bool) [][]byte {
	var w segmentWriter
	for _, k := range slices.Sorted(maps.Keys(rows)) {
		v := rows[k]
		if v == nil && skipDeletes {
			continue
		}
		w.add(k, v, v == nil)
	}
	return w.segments()
}

// errCorrupt is wrapped by the errors about undecodable records segments.
var errCorrupt = errors.New("corrupt records segment")

// segmentReader reads the entries of a segment one by one.
type segmentReader struct {
	p []byte
}

// newSegmentReader checks seg's format and returns a reader of its entries.
func newSegmentReader(seg []byte) (segmentReader, error) {
	if len(seg) == 0 || seg[0] != segmentFormat {
		return segmentReader{}, fmt.Errorf("%w: unknown format", errCorrupt)
	}
	return segmentReader{p: seg[1:]}, nil
}

// next returns the next entry: its key and value (slices of the segment,
// the value capped at its length), del for a deletion, and ok false at
// the end of the segment.
func (r *segmentReader) next() (key, value []byte, del, ok bool, err error) {
	p := r.p
	if len(p) == 0 {
		return nil, nil, false, false, nil
	}
	kl, n := binary.Uvarint(p)
	if n <= 0 || kl > uint64(len(p)-n) {
		return nil, nil, false, false, fmt.Errorf("%w: bad key length", errCorrupt)
	}
	key = p[n : n+int(kl) : n+int(kl)]
	p = p[n+int(kl):]
	vl, n := binary.Uvarint(p)
	if n <= 0 || vl > uint64(len(p)-n)+1 {
		return nil, nil, false, false, fmt.Errorf("%w: bad value length", errCorrupt)
	}
	if vl == 0 {
		r.p = p[n:]
		return key, nil, true, true, nil
	}
	end := n + int(vl-1)
	r.p = p[end:]
	return key, p[n:end:end], false, true, nil
}

// applySegment replays the entries of seg onto rows: a put sets the row
// (a slice of seg), a deletion sets it to nil if keepDeletes, else
// removes it.
func applySegment(rows map[string][]byte, seg []byte, keepDeletes bool) error {
	r, err := newSegmentReader(seg)
	if err != nil {
		return err
	}
	for {
		key, value, del, ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch {
		case !del:
			rows[string(key)] = value
		case keepDeletes:
			rows[string(key)] = nil
		default:
			delete(rows, string(key))
		}
	}
}

// replay replays segments in order into the rows they hold, and counts
// their entries. It is applySegment over all of them, but allocates all
// keys as one string and sizes the map up front, which halves its time
// for 100,000 rows.
func replay(segs []segment) (rows map[string][]byte, entries int, err error) {
	type entry struct {
		key, value []byte
		del        bool
	}
	stored := 0
	for _, s := range segs {
		stored += len(s.data)
	}
	all := make([]entry, 0, stored/256+1)
	keyBytes, puts := 0, 0
	for _, s := range segs {
		r, err := newSegmentReader(s.data)
		if err != nil {
			return nil, 0, fmt.Errorf("segment %q: %w", s.key, err)
		}
		for {
			key, value, del, ok, err := r.next()
			if err != nil {
				return nil, 0, fmt.Errorf("segment %q: %w", s.key, err)
			}
			if !ok {
				break
			}
			all = append(all, entry{key, value, del})
			keyBytes += len(key)
			if !del {
				puts++
			}
		}
	}
	buf := make([]byte, 0, keyBytes)
	for _, e := range all {
		buf = append(buf, e.key...)
	}
	keys := string(buf)
	rows = make(map[string][]byte, puts)
	off := 0
	for _, e := range all {
		k := keys[off : off+len(e.key)]
		off += len(e.key)
		if e.del {
			delete(rows, k)
		} else {
			rows[k] = e.value
		}
	}
	return rows, len(all), nil
}

// nextSegment returns the number the next segment of the records store
// st gets: one more than the last. It waits for a request of txn, which
// keeps the transaction active, so the caller can go on writing in it.
func nextSegment(ctx context.Context, st *idb.ObjectStore) (uint64, error) {
	req, err := st.OpenKeyCursor(idb.CursorPrevious)
	if err != nil {
		return 0, err
	}
	cur, err := req.Request.Await(ctx)
	if ctx.Err() != nil {
		// Await returns no error when ctx ends first.
		return 0, ctx.Err()
	}
	if err != nil {
		return 0, err
	}
	if cur.IsNull() || cur.IsUndefined() {
		return 1, nil
	}
	k := cur.Get("key")
	if k.Type() != js.TypeString {
		return 0, fmt.Errorf("%w: key is a %s", errCorrupt, k.Type())
	}
	seq, err := parseSegmentKey(k.String())
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	if seq == ^uint64(0) {
		return 0, fmt.Errorf("%w: segment numbers exhausted", errCorrupt)
	}
	return seq + 1, nil
}

// writeRecords makes the requests of c on the records store within txn.
// Unless the store is cleared first, it first waits for the request that
// finds the next segment number; the transaction stays active meanwhile.
func (c Change) writeRecords(ctx context.Context, txn *idb.Transaction) error {
	st, err := txn.ObjectStore(storeRecords)
	if err != nil {
		return err
	}
	seq := uint64(1)
	if c.ClearRecords {
		if _, err := st.Clear(); err != nil {
			return err
		}
	} else if seq, err = nextSegment(ctx, st); err != nil {
		return err
	}
	for _, seg := range encodeRows(c.Records, c.ClearRecords) {
		if _, err := st.PutKey(js.ValueOf(segmentKey(seq)), bytesToJS(seg)); err != nil {
			return err
		}
		seq++
	}
	return nil
}

// segment is one segment of the records store as read by Records.
type segment struct {
	key  string
	data []byte
}

// Records returns every row of the records store, by key.
//
// It reads the whole store with two bulk requests (getAllKeys, getAll)
// and copies it into Go a segment at a time, so its cost depends on the
// bytes stored rather than on the number of rows. The returned slices
// share backing arrays (each capped at its own length), which stay in
// memory as long as any of them does.
//
// When the log of segments has grown long or holds many overwritten rows,
// Records also compacts it, in the transaction it read it in, so that
// nothing written meanwhile is lost. It does not wait for that to commit;
// if it fails, nothing changes.
func (db *DB) Records(ctx context.Context) (map[string][]byte, error) {
	rows, _, err := db.records(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("localstore: records: %w", err)
	}
	return rows, nil
}

// Purge rewrites the records store from its live rows, so that nothing of
// an overwritten or deleted row stays on disk: after an erasure, the old
// sealed versions must be gone from the device, not only superseded. It
// returns once the rewrite is committed.
func (db *DB) Purge(ctx context.Context) error {
	_, txn, err := db.records(ctx, true)
	if err == nil {
		err = awaitTxn(ctx, txn)
	}
	if err != nil {
		return fmt.Errorf("localstore: purge: %w", err)
	}
	return nil
}

// records reads and replays the records store, compacting it in the same
// transaction when it has grown wasteful, or always if force.
func (db *DB) records(ctx context.Context, force bool) (map[string][]byte, js.Value, error) {
	if err := db.check(ctx); err != nil {
		return nil, js.Value{}, err
	}
	// A read-write transaction, so that the compaction below works on
	// exactly what was read, even with other tabs writing.
	var txn, st, kreq, vreq js.Value
	err := browser.Try(func() {
		txn = db.raw.Call("transaction", storeRecords, "readwrite")
		st = txn.Call("objectStore", storeRecords)
		kreq = st.Call("getAllKeys")
		vreq = st.Call("getAll")
	})
	if err == nil {
		// Requests finish in order: once getAll has, so has getAllKeys.
		err = awaitRequest(ctx, vreq)
	}
	if err != nil {
		if txn.Truthy() {
			_ = browser.Try(func() { txn.Call("abort") })
		}
		return nil, txn, err
	}
	keys, values := kreq.Get("result"), vreq.Get("result")
	n := keys.Length()
	if m := values.Length(); m != n {
		return nil, txn, fmt.Errorf("read %d keys but %d values", n, m)
	}
	ks, err := stringsFromJS(keys)
	if err != nil {
		return nil, txn, err
	}
	vs, err := valuesFromJS(values)
	if err != nil {
		return nil, txn, err
	}
	segs := make([]segment, n)
	stored := 0
	for i := range segs {
		segs[i] = segment{key: ks[i], data: vs[i]}
		stored += len(vs[i])
	}
	rows, entries, err := replay(segs)
	if err != nil {
		_ = browser.Try(func() { txn.Call("abort") })
		return nil, txn, err
	}
	// Still in the success event of getAll, so txn is active and the
	// compaction is atomic with the read.
	err = browser.Try(func() { compact(st, segs, rows, entries, stored, force) })
	if !force {
		err = nil // a compaction that failed is tried again at the next read
	}
	return rows, txn, err
}

// compact rewrites the log of segments segs of the records store st, which
// replay to rows and hold entries entries and stored bytes, if force or it
// has grown long or wasteful: all of it when more than half of its bytes are
// overwritten or deleted rows (or it has too many segments), else only its
// tail of small segments when that is long. It makes the requests and
// does not wait for them. It may panic with a js.Error.
func compact(st js.Value, segs []segment, rows map[string][]byte, entries, stored int, force bool) {
	live := stored // no entry is shadowed: all of it is live
	if entries > len(rows) {
		live = 0
		for k, v := range rows {
			live += entrySize(k, v)
		}
	}
	tail := len(segs)
	for tail > 0 && len(segs[tail-1].data) < tailSegmentMax {
		tail--
	}
	switch {
	case force || len(segs) > maxSegments || stored-live > live+tailSegmentMax ||
		tail == 0 && len(segs) >= tailMergeCount:
		st.Call("clear")
		for i, seg := range encodeRows(rows, true) {
			st.Call("put", bytesToJS(seg), segmentKey(uint64(i)+1))
		}
	case len(segs)-tail >= tailMergeCount:
		// Merge the tail, keeping its deletions (earlier segments may hold
		// the rows), into segments under the last of its keys.
		merged := make(map[string][]byte)
		for _, s := range segs[tail:] {
			if applySegment(merged, s.data, true) != nil {
				return
			}
		}
		out := encodeRows(merged, false)
		if len(out) > len(segs)-tail {
			return // cannot happen: merging never makes more segments
		}
		for _, s := range segs[tail:] {
			st.Call("delete", s.key)
		}
		keys := segs[len(segs)-len(out):]
		for i, seg := range out {
			st.Call("put", bytesToJS(seg), keys[i].key)
		}
	}
}

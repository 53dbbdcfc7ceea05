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
	"time"

	"github.com/hack-pad/go-indexeddb/idb"

	"pawfile/app/browser"
)

// A records store ("records" or "later") does not hold one IndexedDB row
// per record: reading 100,000 rows one IndexedDB value each costs seconds
// in Chrome, whatever the API (getAll included). Instead it is a log of
// segments. Each Commit that touches the store appends one segment (more
// if it is large: see commitSegmentMax) holding its puts and deletes,
// under the next segment number; Records reads the segments, about 4 MB
// at a time, and replays them in order. Records also compacts the log now
// and then, so that it stays a few large segments.
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
	// is written or the log is compacted. Putting a segment is one task
	// of the page, which cannot be cut: copying it to JavaScript and
	// IndexedDB's copy of it took 200–240 ms for 16 MB in Chromium on a
	// 2-core machine: at that rate, about 30 ms for 2 MB.
	segmentTarget = 2 << 20
	// commitSegmentMax is the size a Commit cuts the records store's
	// segments to (the later store's, segmentTarget). Chrome keeps an
	// IndexedDB value of over 64 KB as a blob, a file of its own: putting
	// one took 6–24 ms of the page's time while a new tablet received its
	// clients, against 0.3–4 ms for one under 64 KB. Not for the later
	// store: a new tablet writes 77 MB of bookings there, and held in
	// IndexedDB's own database rather than as files, they took twice as
	// long to read back at the first unlock.
	commitSegmentMax = 60 << 10
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

// segmentWriter encodes entries into segments of about target bytes (an
// entry larger than that gets a segment of its own).
type segmentWriter struct {
	target int
	done   [][]byte
	cur    []byte
	// left is about how many bytes of entries are still to come (see
	// entrySize), for sizing segments: grown by appending, a large one
	// left 15 MB of garbage behind, which the GC then had to deal with.
	left int
}

// add appends an entry: value under key, or a deletion of key if del.
func (w *segmentWriter) add(key string, value []byte, del bool) {
	size := entrySize(key, value)
	if len(w.cur) > 1 && len(w.cur)+size > w.target {
		w.done = append(w.done, w.cur)
		w.cur = nil
	}
	if w.cur == nil {
		w.cur = make([]byte, 1, min(w.target, 1+max(size, w.left)))
		w.cur[0] = segmentFormat
	}
	w.left -= size
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

// encodeRows encodes rows, sorted by key, as segments of about target
// bytes; a nil value is a deletion unless skipDeletes.
func encodeRows(rows map[string][]byte, skipDeletes bool, target int) [][]byte {
	w := segmentWriter{target: target}
	for k, v := range rows {
		w.left += entrySize(k, v)
	}
	for _, k := range slices.Sorted(maps.Keys(rows)) {
		v := rows[k]
		if v == nil && skipDeletes {
			continue
		}
		w.add(k, v, v == nil)
	}
	return w.segments()
}

// encodeLive encodes the live rows of rows (not the nil ones) as
// segments, in no particular order: a compaction's output, whose rows
// are all distinct, need not be sorted, and sorting 200,000 keys would
// hold the page for a long stretch. live is about their encoded size. It
// calls pace now and then.
func encodeLive(rows map[string][]byte, live int, pace func() error) ([][]byte, error) {
	w := segmentWriter{target: segmentTarget, left: live}
	n := 0
	for k, v := range rows {
		if n++; n%paceRows == 0 {
			if err := pace(); err != nil {
				return nil, err
			}
		}
		if v != nil {
			w.add(k, v, false)
		}
	}
	return w.segments(), nil
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
// for 100,000 rows. For that it reads the segments three times (entries
// are cheap to parse) rather than keeping their entries in a slice: that
// slice held tens of MB of pointers, and marking them is what makes the
// GC hold the page. It calls pace every paceRows entries.
func replay(segs []segment, pace func() error) (rows map[string][]byte, entries int, err error) {
	keyBytes, puts := 0, 0
	err = eachEntry(segs, pace, func(key, _ []byte, del bool) {
		entries++
		keyBytes += len(key)
		if !del {
			puts++
		}
	})
	if err != nil {
		return nil, 0, err
	}
	buf := make([]byte, 0, keyBytes)
	if err := eachEntry(segs, pace, func(key, _ []byte, _ bool) { buf = append(buf, key...) }); err != nil {
		return nil, 0, err
	}
	keys := string(buf)
	buf = nil
	rows = make(map[string][]byte, puts)
	off := 0
	err = eachEntry(segs, pace, func(key, value []byte, del bool) {
		k := keys[off : off+len(key)]
		off += len(key)
		if del {
			delete(rows, k)
		} else {
			rows[k] = value
		}
	})
	if err != nil {
		return nil, 0, err
	}
	return rows, entries, nil
}

// eachEntry calls f with every entry of segs, in order (see
// segmentReader.next), and pace every paceRows entries.
func eachEntry(segs []segment, pace func() error, f func(key, value []byte, del bool)) error {
	n := 0
	for _, s := range segs {
		r, err := newSegmentReader(s.data)
		if err != nil {
			return fmt.Errorf("segment %q: %w", s.key, err)
		}
		for {
			key, value, del, ok, err := r.next()
			if err != nil {
				return fmt.Errorf("segment %q: %w", s.key, err)
			}
			if !ok {
				break
			}
			if n++; n%paceRows == 0 {
				if err := pace(); err != nil {
					return err
				}
			}
			f(key, value, del)
		}
	}
	return nil
}

// afterLast waits for req, a key cursor opened backwards on a records
// store (its last segment's key), and returns the number after the last
// segment's: the next segment's. Waiting for a request of the transaction
// keeps it active, so the caller can go on writing in it.
func afterLast(ctx context.Context, req *idb.CursorRequest) (uint64, error) {
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

// errStaleNumber: the segment number a Commit guessed was not after the
// last segment's, as another tab or a compaction wrote meanwhile.
var errStaleNumber = errors.New("the records store was written by another connection")

// writeRecords writes rows (after clearing it, if clear) to records store
// store, "records" or "later", within txn, in segments of about target
// bytes, under numbers after the last segment's, and returns the number
// after its own. Even when the store is cleared first, its numbers go on
// from the last, so that a background compaction can tell from the keys
// alone whether the store changed (see compactLater).
//
// If guess is 0 it first waits for the request that finds the last
// number (the transaction stays active meanwhile). Otherwise it writes
// under guess and the numbers after it at once, and checks once the
// request answers: a wait for IndexedDB (12 ms of the 45 a received
// slice's commit took on a new tablet) spared, as each commit needs one.
// A wrong guess returns errStaleNumber before the transaction can commit.
func writeRecords(ctx context.Context, txn *idb.Transaction, store string, rows map[string][]byte, clear bool, target int, guess uint64) (uint64, error) {
	st, err := txn.ObjectStore(store)
	if err != nil {
		return 0, err
	}
	req, err := st.OpenKeyCursor(idb.CursorPrevious)
	if err != nil {
		return 0, err
	}
	seq := guess
	if guess == 0 {
		if seq, err = afterLast(ctx, req); err != nil {
			return 0, err
		}
	}
	if clear {
		if _, err := st.Clear(); err != nil {
			return 0, err
		}
	}
	for _, seg := range encodeRows(rows, clear, target) {
		if _, err := st.PutKey(js.ValueOf(segmentKey(seq)), bytesToJS(seg)); err != nil {
			return 0, err
		}
		seq++
	}
	if guess != 0 {
		next, err := afterLast(ctx, req)
		if err != nil {
			return 0, err
		}
		if next > guess {
			return 0, errStaleNumber
		}
	}
	return seq, nil
}

// segment is one segment of the records store as read by Records.
type segment struct {
	key  string
	data []byte
}

// Records returns every row of the records store, by key.
//
// It reads the store's keys with one request (getAllKeys), then its
// segments with a getAll of about 4 MB each (see load), and copies them
// into Go a segment at a time, so its cost depends on the bytes stored
// rather than on the number of rows. The returned slices
// share backing arrays (each capped at its own length), which stay in
// memory as long as any of them does.
//
// It keeps none of the page's tasks for long (see pacer): the 5-year
// shop's store is 80 MB, whose replay would freeze the page for a
// quarter of a second, and its compaction for a second.
//
// When the log of segments has grown long or holds many overwritten rows,
// Records also compacts it, in the transaction it read it in, so that
// nothing written meanwhile is lost. It returns before that is done: the
// compaction goes on in the background, and what is written after it
// waits for it (IndexedDB runs transactions on the same store in order).
// If it fails, nothing changes.
func (db *DB) Records(ctx context.Context) (map[string][]byte, error) {
	return db.readStore(ctx, storeRecords)
}

// LaterRecords returns every row of the later store (see Change.Later),
// by key, as Records does those of the records store.
func (db *DB) LaterRecords(ctx context.Context) (map[string][]byte, error) {
	return db.readStore(ctx, storeLater)
}

// readStore is Records of records store store.
func (db *DB) readStore(ctx context.Context, store string) (map[string][]byte, error) {
	r, err := db.records(ctx, store)
	if err != nil {
		return nil, fmt.Errorf("localstore: %s: %w", store, err)
	}
	if r.needsCompaction(false) {
		// Not ended with the caller's context: an abandoned compaction
		// would only be done again at the next read, as one that fails is.
		db.bg.Add(1)
		go func() {
			defer db.bg.Done()
			_ = db.compactLater(context.WithoutCancel(ctx), r)
		}()
	}
	return r.rows, nil
}

// compactDelay is how long after Records its compaction starts: after
// the unlock that read the store has opened its records, rather than
// competing with it for the page's only thread (the 5-year shop's
// compaction takes about a second).
const compactDelay = 10 * time.Second

// compactPause waits compactDelay, or until closing is closed (the tests
// wait for a signal instead). It stops its timer, as a timer left running
// when the program ends would call into a Go program that has exited.
var compactPause = func(closing <-chan struct{}) {
	t := time.NewTimer(compactDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-closing:
	}
}

// compactLater compacts the log of segments read by r after compactDelay,
// in a new read-write transaction, if the store still holds the very
// segments read: the same keys. That is enough because no key is ever
// written twice: Commit and compactions write under numbers after the
// last (see writeRecords, rewrite), and a segment is never changed in
// place. If anything was written meanwhile, it does nothing: the next
// read compacts.
func (db *DB) compactLater(ctx context.Context, r *readRecords) error {
	compactPause(db.closing)
	if err := db.check(ctx); err != nil {
		return err
	}
	var kreq js.Value
	err := browser.Try(func() {
		r.txn = db.raw.Call("transaction", r.store, "readwrite")
		r.st = r.txn.Call("objectStore", r.store)
		kreq = r.st.Call("getAllKeys")
	})
	if err == nil {
		err = awaitRequest(ctx, kreq)
	}
	var keys []string
	if err == nil {
		keys, err = stringsFromJS(kreq.Get("result"))
	}
	if err != nil {
		r.abort()
		return err
	}
	if !slices.EqualFunc(keys, r.segs, func(k string, s segment) bool { return k == s.key }) {
		r.abort()
		return nil
	}
	r.pacer = &pacer{ctx: ctx, st: r.st, start: time.Now()}
	return r.compact(false)
}

// Purge rewrites both records stores from their live rows, so that
// nothing of an overwritten or deleted row stays on disk: after an
// erasure, the old sealed versions must be gone from the device, not only
// superseded. It returns once the rewrites are committed.
func (db *DB) Purge(ctx context.Context) error {
	for _, store := range []string{storeRecords, storeLater} {
		r, err := db.records(ctx, store)
		if err == nil {
			err = r.compact(true)
		}
		if err == nil {
			err = awaitTxn(ctx, r.txn)
		}
		if err != nil {
			return fmt.Errorf("localstore: purge %s: %w", store, err)
		}
	}
	return nil
}

// pacer keeps a task of the page short during a long read-write
// transaction: once the Go code has run for paceBudget, pace waits for a
// cheap request of the transaction. Its success event is a new task, so
// the page paints and takes taps in between, and the pending request
// keeps the transaction active meanwhile (a Go program waiting on a
// timer instead would let it commit).
type pacer struct {
	ctx   context.Context
	st    js.Value // the object store the transaction writes
	start time.Time
}

// paceBudget is how long Records runs before it lets the page have a
// turn; paceRows is how many rows it handles between looks at the clock.
const (
	paceBudget = 30 * time.Millisecond
	paceRows   = 2048
)

// pace lets the page have a turn if the budget is spent.
func (p *pacer) pace() error { return p.paceFor(0) }

// paceFor lets the page have a turn first if work that takes d would not
// fit in what is left of the budget.
func (p *pacer) paceFor(d time.Duration) error {
	if time.Since(p.start)+d < paceBudget {
		return nil
	}
	var req js.Value
	if err := browser.Try(func() { req = p.st.Call("count") }); err != nil {
		return err
	}
	if err := awaitRequest(p.ctx, req); err != nil {
		return err
	}
	p.start = time.Now()
	return nil
}

// readRecords is a read of a records store, replayed, in the read-write
// transaction txn that is still active, so that a compaction works on
// exactly what was read, even with other tabs writing.
type readRecords struct {
	store   string // "records" or "later"
	txn, st js.Value
	pacer   *pacer
	segs    []segment
	rows    map[string][]byte
	// entries is the number of entries of segs, stored their bytes,
	// liveBytes those of the live rows once live has counted them.
	entries, stored, liveBytes int
}

// records reads and replays records store store. The transaction stays
// active until the caller has compacted or, if it does nothing, commits by
// itself.
func (db *DB) records(ctx context.Context, store string) (*readRecords, error) {
	if err := db.check(ctx); err != nil {
		return nil, err
	}
	r := &readRecords{store: store}
	var kreq js.Value
	err := browser.Try(func() {
		r.txn = db.raw.Call("transaction", store, "readwrite")
		r.st = r.txn.Call("objectStore", store)
		kreq = r.st.Call("getAllKeys")
	})
	if err == nil {
		err = awaitRequest(ctx, kreq)
	}
	if err == nil {
		r.pacer = &pacer{ctx: ctx, st: r.st, start: time.Now()}
		err = r.load(ctx, kreq.Get("result"))
	}
	if err != nil {
		r.abort()
		return nil, err
	}
	return r, nil
}

// readBytes is about how many bytes of segments load asks for at a time.
// The browser hands a request's values to the page in one task, and Go
// copies them in another: 16 MB at a time made tasks of 100–125 ms in
// Chromium on a 2-core machine.
const readBytes = 4 << 20

// load reads the segments named by keys, a few at a time (see readBytes),
// copies them into Go, and replays them. A range of segments is one
// request: the large ones come one by one, the small ones of the log's
// tail together.
func (r *readRecords) load(ctx context.Context, keys js.Value) error {
	ks, err := stringsFromJS(keys)
	if err != nil {
		return err
	}
	r.segs = make([]segment, 0, len(ks))
	n := 1 // segments asked for at a time: one, until their size is known
	for len(r.segs) < len(ks) {
		from := len(r.segs)
		to := min(from+n, len(ks))
		var req js.Value
		if err := browser.Try(func() {
			req = r.st.Call("getAll", jsKeyRange.Call("bound", ks[from], ks[to-1]))
		}); err != nil {
			return err
		}
		if err := awaitRequest(ctx, req); err != nil {
			return err
		}
		values := req.Get("result")
		if got := values.Length(); got != to-from {
			return fmt.Errorf("read %d segments from %q to %q, found %d", to-from, ks[from], ks[to-1], got)
		}
		got := 0
		for i := range to - from {
			var (
				data []byte
				ok   bool
				cerr error
			)
			// CopyBytesToGo panics if a value is another kind of typed array.
			err := browser.Try(func() { data, ok, cerr = bytesFromJS(values.Index(i)) })
			switch {
			case err == nil && cerr != nil:
				err = cerr
			case err == nil && !ok:
				err = errors.New("stored value is undefined, not bytes")
			}
			if err != nil {
				return fmt.Errorf("segment %q: %w", ks[from+i], err)
			}
			r.segs = append(r.segs, segment{key: ks[from+i], data: data})
			got += len(data)
		}
		r.stored += got
		n = max(1, readBytes/max(1, got/(to-from)))
		if err := r.pacer.pace(); err != nil {
			return err
		}
	}
	r.rows, r.entries, err = replay(r.segs, r.pacer.pace)
	return err
}

// abort aborts the transaction, if it started.
func (r *readRecords) abort() {
	if r.txn.Truthy() {
		_ = browser.Try(func() { r.txn.Call("abort") })
	}
}

// live is the encoded size of the live rows, counted once.
func (r *readRecords) live() int {
	switch {
	case r.entries == len(r.rows):
		return r.stored // no entry is shadowed: all of it is live
	case r.liveBytes == 0:
		for k, v := range r.rows {
			r.liveBytes += entrySize(k, v)
		}
	}
	return r.liveBytes
}

// tail is the index of the first of the small segments that end the log.
func (r *readRecords) tail() int {
	tail := len(r.segs)
	for tail > 0 && len(r.segs[tail-1].data) < tailSegmentMax {
		tail--
	}
	return tail
}

// rewriteAll reports whether the log should be rewritten whole: it has
// too many segments, more than half of its bytes are overwritten or
// deleted rows, or it is all small segments and many of them.
func (r *readRecords) rewriteAll() bool {
	live, tail := r.live(), r.tail()
	return len(r.segs) > maxSegments || r.stored-live > live+tailSegmentMax ||
		tail == 0 && len(r.segs) >= tailMergeCount
}

// needsCompaction reports whether compact has anything to do.
func (r *readRecords) needsCompaction(force bool) bool {
	return force || r.rewriteAll() || len(r.segs)-r.tail() >= tailMergeCount
}

// compact rewrites the log of segments read if force or it has grown long
// or wasteful: all of it (see rewriteAll), else only its tail of small
// segments when that is long. It makes the requests in the transaction of
// the read, pacing itself, and does not wait for them to commit; if it
// fails, it aborts the transaction, so nothing changes.
func (r *readRecords) compact(force bool) error {
	var err error
	if perr := browser.Try(func() { err = r.rewrite(force) }); perr != nil {
		err = perr
	}
	if err != nil {
		r.abort()
	}
	return err
}

// rewrite is compact without the abort. It may panic with a js.Error.
func (r *readRecords) rewrite(force bool) error {
	next := uint64(1)
	if n := len(r.segs); n > 0 {
		last, err := parseSegmentKey(r.segs[n-1].key)
		if err != nil || last == ^uint64(0) {
			return fmt.Errorf("%w: cannot number the segment after %q", errCorrupt, r.segs[n-1].key)
		}
		next = last + 1
	}
	switch tail := r.tail(); {
	case force || r.rewriteAll():
		out, err := encodeLive(r.rows, r.live(), r.pacer.pace)
		if err != nil {
			return err
		}
		if len(out) == 0 {
			// An empty segment keeps the numbers going on after a
			// store emptied of every row.
			out = [][]byte{{segmentFormat}}
		}
		r.st.Call("clear")
		return r.put(out, next)
	case len(r.segs)-tail >= tailMergeCount:
		// Merge the tail, keeping its deletions (earlier segments may
		// hold the rows), into segments after the last.
		merged := make(map[string][]byte)
		for _, s := range r.segs[tail:] {
			if err := applySegment(merged, s.data, true); err != nil {
				return err
			}
		}
		for _, s := range r.segs[tail:] {
			r.st.Call("delete", s.key)
		}
		return r.put(encodeRows(merged, false, segmentTarget), next)
	}
	return nil
}

// put puts segments segs under numbers from next on. Each put is a task
// of the page that cannot be cut (see segmentTarget), about as long as
// the one before: the page has its turn first unless that fits in what
// is left of the budget, always before the first. It may panic with a
// js.Error.
func (r *readRecords) put(segs [][]byte, next uint64) error {
	took := paceBudget
	for i, seg := range segs {
		if err := r.pacer.paceFor(took); err != nil {
			return err
		}
		t := time.Now()
		r.st.Call("put", bytesToJS(seg), segmentKey(next+uint64(i)))
		took = time.Since(t)
	}
	return nil
}

package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// Layout. Everything lives under one root bucket (the directory shares the
// file), one sub-bucket per workspace, and in it:
//
//	log      seq(8)   -> class(1) prev(8) encoded envelope
//	records  key(32)  -> last(8) flags(1) n × head (seq(8) device(8) outbox(8))
//	headseq  seq(8)   -> key(32) class(1), the heads in seq order for paged bootstrap
//	outbox   device(8) || outbox id(8) -> seq(8), for idempotent retries
//	blobmeta hash(32)          -> total(8) received(8) complete(1) touched(8)
//	blobdata hash(32) || offset(8) -> chunk
//
// and the key usage: the bytes of its log entries and blob chunks, which
// its quota bounds (kept in step by every write; counted once for a
// workspace stored before it existed).
//
// A record's history is a chain through the log: records holds the seq of
// its last version, each log entry the seq of the version before it (prev,
// 0 for the first). So an append touches one page keyed by the random record
// key (records) instead of one per index; the other buckets grow at their
// end. Flag 1 marks an erased record: last is then its erasure marker, and
// the lookup every append makes anyway is the erased check.
//
// Seqs come from the log bucket's own sequence, so they rise in commit order
// and survive erasure of the entries that used them. All integers big-endian,
// so keys sort numerically.
var (
	rootBucket     = []byte("store")
	logBucket      = []byte("log")
	recordsBucket  = []byte("records")
	headseqBucket  = []byte("headseq")
	outboxBucket   = []byte("outbox")
	blobmetaBucket = []byte("blobmeta")
	blobdataBucket = []byte("blobdata")
	wsBuckets      = [][]byte{logBucket, recordsBucket, headseqBucket, outboxBucket, blobmetaBucket, blobdataBucket}
	usageKey       = []byte("usage")
)

const (
	headSize   = 24 // one head in a records value: seq, device, outbox id
	recordHead = 9  // last seq and flags before a records value's heads
	entryHead  = 9  // class and prev before a log entry's envelope
	flagErased = 1
)

// Bolt is the bbolt implementation of Store and Blobs. Its methods are safe
// for concurrent use.
type Bolt struct {
	db *bolt.DB

	// MaxBlob is the size limit of one blob (DefaultMaxBlob unless changed
	// before first use).
	MaxBlob uint64
	// Quota bounds the bytes one workspace holds, 0 for no bound
	// (DefaultQuota unless changed before first use).
	Quota uint64
	// Now is the time uploads are stamped with (time.Now unless changed
	// before first use).
	Now func() time.Time

	// Group commit: the batches enqueued while a commit runs are applied
	// together in the next transaction (one fsync), without bolt.DB.Batch's
	// fixed delay, so a lone push is acknowledged as soon as its fsync
	// ends. One committer goroutine at a time takes pending in order, which
	// is what keeps one caller's batches in the order it enqueued them; it
	// exits when nothing is pending, so an idle store holds no goroutine.
	mu         sync.Mutex
	pending    []*appendReq
	committing bool // a committer goroutine is running
}

var (
	_ Store = (*Bolt)(nil)
	_ Blobs = (*Bolt)(nil)
)

// Open prepares db for the store (creating its root bucket) and returns the
// store. The caller keeps ownership of db and closes it.
func Open(db *bolt.DB) (*Bolt, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(rootBucket)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: create buckets: %w", err)
	}
	return &Bolt{db: db, MaxBlob: DefaultMaxBlob, Quota: DefaultQuota, Now: time.Now}, nil
}

// space is one workspace's buckets inside a transaction.
type space struct {
	w                                                 *bolt.Bucket
	log, records, headseq, outbox, blobmeta, blobdata *bolt.Bucket
}

func checkWorkspace(ws string) error {
	if ws == "" || len(ws) > MaxWorkspace {
		return fmt.Errorf("store: workspace id of %d bytes (want 1 to %d): %w", len(ws), MaxWorkspace, ErrBadRequest)
	}
	return nil
}

// workspace returns ws's buckets, creating them if create is set; without
// create it returns nil for a workspace that holds nothing.
func workspace(tx *bolt.Tx, ws string, create bool) (*space, error) {
	root := tx.Bucket(rootBucket)
	if root == nil {
		return nil, errors.New("store: root bucket missing (database not opened with store.Open)")
	}
	w := root.Bucket([]byte(ws))
	if w == nil {
		if !create {
			return nil, nil
		}
		var err error
		if w, err = root.CreateBucket([]byte(ws)); err != nil {
			return nil, fmt.Errorf("store: create workspace %s: %w", ws, err)
		}
		for _, name := range wsBuckets {
			if _, err := w.CreateBucket(name); err != nil {
				return nil, fmt.Errorf("store: create workspace %s bucket %s: %w", ws, name, err)
			}
		}
	}
	s := &space{
		w:   w,
		log: w.Bucket(logBucket), records: w.Bucket(recordsBucket), headseq: w.Bucket(headseqBucket),
		outbox: w.Bucket(outboxBucket), blobmeta: w.Bucket(blobmetaBucket), blobdata: w.Bucket(blobdataBucket),
	}
	for _, b := range []*bolt.Bucket{s.log, s.records, s.headseq, s.outbox, s.blobmeta, s.blobdata} {
		if b == nil {
			return nil, fmt.Errorf("store: workspace %s is missing a bucket (damaged database?)", ws)
		}
	}
	// The log only ever grows at its end: full pages make it about a
	// third smaller and cheaper to write.
	s.log.FillPercent = 1.0
	return s, nil
}

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n) }

// usage returns the bytes the workspace holds against its quota. A
// workspace stored before the count existed has it counted here, once
// its next write stores it.
func (s *space) usage() (uint64, error) {
	if v := s.w.Get(usageKey); v != nil {
		if len(v) != 8 {
			return 0, fmt.Errorf("usage of %d bytes (damaged database?)", len(v))
		}
		return binary.BigEndian.Uint64(v), nil
	}
	var n uint64
	for _, b := range []*bolt.Bucket{s.log, s.blobdata} {
		if err := b.ForEach(func(_, v []byte) error { n += uint64(len(v)); return nil }); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// addUsage adds delta bytes (negative: freed) to the workspace's usage.
func (s *space) addUsage(delta int64) error {
	n, err := s.usage()
	if err != nil {
		return err
	}
	if delta < 0 && uint64(-delta) > n {
		n = 0
	} else {
		n = uint64(int64(n) + delta)
	}
	return s.w.Put(usageKey, u64(n))
}

// fits tells whether size more bytes keep a workspace using used bytes
// within the quota.
func (b *Bolt) fits(used, size uint64) bool {
	return b.Quota == 0 || used+size <= b.Quota
}

// fullText says why a version or blob was refused for the quota.
func (b *Bolt) fullText(used uint64) string {
	return fmt.Sprintf("the workspace's storage on the server is full (%s of %s): ask the owner to erase what is no longer needed or to have the quota raised; this waits on the device until there is room",
		mib(used), mib(b.Quota))
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// rec is a decoded records value. heads aliases bbolt's memory: valid only
// in its transaction, never to be modified.
type rec struct {
	last   uint64
	erased bool
	heads  []byte
}

func (s *space) record(key [32]byte) (rec, error) {
	return parseRecord(key, s.records.Get(key[:]))
}

// parseRecord decodes the records value v of key (nil: a record not seen).
func parseRecord(key [32]byte, v []byte) (rec, error) {
	if v == nil {
		return rec{}, nil
	}
	if len(v) < recordHead || (len(v)-recordHead)%headSize != 0 {
		return rec{}, fmt.Errorf("record %x: index entry of %d bytes (damaged database?)", key[:6], len(v))
	}
	return rec{last: binary.BigEndian.Uint64(v), erased: v[8]&flagErased != 0, heads: v[recordHead:]}, nil
}

// sameClass checks that e is of the class r's record was first written
// in: a record key belongs to one class for good, so a role that may
// write one class cannot supersede or erase another's record by naming
// its key. The class of a record is its latest log entry's (every entry
// of a record has the same, and erasure keeps the marker).
func (s *space) sameClass(key [32]byte, r rec, e *wire.Envelope) (wire.Result, bool, error) {
	if r.last == 0 {
		return wire.Result{}, true, nil
	}
	v := s.log.Get(u64(r.last))
	if len(v) < entryHead {
		return wire.Result{}, false, fmt.Errorf("record %x: entry %d missing from the log (damaged database?)", key[:6], r.last)
	}
	if got := record.Class(v[0]); got != e.Class {
		return refuse(wire.CodeForbidden, "record %x is a %s record; a %s version of it is refused", key[:6], got, e.Class), false, nil
	}
	return wire.Result{}, true, nil
}

func (r rec) encode() []byte {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, recordHead+len(r.heads)), r.last)
	flags := byte(0)
	if r.erased {
		flags |= flagErased
	}
	return append(append(v, flags), r.heads...)
}

func outboxKey(device, id uint64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(make([]byte, 0, 16), device), id)
}

// appendReq is one enqueued Append waiting for a group commit.
type appendReq struct {
	ws     string
	device uint64
	batch  []wire.Envelope
	// What Enqueue decided alone: the refusals of check, and the log
	// entries of the other versions (a nil buf for a refused one).
	checked []wire.Result
	entries []prepared

	results []wire.Result
	err     error
	done    chan struct{}
}

// wait is r's Pending.
func (r *appendReq) wait() ([]wire.Result, error) {
	<-r.done
	return r.results, r.err
}

// maxGroup bounds how many versions one group commit applies, so one
// transaction (and the memory of its dirty pages) stays bounded under load.
const maxGroup = 20_000

// Append implements Store.
func (b *Bolt) Append(ctx context.Context, ws string, device uint64, batch []wire.Envelope) ([]wire.Result, error) {
	return b.Enqueue(ctx, ws, device, batch)()
}

// Enqueue implements Store.
func (b *Bolt) Enqueue(ctx context.Context, ws string, device uint64, batch []wire.Envelope) Pending {
	if err := ctx.Err(); err != nil {
		return failed(err)
	}
	if err := checkWorkspace(ws); err != nil {
		return failed(err)
	}
	if len(batch) > wire.MaxBatch {
		return failed(fmt.Errorf("store: batch of %d versions (at most %d): %w", len(batch), wire.MaxBatch, ErrBadRequest))
	}
	if len(batch) == 0 {
		return func() ([]wire.Result, error) { return []wire.Result{}, nil }
	}
	// What needs no transaction is done here, in the caller's goroutine,
	// while the committer may be busy with earlier batches.
	r := &appendReq{
		ws: ws, device: device, batch: batch, done: make(chan struct{}),
		checked: make([]wire.Result, len(batch)), entries: make([]prepared, len(batch)),
	}
	for i := range batch {
		e := &batch[i]
		res, ok := check(e, device, false)
		if !ok {
			r.checked[i] = res
			continue
		}
		var err error
		if r.entries[i], err = prepare(e); err != nil {
			return failed(fmt.Errorf("store: append to workspace %s: %w", ws, err))
		}
	}
	b.mu.Lock()
	b.pending = append(b.pending, r)
	start := !b.committing
	b.committing = true
	b.mu.Unlock()
	if start {
		go b.commitPending()
	}
	return r.wait
}

// failed is the Pending of a batch refused as a whole.
func failed(err error) Pending {
	return func() ([]wire.Result, error) { return nil, err }
}

// commitPending commits what is pending, a group at a time in enqueue
// order, until nothing is.
func (b *Bolt) commitPending() {
	for {
		b.mu.Lock()
		if len(b.pending) == 0 {
			b.committing = false
			b.mu.Unlock()
			return
		}
		n, group := 0, b.pending
		for i, q := range group {
			if n += len(q.batch); n > maxGroup && i > 0 {
				group = group[:i]
				break
			}
		}
		// A fresh array (or none) for the rest, so the old one does not
		// keep the committed batches alive.
		b.pending = append([]*appendReq(nil), b.pending[len(group):]...)
		b.mu.Unlock()
		b.commit(group)
	}
}

// commit applies group in one transaction; if that fails, it applies each
// request alone, so one request's failure cannot fail the others.
func (b *Bolt) commit(group []*appendReq) {
	err := b.db.Update(func(tx *bolt.Tx) error {
		for _, q := range group {
			var err error
			if q.results, err = b.apply(tx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && len(group) > 1 {
		for _, q := range group {
			b.commit([]*appendReq{q})
		}
		return
	}
	for _, q := range group {
		if err != nil {
			q.results, q.err = nil, fmt.Errorf("store: append to workspace %s: %w", q.ws, err)
		}
		close(q.done)
	}
}

// apply stores one request's batch in tx. It may run more than once (if the
// transaction is retried), so it keeps no state outside tx.
func (b *Bolt) apply(tx *bolt.Tx, q *appendReq) ([]wire.Result, error) {
	s, err := workspace(tx, q.ws, true)
	if err != nil {
		return nil, err
	}
	results := slices.Clone(q.checked)
	used, err := s.usage()
	if err != nil {
		return nil, err
	}
	added := uint64(0)
	for i := range q.batch {
		if q.entries[i].buf == nil {
			continue // refused by check
		}
		e := &q.batch[i]
		key := envKey(e)
		r, err := s.record(key)
		if err != nil {
			return nil, err
		}
		if res, ok, err := s.sameClass(key, r, e); err != nil || !ok {
			results[i] = res
			if err != nil {
				return nil, err
			}
			continue
		}
		if r.erased {
			results[i] = refuse(wire.CodeErased, "record %x was erased; this version is discarded", key[:6])
			continue
		}
		ob := outboxKey(q.device, envOutbox(e))
		if v := s.outbox.Get(ob); v != nil {
			results[i] = wire.Result{Seq: binary.BigEndian.Uint64(v)}
			continue
		}
		size := uint64(len(q.entries[i].buf))
		if !b.fits(used+added, size) {
			results[i] = wire.Result{Code: wire.CodeFull, Message: b.fullText(used + added)}
			continue
		}
		added += size
		seq, err := s.log.NextSequence()
		if err != nil {
			return nil, err
		}
		// Each version has its own buffer: bbolt keeps the slices given to
		// Put until the transaction ends.
		sk := u64(seq)
		if err := s.log.Put(sk, q.entries[i].fill(seq, r.last)); err != nil {
			return nil, err
		}
		if err := s.outbox.Put(ob, sk); err != nil {
			return nil, err
		}
		heads, err := s.addHead(e, seq, r.heads)
		if err != nil {
			return nil, err
		}
		if err := s.records.Put(key[:], rec{last: seq, heads: heads}.encode()); err != nil {
			return nil, err
		}
		results[i] = wire.Result{Seq: seq}
	}
	if added > 0 {
		if err := s.addUsage(int64(added)); err != nil {
			return nil, err
		}
	}
	for i := range results {
		results[i].OutboxID = q.batch[i].OutboxID // the device matches acks to its outbox by it
	}
	return results, nil
}

// addHead returns the heads of e's record once e, stored as seq, joins
// them (old): it drops the heads e supersedes and the same device's earlier
// versions. If the same device already has a later version among the heads,
// e arrived late and is history only. It keeps headseq in step.
func (s *space) addHead(e *wire.Envelope, seq uint64, old []byte) ([]byte, error) {
	key, dev, ob := envKey(e), envDevice(e), envOutbox(e)
	heads := make([]byte, 0, len(old)+headSize)
	stale := false
	for h := old; len(h) >= headSize; h = h[headSize:] {
		hseq := binary.BigEndian.Uint64(h)
		hdev := binary.BigEndian.Uint64(h[8:])
		hob := binary.BigEndian.Uint64(h[16:])
		if supersedes(e, hseq) || (hdev == dev && hob < ob) {
			if err := s.headseq.Delete(h[:8]); err != nil {
				return nil, err
			}
			continue
		}
		if hdev == dev && hob > ob {
			stale = true
		}
		heads = append(heads, h[:headSize]...)
	}
	if !stale {
		heads = binary.BigEndian.AppendUint64(heads, seq)
		heads = binary.BigEndian.AppendUint64(heads, dev)
		heads = binary.BigEndian.AppendUint64(heads, ob)
		if err := s.headseq.Put(u64(seq), append(key[:], envClass(e))); err != nil {
			return nil, err
		}
	}
	return heads, nil
}

func refuse(code wire.Code, format string, args ...any) wire.Result {
	return wire.Result{Code: code, Message: fmt.Sprintf(format, args...)}
}

// classSet is a set of classes, indexed by class number.
type classSet [256]bool

func newClassSet(classes []record.Class) *classSet {
	var s classSet
	for _, c := range classes {
		s[c] = true
	}
	return &s
}

func clampLimit(limit int) int {
	if limit <= 0 || limit > MaxPage {
		return MaxPage
	}
	return limit
}

// Since implements Store.
func (b *Bolt) Since(ctx context.Context, ws string, after uint64, limit int, classes []record.Class) ([]wire.Envelope, uint64, bool, error) {
	return b.scan(ctx, ws, after, limit, classes, false)
}

// Heads implements Store.
func (b *Bolt) Heads(ctx context.Context, ws string, after uint64, limit int, classes []record.Class) ([]wire.Envelope, uint64, bool, error) {
	return b.scan(ctx, ws, after, limit, classes, true)
}

// scan pages through the log (or, for heads, the headseq index) after the
// cursor, keeping the versions of the wanted classes.
func (b *Bolt) scan(ctx context.Context, ws string, after uint64, limit int, classes []record.Class, heads bool) (vs []wire.Envelope, next uint64, more bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, after, false, err
	}
	if err := checkWorkspace(ws); err != nil {
		return nil, after, false, err
	}
	limit = clampLimit(limit)
	want := newClassSet(classes)
	next = after
	err = b.db.View(func(tx *bolt.Tx) error {
		s, err := workspace(tx, ws, false)
		if err != nil || s == nil || after == ^uint64(0) {
			return err
		}
		idx := s.log
		if heads {
			idx = s.headseq
		}
		c := idx.Cursor()
		scanned := 0
		for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
			if len(vs) == limit || scanned == MaxScan {
				more = true
				return nil
			}
			scanned++
			seq := binary.BigEndian.Uint64(k)
			// The class is the first byte of a log entry, the last of a
			// headseq entry: filter before reading or decoding anything.
			if len(v) == 0 {
				return fmt.Errorf("empty index entry at seq %d", seq)
			}
			class := v[0]
			if heads {
				class = v[len(v)-1]
			}
			if !want[class] {
				next = seq
				continue
			}
			if heads {
				if v = s.log.Get(k); v == nil {
					return fmt.Errorf("head seq %d missing from the log", seq)
				}
			}
			e, err := decodeEntry(v, seq)
			if err != nil {
				return err
			}
			vs = append(vs, e)
			next = seq
		}
		return nil
	})
	if err != nil {
		return nil, after, false, fmt.Errorf("store: read workspace %s after %d: %w", ws, after, err)
	}
	return vs, next, more, nil
}

// History implements Store. It walks the record's chain back from its
// last version, decoding only the versions of the page.
func (b *Bolt) History(ctx context.Context, ws string, key [32]byte, before uint64) ([]wire.Envelope, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := checkWorkspace(ws); err != nil {
		return nil, false, err
	}
	var vs []wire.Envelope
	var more bool
	err := b.db.View(func(tx *bolt.Tx) error {
		vs, more = nil, false
		s, err := workspace(tx, ws, false)
		if err != nil || s == nil {
			return err
		}
		r, err := s.record(key)
		if err != nil {
			return err
		}
		size := 0
		return s.chain(r.last, func(seq uint64, entry []byte) error {
			if before != 0 && seq >= before {
				return nil
			}
			// An entry's envelope is its sealed bytes and a bounded header.
			if len(vs) == wire.MaxBatch || len(vs) > 0 && size+len(entry) > wire.MaxBatchBytes {
				more = true
				return errStop
			}
			e, err := decodeEntry(entry, seq)
			if err != nil {
				return err
			}
			vs = append(vs, e)
			size += len(e.Sealed)
			return nil
		})
	})
	if err != nil {
		return nil, false, fmt.Errorf("store: history of %x in workspace %s: %w", key[:6], ws, err)
	}
	slices.Reverse(vs)
	return vs, more, nil
}

// errStop ends a walk through a chain early; chain returns nil for it.
var errStop = errors.New("stop")

// chain calls fn for every version of a record's history from last back to
// its first.
func (s *space) chain(last uint64, fn func(seq uint64, entry []byte) error) error {
	for seq := last; seq != 0; {
		v := s.log.Get(u64(seq))
		if len(v) < entryHead {
			return fmt.Errorf("history entry %d missing from the log (damaged database?)", seq)
		}
		prev := binary.BigEndian.Uint64(v[1:])
		if prev >= seq {
			return fmt.Errorf("history entry %d points forward to %d (damaged database?)", seq, prev)
		}
		if err := fn(seq, v); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
		seq = prev
	}
	return nil
}

// Erase implements Store.
func (b *Bolt) Erase(ctx context.Context, ws string, device uint64, marker wire.Envelope) (wire.Result, error) {
	if err := ctx.Err(); err != nil {
		return wire.Result{}, err
	}
	if err := checkWorkspace(ws); err != nil {
		return wire.Result{}, err
	}
	if res, ok := check(&marker, device, true); !ok {
		res.OutboxID = marker.OutboxID
		return res, nil
	}
	key := envKey(&marker)
	var res wire.Result
	err := b.db.Update(func(tx *bolt.Tx) error {
		s, err := workspace(tx, ws, true)
		if err != nil {
			return err
		}
		r, err := s.record(key)
		if err != nil {
			return err
		}
		if refusal, ok, err := s.sameClass(key, r, &marker); err != nil || !ok {
			res = refusal
			return err
		}
		if r.erased {
			// Already erased: a retried or repeated erasure is done.
			res = wire.Result{Seq: r.last}
			return nil
		}
		var hist []uint64
		if err := s.chain(r.last, func(seq uint64, _ []byte) error {
			hist = append(hist, seq)
			return nil
		}); err != nil {
			return err
		}
		freed := int64(0)
		for _, seq := range hist {
			freed += int64(len(s.log.Get(u64(seq))))
			if err := s.log.Delete(u64(seq)); err != nil {
				return err
			}
		}
		for h := r.heads; len(h) >= headSize; h = h[headSize:] {
			if err := s.headseq.Delete(h[:8]); err != nil {
				return err
			}
		}
		seq, err := s.log.NextSequence()
		if err != nil {
			return err
		}
		entry, err := encodeEntry(&marker, seq, 0)
		if err != nil {
			return err
		}
		if err := s.log.Put(u64(seq), entry); err != nil {
			return err
		}
		if err := s.addUsage(int64(len(entry)) - freed); err != nil {
			return err
		}
		heads, err := s.addHead(&marker, seq, nil)
		if err != nil {
			return err
		}
		if err := s.records.Put(key[:], rec{last: seq, erased: true, heads: heads}.encode()); err != nil {
			return err
		}
		res = wire.Result{Seq: seq}
		return nil
	})
	if err != nil {
		return wire.Result{}, fmt.Errorf("store: erase %x in workspace %s: %w", key[:6], ws, err)
	}
	res.OutboxID = marker.OutboxID
	return res, nil
}

// Head implements Store.
func (b *Bolt) Head(ctx context.Context, ws string) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := checkWorkspace(ws); err != nil {
		return 0, err
	}
	var seq uint64
	err := b.db.View(func(tx *bolt.Tx) error {
		s, err := workspace(tx, ws, false)
		if s != nil {
			seq = s.log.Sequence()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: head of workspace %s: %w", ws, err)
	}
	return seq, nil
}

// Usage implements Store.
func (b *Bolt) Usage(ctx context.Context, ws string) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := checkWorkspace(ws); err != nil {
		return 0, err
	}
	var n uint64
	err := b.db.View(func(tx *bolt.Tx) error {
		s, err := workspace(tx, ws, false)
		if err != nil || s == nil {
			return err
		}
		n, err = s.usage()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: usage of workspace %s: %w", ws, err)
	}
	return n, nil
}

// DeleteWorkspace implements Store. Deleting a workspace that holds nothing
// is not an error.
func (b *Bolt) DeleteWorkspace(ctx context.Context, ws string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkWorkspace(ws); err != nil {
		return err
	}
	err := b.db.Update(func(tx *bolt.Tx) error {
		root := tx.Bucket(rootBucket)
		if root == nil {
			return errors.New("root bucket missing")
		}
		if err := root.DeleteBucket([]byte(ws)); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete workspace %s: %w", ws, err)
	}
	return nil
}

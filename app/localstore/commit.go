//go:build js && wasm

package localstore

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"

	"github.com/hack-pad/go-indexeddb/idb"
)

// validate finds the mistakes in c that can be found without IndexedDB,
// so that such a Change fails before any transaction starts.
func (c Change) validate() error {
	seen := make(map[uint64]bool, len(c.Enqueue))
	for _, it := range c.Enqueue {
		if seen[it.ID] {
			return fmt.Errorf("outbox id %d is enqueued twice", it.ID)
		}
		seen[it.ID] = true
	}
	return nil
}

// stores returns the object stores c writes to.
func (c Change) stores() []string {
	var s []string
	if c.ClearRecords || len(c.Records) > 0 {
		s = append(s, storeRecords)
	}
	if c.ClearRecords || len(c.Later) > 0 {
		s = append(s, storeLater)
	}
	if len(c.Meta) > 0 {
		s = append(s, storeMeta)
	}
	if len(c.Blobs) > 0 {
		s = append(s, storeBlobs)
	}
	if len(c.Enqueue) > 0 || len(c.Acked) > 0 {
		s = append(s, storeOutbox)
	}
	return s
}

// Commit writes c atomically: in one read-write transaction over the
// stores it touches, with strict durability, so that when Commit returns
// nil the change is on disk. If any part fails (an invalid outbox ID, an
// outbox ID already present, a full disk) nothing is written. A Change
// that writes nothing returns nil at once.
//
// If ctx ends before the transaction finishes, Commit aborts it and
// returns ctx's error; if the browser had already begun to commit, the
// error says the change may have been written.
func (db *DB) Commit(ctx context.Context, c Change) error {
	if err := db.commit(ctx, c); err != nil {
		return fmt.Errorf("localstore: commit: %w", err)
	}
	return nil
}

func (db *DB) commit(ctx context.Context, c Change) error {
	if err := db.check(ctx); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	stores := c.stores()
	if len(stores) == 0 {
		return nil
	}
	err := db.try(ctx, c, stores, db.guesses())
	if errors.Is(err, errStaleNumber) {
		// Another tab or a compaction wrote segments since this
		// connection's last commit: find the numbers this time.
		err = db.try(ctx, c, stores, segmentNumbers{})
	}
	return err
}

// try writes c in one transaction over stores, numbering the records
// segments from the numbers guessed (see writeRecords), and learns the
// next numbers if it commits.
func (db *DB) try(ctx context.Context, c Change, stores []string, guess segmentNumbers) error {
	txn, err := db.db.TransactionWithOptions(idb.TransactionOptions{
		Mode:       idb.TransactionReadWrite,
		Durability: idb.DurabilityStrict,
	}, stores[0], stores[1:]...)
	if err != nil {
		return err
	}
	// The transaction commits by itself as soon as control goes back to
	// the browser with no request of it pending, so nothing here waits for
	// anything but its own requests: at most one read a records store
	// (its last segment number), then every write, then the outcome.
	next, err := c.write(ctx, txn, guess)
	if err != nil {
		_ = txn.Abort()
		return err
	}
	if err := awaitWrite(ctx, txn); err != nil {
		return err
	}
	db.learn(next)
	return nil
}

// segmentNumbers are the next segment numbers of the records stores,
// 0 where unknown.
type segmentNumbers struct{ records, later uint64 }

// guesses returns the next segment numbers this connection's commits
// left: right unless another connection wrote since.
func (db *DB) guesses() segmentNumbers {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.next
}

// learn keeps the next segment numbers of a commit, where it wrote.
func (db *DB) learn(n segmentNumbers) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if n.records != 0 {
		db.next.records = n.records
	}
	if n.later != 0 {
		db.next.later = n.later
	}
}

// write makes the requests that apply c within txn, and returns the next
// segment numbers of the records stores it wrote. Only the records parts
// wait, for one request of txn each.
func (c Change) write(ctx context.Context, txn *idb.Transaction, guess segmentNumbers) (next segmentNumbers, err error) {
	if c.ClearRecords || len(c.Records) > 0 {
		next.records, err = writeRecords(ctx, txn, storeRecords, c.Records, c.ClearRecords, commitSegmentMax, guess.records)
		if err != nil {
			return next, fmt.Errorf("records: %w", err)
		}
	}
	if c.ClearRecords || len(c.Later) > 0 {
		next.later, err = writeRecords(ctx, txn, storeLater, c.Later, c.ClearRecords, segmentTarget, guess.later)
		if err != nil {
			return next, fmt.Errorf("later records: %w", err)
		}
	}
	if len(c.Meta) > 0 {
		st, err := txn.ObjectStore(storeMeta)
		if err != nil {
			return next, err
		}
		if err := putAll(st, c.Meta); err != nil {
			return next, fmt.Errorf("meta: %w", err)
		}
	}
	if len(c.Blobs) > 0 {
		st, err := txn.ObjectStore(storeBlobs)
		if err != nil {
			return next, err
		}
		if err := putAll(st, c.Blobs); err != nil {
			return next, fmt.Errorf("blobs: %w", err)
		}
	}
	if len(c.Enqueue) > 0 || len(c.Acked) > 0 {
		st, err := txn.ObjectStore(storeOutbox)
		if err != nil {
			return next, err
		}
		for _, id := range c.Acked {
			if _, err := st.Delete(js.ValueOf(outboxKey(id))); err != nil {
				return next, fmt.Errorf("outbox: ack %d: %w", id, err)
			}
		}
		for _, it := range c.Enqueue {
			// add, not put: an ID already in the outbox fails the
			// transaction instead of overwriting an unsent item.
			if _, err := st.AddKey(js.ValueOf(outboxKey(it.ID)), bytesToJS(it.Data)); err != nil {
				return next, fmt.Errorf("outbox: enqueue %d: %w", it.ID, err)
			}
		}
	}
	return next, nil
}

// putAll puts every value of m under its key in st, deleting the keys
// whose value is nil.
func putAll(st *idb.ObjectStore, m map[string][]byte) error {
	for k, v := range m {
		var err error
		if v == nil {
			_, err = st.Delete(js.ValueOf(k))
		} else {
			_, err = st.PutKey(js.ValueOf(k), bytesToJS(v))
		}
		if err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
	}
	return nil
}

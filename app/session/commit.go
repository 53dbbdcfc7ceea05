package session

import (
	"context"
	"fmt"
	"strings"

	"pawfile/app/book"
	"pawfile/app/localstore"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// writeTx is one change of the local records on its way through commit:
// what it writes to the local store in one transaction, and what memory
// takes on once the store has it.
type writeTx struct {
	s      *Session
	bk     *book.Book
	change localstore.Change
	// docs names the records changed, whose index docs are rewritten.
	docs map[merge.Key]wire.Key
	// unlisted names the records whose index doc row goes (erased).
	unlisted map[merge.Key]bool
	queue    []func(*blobQueue) // changes of the photo queue
	after    []func()           // once stored, with the session's lock held
	// wantKeys: a version came sealed under a key generation this device
	// lacks; its keys are fetched once the change is stored.
	wantKeys bool
}

// commit is the one way the records on this device change. Holding the
// write lock, it runs fn with the session's lock held: fn changes the book
// and says through tx what to store. commit then seals the index docs of
// the records changed and writes everything in one IndexedDB transaction,
// and only then brings the lists in line and runs tx's after steps. If
// fn or the store fails, the book is put back as it was (book.Rollback):
// memory and storage agree, and the error says what to do.
//
// The session's lock is not held while IndexedDB writes: a screen
// waiting for it would stall the browser (Go under wasm cannot return to
// the event loop then). A screen may read a change a moment before it is
// stored; if storing fails, the change is taken back and screens told.
func (s *Session) commit(ctx context.Context, fn func(tx *writeTx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	bk := s.book
	if bk == nil {
		s.mu.Unlock()
		return ErrLocked
	}
	tx := &writeTx{s: s, bk: bk, docs: map[merge.Key]wire.Key{}, unlisted: map[merge.Key]bool{},
		change: localstore.Change{Records: map[string][]byte{}, Meta: map[string][]byte{}, Blobs: map[string][]byte{}}}
	bk.Begin()
	err := fn(tx)
	// fn changed the book: what is read of it until the store has the
	// change (the lock is let go meanwhile) is read again after.
	s.dropMoneyLocked()
	if err == nil && s.book != bk {
		err = ErrLocked // locked while fn let go of the lock (tx.unlocked)
	}
	var docs []indexDoc
	var q blobQueue
	if err == nil {
		docs, err = tx.sealDocs()
	}
	if err == nil {
		q = s.queueLocked(tx.change)
		for _, f := range tx.queue {
			f(&q)
		}
		err = s.putQueueLocked(&tx.change, q)
	}
	if err != nil || tx.empty() {
		if err != nil {
			bk.Rollback()
		} else {
			bk.Keep()
		}
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()

	err = s.cfg.Store.Commit(ctx, tx.change)

	s.mu.Lock()
	s.dropMoneyLocked() // kept, or taken back: read again either way
	if err != nil {
		bk.Rollback()
		s.mu.Unlock()
		s.changed() // a screen may have read the change meanwhile
		return storageFailed(err)
	}
	bk.Keep()
	if s.book == bk {
		s.committedLocked(tx.change, q)
		s.applyDocsLocked(docs)
		for _, f := range tx.after {
			f()
		}
	}
	s.mu.Unlock()
	if tx.wantKeys {
		go func() {
			if err := s.RefreshKeys(context.Background()); err != nil {
				s.log.Printf("fetch this member's keys for a version set aside: err=%v", err)
			}
		}()
	}
	return nil
}

// storageFailed is the error a person reads when this device's storage
// refuses a change.
func storageFailed(err error) error {
	what := "this tablet could not store the change, so it was not made"
	if strings.Contains(err.Error(), "QuotaExceeded") {
		what = "this tablet's storage is full, so the change was not made"
	}
	return fmt.Errorf("%s: free some space on the tablet (old photos, downloads or apps you do not use), "+
		"check on the Device screen that storage is kept for Pawfile, then try again (%w)", what, err)
}

// empty reports whether tx writes nothing.
func (tx *writeTx) empty() bool {
	c := tx.change
	return len(c.Records) == 0 && len(c.Later) == 0 && len(c.Meta) == 0 && len(c.Blobs) == 0 &&
		len(c.Enqueue) == 0 && len(c.Acked) == 0
}

// save saves v, changed from base (see book.Book.Save), as record id in
// the book and puts its new version in tx. It reports false if nothing
// changed.
func (tx *writeTx) save(id string, base, v any) (bool, error) {
	env, changed, err := tx.bk.Save(id, base, v)
	if err != nil || !changed {
		return false, err
	}
	typ := record.TypeOf(v)
	if err := tx.put(merge.Key{Class: typ.Class(), Type: typ, ID: id}, env, true); err != nil {
		return false, err
	}
	tx.s.stagedLocked(tx, v)
	return true, nil
}

// delete deletes record id of type typ and puts the deletion in tx.
func (tx *writeTx) delete(typ record.Type, id string) error {
	env, err := tx.bk.Delete(typ, id)
	if err != nil {
		return err
	}
	return tx.put(merge.Key{Class: typ.Class(), Type: typ, ID: id}, env, true)
}

// erase erases record id of type typ for good and puts the erasure in tx;
// its index doc row goes.
func (tx *writeTx) erase(typ record.Type, id string) error {
	env, err := tx.bk.Erase(typ, id)
	if err != nil {
		return fmt.Errorf("erase %s: %w", typ, err)
	}
	k := merge.Key{Class: typ.Class(), Type: typ, ID: id}
	tx.unlisted[k] = true
	return tx.put(k, env, true)
}

// put stores version env as the state of record k, and queues it for
// the server if send.
func (tx *writeTx) put(k merge.Key, env wire.Envelope, send bool) error {
	data, err := wire.MarshalEnvelope(&env)
	if err != nil {
		return err
	}
	rowsFor(&tx.change, env.Class)[rowKey(env.Key)] = data
	if send {
		tx.change.Enqueue = append(tx.change.Enqueue, localstore.Item{ID: env.OutboxID, Data: data})
	}
	tx.docs[k] = env.Key
	return nil
}

// unlocked runs f without the session's lock, for a long change that
// lets the screens read between its steps; ErrLocked if the session was
// locked meanwhile.
func (tx *writeTx) unlocked(f func()) error {
	tx.s.mu.Unlock()
	f()
	tx.s.mu.Lock()
	if tx.s.book != tx.bk {
		return ErrLocked
	}
	return nil
}

// sealDocs seals the index docs of the records tx changed into its rows,
// and returns them for the lists.
func (tx *writeTx) sealDocs() ([]indexDoc, error) {
	var docs []indexDoc
	for k, rk := range tx.docs {
		if !indexed(k.Type) {
			continue
		}
		d, row, ok, err := tx.s.docRowLocked(k, rk)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if tx.unlisted[k] {
			row = nil // no doc for what is gone
		}
		rowsFor(&tx.change, k.Class)[docPrefix+rowKey(rk)] = row
		docs = append(docs, d)
	}
	return docs, nil
}

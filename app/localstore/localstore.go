//go:build js && wasm

package localstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall/js"

	"github.com/hack-pad/go-indexeddb/idb"

	"pawfile/app/browser"
)

// Names of the object stores, and the schema version that creates them.
const (
	storeMeta    = "meta"
	storeRecords = "records"
	storeOutbox  = "outbox"
	storeBlobs   = "blobs"
	// storeLater holds Change.Later's rows, read apart (LaterRecords).
	storeLater = "later"

	// schemaVersion 2 added the later store; a store of version 1 gains
	// it, empty, on the first open.
	schemaVersion = 2
)

// outboxKey is an outbox id as its key: 16 hex digits, so that the
// string order IndexedDB keeps is the numeric order, over all of uint64
// (a number key would be a float64, exact only below 2^53).
func outboxKey(id uint64) string { return fmt.Sprintf("%016x", id) }

// allStores lists every object store of the schema.
var allStores = []string{storeMeta, storeRecords, storeOutbox, storeBlobs, storeLater}

// errClosed is returned by every method of a DB after Close.
var errClosed = errors.New("the local database is closed")

// DB is the device's local database. Its methods may be called from
// several goroutines; each call runs its own IndexedDB transaction.
type DB struct {
	db *idb.Database
	// raw is the same IDBDatabase connection as db, for the bulk reads
	// (getAll) that go-indexeddb does not wrap.
	raw    js.Value
	closed atomic.Bool
	// bg counts the compactions Records left running (see compactLater);
	// closing is closed by Close, which ends their wait.
	bg      sync.WaitGroup
	closing chan struct{}

	mu   sync.Mutex
	next segmentNumbers // see guesses
}

// unavailable wraps err, the reason IndexedDB could not be used at all,
// in a message that tells the person what to do.
func unavailable(err error) error {
	return fmt.Errorf("this browser blocks storage for this site: allow cookies and site data for it "+
		"in the browser's settings, or leave private browsing, then reload the page (%w)", err)
}

// factory returns the page's (or worker's) IndexedDB factory, or an error
// explaining that the browser does not allow storage here.
func factory() (*idb.Factory, error) {
	f, err := getGlobal("indexedDB")
	if err != nil {
		return nil, unavailable(err) // e.g. SecurityError in a sandboxed frame
	}
	if !f.Truthy() {
		return nil, unavailable(errors.New("IndexedDB is not available"))
	}
	return idb.WrapFactory(f)
}

// Open opens the database called name on this device, creating it and its
// object stores ("meta", "records", "later", "outbox", "blobs") the first
// time, and those a version before this one did not have.
//
// If the browser does not let the site store data (storage blocked in the
// settings, some private-browsing modes, sandboxed frames), the error says
// so and what the person can do about it.
func Open(ctx context.Context, name string) (*DB, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("localstore: open: %w", err)
	}
	f, err := factory()
	if err != nil {
		return nil, fmt.Errorf("localstore: open: %w", err)
	}
	var upgradeErr error
	req, err := f.Open(ctx, name, schemaVersion, func(d *idb.Database, _, _ uint) error {
		// go-indexeddb panics (ending the program) if this returns an
		// error. Closing the connection instead aborts the upgrade and
		// makes the open request fail.
		if upgradeErr = createStores(d); upgradeErr != nil {
			_ = d.Close()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("localstore: open: %w", unavailable(err))
	}
	// go-indexeddb's Await returns a nil error when ctx ends first, so
	// ctx is checked as well.
	d, err := req.Await(ctx)
	switch {
	case upgradeErr != nil:
		return nil, fmt.Errorf("localstore: open: creating the object stores: %w", upgradeErr)
	case ctx.Err() != nil:
		if err == nil {
			_ = d.Close() // in case it did open just before ctx ended
		}
		return nil, fmt.Errorf("localstore: open: %w", ctx.Err())
	case errors.Is(err, idb.NewDOMException("VersionError")):
		return nil, fmt.Errorf("localstore: open: the data on this device was written by a newer version "+
			"of the app; reload the page to update it (%w)", err)
	case err != nil:
		return nil, fmt.Errorf("localstore: open: %w", unavailable(err))
	}
	raw, err := req.Request.Result()
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("localstore: open: %w", err)
	}
	names, err := d.ObjectStoreNames()
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("localstore: open: %w", err)
	}
	for _, s := range allStores {
		if !slices.Contains(names, s) {
			_ = d.Close()
			return nil, fmt.Errorf("localstore: open: database %q has no %q object store; "+
				"it was not created by this package", name, s)
		}
	}
	return &DB{db: d, raw: raw, closing: make(chan struct{})}, nil
}

// createStores creates the object stores that d does not have yet. It runs
// inside the version-change transaction of Open.
func createStores(d *idb.Database) error {
	names, err := d.ObjectStoreNames()
	if err != nil {
		return err
	}
	for _, s := range allStores {
		if slices.Contains(names, s) {
			continue
		}
		// No key path and no key generator: every write names its key.
		if _, err := d.CreateObjectStore(s, idb.ObjectStoreOptions{}); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// Close closes the connection. Transactions already started still finish.
// Calling Close again does nothing; other methods then return an error.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	close(db.closing)
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("localstore: close: %w", err)
	}
	return nil
}

// Delete deletes the database called name and everything in it (a wipe).
// Connections to it opened by this package, in this page or another tab,
// close themselves so that the deletion is not blocked; a DB whose
// database was deleted returns errors from then on.
func Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("localstore: delete: %w", err)
	}
	f, err := factory()
	if err != nil {
		return fmt.Errorf("localstore: delete: %w", err)
	}
	req, err := f.DeleteDatabase(name)
	if err != nil {
		return fmt.Errorf("localstore: delete: %w", err)
	}
	err = req.Await(ctx)
	if ctx.Err() != nil {
		// Await returns nil when ctx ends first.
		return fmt.Errorf("localstore: delete: %w", ctx.Err())
	}
	if err != nil {
		return fmt.Errorf("localstore: delete: %w", err)
	}
	return nil
}

// check returns the error to give instead of starting an operation.
func (db *DB) check(ctx context.Context) error {
	if db.closed.Load() {
		return errClosed
	}
	return ctx.Err()
}

// get reads one value from store.
func (db *DB) get(ctx context.Context, store, key string) ([]byte, bool, error) {
	if err := db.check(ctx); err != nil {
		return nil, false, err
	}
	txn, err := db.db.Transaction(idb.TransactionReadOnly, store)
	if err != nil {
		return nil, false, err
	}
	st, err := txn.ObjectStore(store)
	if err != nil {
		return nil, false, err
	}
	req, err := st.Get(js.ValueOf(key))
	if err != nil {
		return nil, false, err
	}
	v, err := req.Await(ctx)
	if ctx.Err() != nil {
		// Await returns undefined and no error when ctx ends first.
		return nil, false, ctx.Err()
	}
	if err != nil {
		return nil, false, err
	}
	return bytesFromJS(v)
}

// readAll reads every key and value of store in one read-only transaction,
// with getAllKeys and getAll: two requests whatever the number of rows.
// Both come in key order.
func (db *DB) readAll(ctx context.Context, store string) (keys, values js.Value, err error) {
	if err := db.check(ctx); err != nil {
		return js.Value{}, js.Value{}, err
	}
	var txn, kreq, vreq js.Value
	err = browser.Try(func() {
		txn = db.raw.Call("transaction", store, "readonly")
		st := txn.Call("objectStore", store)
		kreq = st.Call("getAllKeys")
		vreq = st.Call("getAll")
	})
	if err != nil {
		if txn.Truthy() {
			_ = browser.Try(func() { txn.Call("abort") })
		}
		return js.Value{}, js.Value{}, err
	}
	if err := awaitTxn(ctx, txn); err != nil {
		return js.Value{}, js.Value{}, err
	}
	keys, values = kreq.Get("result"), vreq.Get("result")
	if n, m := keys.Length(), values.Length(); n != m {
		return js.Value{}, js.Value{}, fmt.Errorf("read %d keys but %d values", n, m)
	}
	return keys, values, nil
}

// Meta returns the value stored under name in the meta store; ok is false
// if there is none.
func (db *DB) Meta(ctx context.Context, name string) (value []byte, ok bool, err error) {
	value, ok, err = db.get(ctx, storeMeta, name)
	if err != nil {
		return nil, false, fmt.Errorf("localstore: meta %q: %w", name, err)
	}
	return value, ok, nil
}

// Outbox returns the items waiting in the outbox, in ascending ID order.
func (db *DB) Outbox(ctx context.Context) ([]Item, error) {
	keys, values, err := db.readAll(ctx, storeOutbox)
	if err != nil {
		return nil, fmt.Errorf("localstore: outbox: %w", err)
	}
	ks, err := stringsFromJS(keys)
	if err != nil {
		return nil, fmt.Errorf("localstore: outbox: %w", err)
	}
	vs, err := valuesFromJS(values)
	if err != nil {
		return nil, fmt.Errorf("localstore: outbox: %w", err)
	}
	items := make([]Item, len(ks))
	for i, k := range ks {
		id, err := strconv.ParseUint(k, 16, 64)
		if err != nil || len(k) != 16 {
			return nil, fmt.Errorf("localstore: outbox: key %q is not an outbox id", k)
		}
		items[i] = Item{ID: id, Data: vs[i]}
	}
	return items, nil
}

// Blob returns the data stored under hash in the blobs store; ok is false
// if there is none.
func (db *DB) Blob(ctx context.Context, hash string) (data []byte, ok bool, err error) {
	data, ok, err = db.get(ctx, storeBlobs, hash)
	if err != nil {
		return nil, false, fmt.Errorf("localstore: blob %q: %w", hash, err)
	}
	return data, ok, nil
}

// awaitWrite waits for a read-write transaction whose requests have all
// been made. If ctx ends first it tries to abort the transaction; the
// error then says whether that worked.
func awaitWrite(ctx context.Context, txn *idb.Transaction) error {
	err := txn.Await(ctx)
	if err == nil || ctx.Err() == nil {
		// A failed request aborts the transaction by itself.
		return err
	}
	if abortErr := txn.Abort(); abortErr != nil {
		return fmt.Errorf("%w, and the write may have been committed anyway (%v)", ctx.Err(), abortErr)
	}
	return fmt.Errorf("%w; nothing was written", ctx.Err())
}

// Package book is the unlocked workspace on a device: its records opened
// and merged in memory, local edits sealed into record versions for the
// outbox, and versions from other devices opened and merged in.
//
// Everything a Book hands out to be stored or sent is sealed; plaintext
// lives only in its memory, which Close drops.
package book

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// Book holds a workspace's records on a device.
type Book struct {
	workspace string
	keys      *seal.Keyring
	clock     *clock.Clock

	mu      sync.Mutex
	records map[merge.Key]*entry
	byKey   map[[32]byte]merge.Key
	// sealed holds stored states not opened yet, by record key: a device
	// with 100,000 records opens the few a screen needs, not all of them
	// at unlock.
	sealed map[[32]byte][]byte // wire.MarshalEnvelope form
	// unreadable names the records the book holds but cannot open: a
	// stored state that does not open, or fields that do not decode
	// (written by a newer app). They are counted, never dropped quietly.
	unreadable map[[32]byte]bool
	// journal holds, while a change is under way (Begin), how each
	// record it touched stood before: nil for one the book did not hold.
	journal map[merge.Key]*entry

	// held is the class whose stored states are still being added, from
	// Hold until loaded is closed; loadErr says why they could not be.
	held    record.Class
	loaded  chan struct{}
	loadErr error
}

type entry struct {
	rec *merge.Record
	// merged lists the server seqs of received versions folded into rec
	// since this device last sent one: its next version supersedes them.
	merged []uint64
}

// New returns an empty book for a workspace, with the keys its member
// holds and the device's clock.
func New(workspace string, keys *seal.Keyring, c *clock.Clock) *Book {
	return &Book{
		workspace: workspace, keys: keys, clock: c,
		records: map[merge.Key]*entry{}, byKey: map[[32]byte]merge.Key{}, sealed: map[[32]byte][]byte{},
		unreadable: map[[32]byte]bool{},
	}
}

// Hold has the book wait for the stored states of class c, which the
// caller goes on to add (AddSealed) and then calls Loaded: unlock lists
// the clients before it reads the years of bookings. Meanwhile a call
// that may touch a record of class c waits, as one that cannot tell its
// class does; the others go ahead. A save or a received version merged
// into a record whose stored state is not in yet would be written as if
// that state did not exist, and its fields would be lost. Hold must be
// called before the book is shared.
func (b *Book) Hold(c record.Class) {
	b.held, b.loaded = c, make(chan struct{})
}

// Loaded ends Hold, once: the held class's stored states are all in, or
// err says why they cannot be, and the book closes.
func (b *Book) Loaded(err error) {
	if err != nil {
		b.Close()
	}
	b.loadErr = err
	close(b.loaded)
}

// anyClass stands for the class of a record named by its record key
// alone, which the book cannot tell before it holds it.
const anyClass record.Class = 0

// await waits, if c is held (see Hold), until Loaded; it returns the
// error the load ended with.
func (b *Book) await(c record.Class) error {
	if b.loaded == nil || c != anyClass && c != b.held {
		return nil
	}
	<-b.loaded
	return b.loadErr
}

// Close drops the keys and every decrypted record from memory.
func (b *Book) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.keys, b.records, b.byKey, b.sealed, b.unreadable = nil, nil, nil, nil, nil
}

// ErrLocked is returned by a closed book.
var ErrLocked = errors.New("locked: unlock Pawfile with your passphrase to see your records")

// ErrNoKey is returned for a class this member holds no key for.
var ErrNoKey = errors.New("this role cannot open these records")

func keyOf(typ record.Type, id string) merge.Key {
	return merge.Key{Class: typ.Class(), Type: typ, ID: id}
}

// recordKey is the name the server knows a record by.
func (b *Book) recordKey(k merge.Key) [32]byte {
	return seal.RecordKey(b.keys.MAC, k.Class, k.Type, k.ID)
}

// Save validates v, a pointer to a record struct such as *record.Client,
// and writes what the person changed as one edit: the fields where v
// differs from base, the record as their screen showed it when they opened
// it. A field they did not change keeps whatever the book holds now, a
// newer edit from another device included: an edit is an intent, not a
// copy of the screen. A list field changes item by item, by the items added
// and removed between base and v.
//
// A nil base is the book's state now: for a new record, and for a change
// made right after reading the record, with nothing else applied between.
// A record the book does not hold live is written whole.
//
// It returns the version to queue for sending, and false if nothing
// changed. Validation errors are record.Errors, one per field.
func (b *Book) Save(id string, base, v any) (wire.Envelope, bool, error) {
	typ := record.TypeOf(v)
	if typ == "" {
		return wire.Envelope{}, false, fmt.Errorf("save: %T is not a record", v)
	}
	if err := b.await(typ.Class()); err != nil {
		return wire.Envelope{}, false, err
	}
	if rv := reflect.ValueOf(base); base != nil && rv.Kind() == reflect.Pointer && rv.IsNil() {
		base = nil // a typed nil: no base either
	}
	if base != nil && record.TypeOf(base) != typ {
		return wire.Envelope{}, false, fmt.Errorf("save %s: base is a %T", typ, base)
	}
	if !record.ValidID(id) {
		return wire.Envelope{}, false, fmt.Errorf("save %s: bad id %q", typ, id)
	}
	if err := record.Validate(v); err != nil {
		return wire.Envelope{}, false, err
	}
	sc, _ := record.SchemaOf(typ)
	fields, err := record.Encode(v)
	if err != nil {
		return wire.Envelope{}, false, fmt.Errorf("save %s: %w", typ, err)
	}
	var was map[string][]byte
	if base != nil {
		if was, err = record.Encode(base); err != nil {
			return wire.Envelope{}, false, fmt.Errorf("save %s: its base: %w", typ, err)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil {
		return wire.Envelope{}, false, ErrLocked
	}
	key := keyOf(typ, id)
	e := b.edit(key)
	if typ.AppendOnly() && !e.rec.Created.IsZero() {
		return wire.Envelope{}, false, fmt.Errorf("save %s: written once, never changed", typ)
	}
	ts := b.clock.Now()
	changed := false
	if !e.rec.Exists() {
		if e.rec.IsErased() {
			return wire.Envelope{}, false, fmt.Errorf("save %s: this record was erased", typ)
		}
		changed = e.rec.Create(ts)
		was = map[string][]byte{} // nothing is held: every field is written
	}
	if was == nil {
		was = e.rec.Values()
	}
	for _, f := range sc.Fields {
		old, ok := was[f.Name]
		if ok && bytes.Equal(old, fields[f.Name]) {
			continue
		}
		if !f.Kind.IsList() {
			if e.rec.Set(f.Name, fields[f.Name], ts) {
				changed = true
			}
			continue
		}
		var before, after []string
		if ok {
			if err := record.DecodeValue(old, &before); err != nil {
				return wire.Envelope{}, false, fmt.Errorf("save %s: %s as it was: %w", typ, f.Label, err)
			}
		}
		if err := record.DecodeValue(fields[f.Name], &after); err != nil {
			return wire.Envelope{}, false, fmt.Errorf("save %s: %s: %w", typ, f.Label, err)
		}
		for _, x := range before {
			if !slices.Contains(after, x) && e.rec.Remove(f.Name, x) {
				changed = true
			}
		}
		for _, x := range after {
			if !slices.Contains(before, x) && e.rec.Add(f.Name, x, ts) {
				changed = true
			}
		}
	}
	if !changed {
		return wire.Envelope{}, false, nil
	}
	env, err := b.sealLocked(e)
	return env, err == nil, err
}

// Begin starts a change of the book that may have to be taken back: from
// now until Keep or Rollback, the book notes how each record stood before
// its first edit, merge, deletion or restamp. Opening a stored state is
// not a change and is not noted. One change at a time: the caller
// serializes them.
func (b *Book) Begin() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.journal = map[merge.Key]*entry{}
}

// Keep ends the change begun by Begin, keeping it.
func (b *Book) Keep() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.journal = nil
}

// Rollback ends the change begun by Begin, putting every record it
// touched back as it stood before. A change whose versions never reached
// the local store must not stay in memory either: the book would show,
// and later send, what the device does not hold.
func (b *Book) Rollback() {
	b.mu.Lock()
	defer b.mu.Unlock()
	j := b.journal
	b.journal = nil
	if b.keys == nil {
		return
	}
	for key, was := range j {
		if was == nil {
			delete(b.records, key)
			delete(b.byKey, b.recordKey(key))
			continue
		}
		b.records[key] = was
	}
}

// noteLocked notes how the record under key stands, e (nil if the book
// does not hold it), before the change under way first alters it.
func (b *Book) noteLocked(key merge.Key, e *entry) {
	if b.journal == nil {
		return
	}
	if _, noted := b.journal[key]; noted {
		return
	}
	if e == nil {
		b.journal[key] = nil
		return
	}
	b.journal[key] = &entry{rec: e.rec.Clone(), merged: slices.Clone(e.merged)}
}

// Delete removes a record. Its fields are dropped; an edit made elsewhere
// before the delete arrives does not bring it back.
func (b *Book) Delete(typ record.Type, id string) (wire.Envelope, error) {
	return b.change(typ, id, (*merge.Record).Delete)
}

// Erase removes a record for good (a client's request, or retention): the
// erasure syncs to every device and the server, which refuses the record
// from then on.
func (b *Book) Erase(typ record.Type, id string) (wire.Envelope, error) {
	return b.change(typ, id, (*merge.Record).Erase)
}

func (b *Book) change(typ record.Type, id string, op func(*merge.Record, clock.Timestamp) bool) (wire.Envelope, error) {
	if err := b.await(typ.Class()); err != nil {
		return wire.Envelope{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil {
		return wire.Envelope{}, ErrLocked
	}
	if typ.AppendOnly() {
		return wire.Envelope{}, fmt.Errorf("%s %s: written once, never deleted", typ, id)
	}
	e, ok, err := b.get(keyOf(typ, id))
	if err != nil {
		return wire.Envelope{}, err
	}
	if !ok {
		return wire.Envelope{}, fmt.Errorf("%s %s: no such record", typ, id)
	}
	b.noteLocked(e.rec.Key, e)
	if !op(e.rec, b.clock.Now()) {
		return wire.Envelope{}, fmt.Errorf("%s %s: already gone", typ, id)
	}
	return b.sealLocked(e)
}

// AddSealed hands the book a record's stored state, as
// wire.MarshalEnvelope wrote it, under its record key, without even
// decoding it; the book opens it when the record is first asked for. A
// state the book cannot open then is dropped, as Apply would refuse it.
func (b *Book) AddSealed(recordKey [32]byte, state []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil {
		return ErrLocked
	}
	if _, ok := b.byKey[recordKey]; ok {
		_, _, err := b.openStoredLocked(recordKey, state)
		return err
	}
	b.sealed[recordKey] = state
	return nil
}

// Reserve makes room for n stored states that AddSealed is about to add:
// an unlock adds the 5-year shop's 100,000, and growing the map as they
// came was a tenth of the unlock's work on the rows (Chrome profile).
func (b *Book) Reserve(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.sealed) == 0 {
		b.sealed = make(map[[32]byte][]byte, n)
	}
}

// PutAway drops the opened form of the record filed under recordKey and
// keeps state, its stored state (wire.MarshalEnvelope form), to open
// again when a screen needs it, as unlock leaves every record. A new
// device receiving a shop's years of bookings need not hold each one
// decoded: in Chromium the 5-year shop's heap grew past 300 MB, and Go's
// collector took seconds of the page's only thread to walk it. It does
// nothing during a change (Begin), which may yet be taken back.
func (b *Book) PutAway(recordKey [32]byte, state []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	key, ok := b.byKey[recordKey]
	if !ok || b.journal != nil || b.unreadable[recordKey] {
		return
	}
	delete(b.records, key)
	delete(b.byKey, recordKey)
	b.sealed[recordKey] = state
}

// applyStoredLocked decodes and applies a stored state.
func (b *Book) applyStoredLocked(recordKey [32]byte, state []byte) (merge.Key, bool, error) {
	env, err := wire.UnmarshalEnvelope(state)
	if err != nil {
		return merge.Key{}, false, fmt.Errorf("stored state: %w", err)
	}
	if env.Key != recordKey {
		return merge.Key{}, false, errors.New("stored state: filed under another record")
	}
	return b.applyLocked(env)
}

// get returns a record's entry, opening its stored state if needed.
func (b *Book) get(key merge.Key) (*entry, bool, error) {
	if e, ok := b.records[key]; ok {
		return e, true, nil
	}
	rk := b.recordKey(key)
	state, ok := b.sealed[rk]
	if !ok {
		return nil, false, nil
	}
	delete(b.sealed, rk)
	if _, _, err := b.openStoredLocked(rk, state); err != nil {
		return nil, false, err
	}
	e, ok := b.records[key]
	return e, ok, nil
}

// openStoredLocked applies a stored state as it is opened: not a change,
// so a change under way does not note it.
func (b *Book) openStoredLocked(recordKey [32]byte, state []byte) (merge.Key, bool, error) {
	j := b.journal
	b.journal = nil
	defer func() { b.journal = j }()
	key, changed, err := b.applyStoredLocked(recordKey, state)
	if err != nil {
		b.unreadable[recordKey] = true
	}
	return key, changed, err
}

// Unreadable counts the records the book holds but cannot open: stored
// states that do not open, and records whose fields do not decode. A
// version that opens later (from the server, or after an update of the
// app) takes a record off the count.
func (b *Book) Unreadable() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.unreadable)
}

// openAllLocked opens every stored state: for the few questions only
// all records answer.
func (b *Book) openAllLocked() {
	for rk, state := range b.sealed {
		delete(b.sealed, rk)
		b.openStoredLocked(rk, state)
	}
}

// edit returns the entry of the record under key, to be changed, creating
// it if the book does not hold it.
func (b *Book) edit(key merge.Key) *entry {
	return b.editAt(key, b.recordKey(key))
}

// editAt is edit for a caller that has the record's key rk at hand,
// checked against key: deriving it again for every version received was
// a good part of a new device's download.
func (b *Book) editAt(key merge.Key, rk [32]byte) *entry {
	if _, ok := b.records[key]; !ok {
		if state, ok := b.sealed[rk]; ok {
			delete(b.sealed, rk)
			// One that does not open is counted (Unreadable); the record
			// is then written afresh, as edit always did.
			b.openStoredLocked(rk, state)
		}
	}
	e, ok := b.records[key]
	if !ok {
		b.noteLocked(key, nil)
		e = &entry{rec: merge.New(key)}
		b.records[key] = e
		b.byKey[rk] = key
	} else {
		b.noteLocked(key, e)
	}
	return e
}

// sealLocked seals the record's whole state as a new version. Its
// timestamp is fresh, so its author is this device.
func (b *Book) sealLocked(e *entry) (wire.Envelope, error) {
	ck, ok := b.keys.Current(e.rec.Key.Class)
	if !ok {
		return wire.Envelope{}, ErrNoKey
	}
	plain, err := merge.Encode(e.rec)
	if err != nil {
		return wire.Envelope{}, err
	}
	ts := b.clock.Now()
	h := seal.Header{Workspace: b.workspace, RecordKey: b.recordKey(e.rec.Key), TS: ts, KeyID: ck.ID, Format: merge.Format,
		Erased: e.rec.IsErased()}
	env := wire.Envelope{
		Class: e.rec.Key.Class, Key: h.RecordKey, TS: ts, KeyID: ck.ID, Format: merge.Format,
		OutboxID: OutboxID(ts), Supersedes: e.merged, Sealed: seal.Seal(ck.Key, h, plain),
		Erased: e.rec.IsErased(),
	}
	e.merged = nil
	return env, nil
}

// Restamp is for a version the server refused because this device's
// clock ran ahead: it rewinds the clock, moves the record's timestamps
// that are still ahead to fresh ones and seals the result as the version
// to send instead. False if nothing was ahead.
func (b *Book) Restamp(recordKey [32]byte) (wire.Envelope, bool, error) {
	if err := b.await(anyClass); err != nil {
		return wire.Envelope{}, false, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil {
		return wire.Envelope{}, false, ErrLocked
	}
	if state, ok := b.sealed[recordKey]; ok {
		delete(b.sealed, recordKey)
		if _, _, err := b.openStoredLocked(recordKey, state); err != nil {
			return wire.Envelope{}, false, err
		}
	}
	key, ok := b.byKey[recordKey]
	if !ok {
		return wire.Envelope{}, false, errors.New("restamp: no such record")
	}
	e := b.records[key]
	b.noteLocked(key, e)
	b.clock.Rewind()
	if !e.rec.Restamp(b.clock.Now(), b.clock.Now) {
		return wire.Envelope{}, false, nil
	}
	env, err := b.sealLocked(e)
	return env, err == nil, err
}

// OutboxID names a version for the server's idempotency check. It comes
// from the version's timestamp, which is unique on the device and keeps
// rising even if the local store is wiped and rebuilt.
func OutboxID(ts clock.Timestamp) uint64 {
	return uint64(ts.Wall)<<20 | uint64(ts.Counter&(1<<20-1))
}

// Apply opens a version from the server (or the local store) and merges it
// in. It reports which record it was and whether anything changed. A
// version of a class this member holds no key for returns ErrNoKey.
func (b *Book) Apply(env wire.Envelope) (merge.Key, bool, error) {
	// A record keeps the class it was first known in (see applyLocked),
	// which may be the held one whatever env declares.
	if err := b.await(anyClass); err != nil {
		return merge.Key{}, false, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil {
		return merge.Key{}, false, ErrLocked
	}
	if stored, ok := b.sealed[env.Key]; ok {
		delete(b.sealed, env.Key)
		// A stored state that does not open is counted (Unreadable); the
		// version, a whole state, may still mend the record.
		b.openStoredLocked(env.Key, stored)
	}
	return b.applyLocked(env)
}

func (b *Book) applyLocked(env wire.Envelope) (merge.Key, bool, error) {
	// A record keeps the class it was first known in, whatever a version
	// of it declares.
	if k, ok := b.byKey[env.Key]; ok && k.Class != env.Class {
		return merge.Key{}, false, fmt.Errorf("version %d: a %s version of a %s record", env.Seq, env.Class, k.Class)
	}
	key, ok := b.keys.Lookup(env.Class, env.KeyID)
	if !ok {
		return merge.Key{}, false, ErrNoKey
	}
	h := seal.Header{Workspace: b.workspace, RecordKey: env.Key, TS: env.TS, KeyID: env.KeyID, Format: env.Format, Erased: env.Erased}
	plain, err := seal.Open(key, h, env.Sealed)
	if err != nil && env.Erased {
		// An erasure marker sealed before the flag was bound: its
		// content must say erased (checked below).
		h.Erased = false
		plain, err = seal.Open(key, h, env.Sealed)
	}
	if err != nil {
		return merge.Key{}, false, fmt.Errorf("open version %d: %w", env.Seq, err)
	}
	rec, err := merge.Decode(plain)
	if err != nil {
		return merge.Key{}, false, fmt.Errorf("version %d: %w", env.Seq, err)
	}
	// The sealed content must be the record the envelope names: a member
	// holding the key must not be able to overwrite one record with
	// another's content under its name. And it must say erased exactly
	// when the envelope does: the device deletes photos on that word.
	// byKey holds only record keys derived here from the record they
	// name, so a record already known is checked without deriving its key
	// again (an HMAC per version, a second's worth on a new tablet).
	if rec.Key.Class != env.Class || b.byKey[env.Key] != rec.Key && b.recordKey(rec.Key) != [32]byte(env.Key) {
		return merge.Key{}, false, fmt.Errorf("version %d: its content names another record", env.Seq)
	}
	if rec.IsErased() != env.Erased {
		return merge.Key{}, false, fmt.Errorf("version %d: marked erased %v, but its content says %v", env.Seq, env.Erased, rec.IsErased())
	}
	e := b.editAt(rec.Key, env.Key)
	if rec.Key.Type.AppendOnly() && !e.rec.Created.IsZero() {
		// The deletion log only grows: a version that would change an
		// entry held here, or delete or erase it, is refused.
		if probe := e.rec.Clone(); changedBy(probe, rec) {
			return merge.Key{}, false, fmt.Errorf("version %d: changes %s %s, which is written once", env.Seq, rec.Key.Type, rec.Key.ID)
		}
	}
	b.clock.Observe(rec.Latest())
	name := rec.Key
	changed, err := e.rec.Take(rec) // rec is this call's own decode
	if err != nil {
		return merge.Key{}, false, err
	}
	delete(b.unreadable, env.Key)
	if env.Seq != 0 && !slices.Contains(e.merged, env.Seq) && len(e.merged) < wire.MaxSupersedes {
		e.merged = append(e.merged, env.Seq)
	}
	// A state read back from the local store carries, as Supersedes, the
	// seqs it had merged but not yet superseded.
	e.merged = append(e.merged, env.Supersedes...)
	slices.Sort(e.merged)
	e.merged = slices.Compact(e.merged)
	if len(e.merged) > wire.MaxSupersedes {
		e.merged = e.merged[len(e.merged)-wire.MaxSupersedes:]
	}
	return name, changed, nil
}

// changedBy reports whether merging o would change r (which it changes).
func changedBy(r, o *merge.Record) bool {
	changed, err := r.Merge(o)
	return changed || err != nil
}

// Known reports whether the book holds a record under the server's name
// for it, live or not.
func (b *Book) Known(recordKey [32]byte) bool {
	if b.await(anyClass) != nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	_, opened := b.byKey[recordKey]
	_, stored := b.sealed[recordKey]
	return opened || stored
}

// Load fills v, a pointer to a record struct, with record id. It reports
// false if there is no such live record.
func (b *Book) Load(id string, v any) (bool, error) {
	typ := record.TypeOf(v)
	if err := b.await(typ.Class()); err != nil {
		return false, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil {
		return false, ErrLocked
	}
	key := keyOf(typ, id)
	e, ok, err := b.get(key)
	if err != nil || !ok || !e.rec.Exists() {
		return false, err
	}
	if err := record.DecodeFunc(e.rec.Get, v); err != nil {
		b.unreadable[b.recordKey(key)] = true
		return true, fmt.Errorf("%s %s: %w", typ, id, err)
	}
	return true, nil
}

// Record returns a copy of a record's replicated state, live or not: the
// history screens read timestamps and authors from it.
func (b *Book) Record(typ record.Type, id string) (*merge.Record, bool) {
	return b.RecordIn(typ.Class(), typ, id)
}

// RecordIn is Record for a record of typ filed under class c: one written
// before its type moved to another class, which the book keeps apart.
func (b *Book) RecordIn(c record.Class, typ record.Type, id string) (*merge.Record, bool) {
	if b.await(c) != nil {
		return nil, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil {
		return nil, false
	}
	e, ok, err := b.get(merge.Key{Class: c, Type: typ, ID: id})
	if err != nil || !ok {
		return nil, false
	}
	return e.rec.Clone(), true
}

// IDs returns the ids of the live records of a type, in no set order. It
// opens every stored state: slow on a big book.
func (b *Book) IDs(typ record.Type) []string { return b.IDsIn(typ.Class(), typ) }

// IDsIn is IDs for records of typ filed under class c (see RecordIn).
func (b *Book) IDsIn(c record.Class, typ record.Type) []string {
	if b.await(c) != nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.openAllLocked()
	var ids []string
	for k, e := range b.records {
		if k.Class == c && k.Type == typ && e.rec.Exists() {
			ids = append(ids, k.ID)
		}
	}
	return ids
}

// State seals record k's current state for the local store: the version
// the device would send now, without asking it to be sent. k names the
// class too: a record filed under a class its type has left is found.
func (b *Book) State(k merge.Key) (wire.Envelope, error) {
	if err := b.await(k.Class); err != nil {
		return wire.Envelope{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil {
		return wire.Envelope{}, ErrLocked
	}
	e, ok, err := b.get(k)
	if err != nil {
		return wire.Envelope{}, err
	}
	if !ok {
		return wire.Envelope{}, fmt.Errorf("%s: no such record", k)
	}
	merged := e.merged
	env, err := b.sealLocked(e)
	e.merged = merged
	env.Supersedes = merged
	return env, err
}

// BlobRefs returns the blobs (photos) the live record filed under
// recordKey names, opening its stored state if need be: before a record
// is erased, so that its photos go with it.
func (b *Book) BlobRefs(recordKey [32]byte) []string {
	if b.await(anyClass) != nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil {
		return nil
	}
	if state, ok := b.sealed[recordKey]; ok {
		delete(b.sealed, recordKey)
		b.openStoredLocked(recordKey, state)
	}
	key, ok := b.byKey[recordKey]
	sc, known := record.SchemaOf(key.Type)
	e := b.records[key]
	if !ok || !known || e == nil || !e.rec.Exists() {
		return nil
	}
	// Only the fields that name blobs are decoded: a new tablet asks this
	// of every pet it receives, and decoding whole records took an eighth
	// of the download.
	var refs []string
	for name := range sc.BlobFields() {
		var ref string
		if c, ok := e.rec.Fields[name]; ok && record.DecodeValue(c.Value, &ref) == nil && ref != "" {
			refs = append(refs, ref)
		}
	}
	return refs
}

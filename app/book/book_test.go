package book

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

func newBooks(t *testing.T) (*Book, *Book, *seal.Keyring) {
	t.Helper()
	keys := seal.NewKeyring()
	return New("ws1", keys, clock.New(1, nil)), New("ws1", keys, clock.New(2, nil)), keys
}

func mustSave(t *testing.T, b *Book, id string, v any) wire.Envelope {
	t.Helper()
	env, ok, err := b.Save(id, nil, v)
	if err != nil || !ok {
		t.Fatalf("save %s: ok=%v err=%v", id, ok, err)
	}
	return env
}

func apply(t *testing.T, b *Book, envs ...wire.Envelope) {
	t.Helper()
	for _, env := range envs {
		if _, _, err := b.Apply(env); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEditsOnTwoDevicesMerge(t *testing.T) {
	a, b, _ := newBooks(t)
	id := record.NewID()
	first := mustSave(t, a, id, &record.Client{Name: "Ann Smith", Phones: []string{"01234 567890"}})
	apply(t, b, first)

	var onA, onB record.Client
	a.Load(id, &onA)
	b.Load(id, &onB)
	onA.Notes = "Prefers mornings" // different fields, edited offline on both
	onB.Phones = []string{"07700 900123"}
	va := mustSave(t, a, id, &onA)
	vb := mustSave(t, b, id, &onB)
	apply(t, a, vb)
	apply(t, b, va)

	for _, bk := range []*Book{a, b} {
		var c record.Client
		if ok, err := bk.Load(id, &c); !ok || err != nil {
			t.Fatalf("load: %v %v", ok, err)
		}
		if c.Notes != "Prefers mornings" || len(c.Phones) != 1 || c.Phones[0] != "07700 900123" || c.Name != "Ann Smith" {
			t.Fatalf("merged client: %+v", c)
		}
	}
}

func TestSaveValidatesAndSkipsNoChange(t *testing.T) {
	a, _, _ := newBooks(t)
	_, _, err := a.Save(record.NewID(), nil, &record.Client{Phones: []string{"0123456789012345678901234567890"}})
	var errs record.Errors
	if !errors.As(err, &errs) || errs.On("name") == "" || errs.On("phones") == "" {
		t.Fatalf("want field errors on name and phones, got %v", err)
	}
	id := record.NewID()
	mustSave(t, a, id, &record.Client{Name: "Bo"})
	if _, ok, err := a.Save(id, nil, &record.Client{Name: "Bo"}); ok || err != nil {
		t.Fatalf("an unchanged save made a version: ok=%v err=%v", ok, err)
	}
}

func TestVersionsAreSealed(t *testing.T) {
	a, _, keys := newBooks(t)
	id := record.NewID()
	env := mustSave(t, a, id, &record.Client{Name: "Very Secret Name"})
	if len(env.Sealed) == 0 || containsBytes(env.Sealed, "Very Secret Name") || containsBytes(env.Sealed, id) {
		t.Fatal("the client's name or id is readable in the version")
	}
	if env.Class != record.ClassClient || env.Key != wire.Key(seal.RecordKey(keys.MAC, record.ClassClient, record.TypeClient, id)) {
		t.Fatalf("class %v, key %x", env.Class, env.Key)
	}
}

func containsBytes(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return true
		}
	}
	return false
}

func TestRoleWithoutKeyCannotOpen(t *testing.T) {
	keys := seal.NewKeyring()
	owner := New("ws1", keys, clock.New(1, nil))
	groomer := New("ws1", keys.Only(record.ClassCare, record.ClassProject), clock.New(2, nil))
	client := mustSave(t, owner, record.NewID(), &record.Client{Name: "Ann"})
	pet := mustSave(t, owner, record.NewID(), &record.Pet{Client: "c1", Name: "Rex"})
	if _, _, err := groomer.Apply(client); !errors.Is(err, ErrNoKey) {
		t.Fatalf("groomer opened a client record: %v", err)
	}
	apply(t, groomer, pet)
	if _, _, err := groomer.Save(record.NewID(), nil, &record.Client{Name: "Bob"}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("groomer wrote a client record: %v", err)
	}
}

func TestApplyRefusesMovedContent(t *testing.T) {
	a, b, _ := newBooks(t)
	v1 := mustSave(t, a, record.NewID(), &record.Client{Name: "Ann"})
	v2 := mustSave(t, a, record.NewID(), &record.Client{Name: "Bob"})
	moved := v1
	moved.Key = v2.Key
	if _, _, err := b.Apply(moved); err == nil {
		t.Fatal("a version under another record's key was applied")
	}
	other := New("ws2", seal.NewKeyring(), clock.New(3, nil))
	if _, _, err := other.Apply(v1); err == nil {
		t.Fatal("another workspace opened the version")
	}
}

func TestDeleteAndErase(t *testing.T) {
	a, b, _ := newBooks(t)
	id := record.NewID()
	apply(t, b, mustSave(t, a, id, &record.Client{Name: "Ann"}))
	var c record.Client
	b.Load(id, &c)
	c.Notes = "edited offline on b"
	late := mustSave(t, b, id, &c)

	del, err := a.Delete(record.TypeClient, id)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, a, late) // the concurrent edit arrives after the delete
	apply(t, b, del)
	for _, bk := range []*Book{a, b} {
		if ok, _ := bk.Load(id, &c); ok {
			t.Fatal("an edit brought a deleted client back")
		}
	}

	id2 := record.NewID()
	apply(t, b, mustSave(t, a, id2, &record.Client{Name: "Erase Me"}))
	er, err := a.Erase(record.TypeClient, id2)
	if err != nil || !er.Erased {
		t.Fatalf("erase: %+v %v", er.Erased, err)
	}
	apply(t, b, er)
	rec, _ := b.Record(record.TypeClient, id2)
	if !rec.IsErased() || len(rec.Fields) != 0 {
		t.Fatalf("erased record still holds %d fields", len(rec.Fields))
	}
	if _, _, err := b.Save(id2, nil, &record.Client{Name: "Back"}); err == nil {
		t.Fatal("an erased record was written again")
	}
}

func TestSupersedesWhatWasMerged(t *testing.T) {
	a, b, _ := newBooks(t)
	id := record.NewID()
	v := mustSave(t, a, id, &record.Pet{Client: "c1", Name: "Rex"})
	v.Seq = 41
	apply(t, b, v)
	w := mustSave(t, b, id, &record.Pet{Client: "c1", Name: "Rex", Breed: "Collie"})
	if len(w.Supersedes) != 1 || w.Supersedes[0] != 41 {
		t.Fatalf("supersedes = %v, want [41]", w.Supersedes)
	}
	w2 := mustSave(t, b, id, &record.Pet{Client: "c1", Name: "Rex", Breed: "Border Collie"})
	if len(w2.Supersedes) != 0 {
		t.Fatalf("a second edit re-supersedes %v", w2.Supersedes)
	}
	if OutboxID(w2.TS) <= OutboxID(w.TS) {
		t.Fatal("outbox ids do not rise")
	}
}

func TestStateReloadsIntoAFreshBook(t *testing.T) {
	a, _, keys := newBooks(t)
	id := record.NewID()
	mustSave(t, a, id, &record.Client{Name: "Ann", Tags: []string{"vip"}})
	st, err := a.State(merge.Key{Class: record.ClassClient, Type: record.TypeClient, ID: id})
	if err != nil {
		t.Fatal(err)
	}
	fresh := New("ws1", keys, clock.New(1, nil))
	apply(t, fresh, st)
	var c record.Client
	if ok, _ := fresh.Load(id, &c); !ok || c.Name != "Ann" || c.Tags[0] != "vip" {
		t.Fatalf("reloaded: %+v", c)
	}
	a.Close()
	if _, _, err := a.Save(id, nil, &c); !errors.Is(err, ErrLocked) {
		t.Fatalf("a closed book saved: %v", err)
	}
}

func TestKnown(t *testing.T) {
	a, b, _ := newBooks(t)
	env := mustSave(t, a, record.NewID(), &record.Client{Name: "Ann"})
	if !a.Known(env.Key) {
		t.Error("the author's book does not know the record it saved")
	}
	if b.Known(env.Key) {
		t.Error("another book knows the record before receiving it")
	}
	apply(t, b, env)
	if !b.Known(env.Key) {
		t.Error("a book does not know a record it received")
	}
}

// A book handed stored states opens each only when asked, and merges a
// received version into a stored state it has not opened yet.
func TestSealedStatesOpenOnDemand(t *testing.T) {
	a, b, keys := newBooks(t)
	id := record.NewID()
	stored := mustSave(t, a, id, &record.Client{Name: "Ann", Notes: "stored"})
	pet := mustSave(t, a, record.NewID(), &record.Pet{Client: id, Name: "Bella"})

	lazy := New("ws1", keys, clock.New(3, nil))
	for _, env := range []wire.Envelope{stored, pet} {
		b, err := wire.MarshalEnvelope(&env)
		if err != nil {
			t.Fatal(err)
		}
		if err := lazy.AddSealed(env.Key, b); err != nil {
			t.Fatal(err)
		}
	}
	if !lazy.Known(stored.Key) {
		t.Error("a stored state is not known")
	}
	// Another device edits the client; its version arrives first.
	apply(t, b, stored)
	var c record.Client
	b.Load(id, &c)
	c.Phones = []string{"01632 960001"}
	edit := mustSave(t, b, id, &c)
	if _, changed, err := lazy.Apply(edit); err != nil || !changed {
		t.Fatalf("apply onto a stored state: %v, %v", changed, err)
	}
	var got record.Client
	if ok, err := lazy.Load(id, &got); !ok || err != nil || got.Notes != "stored" || len(got.Phones) != 1 {
		t.Fatalf("merged = %+v (%v, %v)", got, ok, err)
	}
	if ids := lazy.IDs(record.TypePet); len(ids) != 1 {
		t.Errorf("IDs(pet) = %v, want the stored pet", ids)
	}
	// A damaged stored state is dropped, not fatal.
	bad := stored
	bad.Sealed = append([]byte{}, stored.Sealed...)
	bad.Sealed[len(bad.Sealed)-1] ^= 1
	lazy2 := New("ws1", keys, clock.New(4, nil))
	raw, _ := wire.MarshalEnvelope(&bad)
	lazy2.AddSealed(bad.Key, raw)
	if ok, err := lazy2.Load(id, &got); ok || err == nil {
		t.Errorf("a damaged state loaded: %v, %v", ok, err)
	}
	// A state filed under another record's key is refused.
	lazy3 := New("ws1", keys, clock.New(5, nil))
	raw, _ = wire.MarshalEnvelope(&pet)
	lazy3.AddSealed(stored.Key, raw)
	if ok, err := lazy3.Load(id, &got); ok || err == nil {
		t.Errorf("a state filed under another key loaded: %v, %v", ok, err)
	}
}

// A tablet whose clock ran 3 h ahead wrote a client; the server refused
// the version. Restamp gives a version the server accepts, and the edit
// no longer wins over later edits made elsewhere.
func TestRestampAfterSkew(t *testing.T) {
	server := time.Now()
	keys := seal.NewKeyring()
	ahead := New("ws1", keys, clock.New(1, func() time.Time { return time.Now().Add(3 * time.Hour) }))
	id := record.NewID()
	env := mustSave(t, ahead, id, &record.Client{Name: "Ann"})
	if clock.Check(env.TS, server, clock.MaxSkew) == nil {
		t.Fatal("the skewed version passes the check")
	}
	ahead.clock.Sync(server)
	again, ok, err := ahead.Restamp(env.Key)
	if err != nil || !ok {
		t.Fatalf("Restamp: %v, %v", ok, err)
	}
	if err := clock.Check(again.TS, time.Now(), clock.MaxSkew); err != nil {
		t.Fatalf("restamped version: %v", err)
	}
	rec, _ := ahead.Record(record.TypeClient, id)
	for name, c := range rec.Fields {
		if clock.Check(c.TS, time.Now(), clock.MaxSkew) != nil {
			t.Errorf("field %s still stamped ahead: %v", name, c.TS)
		}
	}
	if _, ok, _ := ahead.Restamp(env.Key); ok {
		t.Error("a second Restamp found something ahead")
	}
}

// A change whose version could not be stored is rolled back: a new record
// disappears, an edited one is as it was, and what was received from
// others and merged is still superseded by the next version.
func TestRollback(t *testing.T) {
	a, b, _ := newBooks(t)
	kept, added := record.NewID(), record.NewID()
	mustSave(t, a, kept, &record.Client{Name: "Ann"})
	fromB := mustSave(t, b, kept, &record.Client{Name: "Ann", Notes: "from b"})
	fromB.Seq = 42
	apply(t, a, fromB)

	a.Begin()
	mustSave(t, a, kept, &record.Client{Name: "Ann Changed", Notes: "from b"})
	mustSave(t, a, added, &record.Client{Name: "Bo"})
	fromB2 := mustSave(t, b, record.NewID(), &record.Client{Name: "Cy"})
	apply(t, a, fromB2)
	a.Rollback()

	var c record.Client
	if ok, _ := a.Load(added, &c); ok || slices.Contains(a.IDs(record.TypeClient), added) {
		t.Errorf("the rolled-back new record is still there: %+v", c)
	}
	if ok, _ := a.Load(kept, &c); !ok || c.Name != "Ann" || c.Notes != "from b" {
		t.Errorf("the rolled-back edit: %v %+v", ok, c)
	}
	env := mustSave(t, a, kept, &record.Client{Name: "Ann Again", Notes: "from b"})
	if !slices.Equal(env.Supersedes, []uint64{42}) {
		t.Errorf("the next version supersedes %v, want [42]", env.Supersedes)
	}
	if a.Known(fromB2.Key) {
		t.Error("a version merged during the rolled-back change is still there")
	}
	// The same id can be created again.
	mustSave(t, a, added, &record.Client{Name: "Bo"})

	// A kept change stays, and a rollback after it has nothing to undo.
	a.Begin()
	mustSave(t, a, added, &record.Client{Name: "Bo Kept"})
	a.Keep()
	a.Rollback()
	if ok, _ := a.Load(added, &c); !ok || c.Name != "Bo Kept" {
		t.Errorf("the kept change: %v %+v", ok, c)
	}
}

// A stored state that does not open is counted, never dropped quietly,
// and a version of the record from the server mends it.
func TestUnreadableIsCountedAndMended(t *testing.T) {
	a, b, _ := newBooks(t)
	id := record.NewID()
	env := mustSave(t, b, id, &record.Client{Name: "Ann"})
	if err := a.AddSealed(env.Key, []byte("damaged")); err != nil {
		t.Fatal(err)
	}
	var c record.Client
	if ok, err := a.Load(id, &c); ok || err == nil {
		t.Fatalf("a damaged state loads: %v %v", ok, err)
	}
	if n := a.Unreadable(); n != 1 {
		t.Fatalf("unreadable = %d, want 1", n)
	}
	env.Seq = 9
	apply(t, a, env)
	if ok, err := a.Load(id, &c); !ok || err != nil || c.Name != "Ann" {
		t.Fatalf("after the server's version: %v %v %+v", ok, err, c)
	}
	if n := a.Unreadable(); n != 0 {
		t.Errorf("unreadable = %d after the record was mended, want 0", n)
	}
}

func TestSaveWritesWhatDiffersFromBase(t *testing.T) {
	a, b, _ := newBooks(t)
	id := record.NewID()
	apply(t, b, mustSave(t, a, id, &record.Client{Name: "Ann", Phones: []string{"0100"}, Tags: []string{"vip"}}))
	var shown record.Client
	a.Load(id, &shown)
	base := shown
	base.Phones, base.Tags = slices.Clone(shown.Phones), slices.Clone(shown.Tags)

	var onB record.Client
	b.Load(id, &onB)
	onB.Name, onB.Tags = "Ann Smith", []string{"vip", "mobile"}
	env, ok, err := b.Save(id, nil, &onB)
	if err != nil || !ok {
		t.Fatalf("save on b: %v %v", ok, err)
	}
	apply(t, a, env)

	shown.Notes, shown.Tags = "Prefers mornings", nil // a, from what it showed: a note, vip removed
	if _, ok, err := a.Save(id, &base, &shown); err != nil || !ok {
		t.Fatalf("save on a: %v %v", ok, err)
	}
	var got record.Client
	a.Load(id, &got)
	if got.Name != "Ann Smith" || got.Notes != "Prefers mornings" || !slices.Equal(got.Tags, []string{"mobile"}) {
		t.Fatalf("got %+v: want b's name, a's note, b's new tag without the vip a removed", got)
	}
	if _, _, err := a.Save(id, &record.Pet{}, &shown); err == nil {
		t.Fatal("a base of another type was taken")
	}
	if _, ok, err := a.Save(id, (*record.Client)(nil), &got); ok || err != nil {
		t.Fatalf("a typed nil base, unchanged record: ok=%v err=%v", ok, err)
	}
}

// The deletion log only grows: an entry is never changed, deleted or
// erased here, and a version from elsewhere that would change one held
// here is refused.
func TestDeletionLogIsAppendOnly(t *testing.T) {
	a, b, keys := newBooks(t)
	id := record.NewID()
	when := record.InstantOf(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	first := mustSave(t, a, id, &record.Deletion{When: when, Clients: 2})
	apply(t, b, first)
	if _, _, err := b.Save(id, nil, &record.Deletion{When: when, Clients: 0}); err == nil {
		t.Error("a deletion record was changed")
	}
	if _, err := b.Delete(record.TypeDeletion, id); err == nil {
		t.Error("a deletion record was deleted")
	}
	if _, err := b.Erase(record.TypeDeletion, id); err == nil {
		t.Error("a deletion record was erased")
	}
	// Another device writes the same id anew, with other counts.
	c := New("ws1", keys, clock.New(3, nil))
	rewrite := mustSave(t, c, id, &record.Deletion{When: when, Clients: 0})
	if _, _, err := a.Apply(rewrite); err == nil {
		t.Error("a version changing a deletion record was applied")
	}
	var d record.Deletion
	if ok, err := a.Load(id, &d); !ok || err != nil || d.Clients != 2 {
		t.Errorf("the deletion record after a rewrite: %v %v %+v", ok, err, d)
	}
	apply(t, a, first) // the same version again changes nothing: taken
}

// A received record put away (kept sealed, as unlock leaves records)
// reads, lists and merges as before, and a later edit still supersedes
// the version it was received as. During a change it is not put away.
func TestPutAway(t *testing.T) {
	a, b, _ := newBooks(t)
	id := record.NewID()
	v := mustSave(t, a, id, &record.Pet{Client: "c1", Name: "Rex"})
	v.Seq = 41
	apply(t, b, v)
	state, err := wire.MarshalEnvelope(&v)
	if err != nil {
		t.Fatal(err)
	}

	b.Begin()
	b.PutAway(v.Key, state)
	if len(b.sealed) != 0 {
		t.Error("put away during a change, which may yet be taken back")
	}
	b.Keep()
	b.PutAway(v.Key, state)
	if _, opened := b.byKey[v.Key]; opened || b.sealed[v.Key] == nil {
		t.Fatal("the record is still held opened after PutAway")
	}
	if !b.Known(v.Key) {
		t.Error("a record put away is not known")
	}
	if ids := b.IDs(record.TypePet); !slices.Equal(ids, []string{id}) {
		t.Errorf("IDs(pet) = %v, want [%s]", ids, id)
	}
	b.PutAway(v.Key, state)
	var p record.Pet
	if ok, err := b.Load(id, &p); !ok || err != nil || p.Name != "Rex" {
		t.Fatalf("load after PutAway: %+v (%v, %v)", p, ok, err)
	}
	// Another device's edit merges into it once put away again.
	b.PutAway(v.Key, state)
	edit := mustSave(t, a, id, &record.Pet{Client: "c1", Name: "Rex", Breed: "Collie"})
	edit.Seq = 42
	apply(t, b, edit)
	if ok, _ := b.Load(id, &p); !ok || p.Breed != "Collie" {
		t.Fatalf("load after a merge into a record put away: %+v", p)
	}
	// This device's edit of a record put away supersedes what it merged.
	state, err = wire.MarshalEnvelope(&v)
	if err != nil {
		t.Fatal(err)
	}
	c := New("ws1", b.keys, clock.New(3, nil))
	apply(t, c, v)
	c.PutAway(v.Key, state)
	w := mustSave(t, c, id, &record.Pet{Client: "c1", Name: "Rex", Coat: "curly"})
	if !slices.Equal(w.Supersedes, []uint64{41}) {
		t.Errorf("an edit of a record put away supersedes %v, want [41]", w.Supersedes)
	}
}

// BlobRefs names the photos a record names, from its blob fields only;
// none for a record without them, deleted, or unknown.
func TestBlobRefs(t *testing.T) {
	a, b, _ := newBooks(t)
	photo := strings.Repeat("ab", 32)
	pet, client := record.NewID(), record.NewID()
	vp := mustSave(t, a, pet, &record.Pet{Client: client, Name: "Rex", Photo: photo})
	vc := mustSave(t, a, client, &record.Client{Name: "Ann"})
	apply(t, b, vp, vc)
	if got := b.BlobRefs(vp.Key); !slices.Equal(got, []string{photo}) {
		t.Errorf("a pet with a photo: BlobRefs = %q, want [%s]", got, photo)
	}
	state, err := wire.MarshalEnvelope(&vp)
	if err != nil {
		t.Fatal(err)
	}
	b.PutAway(vp.Key, state)
	if got := b.BlobRefs(vp.Key); !slices.Equal(got, []string{photo}) {
		t.Errorf("a pet put away: BlobRefs = %q, want [%s]", got, photo)
	}
	if got := b.BlobRefs(vc.Key); got != nil {
		t.Errorf("a client: BlobRefs = %q, want none", got)
	}
	if got := b.BlobRefs([32]byte{1}); got != nil {
		t.Errorf("an unknown record: BlobRefs = %q, want none", got)
	}
	del, err := a.Delete(record.TypePet, pet)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, b, del)
	if got := b.BlobRefs(vp.Key); got != nil {
		t.Errorf("a deleted pet: BlobRefs = %q, want none", got)
	}
}

// Reserve makes room without dropping a stored state already added.
func TestReserveKeepsWhatIsThere(t *testing.T) {
	a, b, _ := newBooks(t)
	id := record.NewID()
	v := mustSave(t, a, id, &record.Client{Name: "Ann"})
	state, err := wire.MarshalEnvelope(&v)
	if err != nil {
		t.Fatal(err)
	}
	b.Reserve(10)
	if err := b.AddSealed(v.Key, state); err != nil {
		t.Fatal(err)
	}
	b.Reserve(1000)
	var c record.Client
	if ok, err := b.Load(id, &c); !ok || err != nil || c.Name != "Ann" {
		t.Errorf("after Reserve the stored client loads as %+v (%v, %v)", c, ok, err)
	}
}

// A held class's calls wait for Loaded; another class's go ahead, and
// Loaded with an error fails the waiting calls and closes the book.
func TestHold(t *testing.T) {
	for _, loadErr := range []error{nil, errors.New("the disk is gone")} {
		b := New("ws1", seal.NewKeyring(), clock.New(1, nil))
		b.Hold(record.ClassProject)
		if _, _, err := b.Save(record.NewID(), nil, &record.Client{Name: "Ann"}); err != nil {
			t.Fatalf("a client's save while the bookings are held: %v", err)
		}
		saved := make(chan error, 1)
		go func() {
			_, _, err := b.Save(record.NewID(), nil, &record.Project{Client: record.NewID(), Kind: "grooming", Title: "Full groom", Status: "planned"})
			saved <- err
		}()
		select {
		case err := <-saved:
			t.Fatalf("a booking saved while the bookings are held (err %v)", err)
		case <-time.After(100 * time.Millisecond):
		}
		b.Loaded(loadErr)
		err := <-saved
		switch {
		case loadErr == nil && err != nil:
			t.Errorf("the booking's save after Loaded: %v", err)
		case loadErr != nil && !errors.Is(err, loadErr):
			t.Errorf("the booking's save after a failed load: %v, want %v", err, loadErr)
		}
		if _, _, err := b.Save(record.NewID(), nil, &record.Client{Name: "Bea"}); (err != nil) != (loadErr != nil) {
			t.Errorf("a client's save after Loaded(%v): %v", loadErr, err)
		}
	}
}

//go:build js && wasm

package session

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"pawfile/app/localstore"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/schedule"
	"pawfile/shared/seal"
)

// breakingStore is the real IndexedDB store, whose commits fail midway
// when armed: each armed Change also enqueues an outbox id already in the
// outbox, which IndexedDB refuses after the rows, meta and blobs of the
// same transaction were written, aborting it as a full disk would.
type breakingStore struct {
	*localstore.DB
	armed bool
}

// clashID is the outbox id breakingStore keeps in the outbox to clash with.
const clashID = 1

func (b *breakingStore) Commit(ctx context.Context, c localstore.Change) error {
	if b.armed {
		c.Enqueue = append(slices.Clone(c.Enqueue), localstore.Item{ID: clashID, Data: []byte("clash")})
	}
	return b.DB.Commit(ctx, c)
}

// onIndexedDB sets up and unlocks a device of workspace "ws1" whose store
// is a fresh IndexedDB database called name.
func onIndexedDB(t *testing.T, name string, keys *seal.Keyring, devID uint64) (*Session, *breakingStore) {
	t.Helper()
	ctx := context.Background()
	localstore.Delete(ctx, name)
	db, err := localstore.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(); localstore.Delete(ctx, name) })
	salt, _, wrapped := passSecrets(t, "ws1", keys)
	dev, _ := json.Marshal(device{Workspace: "ws1", Member: "m1", Login: "owner@example.com", Role: access.Owner, Device: devID,
		Token: "t", Salt: salt, Params: account.ParamsOf(fastParams), Keys: wrapped})
	if err := db.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaDevice: dev},
		Enqueue: []localstore.Item{{ID: clashID, Data: []byte("kept to clash with")}}}); err != nil {
		t.Fatal(err)
	}
	st := &breakingStore{DB: db}
	s, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Lock)
	unlocked(t, s)
	return s, st
}

// deviceState is what a device holds: its store's rows and outbox, and
// the book's records and lists.
type deviceState struct {
	rows    map[string][]byte
	outbox  []localstore.Item
	records map[merge.Key]string // merge.Encode of each, "" if not held
	clients []string
	pets    []PetSummary
}

func stateOf(t *testing.T, s *Session, st *breakingStore, keys []merge.Key, client string) deviceState {
	t.Helper()
	ctx := context.Background()
	rows, err := st.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	outbox, err := st.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := deviceState{rows: rows, outbox: outbox, records: map[merge.Key]string{}, pets: s.PetsOf(client)}
	for _, h := range s.FirstClients(100) {
		d.clients = append(d.clients, h.ID+" "+h.Name)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, k := range keys {
		if rec, ok := s.book.Record(k.Type, k.ID); ok {
			b, err := merge.Encode(rec)
			if err != nil {
				t.Fatal(err)
			}
			d.records[k] = string(b)
		} else {
			d.records[k] = ""
		}
	}
	return d
}

func (d deviceState) diff(e deviceState) string {
	var out []string
	if !maps.EqualFunc(d.rows, e.rows, func(a, b []byte) bool { return string(a) == string(b) }) {
		out = append(out, "the stored rows")
	}
	if !slices.EqualFunc(d.outbox, e.outbox, func(a, b localstore.Item) bool { return a.ID == b.ID && string(a.Data) == string(b.Data) }) {
		out = append(out, "the outbox")
	}
	for k, v := range d.records {
		if e.records[k] != v {
			out = append(out, "record "+string(k.Type)+" "+k.ID+" in memory")
		}
	}
	if !slices.Equal(d.clients, e.clients) {
		out = append(out, "the client list")
	}
	if !slices.EqualFunc(d.pets, e.pets, func(a, b PetSummary) bool { return a.ID == b.ID && a.Name == b.Name }) {
		out = append(out, "the client's pets")
	}
	return strings.Join(out, ", ")
}

// TestFailedWriteChangesNothing: IndexedDB failing in the middle of a
// change of several records (a batch save, marking a repeating visit done,
// erasing a client, receiving versions from another device) leaves the
// book, the lists and the store as they were, and says what to do.
func TestFailedWriteChangesNothing(t *testing.T) {
	ctx := context.Background()
	keys := seal.NewKeyring()
	s, st := onIndexedDB(t, "commit-fails-a", keys, 7)
	other, _ := setUp(t, "ws1", keys, 8)
	unlocked(t, other)

	ann, bella := household(t, s, "Ann", record.Pet{Name: "Bella"})
	visit := record.NewID()
	p := groom(ann, bella, at(t, "2026-03-10", 10, 0), at(t, "2026-03-10", 12, 0), "m1")
	p.RepeatWeeks = 6
	if _, err := s.SaveProject(ctx, visit, &p); err != nil {
		t.Fatal(err)
	}
	newPet, fromOther := record.NewID(), record.NewID()
	if err := other.SaveClient(ctx, fromOther, &record.Client{Name: "Cy"}); err != nil {
		t.Fatal(err)
	}
	if err := other.SavePet(ctx, record.NewID(), &record.Pet{Name: "Dot", Client: fromOther}); err != nil {
		t.Fatal(err)
	}
	incoming, _, err := (*local)(other).Outbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := range incoming {
		incoming[i].Seq = uint64(100 + i)
	}
	keyOf := func(t record.Type, id string) merge.Key { return merge.Key{Class: t.Class(), Type: t, ID: id} }
	watched := []merge.Key{keyOf(record.TypeClient, ann), keyOf(record.TypePet, bella), keyOf(record.TypePet, newPet),
		keyOf(record.TypeProject, visit), keyOf(record.TypeProject, nextID(visit)), keyOf(record.TypeClient, fromOther)}

	done := p
	done.Status = schedule.Done
	changes := []struct {
		name string
		do   func() error
	}{
		{"a batch save", func() error {
			_, err := s.saveAll(ctx, []write{
				{id: ann, v: &record.Client{Name: "Ann Changed"}},
				{id: newPet, v: &record.Pet{Name: "Fig", Client: ann}},
				{id: bella, del: record.TypePet},
			})
			return err
		}},
		{"marking a repeating visit done", func() error {
			_, err := s.SaveProject(ctx, visit, &done)
			return err
		}},
		{"erasing a client", func() error {
			_, err := s.EraseClient(ctx, ann)
			return err
		}},
		{"receiving another device's records", func() error {
			return (*local)(s).Receive(ctx, incoming, 200)
		}},
	}
	for _, c := range changes {
		before := stateOf(t, s, st, watched, ann)
		st.armed = true
		err := c.do()
		st.armed = false
		if err == nil {
			t.Fatalf("%s: no error from a failed write", c.name)
		}
		if !strings.Contains(err.Error(), "free some space") {
			t.Errorf("%s: the error does not say what to do: %v", c.name, err)
		}
		if d := before.diff(stateOf(t, s, st, watched, ann)); d != "" {
			t.Errorf("%s failed to store, yet changed %s", c.name, d)
		}
		if got := s.cursor; got != 0 {
			t.Errorf("%s: the cursor moved to %d", c.name, got)
		}
		// A reload shows the same as memory did.
		s.Lock()
		unlocked(t, s)
		if d := before.diff(stateOf(t, s, st, watched, ann)); d != "" {
			t.Errorf("%s: after a reload, %s changed", c.name, d)
		}
	}
	// The same changes go through once the store works.
	for _, c := range changes {
		if err := c.do(); err != nil {
			t.Fatalf("%s with storage working: %v", c.name, err)
		}
	}
}

package session

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pawfile/app/localstore"
	"pawfile/app/syncclient"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// memStore is the local store in memory, with the same all-or-nothing
// commits.
type memStore struct {
	mu      sync.Mutex
	meta    map[string][]byte
	records map[string][]byte
	later   map[string][]byte
	outbox  map[uint64][]byte
	blobs   map[string][]byte
	// failCommit, when set, fails every Commit after the next allow
	// ones as a full disk would: nothing written.
	failCommit error
	allow      int
}

func newMemStore() *memStore {
	return &memStore{meta: map[string][]byte{}, records: map[string][]byte{}, later: map[string][]byte{},
		outbox: map[uint64][]byte{}, blobs: map[string][]byte{}}
}

func (m *memStore) Commit(_ context.Context, c localstore.Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failCommit != nil {
		if m.allow--; m.allow < 0 {
			return m.failCommit
		}
	}
	if err := checkParts(c, m); err != nil {
		return err
	}
	if c.ClearRecords {
		clear(m.records)
		clear(m.later)
	}
	putAll(m.records, c.Records)
	putAll(m.later, c.Later)
	putAll(m.meta, c.Meta)
	putAll(m.blobs, c.Blobs)
	for _, id := range c.Acked {
		delete(m.outbox, id)
	}
	for _, it := range c.Enqueue {
		m.outbox[it.ID] = slices.Clone(it.Data)
	}
	return nil
}

// checkParts refuses a Change that puts a row in the part of the store
// it does not belong to (see laterClass), or deletes one from the part it
// is not in (in m, if not nil): the row would be read back by the wrong
// step of an unlock, or twice.
func checkParts(c localstore.Change, m *memStore) error {
	for _, p := range []struct {
		rows, other map[string][]byte
		later       bool
	}{{c.Records, nil, false}, {c.Later, nil, true}} {
		if m != nil {
			p.other = map[bool]map[string][]byte{false: m.later, true: m.records}[p.later]
		}
		for k, v := range p.rows {
			if v == nil {
				if _, there := p.other[k]; there && !c.ClearRecords {
					return fmt.Errorf("row %q deleted from the part of the store it is not in", k)
				}
				continue
			}
			if class, ok := rowClass(k, v); ok && (class == laterClass) != p.later {
				return fmt.Errorf("row %q of class %v put in the wrong part of the store", k, class)
			}
		}
	}
	return nil
}

// putAll puts the values of m under their keys in to, deleting those
// whose value is nil, as Commit does.
func putAll(to, m map[string][]byte) {
	for k, v := range m {
		if v == nil {
			delete(to, k)
		} else {
			to[k] = slices.Clone(v)
		}
	}
}

func (m *memStore) Meta(_ context.Context, name string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.meta[name]
	return v, ok, nil
}

func (m *memStore) Blob(_ context.Context, hash string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.blobs[hash]
	return slices.Clone(v), ok, nil
}

func (m *memStore) Records(context.Context) (map[string][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.records), nil
}

func (m *memStore) LaterRecords(context.Context) (map[string][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.later), nil
}

func (m *memStore) Outbox(context.Context) ([]localstore.Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var items []localstore.Item
	for _, id := range slices.Sorted(maps.Keys(m.outbox)) {
		items = append(items, localstore.Item{ID: id, Data: m.outbox[id]})
	}
	return items, nil
}

// fastParams keep the tests quick; the real ones are checked in seal.
var fastParams = seal.Params{Memory: 19 * 1024, Passes: 3, Lanes: 1}

const pass = "correct horse battery"

// passSecrets derives the test passphrase's secrets under a new salt and
// wraps keys with them, as creating or joining a workspace does.
func passSecrets(t *testing.T, ws string, keys *seal.Keyring) (salt []byte, sec seal.Secrets, wrapped []byte) {
	t.Helper()
	salt = seal.NewSalt()
	sec, err := seal.Derive([]byte(pass), salt, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err = seal.WrapKeys(sec.KEK, ws, keys)
	if err != nil {
		t.Fatal(err)
	}
	return salt, sec, wrapped
}

// setUp writes a device already joined to workspace ws with keys, as
// CreateWorkspace would, without a server: the server address is closed.
func setUp(t *testing.T, ws string, keys *seal.Keyring, devID uint64) (*Session, *memStore) {
	t.Helper()
	salt, _, wrapped := passSecrets(t, ws, keys)
	d := device{Workspace: ws, Member: "m1", Login: "owner@example.com", Role: access.Owner, Device: devID, Token: "t",
		Salt: salt, Params: account.ParamsOf(fastParams), Keys: wrapped}
	b, _ := json.Marshal(d)
	st := newMemStore()
	st.meta[metaDevice] = b
	s, err := New(context.Background(), Config{Server: "http://127.0.0.1:1", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Lock)
	return s, st
}

func TestUnlockSaveLockUnlock(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	if s.Phase() != Locked {
		t.Fatalf("phase of a set-up device = %v, want Locked", s.Phase())
	}
	if err := s.Unlock(ctx, "wrong passphrase"); err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	id := record.NewID()
	c := record.Client{Name: "Margaret Lockwood", Phones: []string{"07700 900123"}, Notes: "Bella bites"}
	if err := s.SaveClient(ctx, id, nil, &c); err != nil {
		t.Fatal(err)
	}
	bad := record.Client{Name: ""}
	var errs record.Errors
	if err := s.SaveClient(ctx, record.NewID(), nil, &bad); !errors.As(err, &errs) || errs.On("name") == "" {
		t.Fatalf("saving a client with no name: %v", err)
	}
	if hits := s.SearchClients("0770", 10); len(hits) != 1 || hits[0].ID != id {
		t.Errorf("search by phone = %+v", hits)
	}
	// The record's row and its sealed index doc.
	if len(st.outbox) != 1 || len(st.records) != 2 {
		t.Errorf("after one save: %d in the outbox, %d rows; want 1 and 2", len(st.outbox), len(st.records))
	}
	if err := s.SavePet(ctx, record.NewID(), nil, &record.Pet{Client: id, Name: "Bella", Allergies: []string{"chicken"}}); err != nil {
		t.Fatal(err)
	}
	for _, b := range append(slices.Collect(maps.Values(st.records)), slices.Collect(maps.Values(st.outbox))...) {
		if strings.Contains(string(b), "Lockwood") || strings.Contains(string(b), "07700") {
			t.Fatal("plaintext in the local store")
		}
	}

	s.Lock()
	if s.Phase() != Locked {
		t.Fatal("not locked")
	}
	if _, err := s.LoadClient(id, &record.Client{}); !errors.Is(err, ErrLocked) {
		t.Errorf("LoadClient while locked: %v", err)
	}
	if hits := s.SearchClients("Margaret", 10); hits != nil {
		t.Errorf("search while locked found %+v", hits)
	}

	// A fresh session on the same store: the app reloaded.
	s2, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Lock()
	if err := s2.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	// The pet and its alerts come from the index docs alone.
	if pets := s2.PetsOf(id); len(pets) != 1 || pets[0].Name != "Bella" || len(pets[0].Alerts) != 1 || pets[0].Alerts[0].Text != "allergy: chicken" {
		t.Errorf("PetsOf after reload = %+v", pets)
	}
	// Found by its pet's name from the index docs alone.
	if hits := s2.SearchClients("bella", 10); len(hits) != 1 || hits[0].ID != id {
		t.Errorf("search by pet name after reload = %+v", hits)
	}
	var got record.Client
	if ok, err := s2.LoadClient(id, &got); !ok || err != nil || got.Notes != "Bella bites" {
		t.Fatalf("after reload: %v %v %+v", ok, err, got)
	}
}

// Two devices of one workspace exchange versions through their Local
// sides, as the sync client would, in any order: both end equal.
func TestReceiveMergesAndPersists(t *testing.T) {
	ctx := context.Background()
	a, b, bst := twoDevices(t)
	id := record.NewID()
	if err := a.SaveClient(ctx, id, nil, &record.Client{Name: "Ann", Notes: "from a"}); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)
	var c record.Client
	if ok, _ := b.LoadClient(id, &c); !ok || c.Notes != "from a" {
		t.Fatalf("b after receiving: %v %+v", ok, c)
	}
	// Concurrent edits of different fields.
	ca, cb := c, c
	ca.Notes = "notes from a"
	cb.Phones = []string{"01632 960001"}
	if err := a.SaveClient(ctx, id, nil, &ca); err != nil {
		t.Fatal(err)
	}
	if err := b.SaveClient(ctx, id, nil, &cb); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 2)
	send(t, b, a, 3)
	for _, s := range []*Session{a, b} {
		var got record.Client
		s.LoadClient(id, &got)
		if got.Notes != "notes from a" || len(got.Phones) != 1 {
			t.Errorf("after merge: %+v", got)
		}
	}
	// b's store holds the merged state: a reload shows it.
	if bst.meta[metaCursor] == nil {
		t.Error("cursor not stored")
	}
	b.Lock()
	if err := b.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	var got record.Client
	b.LoadClient(id, &got)
	if got.Notes != "notes from a" || len(got.Phones) != 1 {
		t.Errorf("b after reload: %+v", got)
	}
}

// send moves from's outbox to to as the server would: stored under seq,
// acknowledged, received.
func send(t *testing.T, from, to *Session, seq uint64) {
	t.Helper()
	ctx := context.Background()
	vs, _, err := (*local)(from).Outbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var results []wire.Result
	for i := range vs {
		vs[i].Seq = seq*100 + uint64(i)
		results = append(results, wire.Result{OutboxID: vs[i].OutboxID, Seq: vs[i].Seq})
	}
	if err := (*local)(from).Acked(ctx, results); err != nil {
		t.Fatal(err)
	}
	if err := (*local)(to).Receive(ctx, vs, seq*100+99); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := (*local)(from).Outbox(ctx, 1); n != 0 {
		t.Errorf("outbox not emptied by acks: %d left", n)
	}
}

// TestReceiveInSlices: a batch from the server is stored in slices, each
// whole, so the page is not frozen for the whole batch; a slice that
// cannot be stored leaves the cursor where it was, so the batch is pulled
// again, and the second time ends as one commit would have.
func TestReceiveInSlices(t *testing.T) {
	defer func(d time.Duration) { receiveSlice = d }(receiveSlice)
	receiveSlice = -time.Second // 16 versions a slice
	ctx := context.Background()
	a, b, bst := twoDevices(t)
	var ids []string
	for i := range 50 {
		id := record.NewID()
		if err := a.SaveClient(ctx, id, nil, &record.Client{Name: fmt.Sprintf("Client %d", i)}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	vs, _, err := (*local)(a).Outbox(ctx, 100)
	if err != nil || len(vs) != 50 {
		t.Fatalf("a's outbox: %d versions, %v", len(vs), err)
	}
	for i := range vs {
		vs[i].Seq = uint64(i + 1)
	}
	has := func() (n int) {
		for _, id := range ids {
			if ok, _ := b.LoadClient(id, &record.Client{}); ok {
				n++
			}
		}
		return n
	}

	bst.mu.Lock()
	bst.failCommit, bst.allow = errors.New("QuotaExceededError"), 2
	bst.mu.Unlock()
	if err := (*local)(b).Receive(ctx, vs, 50); err == nil {
		t.Fatal("the third slice failed to store, and Receive said nothing")
	}
	if got := has(); got != 32 {
		t.Errorf("after two slices stored and the third refused, b has %d clients, want 32", got)
	}
	if bst.meta[metaCursor] != nil || (*local)(b).Cursor() != 0 {
		t.Errorf("the cursor moved past a batch not wholly stored: %d", (*local)(b).Cursor())
	}

	bst.mu.Lock()
	bst.failCommit = nil
	bst.mu.Unlock()
	if err := (*local)(b).Receive(ctx, vs, 50); err != nil {
		t.Fatal(err)
	}
	if got := has(); got != 50 || (*local)(b).Cursor() != 50 {
		t.Errorf("the batch pulled again: b has %d clients at cursor %d, want 50 at 50", got, (*local)(b).Cursor())
	}
	b.Lock()
	if err := b.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	if got := has(); got != 50 || (*local)(b).Cursor() != 50 {
		t.Errorf("after a reload: b has %d clients at cursor %d, want 50 at 50", got, (*local)(b).Cursor())
	}
}

// A store holding records but no index docs (records written by an older
// version) unlocks by opening everything once and writing the docs; the
// next unlock reads the docs alone.
func TestUnlockWritesMissingIndexDocs(t *testing.T) {
	ctx := context.Background()
	keys := seal.NewKeyring()
	s, st := setUp(t, "ws1", keys, 7)
	rows, err := shop("ws1", keys, shopSize{clients: 20, pets: 30, projects: 50, notes: 10, tasks: 10})
	if err != nil {
		t.Fatal(err)
	}
	// As an older version wrote them: all in the one part of the store.
	maps.Copy(st.records, rows)
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	if n := s.ClientCount(); n != 20 {
		t.Fatalf("%d clients indexed, want 20", n)
	}
	docs, laterDocs := 0, 0
	for k := range st.records {
		if strings.HasPrefix(k, docPrefix) {
			docs++
		}
	}
	for k := range st.later {
		if strings.HasPrefix(k, docPrefix) {
			laterDocs++
		}
	}
	if docs != 50 || laterDocs != 70 {
		t.Errorf("%d index docs written, and %d among the bookings' rows; want 50 (20 clients, 30 pets) and 70 (50 projects, 10 notes, 10 tasks)", docs, laterDocs)
	}
	s.Lock()
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	if hits := s.SearchClients("07700 900019", 5); len(hits) != 1 {
		t.Errorf("search by phone after reload = %+v", hits)
	}
}

func TestIdleLock(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	if err := s.SetIdleLock(ctx, 10*time.Second); err == nil {
		t.Error("an idle time under a minute was accepted")
	}
	if err := s.SetIdleLock(ctx, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	again, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if got := again.IdleLock(); got != 5*time.Minute {
		t.Errorf("idle time after reload = %v, want 5m", got)
	}
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	if s.LockIfIdle() {
		t.Fatal("locked right after unlocking")
	}
	s.mu.Lock()
	s.lastTouch.Store(time.Now().Add(-6 * time.Minute).UnixNano())
	s.mu.Unlock()
	if !s.LockIfIdle() || s.Phase() != Locked {
		t.Error("not locked after the idle time")
	}
}

// A tablet whose clock ran 3 h ahead saved a client before it ever met the
// server; the server refuses the version as too far ahead. Acked replaces
// it with a version stamped now, so the sync goes on.
func TestSkewedVersionIsRestamped(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	st.meta[metaClock] = binary.BigEndian.AppendUint64(nil, uint64((3 * time.Hour).Milliseconds()))
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	id := record.NewID()
	if err := s.SaveClient(ctx, id, nil, &record.Client{Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	vs, _, _ := (*local)(s).Outbox(ctx, 10)
	if len(vs) != 1 || clock.Check(vs[0].TS, time.Now(), clock.MaxSkew) == nil {
		t.Fatalf("want one version stamped ahead, got %+v", vs)
	}
	s.clock.Sync(time.Now()) // the server's welcome
	if err := (*local)(s).Acked(ctx, []wire.Result{{OutboxID: vs[0].OutboxID, Code: wire.CodeSkew}}); err != nil {
		t.Fatal(err)
	}
	again, n, _ := (*local)(s).Outbox(ctx, 10)
	if n != 1 || again[0].OutboxID == vs[0].OutboxID {
		t.Fatalf("outbox after the refusal: %d versions, %+v", n, again)
	}
	if err := clock.Check(again[0].TS, time.Now(), clock.MaxSkew); err != nil {
		t.Errorf("replacement version: %v", err)
	}
	var c record.Client
	if ok, _ := s.LoadClient(id, &c); !ok || c.Name != "Ann" {
		t.Errorf("the client after restamping: %v %+v", ok, c)
	}
}

// Erasing a client erases their pets and everything below them, on this
// device and, through the outbox, everywhere; records of other clients
// stay.
func TestEraseClient(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoDevices(t)
	ann, other, bella := record.NewID(), record.NewID(), record.NewID()
	vacc, project, note, photo := record.NewID(), record.NewID(), record.NewID(), record.NewID()
	for _, save := range []struct {
		id string
		v  any
	}{
		{ann, &record.Client{Name: "Ann Erase"}},
		{other, &record.Client{Name: "Other Keep"}},
		{bella, &record.Pet{Client: ann, Name: "Bella"}},
		{record.NewID(), &record.Pet{Client: other, Name: "Rex"}},
		{vacc, &record.Vaccination{Pet: bella, Name: "Rabies"}},
		{project, &record.Project{Client: ann, Kind: "grooming", Title: "Full groom", Status: "done"}},
		{note, &record.ProgressNote{Project: project, Text: "matted"}},
		{photo, &record.Photo{Pet: bella, Kind: "before", Blob: strings.Repeat("ab", 32)}}, // outside any project
	} {
		if _, err := a.save(ctx, save.id, nil, save.v); err != nil {
			t.Fatalf("save %T: %v", save.v, err)
		}
	}
	send(t, a, b, 1)
	n, err := a.EraseClient(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Errorf("erased %d records, want 6 (client, pet, vaccination, project, note, the pet's photo)", n)
	}
	send(t, a, b, 2)
	for _, s := range []*Session{a, b} {
		if hits := s.SearchClients("Ann", 5); len(hits) != 0 {
			t.Errorf("erased client still found: %+v", hits)
		}
		if ok, _ := s.LoadClient(ann, &record.Client{}); ok {
			t.Error("erased client still loads")
		}
		if ok, _ := s.LoadPet(bella, &record.Pet{}); ok {
			t.Error("erased pet still loads")
		}
		if rec, ok := s.book.Record(record.TypeProgressNote, note); !ok || !rec.IsErased() {
			t.Error("the project's note is not erased")
		}
		if rec, ok := s.book.Record(record.TypePhoto, photo); !ok || !rec.IsErased() {
			t.Error("the pet's photo is not erased")
		}
		if hits := s.SearchClients("Rex", 5); len(hits) != 1 {
			t.Errorf("another client's pet lost: %+v", hits)
		}
	}
}

func TestDueVaccinations(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	ann, bella := record.NewID(), record.NewID()
	s.SaveClient(ctx, ann, nil, &record.Client{Name: "Ann"})
	s.SavePet(ctx, bella, nil, &record.Pet{Client: ann, Name: "Bella"})
	for _, v := range []record.Vaccination{
		{Pet: bella, Name: "Rabies", Expires: "2026-11-01"},        // replaced by the next one
		{Pet: bella, Name: "rabies ", Expires: "2027-11-01"},       // current
		{Pet: bella, Name: "Leptospirosis", Expires: "2026-11-20"}, // expired
		{Pet: bella, Name: "Kennel cough", Expires: "2026-12-15"},  // soon
	} {
		if err := s.SaveVaccination(ctx, record.NewID(), nil, &v); err != nil {
			t.Fatal(err)
		}
	}
	check := func(s *Session) {
		t.Helper()
		due := s.DueVaccinations("2026-12-01")
		if len(due) != 2 || due[0].Name != "Leptospirosis" || due[0].Due != record.DueExpired ||
			due[1].Name != "Kennel cough" || due[1].Due != record.DueSoon {
			t.Fatalf("due = %+v", due)
		}
		if due[0].PetName != "Bella" || due[0].ClientName != "Ann" {
			t.Errorf("due entry names %q of %q", due[0].PetName, due[0].ClientName)
		}
		if all := s.VaccinationsOf(bella, "2026-12-01"); len(all) != 4 || all[0].Expires != "2027-11-01" {
			t.Errorf("VaccinationsOf = %+v", all)
		}
	}
	check(s)
	again, _ := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	if err := again.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	defer again.Lock()
	check(again) // from the index docs alone
}

func TestContactLog(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	ann := record.NewID()
	s.SaveClient(ctx, ann, nil, &record.Client{Name: "Ann"})
	if err := s.LogContact(ctx, &record.ContactLog{Client: ann, Channel: "call", Direction: "inbound", Summary: "Asked to move Friday"}); err != nil {
		t.Fatal(err)
	}
	if err := s.LogContact(ctx, &record.ContactLog{Client: ann, Channel: "text"}); err == nil {
		t.Error("a contact without a summary was saved")
	}
	again, _ := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	if err := again.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	defer again.Lock()
	got := again.ContactsOf(ann)
	if len(got) != 1 || got[0].Channel != "call" || got[0].Direction != "inbound" || got[0].Summary != "Asked to move Friday" || got[0].Author != "m1" {
		t.Errorf("contacts after reload = %+v", got)
	}
	if time.Since(got[0].When) > time.Minute {
		t.Errorf("logged at %v", got[0].When)
	}
}

// TestPetsOfFollowsMovesAndRenames: the per-client list of pets that the
// lists and the search read follows a pet moved to another client, a
// renamed pet and an erased client, without a pass over every pet.
func TestPetsOfFollowsMovesAndRenames(t *testing.T) {
	ctx := context.Background()
	s, _ := setUp(t, "ws1", seal.NewKeyring(), 7)
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	defer s.Lock()
	ann, bob := record.NewID(), record.NewID()
	for id, name := range map[string]string{ann: "Ann Hill", bob: "Bob Moss"} {
		if err := s.SaveClient(ctx, id, nil, &record.Client{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	pet := record.NewID()
	rex := record.Pet{Client: ann, Name: "Rex"}
	if err := s.SavePet(ctx, pet, nil, &rex); err != nil {
		t.Fatal(err)
	}
	names := func(client string) []string {
		var out []string
		for _, p := range s.PetsOf(client) {
			out = append(out, p.Name)
		}
		return out
	}
	if got := names(ann); !slices.Equal(got, []string{"Rex"}) {
		t.Fatalf("Ann's pets = %q", got)
	}
	moved := rex
	moved.Client, moved.Name = bob, "Rexy"
	if err := s.SavePet(ctx, pet, &rex, &moved); err != nil {
		t.Fatal(err)
	}
	if got := names(ann); len(got) != 0 {
		t.Errorf("Ann's pets after the move = %q, want none", got)
	}
	if got := names(bob); !slices.Equal(got, []string{"Rexy"}) {
		t.Errorf("Bob's pets after the move = %q", got)
	}
	if hits := s.SearchClients("rexy", 10); len(hits) != 1 || hits[0].ID != bob {
		t.Errorf("search by the renamed pet = %+v, want Bob", hits)
	}
	if hits := s.SearchClients("rex", 10); len(hits) != 1 || hits[0].ID != bob {
		t.Errorf("search by the old name finds %+v, want only Bob (Rexy)", hits)
	}
	if _, err := s.EraseClient(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if got := names(bob); len(got) != 0 {
		t.Errorf("erased Bob's pets = %q, want none", got)
	}
}

// A new device's bootstrap progress is kept across a reload, in the
// cursor's place in the store: the log read after the bootstrap replaces
// it, and a pull from the start (a role's new classes) clears it, so a
// stale progress never skips what is to be pulled again.
func TestBootstrapProgressIsKept(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	if err := s.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	reload := func() *Session {
		t.Helper()
		s.Lock()
		again, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(again.Lock)
		if err := again.Unlock(ctx, pass); err != nil {
			t.Fatal(err)
		}
		s = again
		return again
	}
	p := syncclient.Progress{Pass: 3, After: 4100, From: 5000}
	if err := (*local)(s).Progressed(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got := (*local)(reload()).Resume(); got != p {
		t.Fatalf("after a reload the progress is %+v, want %+v", got, p)
	}

	if err := s.pullAgain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := (*local)(s).Resume(); got != (syncclient.Progress{}) {
		t.Errorf("after a pull from the start the progress is %+v, want none", got)
	}
	if got := (*local)(reload()).Resume(); got != (syncclient.Progress{}) {
		t.Errorf("after a pull from the start and a reload the progress is %+v, want none", got)
	}

	if err := (*local)(s).Progressed(ctx, p); err != nil {
		t.Fatal(err)
	}
	// The bootstrap ends: the log is read from p.From on.
	if err := (*local)(s).Receive(ctx, nil, p.From); err != nil {
		t.Fatal(err)
	}
	if got := (*local)(s).Resume(); got != (syncclient.Progress{}) {
		t.Errorf("once the log is read the progress is %+v, want none", got)
	}
	if err := (*local)(s).Progressed(ctx, syncclient.Progress{Pass: 1, After: 9}); err != nil {
		t.Fatal(err)
	}
	again := (*local)(reload())
	if got := again.Resume(); got != (syncclient.Progress{}) {
		t.Errorf("once the log is read, after a reload the progress is %+v, want none", got)
	}
	if got := again.Cursor(); got != p.From {
		t.Errorf("cursor after a reload = %d, want %d", got, p.From)
	}
}

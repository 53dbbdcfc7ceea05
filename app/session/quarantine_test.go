package session

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// TestUnopenableVersionsAreSetAside: a pull that meets a version under a
// key generation this device lacks, or one that does not open at all,
// applies the rest, moves the cursor on and sets those two aside, sealed
// and counted; at the next unlock with the missing key, the first opens
// and leaves the quarantine.
func TestUnopenableVersionsAreSetAside(t *testing.T) {
	ctx := context.Background()
	ownerKeys := seal.NewKeyring()
	deskKeys := cloneKeys(ownerKeys)
	ownerKeys.Rotate(record.ClassCare) // generation 2, which the desk lacks
	owner, _ := setUp(t, "ws1", ownerKeys, 1)
	desk, dst := setUp(t, "ws1", deskKeys, 2)
	unlocked(t, owner)
	unlocked(t, desk)

	ann, bo, rex := record.NewID(), record.NewID(), record.NewID()
	if err := owner.SaveClient(ctx, ann, &record.Client{Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	if err := owner.SavePet(ctx, rex, &record.Pet{Name: "Rex", Client: ann}); err != nil {
		t.Fatal(err)
	}
	if err := owner.SaveClient(ctx, bo, &record.Client{Name: "Bo"}); err != nil {
		t.Fatal(err)
	}
	vs, _, err := (*local)(owner).Outbox(ctx, 10)
	if err != nil || len(vs) != 3 {
		t.Fatalf("outbox: %v %d", err, len(vs))
	}
	junk := vs[2]
	junk.Key, junk.Sealed = wire.Key{0xee}, []byte("not a sealed version")
	vs = append(vs, junk)
	for i := range vs {
		vs[i].Seq = uint64(101 + i)
	}

	if err := (*local)(desk).Receive(ctx, vs, 104); err != nil {
		t.Fatalf("the pull stopped: %v", err)
	}
	if c := (*local)(desk).Cursor(); c != 104 {
		t.Errorf("the cursor is at %d, want 104", c)
	}
	var c record.Client
	for _, id := range []string{ann, bo} {
		if ok, err := desk.LoadClient(id, &c); !ok || err != nil {
			t.Errorf("client %s was not applied: %v %v", id, ok, err)
		}
	}
	if got := desk.Unopened(); got.Versions != 2 {
		t.Errorf("versions set aside: %d, want 2", got.Versions)
	}
	for _, seq := range []uint64{102, 104} {
		if dst.records[quarantineRow(seq)] == nil {
			t.Errorf("version %d is not kept in storage", seq)
		}
	}

	// Still set aside after a reload without the key.
	desk.Lock()
	unlocked(t, desk)
	if got := desk.Unopened(); got.Versions != 2 {
		t.Errorf("after a reload, versions set aside: %d, want 2", got.Versions)
	}

	// The owner's keys reach the desk (as storeKeys keeps them): the next
	// unlock opens the pet.
	desk.Lock()
	var d device
	if err := json.Unmarshal(dst.meta[metaDevice], &d); err != nil {
		t.Fatal(err)
	}
	sec, err := seal.Derive([]byte(pass), d.Salt, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	if d.Keys, err = seal.WrapKeys(sec.KEK, "ws1", ownerKeys); err != nil {
		t.Fatal(err)
	}
	dst.meta[metaDevice], _ = json.Marshal(d)
	desk, err = New(ctx, Config{Server: "http://127.0.0.1:1", Store: dst}) // a reload
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(desk.Lock)
	unlocked(t, desk)
	var p record.Pet
	if ok, err := desk.LoadPet(rex, &p); !ok || err != nil || p.Name != "Rex" {
		t.Errorf("the pet set aside did not open with its key: %v %v %+v", ok, err, p)
	}
	if pets := desk.PetsOf(ann); len(pets) != 1 {
		t.Errorf("Ann's pets: %+v", pets)
	}
	if got := desk.Unopened(); got.Versions != 1 {
		t.Errorf("versions still set aside: %d, want 1 (the damaged one)", got.Versions)
	}
	if dst.records[quarantineRow(102)] != nil || dst.records[quarantineRow(104)] == nil {
		t.Error("storage keeps the wrong versions set aside")
	}
}

// TestRecordThatDoesNotOpenStaysListed: a version whose fields this app
// cannot read (a newer app wrote them) does not take the record off the
// client list: it stays as it was, and the device counts it.
func TestRecordThatDoesNotOpenStaysListed(t *testing.T) {
	ctx := context.Background()
	keys := seal.NewKeyring()
	s, _ := setUp(t, "ws1", keys, 1)
	unlocked(t, s)
	ann := record.NewID()
	if err := s.SaveClient(ctx, ann, &record.Client{Name: "Ann"}); err != nil {
		t.Fatal(err)
	}

	// A newer app's version: its name is a number.
	k := merge.Key{Class: record.ClassClient, Type: record.TypeClient, ID: ann}
	rec := merge.New(k)
	ts := clock.Timestamp{Wall: time.Now().Add(time.Minute).UnixMilli(), Device: 9}
	rec.Create(ts)
	rec.Set("name", []byte{0x05}, ts)
	plain, err := merge.Encode(rec)
	if err != nil {
		t.Fatal(err)
	}
	ck, _ := keys.Current(record.ClassClient)
	h := seal.Header{Workspace: "ws1", RecordKey: seal.RecordKey(keys.MAC, k.Class, k.Type, k.ID), TS: ts, KeyID: ck.ID, Format: merge.Format}
	v := wire.Envelope{Class: k.Class, Key: h.RecordKey, TS: ts, KeyID: ck.ID, Format: merge.Format, Seq: 7, Sealed: seal.Seal(ck.Key, h, plain)}
	if err := (*local)(s).Receive(ctx, []wire.Envelope{v}, 7); err != nil {
		t.Fatal(err)
	}
	hits := s.FirstClients(10)
	if len(hits) != 1 || hits[0].ID != ann || hits[0].Name != "Ann" {
		t.Errorf("the client list after a version this app cannot read: %+v", hits)
	}
	if got := s.Unopened(); got.Records != 1 {
		t.Errorf("records that do not open: %d, want 1", got.Records)
	}
}

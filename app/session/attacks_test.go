//go:build !js

package session

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"pawfile/app/book"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// Issue 14, item 2: a groomer holds the MAC key and reads each pet's
// client id, so it can compute the record key of a client it may not read.
// Under that key it pushes a junk care version that supersedes the
// client's versions, and a care erasure marker. The server refuses both:
// the key belongs to the client class. A fresh device of the owner still
// gets the client, and the owner's next edit goes through.
func TestGroomerCannotDestroyAClient(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	groomer := srv.join(owner, access.Groomer, "groomer@example.com")

	client, pet := record.NewID(), record.NewID()
	if err := owner.SaveClient(ctx, client, nil, &record.Client{Name: "Margaret Lockwood"}); err != nil {
		t.Fatal(err)
	}
	if err := owner.SavePet(ctx, pet, nil, &record.Pet{Client: client, Name: "Bella"}); err != nil {
		t.Fatal(err)
	}
	upToDate(t, owner)
	var p record.Pet
	waitFor(t, "the groomer's device has the pet", func() bool {
		ok, _ := groomer.LoadPet(pet, &p)
		return ok
	})

	groomer.mu.RLock()
	mac := groomer.keys.MAC
	groomer.mu.RUnlock()
	key := seal.RecordKey(mac, record.ClassClient, record.TypeClient, p.Client)
	sock := srv.raw(groomer)
	var everything []uint64
	for seq := uint64(1); seq <= sock.head && len(everything) < wire.MaxSupersedes; seq++ {
		everything = append(everything, seq)
	}
	c := clock.New(groomer.DeviceID(), nil)
	ts := c.Now()
	junk := wire.Envelope{Class: record.ClassCare, Key: key, TS: ts, KeyID: 1, Format: merge.Format,
		OutboxID: book.OutboxID(ts), Supersedes: everything, Sealed: []byte("junk that opens with no key")}
	ts = c.Now()
	marker := wire.Envelope{Class: record.ClassCare, Key: key, TS: ts, KeyID: 1, Format: merge.Format,
		OutboxID: book.OutboxID(ts), Erased: true}
	for _, r := range sock.push(junk, marker) {
		if r.Code != wire.CodeForbidden || r.Seq != 0 {
			t.Errorf("the groomer's care version under the client's key: %+v, want refused as forbidden", r)
		}
	}

	fresh := srv.signIn("owner@example.com")
	upToDate(t, fresh)
	var got record.Client
	if ok, err := fresh.LoadClient(client, &got); !ok || err != nil || got.Name != "Margaret Lockwood" {
		t.Fatalf("the owner's fresh device: client %v %v %+v", ok, err, got)
	}
	shown := got
	got.Name = "Margaret Lockwood-Smith"
	if err := owner.SaveClient(ctx, client, &shown, &got); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the owner's edit reaches the fresh device", func() bool {
		var c record.Client
		ok, _ := fresh.LoadClient(client, &c)
		return ok && c.Name == "Margaret Lockwood-Smith"
	})
}

// Issue 14, item 6: a hostile server cannot wipe a device's photos with
// an erasure it makes up: the pet's own version marked erased, an empty
// marker, or a marker of another class under the pet's key. The device
// deletes a photo only for an erasure that opens under the class's key,
// bound to the flag, and whose content says erased; a real erasure still
// takes the photo with it.
func TestForgedErasureKeepsPhotos(t *testing.T) {
	ctx := context.Background()
	keys := seal.NewKeyring()
	a, ast := setUp(t, "ws1", keys, 1)
	b, bst := setUp(t, "ws1", keys, 2)
	unlocked(t, a)
	unlocked(t, b)
	ann, bella := record.NewID(), record.NewID()
	if err := a.SaveClient(ctx, ann, nil, &record.Client{Name: "Ann", PhotoConsent: true}); err != nil {
		t.Fatal(err)
	}
	image := bytes.Repeat([]byte("jpeg bytes "), 300)
	ref, err := a.StagePhoto(record.ClassCare, image)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SavePet(ctx, bella, nil, &record.Pet{Client: ann, Name: "Bella", Photo: ref}); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 1)
	if err := (*local)(b).BlobFetched(ctx, refHash(t, ref), ast.blobs[ref]); err != nil {
		t.Fatal(err)
	}
	if _, ok := bst.blobs[ref]; !ok {
		t.Fatal("b does not hold the photo")
	}

	petKey := seal.RecordKey(keys.MAC, record.ClassCare, record.TypePet, bella)
	real, err := wire.UnmarshalEnvelope(bst.records[rowKey(petKey)])
	if err != nil {
		t.Fatal(err)
	}
	flipped := real
	flipped.Seq, flipped.Erased = 201, true
	c := clock.New(99, nil)
	empty := wire.Envelope{Seq: 202, Class: record.ClassCare, Key: petKey, TS: c.Now(), KeyID: 1, Format: merge.Format, Erased: true}
	other := empty
	other.Seq, other.Class, other.TS = 203, record.ClassClient, c.Now()
	for _, forged := range []wire.Envelope{flipped, empty, other} {
		if err := (*local)(b).Receive(ctx, []wire.Envelope{forged}, forged.Seq); err != nil {
			t.Fatal(err)
		}
		if _, ok := bst.blobs[ref]; !ok {
			t.Fatalf("a forged erasure (seq %d) deleted the photo", forged.Seq)
		}
	}
	var p record.Pet
	if ok, err := b.LoadPet(bella, &p); !ok || err != nil || p.Photo != ref {
		t.Fatalf("the pet after forged erasures: %v %v %+v", ok, err, p)
	}
	if got, _, err := b.Photo(ctx, ref); err != nil || !bytes.Equal(got, image) {
		t.Fatalf("the photo after forged erasures: %d bytes, %v", len(got), err)
	}

	// A real erasure takes it.
	if _, err := a.EraseClient(ctx, ann); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 3)
	if _, ok := bst.blobs[ref]; ok {
		t.Fatal("the client's erasure left the photo")
	}
}

// Issue 14, item 6: a role change reaches the member's open sockets at
// once. A front desk keeps a socket open and sends nothing (the hub used
// to re-read the role only on a device's next message); the owner demotes
// them to groomer, then saves a client and a visit. The socket must get
// no client version: the server closes it for the device to reconnect
// under its new role.
func TestDemotedFrontDeskStopsReceivingClients(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	desk := srv.join(owner, access.FrontDesk, "desk@example.com")
	upToDate(t, desk)
	sock := srv.raw(desk)

	// The role change alone, as the API makes it; the keys the owner's
	// device renews after it are another step.
	m := member(t, owner, "desk@example.com")
	if err := owner.api.call(ctx, "PATCH", "/api/members/"+m.Member, owner.token(),
		account.RoleRequest{Role: account.Role(access.Groomer)}, nil); err != nil {
		t.Fatal(err)
	}
	client, visit := record.NewID(), record.NewID()
	if err := owner.SaveClient(ctx, client, nil, &record.Client{Name: "Margaret Lockwood"}); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.SaveProject(ctx, visit, nil, &record.Project{Client: client, Kind: "grooming", Title: "Bath", Status: "planned"}); err != nil {
		t.Fatal(err)
	}
	upToDate(t, owner)
	for range 50 {
		msg, err := sock.next()
		if err != nil {
			// Closed by the server (a close frame for a restart, or the
			// connection dropped before it went out), not left open.
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("the demoted desk's socket stayed open: %v", err)
			}
			return
		}
		if live, ok := msg.(*wire.Live); ok {
			for _, v := range live.Versions {
				if v.Class == record.ClassClient {
					t.Fatalf("the demoted desk's open socket received a client version (seq %d)", v.Seq)
				}
			}
		}
	}
	t.Fatal("the demoted desk's socket stayed open")
}

// Issue 14, item 5: a removed co-owner's owner invite no longer joins.
// The owner's Team screen lists pending invites, with their role, expiry
// and maker, and revokes any.
func TestRemovedCoOwnersInviteNoLongerJoins(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	co := srv.join(owner, access.Owner, "co@example.com")
	theirs, err := co.Invite(ctx, access.Owner)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := owner.Invites(ctx)
	if err != nil || len(pending) != 1 || pending[0].By != "co@example.com" || pending[0].Role != account.Role(access.Owner) ||
		!pending[0].Expires.Equal(theirs.Expires) {
		t.Fatalf("pending invites: %+v, %v", pending, err)
	}
	if err := owner.ChangeMember(ctx, member(t, owner, "co@example.com"), 0); err != nil {
		t.Fatal(err)
	}
	intruder := srv.device("intruder's tablet")
	if err := intruder.Join(ctx, theirs.Code, "intruder@example.com", pass); err == nil {
		t.Fatal("the removed co-owner's owner invite joined the workspace")
	}

	mine, err := owner.Invite(ctx, access.Groomer)
	if err != nil {
		t.Fatal(err)
	}
	pending, err = owner.Invites(ctx)
	if err != nil || len(pending) != 1 || pending[0].By != "owner@example.com" {
		t.Fatalf("pending invites: %+v, %v", pending, err)
	}
	if err := owner.RevokeInvite(ctx, pending[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := srv.device("late tablet").Join(ctx, mine.Code, "late@example.com", pass); err == nil {
		t.Fatal("a revoked invite joined the workspace")
	}
	if pending, err := owner.Invites(ctx); err != nil || len(pending) != 0 {
		t.Fatalf("pending invites after revoking: %+v, %v", pending, err)
	}
}

// Issue 14, item 2: the server stores a version only under a key
// generation an owner registered. A groomer's version under generation 77
// is refused (it would leave every device waiting for a key that never
// comes); the generations the owner's device makes when a member leaves
// are registered before it seals with them, so its versions go through
// and open on a fresh device.
func TestUnregisteredKeyGenerationRefused(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	groomer := srv.join(owner, access.Groomer, "groomer@example.com")
	srv.join(owner, access.Groomer, "leaver@example.com")

	groomer.mu.RLock()
	keys := cloneKeys(groomer.keys)
	groomer.mu.RUnlock()
	pet := record.NewID()
	rk := seal.RecordKey(keys.MAC, record.ClassCare, record.TypePet, pet)
	c := clock.New(groomer.DeviceID(), nil)
	ts := c.Now()
	h := seal.Header{Workspace: owner.dev.Workspace, RecordKey: rk, TS: ts, KeyID: 77, Format: merge.Format}
	v := wire.Envelope{Class: record.ClassCare, Key: rk, TS: ts, KeyID: 77, Format: merge.Format,
		OutboxID: book.OutboxID(ts), Sealed: seal.Seal(seal.NewKey(), h, []byte("under a key nobody has"))}
	if r := srv.raw(groomer).push(v); r[0].Code != wire.CodeForbidden || r[0].Seq != 0 {
		t.Fatalf("a version under generation 77: %+v, want refused as forbidden", r[0])
	}

	if err := owner.ChangeMember(ctx, member(t, owner, "leaver@example.com"), 0); err != nil {
		t.Fatal(err)
	}
	if !owner.holds(record.ClassCare, 2) {
		t.Fatal("the owner's care key was not renewed")
	}
	client, bella := record.NewID(), record.NewID()
	if err := owner.SaveClient(ctx, client, nil, &record.Client{Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	if err := owner.SavePet(ctx, bella, nil, &record.Pet{Client: client, Name: "Bella"}); err != nil {
		t.Fatal(err)
	}
	upToDate(t, owner)
	fresh := srv.signIn("owner@example.com")
	waitFor(t, "the pet sealed under generation 2 on a fresh device", func() bool {
		ok, _ := fresh.LoadPet(bella, &record.Pet{})
		return ok
	})
}

//go:build !js

package session

import (
	"context"
	"testing"

	"pawfile/app/book"
	"pawfile/shared/access"
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
	if err := owner.SaveClient(ctx, client, &record.Client{Name: "Margaret Lockwood"}); err != nil {
		t.Fatal(err)
	}
	if err := owner.SavePet(ctx, pet, &record.Pet{Client: client, Name: "Bella"}); err != nil {
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
	got.Name = "Margaret Lockwood-Smith"
	if err := owner.SaveClient(ctx, client, &got); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the owner's edit reaches the fresh device", func() bool {
		var c record.Client
		ok, _ := fresh.LoadClient(client, &c)
		return ok && c.Name == "Margaret Lockwood-Smith"
	})
}

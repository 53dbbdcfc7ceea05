//go:build js && wasm

package session

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"pawfile/app/localstore"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/seal"
)

// TestImportInBrowser imports 2,000 clients into IndexedDB, in one
// transaction, with the UI's pause between chunks, and reads them back.
func TestImportInBrowser(t *testing.T) {
	ctx := context.Background()
	const name = "test-import"
	localstore.Delete(ctx, name)
	db, err := localstore.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close(); localstore.Delete(ctx, name) }()
	keys, salt := seal.NewKeyring(), seal.NewSalt()
	sec, err := seal.Derive([]byte(pass), salt, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	wrapped, _ := seal.WrapKeys(sec.KEK, "ws1", keys)
	dev, _ := json.Marshal(device{Workspace: "ws1", Member: "m1", Login: "owner@example.com", Role: access.Owner, Device: 7,
		Token: "t", Salt: salt, Params: account.ParamsOf(fastParams), Keys: wrapped})
	if err := db.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaDevice: dev}}); err != nil {
		t.Fatal(err)
	}
	open := func() *Session {
		s, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: db})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Unlock(ctx, pass); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	clients := importable(t, 2000)
	start := time.Now()
	reports := 0
	tot, err := s.ImportClients(ctx, clients, func(done, total int) {
		reports++
		time.Sleep(16 * time.Millisecond) // as the import screen does, to paint
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("imported %d clients and %d pets into IndexedDB in %v", tot.Clients, tot.Pets, time.Since(start))
	if tot.Clients != 2000 || reports != 20 {
		t.Errorf("imported %+v with %d progress reports", tot, reports)
	}
	s.Lock()
	again := open()
	defer again.Lock()
	if n := again.ClientCount(); n != 2000 {
		t.Errorf("%d clients after reopening, want 2000", n)
	}
	if pets := again.PetsOf(clients[1999].ID); len(pets) != 1 {
		t.Errorf("pets of the last client after reopening: %+v", pets)
	}
}

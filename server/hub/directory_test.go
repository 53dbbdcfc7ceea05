package hub

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"pawfile/server/db"
	"pawfile/server/directory"
	"pawfile/server/store"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// TestDirectoryFailureIsAServerProblem: when the server cannot read its
// directory (here: its bbolt file is closed under it), a device is told
// the server has a problem, which it retries, never that it was signed out
// or removed, which ends its sync for good.
func TestDirectoryFailureIsAServerProblem(t *testing.T) {
	vdb, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vdb.Close() })
	st, err := store.Open(vdb)
	if err != nil {
		t.Fatal(err)
	}
	ddb, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ddb.Close() })
	dir, err := directory.Open(ddb)
	if err != nil {
		t.Fatal(err)
	}
	rnd := func(n int) []byte {
		b := make([]byte, n)
		rand.Read(b)
		return b
	}
	g, err := dir.CreateWorkspace(context.Background(), directory.Registration{
		Login: "owner@example.com", Salt: rnd(directory.SaltLen), Params: seal.DefaultParams, Auth: rnd(32),
		PublicKey: rnd(32), Keys: []byte("wrapped keyring"), Device: directory.DeviceInfo{ID: 7, Name: "tablet"},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := New(st, st, dir, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{})
	mux := http.NewServeMux()
	mux.Handle("GET /sync", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f := &fixture{t: t, hub: h, srv: srv, st: st}

	d, _, err := f.dial(g.Token, g.Device)
	if err != nil {
		t.Fatalf("connect before the failure: %v", err)
	}
	if err := ddb.Close(); err != nil {
		t.Fatal(err)
	}

	// A connected device's next request.
	d.send(&wire.Pull{ID: 1, After: 0, Limit: 10})
	e := expect[*wire.Error](d)
	if e.Code != wire.CodeInternal {
		t.Errorf("connected device, directory failing: got %v %q, want %v", e.Code, e.Message, wire.CodeInternal)
	}

	// A device connecting.
	_, _, err = f.dial(g.Token, g.Device)
	var refusal *wire.Error
	if !errors.As(err, &refusal) {
		t.Fatalf("connecting device, directory failing: got %v, want a refusal", err)
	}
	if refusal.Code != wire.CodeInternal {
		t.Errorf("connecting device, directory failing: got %v %q, want %v", refusal.Code, refusal.Message, wire.CodeInternal)
	}
}

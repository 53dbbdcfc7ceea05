//go:build !js

package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// TestFullWorkspace: on a server whose -quota-mib the workspace has
// filled, a new client stays on the tablet and the app says the storage
// is full and what to do; once the quota is raised the client reaches the
// server and the warning goes.
func TestFullWorkspace(t *testing.T) {
	srv := startServer(t)
	srv.stop()
	srv.flags = []string{"-quota-mib", "1"}
	srv.start()
	owner := newBrowser(t, 1024, 768)
	owner.createWorkspace(srv, "owner@example.com")
	owner.waitText("Up to date", 60*time.Second)
	d, _ := owner.store()
	fillWith(t, srv, d)

	owner.addClient("Margaret Lockwood", "07700 900123", "")
	owner.waitText("The workspace's storage on the server is full: ask the owner", 60*time.Second)
	owner.checkAxe("storage-full")
	if n := clientsOnServer(t, srv, d); n != 0 {
		t.Fatalf("%d clients on the server of a full workspace", n)
	}

	// The operator raises the quota: the client goes, the warning too.
	srv.stop()
	srv.flags = []string{"-quota-mib", "64"}
	srv.start()
	owner.waitFor("the warning to go", 90*time.Second, func() bool {
		return !strings.Contains(owner.text(), "storage on the server is full") && strings.Contains(owner.text(), "Up to date")
	})
	if n := clientsOnServer(t, srv, d); n != 1 {
		t.Fatalf("%d clients on the server once there is room, want the one that waited", n)
	}
}

// fillWith uploads blobs as device d until the workspace's storage is
// full to the last few bytes: blobs of smaller and smaller sizes, each
// until the server refuses one.
func fillWith(t *testing.T, srv *server, d groomerDevice) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+srv.addr+"/sync", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {srv.url()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(wire.MaxFrame)
	ask := func(m wire.Message, id uint32) wire.Message {
		b, err := wire.Encode(m)
		if err == nil {
			err = c.Write(ctx, websocket.MessageBinary, b)
		}
		if err != nil {
			t.Fatal(err)
		}
		for range 100 {
			_, b, err := c.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			a, err := wire.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			switch a := a.(type) {
			case *wire.Welcome:
				return a
			case *wire.BlobAck:
				if a.ID == id {
					return a
				}
			case *wire.Error:
				if a.ID == id {
					return a
				}
			}
		}
		t.Fatal("no answer")
		return nil
	}
	if _, ok := ask(&wire.Hello{Proto: wire.Version, Workspace: d.Workspace, Device: d.Device, Token: []byte(d.Token)}, 0).(*wire.Welcome); !ok {
		t.Fatal("hello refused")
	}
	id := uint32(0)
	for _, size := range []int{wire.MaxChunk / 2, 1 << 16, 1 << 12, 1 << 8, 1 << 4} {
		for range 64 {
			blob := make([]byte, size)
			rand.Read(blob)
			id++
			m := ask(&wire.BlobPut{ID: id, Hash: sha256.Sum256(blob), Total: uint64(size), Data: blob}, id)
			if e, ok := m.(*wire.Error); ok {
				if e.Code != wire.CodeFull {
					t.Fatalf("blob refused: %v", e)
				}
				break
			}
		}
	}
}

// clientsOnServer counts the clients the server holds for d's workspace.
func clientsOnServer(t *testing.T, srv *server, d groomerDevice) int {
	t.Helper()
	keys := d.tabletKeys(t)
	n := 0
	for _, v := range d.pull(t, srv) {
		if r, ok := open(keys, d.Workspace, v); ok && r.Key.Type == record.TypeClient {
			n++
		}
	}
	return n
}

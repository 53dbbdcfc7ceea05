//go:build !js

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"pawfile/app/book"
	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// TestHistoryPages: a client edited more often than one page of the
// server's history holds (a thousand versions) shows its latest changes
// and a "Show older changes" button, which reads the page before: then
// the first change is there too, with the value it replaced.
func TestHistoryPages(t *testing.T) {
	srv := startServer(t)
	owner := newBrowser(t, 1024, 768)
	owner.createWorkspace(srv, "owner@example.com")
	owner.addClient("Margaret Lockwood", "07700 900123", "first visit")
	d, _ := owner.store()
	keys := d.tabletKeys(t)

	// The client's version on the server, opened.
	var first wire.Envelope
	var rec *merge.Record
	for i := 0; rec == nil; i++ {
		if i == 30 {
			t.Fatal("the client never reached the server")
		}
		for _, v := range d.pull(t, srv) {
			if r, ok := open(keys, d.Workspace, v); ok && r.Key.Type == record.TypeClient {
				first, rec = v, r
			}
		}
		if rec == nil {
			time.Sleep(time.Second)
		}
	}

	// The same device's next thousand versions of it, each a new note.
	tick := clock.New(d.Device, nil)
	ck, _ := keys.Current(record.ClassClient)
	var push []wire.Envelope
	for i := range wire.MaxBatch {
		ts := tick.Now()
		note, err := record.EncodeValue(fmt.Sprintf("visit %d", i))
		if err != nil {
			t.Fatal(err)
		}
		rec.Set("notes", note, ts)
		plain, err := merge.Encode(rec)
		if err != nil {
			t.Fatal(err)
		}
		h := seal.Header{Workspace: d.Workspace, RecordKey: first.Key, TS: ts, KeyID: ck.ID, Format: merge.Format}
		v := wire.Envelope{Class: record.ClassClient, Key: first.Key, TS: ts, KeyID: ck.ID, Format: merge.Format,
			OutboxID: book.OutboxID(ts), Sealed: seal.Seal(ck.Key, h, plain)}
		if i == 0 {
			v.Supersedes = []uint64{first.Seq}
		}
		push = append(push, v)
	}
	pushAs(t, srv, d, push)

	owner.openClient("Margaret Lockwood")
	owner.button("History")
	owner.waitFor("the latest page of the history", 60*time.Second, func() bool {
		h := owner.elementText("#history-body")
		return strings.Contains(h, "visit 999") && strings.Contains(h, "visit 0")
	})
	if h := owner.elementText("#history-body"); strings.Contains(h, "first visit → visit 0") {
		t.Fatal("the first page already holds the first version")
	}
	owner.checkAxe("history-older")
	owner.button("Show older changes")
	owner.waitFor("the older page", 60*time.Second, func() bool {
		return strings.Contains(owner.elementText("#history-body"), "first visit → visit 0")
	})
	if h := owner.elementText("#history-body"); !strings.Contains(h, "Margaret Lockwood") || strings.Contains(h, "Show older changes") {
		t.Errorf("the whole history lacks the client's creation, or offers more:\n%.600s", h)
	}
}

// tabletKeys opens, with the passphrase, the keyring the device keeps.
func (d groomerDevice) tabletKeys(t testing.TB) *seal.Keyring {
	t.Helper()
	sec, err := seal.Derive([]byte(passphrase), d.Salt, d.Params.Seal())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := seal.UnwrapKeys(sec.KEK, d.Workspace, d.Keys)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// open opens a version with keys; false if it does not open.
func open(keys *seal.Keyring, ws string, v wire.Envelope) (*merge.Record, bool) {
	key, ok := keys.Lookup(v.Class, v.KeyID)
	if !ok || v.Erased {
		return nil, false
	}
	plain, err := seal.Open(key, seal.Header{Workspace: ws, RecordKey: v.Key, TS: v.TS, KeyID: v.KeyID, Format: v.Format}, v.Sealed)
	if err != nil {
		return nil, false
	}
	r, err := merge.Decode(plain)
	return r, err == nil
}

// pushAs pushes vs to the server as device d, in one push, and fails
// the test unless every version is stored.
func pushAs(t *testing.T, srv *server, d groomerDevice, vs []wire.Envelope) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+srv.addr+"/sync", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {srv.url()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(wire.MaxFrame)
	send := func(m wire.Message) {
		b, err := wire.Encode(m)
		if err == nil {
			err = c.Write(ctx, websocket.MessageBinary, b)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	recv := func() wire.Message {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m, err := wire.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	send(&wire.Hello{Proto: wire.Version, Workspace: d.Workspace, Device: d.Device, Token: []byte(d.Token)})
	if m, ok := recv().(*wire.Welcome); !ok {
		t.Fatalf("hello answered with %T", m)
	}
	send(&wire.Push{ID: 1, Versions: vs})
	for range 100 {
		a, ok := recv().(*wire.Ack)
		if !ok {
			continue // live versions and pokes
		}
		for _, r := range a.Results {
			if r.Code != wire.CodeOK {
				t.Fatalf("pushed version refused: %+v", r)
			}
		}
		return
	}
	t.Fatal("the push was never acknowledged")
}

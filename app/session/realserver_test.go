//go:build !js

package session

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	bolt "go.etcd.io/bbolt"

	"pawfile/app/syncclient"
	serverapi "pawfile/server/api"
	"pawfile/server/db"
	"pawfile/server/directory"
	"pawfile/server/hub"
	"pawfile/server/store"
	"pawfile/shared/access"
	"pawfile/shared/wire"
)

// realServer is the sync server's own pieces (bbolt in a temporary
// directory, the directory, the JSON API and the sync hub) on 127.0.0.1,
// for attacks that must meet what the server really refuses.
type realServer struct {
	t   *testing.T
	url string
	db  *bolt.DB
	st  *store.Bolt
	dir *directory.Directory
}

func newRealServer(t *testing.T) *realServer {
	t.Helper()
	d, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	st, err := store.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := hub.New(st, st, dir, quiet, hub.Config{})
	dir.OnRevoke(h.Revoke)
	dir.OnKeys(h.Rekey)
	dir.OnRole(h.SetRole)
	mux := http.NewServeMux()
	mux.Handle("/api/", serverapi.New(dir, quiet))
	mux.Handle("GET /sync", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &realServer{t: t, url: srv.URL, db: d, st: st, dir: dir}
}

// forgetTeamLog makes workspace ws one from before the signed team log,
// as its directory record then stood.
func (r *realServer) forgetTeamLog(ws string) {
	r.t.Helper()
	err := r.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("directory")).Bucket([]byte("workspaces"))
		var w map[string]json.RawMessage
		if err := json.Unmarshal(b.Get([]byte(ws)), &w); err != nil {
			return err
		}
		delete(w, "team_log")
		raw, err := json.Marshal(w)
		if err != nil {
			return err
		}
		return b.Put([]byte(ws), raw)
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

// device returns a new device of the server, not set up yet.
func (r *realServer) device(name string) *Session {
	r.t.Helper()
	s, err := New(context.Background(), Config{Server: r.url, DeviceName: name, Store: newMemStore(),
		Log: log.New(io.Discard, "", 0)})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(s.Lock)
	return s
}

// owner creates a workspace from a new device.
func (r *realServer) owner(login string) *Session {
	r.t.Helper()
	s := r.device(login + "'s tablet")
	if err := s.CreateWorkspace(context.Background(), "", login, pass); err != nil {
		r.t.Fatal(err)
	}
	return s
}

// join has a new member join owner's workspace with role, and owner give
// them access, as the team screen does.
func (r *realServer) join(owner *Session, role access.Role, login string) *Session {
	r.t.Helper()
	ctx := context.Background()
	inv, err := owner.Invite(ctx, role)
	if err != nil {
		r.t.Fatal(err)
	}
	s := r.device(login + "'s tablet")
	if err := s.Join(ctx, inv.Code, login, pass); err != nil {
		r.t.Fatal(err)
	}
	ms, err := owner.Members(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, m := range ms {
		if m.Login == login {
			if err := owner.GiveAccess(ctx, m); err != nil {
				r.t.Fatal(err)
			}
		}
	}
	if ok, err := s.CheckKeys(ctx); !ok || err != nil {
		r.t.Fatalf("%s did not get their keys: %v %v", login, ok, err)
	}
	return s
}

// signIn sets a fresh device up for an existing member.
func (r *realServer) signIn(login string) *Session {
	r.t.Helper()
	s := r.device(login + "'s new tablet")
	if err := s.SignIn(context.Background(), login, pass); err != nil {
		r.t.Fatal(err)
	}
	return s
}

// member returns the team member of login as owner's Team screen lists them.
func member(t *testing.T, owner *Session, login string) Member {
	t.Helper()
	ms, err := owner.Members(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Login == login && m.Active() {
			return m
		}
	}
	t.Fatalf("no active member %s", login)
	return Member{}
}

// upToDate waits until s has sent its outbox and received everything.
func upToDate(t *testing.T, s *Session) {
	t.Helper()
	waitFor(t, s.Login()+"'s device up to date", func() bool {
		st := s.Sync()
		return st.State == syncclient.UpToDate && st.Pending == 0
	})
}

// rawSocket is a device's token used by hand, as a hostile member's
// modified app would: it speaks the protocol directly to the hub.
type rawSocket struct {
	t    *testing.T
	ws   *websocket.Conn
	id   uint32
	head uint64 // the workspace's latest seq when it connected
}

// raw opens a socket with s's device token.
func (r *realServer) raw(s *Session) *rawSocket {
	r.t.Helper()
	s.mu.RLock()
	d := *s.dev
	s.mu.RUnlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(r.url, "http") + "/sync"
	c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {r.url}}})
	if err != nil {
		r.t.Fatal(err)
	}
	c.SetReadLimit(wire.MaxFrame)
	r.t.Cleanup(func() { c.CloseNow() })
	rs := &rawSocket{t: r.t, ws: c}
	rs.send(&wire.Hello{Proto: wire.Version, Workspace: d.Workspace, Device: d.Device, Token: []byte(d.Token)})
	w, ok := rs.recv().(*wire.Welcome)
	if !ok {
		r.t.Fatal("no welcome for the raw socket")
	}
	rs.head = w.Head
	return rs
}

func (rs *rawSocket) send(m wire.Message) {
	rs.t.Helper()
	b, err := wire.Encode(m)
	if err != nil {
		rs.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rs.ws.Write(ctx, websocket.MessageBinary, b); err != nil {
		rs.t.Fatal(err)
	}
}

func (rs *rawSocket) recv() wire.Message {
	rs.t.Helper()
	m, err := rs.next()
	if err != nil {
		rs.t.Fatal(err)
	}
	return m
}

// next reads the next message, or the error that ends the socket.
func (rs *rawSocket) next() (wire.Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := rs.ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	return wire.Decode(b)
}

// push sends versions and returns the server's answer to each.
func (rs *rawSocket) push(vs ...wire.Envelope) []wire.Result {
	rs.t.Helper()
	rs.id++
	rs.send(&wire.Push{ID: rs.id, Versions: vs})
	for range 100 {
		if ack, ok := rs.recv().(*wire.Ack); ok && ack.ID == rs.id {
			return ack.Results
		}
	}
	rs.t.Fatal("no ack")
	return nil
}

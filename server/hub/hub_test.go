package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"pawfile/server/db"
	"pawfile/server/directory"
	"pawfile/server/store"
	"pawfile/shared/access"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// auth is a directory stand-in: tokens map to sessions.
type auth struct {
	mu       sync.Mutex
	sessions map[string]directory.Session
}

func (a *auth) Authenticate(_ context.Context, token string) (directory.Session, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[token]
	if !ok {
		return directory.Session{}, directory.ErrUnauthorized
	}
	return s, nil
}

// KeyGenerations answers as for a workspace from before registration:
// every generation goes.
func (a *auth) KeyGenerations(context.Context, string) (directory.KeyGens, error) {
	return directory.LegacyKeyGens(), nil
}

func (a *auth) add(token, ws string, device uint64, role access.Role) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sessions[token] = directory.Session{Workspace: ws, Member: fmt.Sprintf("%s-m%d", ws, device), Device: device, Role: role}
}

func (a *auth) remove(token string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.sessions, token)
}

type fixture struct {
	t    *testing.T
	hub  *Hub
	auth *auth
	srv  *httptest.Server
	st   *store.Bolt
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	return newWrappedFixture(t, cfg, nil)
}

// newWrappedFixture is newFixture with the hub's version store wrapped by
// wrap, unless it is nil.
func newWrappedFixture(t *testing.T, cfg Config, wrap func(store.Store) store.Store) *fixture {
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
	a := &auth{sessions: map[string]directory.Session{}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var versions store.Store = st
	if wrap != nil {
		versions = wrap(st)
	}
	h := New(versions, st, a, log, cfg)
	mux := http.NewServeMux()
	mux.Handle("GET /sync", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &fixture{t: t, hub: h, auth: a, srv: srv, st: st}
}

func (f *fixture) url() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/sync" }

// device is a test client speaking the protocol over a real socket.
type device struct {
	t      *testing.T
	id     uint64
	ws     *websocket.Conn
	clock  *clock.Clock
	outbox uint64
	nextID uint32
}

func (f *fixture) dial(token string, id uint64) (*device, *wire.Welcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, f.url(), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {f.srv.URL}}})
	if err != nil {
		return nil, nil, err
	}
	c.SetReadLimit(wire.MaxFrame)
	d := &device{t: f.t, id: id, ws: c, clock: clock.New(id, nil)}
	f.t.Cleanup(func() { c.CloseNow() })
	d.send(&wire.Hello{Proto: wire.Version, Device: id, Token: []byte(token)})
	m, err := d.recv()
	if err != nil {
		return nil, nil, err
	}
	switch m := m.(type) {
	case *wire.Welcome:
		return d, m, nil
	case *wire.Error:
		return nil, nil, m
	}
	return nil, nil, fmt.Errorf("unexpected %T", m)
}

// connect adds a session and dials it.
func (f *fixture) connect(ws string, id uint64, role access.Role) *device {
	f.t.Helper()
	token := fmt.Sprintf("tok-%s-%d", ws, id)
	f.auth.add(token, ws, id, role)
	d, _, err := f.dial(token, id)
	if err != nil {
		f.t.Fatalf("connect %s/%d: %v", ws, id, err)
	}
	return d
}

func (d *device) send(m wire.Message) {
	d.t.Helper()
	b, err := wire.Encode(m)
	if err != nil {
		d.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.ws.Write(ctx, websocket.MessageBinary, b); err != nil {
		d.t.Fatal(err)
	}
}

func (d *device) recv() (wire.Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := d.ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	return wire.Decode(b)
}

// expect reads until a message of type T arrives.
func expect[T wire.Message](d *device) T {
	d.t.Helper()
	for range 50 {
		m, err := d.recv()
		if err != nil {
			d.t.Fatalf("device %d: waiting for %T: %v", d.id, *new(T), err)
		}
		if v, ok := m.(T); ok {
			return v
		}
	}
	d.t.Fatalf("device %d: no %T in 50 messages", d.id, *new(T))
	panic("unreachable")
}

func (d *device) version(class record.Class, key byte, supersedes ...uint64) wire.Envelope {
	d.outbox++
	return wire.Envelope{
		Class: class, Key: wire.Key{key}, TS: d.clock.Now(), KeyID: 1, Format: 1,
		OutboxID: d.outbox, Supersedes: supersedes, Sealed: []byte(fmt.Sprintf("sealed-%d-%d", d.id, d.outbox)),
	}
}

func (d *device) push(vs ...wire.Envelope) *wire.Ack {
	d.t.Helper()
	d.nextID++
	d.send(&wire.Push{ID: d.nextID, Versions: vs})
	ack := expect[*wire.Ack](d)
	if ack.ID != d.nextID || len(ack.Results) != len(vs) {
		d.t.Fatalf("ack %d with %d results for push %d of %d", ack.ID, len(ack.Results), d.nextID, len(vs))
	}
	return ack
}

func (d *device) pull(after uint64, heads bool) *wire.Batch {
	d.t.Helper()
	d.nextID++
	d.send(&wire.Pull{ID: d.nextID, After: after, Limit: 1000, Heads: heads})
	return expect[*wire.Batch](d)
}

func TestTwoDevicesConverge(t *testing.T) {
	f := newFixture(t, Config{})
	a := f.connect("ws1", 1, access.Owner)
	b := f.connect("ws1", 2, access.FrontDesk)

	ack := a.push(a.version(record.ClassClient, 1), a.version(record.ClassCare, 2))
	for _, r := range ack.Results {
		if r.Code != wire.CodeOK || r.Seq == 0 {
			t.Fatalf("push refused: %+v", r)
		}
	}
	live := expect[*wire.Live](b)
	if len(live.Versions) != 2 || live.Versions[0].Seq != ack.Results[0].Seq {
		t.Fatalf("live: %+v", live.Versions)
	}

	// B was offline for A's next edit: it catches up from its cursor.
	cursor := live.Versions[1].Seq
	b.ws.CloseNow()
	a.push(a.version(record.ClassClient, 1, ack.Results[0].Seq))
	b2 := f.connect("ws1", 2, access.FrontDesk)
	batch := b2.pull(cursor, false)
	if len(batch.Versions) != 1 || batch.Versions[0].Key != (wire.Key{1}) {
		t.Fatalf("catch-up: %+v", batch)
	}

	// A new device bootstraps from heads: one version per record.
	c := f.connect("ws1", 3, access.Viewer)
	heads := c.pull(0, true)
	if len(heads.Versions) != 2 || heads.More {
		t.Fatalf("bootstrap: %d versions, more %v", len(heads.Versions), heads.More)
	}
}

// slowStore makes every commit seem slow to the hub, and records the
// erasures and reads it makes while a batch it enqueued is still
// unanswered: those must wait for the pushes before them.
type slowStore struct {
	store.Store
	mu      sync.Mutex
	waiting int
	early   []string
}

func (s *slowStore) Enqueue(ctx context.Context, ws string, device uint64, batch []wire.Envelope) store.Pending {
	s.mu.Lock()
	s.waiting++
	s.mu.Unlock()
	wait := s.Store.Enqueue(ctx, ws, device, batch)
	var once sync.Once
	var res []wire.Result
	var err error
	return func() ([]wire.Result, error) {
		once.Do(func() {
			time.Sleep(5 * time.Millisecond)
			res, err = wait()
			s.mu.Lock()
			s.waiting--
			s.mu.Unlock()
		})
		return res, err
	}
}

func (s *slowStore) check(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.waiting > 0 {
		s.early = append(s.early, fmt.Sprintf("%s with %d pushes unanswered", op, s.waiting))
	}
}

func (s *slowStore) Erase(ctx context.Context, ws string, device uint64, marker wire.Envelope) (wire.Result, error) {
	s.check("erase")
	return s.Store.Erase(ctx, ws, device, marker)
}

func (s *slowStore) Since(ctx context.Context, ws string, after uint64, limit int, classes []record.Class) ([]wire.Envelope, uint64, bool, error) {
	s.check("pull")
	return s.Store.Since(ctx, ws, after, limit, classes)
}

// TestPushesInFlight has a device send pushes without waiting for their
// Acks, more than the hub keeps in flight, then an erasure and a pull. The
// Acks must come in push order, each push stored after the ones before it,
// the erasure after all of them, and the pull must see them all; another
// device receives them live in the same order.
func TestPushesInFlight(t *testing.T) {
	slow := &slowStore{}
	f := newWrappedFixture(t, Config{}, func(s store.Store) store.Store {
		slow.Store = s
		return slow
	})
	a := f.connect("ws1", 1, access.Owner)
	b := f.connect("ws1", 2, access.Owner)
	const pushes = 3 * maxInFlight
	for i := range pushes {
		// The device's next version of record 1, and a new client record.
		a.send(&wire.Push{ID: uint32(i + 1), Versions: []wire.Envelope{a.version(record.ClassCare, 1), a.version(record.ClassClient, byte(10+i))}})
	}
	marker := a.version(record.ClassCare, 1)
	marker.Erased = true
	a.send(&wire.Push{ID: pushes + 1, Versions: []wire.Envelope{marker}})
	a.send(&wire.Pull{ID: pushes + 2, Limit: 1000})

	var last uint64
	for i := range pushes + 1 {
		ack := expect[*wire.Ack](a)
		if ack.ID != uint32(i+1) {
			t.Fatalf("ack %d came where push %d's was due", ack.ID, i+1)
		}
		for _, r := range ack.Results {
			if r.Code != wire.CodeOK || r.Seq <= last {
				t.Fatalf("push %d: %+v after seq %d", ack.ID, r, last)
			}
			last = r.Seq
		}
	}
	batch := expect[*wire.Batch](a)
	// The erasure purged record 1's versions: the client records and the
	// marker are left.
	if batch.ID != pushes+2 || len(batch.Versions) != pushes+1 || batch.Versions[pushes].Seq != last {
		t.Fatalf("pull after the pushes: id %d, %d versions, want %d ending with seq %d", batch.ID, len(batch.Versions), pushes+1, last)
	}
	var live []uint64
	for len(live) < 2*pushes+1 {
		for _, v := range expect[*wire.Live](b).Versions {
			live = append(live, v.Seq)
		}
	}
	if !slices.IsSorted(live) || live[len(live)-1] != last {
		t.Fatalf("live versions out of order: %v", live)
	}
	slow.mu.Lock()
	defer slow.mu.Unlock()
	if len(slow.early) > 0 {
		t.Fatalf("the hub did not wait for the pushes before: %v", slow.early)
	}
}

func TestConcurrentEditsLeaveTwoHeads(t *testing.T) {
	f := newFixture(t, Config{})
	a := f.connect("ws1", 1, access.Owner)
	b := f.connect("ws1", 2, access.Owner)
	first := a.push(a.version(record.ClassProject, 9)).Results[0].Seq
	// Both edit offline on top of the first version.
	sa := a.push(a.version(record.ClassProject, 9, first)).Results[0].Seq
	sb := b.push(b.version(record.ClassProject, 9, first)).Results[0].Seq
	if n := len(a.pull(0, true).Versions); n != 2 {
		t.Fatalf("after concurrent edits: %d heads, want 2", n)
	}
	a.push(a.version(record.ClassProject, 9, sa, sb))
	if n := len(a.pull(0, true).Versions); n != 1 {
		t.Fatalf("after the merging edit: %d heads, want 1", n)
	}
}

// The owner class (settings, retention, the deletion log) is the owners'
// alone: other roles may neither push nor pull it, and nobody erases it.
func TestOwnerClass(t *testing.T) {
	f := newFixture(t, Config{})
	owner := f.connect("ws1", 1, access.Owner)
	if r := owner.push(owner.version(record.ClassOwner, 1)).Results[0]; r.Code != wire.CodeOK {
		t.Fatalf("owner pushes the owner class: %+v", r)
	}
	marker := owner.version(record.ClassOwner, 1)
	marker.Erased, marker.Sealed = true, nil
	if r := owner.push(marker).Results[0]; r.Code != wire.CodeForbidden {
		t.Fatalf("owner erases an owner-class record: %+v, want forbidden", r)
	}
	for i, role := range []access.Role{access.FrontDesk, access.Groomer, access.Viewer} {
		d := f.connect("ws1", uint64(10+i), role)
		if r := d.push(d.version(record.ClassOwner, 2)).Results[0]; r.Code != wire.CodeForbidden {
			t.Errorf("%s pushes the owner class: %+v, want forbidden", role, r)
		}
		for _, heads := range []bool{false, true} {
			if vs := d.pull(0, heads).Versions; len(vs) != 0 {
				t.Errorf("%s pulled %d owner-class versions (heads=%v)", role, len(vs), heads)
			}
		}
	}
	if vs := owner.pull(0, true).Versions; len(vs) != 1 || vs[0].Erased {
		t.Fatalf("the owner's heads: %+v", vs)
	}
}

// TestPullOfClasses: a pull that names classes gets only those, and never
// a class the member's role may not read, whatever it asks for.
func TestPullOfClasses(t *testing.T) {
	f := newFixture(t, Config{})
	owner := f.connect("ws1", 1, access.Owner)
	owner.push(owner.version(record.ClassClient, 1), owner.version(record.ClassProject, 2), owner.version(record.ClassCare, 3), owner.version(record.ClassOwner, 4))
	classesOf := func(d *device, heads bool, want ...record.Class) []record.Class {
		d.nextID++
		d.send(&wire.Pull{ID: d.nextID, Limit: 1000, Heads: heads, Classes: want})
		var got []record.Class
		for _, v := range expect[*wire.Batch](d).Versions {
			got = append(got, v.Class)
		}
		return got
	}
	groomer := f.connect("ws1", 2, access.Groomer)
	desk := f.connect("ws1", 3, access.FrontDesk)
	for _, c := range []struct {
		name  string
		d     *device
		want  []record.Class
		heads bool
		got   []record.Class
	}{
		{"the owner's clients and care, heads", owner, []record.Class{record.ClassClient, record.ClassCare}, true, []record.Class{record.ClassClient, record.ClassCare}},
		{"the owner's projects, log", owner, []record.Class{record.ClassProject}, false, []record.Class{record.ClassProject}},
		{"the owner, every class", owner, nil, true, []record.Class{record.ClassClient, record.ClassProject, record.ClassCare, record.ClassOwner}},
		{"a groomer asks for clients and care", groomer, []record.Class{record.ClassClient, record.ClassCare}, true, []record.Class{record.ClassCare}},
		{"a groomer asks for clients only", groomer, []record.Class{record.ClassClient}, false, nil},
		{"the front desk asks for the owner's class", desk, []record.Class{record.ClassOwner, record.ClassProject}, true, []record.Class{record.ClassProject}},
	} {
		if got := classesOf(c.d, c.heads, c.want...); !slices.Equal(got, c.got) {
			t.Errorf("%s: pulled %v, want %v", c.name, got, c.got)
		}
	}
}

func TestRoleAndWorkspaceIsolation(t *testing.T) {
	f := newFixture(t, Config{})
	owner := f.connect("ws1", 1, access.Owner)
	owner.push(owner.version(record.ClassClient, 1), owner.version(record.ClassCare, 2), owner.version(record.ClassProject, 3))

	groomer := f.connect("ws1", 2, access.Groomer)
	ack := groomer.push(groomer.version(record.ClassClient, 4), groomer.version(record.ClassCare, 5))
	if ack.Results[0].Code != wire.CodeForbidden || ack.Results[1].Code != wire.CodeOK {
		t.Fatalf("groomer push: %+v", ack.Results)
	}
	for _, heads := range []bool{false, true} {
		for _, v := range groomer.pull(0, heads).Versions {
			if v.Class == record.ClassClient {
				t.Fatalf("groomer pulled a client record (heads=%v)", heads)
			}
		}
	}
	// Live updates of client records do not reach the groomer either.
	owner.push(owner.version(record.ClassClient, 6), owner.version(record.ClassProject, 7))
	live := expect[*wire.Live](groomer)
	for _, v := range live.Versions {
		if v.Class == record.ClassClient {
			t.Fatal("groomer got a client record live")
		}
	}

	viewer := f.connect("ws1", 3, access.Viewer)
	if r := viewer.push(viewer.version(record.ClassCare, 8)).Results[0]; r.Code != wire.CodeForbidden {
		t.Fatalf("viewer push: %+v", r)
	}

	other := f.connect("ws2", 4, access.Owner)
	if n := len(other.pull(0, false).Versions) + len(other.pull(0, true).Versions); n != 0 {
		t.Fatalf("workspace 2 sees %d versions of workspace 1", n)
	}
	other.push(other.version(record.ClassCare, 1))
	if _, err := owner.recvWithin(300 * time.Millisecond); err == nil {
		t.Fatal("workspace 1 got a live version of workspace 2")
	}
}

func (d *device) recvWithin(wait time.Duration) (wire.Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, b, err := d.ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	return wire.Decode(b)
}

func TestSkewRefusesOnlyTheFutureVersion(t *testing.T) {
	f := newFixture(t, Config{})
	a := f.connect("ws1", 1, access.Owner)
	future := a.version(record.ClassCare, 1)
	future.TS.Wall = time.Now().Add(3*time.Hour + 12*time.Minute + 30*time.Second).UnixMilli()
	ack := a.push(future, a.version(record.ClassCare, 2))
	if ack.Results[0].Code != wire.CodeSkew || !strings.Contains(ack.Results[0].Message, "3 h 12 min ahead") {
		t.Fatalf("future version: %+v", ack.Results[0])
	}
	if ack.Results[1].Code != wire.CodeOK {
		t.Fatalf("the sane version was held up: %+v", ack.Results[1])
	}
}

func TestErasedRecordsStayErased(t *testing.T) {
	f := newFixture(t, Config{})
	a := f.connect("ws1", 1, access.Owner)
	stale := f.connect("ws1", 2, access.FrontDesk)
	seq := a.push(a.version(record.ClassClient, 7)).Results[0].Seq
	older := stale.version(record.ClassClient, 7)
	marker := a.version(record.ClassClient, 7, seq)
	marker.Erased, marker.Sealed = true, []byte("sealed erased marker")
	if r := a.push(marker).Results[0]; r.Code != wire.CodeOK {
		t.Fatalf("erase: %+v", r)
	}
	newer := stale.version(record.ClassClient, 7)
	for _, v := range []wire.Envelope{older, newer} {
		if r := stale.push(v).Results[0]; r.Code != wire.CodeErased {
			t.Fatalf("a stale device re-uploaded an erased record: %+v", r)
		}
	}
	hist, _, err := f.st.History(context.Background(), "ws1", [32]byte{7}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || !hist[0].Erased {
		t.Fatalf("history after erasure: %+v", hist)
	}
}

func TestRefusedConnections(t *testing.T) {
	f := newFixture(t, Config{})
	f.auth.add("good", "ws1", 1, access.Owner)
	for _, origin := range []string{"", "http://evil.example"} {
		req, _ := http.NewRequest("GET", f.srv.URL+"/sync", nil)
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		req.Header.Set("Sec-WebSocket-Version", "13")
		req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %q: status %d, want 403", origin, resp.StatusCode)
		}
	}
	if _, _, err := f.dial("bad token", 1); wire.CodeOf(err) != wire.CodeUnauthorized {
		t.Errorf("bad token: %v", err)
	}
	if _, _, err := f.dial("good", 2); wire.CodeOf(err) != wire.CodeUnauthorized {
		t.Errorf("another device's token: %v", err)
	}
}

func TestRevokedDeviceIsCutOff(t *testing.T) {
	f := newFixture(t, Config{})
	d := f.connect("ws1", 1, access.Groomer)
	f.auth.remove("tok-ws1-1")
	f.hub.Revoke("ws1", 1)
	e := expect[*wire.Error](d)
	if e.Code != wire.CodeRevoked || e.Message != revokedText {
		t.Fatalf("revoked device got %+v", e)
	}
	if _, err := d.recv(); err == nil {
		t.Fatal("socket still open after revocation")
	}
	if _, _, err := f.dial("tok-ws1-1", 1); err == nil {
		t.Fatal("revoked device reconnected")
	}
}

func TestRekeyRestartsTheMembersSockets(t *testing.T) {
	f := newFixture(t, Config{})
	member := f.connect("ws1", 1, access.FrontDesk)
	other := f.connect("ws1", 2, access.Owner)
	f.hub.Rekey("ws1", "ws1-m1")
	if _, err := member.recv(); err == nil {
		t.Fatal("the member's socket is still open after Rekey")
	}
	// The member's device reconnects at once; the others never noticed.
	again, _, err := f.dial("tok-ws1-1", 1)
	if err != nil {
		t.Fatalf("reconnect after Rekey: %v", err)
	}
	if r := again.push(again.version(record.ClassCare, 1)).Results[0]; r.Code != wire.CodeOK {
		t.Fatalf("push after reconnecting: %+v", r)
	}
	expect[*wire.Live](other)
}

func TestMalformedAndOversized(t *testing.T) {
	f := newFixture(t, Config{})
	a := f.connect("ws1", 1, access.Owner)
	b := f.connect("ws1", 2, access.Owner)
	ctx := context.Background()
	if err := a.ws.Write(ctx, websocket.MessageBinary, []byte{wire.Version, 3, 0, 0xff, 0xff}); err != nil {
		t.Fatal(err)
	}
	if e := expect[*wire.Error](a); e.Code != wire.CodeBadMessage {
		t.Fatalf("malformed: %+v", e)
	}
	// The same socket keeps working, and so do the others.
	if r := a.push(a.version(record.ClassCare, 1)).Results[0]; r.Code != wire.CodeOK {
		t.Fatalf("after a malformed message: %+v", r)
	}
	expect[*wire.Live](b)

	big := make([]byte, wire.MaxFrame+10)
	a.ws.Write(ctx, websocket.MessageBinary, big)
	_, err := a.recv()
	if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("oversized frame: %v (status %d), want close 1009", err, websocket.CloseStatus(err))
	}
	if r := b.push(b.version(record.ClassCare, 2)).Results[0]; r.Code != wire.CodeOK {
		t.Fatalf("another device after the oversized frame: %+v", r)
	}
}

func TestIdleSocketsAreReaped(t *testing.T) {
	const n = 1000
	f := newFixture(t, Config{PingInterval: 200 * time.Millisecond, PingTimeout: 200 * time.Millisecond, MaxConns: n, MaxPreAuth: n, MaxPreAuthPerAddr: n})
	for i := range n {
		f.auth.add(fmt.Sprint("t", i), "ws1", uint64(i+1), access.Groomer)
	}
	var conns []*websocket.Conn
	for i := range n {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, _, err := websocket.Dial(ctx, f.url(), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {f.srv.URL}}})
		if err != nil {
			cancel()
			t.Fatalf("dial %d: %v", i, err)
		}
		b, _ := wire.Encode(&wire.Hello{Proto: wire.Version, Device: uint64(i + 1), Token: []byte(fmt.Sprint("t", i))})
		if err := c.Write(ctx, websocket.MessageBinary, b); err != nil {
			t.Fatal(err)
		}
		cancel()
		conns = append(conns, c) // never read again: pings go unanswered
	}
	defer func() {
		for _, c := range conns {
			c.CloseNow()
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	peak := 0
	for time.Now().Before(deadline) {
		n := f.hub.Connected()
		peak = max(peak, n)
		if peak > 0 && n == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%d of %d silent sockets still open after 10 s (peak %d)", f.hub.Connected(), n, peak)
}

func TestRateLimitThrottlesOnlyTheNoisyDevice(t *testing.T) {
	f := newFixture(t, Config{Rate: 50, Burst: 5})
	noisy := f.connect("ws1", 1, access.Owner)
	quiet := f.connect("ws1", 2, access.Owner)
	var wg sync.WaitGroup
	var noisyTook time.Duration
	wg.Go(func() {
		start := time.Now()
		for range 200 { // all at once: far over 10× the rate
			noisy.send(&wire.Pull{After: 0, Limit: 1})
		}
		for range 200 {
			expect[*wire.Batch](noisy)
		}
		noisyTook = time.Since(start)
	})
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	for range 3 {
		quiet.pull(0, false)
	}
	quietTook := time.Since(start)
	wg.Wait()
	// The limiter lets 5 through at once, then 50 a second.
	if noisyTook < 3*time.Second {
		t.Errorf("200 messages at 50/s took %v: not throttled", noisyTook)
	}
	if quietTook > noisyTook/10 {
		t.Errorf("the quiet device took %v, the noisy one %v", quietTook, noisyTook)
	}
}

func TestBlobsStayInTheirWorkspace(t *testing.T) {
	f := newFixture(t, Config{})
	a := f.connect("ws1", 1, access.Groomer)
	data := []byte("sealed photo bytes")
	hash := wire.Hash(sha256.Sum256(data))
	a.send(&wire.BlobPut{ID: 1, Hash: hash, Offset: 0, Total: uint64(len(data)), Data: data})
	if ack := expect[*wire.BlobAck](a); ack.Received != uint64(len(data)) {
		t.Fatalf("blob put: %+v", ack)
	}
	a.send(&wire.BlobGet{ID: 2, Hash: hash, Limit: 1 << 20})
	if got := expect[*wire.BlobData](a); !bytes.Equal(got.Data, data) {
		t.Fatalf("blob get: %q", got.Data)
	}

	other := f.connect("ws2", 2, access.Owner)
	other.send(&wire.BlobGet{ID: 3, Hash: hash, Limit: 1 << 20})
	if e := expect[*wire.Error](other); e.Code != wire.CodeNotFound || e.ID != 3 {
		t.Fatalf("another workspace read the blob: %+v", e)
	}
	viewer := f.connect("ws1", 3, access.Viewer)
	viewer.send(&wire.BlobPut{ID: 4, Hash: hash, Total: uint64(len(data)), Data: data})
	if e := expect[*wire.Error](viewer); e.Code != wire.CodeForbidden {
		t.Fatalf("a viewer uploaded a blob: %+v", e)
	}
}

// A device that erased a client has the server delete its photos: only a
// role that may erase clients, and only in its own workspace.
func TestBlobDrop(t *testing.T) {
	f := newFixture(t, Config{})
	groomer := f.connect("ws1", 1, access.Groomer)
	data := []byte("sealed photo bytes")
	hash := wire.Hash(sha256.Sum256(data))
	for i, d := range []*device{groomer, f.connect("ws2", 2, access.Owner)} {
		d.send(&wire.BlobPut{ID: uint32(i + 1), Hash: hash, Total: uint64(len(data)), Data: data})
		expect[*wire.BlobAck](d)
	}
	groomer.send(&wire.BlobDrop{ID: 3, Hashes: []wire.Hash{hash}})
	if e := expect[*wire.Error](groomer); e.Code != wire.CodeForbidden || e.ID != 3 {
		t.Fatalf("a groomer dropped a photo: %+v", e)
	}
	desk := f.connect("ws1", 3, access.FrontDesk)
	desk.send(&wire.BlobDrop{ID: 4, Hashes: []wire.Hash{hash, wire.Hash(sha256.Sum256([]byte("never sent")))}})
	if got := expect[*wire.BlobGone](desk); got.ID != 4 {
		t.Fatalf("blob drop answered %+v", got)
	}
	groomer.send(&wire.BlobGet{ID: 5, Hash: hash, Limit: 1 << 20})
	if e := expect[*wire.Error](groomer); e.Code != wire.CodeNotFound {
		t.Fatalf("the dropped photo is still served: %+v", e)
	}
	other := f.connect("ws2", 4, access.Owner)
	other.send(&wire.BlobGet{ID: 6, Hash: hash, Limit: 1 << 20})
	if got := expect[*wire.BlobData](other); !bytes.Equal(got.Data, data) {
		t.Fatal("another workspace's copy was dropped")
	}
}

func TestDevicesMaySendOnlyRequests(t *testing.T) {
	f := newFixture(t, Config{})
	a := f.connect("ws1", 1, access.Owner)
	for _, m := range []wire.Message{&wire.Live{}, &wire.Welcome{Role: 1}, &wire.Ack{}, &wire.Batch{}, &wire.Hello{Proto: wire.Version}, &wire.History{}, &wire.BlobGone{}} {
		a.send(m)
		if e := expect[*wire.Error](a); e.Code != wire.CodeBadMessage {
			t.Fatalf("%T: %+v", m, e)
		}
	}
}

// history asks for a record's stored versions.
func (d *device) history(key byte, before uint64) wire.Message {
	d.t.Helper()
	d.nextID++
	d.send(&wire.HistoryGet{ID: d.nextID, Key: wire.Key{key}, Before: before})
	for range 50 {
		m, err := d.recv()
		if err != nil {
			d.t.Fatalf("device %d: waiting for history: %v", d.id, err)
		}
		switch m := m.(type) {
		case *wire.History:
			if m.ID == d.nextID {
				return m
			}
		case *wire.Error:
			if m.ID == d.nextID {
				return m
			}
		}
	}
	d.t.Fatalf("device %d: no answer to history", d.id)
	return nil
}

func TestHistoryKeepsSupersededVersionsForReadersOnly(t *testing.T) {
	f := newFixture(t, Config{})
	owner := f.connect("ws1", 1, access.Owner)
	desk := f.connect("ws1", 2, access.FrontDesk)
	// Three edits of one client, from two devices, each superseding the
	// one before: only the last is a head, all three are history.
	var seqs []uint64
	for i, d := range []*device{owner, desk, owner} {
		seq := d.push(d.version(record.ClassClient, 7, seqs...)).Results[0].Seq
		if seq == 0 {
			t.Fatalf("edit %d refused", i)
		}
		seqs = []uint64{seq}
	}
	owner.push(owner.version(record.ClassCare, 8))

	h, ok := desk.history(7, 0).(*wire.History)
	if !ok {
		t.Fatalf("front desk history refused")
	}
	if len(h.Versions) != 3 || h.More {
		t.Fatalf("history: %d versions, more %v; want 3, false", len(h.Versions), h.More)
	}
	for i, v := range h.Versions {
		if i > 0 && v.Seq <= h.Versions[i-1].Seq {
			t.Fatalf("history not oldest first: %v", h.Versions)
		}
	}
	if h.Versions[1].TS.Device != 2 || h.Versions[0].TS.Device != 1 {
		t.Errorf("history authors: %d, %d", h.Versions[0].TS.Device, h.Versions[1].TS.Device)
	}
	// Paging: before the last version, the two earlier ones.
	if p, ok := desk.history(7, h.Versions[2].Seq).(*wire.History); !ok || len(p.Versions) != 2 || p.Versions[1].Seq != h.Versions[1].Seq {
		t.Fatalf("history before %d: %+v", h.Versions[2].Seq, p)
	}
	// A record nobody wrote has no history.
	if e, ok := desk.history(99, 0).(*wire.History); !ok || len(e.Versions) != 0 {
		t.Fatalf("history of an unknown record: %+v", e)
	}

	groomer := f.connect("ws1", 3, access.Groomer)
	if e, ok := groomer.history(7, 0).(*wire.Error); !ok || e.Code != wire.CodeForbidden {
		t.Fatalf("groomer asked for a client's history: %+v", e)
	}
	if g, ok := groomer.history(8, 0).(*wire.History); !ok || len(g.Versions) != 1 {
		t.Fatalf("groomer's history of a care record: %+v", g)
	}
	other := f.connect("ws2", 4, access.Owner)
	if o, ok := other.history(7, 0).(*wire.History); !ok || len(o.Versions) != 0 {
		t.Fatalf("workspace 2 read workspace 1's history: %+v", o)
	}
}

// Shutdown tells every socket to reconnect, a signed-in device's and one
// that has not said hello yet alike, returns once their sessions have
// ended, and refuses sockets opened after it.
func TestShutdownTellsEverySocket(t *testing.T) {
	f := newFixture(t, Config{})
	signedIn := f.connect("ws1", 1, access.Owner)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	silent, _, err := websocket.Dial(ctx, f.url(), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {f.srv.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.CloseNow()
	// The silent socket is known to the hub once its request is served;
	// the signed-in one answers a pull, so its session is running.
	signedIn.pull(0, false)
	for i := 0; ; i++ {
		f.hub.mu.Lock()
		n := len(f.hub.open)
		f.hub.mu.Unlock()
		if n == 2 {
			break
		}
		if i == 500 {
			t.Fatalf("%d sockets open, want 2", n)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Each socket answers the close as it reads it.
	codes := make(chan websocket.StatusCode, 2)
	for _, ws := range []*websocket.Conn{signedIn.ws, silent} {
		go func() {
			_, _, err := ws.Read(ctx)
			codes <- websocket.CloseStatus(err)
		}()
	}
	if err := f.hub.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for range 2 {
		if code := <-codes; code != websocket.StatusServiceRestart {
			t.Errorf("a socket was closed with %v, want %v (reconnect)", code, websocket.StatusServiceRestart)
		}
	}
	if _, _, err := f.dial("tok-ws1-1", 1); websocket.CloseStatus(err) != websocket.StatusServiceRestart {
		t.Errorf("a socket opened after Shutdown: %v, want closed with %v", err, websocket.StatusServiceRestart)
	}
}

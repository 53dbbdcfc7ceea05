//go:build !js

// The stand-in server needs a listening socket, which js/wasm lacks; the
// browser journeys in app/e2e cover the client under js.

package syncclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"pawfile/shared/access"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// server is a small stand-in for the sync hub: one workspace's log in
// memory, heads = the latest version per key, live fan-out.
type server struct {
	t       *testing.T
	mu      sync.Mutex
	log     []wire.Envelope // log[i].Seq == i+1
	seen    map[uint64]uint64
	conns   map[*websocket.Conn]bool
	token   string
	refuse  map[uint64]wire.Code // outbox id → code to answer with
	pageMax int
	now     time.Time
	blobs   map[wire.Hash][]byte // as received so far; whole once len == total
	totals  map[wire.Hash]uint64
	puts    int               // BlobPut messages taken
	misses  map[wire.Hash]int // BlobGets of blobs not held (yet)
	dropAt  int               // when > 0, the connection drops on that BlobPut
	// failing is how many hellos to come are answered as the hub answers
	// when it cannot read its directory.
	failing int
	// onPull, when set, is called with each pull before it is answered.
	onPull func(*wire.Pull)
	// dropPull, when > 0, is the pull on which the connection drops.
	pulls, dropPull int
}

func newServer(t *testing.T) (*server, *httptest.Server) {
	s := &server{t: t, seen: map[uint64]uint64{}, conns: map[*websocket.Conn]bool{}, token: "good", refuse: map[uint64]wire.Code{}, pageMax: 7, now: time.Now().Add(time.Hour),
		blobs: map[wire.Hash][]byte{}, totals: map[wire.Hash]uint64{}, misses: map[wire.Hash]int{}}
	hs := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(hs.Close)
	return s, hs
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer ws.CloseNow()
	ws.SetReadLimit(wire.MaxFrame)
	ctx := r.Context()
	var out sync.Mutex
	send := func(m wire.Message) {
		b, err := wire.Encode(m)
		if err != nil {
			s.t.Errorf("fake server: encode %T: %v", m, err)
			return
		}
		out.Lock()
		defer out.Unlock()
		ws.Write(ctx, websocket.MessageBinary, b)
	}
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			s.mu.Lock()
			delete(s.conns, ws)
			s.mu.Unlock()
			return
		}
		m, err := wire.Decode(b)
		if err != nil {
			send(wire.ErrorFor(0, err))
			continue
		}
		switch m := m.(type) {
		case *wire.Hello:
			s.mu.Lock()
			failing := s.failing > 0
			if failing {
				s.failing--
			}
			s.mu.Unlock()
			if failing {
				send(&wire.Error{Code: wire.CodeInternal, Message: "the server has a problem and cannot sync right now"})
				return
			}
			if string(m.Token) != s.token {
				send(&wire.Error{Code: wire.CodeUnauthorized})
				return
			}
			s.mu.Lock()
			s.conns[ws] = true
			head := uint64(len(s.log))
			s.mu.Unlock()
			send(&wire.Welcome{ServerTime: s.now.UnixMilli(), Head: head, Role: uint8(access.Owner), Classes: []uint8{uint8(record.ClassClient)}, MaxSkewMs: 3600_000})
		case *wire.Push:
			var res []wire.Result
			var fresh []wire.Envelope
			s.mu.Lock()
			for _, v := range m.Versions {
				if c, ok := s.refuse[v.OutboxID]; ok {
					res = append(res, wire.Result{OutboxID: v.OutboxID, Code: c})
					continue
				}
				if seq, ok := s.seen[v.OutboxID]; ok {
					res = append(res, wire.Result{OutboxID: v.OutboxID, Seq: seq})
					continue
				}
				v.Seq = uint64(len(s.log) + 1)
				s.log = append(s.log, v)
				s.seen[v.OutboxID] = v.Seq
				fresh = append(fresh, v)
				res = append(res, wire.Result{OutboxID: v.OutboxID, Seq: v.Seq})
			}
			var others []*websocket.Conn
			for c := range s.conns {
				if c != ws {
					others = append(others, c)
				}
			}
			s.mu.Unlock()
			send(&wire.Ack{ID: m.ID, Results: res})
			if len(fresh) > 0 {
				b, _ := wire.Encode(&wire.Live{Versions: fresh})
				for _, c := range others {
					c.Write(ctx, websocket.MessageBinary, b)
				}
			}
		case *wire.Pull:
			if s.onPull != nil {
				s.onPull(m)
			}
			s.mu.Lock()
			if s.pulls++; s.pulls == s.dropPull {
				s.mu.Unlock()
				return
			}
			var vs []wire.Envelope
			next, more := m.After, false
			for _, v := range s.log[min(int(m.After), len(s.log)):] {
				if (m.Heads && s.superseded(v)) || (len(m.Classes) > 0 && !slices.Contains(m.Classes, v.Class)) {
					next = v.Seq
					continue
				}
				if len(vs) == s.pageMax {
					more = true
					break
				}
				vs = append(vs, v)
				next = v.Seq
			}
			s.mu.Unlock()
			send(&wire.Batch{ID: m.ID, Versions: vs, Next: next, More: more})
		case *wire.BlobPut:
			s.mu.Lock()
			s.puts++
			if s.puts == s.dropAt {
				s.mu.Unlock()
				return
			}
			s.totals[m.Hash] = m.Total
			if uint64(len(s.blobs[m.Hash])) == m.Offset {
				s.blobs[m.Hash] = append(s.blobs[m.Hash], m.Data...)
			}
			got := uint64(len(s.blobs[m.Hash]))
			s.mu.Unlock()
			send(&wire.BlobAck{ID: m.ID, Hash: m.Hash, Received: got})
		case *wire.HistoryGet:
			if m.Key == (wire.Key{0xff}) {
				send(&wire.Error{ID: m.ID, Code: wire.CodeForbidden, Message: "not for this role"})
				continue
			}
			s.mu.Lock()
			var vs []wire.Envelope
			for _, v := range s.log {
				if v.Key == m.Key && (m.Before == 0 || v.Seq < m.Before) {
					vs = append(vs, v)
				}
			}
			s.mu.Unlock()
			from := max(0, len(vs)-s.pageMax)
			send(&wire.History{ID: m.ID, Versions: vs[from:], More: from > 0})
		case *wire.BlobGet:
			s.mu.Lock()
			data, total := s.blobs[m.Hash], s.totals[m.Hash]
			if total == 0 || uint64(len(data)) != total {
				s.misses[m.Hash]++
			}
			s.mu.Unlock()
			if total == 0 || uint64(len(data)) != total {
				send(&wire.Error{ID: m.ID, Code: wire.CodeNotFound})
				continue
			}
			end := min(m.Offset+uint64(m.Limit), total)
			send(&wire.BlobData{ID: m.ID, Hash: m.Hash, Offset: m.Offset, Total: total, Data: data[m.Offset:end]})
		case *wire.BlobDrop:
			s.mu.Lock()
			for _, h := range m.Hashes {
				delete(s.blobs, h)
				delete(s.totals, h)
			}
			s.mu.Unlock()
			send(&wire.BlobGone{ID: m.ID})
		}
	}
}

// superseded: a later version of the same key exists (good enough here).
func (s *server) superseded(v wire.Envelope) bool {
	for _, w := range s.log[v.Seq:] {
		if w.Key == v.Key {
			return true
		}
	}
	return false
}

func (s *server) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.CloseNow()
	}
}

// local is an in-memory device store.
type local struct {
	mu       sync.Mutex
	outbox   []wire.Envelope
	received map[wire.Key][]uint64 // key → seqs received
	classes  []record.Class        // of the versions received, in order
	cursor   uint64
	acked    []wire.Result
	blobs    map[wire.Hash][]byte
	toSend   []wire.Hash
	wanted   []wire.Hash
	toDrop   []wire.Hash
	// onReceive, when set, is called with each page before it is stored.
	onReceive func(vs []wire.Envelope, cursor uint64)
}

func newLocal() *local {
	return &local{received: map[wire.Key][]uint64{}, blobs: map[wire.Hash][]byte{}}
}

func (l *local) BlobsToSend(context.Context) ([]wire.Hash, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.toSend), nil
}

func (l *local) Blob(_ context.Context, h wire.Hash) ([]byte, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.blobs[h]
	return b, ok, nil
}

func (l *local) BlobSent(_ context.Context, h wire.Hash, refused string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.toSend = slices.DeleteFunc(l.toSend, func(x wire.Hash) bool { return x == h })
	return nil
}

func (l *local) BlobsToDrop(context.Context) ([]wire.Hash, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.toDrop), nil
}

func (l *local) BlobsDropped(_ context.Context, hs []wire.Hash) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.toDrop = slices.DeleteFunc(l.toDrop, func(h wire.Hash) bool { return slices.Contains(hs, h) })
	return nil
}

func (l *local) BlobsWanted(context.Context) ([]wire.Hash, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.wanted), nil
}

func (l *local) BlobFetched(_ context.Context, h wire.Hash, data []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.blobs[h] = data
	l.wanted = slices.DeleteFunc(l.wanted, func(x wire.Hash) bool { return x == h })
	return nil
}

// photo puts a blob of n random bytes on l, to send.
func (l *local) photo(n int) wire.Hash {
	b := make([]byte, n)
	rand.Read(b)
	h := wire.Hash(sha256.Sum256(b))
	l.mu.Lock()
	defer l.mu.Unlock()
	l.blobs[h] = b
	l.toSend = append(l.toSend, h)
	return h
}

func (l *local) Outbox(_ context.Context, max int) ([]wire.Envelope, int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.outbox[:min(max, len(l.outbox))]), len(l.outbox), nil
}

func (l *local) Acked(_ context.Context, rs []wire.Result) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acked = append(l.acked, rs...)
	l.outbox = slices.DeleteFunc(l.outbox, func(v wire.Envelope) bool {
		for _, r := range rs {
			if r.OutboxID == v.OutboxID && (r.Code == wire.CodeOK || Permanent(r.Code)) {
				return true
			}
		}
		return false
	})
	return nil
}

func (l *local) Receive(_ context.Context, vs []wire.Envelope, cursor uint64) error {
	if l.onReceive != nil {
		l.onReceive(vs, cursor)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range vs {
		l.classes = append(l.classes, v.Class)
		if !slices.Contains(l.received[v.Key], v.Seq) {
			l.received[v.Key] = append(l.received[v.Key], v.Seq)
		}
	}
	if cursor != 0 {
		l.cursor = cursor
	}
	return nil
}

func (l *local) Cursor() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cursor
}

func (l *local) add(key byte, outboxID uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.outbox = append(l.outbox, wire.Envelope{Class: record.ClassClient, Key: wire.Key{key}, TS: clock.Timestamp{Wall: 1, Device: 1},
		KeyID: 1, Format: 1, OutboxID: outboxID, Sealed: []byte("sealed")})
}

func (l *local) has(key byte) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.received[wire.Key{key}]) > 0
}

type device struct {
	local  *local
	client *Client
	clock  *clock.Clock
	states chan Status
	cancel context.CancelFunc
	done   chan struct{}
}

func start(t *testing.T, hs *httptest.Server, l *local, token string) *device {
	return startAs(t, hs, l, l, token)
}

// startAs is start with as standing for l as the client's Local.
func startAs(t *testing.T, hs *httptest.Server, l *local, as Local, token string) *device {
	d := &device{local: l, clock: clock.New(1, nil), states: make(chan Status, 1000), done: make(chan struct{})}
	d.client = New(Config{
		URL: "ws" + strings.TrimPrefix(hs.URL, "http"), Device: 1, Token: token, Clock: d.clock, Local: as,
		OnStatus: func(s Status) {
			select {
			case d.states <- s:
			default:
			}
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() { d.client.Run(ctx); close(d.done) }()
	t.Cleanup(func() { cancel(); <-d.done })
	return d
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestPushPullAndLive(t *testing.T) {
	srv, hs := newServer(t)
	a, b := newLocal(), newLocal()
	for i := range 20 {
		a.add(byte(i), uint64(100+i))
	}
	da := start(t, hs, a, "good")
	waitFor(t, "a's outbox to drain", func() bool { _, n, _ := a.Outbox(context.Background(), 1); return n == 0 })
	waitFor(t, "a up to date", func() bool { return da.client.Status().State == UpToDate })

	// b bootstraps from heads, in pages of 7.
	db := start(t, hs, b, "good")
	waitFor(t, "b up to date", func() bool { return db.client.Status().State == UpToDate })
	for i := range 20 {
		if !b.has(byte(i)) {
			t.Fatalf("b lacks record %d after bootstrap", i)
		}
	}
	if b.Cursor() != 20 {
		t.Errorf("b's cursor = %d, want 20", b.Cursor())
	}
	// a's clock was corrected by the server's time.
	if off := da.clock.Offset(); off < 59*time.Minute || off > 61*time.Minute {
		t.Errorf("clock offset after welcome = %v, want about 1h", off)
	}

	// A new edit on a reaches b live.
	a.add(200, 300)
	da.client.Kick()
	waitFor(t, "b receives the live edit", func() bool { return b.has(200) })
	_ = srv
}

// A device asks for the next page before it stores the last: the server
// reads it, and the device receives it, while the last is stored (a new
// tablet stores a hundred pages of the 5-year shop), not after.
func TestNextPageAskedBeforeTheLastIsStored(t *testing.T) {
	srv, hs := newServer(t)
	for i := range 36 {
		srv.log = append(srv.log, wire.Envelope{Seq: uint64(i + 1), Class: record.ClassClient, Key: wire.Key{byte(i)},
			TS: clock.Timestamp{Wall: 1, Device: 2}, KeyID: 1, Format: 1, OutboxID: uint64(i + 1), Sealed: []byte("sealed")})
	}
	asked := make(chan uint64, 100) // where each pull starts
	srv.onPull = func(p *wire.Pull) { asked <- p.After }
	l := newLocal()
	l.cursor = 1 // not new: it reads the log, page by page
	var (
		mu   sync.Mutex
		late []uint64
	)
	l.onReceive = func(vs []wire.Envelope, cursor uint64) {
		if cursor == uint64(len(srv.log)) {
			return // the last page: nothing more to ask for
		}
		timeout := time.After(2 * time.Second)
		for {
			select {
			case after := <-asked:
				if after == cursor {
					return
				}
			case <-timeout:
				mu.Lock()
				late = append(late, cursor)
				mu.Unlock()
				return
			}
		}
	}
	d := start(t, hs, l, "good")
	waitFor(t, "up to date", func() bool { return d.client.Status().State == UpToDate })
	mu.Lock()
	if len(late) > 0 {
		t.Errorf("the pages after %v were asked for only once those were stored", late)
	}
	mu.Unlock()
	for i := 1; i < 36; i++ {
		if !l.has(byte(i)) {
			t.Errorf("record %d never arrived", i)
		}
	}
	if got := l.Cursor(); got != 36 {
		t.Errorf("cursor = %d, want 36", got)
	}
}

// resuming is a local that keeps a bootstrap's progress, as the app does.
type resuming struct {
	*local
	mu sync.Mutex
	p  Progress
}

func (r *resuming) Resume() Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.p
}

func (r *resuming) Progressed(_ context.Context, p Progress) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p = p
	return nil
}

// A new device whose connection drops in the middle of its download goes
// on where it stopped once it is back, not from nothing: a tablet on a
// connection that drops every so often would otherwise never finish the
// years of bookings.
func TestBootstrapGoesOnWhereItStopped(t *testing.T) {
	srv, hs := newServer(t)
	for i := range 60 {
		class := record.ClassProject
		if i%3 == 0 {
			class = record.ClassClient
		}
		srv.log = append(srv.log, wire.Envelope{Seq: uint64(i + 1), Class: class, Key: wire.Key{byte(i)},
			TS: clock.Timestamp{Wall: 1, Device: 2}, KeyID: 1, Format: 1, OutboxID: uint64(i + 1), Sealed: []byte("sealed")})
	}
	// Pass one: the 20 clients, three pages of 7; pass two: no pets, one
	// page; the connection drops at the second page of the bookings.
	srv.dropPull = 6
	var (
		mu    sync.Mutex
		pulls []wire.Pull
	)
	srv.onPull = func(p *wire.Pull) {
		mu.Lock()
		defer mu.Unlock()
		pulls = append(pulls, *p)
	}
	l := &resuming{local: newLocal()}
	d := startAs(t, hs, l.local, l, "good")
	waitFor(t, "up to date", func() bool { return d.client.Status().State == UpToDate })

	mu.Lock()
	defer mu.Unlock()
	clientsFromNothing := 0
	for _, p := range pulls {
		if p.Heads && slices.Contains(p.Classes, record.ClassClient) && p.After == 0 {
			clientsFromNothing++
		}
	}
	if clientsFromNothing != 1 || len(pulls) < 7 {
		t.Fatalf("the clients were pulled from nothing %d times; pulls: %+v", clientsFromNothing, pulls)
	}
	if again := pulls[6]; !again.Heads || !slices.Contains(again.Classes, record.ClassProject) || again.After == 0 || again.After != pulls[5].After {
		t.Errorf("back after the drop, the first pull was %+v; want the bookings' heads after %d, where it stopped", again, pulls[5].After)
	}
	for i := range 60 {
		if !l.has(byte(i)) {
			t.Errorf("record %d never arrived", i)
		}
	}
	if got := l.Cursor(); got != 60 {
		t.Errorf("cursor = %d, want 60", got)
	}
}

// TestNewDeviceReceivesClientsFirst: a new device receives every client
// and pet before any booking, so its client list is whole early, and
// loses nothing written while it receives the rest.
func TestNewDeviceReceivesClientsFirst(t *testing.T) {
	srv, hs := newServer(t)
	version := func(class record.Class, key byte) wire.Envelope {
		return wire.Envelope{Seq: uint64(len(srv.log) + 1), Class: class, Key: wire.Key{key}, TS: clock.Timestamp{Wall: 1, Device: 2},
			KeyID: 1, Format: 1, OutboxID: uint64(len(srv.log) + 1), Sealed: []byte("sealed")}
	}
	// The book as it grew: a client now and then between many bookings.
	for i := range 60 {
		class := record.ClassProject
		switch {
		case i%6 == 0:
			class = record.ClassClient
		case i%6 == 3:
			class = record.ClassCare
		}
		srv.log = append(srv.log, version(class, byte(i)))
	}
	// Another device adds a client while this one receives the bookings.
	var once sync.Once
	srv.onPull = func(p *wire.Pull) {
		if p.Heads && !slices.Contains(p.Classes, record.ClassClient) {
			once.Do(func() {
				srv.mu.Lock()
				defer srv.mu.Unlock()
				srv.log = append(srv.log, version(record.ClassClient, 200))
			})
		}
	}
	b := newLocal()
	db := start(t, hs, b, "good")
	waitFor(t, "b up to date", func() bool { return db.client.Status().State == UpToDate })

	b.mu.Lock()
	order := slices.Clone(b.classes)
	b.mu.Unlock()
	first := slices.Index(order, record.ClassProject)
	if first < 0 || slices.ContainsFunc(order[first:], func(c record.Class) bool { return c != record.ClassProject && c != record.ClassClient }) ||
		slices.Contains(order[first:len(order)-1], record.ClassClient) {
		t.Errorf("classes in the order received: %v; want every client and pet before the bookings", order)
	}
	// A search by a client's name needs only the clients: they come alone
	// first.
	if pet := slices.Index(order, record.ClassCare); pet < 0 || slices.Contains(order[pet:first], record.ClassClient) {
		t.Errorf("classes in the order received: %v; want every client before the pets", order)
	}
	for i := range 60 {
		if !b.has(byte(i)) {
			t.Errorf("b lacks record %d after bootstrap", i)
		}
	}
	if !b.has(200) {
		t.Error("the client added while b received the bookings never reached b")
	}
	if got, want := b.Cursor(), uint64(len(srv.log)); got != want {
		t.Errorf("b's cursor = %d, want %d", got, want)
	}
	var sawPets, sawClientsIn bool
	for len(db.states) > 0 {
		st := <-db.states
		_, receiving := st.Receiving()
		if st.Pets && !st.ClientsIn && st.Bootstrap && receiving {
			sawPets = true
		}
		if st.ClientsIn && !st.Pets && st.Bootstrap && receiving {
			sawClientsIn = true
		}
	}
	if !sawPets {
		t.Error("the status never said the clients were in while the pets arrived")
	}
	if !sawClientsIn {
		t.Error("the status never said the clients and pets were in while the rest arrived")
	}
	if _, receiving := db.client.Status().Receiving(); receiving {
		t.Error("still receiving once up to date")
	}
}

func TestOfflineEditsSurviveReconnect(t *testing.T) {
	srv, hs := newServer(t)
	a, b := newLocal(), newLocal()
	da := start(t, hs, a, "good")
	db := start(t, hs, b, "good")
	waitFor(t, "both up to date", func() bool {
		return da.client.Status().State == UpToDate && db.client.Status().State == UpToDate
	})
	srv.dropAll()
	a.add(1, 11)
	b.add(2, 22)
	da.client.Kick()
	db.client.Kick()
	waitFor(t, "both see both edits", func() bool { return a.has(2) && b.has(1) })
	if _, n, _ := a.Outbox(context.Background(), 1); n != 0 {
		t.Errorf("a's outbox holds %d after sync", n)
	}
}

func TestRetriedPushIsIdempotent(t *testing.T) {
	srv, hs := newServer(t)
	a := newLocal()
	a.add(1, 11)
	srv.seen[11] = 5 // the server stored it, but the ack was lost
	srv.log = make([]wire.Envelope, 5)
	for i := range srv.log {
		srv.log[i] = wire.Envelope{Seq: uint64(i + 1), Class: record.ClassClient, Key: wire.Key{9, byte(i)}, TS: clock.Timestamp{Wall: 1, Device: 2}, KeyID: 1, Format: 1, OutboxID: uint64(i + 1), Sealed: []byte("x")}
	}
	start(t, hs, a, "good")
	waitFor(t, "ack", func() bool { a.mu.Lock(); defer a.mu.Unlock(); return len(a.acked) > 0 })
	if r := a.acked[0]; r.Seq != 5 || r.Code != wire.CodeOK {
		t.Errorf("retried push answered %+v, want seq 5", r)
	}
	if len(srv.log) != 5 {
		t.Errorf("log grew to %d on a retry", len(srv.log))
	}
}

func TestPermanentRefusalLeavesOutbox(t *testing.T) {
	srv, hs := newServer(t)
	a := newLocal()
	a.add(1, 11)
	a.add(2, 12)
	srv.refuse[11] = wire.CodeErased
	d := start(t, hs, a, "good")
	waitFor(t, "outbox drained", func() bool { _, n, _ := a.Outbox(context.Background(), 1); return n == 0 })
	waitFor(t, "up to date", func() bool { return d.client.Status().State == UpToDate })
	if len(srv.log) != 1 {
		t.Errorf("server stored %d versions, want 1 (the erased one refused)", len(srv.log))
	}
}

func TestBadTokenSignsOut(t *testing.T) {
	_, hs := newServer(t)
	d := start(t, hs, newLocal(), "stolen")
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run kept retrying with a refused token")
	}
	if s := d.client.Status(); s.State != SignedOut || s.Err == "" {
		t.Errorf("status after refusal = %+v, want signed out with a message", s)
	}
}

func TestOfflineWhenNoServer(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	hs.Close()
	d := start(t, hs, newLocal(), "good")
	waitFor(t, "offline", func() bool { s := d.client.Status(); return s.State == Offline && s.Err != "" })
}

// Offline, the status counts the edits waiting to be sent, and counts
// again after each edit: a groomer away from the network sees that what
// they saved is kept for sending, however long the server is away.
func TestOfflineCountsWhatWaits(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	hs.Close()
	a := newLocal()
	a.add(1, 11)
	d := start(t, hs, a, "good")
	waitFor(t, "offline with 1 to send", func() bool { s := d.client.Status(); return s.State == Offline && s.Pending == 1 })
	a.add(2, 12)
	a.add(3, 13)
	d.client.Kick()
	waitFor(t, "offline with 3 to send", func() bool { s := d.client.Status(); return s.State == Offline && s.Pending == 3 })
}

// A version the server refuses for a reason that may pass (here the clock,
// with a Local that cannot restamp it) stays in the outbox, and the pull
// goes on: the device still receives everyone else's edits.
func TestRefusedVersionDoesNotStallSync(t *testing.T) {
	srv, hs := newServer(t)
	a, b := newLocal(), newLocal()
	a.add(1, 11)
	srv.refuse[11] = wire.CodeSkew
	b.add(2, 22)
	start(t, hs, b, "good")
	waitFor(t, "b's edit stored", func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return len(srv.log) == 1
	})
	da := start(t, hs, a, "good")
	waitFor(t, "a receives b's edit", func() bool { return a.has(2) })
	waitFor(t, "a reports the refusal", func() bool { return da.client.Status().Err != "" })
	if _, n, _ := a.Outbox(context.Background(), 1); n != 1 {
		t.Errorf("a's outbox holds %d, want the refused version kept", n)
	}
}

// Photos go up in chunks with progress, resume after a dropped connection
// where the server stands, and come down to a device whose records name
// them; one the server does not hold yet is asked for again later rather
// than ending the sync.
func TestPhotosUpAndDown(t *testing.T) {
	srv, hs := newServer(t)
	a, b := newLocal(), newLocal()
	p1, p2 := a.photo(3*BlobChunk+100), a.photo(1000)
	srv.mu.Lock()
	srv.dropAt = 2 // the second chunk of the first photo never arrives
	srv.mu.Unlock()
	da := start(t, hs, a, "good")
	var sawProgress bool
	waitFor(t, "a's photos sent", func() bool {
		for {
			select {
			case st := <-da.states:
				if st.Photos > 0 && st.PhotoSent > 0 && st.PhotoSent < st.PhotoBytes {
					sawProgress = true
				}
				continue
			default:
			}
			break
		}
		hs, _ := a.BlobsToSend(context.Background())
		return len(hs) == 0
	})
	if !sawProgress {
		t.Error("no status showed photos part sent")
	}
	srv.mu.Lock()
	puts := srv.puts
	for _, h := range []wire.Hash{p1, p2} {
		if !bytes.Equal(srv.blobs[h], a.blobs[h]) {
			t.Errorf("server holds %d bytes of photo %x, want %d", len(srv.blobs[h]), h[:4], len(a.blobs[h]))
		}
	}
	srv.mu.Unlock()
	// 4 chunks + 1, and the dropped one again: a resume, not a restart.
	if puts > 7 {
		t.Errorf("%d chunks sent for 5: the upload restarted rather than resumed", puts)
	}

	missing := wire.Hash{9}
	b.wanted = []wire.Hash{missing, p1, p2}
	db := start(t, hs, b, "good")
	waitFor(t, "b fetches the photos", func() bool {
		got1, _, _ := b.Blob(context.Background(), p1)
		got2, _, _ := b.Blob(context.Background(), p2)
		return bytes.Equal(got1, a.blobs[p1]) && bytes.Equal(got2, a.blobs[p2])
	})
	if st := db.client.Status(); st.State == SignedOut || st.State == Offline {
		t.Errorf("b's state after a photo the server lacks = %v", st.State)
	}
	if w, _ := b.BlobsWanted(context.Background()); !slices.Equal(w, []wire.Hash{missing}) {
		t.Errorf("b still wants %x, want only the missing photo", w)
	}

	// A photo whose record came first: its device sends it a moment
	// later, and b fetches it with nothing else happening on its
	// connection.
	c := newLocal()
	late := c.photo(2000)
	b.mu.Lock()
	b.wanted = append(b.wanted, late)
	b.mu.Unlock()
	db.client.Kick()
	waitFor(t, "b asks for the late photo, not there yet", func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return srv.misses[late] > 0
	})
	start(t, hs, c, "good")
	waitFor(t, "b fetches the late photo once sent", func() bool {
		got, _, _ := b.Blob(context.Background(), late)
		return bytes.Equal(got, c.blobs[late])
	})

	// Erased on a, the first photo is deleted from the server.
	a.mu.Lock()
	a.toDrop = []wire.Hash{p1}
	a.mu.Unlock()
	da.client.Kick()
	waitFor(t, "a has the server delete the erased photo", func() bool {
		srv.mu.Lock()
		_, held := srv.blobs[p1]
		srv.mu.Unlock()
		left, _ := a.BlobsToDrop(context.Background())
		return !held && len(left) == 0
	})
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if !bytes.Equal(srv.blobs[p2], a.blobs[p2]) {
		t.Error("a photo not erased was deleted from the server")
	}
}

// History reads the latest versions of a record while the connection
// keeps syncing; a refusal reaches the caller alone.
func TestHistory(t *testing.T) {
	srv, hs := newServer(t)
	a := newLocal()
	for i := range 16 {
		a.add(byte(i%2), uint64(100+i)) // records 0 and 1, eight versions each
	}
	d := start(t, hs, a, "good")
	waitFor(t, "up to date", func() bool {
		_, n, _ := a.Outbox(context.Background(), 1)
		return n == 0 && d.client.Status().State == UpToDate
	})
	ctx := context.Background()
	vs, more, err := d.client.History(ctx, wire.Key{1}, 0)
	if err != nil || !more || len(vs) != srv.pageMax {
		t.Fatalf("history: %d versions, more %v, %v; want the latest %d of 8 and more", len(vs), more, err, srv.pageMax)
	}
	for i, v := range vs {
		if v.Key != (wire.Key{1}) || i > 0 && v.Seq <= vs[i-1].Seq || v.Seq == 1 {
			t.Fatalf("history: %+v", vs)
		}
	}
	// The page before: the record's first version.
	older, more, err := d.client.History(ctx, wire.Key{1}, vs[0].Seq)
	if err != nil || more || len(older) != 8-srv.pageMax || older[len(older)-1].Seq >= vs[0].Seq {
		t.Fatalf("history before seq %d: %d versions, more %v, %v; want the first %d", vs[0].Seq, len(older), more, err, 8-srv.pageMax)
	}
	var e *wire.Error
	if _, _, err := d.client.History(ctx, wire.Key{0xff}, 0); !errors.As(err, &e) || e.Code != wire.CodeForbidden {
		t.Fatalf("refused history: %v", err)
	}
	a.add(2, 300)
	d.client.Kick()
	waitFor(t, "sync goes on after a refusal", func() bool { _, n, _ := a.Outbox(ctx, 1); return n == 0 })

	srv.dropAll()
	d.cancel()
	<-d.done
	if _, _, err := d.client.History(ctx, wire.Key{1}, 0); !errors.Is(err, ErrOffline) {
		t.Errorf("history offline: %v", err)
	}
}

// TestServerProblemIsRetried: a server that cannot check the device (its
// storage fails) is a server problem, shown as such, and retried until
// the server works again; it never signs the device out.
func TestServerProblemIsRetried(t *testing.T) {
	srv, hs := newServer(t)
	srv.mu.Lock()
	srv.failing = 3
	srv.mu.Unlock()
	l := newLocal()
	l.add(1, 100)
	d := start(t, hs, l, "good")
	var problem Status
	for problem.State != ServerProblem {
		select {
		case st := <-d.states:
			if st.State == SignedOut {
				t.Fatalf("signed out by a server problem: %+v", st)
			}
			if st.State == ServerProblem {
				problem = st
			}
		case <-d.done:
			t.Fatalf("sync stopped at a server problem: %+v", d.client.Status())
		case <-time.After(10 * time.Second):
			t.Fatalf("no server problem shown; status %+v", d.client.Status())
		}
	}
	if !strings.Contains(problem.Err, "server has a problem") {
		t.Errorf("status during the server problem says %q", problem.Err)
	}
	waitFor(t, "the outbox sent once the server works", func() bool { _, n, _ := l.Outbox(context.Background(), 1); return n == 0 })
	waitFor(t, "up to date", func() bool { return d.client.Status().State == UpToDate })
}

// TestReceiving: a device is receiving the book from the server's hello
// until its cursor reaches the head the hello gave; a device that already
// holds it is not.
func TestReceiving(t *testing.T) {
	for _, c := range []struct {
		st   Status
		pct  int
		want bool
	}{
		{Status{Pulled: 76, Total: 100}, 76, true},
		{Status{Pulled: 0, Total: 100}, 0, true},
		{Status{Pulled: 100, Total: 100}, 0, false},
		{Status{Pulled: 120, Total: 100}, 0, false},
		{Status{}, 0, false},
	} {
		if pct, ok := c.st.Receiving(); pct != c.pct || ok != c.want {
			t.Errorf("%+v: Receiving = %d, %v; want %d, %v", c.st, pct, ok, c.pct, c.want)
		}
	}
}

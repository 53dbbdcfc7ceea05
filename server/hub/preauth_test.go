package hub

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/klauspost/compress/zstd"

	"pawfile/shared/access"
	"pawfile/shared/wire"
)

// dialFrom opens a socket from the loopback address ip and sends nothing.
// It returns the HTTP status of a refused upgrade.
func (f *fixture) dialFrom(ip string) (*websocket.Conn, int, error) {
	f.t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, f.url(), &websocket.DialOptions{HTTPClient: client, HTTPHeader: http.Header{"Origin": {f.srv.URL}}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return nil, status, err
	}
	f.t.Cleanup(func() { c.CloseNow() })
	return c, 0, nil
}

// TestPreAuthSockets: sockets that never sign in are capped per address
// and overall; signing in or leaving frees the place.
func TestPreAuthSockets(t *testing.T) {
	f := newFixture(t, Config{MaxPreAuth: 6, MaxPreAuthPerAddr: 4})
	var silent []*websocket.Conn
	for i := range 4 {
		c, _, err := f.dialFrom("127.0.0.1")
		if err != nil {
			t.Fatalf("silent socket %d of 4 from one address: %v", i+1, err)
		}
		silent = append(silent, c)
	}
	if _, status, err := f.dialFrom("127.0.0.1"); err == nil || status != http.StatusTooManyRequests {
		t.Fatalf("a 5th silent socket from one address: status %d, err %v; want 429", status, err)
	}
	for i := range 2 {
		if _, _, err := f.dialFrom("127.0.0.2"); err != nil {
			t.Fatalf("silent socket %d from a second address: %v", i+1, err)
		}
	}
	if _, status, err := f.dialFrom("127.0.0.3"); err == nil || status != http.StatusServiceUnavailable {
		t.Fatalf("a 7th silent socket overall: status %d, err %v; want 503", status, err)
	}

	// A socket that signs in no longer counts.
	f.auth.add("tok", "ws1", 1, access.Owner)
	d := &device{t: t, id: 1, ws: silent[0]}
	d.send(&wire.Hello{Proto: wire.Version, Device: 1, Token: []byte("tok")})
	expect[*wire.Welcome](d)
	if _, _, err := f.dialFrom("127.0.0.3"); err != nil {
		t.Fatalf("after one socket signed in: %v", err)
	}
	// Nor does one that left, once the server has seen it go.
	silent[1].CloseNow()
	if err := retry(func() error { _, _, err := f.dialFrom("127.0.0.1"); return err }); err != nil {
		t.Fatalf("after a silent socket closed: %v", err)
	}
}

// retry calls fn until it succeeds, at most 50 times over about 5 s: the
// server notices a closed socket a moment after the client closes it.
func retry(fn func() error) error {
	var err error
	for range 50 {
		if err = fn(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// TestPreAuthFrameLimit: before its hello is authenticated a socket may
// send only a small frame; a big one closes it unread.
func TestPreAuthFrameLimit(t *testing.T) {
	f := newFixture(t, Config{})
	for _, size := range []int{wire.MaxHelloFrame + 1, 1 << 20, wire.MaxFrame} {
		c, _, err := f.dialFrom("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		big := make([]byte, size)
		big[0], big[1] = wire.Version, byte(wire.TypeHello)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		werr := c.Write(ctx, websocket.MessageBinary, big)
		_, b, rerr := c.Read(ctx)
		cancel()
		if websocket.CloseStatus(rerr) != websocket.StatusMessageTooBig {
			m, derr := wire.Decode(b)
			t.Fatalf("a %d-byte frame before hello: write %v, read %v (%v %v); want close 1009", size, werr, rerr, m, derr)
		}
	}
	// A signed-in device may still send big frames: its limit is the
	// protocol's.
	d := f.connect("ws1", 1, access.Owner)
	v := d.version(1, 1)
	v.Sealed = make([]byte, wire.MaxSealed)
	if r := d.push(v).Results[0]; r.Code != wire.CodeOK {
		t.Fatalf("a %d-byte version after hello: %+v", len(v.Sealed), r)
	}
}

// TestPreAuthHelloCompressed: a compressed hello, which could declare a
// body of wire.MaxFrame, is refused (the app sends it plain).
func TestPreAuthHelloCompressed(t *testing.T) {
	f := newFixture(t, Config{})
	f.auth.add("tok", "ws1", 1, access.Owner)
	plain, err := wire.EncodePlain(&wire.Hello{Proto: wire.Version, Device: 1, Token: []byte("tok")})
	if err != nil {
		t.Fatal(err)
	}
	z, err := zstd.NewWriter(nil, zstd.WithSingleSegment(true))
	if err != nil {
		t.Fatal(err)
	}
	frame := z.EncodeAll(plain[3:], []byte{plain[0], plain[1], 1}) // flag 1: zstd
	c, _, err := f.dialFrom("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Write(context.Background(), websocket.MessageBinary, frame); err != nil {
		t.Fatal(err)
	}
	d := &device{t: t, id: 1, ws: c}
	m, err := d.recv()
	if e, ok := m.(*wire.Error); !ok || e.Code != wire.CodeBadMessage {
		t.Fatalf("compressed hello: %#v, %v; want a bad-message error", m, err)
	}
}

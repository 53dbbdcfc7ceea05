package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"pawfile/shared/wire"
)

// TestPreAuthLimits: the real server closes a socket that sends a big
// frame before signing in, and takes at most 32 sockets that have not
// signed in from one address.
func TestPreAuthLimits(t *testing.T) {
	s := startServer(t, t.TempDir(), freeAddr(t))
	dial := func() (*websocket.Conn, *http.Response, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, resp, err := websocket.Dial(ctx, "ws://"+s.addr+"/sync", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"http://" + s.addr}}})
		if err == nil {
			t.Cleanup(func() { c.CloseNow() })
		}
		return c, resp, err
	}
	var silent []*websocket.Conn
	for i := range 32 {
		c, _, err := dial()
		if err != nil {
			t.Fatalf("silent socket %d of 32: %v", i+1, err)
		}
		silent = append(silent, c)
	}
	if _, resp, err := dial(); err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a 33rd silent socket from one address: %v, want 429", err)
	}
	// Once one leaves (the server sees it a moment later), another may come.
	silent[0].CloseNow()
	var c *websocket.Conn
	for range 50 {
		var err error
		if c, _, err = dial(); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if c == nil {
		t.Fatal("no socket taken after one of 32 silent ones closed")
	}
	big := make([]byte, 1<<20)
	big[0], big[1] = wire.Version, byte(wire.TypeHello)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.Write(ctx, websocket.MessageBinary, big) // the server may close before it is all sent
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("a 1 MiB frame before hello: %v, want close 1009", err)
	}
}

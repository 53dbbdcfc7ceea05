package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"pawfile/shared/wire"
)

// conn is one device's sync socket, spoken to as the app does.
type conn struct {
	ws      *websocket.Conn
	dev     device
	welcome *wire.Welcome
	// received counts the bytes of the frames read (websocket payloads).
	received int64
}

// dial opens dev's sync socket on s and says hello.
func dial(ctx context.Context, s *server, dev device) (*conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+s.addr+"/sync", &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": {s.url("")}},
	})
	if err != nil {
		return nil, fmt.Errorf("device %016x: open sync socket: %w", dev.id, err)
	}
	ws.SetReadLimit(wire.MaxFrame)
	c := &conn{ws: ws, dev: dev}
	if err := c.send(ctx, &wire.Hello{Proto: wire.Version, Workspace: dev.workspace, Device: dev.id, Token: []byte(dev.token), App: "loadgen"}); err != nil {
		ws.CloseNow()
		return nil, err
	}
	m, err := c.recv(ctx)
	if err != nil {
		ws.CloseNow()
		return nil, err
	}
	w, ok := m.(*wire.Welcome)
	if !ok {
		ws.CloseNow()
		return nil, fmt.Errorf("device %016x: hello answered with %s", dev.id, describe(m))
	}
	c.welcome = w
	return c, nil
}

func (c *conn) close() { c.ws.Close(websocket.StatusNormalClosure, "") }

// send encodes m and writes it.
func (c *conn) send(ctx context.Context, m wire.Message) error {
	frame, err := wire.Encode(m)
	if err != nil {
		return fmt.Errorf("device %016x: %w", c.dev.id, err)
	}
	return c.write(ctx, frame)
}

// write writes an encoded frame.
func (c *conn) write(ctx context.Context, frame []byte) error {
	if err := c.ws.Write(ctx, websocket.MessageBinary, frame); err != nil {
		return fmt.Errorf("device %016x: send: %w", c.dev.id, err)
	}
	return nil
}

// recv reads and decodes one frame. A wire.Error from the server is
// returned as the error.
func (c *conn) recv(ctx context.Context) (wire.Message, error) {
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("device %016x: receive: %w", c.dev.id, err)
	}
	c.received += int64(len(b))
	m, err := wire.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("device %016x: %w", c.dev.id, err)
	}
	if e, ok := m.(*wire.Error); ok {
		return nil, fmt.Errorf("device %016x: server refused: %w", c.dev.id, e)
	}
	return m, nil
}

// describe names an unexpected message for an error, without its
// versions (a batch of them is megabytes of numbers).
func describe(m wire.Message) string {
	switch m := m.(type) {
	case *wire.Ack:
		return fmt.Sprintf("ack %d of %d results", m.ID, len(m.Results))
	case *wire.Batch:
		return fmt.Sprintf("batch %d of %d versions", m.ID, len(m.Versions))
	case *wire.Live:
		return fmt.Sprintf("live versions (%d)", len(m.Versions))
	}
	return fmt.Sprintf("%s %+v", m.Type(), m)
}

// push is one encoded Push frame and where its versions start in the
// sequence pushed.
type push struct {
	frame []byte
	first int
	n     int
}

// batches splits vs into Push frames as a device empties its outbox: up to
// wire.MaxBatch versions and wire.MaxBatchBytes of sealed bytes each, with
// IDs 1, 2, …
func batches(vs []wire.Envelope) ([]push, error) {
	var out []push
	for first := 0; first < len(vs); {
		n, size := 0, 0
		for first+n < len(vs) && n < wire.MaxBatch && size+len(vs[first+n].Sealed) <= wire.MaxBatchBytes {
			size += len(vs[first+n].Sealed)
			n++
		}
		frame, err := wire.Encode(&wire.Push{ID: uint32(len(out) + 1), Versions: vs[first : first+n]})
		if err != nil {
			return nil, fmt.Errorf("encode push %d: %w", len(out)+1, err)
		}
		out = append(out, push{frame: frame, first: first, n: n})
		first += n
	}
	return out, nil
}

// pushAll sends pushes with up to window of them awaiting their Ack, and
// returns the seq each version was stored under. Every version must be
// accepted.
func (c *conn) pushAll(ctx context.Context, pushes []push, window int) ([]uint64, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	total := 0
	for _, p := range pushes {
		total += p.n
	}
	seqs := make([]uint64, total)
	slots := make(chan struct{}, window)
	acked := make(chan error, 1)
	go func() {
		err := c.acks(ctx, pushes, seqs, slots)
		if err != nil {
			cancel(err)
		}
		acked <- err
	}()
	for _, p := range pushes {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			<-acked
			return nil, context.Cause(ctx)
		}
		if err := c.write(ctx, p.frame); err != nil {
			cancel(err)
			<-acked
			return nil, err
		}
	}
	if err := <-acked; err != nil {
		return nil, err
	}
	return seqs, nil
}

// acks reads the Ack of every push, fills seqs and frees a window slot per
// Ack.
func (c *conn) acks(ctx context.Context, pushes []push, seqs []uint64, slots <-chan struct{}) error {
	for acked := 0; acked < len(pushes); {
		m, err := c.recv(ctx)
		if err != nil {
			return err
		}
		if _, ok := m.(*wire.Live); ok {
			continue // other devices' versions
		}
		ack, ok := m.(*wire.Ack)
		if !ok || ack.ID < 1 || int(ack.ID) > len(pushes) {
			return fmt.Errorf("push answered with %s", describe(m))
		}
		p := pushes[ack.ID-1]
		if len(ack.Results) != p.n {
			return fmt.Errorf("push %d of %d versions: %d results", ack.ID, p.n, len(ack.Results))
		}
		for i, r := range ack.Results {
			if r.Code != wire.CodeOK {
				return fmt.Errorf("push %d: version %d refused: %s (%s)", ack.ID, i, r.Message, r.Code)
			}
			seqs[p.first+i] = r.Seq
		}
		acked++
		<-slots
	}
	return nil
}

// bootstrap pulls as a new device does (app/syncclient's pull): the
// workspace's heads a batch at a time, then the log after the last of them,
// until the server has no more. It returns how many versions came.
func (c *conn) bootstrap(ctx context.Context) (int, error) {
	var after uint64
	heads := true
	n := 0
	for id := uint32(1); ; id++ {
		if err := c.send(ctx, &wire.Pull{ID: id, After: after, Limit: wire.MaxBatch, Heads: heads}); err != nil {
			return n, err
		}
		m, err := c.recv(ctx)
		if err != nil {
			return n, err
		}
		b, ok := m.(*wire.Batch)
		if !ok || b.ID != id {
			return n, fmt.Errorf("pull %d answered with %s", id, describe(m))
		}
		n += len(b.Versions)
		if b.More && b.Next <= after {
			return n, errors.New("pull: the cursor did not move")
		}
		after = b.Next
		if !b.More {
			if !heads {
				return n, nil
			}
			heads = false
		}
	}
}

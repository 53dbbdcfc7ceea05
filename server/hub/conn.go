package hub

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"pawfile/server/directory"
	"pawfile/server/metrics"
	"pawfile/server/store"
	"pawfile/shared/access"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// conn is one device's socket.
type conn struct {
	hub    *Hub
	ws     *websocket.Conn
	send   chan []byte
	remote string
	token  string
	// signedIn frees the socket's place among those not signed in, once
	// its hello is authenticated or it closes.
	signedIn func()

	mu   sync.Mutex
	sess directory.Session

	closeOnce sync.Once
	cancel    context.CancelFunc // ends the session

	// A push is answered by the acker goroutine, so the read loop can read
	// and enqueue the next pushes while one is committed: they share a
	// commit, and decoding overlaps the fsync. acks carries the pushes to
	// the acker in the order they came, so Acks go out in that order; slots
	// holds a token for each push not yet acknowledged, bounding them (and
	// the memory they hold) to maxInFlight.
	acks  chan *pendingPush
	slots chan struct{}
}

// maxInFlight bounds the pushes of one socket read but not yet
// acknowledged. A device that keeps a few pushes in flight gets them
// committed together; more would only hold memory (a push is up to
// wire.MaxBatchBytes of versions, held twice until committed: decoded and
// as log entries).
const maxInFlight = 4

// pendingPush is a push whose versions are being committed.
type pendingPush struct {
	ws      string
	queued  time.Time // when its versions were enqueued
	id      uint32
	results []wire.Result   // the refusals already decided, then the rest
	stored  []wire.Envelope // the versions enqueued: stored[j] is results[at[j]]
	at      []int
	wait    store.Pending // nil if nothing was enqueued
}

func (c *conn) role() access.Role {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess.Role
}

// queue hands a frame to the writer. A device too slow to take its live
// versions is dropped rather than allowed to hold memory: it reconnects and
// pulls from its cursor.
func (c *conn) queue(frame []byte) {
	select {
	case c.send <- frame:
	default:
		c.closeWith(websocket.StatusTryAgainLater, "too slow to receive live updates: reconnect and pull")
	}
}

func (c *conn) closeWith(code websocket.StatusCode, reason string) {
	c.closeOnce.Do(func() {
		go c.ws.Close(code, reason)
		c.cancel()
	})
}

// restart closes the socket telling the device the server is
// restarting. Unlike closeWith, the session goes on until the device has
// answered the close (or the library's wait for it ends): acks of pushes
// committed meanwhile still go out, and the device reads the reason.
func (c *conn) restart() {
	c.closeOnce.Do(func() {
		go func() {
			c.ws.Close(websocket.StatusServiceRestart, restartText)
			c.cancel()
		}()
	})
}

// fail sends an error message, then closes the socket.
func (c *conn) fail(code wire.Code, msg string) {
	if frame, err := wire.EncodePlain(&wire.Error{Code: code, Message: msg}); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), c.hub.cfg.WriteTimeout)
		c.ws.Write(ctx, websocket.MessageBinary, frame)
		cancel()
	}
	c.closeWith(websocket.StatusPolicyViolation, msg)
}

// run is the session of the socket until ctx ends (c.cancel ends it) or
// the socket closes.
func (c *conn) run(ctx context.Context) {
	defer c.ws.CloseNow()
	h := c.hub

	if err := c.hello(ctx); err != nil {
		h.log.Info("sync hello refused", "remote", c.remote, "reason", err.Error())
		return
	}
	if err := h.join(c); err != nil {
		c.fail(wire.CodeRateLimited, err.Error())
		return
	}
	defer h.leave(c)
	if err := c.welcome(ctx); err != nil {
		return
	}
	h.log.Info("device connected", "workspace", c.sess.Workspace, "device", fmt.Sprintf("%016x", c.sess.Device), "role", c.sess.Role)

	go c.writer(ctx)
	go c.heartbeat(ctx)
	acked := make(chan struct{})
	go c.acker(acked)
	// Pushes already enqueued are committed whatever happens to the
	// socket: wait for them, so their versions still go out live.
	defer func() {
		close(c.acks)
		<-acked
	}()
	lim := h.limiter(c.sess.Device)
	for {
		_, b, err := c.ws.Read(ctx)
		if err != nil {
			return
		}
		if err := lim.Wait(ctx); err != nil {
			return
		}
		if err := c.refresh(ctx); err != nil {
			c.refused(err)
			return
		}
		m, err := wire.Decode(b)
		if err != nil {
			c.drain()
			c.reply(wire.ErrorFor(0, err))
			continue
		}
		if err := c.handle(ctx, m); err != nil {
			c.internal(c.sess.Workspace, err)
		}
	}
}

// internal logs a failure of the server's own and tells the device.
func (c *conn) internal(ws string, err error) {
	c.hub.log.Error("sync", "workspace", ws, "err", err)
	c.reply(&wire.Error{Code: wire.CodeInternal, Message: "the server could not complete the request: try again shortly"})
}

// hello waits for the device's first message and authenticates it; see
// welcome for the answer.
func (c *conn) hello(ctx context.Context) error {
	h := c.hub
	hctx, cancel := context.WithTimeout(ctx, h.cfg.HelloTimeout)
	defer cancel()
	_, b, err := c.ws.Read(hctx)
	if err != nil {
		return fmt.Errorf("no hello: %w", err)
	}
	// Plain only: a compressed frame may declare a body of wire.MaxFrame.
	m, err := wire.DecodePlain(b)
	if wire.CodeOf(err) == wire.CodeUnsupportedProto {
		msg := fmt.Sprintf("this app speaks another sync protocol than the server (%d): reload Pawfile to update it", wire.Version)
		c.fail(wire.CodeUnsupportedProto, msg)
		return err
	}
	if err != nil {
		metrics.Refused("hello")
		c.fail(wire.CodeOf(err), err.Error())
		return err
	}
	hello, ok := m.(*wire.Hello)
	if !ok {
		metrics.Refused("hello")
		c.fail(wire.CodeBadMessage, "the first message must be hello")
		return errors.New("first message is not hello")
	}
	if hello.Proto != wire.Version {
		msg := fmt.Sprintf("this app speaks sync protocol %d, the server %d: reload Pawfile to update it", hello.Proto, wire.Version)
		metrics.Refused("hello")
		c.fail(wire.CodeUnsupportedProto, msg)
		return errors.New(msg)
	}
	c.token = string(hello.Token)
	sess, err := h.auth.Authenticate(ctx, c.token)
	if err != nil {
		c.refused(err)
		return err
	}
	if sess.Device != hello.Device || (hello.Workspace != "" && sess.Workspace != hello.Workspace) {
		metrics.Refused("unauthorized")
		c.fail(wire.CodeUnauthorized, "the token does not belong to this device: sign in again")
		return errors.New("token of another device")
	}
	c.sess = sess
	c.signedIn()
	c.ws.SetReadLimit(wire.MaxFrame)
	return nil
}

// welcome tells an authenticated device it is connected. It goes out
// after the hub knows the connection, so a revocation from then on
// reaches it.
func (c *conn) welcome(ctx context.Context) error {
	h := c.hub
	sess := c.sess
	return c.write(ctx, &wire.Welcome{
		ServerTime: h.cfg.Now().UnixMilli(),
		Role:       uint8(sess.Role),
		Classes:    classBytes(sess.Role.Classes()),
		Head:       c.head(ctx),
		MaxSkewMs:  h.cfg.MaxSkew.Milliseconds(),
	})
}

func (c *conn) head(ctx context.Context) uint64 {
	head, err := c.hub.store.Head(ctx, c.sess.Workspace)
	if err != nil {
		c.hub.log.Error("read head", "workspace", c.sess.Workspace, "err", err)
	}
	return head
}

// refused closes the socket of a device whose token did not authenticate,
// saying why. Only the directory's own answers sign a device out; any
// other failure (its storage) is the server's problem, which the device
// retries: taken for a refusal, it would stop syncing for good.
func (c *conn) refused(err error) {
	switch {
	case errors.Is(err, directory.ErrRevoked), errors.Is(err, directory.ErrRemoved):
		metrics.Refused("revoked")
		c.fail(wire.CodeRevoked, revokedText)
	case errors.Is(err, directory.ErrUnauthorized):
		metrics.Refused("unauthorized")
		c.fail(wire.CodeUnauthorized, "this device is not signed in to the workspace: sign in again")
	default:
		metrics.Refused("server_problem")
		c.hub.log.Error("sync: authenticate", "remote", c.remote, "err", err)
		c.fail(wire.CodeInternal, serverProblemText)
	}
}

// serverProblemText is what a device is told when the server cannot
// check who it is: the app keeps retrying meanwhile.
const serverProblemText = "the server has a problem and cannot sync right now: edits stay on this device, and syncing retries by itself"

// refresh re-reads the session so a role change or a revocation takes
// effect on the next message.
func (c *conn) refresh(ctx context.Context) error {
	sess, err := c.hub.auth.Authenticate(ctx, c.token)
	if err != nil {
		return fmt.Errorf("authenticate: %w", err)
	}
	c.mu.Lock()
	c.sess = sess
	c.mu.Unlock()
	return nil
}

func classBytes(cs []record.Class) []uint8 {
	b := make([]uint8, len(cs))
	for i, c := range cs {
		b[i] = uint8(c)
	}
	return b
}

func (c *conn) write(ctx context.Context, m wire.Message) error {
	frame, err := wire.EncodePlain(m)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, c.hub.cfg.WriteTimeout)
	defer cancel()
	return c.ws.Write(wctx, websocket.MessageBinary, frame)
}

func (c *conn) reply(m wire.Message) {
	frame, err := wire.EncodePlain(m)
	if err != nil {
		c.hub.log.Error("encode reply", "err", err)
		return
	}
	c.queue(frame)
}

func (c *conn) writer(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case frame := <-c.send:
			wctx, cancel := context.WithTimeout(ctx, c.hub.cfg.WriteTimeout)
			err := c.ws.Write(wctx, websocket.MessageBinary, frame)
			cancel()
			if err != nil {
				c.closeWith(websocket.StatusGoingAway, "write failed")
				return
			}
		}
	}
}

// heartbeat pings the device; one that does not answer in time is dropped,
// so sockets left open by vanished tablets do not pile up.
func (c *conn) heartbeat(ctx context.Context) {
	t := time.NewTicker(c.hub.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, c.hub.cfg.PingTimeout)
			err := c.ws.Ping(pctx)
			cancel()
			if err != nil {
				c.closeWith(websocket.StatusPolicyViolation, "no answer to ping")
				c.ws.CloseNow()
				return
			}
		}
	}
}

func (c *conn) handle(ctx context.Context, m wire.Message) error {
	if p, ok := m.(*wire.Push); ok {
		return c.push(ctx, p)
	}
	// Anything else is answered after the pushes before it: a pull sees
	// them, and the device gets its answers in the order it asked.
	c.drain()
	switch m := m.(type) {
	case *wire.Pull:
		return c.pull(ctx, m)
	case *wire.BlobPut:
		return c.blobPut(ctx, m)
	case *wire.BlobGet:
		return c.blobGet(ctx, m)
	case *wire.BlobDrop:
		return c.blobDrop(ctx, m)
	case *wire.HistoryGet:
		return c.history(ctx, m)
	}
	c.reply(&wire.Error{Code: wire.CodeBadMessage, Message: fmt.Sprintf("a device may not send %T", m)})
	return nil
}

// push enqueues what the role may write and is not too far in the future;
// the acker acknowledges each version once it is committed, and sends the
// stored ones to the other devices.
func (c *conn) push(ctx context.Context, m *wire.Push) error {
	metrics.Pushed()
	sess := c.session()
	now := c.hub.cfg.Now()
	p := &pendingPush{ws: sess.Workspace, id: m.ID, results: make([]wire.Result, len(m.Versions))}
	gens, err := c.hub.auth.KeyGenerations(ctx, sess.Workspace)
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	drained := false
	for i, v := range m.Versions {
		p.results[i].OutboxID = v.OutboxID
		if !sess.Role.CanWrite(record.Class(v.Class)) {
			p.results[i].Code, p.results[i].Message = wire.CodeForbidden, fmt.Sprintf("the %s role may not change %s records", sess.Role.Label(), record.Class(v.Class))
			continue
		}
		if v.Erased && v.Class == record.ClassOwner {
			p.results[i].Code, p.results[i].Message = wire.CodeForbidden, "the workspace's settings and deletion log are never erased"
			continue
		}
		if !gens.Has(v.Class, v.KeyID) {
			// Nobody could open it, and every device would wait for a
			// key that never comes.
			p.results[i].Code, p.results[i].Message = wire.CodeForbidden, fmt.Sprintf("generation %d of the %s key was never registered by an owner", v.KeyID, v.Class)
			continue
		}
		if err := clock.Check(v.TS, now, c.hub.cfg.MaxSkew); err != nil {
			p.results[i].Code, p.results[i].Message = wire.CodeSkew, err.Error()
			continue
		}
		if v.Erased {
			// An erasure commits on its own, outside the group commit:
			// the pushes before it must be stored first, as the device
			// sent them.
			if !drained {
				c.drain()
				drained = true
			}
			r, err := c.hub.store.Erase(ctx, sess.Workspace, sess.Device, v)
			if err != nil {
				return fmt.Errorf("erase: %w", err)
			}
			p.results[i] = r
			if r.Code == 0 {
				v.Seq = r.Seq
				c.hub.fanOut(c, []wire.Envelope{v})
			}
			continue
		}
		p.stored = append(p.stored, v)
		p.at = append(p.at, i)
	}
	// The acker frees a slot as each commit ends, so this waits at most
	// for the oldest push in flight.
	c.slots <- struct{}{}
	if len(p.stored) > 0 {
		p.queued = time.Now()
		p.wait = c.hub.store.Enqueue(ctx, sess.Workspace, sess.Device, p.stored)
	}
	c.acks <- p // never blocks: it holds no more pushes than there are slots
	return nil
}

// acker answers the pushes of acks in order until it is closed, then
// closes done.
func (c *conn) acker(done chan<- struct{}) {
	defer close(done)
	for p := range c.acks {
		c.ack(p)
		<-c.slots
	}
}

// ack waits for p's versions to be committed, acknowledges each, and sends
// the stored ones to the other devices.
func (c *conn) ack(p *pendingPush) {
	var live []wire.Envelope
	if p.wait != nil {
		rs, err := p.wait()
		if err != nil {
			c.internal(p.ws, fmt.Errorf("append: %w", err))
			return
		}
		metrics.Committed(time.Since(p.queued))
		for j, r := range rs {
			p.results[p.at[j]] = r
			if r.Code == 0 {
				v := p.stored[j]
				v.Seq = r.Seq
				live = append(live, v)
			}
		}
	}
	metrics.Stored(len(live))
	for _, r := range p.results {
		if r.Code != wire.CodeOK {
			metrics.Refused("version_" + r.Code.String())
		}
	}
	c.reply(&wire.Ack{ID: p.id, Results: p.results})
	if len(live) > 0 {
		c.hub.fanOut(c, live)
	}
}

// drain waits until every push read so far is acknowledged, by taking
// every slot.
func (c *conn) drain() {
	for range maxInFlight {
		c.slots <- struct{}{}
	}
	for range maxInFlight {
		<-c.slots
	}
}

func (c *conn) session() directory.Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess
}

func (c *conn) pull(ctx context.Context, m *wire.Pull) error {
	sess := c.session()
	classes := sess.Role.Classes()
	if len(m.Classes) > 0 {
		// Narrowed, never widened: a class the role may not read stays out.
		classes = slices.DeleteFunc(slices.Clone(m.Classes), func(c record.Class) bool { return !sess.Role.CanRead(c) })
	}
	limit := int(m.Limit)
	read := c.hub.store.Since
	if m.Heads {
		read = c.hub.store.Heads
	}
	vs, next, more, err := read(ctx, sess.Workspace, m.After, limit, classes)
	if err != nil {
		return fmt.Errorf("pull: %w", err)
	}
	c.reply(&wire.Batch{ID: m.ID, Versions: vs, Next: next, More: more})
	return nil
}

// history answers with a page of a record's stored versions, superseded
// ones included, the latest below m.Before; the store reads only that
// page. A role gets only what it may pull: a record of a class it may not
// read is refused, as if it were not there for it.
func (c *conn) history(ctx context.Context, m *wire.HistoryGet) error {
	sess := c.session()
	vs, more, err := c.hub.store.History(ctx, sess.Workspace, m.Key, m.Before)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	for _, v := range vs {
		if !sess.Role.CanRead(record.Class(v.Class)) {
			c.reply(&wire.Error{ID: m.ID, Code: wire.CodeForbidden, Message: fmt.Sprintf("the %s role may not read %s records", sess.Role.Label(), record.Class(v.Class))})
			return nil
		}
	}
	c.reply(&wire.History{ID: m.ID, Versions: vs, More: more})
	return nil
}

func (c *conn) blobPut(ctx context.Context, m *wire.BlobPut) error {
	sess := c.session()
	if !sess.Role.CanWrite(record.ClassProject) && !sess.Role.CanWrite(record.ClassCare) {
		c.reply(&wire.Error{ID: m.ID, Code: wire.CodeForbidden, Message: "this role may not upload photos"})
		return nil
	}
	got, err := c.hub.blobs.PutChunk(ctx, sess.Workspace, m.Hash, m.Offset, m.Total, m.Data)
	if err != nil {
		c.reply(blobError(m.ID, err))
		return nil
	}
	c.reply(&wire.BlobAck{ID: m.ID, Hash: m.Hash, Received: got})
	return nil
}

func (c *conn) blobGet(ctx context.Context, m *wire.BlobGet) error {
	sess := c.session()
	data, total, err := c.hub.blobs.GetChunk(ctx, sess.Workspace, m.Hash, m.Offset, int(m.Limit))
	if err != nil {
		c.reply(blobError(m.ID, err))
		return nil
	}
	c.reply(&wire.BlobData{ID: m.ID, Hash: m.Hash, Offset: m.Offset, Total: total, Data: data})
	return nil
}

// blobDrop deletes the photos of an erased client, which the device that
// erased it names: the server cannot tell which records named them. Only
// a role that may erase clients may drop photos.
func (c *conn) blobDrop(ctx context.Context, m *wire.BlobDrop) error {
	sess := c.session()
	if !sess.Role.CanWrite(record.ClassClient) {
		c.reply(&wire.Error{ID: m.ID, Code: wire.CodeForbidden, Message: "this role may not delete photos"})
		return nil
	}
	hashes := make([][32]byte, len(m.Hashes))
	for i, h := range m.Hashes {
		hashes[i] = h
	}
	if err := c.hub.blobs.DropBlobs(ctx, sess.Workspace, hashes); err != nil {
		c.reply(blobError(m.ID, err))
		return nil
	}
	c.hub.log.Info("photos deleted", "workspace", sess.Workspace, "device", fmt.Sprintf("%016x", sess.Device), "count", len(hashes))
	c.reply(&wire.BlobGone{ID: m.ID})
	return nil
}

// blobError turns a blob store error into the reply a device can act on.
func blobError(id uint32, err error) *wire.Error {
	code := wire.CodeInternal
	switch {
	case errors.Is(err, store.ErrNotFound):
		code = wire.CodeNotFound
	case errors.Is(err, store.ErrTooLarge):
		code = wire.CodeTooLarge
	case errors.Is(err, store.ErrHashMismatch), errors.Is(err, store.ErrBadRequest):
		code = wire.CodeInvalid
	case errors.Is(err, store.ErrFull):
		code = wire.CodeFull
	}
	if code != wire.CodeNotFound && code != wire.CodeInternal {
		metrics.Refused("blob_" + code.String())
	}
	return wire.ErrorFor(id, &wire.ProtocolError{Code: code, Err: err})
}

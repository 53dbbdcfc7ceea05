// Package hub runs the websocket sync sessions: it authenticates each
// device by its first message, enforces its role on every message, refuses
// versions sealed under a key generation no owner registered, stores
// pushed versions before acknowledging them, answers pulls, and sends new
// versions live to the other connected devices of the workspace. Shutdown
// tells every device to reconnect and waits for their sessions to end.
//
// Until a socket's hello is authenticated it may send one small plain
// frame (wire.MaxHelloFrame), and such sockets are capped overall and per
// address (Config.MaxPreAuth, Config.MaxPreAuthPerAddr): a stranger cannot
// hold the server's memory with sockets that never sign in.
package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"pawfile/server/directory"
	"pawfile/server/metrics"
	"pawfile/server/peer"
	"pawfile/server/store"
	"pawfile/shared/access"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// Config tunes a hub. Zero fields take the defaults.
type Config struct {
	// Origins are the extra origins (scheme://host[:port]) whose pages may
	// open a sync socket; the server's own origin is always allowed.
	Origins      []string
	HelloTimeout time.Duration // to send Hello after connecting (10 s)
	PingInterval time.Duration // between heartbeats (30 s)
	PingTimeout  time.Duration // for a pong (10 s)
	WriteTimeout time.Duration // for one frame to go out (10 s)
	Rate         rate.Limit    // messages per second per device (100)
	Burst        int           // messages a device may send at once (200)
	MaxConns     int           // open sockets per member (16)
	// MaxPreAuth and MaxPreAuthPerAddr bound the sockets that have not yet
	// sent an authenticated hello, overall (512) and per address (32,
	// counted as peer.Key counts them).
	MaxPreAuth        int
	MaxPreAuthPerAddr int
	MaxSkew           time.Duration // how far ahead of the server a timestamp may be (clock.MaxSkew)
	Now               func() time.Time
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.HelloTimeout, 10*time.Second)
	def(&c.PingInterval, 30*time.Second)
	def(&c.PingTimeout, 10*time.Second)
	def(&c.WriteTimeout, 10*time.Second)
	def(&c.MaxSkew, clock.MaxSkew)
	if c.Rate <= 0 {
		c.Rate = 100
	}
	if c.Burst <= 0 {
		c.Burst = 200
	}
	if c.MaxConns <= 0 {
		c.MaxConns = 16
	}
	if c.MaxPreAuth <= 0 {
		c.MaxPreAuth = 512
	}
	if c.MaxPreAuthPerAddr <= 0 {
		c.MaxPreAuthPerAddr = 32
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Authenticator resolves a device token to its session, and tells which
// key generations owners registered for a workspace.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (directory.Session, error)
	KeyGenerations(ctx context.Context, ws string) (directory.KeyGens, error)
}

// Hub is the sync endpoint. It is an http.Handler for the /sync path.
type Hub struct {
	cfg   Config
	store store.Store
	blobs store.Blobs
	auth  Authenticator
	log   *slog.Logger

	mu       sync.Mutex
	open     map[*conn]struct{}            // every socket, signed in or not
	running  sync.WaitGroup                // the sessions of open
	closing  bool                          // Shutdown was called
	conns    map[string]map[*conn]struct{} // by workspace
	members  map[string]int                // open sockets by member
	limiters map[uint64]*rate.Limiter      // by device, kept across reconnects
	preAuth  preAuth
}

// New returns a hub serving st and blobs to devices that auth accepts.
func New(st store.Store, blobs store.Blobs, auth Authenticator, log *slog.Logger, cfg Config) *Hub {
	cfg.defaults()
	return &Hub{
		cfg: cfg, store: st, blobs: blobs, auth: auth, log: log,
		open:     map[*conn]struct{}{},
		conns:    map[string]map[*conn]struct{}{},
		members:  map[string]int{},
		limiters: map[uint64]*rate.Limiter{},
		preAuth:  preAuth{max: cfg.MaxPreAuth, perAddr: cfg.MaxPreAuthPerAddr, byAddr: map[string]int{}},
	}
}

// revokedText is what a device cut off by the owner shows its person: the
// app shows it as it is.
const revokedText = "This device was removed from the team by the owner, so it no longer syncs. If that is a mistake, ask the owner for a new invite."

// Revoke closes every open socket of a device. The directory calls it when
// a device or its member is removed.
func (h *Hub) Revoke(ws string, device uint64) {
	for _, c := range h.connsOf(ws, func(s directory.Session) bool { return s.Device == device }) {
		c.fail(wire.CodeRevoked, revokedText)
	}
}

// connsOf returns the open sockets of workspace ws whose session is
// picked.
func (h *Hub) connsOf(ws string, picked func(directory.Session) bool) []*conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	var cs []*conn
	for c := range h.conns[ws] {
		if picked(c.session()) {
			cs = append(cs, c)
		}
	}
	return cs
}

// Rekey closes every open socket of a member's devices after the owner
// renewed or re-wrapped the member's keys. The devices reconnect at once
// and fetch their keys as they do at every connect, so they stop sealing
// with keys a removed member also held.
func (h *Hub) Rekey(ws, member string) {
	for _, c := range h.connsOf(ws, func(s directory.Session) bool { return s.Member == member }) {
		c.closeWith(websocket.StatusServiceRestart, "keys renewed: reconnect")
	}
}

// SetRole applies a member's new role to their open sockets at once: from
// now on they are sent only what the role reads and may push only what it
// writes. The sockets are then closed, so the devices reconnect, learn
// the role from the welcome and fetch the keys it holds. The directory
// calls it when an owner changes a role.
func (h *Hub) SetRole(ws, member string, role access.Role) {
	for _, c := range h.connsOf(ws, func(s directory.Session) bool { return s.Member == member }) {
		c.mu.Lock()
		c.sess.Role = role
		c.mu.Unlock()
		c.closeWith(websocket.StatusServiceRestart, "role changed: reconnect")
	}
}

// Connected returns how many sockets are open, for health and tests.
func (h *Hub) Connected() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, cs := range h.conns {
		n += len(cs)
	}
	return n
}

// restartText is what a device is told as the server shuts down.
const restartText = "the server is restarting: reconnect"

// Shutdown tells every connected device that the server is restarting,
// so it reconnects (it keeps its edits meanwhile), and waits until their
// sessions have ended, with the pushes they sent committed, or until ctx
// ends. Sockets opened from then on are refused.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	all := make([]*conn, 0, len(h.open))
	for c := range h.open {
		all = append(all, c)
	}
	h.mu.Unlock()
	for _, c := range all {
		c.restart()
	}
	done := make(chan struct{})
	go func() { h.running.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		h.mu.Lock()
		n := len(h.open)
		h.mu.Unlock()
		return fmt.Errorf("%d sync sessions still running: %w", n, ctx.Err())
	}
}

// track adds c to the open sockets unless the hub is shutting down.
func (h *Hub) track(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.open[c] = struct{}{}
	h.running.Add(1)
	return true
}

func (h *Hub) untrack(c *conn) {
	h.mu.Lock()
	delete(h.open, c)
	h.mu.Unlock()
	h.running.Done()
}

func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.checkOrigin(r); err != nil {
		h.log.Warn("sync refused", "reason", err.Error(), "remote", r.RemoteAddr)
		metrics.Refused("origin")
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	addr := peer.Key(r.RemoteAddr)
	if status, err := h.preAuth.enter(addr); err != nil {
		h.log.Warn("sync refused", "reason", err.Error(), "remote", r.RemoteAddr)
		metrics.Refused("not_signed_in")
		w.Header().Set("Retry-After", "10")
		http.Error(w, err.Error(), status)
		return
	}
	signedIn := sync.OnceFunc(func() { h.preAuth.leave(addr) })
	defer signedIn()
	// The origin was checked above, against our own origin and the
	// allowlist, including the case the library lets through (no Origin).
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	// Until its hello is authenticated a socket may send only a hello:
	// a stranger's sockets hold a few KiB each, not wire.MaxFrame.
	ws.SetReadLimit(wire.MaxHelloFrame)
	// The session outlives the request's context, which ends as the
	// handler returns; Shutdown, a revocation or the device end it.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	c := &conn{
		hub: h, ws: ws, send: make(chan []byte, 256), remote: r.RemoteAddr, cancel: cancel, signedIn: signedIn,
		acks: make(chan *pendingPush, maxInFlight), slots: make(chan struct{}, maxInFlight),
	}
	if !h.track(c) {
		metrics.Refused("shutting_down")
		ws.Close(websocket.StatusServiceRestart, restartText)
		return
	}
	defer h.untrack(c)
	c.run(ctx)
}

// checkOrigin allows a browser page of the server's own origin or of the
// allowlist. A request without Origin is refused: browsers always send it
// on websocket upgrades, and native clients are expected to set it.
func (h *Hub) checkOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return errors.New("missing Origin header")
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return fmt.Errorf("malformed Origin %q", origin)
	}
	if strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	for _, o := range h.cfg.Origins {
		if strings.EqualFold(strings.TrimSuffix(o, "/"), u.Scheme+"://"+u.Host) {
			return nil
		}
	}
	return fmt.Errorf("origin %q may not sync with this server (add it with -origin)", origin)
}

func (h *Hub) limiter(device uint64) *rate.Limiter {
	h.mu.Lock()
	defer h.mu.Unlock()
	l, ok := h.limiters[device]
	if !ok {
		l = rate.NewLimiter(h.cfg.Rate, h.cfg.Burst)
		h.limiters[device] = l
	}
	return l
}

func (h *Hub) join(c *conn) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.members[c.sess.Member] >= h.cfg.MaxConns {
		metrics.Refused("too_many_connections")
		return fmt.Errorf("too many open connections for this account (%d): close Pawfile on another device or tab", h.cfg.MaxConns)
	}
	h.members[c.sess.Member]++
	if h.conns[c.sess.Workspace] == nil {
		h.conns[c.sess.Workspace] = map[*conn]struct{}{}
	}
	h.conns[c.sess.Workspace][c] = struct{}{}
	return nil
}

func (h *Hub) leave(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	cs := h.conns[c.sess.Workspace]
	if _, ok := cs[c]; !ok {
		return
	}
	delete(cs, c)
	if len(cs) == 0 {
		delete(h.conns, c.sess.Workspace)
	}
	if h.members[c.sess.Member]--; h.members[c.sess.Member] <= 0 {
		delete(h.members, c.sess.Member)
	}
}

// fanOut sends newly stored versions to every other socket of the
// workspace whose role may read them. Frames are encoded once per set of
// readable classes, not once per socket.
func (h *Hub) fanOut(from *conn, vs []wire.Envelope) {
	ws := from.session().Workspace // the acker calls it while the read loop refreshes the session
	h.mu.Lock()
	targets := make([]*conn, 0, len(h.conns[ws]))
	for c := range h.conns[ws] {
		if c != from {
			targets = append(targets, c)
		}
	}
	h.mu.Unlock()
	frames := map[access.Role][]byte{}
	for _, c := range targets {
		role := c.role()
		frame, ok := frames[role]
		if !ok {
			var visible []wire.Envelope
			for _, v := range vs {
				if role.CanRead(record.Class(v.Class)) {
					visible = append(visible, v)
				}
			}
			if len(visible) > 0 {
				var err error
				if frame, err = wire.EncodePlain(&wire.Live{Versions: visible}); err != nil {
					h.log.Error("encode live versions", "err", err)
					return
				}
			}
			frames[role] = frame
		}
		if frame != nil {
			c.queue(frame)
		}
	}
}

// Package syncclient keeps a device in step with the sync server: it sends
// the outbox, pulls what other devices wrote since the device's cursor,
// applies versions pushed live, and reconnects with backoff when the
// network comes and goes. It reports a Status the app shows at all times.
//
// A device that holds nothing yet bootstraps from the server's current
// heads, clients first, then pets (see syncer.bootstrap): the client list
// of a shop's five years is whole and searchable within seconds, while the
// bookings and their notes still arrive. A device that keeps its progress
// (Resumer) goes on where a bootstrap cut short stopped.
package syncclient

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// State is where the device stands with the server.
type State int

// The states, as the status bar shows them.
const (
	Offline    State = iota // no connection; edits wait in the outbox
	Connecting              // dialing or saying hello
	Syncing                 // sending the outbox or pulling
	UpToDate                // nothing to send, nothing known to pull
	SignedOut               // the server refused the device: sign in again
	// ServerProblem: the server answered but could not serve the device
	// (its storage failed); the client retries with backoff.
	ServerProblem
)

func (s State) String() string {
	switch s {
	case Connecting:
		return "connecting"
	case Syncing:
		return "syncing"
	case UpToDate:
		return "up to date"
	case SignedOut:
		return "signed out"
	case ServerProblem:
		return "server problem"
	}
	return "offline"
}

// Status is what the sync status bar shows.
type Status struct {
	State   State
	Pending int    // versions in the outbox
	Pulled  uint64 // the device's cursor, or how far a pass of the bootstrap has come
	Total   uint64 // the server's latest seq, as of the last hello
	// Bootstrap is set while a new device receives the book's current
	// state: its clients first, then their pets, then the rest. Pets is
	// set while the pets arrive, once it holds every client the server
	// held; ClientsIn once it holds every client and pet, while the rest
	// (bookings and their notes) may still be arriving.
	Bootstrap, Pets, ClientsIn bool
	LastSync                   time.Time // when the device was last up to date
	Err                        string    // the last problem, for a person; empty when none
	// Photos is how many photos wait to be sent, and PhotoBytes and
	// PhotoSent the bytes of those and how many the server holds.
	Photos                int
	PhotoBytes, PhotoSent int64
	// Full is set while the server refuses this device's changes or
	// photos because the workspace's storage is at its quota; Err then
	// says what to do. They wait on the device, and go once there is
	// room.
	Full bool
}

// Receiving reports whether the device is still pulling the versions the
// server held when it last said hello, and how far it has come in
// percent: until then the book on the device is incomplete, and a search
// that finds nothing may only not have received it yet.
func (s Status) Receiving() (percent int, ok bool) {
	if s.Bootstrap {
		// Each pass walks the log to its end: say how far, short of done.
		return int(min(s.Pulled*100/max(s.Total, 1), 99)), true
	}
	if s.Total == 0 || s.Pulled >= s.Total {
		return 0, false
	}
	return int(s.Pulled * 100 / s.Total), true
}

// Local is the device's store as the client needs it. Each method is
// called from the client's goroutine only.
type Local interface {
	// Outbox returns up to max versions waiting to be sent, oldest first,
	// and how many wait in all.
	Outbox(ctx context.Context, max int) (vs []wire.Envelope, total int, err error)
	// Acked is told the server's answer to each pushed version. A version
	// the server stored (CodeOK) or will never store (a permanent
	// refusal) leaves the outbox.
	Acked(ctx context.Context, results []wire.Result) error
	// Receive applies versions from the server and, if cursor is not
	// zero, moves the device's cursor to it, in one step.
	Receive(ctx context.Context, vs []wire.Envelope, cursor uint64) error
	// Cursor is the highest seq the device has pulled up to.
	Cursor() uint64

	// BlobsToSend returns the sealed blobs (photos) made on this device
	// that the server does not hold yet, oldest first.
	BlobsToSend(ctx context.Context) ([]wire.Hash, error)
	// Blob returns a blob held on this device; ok is false if it is gone
	// (its record was erased).
	Blob(ctx context.Context, h wire.Hash) (data []byte, ok bool, err error)
	// BlobSent is told the server holds blob h whole, or will never take
	// it (refused is then the reason).
	BlobSent(ctx context.Context, h wire.Hash, refused string) error
	// BlobsToDrop returns the blobs of records erased on this device,
	// which the server is to delete.
	BlobsToDrop(ctx context.Context) ([]wire.Hash, error)
	// BlobsDropped is told the server holds blobs hs no more, or will
	// never delete them (this role may not).
	BlobsDropped(ctx context.Context, hs []wire.Hash) error
	// BlobsWanted returns the blobs records name that this device lacks.
	BlobsWanted(ctx context.Context) ([]wire.Hash, error)
	// BlobFetched keeps blob h, downloaded whole and checked against h.
	BlobFetched(ctx context.Context, h wire.Hash, data []byte) error
}

// A Resumer is a Local that keeps how far a bootstrap has come, so that
// one cut short goes on where it stopped: a new tablet receiving years of
// bookings over a connection that drops every so often would otherwise
// start again from nothing each time, and might never finish.
type Resumer interface {
	// Resume is the progress last kept, zero if none (or the device's
	// cursor has moved since: the bootstrap is over).
	Resume() Progress
	// Progressed keeps p, once the versions it counts are stored.
	Progressed(ctx context.Context, p Progress) error
}

// Progress is how far a bootstrap has come (see syncer.bootstrap).
type Progress struct {
	Pass  uint8  // 1: the heads of the clients; 2: of the pets; 3: of the others
	After uint64 // where the pass's next page starts
	From  uint64 // after the first pass, where it ended: the log is read from there
}

// Config is what a Client needs.
type Config struct {
	URL       string // ws:// or wss:// address of /sync
	Origin    string // sent as the Origin header where the platform lets us (not in browsers)
	Workspace string
	Device    uint64
	Token     string
	App       string // the app's build version
	Clock     *clock.Clock
	Local     Local
	// OnStatus is called from the client's goroutine on every change.
	OnStatus func(Status)
	// OnConnect is called after each welcome: the app checks for an
	// update then.
	OnConnect func(wire.Welcome)
}

// Client runs one device's sync.
type Client struct {
	cfg   Config
	kick  chan struct{}
	calls chan *historyCall

	mu     sync.Mutex
	status Status
}

// New returns a client; Run starts it.
func New(cfg Config) *Client {
	return &Client{cfg: cfg, kick: make(chan struct{}, 1), calls: make(chan *historyCall)}
}

// Status returns the current status.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

func (c *Client) update(f func(*Status)) {
	c.mu.Lock()
	f(&c.status)
	s := c.status
	c.mu.Unlock()
	if c.cfg.OnStatus != nil {
		c.cfg.OnStatus(s)
	}
}

// Kick tells the client the outbox has something new: it sends it now if
// connected, or tries to connect now if not.
func (c *Client) Kick() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// Backoff bounds between connection attempts.
const (
	MinBackoff = 500 * time.Millisecond
	MaxBackoff = 10 * time.Second
)

// errSignedOut ends Run: retrying cannot help.
var errSignedOut = errors.New("signed out")

// Run keeps the device in sync until ctx ends or the server refuses the
// device's token.
func (c *Client) Run(ctx context.Context) {
	backoff := MinBackoff
	for ctx.Err() == nil {
		c.update(func(s *Status) { s.State = Connecting })
		started := time.Now()
		err := c.session(ctx)
		if errors.Is(err, errSignedOut) {
			return
		}
		if ctx.Err() != nil {
			break
		}
		// No push counts the outbox while the server is away: count it
		// here, so the status tells a person offline that the edits
		// made meanwhile wait to be sent. A store that cannot be read
		// leaves the count as it was: it is only shown.
		_, pending, perr := c.cfg.Local.Outbox(ctx, 0)
		var fault *serverFault
		c.update(func(s *Status) {
			if perr == nil {
				s.Pending = pending
			}
			switch {
			case errors.As(err, &fault):
				s.State, s.Err = ServerProblem, fault.msg
			default:
				s.State = Offline
				if err != nil {
					s.Err = "no connection to the server: edits are kept on this device and sent when it is back"
				}
			}
		})
		if time.Since(started) > time.Minute {
			backoff = MinBackoff
		}
		// Full jitter, so tablets coming back together do not reconnect in step.
		wait := time.Duration(rand.Int64N(int64(backoff))) + MinBackoff/2
		backoff = min(backoff*2, MaxBackoff)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		case <-c.kick:
			backoff = MinBackoff
		}
	}
	c.update(func(s *Status) { s.State = Offline })
}

// conn is one websocket session.
type conn struct {
	ws     *websocket.Conn
	nextID uint32
}

func (k *conn) send(ctx context.Context, m wire.Message) error {
	b, err := wire.EncodePlain(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return k.ws.Write(ctx, websocket.MessageBinary, b)
}

func (k *conn) id() uint32 {
	k.nextID++
	return k.nextID
}

// session dials, says hello, and syncs until the connection ends.
func (c *Client) session(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dctx, dcancel := context.WithTimeout(ctx, 15*time.Second)
	ws, err := dial(dctx, c.cfg.URL, c.cfg.Origin)
	dcancel()
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(wire.MaxFrame)
	k := &conn{ws: ws}

	msgs := make(chan wire.Message, 4)
	readErr := make(chan error, 1)
	go func() {
		for {
			_, b, err := ws.Read(ctx)
			if err != nil {
				readErr <- err
				return
			}
			m, err := wire.DecodePlain(b)
			if err != nil {
				readErr <- fmt.Errorf("decode: %w", err)
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	next := func() (wire.Message, error) {
		select {
		case m := <-msgs:
			if e, ok := m.(*wire.Error); ok && e.ID == 0 {
				return nil, c.refused(e)
			}
			return m, nil
		case err := <-readErr:
			return nil, err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}

	if err := k.send(ctx, &wire.Hello{Proto: wire.Version, Workspace: c.cfg.Workspace, Device: c.cfg.Device,
		Token: []byte(c.cfg.Token), Cursor: c.cfg.Local.Cursor(), App: c.cfg.App}); err != nil {
		return fmt.Errorf("hello: %w", err)
	}
	m, err := next()
	if err != nil {
		return err
	}
	w, ok := m.(*wire.Welcome)
	if !ok {
		return fmt.Errorf("hello answered with %T", m)
	}
	c.cfg.Clock.Sync(w.Time())
	if c.cfg.OnConnect != nil {
		c.cfg.OnConnect(*w)
	}
	// Pulled starts at the device's cursor, so that a device already
	// holding the book does not count as receiving it until its first page.
	pulled := c.cfg.Local.Cursor()
	c.update(func(s *Status) {
		s.State, s.Total, s.Pulled, s.Bootstrap, s.Pets, s.ClientsIn, s.Err = Syncing, w.Head, pulled, false, false, false, ""
	})

	s := &syncer{Client: c, k: k, next: next, live: msgs, readErr: readErr}
	if err := s.catchUp(ctx); err != nil {
		return err
	}
	if err := s.blobs(ctx); err != nil {
		return err
	}
	return s.loop(ctx)
}

// refused turns a server error into the client's next step.
func (c *Client) refused(e *wire.Error) error {
	switch e.Code {
	case wire.CodeUnauthorized, wire.CodeRevoked:
		msg := "this device was signed out of the workspace: sign in again"
		if e.Code == wire.CodeRevoked && e.Message != "" {
			// The server says why: the owner removed the device or its member.
			msg = e.Message
		}
		c.update(func(s *Status) { s.State, s.Err = SignedOut, msg })
		return errSignedOut
	case wire.CodeUnsupportedProto:
		c.update(func(s *Status) { s.Err = "this version of Pawfile is too old for the server: update the app" })
	case wire.CodeRateLimited:
		time.Sleep(min(time.Duration(e.RetryMs)*time.Millisecond, MaxBackoff))
	case wire.CodeInternal:
		return &serverFault{msg: "the server has a problem and cannot sync right now: edits stay on this device, and syncing retries by itself"}
	}
	msg := e.Message
	if msg == "" {
		msg = e.Code.Text()
	}
	return fmt.Errorf("server: %s", msg)
}

// serverFault is a session ended by the server's own failure, which
// retrying may mend: msg says so to a person.
type serverFault struct{ msg string }

func (f *serverFault) Error() string { return "server: " + f.msg }

// syncer runs the exchanges of one session.
type syncer struct {
	*Client
	k       *conn
	next    func() (wire.Message, error)
	live    chan wire.Message
	readErr chan error
	// stale is set when live versions arrived that the cursor does not
	// cover yet: a pull later moves the cursor past them.
	stale bool
	// unfetched counts the photos records name that the server did not
	// hold yet at the last try: their device has not finished sending.
	unfetched int
}

// catchUp sends the outbox and pulls until the device holds everything.
func (s *syncer) catchUp(ctx context.Context) error {
	if err := s.push(ctx); err != nil {
		return err
	}
	if err := s.pull(ctx); err != nil {
		return err
	}
	// What was edited while pulling.
	if err := s.push(ctx); err != nil {
		return err
	}
	s.update(func(st *Status) { st.State, st.LastSync = UpToDate, time.Now() })
	return nil
}

// push sends the outbox in batches until it is empty or the server
// refuses a version for a reason that may pass.
func (s *syncer) push(ctx context.Context) error {
	skewed := false
	for range 10_000 {
		vs, total, err := s.cfg.Local.Outbox(ctx, wire.MaxBatch)
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		s.update(func(st *Status) { st.Pending = total })
		if len(vs) == 0 {
			return nil
		}
		s.update(func(st *Status) { st.State = Syncing })
		vs = fit(vs)
		id := s.k.id()
		if err := s.k.send(ctx, &wire.Push{ID: id, Versions: vs}); err != nil {
			return fmt.Errorf("push: %w", err)
		}
		ack, err := s.request(ctx, id)
		if err != nil {
			return err
		}
		a, ok := ack.(*wire.Ack)
		if !ok {
			return fmt.Errorf("push answered with %T", ack)
		}
		if err := s.cfg.Local.Acked(ctx, a.Results); err != nil {
			return fmt.Errorf("record acks: %w", err)
		}
		if len(a.Results) > 0 && a.Results[0].Code == wire.CodeOK {
			s.full(false)
		}
		for _, r := range a.Results {
			if r.Code == wire.CodeOK || Permanent(r.Code) {
				continue
			}
			// A refusal that may pass later. Local restamps versions
			// refused for the clock; once more is enough. Anything else
			// waits for the next connection. Either way the pull goes on:
			// one refused version must never stall the whole sync.
			if r.Code == wire.CodeSkew && !skewed {
				skewed = true
				continue
			}
			if r.Code == wire.CodeFull {
				s.full(true)
				return nil
			}
			msg := r.Message
			if msg == "" {
				msg = r.Code.Text()
			}
			s.update(func(st *Status) { st.Err = "some changes wait on this device: " + msg })
			return nil
		}
	}
	return errors.New("outbox does not drain")
}

// full notes whether the server refuses what this device sends because
// the workspace's storage is at its quota.
func (s *syncer) full(on bool) {
	s.update(func(st *Status) {
		switch {
		case on:
			st.Full, st.Err = true, wire.CodeFull.Text()
		case st.Full:
			st.Full, st.Err = false, ""
		}
	})
}

// Permanent reports whether a refused version can never be stored, so it
// must leave the outbox rather than block it.
func Permanent(c wire.Code) bool {
	switch c {
	case wire.CodeErased, wire.CodeForbidden, wire.CodeInvalid, wire.CodeTooLarge, wire.CodeBadMessage:
		return true
	}
	return false
}

// fit keeps the longest prefix of vs a single push may carry.
func fit(vs []wire.Envelope) []wire.Envelope {
	size := 0
	for i, v := range vs {
		size += len(v.Sealed)
		if size > wire.MaxBatchBytes {
			return vs[:max(i, 1)]
		}
	}
	return vs
}

// pull fetches pages after the cursor until the server has no more. A
// device with nothing yet bootstraps from the heads (see bootstrap).
func (s *syncer) pull(ctx context.Context) error {
	after := s.cfg.Local.Cursor()
	if after == 0 {
		var err error
		if after, err = s.bootstrap(ctx); err != nil {
			return err
		}
	}
	return s.pages(ctx, wire.Pull{After: after}, func(b *wire.Batch) error {
		if err := s.cfg.Local.Receive(ctx, b.Versions, b.Next); err != nil {
			return fmt.Errorf("apply pulled versions: %w", err)
		}
		s.update(func(st *Status) {
			st.Pulled = b.Next
			if b.Next > st.Total {
				st.Total = b.Next
			}
		})
		if !b.More {
			s.stale = false
		}
		return nil
	})
}

// bootPasses are what a new device receives, pass by pass, before the
// rest of the book: its clients, then their pets. Clients and pets are a
// few percent of a shop's book; with them every client can be found while
// the years of bookings and visit notes still arrive. The clients come
// alone first because a search by a client's name needs only them: in the
// 5-year shop they are 2,000 of its 5,000 clients and pets, and the newest
// client was found about half a second sooner on a new tablet (issue 16).
var bootPasses = [][]record.Class{{record.ClassClient}, {record.ClassCare}}

// bootstrap brings a device that holds nothing the current heads, pass by
// pass (bootPasses, then every other class), and returns where the log is
// to be read from after them: where the first pass ended, so that
// whatever was written while the later ones ran (of any class) is read
// too. Versions a later pass already brought come again from the log and
// change nothing. The cursor stays at zero until the log is read; a Local
// that keeps the progress (Resumer) goes on where a bootstrap cut short
// stopped, and one that does not bootstraps again. Going on is sound: a
// record written meanwhile has a head past where the pass stopped, or
// past where the first pass ended, so a pass or the log brings it.
func (s *syncer) bootstrap(ctx context.Context) (uint64, error) {
	var rest []record.Class
	for _, c := range record.Classes {
		if !slices.ContainsFunc(bootPasses, func(p []record.Class) bool { return slices.Contains(p, c) }) {
			rest = append(rest, c)
		}
	}
	passes := append(slices.Clone(bootPasses), rest)
	r, _ := s.cfg.Local.(Resumer)
	p := Progress{Pass: 1}
	if r != nil {
		if kept := r.Resume(); kept.Pass != 0 && int(kept.Pass) <= len(passes) {
			p = kept
		}
	}
	keep := func(q Progress) error {
		if r == nil {
			return nil
		}
		if err := r.Progressed(ctx, q); err != nil {
			return fmt.Errorf("keep the download's progress: %w", err)
		}
		return nil
	}
	for ; int(p.Pass) <= len(passes); p = (Progress{Pass: p.Pass + 1, From: p.From}) {
		s.update(func(st *Status) {
			st.Bootstrap, st.Pulled = true, p.After
			st.Pets, st.ClientsIn = p.Pass == 2, p.Pass > 2
		})
		if p.Pass > 1 && p.After == 0 {
			if err := keep(p); err != nil {
				return 0, err
			}
		}
		end, err := s.heads(ctx, passes[p.Pass-1], p.After, func(after uint64) error {
			return keep(Progress{Pass: p.Pass, After: after, From: p.From})
		})
		if err != nil {
			return 0, err
		}
		if p.Pass == 1 {
			p.From = end
		}
	}
	s.update(func(st *Status) { st.Bootstrap, st.Pets, st.Pulled = false, false, p.From })
	return p.From, nil
}

// heads pulls the current heads of classes, page by page from after, calls
// stored with where the next page starts once each is stored, and returns
// where the scan ended.
func (s *syncer) heads(ctx context.Context, classes []record.Class, after uint64, stored func(next uint64) error) (uint64, error) {
	err := s.pages(ctx, wire.Pull{After: after, Heads: true, Classes: classes}, func(b *wire.Batch) error {
		if err := s.cfg.Local.Receive(ctx, b.Versions, 0); err != nil {
			return fmt.Errorf("apply pulled versions: %w", err)
		}
		after = b.Next
		s.update(func(st *Status) { st.Pulled = after })
		return stored(after)
	})
	return after, err
}

// pages pulls p page by page, each as big as a batch may be, and gives
// apply each batch in order until the server has no more. It asks for a
// page before applying the last: the server reads it and the device
// receives it while the last is stored, not after (a new tablet applies
// a hundred pages of the 5-year shop).
func (s *syncer) pages(ctx context.Context, p wire.Pull, apply func(*wire.Batch) error) error {
	id, err := s.ask(ctx, p)
	if err != nil {
		return err
	}
	for range 1_000_000 {
		m, err := s.request(ctx, id)
		if err != nil {
			return err
		}
		b, ok := m.(*wire.Batch)
		if !ok {
			return fmt.Errorf("pull answered with %T", m)
		}
		if b.More {
			p.After = b.Next
			if id, err = s.ask(ctx, p); err != nil {
				return err
			}
		}
		if err := apply(b); err != nil {
			return err
		}
		if !b.More {
			return nil
		}
	}
	return errors.New("pull does not end")
}

// ask sends the pull p and returns its id.
func (s *syncer) ask(ctx context.Context, p wire.Pull) (uint32, error) {
	p.ID, p.Limit = s.k.id(), wire.MaxBatch
	if err := s.k.send(ctx, &p); err != nil {
		return 0, fmt.Errorf("pull: %w", err)
	}
	return p.ID, nil
}

// await returns the answer to request id, applying live versions that
// arrive meanwhile. A refusal of the request is returned as a *wire.Error.
func (s *syncer) await(ctx context.Context, id uint32) (wire.Message, error) {
	for range 100_000 {
		m, err := s.next()
		if err != nil {
			return nil, err
		}
		if l, ok := m.(*wire.Live); ok {
			if err := s.receiveLive(ctx, l); err != nil {
				return nil, err
			}
			continue
		}
		if e, ok := m.(*wire.Error); ok && e.ID == id {
			return nil, e
		}
		if answerID(m) == id {
			return m, nil
		}
	}
	return nil, errors.New("no answer from the server")
}

// request awaits the answer to a push or pull, for which any refusal
// ends the session as a refusal without an id does.
func (s *syncer) request(ctx context.Context, id uint32) (wire.Message, error) {
	m, err := s.await(ctx, id)
	var e *wire.Error
	if errors.As(err, &e) {
		return nil, s.refused(e)
	}
	return m, err
}

func answerID(m wire.Message) uint32 {
	switch m := m.(type) {
	case *wire.Ack:
		return m.ID
	case *wire.Batch:
		return m.ID
	case *wire.BlobAck:
		return m.ID
	case *wire.BlobData:
		return m.ID
	case *wire.BlobGone:
		return m.ID
	case *wire.History:
		return m.ID
	}
	return 0
}

// BlobChunk is how much of a photo goes in one message: small enough
// that the progress shown moves on a slow connection.
const BlobChunk = 128 << 10

// blobs has the server delete the photos of records erased here, sends
// the photos waiting on this device, then fetches the ones its records
// name that it lacks. A photo the server does not hold yet (the device
// that took it has not sent it) is asked for again at the next catch-up.
func (s *syncer) blobs(ctx context.Context) error {
	if err := s.dropBlobs(ctx); err != nil {
		return err
	}
	send, err := s.cfg.Local.BlobsToSend(ctx)
	if err != nil {
		return fmt.Errorf("read photos to send: %w", err)
	}
	// Sizes first, so the progress shown is of every photo waiting; the
	// bytes are read again one photo at a time to keep memory small.
	var total int64
	for _, h := range send {
		data, _, err := s.cfg.Local.Blob(ctx, h)
		if err != nil {
			return fmt.Errorf("read photo %x: %w", h[:4], err)
		}
		total += int64(len(data))
	}
	s.update(func(st *Status) { st.Photos, st.PhotoBytes, st.PhotoSent = len(send), total, 0 })
	var done int64
	for i, h := range send {
		data, ok, err := s.cfg.Local.Blob(ctx, h)
		if err != nil {
			return fmt.Errorf("read photo %x: %w", h[:4], err)
		}
		if !ok {
			data = nil
		}
		err = s.sendBlob(ctx, h, data, done)
		var e *wire.Error
		if errors.As(err, &e) && e.Code == wire.CodeFull {
			// The photos wait here, as they are, until there is room.
			s.full(true)
			s.update(func(st *Status) { st.Photos, st.PhotoBytes, st.PhotoSent = len(send)-i, total-done, 0 })
			return s.fetchBlobs(ctx)
		}
		if err != nil {
			return err
		}
		done += int64(len(data))
		s.update(func(st *Status) { st.Photos, st.PhotoSent = len(send)-i-1, done })
	}
	s.update(func(st *Status) { st.Photos, st.PhotoBytes, st.PhotoSent = 0, 0, 0 })
	return s.fetchBlobs(ctx)
}

// fetchBlobs fetches the photos this device's records name that it
// lacks.
func (s *syncer) fetchBlobs(ctx context.Context) error {
	want, err := s.cfg.Local.BlobsWanted(ctx)
	if err != nil {
		return fmt.Errorf("read photos to fetch: %w", err)
	}
	s.unfetched = 0
	for _, h := range want {
		got, err := s.fetchBlob(ctx, h)
		if err != nil {
			return err
		}
		if !got {
			s.unfetched++
		}
	}
	return nil
}

// dropBlobs asks the server to delete the blobs erased here, MaxDrop at
// a time.
func (s *syncer) dropBlobs(ctx context.Context) error {
	drop, err := s.cfg.Local.BlobsToDrop(ctx)
	if err != nil {
		return fmt.Errorf("read photos to delete: %w", err)
	}
	for len(drop) > 0 {
		n := min(len(drop), wire.MaxDrop)
		id := s.k.id()
		if err := s.k.send(ctx, &wire.BlobDrop{ID: id, Hashes: drop[:n]}); err != nil {
			return fmt.Errorf("delete photos: %w", err)
		}
		_, err := s.await(ctx, id)
		var e *wire.Error
		if err != nil && !(errors.As(err, &e) && Permanent(e.Code)) {
			return fmt.Errorf("delete photos: %w", err)
		}
		if err := s.cfg.Local.BlobsDropped(ctx, drop[:n]); err != nil {
			return err
		}
		drop = drop[n:]
	}
	return nil
}

// sendBlob uploads data, blob h, in chunks, resuming where the server
// says it stands; done is what earlier blobs of this round sent.
func (s *syncer) sendBlob(ctx context.Context, h wire.Hash, data []byte, done int64) error {
	if data == nil {
		return s.cfg.Local.BlobSent(ctx, h, "")
	}
	var offset uint64
	for range 2 * (wire.MaxBlob/BlobChunk + 1) {
		end := min(offset+BlobChunk, uint64(len(data)))
		id := s.k.id()
		if err := s.k.send(ctx, &wire.BlobPut{ID: id, Hash: h, Offset: offset, Total: uint64(len(data)), Data: data[offset:end]}); err != nil {
			return fmt.Errorf("send photo: %w", err)
		}
		m, err := s.await(ctx, id)
		var e *wire.Error
		if errors.As(err, &e) && Permanent(e.Code) {
			return s.cfg.Local.BlobSent(ctx, h, e.Error())
		}
		if err != nil {
			return fmt.Errorf("send photo: %w", err)
		}
		ack, ok := m.(*wire.BlobAck)
		if !ok || ack.Received > uint64(len(data)) {
			return fmt.Errorf("photo answered with %T", m)
		}
		s.full(false)
		offset = ack.Received
		s.update(func(st *Status) { st.PhotoSent = done + int64(offset) })
		if offset == uint64(len(data)) {
			return s.cfg.Local.BlobSent(ctx, h, "")
		}
	}
	return errors.New("photo upload does not end")
}

// fetchBlob downloads blob h in chunks and keeps it if it matches h;
// got is false if the server does not hold it (yet).
func (s *syncer) fetchBlob(ctx context.Context, h wire.Hash) (got bool, err error) {
	var data []byte
	for range wire.MaxBlob/BlobChunk + 2 {
		id := s.k.id()
		if err := s.k.send(ctx, &wire.BlobGet{ID: id, Hash: h, Offset: uint64(len(data)), Limit: BlobChunk}); err != nil {
			return false, fmt.Errorf("fetch photo: %w", err)
		}
		m, err := s.await(ctx, id)
		var e *wire.Error
		if errors.As(err, &e) {
			// Not there yet, or not for us: asked for again later.
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("fetch photo: %w", err)
		}
		d, ok := m.(*wire.BlobData)
		if !ok || d.Offset != uint64(len(data)) || d.Total > wire.MaxBlob || uint64(len(data)+len(d.Data)) > d.Total {
			return false, fmt.Errorf("photo request answered with %T", m)
		}
		if data == nil {
			data = make([]byte, 0, d.Total)
		}
		data = append(data, d.Data...)
		if uint64(len(data)) == d.Total {
			if sha256.Sum256(data) != h {
				return false, fmt.Errorf("photo %x arrived damaged", h[:4])
			}
			return true, s.cfg.Local.BlobFetched(ctx, h, data)
		}
		if len(d.Data) == 0 {
			return false, fmt.Errorf("photo %x stops at %d of %d bytes", h[:4], len(data), d.Total)
		}
	}
	return false, errors.New("photo download does not end")
}

// Photos the server does not hold yet are asked for again after
// BlobRetry, then after twice as long each time, up to MaxBlobRetry: a
// record can arrive before its photo has finished uploading, and nothing
// else may happen on the connection to prompt another try.
const (
	BlobRetry    = 2 * time.Second
	MaxBlobRetry = time.Minute
)

// receiveLive applies versions pushed live. The cursor stays: versions of
// classes this role cannot read leave gaps in the seqs it sees, so only a
// pull can say that nothing before them was missed.
func (s *syncer) receiveLive(ctx context.Context, l *wire.Live) error {
	if err := s.cfg.Local.Receive(ctx, l.Versions, 0); err != nil {
		return fmt.Errorf("apply live versions: %w", err)
	}
	s.stale = true
	return nil
}

// LivePullDelay is how long after live versions the client pulls to move
// its cursor past them: long enough to gather a burst of edits.
const LivePullDelay = 3 * time.Second

// loop waits for local edits and live versions until the connection ends.
func (s *syncer) loop(ctx context.Context) error {
	var pullAt, retryAt <-chan time.Time
	wait := BlobRetry
	// retry asks again for the photos the last try did not get.
	retry := func() {
		retryAt = nil
		if s.unfetched == 0 {
			wait = BlobRetry
			return
		}
		retryAt = time.After(wait)
		wait = min(2*wait, MaxBlobRetry)
	}
	retry()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-s.readErr:
			return err
		case <-s.kick:
			if err := s.catchUpPush(ctx); err != nil {
				return err
			}
			if err := s.blobs(ctx); err != nil {
				return err
			}
			retry()
		case <-retryAt:
			if err := s.blobs(ctx); err != nil {
				return err
			}
			retry()
		case q := <-s.calls:
			if err := s.history(ctx, q); err != nil {
				return err
			}
		case <-pullAt:
			pullAt = nil
			if err := s.pull(ctx); err != nil {
				return err
			}
			if err := s.blobs(ctx); err != nil {
				return err
			}
			retry()
		case m := <-s.live:
			switch m := m.(type) {
			case *wire.Live:
				if err := s.receiveLive(ctx, m); err != nil {
					return err
				}
				s.update(func(st *Status) { st.LastSync = time.Now() })
			case *wire.Poke:
				s.stale = m.Head > s.cfg.Local.Cursor()
			case *wire.Error:
				return s.refused(m)
			}
			if s.stale && pullAt == nil {
				pullAt = time.After(LivePullDelay)
			}
		}
	}
}

// ErrOffline is returned by History while the device has no connection.
var ErrOffline = errors.New("no connection to the server")

// historyCall is a request for a record's history handed to the
// connection's goroutine, and the channel for its answer.
type historyCall struct {
	key    wire.Key
	before uint64
	reply  chan historyReply
}

type historyReply struct {
	h   *wire.History
	err error
}

// History asks the server for a page of the stored versions of the
// record key, superseded ones included, oldest first: the latest below
// seq before (0: the latest of all) that one message holds (up to a
// thousand edits), more saying older ones remain: ask again with before
// set to the first one's seq. It needs a connection: offline it returns
// ErrOffline at once.
func (c *Client) History(ctx context.Context, key wire.Key, before uint64) (vs []wire.Envelope, more bool, err error) {
	if st := c.Status().State; st != UpToDate && st != Syncing {
		return nil, false, ErrOffline
	}
	q := &historyCall{key: key, before: before, reply: make(chan historyReply, 1)}
	select {
	case c.calls <- q:
	case <-ctx.Done():
		return nil, false, ErrOffline
	}
	select {
	case r := <-q.reply:
		if r.err != nil {
			return nil, false, r.err
		}
		return r.h.Versions, r.h.More, nil
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

// history answers one call. A refusal of the request goes to the caller;
// only a broken connection ends the session.
func (s *syncer) history(ctx context.Context, q *historyCall) error {
	id := s.k.id()
	if err := s.k.send(ctx, &wire.HistoryGet{ID: id, Key: q.key, Before: q.before}); err != nil {
		q.reply <- historyReply{err: ErrOffline}
		return fmt.Errorf("history: %w", err)
	}
	m, err := s.await(ctx, id)
	var e *wire.Error
	switch {
	case errors.As(err, &e):
		q.reply <- historyReply{err: e}
		return nil
	case err != nil:
		q.reply <- historyReply{err: ErrOffline}
		return err
	}
	h, ok := m.(*wire.History)
	if !ok {
		q.reply <- historyReply{err: fmt.Errorf("history answered with %T", m)}
		return fmt.Errorf("history answered with %T", m)
	}
	q.reply <- historyReply{h: h}
	return nil
}

func (s *syncer) catchUpPush(ctx context.Context) error {
	if err := s.push(ctx); err != nil {
		return err
	}
	s.update(func(st *Status) { st.State, st.LastSync = UpToDate, time.Now() })
	return nil
}

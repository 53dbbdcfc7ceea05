package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"pawfile/shared/access"
	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// config sizes the scenarios. main runs issue 3's; the test a small one.
type config struct {
	bin  string   // the server binary
	shop shopSize // the data set of ingest, bootstrap and fan-out
	seed uint64   // of the data set
	temp string   // where each scenario's data directory is made ("": the system's)
	log  func(string, ...any)

	window int // pushes awaiting their Ack during ingest

	receivers int           // fan-out: devices receiving each edit
	edits     int           // fan-out: edits measured
	warmup    int           // fan-out: edits sent first, not measured
	pace      time.Duration // fan-out: pause between edits

	idleShops int           // idle: workspaces
	idleTeam  []seat        // idle: each workspace's team, the owner's seat first
	settle    time.Duration // idle: wait before reading the server's memory
}

// issue3 is the benchmark of issue 3.
func issue3(bin string) *config {
	return &config{
		bin: bin, shop: fiveYearShop, seed: 3,
		window:    4,
		receivers: 100, edits: 200, warmup: 10, pace: 20 * time.Millisecond,
		idleShops: 100, idleTeam: []seat{{access.Owner, 4}, {access.FrontDesk, 3}, {access.Groomer, 3}},
		settle: 3 * time.Second,
	}
}

func (c *config) idleDevices() int {
	n := 0
	for _, s := range c.idleTeam {
		n += s.devices
	}
	return n * c.idleShops
}

// metric is one measured value, in a benchmark line's unit.
type metric struct {
	value float64
	unit  string
}

// shopDevice is the id of the device that typed the shop in and pushes it:
// each scenario has a server of its own, so one id serves every run.
const shopDevice = 0x5a1e_0000_0000_0001

// maxConnsPerMember is the hub's default limit of open sockets per member
// (hub.Config.MaxConns); teams spread their devices so none is refused.
const maxConnsPerMember = 16

// dataDir makes a fresh data directory for one scenario's server.
func (c *config) dataDir() (string, func(), error) {
	dir, err := os.MkdirTemp(c.temp, "pawfile-loadgen-*")
	if err != nil {
		return "", nil, fmt.Errorf("make a data directory: %w", err)
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// shopServer is a fresh server with a workspace whose owner's device holds
// the shop, sealed and split into pushes, ready to send.
type shopServer struct {
	srv    *server
	keys   *seal.Keyring
	owner  *member
	conn   *conn // the owner's device that holds the shop
	pushes []push
	seqs   []uint64 // after push: the seq each record's version was stored under
	clean  func()
}

func newShopServer(ctx context.Context, cfg *config, sh *shop) (_ *shopServer, err error) {
	data, clean, err := cfg.dataDir()
	if err != nil {
		return nil, err
	}
	w := &shopServer{keys: seal.NewKeyring(), clean: clean}
	defer func() {
		if err != nil {
			w.close()
		}
	}()
	if w.srv, err = startServer(ctx, cfg.bin, data); err != nil {
		return nil, err
	}
	if w.owner, err = w.srv.createWorkspace(ctx, "owner@example.com", w.keys, shopDevice); err != nil {
		return nil, err
	}
	if w.conn, err = dial(ctx, w.srv, w.owner.devices[0]); err != nil {
		return nil, err
	}
	clk := clock.New(shopDevice, nil)
	clk.Sync(w.conn.welcome.Time())
	sl := &sealer{workspace: w.owner.devices[0].workspace, keys: w.keys, clock: clk}
	envs, err := sl.sealAll(sh)
	if err != nil {
		return nil, err
	}
	if w.pushes, err = batches(envs); err != nil {
		return nil, err
	}
	return w, nil
}

// push sends the whole shop and returns how long it took from the first
// push to the last Ack.
func (w *shopServer) push(ctx context.Context, window int) (time.Duration, error) {
	start := time.Now()
	seqs, err := w.conn.pushAll(ctx, w.pushes, window)
	if err != nil {
		return 0, fmt.Errorf("push the shop: %w (server log: %s)", err, w.srv.tail())
	}
	w.seqs = seqs
	return time.Since(start), nil
}

func (w *shopServer) close() {
	if w.conn != nil {
		w.conn.close()
	}
	if w.srv != nil {
		w.srv.stop()
	}
	w.clean()
}

// ingest measures how fast the server stores the shop pushed by one
// device in full batches, window of them in flight.
func ingest(ctx context.Context, cfg *config, sh *shop) ([]metric, error) {
	w, err := newShopServer(ctx, cfg, sh)
	if err != nil {
		return nil, err
	}
	defer w.close()
	took, err := w.push(ctx, cfg.window)
	if err != nil {
		return nil, err
	}
	cfg.log("ingest: %d versions in %d pushes in %.2f s", len(w.seqs), len(w.pushes), took.Seconds())
	return []metric{
		{float64(took.Nanoseconds()), "ns/op"},
		{float64(len(w.seqs)) / took.Seconds(), "versions/s"},
	}, nil
}

// bootstrap measures a new device of the owner downloading the shop: from
// opening its socket to the last batch, and the bytes it received.
func bootstrap(ctx context.Context, cfg *config, sh *shop) ([]metric, error) {
	w, err := newShopServer(ctx, cfg, sh)
	if err != nil {
		return nil, err
	}
	defer w.close()
	if _, err := w.push(ctx, cfg.window); err != nil {
		return nil, err
	}
	dev, err := w.srv.login(ctx, w.owner)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	c, err := dial(ctx, w.srv, dev)
	if err != nil {
		return nil, err
	}
	defer c.close()
	n, err := c.bootstrap(ctx)
	took := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	if n != len(sh.records) {
		return nil, fmt.Errorf("bootstrap: %d versions, the shop has %d records", n, len(sh.records))
	}
	cfg.log("bootstrap: %d versions, %.1f MB in %.2f s", n, float64(c.received)/1e6, took.Seconds())
	return []metric{
		{float64(took.Nanoseconds()), "ns/op"},
		{float64(c.received) / 1e6, "MB"},
	}, nil
}

// arrival is a version received live, and when.
type arrival struct {
	outbox uint64
	at     time.Time
}

// fanout measures the time from a device pushing one edit to each of
// cfg.receivers other devices receiving it live.
func fanout(ctx context.Context, cfg *config, sh *shop) ([]metric, error) {
	w, err := newShopServer(ctx, cfg, sh)
	if err != nil {
		return nil, err
	}
	defer w.close()
	if _, err := w.push(ctx, cfg.window); err != nil {
		return nil, err
	}
	// The device that pushed the shop leaves, so exactly cfg.receivers
	// devices receive the edits. They come from the owner's second device,
	// whose rate limit the shop's pushes have not used.
	w.conn.close()
	w.conn = nil
	pusherDev, err := w.srv.login(ctx, w.owner)
	if err != nil {
		return nil, err
	}
	// Front desk and groomers, alternately, each on as many devices as
	// the hub lets one member connect.
	var seats []seat
	for left := cfg.receivers; left > 0; left -= maxConnsPerMember {
		role := access.FrontDesk
		if len(seats)%2 == 1 {
			role = access.Groomer
		}
		seats = append(seats, seat{role, min(left, maxConnsPerMember)})
	}
	members, err := w.srv.staff(ctx, w.owner.devices[0], "staff", seats, setupParallel)
	if err != nil {
		return nil, err
	}
	var devs []device
	for _, m := range members {
		devs = append(devs, m.devices...)
	}

	lctx, stop := context.WithCancel(ctx)
	defer stop()
	arrivals := make(chan arrival, 4*len(devs))
	failed := make(chan error, len(devs))
	conns, err := dialAll(ctx, w.srv, devs)
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)
	for _, c := range conns {
		go listen(lctx, c, arrivals, failed)
	}
	pusher, err := dial(ctx, w.srv, pusherDev)
	if err != nil {
		return nil, err
	}
	defer pusher.close()

	if err := waitConnected(ctx, w.srv, len(conns)+1); err != nil {
		return nil, fmt.Errorf("fan-out: %w", err)
	}
	frames, outboxes, err := edits(w, sh, pusher, cfg.warmup+cfg.edits)
	if err != nil {
		return nil, err
	}
	lat := make([]time.Duration, 0, cfg.edits*len(conns))
	for k, frame := range frames {
		start := time.Now()
		if err := pusher.write(ctx, frame); err != nil {
			return nil, err
		}
		timeout := time.After(10 * time.Second)
		for got := 0; got < len(conns); got++ {
			select {
			case a := <-arrivals:
				if a.outbox != outboxes[k] {
					return nil, fmt.Errorf("fan-out: edit %d: received version %d, want %d", k, a.outbox, outboxes[k])
				}
				if k >= cfg.warmup {
					lat = append(lat, a.at.Sub(start))
				}
			case err := <-failed:
				return nil, fmt.Errorf("fan-out: %w", err)
			case <-timeout:
				return nil, fmt.Errorf("fan-out: edit %d reached %d of %d devices within 10 s (server log: %s)", k, got, len(conns), w.srv.tail())
			}
		}
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		m, err := pusher.recv(actx)
		cancel()
		if err != nil {
			return nil, err
		}
		if ack, ok := m.(*wire.Ack); !ok || len(ack.Results) != 1 || ack.Results[0].Code != wire.CodeOK {
			return nil, fmt.Errorf("fan-out: edit %d answered with %s", k, describe(m))
		}
		time.Sleep(cfg.pace)
	}
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / 1e6 }
	cfg.log("fan-out: %d edits to %d devices: p50 %.2f ms, p99 %.2f ms, max %.2f ms", cfg.edits, len(conns), p(0.5), p(0.99), p(1))
	return []metric{{p(0.5), "p50-ms"}, {p(0.99), "p99-ms"}, {p(1), "max-ms"}}, nil
}

// edits seals n edits, each to a different project of the shop (spread
// over its five years), as device pusher makes them: the project's outcome
// rewritten, superseding the version the shop's device pushed.
func edits(w *shopServer, sh *shop, pusher *conn, n int) ([][]byte, []uint64, error) {
	clk := clock.New(pusher.dev.id, nil)
	clk.Sync(pusher.welcome.Time())
	sl := &sealer{workspace: pusher.dev.workspace, keys: w.keys, clock: clk}
	frames := make([][]byte, n)
	outboxes := make([]uint64, n)
	for k := range n {
		i := sh.projects[k*len(sh.projects)/n]
		rec, err := merge.Decode(sh.records[i].plain)
		if err != nil {
			return nil, nil, fmt.Errorf("edit %d: %w", k, err)
		}
		value, err := record.EncodeValue(fmt.Sprintf("Edit %d: owner called, happy with the groom; rebook in six weeks.", k))
		if err != nil {
			return nil, nil, err
		}
		rec.Set("outcome", value, clk.Now())
		plain, err := merge.Encode(rec)
		if err != nil {
			return nil, nil, err
		}
		env, err := sl.seal(rec.Key, plain, []uint64{w.seqs[i]})
		if err != nil {
			return nil, nil, err
		}
		if frames[k], err = wire.Encode(&wire.Push{ID: uint32(k + 1), Versions: []wire.Envelope{env}}); err != nil {
			return nil, nil, err
		}
		outboxes[k] = env.OutboxID
	}
	return frames, outboxes, nil
}

// listen reads c's live versions into arrivals until ctx ends; any other
// failure goes to failed.
func listen(ctx context.Context, c *conn, arrivals chan<- arrival, failed chan<- error) {
	for {
		m, err := c.recv(ctx)
		if err != nil {
			if ctx.Err() == nil {
				failed <- err
			}
			return
		}
		live, ok := m.(*wire.Live)
		if !ok {
			failed <- fmt.Errorf("device %016x: unexpected %s", c.dev.id, describe(m))
			return
		}
		at := time.Now()
		for _, v := range live.Versions {
			select {
			case arrivals <- arrival{outbox: v.OutboxID, at: at}:
			case <-ctx.Done():
				return
			}
		}
	}
}

// dialAll connects every device, a few at a time.
func dialAll(ctx context.Context, s *server, devs []device) ([]*conn, error) {
	conns := make([]*conn, len(devs))
	err := parallel(len(devs), 16, func(i int) error {
		var err error
		conns[i], err = dial(ctx, s, devs[i])
		return err
	})
	if err != nil {
		closeAll(conns)
		return nil, err
	}
	return conns, nil
}

// waitConnected waits until the server counts n open sockets: it sends
// Welcome before it adds a socket to its workspace, so a device that has
// its Welcome may not receive live versions yet.
func waitConnected(ctx context.Context, s *server, n int) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := s.connected(ctx)
		if err != nil {
			return err
		}
		if got == n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server counts %d open sockets after 10 s, want %d (server log: %s)", got, n, s.tail())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func closeAll(conns []*conn) {
	for _, c := range conns {
		if c != nil {
			c.ws.CloseNow()
		}
	}
}

// idle measures the server's memory with cfg.idleDevices() devices
// connected and doing nothing, spread over cfg.idleShops workspaces. The
// devices sign up first; the server then restarts, as after an upgrade,
// so what it holds is the sockets, not the sign-ups' garbage.
func idle(ctx context.Context, cfg *config, _ *shop) ([]metric, error) {
	data, clean, err := cfg.dataDir()
	if err != nil {
		return nil, err
	}
	defer clean()
	srv, err := startServer(ctx, cfg.bin, data)
	if err != nil {
		return nil, err
	}
	defer func() {
		if srv != nil {
			srv.stop()
		}
	}()
	teams := make([][]device, cfg.idleShops)
	err = parallel(cfg.idleShops, setupParallel, func(i int) error {
		owner, err := srv.createWorkspace(ctx, fmt.Sprintf("shop%d-owner@example.com", i), seal.NewKeyring(), newDeviceID())
		if err != nil {
			return err
		}
		if err := srv.signIn(ctx, owner, cfg.idleTeam[0].devices); err != nil {
			return err
		}
		staff, err := srv.staff(ctx, owner.devices[0], fmt.Sprintf("shop%d", i), cfg.idleTeam[1:], 1)
		if err != nil {
			return err
		}
		teams[i] = owner.devices
		for _, m := range staff {
			teams[i] = append(teams[i], m.devices...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("idle: sign up: %w", err)
	}
	devs := slices.Concat(teams...)

	if srv, err = srv.restart(ctx); err != nil {
		return nil, err
	}
	time.Sleep(cfg.settle)
	base, err := srv.rss()
	if err != nil {
		return nil, err
	}
	conns, err := dialAll(ctx, srv, devs)
	if err != nil {
		return nil, fmt.Errorf("idle: %w", err)
	}
	defer closeAll(conns)
	for _, c := range conns {
		c.ws.CloseRead(ctx) // answers the server's pings
	}
	if err := waitConnected(ctx, srv, len(devs)); err != nil {
		return nil, fmt.Errorf("idle: %w", err)
	}
	time.Sleep(cfg.settle)
	rss, err := srv.rss()
	if err != nil {
		return nil, err
	}
	cfg.log("idle: %d devices: server RSS %.1f MB (%.1f MB before they connected; %.1f KB per device)",
		len(devs), float64(rss)/1e6, float64(base)/1e6, float64(rss-base)/1e3/float64(len(devs)))
	return []metric{{float64(rss) / 1e6, "RSS-MB"}, {float64(base) / 1e6, "base-RSS-MB"}}, nil
}

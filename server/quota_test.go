package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"slices"
	"sync"
	"testing"
	"time"

	"pawfile/app/syncclient"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// device is what a tablet holds for the sync client: an outbox and the
// photos it took, kept until the server has them.
type device struct {
	mu     sync.Mutex
	outbox []wire.Envelope
	photos map[wire.Hash][]byte
	sent   map[wire.Hash]bool
	cursor uint64
	reads  int // of photos: the client reads each twice a round, to size it then to send it
}

func (d *device) Outbox(_ context.Context, max int) ([]wire.Envelope, int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.outbox[:min(max, len(d.outbox))]), len(d.outbox), nil
}

func (d *device) Acked(_ context.Context, rs []wire.Result) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range rs {
		if r.Code == wire.CodeOK || syncclient.Permanent(r.Code) {
			d.outbox = slices.DeleteFunc(d.outbox, func(v wire.Envelope) bool { return v.OutboxID == r.OutboxID })
		}
	}
	return nil
}

func (d *device) Receive(_ context.Context, _ []wire.Envelope, cursor uint64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if cursor != 0 {
		d.cursor = cursor
	}
	return nil
}

func (d *device) Cursor() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cursor
}

func (d *device) BlobsToSend(context.Context) ([]wire.Hash, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var hs []wire.Hash
	for h := range d.photos {
		if !d.sent[h] {
			hs = append(hs, h)
		}
	}
	return hs, nil
}

func (d *device) Blob(_ context.Context, h wire.Hash) ([]byte, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reads++
	b, ok := d.photos[h]
	return b, ok, nil
}

func (d *device) BlobSent(_ context.Context, h wire.Hash, refused string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if refused != "" {
		delete(d.photos, h) // as the app does: a photo the server never takes is given up
	}
	d.sent[h] = true
	return nil
}

func (d *device) BlobsToDrop(context.Context) ([]wire.Hash, error)     { return nil, nil }
func (d *device) BlobsDropped(context.Context, []wire.Hash) error      { return nil }
func (d *device) BlobsWanted(context.Context) ([]wire.Hash, error)     { return nil, nil }
func (d *device) BlobFetched(context.Context, wire.Hash, []byte) error { return nil }

// waiting returns how many versions and photos wait on the device.
func (d *device) waiting() (versions, photos int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for h := range d.photos {
		if !d.sent[h] {
			photos++
		}
	}
	return len(d.outbox), photos
}

// syncUntil runs a sync client for the device against s until cond holds
// of its status (or fails the test after 20 s), then stops it.
func syncUntil(t *testing.T, s *server, ws string, id uint64, token string, d *device, what string, cond func(syncclient.Status) bool) syncclient.Status {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	statuses := make(chan syncclient.Status, 1000)
	c := syncclient.New(syncclient.Config{
		URL: "ws://" + s.addr + "/sync", Origin: "http://" + s.addr, Workspace: ws, Device: id, Token: token,
		Clock: clock.New(id, nil), Local: d,
		OnStatus: func(st syncclient.Status) {
			select {
			case statuses <- st:
			default:
			}
		},
	})
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case st := <-statuses:
			if cond(st) {
				return st
			}
		case <-timeout:
			t.Fatalf("%s: not within 20 s; status %+v", what, c.Status())
		}
	}
}

// TestFullWorkspaceKeepsEverythingOnTheDevice fills a workspace past the
// server's -quota-mib: the device is told the storage is full, in words
// the app shows, and keeps its unsent changes and photo; once the quota
// is raised, they all arrive.
func TestFullWorkspaceKeepsEverythingOnTheDevice(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	s := startServer(t, dir, addr, "-quota-mib", "1")
	ws, id, token := owner(t, s)

	d := &device{photos: map[wire.Hash][]byte{}, sent: map[wire.Hash]bool{}}
	tick := clock.New(id, nil)
	const versions = 30 // of 60 KiB: 1.8 MB, past a 1 MiB quota
	for i := range versions {
		sealed := make([]byte, 60<<10)
		rand.Read(sealed)
		d.outbox = append(d.outbox, wire.Envelope{Class: record.ClassProject, Key: sha256.Sum256([]byte{byte(i)}),
			TS: tick.Now(), KeyID: 1, Format: 1, OutboxID: uint64(i + 1), Sealed: sealed})
	}
	photo := make([]byte, 300<<10)
	rand.Read(photo)
	d.photos[sha256.Sum256(photo)] = photo

	// Full, and the photo tried: read to be sent, and no byte of it taken.
	st := syncUntil(t, s, ws, id, token, d, "told the storage is full", func(st syncclient.Status) bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return st.Full && d.reads >= 2 && st.PhotoSent == 0
	})
	if st.Err != wire.CodeFull.Text() {
		t.Errorf("the status says %q, want %q", st.Err, wire.CodeFull.Text())
	}
	left, photos := d.waiting()
	if left == 0 || left == versions || photos != 1 {
		t.Fatalf("after the server filled up: %d of %d versions and %d of 1 photo wait on the device; want some versions and the photo", left, versions, photos)
	}
	t.Logf("full after %d of %d versions: %s", versions-left, versions, st.Err)

	// The operator raises the quota: everything that waited arrives.
	s.kill()
	s = startServer(t, dir, addr, "-quota-mib", "64")
	syncUntil(t, s, ws, id, token, d, "everything sent", func(st syncclient.Status) bool {
		v, p := d.waiting()
		return v == 0 && p == 0 && !st.Full
	})
	s.kill()
	if got := stored(t, dir, ws); len(got) != versions {
		t.Fatalf("the server holds %d versions, want all %d", len(got), versions)
	}
}

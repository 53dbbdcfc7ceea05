package session

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"pawfile/app/book"
	"pawfile/app/localstore"
	"pawfile/app/search"
	"pawfile/app/syncclient"
	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// open loads the local records with keys and starts syncing.
func (s *Session) open(ctx context.Context, d *device, kek seal.Key, keys *seal.Keyring, id *seal.Identity) error {
	start := time.Now()
	c := clock.New(d.Device, nil)
	if b, ok, err := s.cfg.Store.Meta(ctx, metaClock); err == nil && ok && len(b) == 8 {
		c.SetOffset(time.Duration(int64(binary.BigEndian.Uint64(b))) * time.Millisecond)
	}
	var cursor uint64
	if b, ok, err := s.cfg.Store.Meta(ctx, metaCursor); err != nil {
		return fmt.Errorf("read the sync cursor: %w", err)
	} else if ok && len(b) == 8 {
		cursor = binary.BigEndian.Uint64(b)
	}
	bk := book.New(d.Workspace, keys, c)
	rows, err := s.cfg.Store.Records(ctx)
	if err != nil {
		return fmt.Errorf("read the records on this device: %w", err)
	}
	bad := 0
	for _, row := range rows {
		env, err := wire.UnmarshalEnvelope(row)
		if err == nil {
			_, _, err = bk.Apply(env)
		}
		if err != nil && !errors.Is(err, book.ErrNoKey) {
			bad++
		}
	}
	if bad > 0 {
		// Unreadable rows are refetched from the server: the copy there
		// is what counts. Pull everything again.
		s.log.Warn("local records that do not open; refetching from the server", "count", bad)
		cursor = 0
	}
	// Versions written here but not yet acknowledged are part of the state.
	items, err := s.cfg.Store.Outbox(ctx)
	if err != nil {
		return fmt.Errorf("read the outbox: %w", err)
	}
	for _, it := range items {
		if env, err := wire.UnmarshalEnvelope(it.Data); err == nil {
			bk.Apply(env)
		}
	}
	s.mu.Lock()
	s.dev, s.kek, s.keys, s.identity, s.clock, s.book, s.cursor = d, kek, keys, id, c, bk, cursor
	s.clients, s.petsOf = search.New(), map[string][]string{}
	s.reindexLocked()
	s.phase, s.lastTouch, s.loadTime = Open, time.Now(), time.Since(start)
	s.mu.Unlock()
	s.startSync()
	s.changed()
	return nil
}

// reindexLocked rebuilds the client search index from the book.
func (s *Session) reindexLocked() {
	s.clients, s.petsOf = search.New(), map[string][]string{}
	for _, id := range s.book.IDs(record.TypePet) {
		var p record.Pet
		if ok, err := s.book.Load(id, &p); ok && err == nil {
			s.petsOf[p.Client] = append(s.petsOf[p.Client], p.Name)
		}
	}
	for _, id := range s.book.IDs(record.TypeClient) {
		s.indexClientLocked(id)
	}
}

func (s *Session) indexClientLocked(id string) {
	var c record.Client
	ok, err := s.book.Load(id, &c)
	if !ok || err != nil {
		s.clients.Remove(id)
		return
	}
	s.clients.Put(id, search.Doc{Name: c.Name, Phones: c.Phones, Emails: c.Emails, Tags: c.Tags, Pets: s.petsOf[id]})
}

func (s *Session) startSync() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sync != nil || s.dev == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.sync = syncclient.New(syncclient.Config{
		URL: s.wsURL(), Origin: s.api.base, Workspace: s.dev.Workspace, Device: s.dev.Device, Token: s.dev.Token,
		App: s.cfg.App, Clock: s.clock, Local: (*local)(s),
		OnStatus: func(syncclient.Status) { s.changed() },
		OnConnect: func(wire.Welcome) {
			s.saveClock()
			if s.cfg.OnConnect != nil {
				s.cfg.OnConnect()
			}
		},
	})
	s.stopSync, s.syncDone = cancel, make(chan struct{})
	go func(c *syncclient.Client, done chan struct{}) {
		defer close(done)
		c.Run(ctx)
	}(s.sync, s.syncDone)
}

// saveClock keeps the server's clock correction for offline starts.
func (s *Session) saveClock() {
	s.mu.RLock()
	c := s.clock
	s.mu.RUnlock()
	if c == nil {
		return
	}
	b := binary.BigEndian.AppendUint64(nil, uint64(c.Offset().Milliseconds()))
	if err := s.cfg.Store.Commit(context.Background(), localstore.Change{Meta: map[string][]byte{metaClock: b}}); err != nil {
		s.log.Warn("save the clock correction", "err", err)
	}
}

// ErrLocked is returned for record work while the session is locked.
var ErrLocked = book.ErrLocked

// rowKey names a record's row in the local store: the server's opaque
// name for it, so the store reveals nothing more than the server sees.
func rowKey(k wire.Key) string { return hex.EncodeToString(k[:]) }

// save writes one record: its new sealed state as its row and the version
// into the outbox, in one transaction, then asks sync to send it.
func (s *Session) save(ctx context.Context, id string, v any) (bool, error) {
	s.mu.Lock()
	if s.book == nil {
		s.mu.Unlock()
		return false, ErrLocked
	}
	env, changed, err := s.book.Save(id, v)
	if err != nil || !changed {
		s.mu.Unlock()
		return false, err
	}
	data, err := wire.MarshalEnvelope(&env)
	if err != nil {
		s.mu.Unlock()
		return false, err
	}
	if err := s.cfg.Store.Commit(ctx, localstore.Change{
		Records: map[string][]byte{rowKey(env.Key): data},
		Enqueue: []localstore.Item{{ID: env.OutboxID, Data: data}},
	}); err != nil {
		s.mu.Unlock()
		return false, fmt.Errorf("save on this device: %w", err)
	}
	switch v := v.(type) {
	case *record.Client:
		s.indexClientLocked(id)
	case *record.Pet:
		if !slices.Contains(s.petsOf[v.Client], v.Name) {
			s.reindexLocked()
		}
	}
	c := s.sync
	s.mu.Unlock()
	if c != nil {
		c.Kick()
	}
	s.changed()
	return true, nil
}

// SaveClient validates and saves a client. Validation errors are
// record.Errors, one per field.
func (s *Session) SaveClient(ctx context.Context, id string, c *record.Client) error {
	_, err := s.save(ctx, id, c)
	return err
}

// SavePet validates and saves a pet.
func (s *Session) SavePet(ctx context.Context, id string, p *record.Pet) error {
	_, err := s.save(ctx, id, p)
	return err
}

// LoadClient fills c with client id; false if there is none.
func (s *Session) LoadClient(id string, c *record.Client) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return false, ErrLocked
	}
	return s.book.Load(id, c)
}

// SearchClients finds clients by name, phone, email, tag or pet name.
func (s *Session) SearchClients(q string, limit int) []search.Hit {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.clients == nil {
		return nil
	}
	return s.clients.Search(q, limit)
}

// FirstClients lists clients in name order.
func (s *Session) FirstClients(limit int) []search.Hit {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.clients == nil {
		return nil
	}
	return s.clients.First(limit)
}

// ClientCount is how many clients the book holds.
func (s *Session) ClientCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.clients == nil {
		return 0
	}
	return s.clients.Len()
}

// local is the session as the sync client's store.
type local Session

func (l *local) s() *Session { return (*Session)(l) }

func (l *local) Cursor() uint64 {
	s := l.s()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cursor
}

func (l *local) Outbox(ctx context.Context, max int) ([]wire.Envelope, int, error) {
	items, err := l.s().cfg.Store.Outbox(ctx)
	if err != nil {
		return nil, 0, err
	}
	vs := make([]wire.Envelope, 0, min(max, len(items)))
	for _, it := range items[:min(max, len(items))] {
		env, err := wire.UnmarshalEnvelope(it.Data)
		if err != nil {
			return nil, 0, fmt.Errorf("outbox entry %d: %w", it.ID, err)
		}
		vs = append(vs, env)
	}
	return vs, len(items), nil
}

func (l *local) Acked(ctx context.Context, results []wire.Result) error {
	var done []uint64
	for _, r := range results {
		if r.Code == wire.CodeOK || syncclient.Permanent(r.Code) {
			done = append(done, r.OutboxID)
		}
		if r.Code != wire.CodeOK {
			l.s().log.Warn("the server refused a version", "code", r.Code.String(), "msg", r.Message)
		}
	}
	if len(done) == 0 {
		return nil
	}
	return l.s().cfg.Store.Commit(ctx, localstore.Change{Acked: done})
}

func (l *local) Receive(ctx context.Context, vs []wire.Envelope, cursor uint64) error {
	s := l.s()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.book == nil {
		return ErrLocked
	}
	rows := map[string][]byte{}
	touched := map[merge.Key]bool{}
	for _, v := range vs {
		known := s.book.Known(v.Key)
		key, changed, err := s.book.Apply(v)
		if errors.Is(err, book.ErrNoKey) {
			continue
		}
		if err != nil {
			s.log.Warn("a version from the server does not open; skipped", "seq", v.Seq, "err", err)
			continue
		}
		if !changed && known {
			continue
		}
		if !known {
			// A record new to this device: the version is its state.
			data, err := wire.MarshalEnvelope(&v)
			if err != nil {
				return err
			}
			rows[rowKey(v.Key)] = data
			delete(touched, key)
		} else {
			touched[key] = true
		}
	}
	for key := range touched {
		env, err := s.book.State(key.Type, key.ID)
		if err != nil {
			return err
		}
		data, err := wire.MarshalEnvelope(&env)
		if err != nil {
			return err
		}
		rows[rowKey(env.Key)] = data
	}
	c := localstore.Change{Records: rows}
	if cursor != 0 && cursor != s.cursor {
		c.Meta = map[string][]byte{metaCursor: binary.BigEndian.AppendUint64(nil, cursor)}
	}
	if len(c.Records) == 0 && c.Meta == nil {
		return nil
	}
	if err := s.cfg.Store.Commit(ctx, c); err != nil {
		return err
	}
	if cursor != 0 {
		s.cursor = cursor
	}
	if len(rows) > 0 {
		s.reindexLocked()
		go s.changed()
	}
	return nil
}

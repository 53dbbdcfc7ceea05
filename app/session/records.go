package session

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"pawfile/app/book"
	"pawfile/app/localstore"
	"pawfile/app/search"
	"pawfile/app/syncclient"
	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/pageturn"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// open loads the local records with keys and starts syncing.
func (s *Session) open(ctx context.Context, d *device, kek seal.Key, keys *seal.Keyring, id *seal.Identity) error {
	return s.openRows(ctx, d, kek, keys, id, s.readRecords(ctx))
}

// openRows is open with the local records read (or being read) already.
//
// It lists the clients from the first part of the store alone; the later
// part, the years of bookings (laterClass), comes in meanwhile and goes
// into the book after (loadLater). The book holds the project class until
// then (book.Hold): a save or received version of a booking waits for
// its stored state. The 5-year shop's first part is a twentieth of it:
// the list no longer waits for 80 MB to be read and replayed.
func (s *Session) openRows(ctx context.Context, d *device, kek seal.Key, keys *seal.Keyring, id *seal.Identity, read <-chan storedRows) error {
	start := time.Now()
	c := clock.New(d.Device, nil)
	if b, ok, err := s.cfg.Store.Meta(ctx, metaClock); err == nil && ok && len(b) == 8 {
		c.SetOffset(time.Duration(int64(binary.BigEndian.Uint64(b))) * time.Millisecond)
	}
	var (
		cursor uint64
		boot   syncclient.Progress
	)
	if b, ok, err := s.cfg.Store.Meta(ctx, metaCursor); err != nil {
		return fmt.Errorf("read the sync cursor: %w", err)
	} else if ok && len(b) == 8 {
		cursor = binary.BigEndian.Uint64(b)
	} else if ok {
		boot = progressOf(b)
	}
	var business string
	if b, ok, err := s.cfg.Store.Meta(ctx, metaBusiness); err == nil && ok {
		business = string(b)
	}
	split, err := s.splitStore(ctx)
	if err != nil {
		return err
	}
	bk := book.New(d.Workspace, keys, c)
	bk.Hold(laterClass)
	var stored storedRows
	select {
	case stored = <-read:
	case <-ctx.Done():
		stored.err = ctx.Err()
	}
	rows, err := stored.rows, stored.err
	if err != nil {
		bk.Loaded(err)
		return fmt.Errorf("read the records on this device: %w", err)
	}
	s.mu.Lock()
	s.dev, s.kek, s.keys, s.identity, s.clock, s.book, s.cursor, s.business = d, kek, keys, id, c, bk, cursor, business
	docs, records, bad := 0, 0, 0
	s.resetDocListsLocked(true)
	// About one doc row per record row: room for them up front.
	bk.Reserve(len(rows) / 2)
	var later []laterDoc // project-class docs of a store not split yet
	s.quarantine = map[uint64]wire.Envelope{}
	// The screens wait for the lock during the pauses, as they would
	// anyway; the page paints.
	pause := pauser{start: time.Now()}
	for row, b := range rows {
		pause.step()
		if strings.HasPrefix(row, quarantinePrefix) {
			if err := s.loadQuarantined(row, b); err != nil {
				bad++
			}
			continue
		}
		if strings.HasPrefix(row, docPrefix) {
			if len(b) > 0 && record.Class(b[0]) == laterClass {
				later, docs = append(later, laterDoc{row, b}), docs+1
				continue
			}
			doc, err := s.openDoc(row, b)
			switch {
			case errors.Is(err, errNoDocKey):
			case err != nil:
				bad++
			case doc.Gone:
				// The doc of a deleted record: nothing to list.
			case indexed(doc.Type):
				s.putDocLocked(doc)
				docs++
			}
			continue
		}
		rk, err := parseRowKey(row)
		if err == nil {
			err = bk.AddSealed(rk, b)
		}
		if err != nil {
			bad++
		}
		records++
	}
	// The later part goes into the book meanwhile; the lists take its
	// docs after (openLater), and are incomplete until then.
	s.docTouched = map[string]bool{}
	s.mu.Unlock()
	if bad > 0 {
		// Unreadable rows are refetched from the server: the copy there
		// is what counts. Pull everything again.
		s.log.Printf("local records that do not open; refetching from the server: count=%v", bad)
		cursor, boot = 0, syncclient.Progress{}
	}
	var unsplit map[string][]byte
	if !split {
		unsplit = rows
	}
	opened := make(chan struct{})
	loadNow := sync.OnceFunc(func() { close(opened) })
	defer loadNow()
	go s.loadLater(context.WithoutCancel(ctx), bk, unsplit, later, opened)
	s.mu.Lock()
	s.cursor, s.boot = cursor, boot
	if s.docsMissing(ctx, records, docs) {
		// A store without index docs, or without those of the latest
		// kinds (written before they existed): open everything once and
		// write them. That waits for the later part.
		loadNow()
		if err := s.rebuildDocsLocked(ctx); err != nil {
			s.log.Printf("write the search index: err=%v", err)
		}
	}
	s.buildIndexLocked()
	s.phase, s.loadTime, s.lockReason = Open, time.Since(start), ""
	s.lastTouch.Store(time.Now().UnixNano())
	s.autoRun.Store(true)
	s.mu.Unlock()
	s.changed()
	return nil
}

// loadLater reads the later part of the local store into bk once open has
// listed the clients (opened): the project class's stored states into
// the book, which then lets the calls waiting for them go on
// (book.Loaded), and its index docs to openLater. Read any earlier, its
// 80 MB competed with the list for the page. A store not split yet
// (unsplit: its first part, which holds everything) is split first,
// before any booking can be written. Then it applies the outbox, opens
// the versions set aside and starts syncing: all three may touch
// bookings. ctx is not the unlock's, which ends before this does.
func (s *Session) loadLater(ctx context.Context, bk *book.Book, unsplit map[string][]byte, docs []laterDoc, opened <-chan struct{}) {
	<-opened
	rows, err := s.cfg.Store.LaterRecords(ctx)
	bad := 0
	if err == nil {
		docs, bad, err = addLater(bk, rows, docs)
	}
	if err == nil && unsplit != nil {
		err = s.split(ctx, unsplit)
	}
	if err != nil && !errors.Is(err, book.ErrLocked) {
		err = fmt.Errorf("the bookings on this device could not be read (%w): unlock Pawfile again", err)
	}
	bk.Loaded(err)
	switch {
	case errors.Is(err, book.ErrLocked):
		return // locked meanwhile
	case err != nil:
		s.log.Printf("read the later part of the local store: err=%v", err)
		s.lock("Pawfile locked itself: " + err.Error() + ". If it happens again, reload the page.")
		return
	}
	s.mu.Lock()
	if s.book != bk {
		s.mu.Unlock()
		return
	}
	if bad > 0 {
		s.log.Printf("local records that do not open; refetching from the server: count=%v", bad)
		s.cursor, s.boot = 0, syncclient.Progress{}
	}
	d, keys := s.dev, s.keys
	s.mu.Unlock()
	// Before the bookings are listed (so that a list naming staff has
	// the names), and before the sync's refresh, which replaces it.
	s.loadTeam(ctx, d, keys)
	// Versions written here but not yet acknowledged are part of the state.
	items, err := s.cfg.Store.Outbox(ctx)
	if err != nil {
		s.log.Printf("read the outbox: err=%v", err)
	}
	for _, it := range items {
		env, err := wire.UnmarshalEnvelope(it.Data)
		if err == nil {
			_, _, err = bk.Apply(env)
		}
		if err != nil {
			// It is still sent; the server's copy comes back to this device.
			s.log.Printf("a version waiting to be sent does not open here: outbox=%v err=%v", it.ID, err)
		}
	}
	go s.openLater(bk, docs)
	if err := s.retryQuarantine(ctx, true); err != nil {
		s.log.Printf("open the versions set aside: err=%v", err)
	}
	s.startSync()
}

// laterClass is the class whose rows the local store keeps in its later
// part (localstore.Change.Later), which unlock reads after the client
// list: the years of bookings, tasks, notes and photos, nineteen
// twentieths of a shop's records, none of which the list needs.
const laterClass = record.ClassProject

// rowsFor returns the rows of c where a row of class k belongs.
func rowsFor(c *localstore.Change, k record.Class) map[string][]byte {
	if k != laterClass {
		return c.Records
	}
	if c.Later == nil {
		c.Later = map[string][]byte{}
	}
	return c.Later
}

// metaSplit marks a local store whose rows of laterClass are in its later
// part. A store written before that part existed holds them with the
// rest, until the first unlock splits it (split).
const metaSplit = "split"

// splitStore reports whether the local store is split (metaSplit).
func (s *Session) splitStore(ctx context.Context) (bool, error) {
	b, ok, err := s.cfg.Store.Meta(ctx, metaSplit)
	if err != nil {
		return false, fmt.Errorf("read how the records on this device are kept: %w", err)
	}
	return ok && len(b) == 1 && b[0] == 1, nil
}

// split moves the rows of laterClass among rows, the first part of a
// store not split yet, to the later part, and marks the store split, in
// one Change. Nothing may write those rows meanwhile: the book holds
// their class until split is done (see loadLater). A row that does not
// open stays where it is; it is refetched as any such row is.
func (s *Session) split(ctx context.Context, rows map[string][]byte) error {
	c := localstore.Change{Records: map[string][]byte{}, Meta: map[string][]byte{metaSplit: {1}}}
	pause := pauser{start: time.Now()}
	for row, b := range rows {
		pause.step()
		if class, ok := rowClass(row, b); ok && class == laterClass {
			c.Records[row] = nil
			rowsFor(&c, class)[row] = b
		}
	}
	if err := s.cfg.Store.Commit(ctx, c); err != nil {
		return fmt.Errorf("keep the bookings apart on this device: %w", err)
	}
	if len(c.Later) > 0 {
		s.log.Printf("bookings kept apart on this device: rows=%v", len(c.Later))
	}
	return nil
}

// rowClass is the class of a stored row: an index doc's (its first
// byte), a record state's. False for a version set aside, which stays in
// the first part whatever its class, and for a row that does not open.
func rowClass(row string, b []byte) (record.Class, bool) {
	switch {
	case strings.HasPrefix(row, quarantinePrefix):
		return 0, false
	case strings.HasPrefix(row, docPrefix):
		if len(b) == 0 {
			return 0, false
		}
		return record.Class(b[0]), true
	}
	env, err := wire.UnmarshalEnvelope(b)
	if err != nil {
		return 0, false
	}
	return env.Class, true
}

// addLater adds rows, the later part of the store, to bk: the stored
// states to the book, the index docs to docs for openLater. It counts the
// rows that do not open. It lets the page paint between slices.
func addLater(bk *book.Book, rows map[string][]byte, docs []laterDoc) ([]laterDoc, int, error) {
	bk.Reserve(len(rows) / 2)
	docs = slices.Grow(docs, len(rows)/2)
	bad := 0
	pause := pauser{start: time.Now()}
	for row, b := range rows {
		pause.step()
		if strings.HasPrefix(row, docPrefix) {
			docs = append(docs, laterDoc{row, b})
			continue
		}
		rk, err := parseRowKey(row)
		if err == nil {
			err = bk.AddSealed(rk, b)
		}
		switch {
		case errors.Is(err, book.ErrLocked):
			return nil, 0, err
		case err != nil:
			bad++
		}
	}
	return docs, bad, nil
}

// openLater opens the project-class index docs after unlock: a book of
// several years holds many more bookings, tasks and visit notes than
// clients and pets, and the client list and search do not wait for them
// (the 5-year shop's unlock: 2.5 s with them, about 0.5 s without). It
// opens them a chunk at a time, so saves are not held up, and keeps any
// doc a save or sync brought in meanwhile, which is newer. It gives up if
// the session locks or unlocks again.
//
// It pauses before each chunk: in a browser a Go program runs until every
// goroutine waits, so without the pauses the whole of it (about 1.8 s for
// the 5-year shop) would be one freeze of the page, starting before the
// client list the unlock leads to is on screen.
func (s *Session) openLater(bk *book.Book, rows []laterDoc) {
	// What is opened waits in its lists' own forms: 95,000 whole docs
	// held meanwhile were 47 MB more for the collector to walk.
	var (
		projects []indexDoc
		parts    []laterPart
	)
	for len(rows) > 0 {
		pageturn.Turn()
		n := min(laterChunk, len(rows))
		s.mu.RLock()
		if s.book != bk {
			s.mu.RUnlock()
			return
		}
		for _, r := range rows[:n] {
			d, err := s.openDoc(r.row, r.sealed)
			switch {
			case err != nil || d.Gone:
			case partTypes[d.Type]:
				parts = append(parts, laterPart{d.ID, s.names.part(d)})
			case d.Type == record.TypeProject:
				s.names.doc(&d)
				projects = append(projects, d)
			}
		}
		s.mu.RUnlock()
		rows = rows[n:]
	}
	packIDs(parts)
	// Into the lists a chunk at a time too: 95,000 docs at once held the
	// page for a tenth of a second or more. The lists are incomplete
	// until docTouched is nil, as they were while the docs were opened.
	for {
		pageturn.Turn()
		s.mu.Lock()
		if s.book != bk {
			s.mu.Unlock()
			return
		}
		n := min(laterMerge, len(projects))
		for _, d := range projects[:n] {
			if !s.docTouched[d.ID] {
				s.projectDocs[d.ID] = d
			}
		}
		projects = projects[n:]
		n = min(laterMerge-n, len(parts))
		for _, p := range parts[:n] {
			if !s.docTouched[p.id] {
				s.partDocs[p.id] = p.doc
			}
		}
		if parts = parts[n:]; len(projects)+len(parts) == 0 {
			s.docTouched = nil
			s.mu.Unlock()
			break
		}
		s.mu.Unlock()
	}
	s.changed()
}

// packIDs has the ids of parts share one backing string. As the keys of
// partDocs, 95,000 strings for the 5-year shop, each was an object for
// the collector to mark, in the task that freezes the page (see names).
func packIDs(parts []laterPart) {
	n := 0
	for _, p := range parts {
		n += len(p.id)
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		b.WriteString(p.id)
	}
	all, off := b.String(), 0
	for i := range parts {
		end := off + len(parts[i].id)
		parts[i].id = all[off:end]
		off = end
	}
}

// pauser lets the page paint during a long loop over rows: in a browser a
// Go program runs until every goroutine waits. Every 256 steps it looks at
// the clock, and once openSlice has gone by it gives the page a turn.
type pauser struct {
	start time.Time
	n     int
}

// step is one step of the loop.
func (p *pauser) step() {
	if p.n++; p.n%256 == 0 && time.Since(p.start) > openSlice {
		pageturn.Turn()
		p.start = time.Now()
	}
}

// laterPart is a part's doc opened by openLater, waiting for its list.
type laterPart struct {
	id  string
	doc partDoc
}

// laterDoc is a project-class index doc left for openLater: its row and
// its sealed bytes. open keeps them in a slice, not a map: the 5-year
// shop has 95,000 of them, and inserting them into a map (and growing it)
// was work the unlock waited for.
type laterDoc struct {
	row    string
	sealed []byte
}

// laterChunk is how many project-class docs openLater opens at a time:
// about 10 ms of the page's time in Chromium on a slow machine, so that a
// keystroke waits for no more than that. The page has a turn between
// chunks (pageturn), and between open's slices of openSlice.
const (
	laterChunk = 500
	// laterMerge is how many opened docs openLater puts into the lists
	// at a time: a map insert each, much less than opening one.
	laterMerge = 5000
	openSlice  = 40 * time.Millisecond
)

// ProjectsLoading reports whether the bookings are still being opened
// after unlock: lists of projects are incomplete until it is false.
func (s *Session) ProjectsLoading() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.docTouched != nil
}

// buildIndexLocked builds the client search index from the index docs.
func (s *Session) buildIndexLocked() {
	s.clients, s.petsOf = search.New(), map[string][]string{}
	for id, p := range s.petDocs {
		s.petsOf[p.Client] = append(s.petsOf[p.Client], id)
	}
	for id := range s.clientDocs {
		if s.petsOf[id] == nil {
			s.petsOf[id] = []string{}
		}
		s.putClientLocked(id)
	}
}

// rebuildDocsLocked writes the index doc of every client and pet.
func (s *Session) rebuildDocsLocked(ctx context.Context) error {
	keys := map[merge.Key]wire.Key{}
	for _, t := range record.Types() {
		if !indexed(t) {
			continue
		}
		for _, id := range s.book.IDs(t) {
			k := merge.Key{Class: t.Class(), Type: t, ID: id}
			keys[k] = seal.RecordKey(s.keys.MAC, k.Class, k.Type, k.ID)
		}
	}
	s.clients, s.petsOf = search.New(), map[string][]string{}
	c := localstore.Change{Records: map[string][]byte{}, Meta: docsCurrentMeta()}
	if err := s.docRowsLocked(keys, &c); err != nil {
		return err
	}
	return s.cfg.Store.Commit(ctx, c)
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
		OnStatus: func(st syncclient.Status) {
			s.changed()
			if st.State == syncclient.UpToDate {
				s.upToDate()
			}
		},
		OnConnect: func(wire.Welcome) {
			s.saveClock()
			// The owner may have renewed keys or changed the role while
			// this device was away.
			go func() {
				if err := s.RefreshKeys(context.Background()); err != nil {
					s.log.Printf("fetch this member's keys: err=%v", err)
				}
			}()
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
		s.log.Printf("save the clock correction: err=%v", err)
	}
}

// ErrLocked is returned for record work while the session is locked.
var ErrLocked = book.ErrLocked

// rowKey names a record's row in the local store: the server's opaque
// name for it, so the store reveals nothing more than the server sees.
func rowKey(k wire.Key) string { return hex.EncodeToString(k[:]) }

// sent asks sync to send what was just queued, and tells the screens.
func (s *Session) sent() {
	s.mu.RLock()
	c := s.sync
	s.mu.RUnlock()
	if c != nil {
		c.Kick()
	}
	s.changed()
}

// save writes one record, as a change of its own: its new sealed state
// as its row and the version into the outbox, in one transaction, then
// asks sync to send it. The change becomes the one Undo reverts. base is
// the record as the person's screen showed it (see book.Book.Save).
func (s *Session) save(ctx context.Context, id string, base, v any) (bool, error) {
	changed := false
	err := s.commit(ctx, func(tx *writeTx) error {
		typ := record.TypeOf(v)
		before, existed := s.fieldsLocked(typ, id)
		var err error
		if changed, err = tx.save(id, base, v); err != nil || !changed {
			return err
		}
		rk := seal.RecordKey(s.keys.MAC, typ.Class(), typ, id)
		tx.after = append(tx.after, func() { s.rememberLocked(typ, id, rk, !existed, before, v) })
		return nil
	})
	if err != nil || !changed {
		return false, err
	}
	s.sent()
	return true, nil
}

// write is one change of a batch: v, a record changed from base (see
// book.Book.Save), saved under id; or, with v nil, the record of type del
// deleted.
type write struct {
	id      string
	base, v any
	del     record.Type
}

// saveAll writes a batch of records as save writes one, all in one
// transaction: an invoice and its lines land together or not at all. Every
// record is validated before any is changed, and a refused batch leaves
// the book as it was. It returns how many records changed. A change of
// several records is not one Undo can revert: it clears the last change.
func (s *Session) saveAll(ctx context.Context, ws []write) (int, error) {
	for _, w := range ws {
		if w.v == nil {
			continue
		}
		if err := record.Validate(w.v); err != nil {
			return 0, err
		}
	}
	n := 0
	err := s.commit(ctx, func(tx *writeTx) error {
		for _, w := range ws {
			if w.v == nil {
				if err := tx.delete(w.del, w.id); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.save(w.id, w.base, w.v); err != nil {
				return err
			}
		}
		if n = len(tx.change.Enqueue); n > 0 {
			tx.after = append(tx.after, func() { s.undo = nil })
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		s.sent()
	}
	return n, nil
}

// SaveClient validates and saves a client, changed from base: the client
// as the form showed it when opened (nil for a new one). Only the fields
// that differ from base are written, so a newer change made elsewhere to
// the others stays. Every Save method takes a base so. Validation errors
// are record.Errors, one per field.
func (s *Session) SaveClient(ctx context.Context, id string, base, c *record.Client) error {
	_, err := s.save(ctx, id, base, c)
	return err
}

// SavePet validates and saves a pet.
func (s *Session) SavePet(ctx context.Context, id string, base, p *record.Pet) error {
	_, err := s.save(ctx, id, base, p)
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

// SaveVaccination validates and saves a vaccination.
func (s *Session) SaveVaccination(ctx context.Context, id string, base, v *record.Vaccination) error {
	_, err := s.save(ctx, id, base, v)
	return err
}

// SaveWeighing validates and saves a weighing of a pet.
func (s *Session) SaveWeighing(ctx context.Context, id string, base, w *record.Weighing) error {
	_, err := s.save(ctx, id, base, w)
	return err
}

// RemoveWeighing removes weighing id, entered by mistake; the pet then
// weighs what its latest other weighing says. It stays in the history.
func (s *Session) RemoveWeighing(ctx context.Context, id string) error {
	s.mu.RLock()
	_, ok := s.weighDocs[id]
	s.mu.RUnlock()
	if !ok {
		return errors.New("this weighing is not on this device any more: open the pet again")
	}
	_, err := s.saveAll(ctx, []write{{id: id, del: record.TypeWeighing}})
	return err
}

// LoadPet fills p with pet id; false if there is none.
func (s *Session) LoadPet(id string, p *record.Pet) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return false, ErrLocked
	}
	return s.book.Load(id, p)
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

// Resume is how far the bootstrap had come when it was cut short, kept
// where the cursor is (see Progressed).
func (l *local) Resume() syncclient.Progress {
	s := l.s()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.cursor != 0 {
		return syncclient.Progress{}
	}
	return s.boot
}

// Progressed keeps how far the bootstrap has come, in the cursor's place
// in the store: whatever sets or clears the cursor (the log read after the
// bootstrap, a pull from the start for a role's new classes, a new setup)
// sets or clears it with it, so a stale progress cannot outlive them.
func (l *local) Progressed(ctx context.Context, p syncclient.Progress) error {
	s := l.s()
	// The write lock: a cursor stored meanwhile is not overwritten.
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.RLock()
	moved := s.cursor != 0
	s.mu.RUnlock()
	if moved {
		return nil
	}
	if err := s.cfg.Store.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaCursor: progressBytes(p)}}); err != nil {
		return err
	}
	s.mu.Lock()
	s.boot = p
	s.mu.Unlock()
	return nil
}

// progressBytes is p as Progressed stores it: its pass, then where the
// pass's next page starts and where the first pass ended (17 bytes, never
// the 8 of a cursor).
func progressBytes(p syncclient.Progress) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64([]byte{p.Pass}, p.After), p.From)
}

// progressOf reads what progressBytes wrote; zero if it is not that. A
// progress an older Pawfile kept, whose first pass brought clients and
// pets together and second the rest, goes on soundly as this one's: its
// pass 1 as the clients' (the pets' pass then starts from nothing), its
// pass 2 as the pets' (all of them were in already; the rest's pass then
// starts from nothing).
func progressOf(b []byte) syncclient.Progress {
	if len(b) != 17 || b[0] < 1 || b[0] > 3 {
		return syncclient.Progress{}
	}
	return syncclient.Progress{Pass: b[0], After: binary.BigEndian.Uint64(b[1:]), From: binary.BigEndian.Uint64(b[9:])}
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
	s := l.s()
	var done []uint64
	skewed := map[uint64]bool{}
	for _, r := range results {
		if r.Code == wire.CodeOK || syncclient.Permanent(r.Code) {
			done = append(done, r.OutboxID)
		}
		if r.Code == wire.CodeSkew {
			skewed[r.OutboxID] = true
		}
		if r.Code != wire.CodeOK {
			s.log.Printf("the server refused a version: code=%v msg=%v", r.Code.String(), r.Message)
		}
	}
	if len(skewed) == 0 {
		if len(done) == 0 {
			return nil
		}
		// Only the outbox changes, not a record.
		return s.cfg.Store.Commit(ctx, localstore.Change{Acked: done})
	}
	items, err := s.cfg.Store.Outbox(ctx)
	if err != nil {
		return err
	}
	return s.commit(ctx, func(tx *writeTx) error {
		tx.change.Acked = done
		return tx.restamp(items, skewed)
	})
}

// restamp replaces versions refused for being stamped ahead (this
// device's clock ran fast before it learned the server's time) with
// versions stamped now, in the outbox and the records.
func (tx *writeTx) restamp(items []localstore.Item, refused map[uint64]bool) error {
	for _, it := range items {
		if !refused[it.ID] {
			continue
		}
		old, err := wire.UnmarshalEnvelope(it.Data)
		if err != nil {
			continue
		}
		env, ok, err := tx.bk.Restamp(old.Key)
		if err != nil || !ok {
			continue
		}
		data, err := wire.MarshalEnvelope(&env)
		if err != nil {
			return err
		}
		tx.change.Acked = append(tx.change.Acked, it.ID)
		tx.change.Enqueue = append(tx.change.Enqueue, localstore.Item{ID: env.OutboxID, Data: data})
		rowsFor(&tx.change, env.Class)[rowKey(env.Key)] = data
	}
	return nil
}

// receiveSlice bounds the time one commit of received versions spends
// applying them: the server's batches (up to 1,000 versions, about 300 ms
// of work in Chromium for the 5-year shop) are committed in slices, and
// between two the page has its turn, to paint and take a tap (in a browser
// a Go program runs until every goroutine waits): while IndexedDB takes a
// slice's commit, or in a pause if a slice stored nothing. Each slice is
// stored whole or not at all, and only the last moves the cursor: a batch
// cut short is pulled again, and applying a version twice changes
// nothing. A variable for the tests.
var receiveSlice = 25 * time.Millisecond

func (l *local) Receive(ctx context.Context, vs []wire.Envelope, cursor uint64) error {
	s := l.s()
	stored, erased := false, false
	var st bool // whether the last slice stored anything
	for first := true; first || len(vs) > 0; first = false {
		if !first && !st {
			// A slice that stored nothing did not wait for the store:
			// the page has its turn now. One that stored did, while
			// IndexedDB took the commit; a pause after it only kept
			// the download waiting (a seventh of its time).
			pageturn.Turn()
		}
		until := time.Now().Add(receiveSlice)
		var n int
		var er bool
		err := s.commit(ctx, func(tx *writeTx) (err error) {
			n, st, er, err = tx.receive(vs, cursor, until)
			return err
		})
		if err != nil {
			if stored {
				go s.changed() // the slices stored before stay
			}
			return err
		}
		vs, stored, erased = vs[n:], stored || st, erased || er
	}
	if erased {
		s.purge(ctx)
	}
	if stored {
		go s.changed()
	}
	return nil
}

// receive merges versions from the server into the book and puts the
// records' new states in tx, at least one version and more until the
// time until, and moves the cursor to cursor unless it is zero or
// versions are left. It reports how many versions it took, whether any
// record's state was stored, and whether any version was an erasure.
func (tx *writeTx) receive(vs []wire.Envelope, cursor uint64, until time.Time) (n int, stored, erased bool, err error) {
	s := tx.s
	touched := map[merge.Key]bool{}
	var fresh []wire.Envelope
	had := map[wire.Key][]string{} // the photos records named before vs
	for n < len(vs) {
		if n > 0 && n%16 == 0 && time.Now().After(until) {
			break
		}
		v := vs[n]
		n++
		before := tx.bk.BlobRefs(v.Key)
		if _, seen := had[v.Key]; !seen {
			had[v.Key] = before
		}
		known := tx.bk.Known(v.Key)
		key, changed, err := tx.bk.Apply(v)
		if errors.Is(err, book.ErrNoKey) && !s.keys.Has(v.Class) {
			continue // a class this role does not read
		}
		if err != nil {
			// Set aside, not a stop: the pull moves on past it.
			if err := tx.setAside(v, err); err != nil {
				return n, false, false, err
			}
			continue
		}
		tx.opened(v)
		if v.Erased {
			erased = true
			for _, ref := range before {
				tx.change.Blobs[ref] = nil
			}
			tx.releaseErased(v.Key)
			s.erasedDraftsLocked(tx.change.Meta, key)
			tx.change.Meta[draftPrefix+rowKey(v.Key)] = nil
			rk := v.Key
			tx.after = append(tx.after, func() { s.forgetUndoLocked(rk) })
		}
		if !changed && known {
			continue
		}
		tx.docs[key] = v.Key
		if !known {
			// A record new to this device: the version is its state.
			data, err := wire.MarshalEnvelope(&v)
			if err != nil {
				return n, false, false, err
			}
			rowsFor(&tx.change, v.Class)[rowKey(v.Key)] = data
			delete(touched, key)
			fresh = append(fresh, v)
		} else {
			touched[key] = true
		}
	}
	for key := range touched {
		env, err := tx.bk.State(key)
		if err != nil {
			return n, false, false, err
		}
		data, err := wire.MarshalEnvelope(&env)
		if err != nil {
			return n, false, false, err
		}
		rowsFor(&tx.change, env.Class)[rowKey(env.Key)] = data
	}
	stored = len(tx.change.Records)+len(tx.change.Later) > 0
	for key, rk := range tx.docs {
		if sc, _ := record.SchemaOf(key.Type); sc.HasBlobs() {
			rk, had := rk, had[rk]
			tx.queue = append(tx.queue, func(q *blobQueue) { s.wantLocked(q, rk, had) })
		}
	}
	// Once stored, the records new to this device are kept sealed, as
	// unlock leaves them, and opened when a screen asks (see
	// book.PutAway): a new device receives them by the ten thousand.
	tx.after = append(tx.after, func() {
		for _, v := range fresh {
			// The row as finally stored: a later version in the batch
			// may have replaced it.
			if data := rowsFor(&tx.change, v.Class)[rowKey(v.Key)]; data != nil {
				tx.bk.PutAway(v.Key, data)
			}
		}
	})
	if cursor != 0 && cursor != s.cursor && n == len(vs) {
		tx.change.Meta[metaCursor] = binary.BigEndian.AppendUint64(nil, cursor)
		tx.after = append(tx.after, func() { s.cursor = cursor })
	}
	return n, stored, erased, nil
}

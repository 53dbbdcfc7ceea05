// Package session is the device as the screens see it: setting it up for
// a workspace, unlocking it with the passphrase, the records held in
// memory while unlocked, and their way to the local store and the sync
// server. It compiles natively; the browser's store is given to it.
//
// Records change by one path, commit (commit.go): the book and the local
// store change together or not at all. A version from the server that
// does not open is set aside, never a stop for the pull (quarantine.go).
package session

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"pawfile/app/book"
	"pawfile/app/localstore"
	"pawfile/app/search"
	"pawfile/app/syncclient"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/teamlog"
	"pawfile/shared/wire"
)

// Store is the device's local database (package localstore in a browser).
type Store interface {
	Commit(ctx context.Context, c localstore.Change) error
	Meta(ctx context.Context, name string) ([]byte, bool, error)
	Records(ctx context.Context) (map[string][]byte, error)
	LaterRecords(ctx context.Context) (map[string][]byte, error)
	Outbox(ctx context.Context) ([]localstore.Item, error)
	Blob(ctx context.Context, hash string) ([]byte, bool, error)
}

// Phase is where the device stands.
type Phase int

// The phases.
const (
	Setup   Phase = iota // no workspace on this device yet
	Locked               // set up; keys not in memory
	Waiting              // joined, unlocked, but the owner has not given keys yet
	Open                 // unlocked: records in memory
)

// Config is what a Session needs from its platform.
type Config struct {
	Server     string // the server's origin, e.g. http://localhost:8080
	DeviceName string // how the owner sees this device, e.g. "Chrome on Android"
	App        string // the app's build version
	Store      Store
	Log        *log.Logger
	// IdleLock locks an open session after this long without Touch; 0
	// means DefaultIdleLock.
	IdleLock time.Duration
	// OnConnect is called each time the sync socket connects: the app
	// checks for an update of itself then.
	OnConnect func()
	// Storage reports the browser's storage use for this site and
	// whether it is persistent (kept under storage pressure); nil where
	// there is no such thing.
	Storage func(ctx context.Context) (Storage, error)
}

// Storage is what the device screen shows of the browser's storage.
type Storage struct {
	Used, Quota int64
	Persistent  bool
}

// StorageUse reports the browser's storage use.
func (s *Session) StorageUse(ctx context.Context) (Storage, error) {
	if s.cfg.Storage == nil {
		return Storage{}, errors.New("this browser does not report its storage")
	}
	return s.cfg.Storage(ctx)
}

// IdleLock is how long the session stays unlocked untouched.
func (s *Session) IdleLock() time.Duration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg.IdleLock
}

// SetIdleLock changes the idle time and keeps it on this device.
func (s *Session) SetIdleLock(ctx context.Context, d time.Duration) error {
	if d < time.Minute || d > 24*time.Hour {
		return errors.New("choose between 1 minute and 24 hours")
	}
	b := binary.BigEndian.AppendUint64(nil, uint64(d/time.Second))
	if err := s.cfg.Store.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaIdle: b}}); err != nil {
		return fmt.Errorf("save the lock setting: %w", err)
	}
	s.mu.Lock()
	s.cfg.IdleLock = d
	s.mu.Unlock()
	return nil
}

// DefaultIdleLock is how long an untouched tablet stays unlocked.
const DefaultIdleLock = 15 * time.Minute

// device is what the local store keeps about this device's membership.
// Nothing in it opens records without the passphrase.
type device struct {
	Workspace string         `json:"workspace"`
	Member    string         `json:"member"`
	Login     string         `json:"login"`
	Role      access.Role    `json:"role"`
	Device    uint64         `json:"device"`
	Token     string         `json:"token"`
	Salt      []byte         `json:"salt"`
	Params    account.Params `json:"params"`
	Keys      []byte         `json:"keys,omitempty"`     // the keyring, sealed with the KEK
	Identity  []byte         `json:"identity,omitempty"` // the member's key pair, sealed with the KEK
	// TeamLen and TeamHead are the length and head hash of the signed
	// team log as this device last verified it: a server that shows a
	// shorter or other log is refused.
	TeamLen  uint64 `json:"team_len,omitempty"`
	TeamHead []byte `json:"team_head,omitempty"`
	// InvitePin is the team log pin of the invite this member joined
	// with, until its keys arrive.
	InvitePin string `json:"invite_pin,omitempty"`
}

const (
	metaDevice = "device"
	metaCursor = "cursor"
	metaClock  = "clock"
	metaIdle   = "idle-lock" // seconds, big-endian uint64
)

// Session is one device's state. Its methods are safe for concurrent use.
type Session struct {
	cfg Config
	api *api
	log *log.Logger

	// wmu is held by commit, the one write path of the records, from
	// the change in memory until the local store has it or it is taken
	// back: changes come one at a time. Taken before mu, never after.
	wmu         sync.Mutex
	mu          sync.RWMutex
	phase       Phase
	dev         *device
	kek         seal.Key
	keys        *seal.Keyring
	identity    *seal.Identity
	clock       *clock.Clock
	book        *book.Book
	clients     *search.Index
	clientDocs  map[string]indexDoc
	petDocs     map[string]indexDoc
	vaccDocs    map[string]indexDoc
	weighDocs   map[string]indexDoc // pets' weighings
	contactDocs map[string]indexDoc
	invoiceDocs map[string]indexDoc
	billDocs    map[string]indexDoc      // invoice lines and payments
	projectDocs map[string]indexDoc      // projects
	partDocs    map[string]partDoc       // their tasks, milestones, notes and photos
	names       names                    // the docs' ids and values, one copy each
	petsOf      map[string][]string      // client id → its pets' ids: the search index's pet names and PetsOf, without a pass over every pet
	undo        *edit                    // the last change saved here
	screen      atomic.Pointer[string]   // the address of the screen shown (SetScreen)
	docTouched  map[string]bool          // while openLater runs: docs applied since unlock
	staged      map[string][]byte        // sealed photos waiting for the record that names them
	quarantine  map[uint64]wire.Envelope // versions set aside, by seq (quarantine.go)
	blobq       blobQueue                // photos to send and to fetch
	cursor      uint64
	boot        syncclient.Progress // while the cursor is zero: how far a bootstrap came (local.Progressed)
	sync        *syncclient.Client
	stopSync    context.CancelFunc
	syncDone    chan struct{}
	// lastTouch is when the tablet was last touched (Unix nanoseconds).
	// Atomic, not under mu: Touch runs inside the browser's event
	// callback, and blocking there on a lock held across a storage wait
	// stalls the whole program (Go under wasm cannot return to the
	// browser's event loop, so the wait never ends).
	lastTouch atomic.Int64
	business  string // the name printed on invoices
	loadTime  time.Duration
	team      teamState
	trust     string // what was last refused from the server (trust.go)
	// lockReason is why the device locked itself, for the unlock screen;
	// "" after a lock asked for, or an unlock.
	lockReason string
	people     map[uint64]Person // who writes from which device, as learnt
	staff      map[string]string // member id → login, as learnt
	// teamRoles is the team as the signed log last verified here states it
	// (member id → role): how a role that may not read the team's logins
	// names a colleague (StaffName).
	teamRoles  map[string]teamlog.Member
	auditHead  *record.AuditEntry
	lastView   string    // the last view logged, so one look is one entry
	lastViewAt time.Time // when it was logged
	// historyFrom reads a record's versions from the server; nil means
	// the sync client. Tests stand a server in.
	historyFrom func(ctx context.Context, rk wire.Key, before uint64) ([]wire.Envelope, bool, error)
	autoRun     atomic.Bool // retention may run on its own once sync is up to date (retention.go)
	// money is Money as read from the book, kept while nothing changes
	// it: screens format every amount with it, and reading it opens and
	// checks the settings record. Every commit (a save here, versions
	// received) and a change of keys drop it (dropMoneyLocked).
	money atomic.Pointer[moneyOf]

	lmu       sync.Mutex
	listeners map[int]func()
	nextL     int
}

// New returns the session of the device whose store is cfg.Store: Setup
// if the store holds no workspace, else Locked.
func New(ctx context.Context, cfg Config) (*Session, error) {
	if cfg.Log == nil {
		cfg.Log = log.Default()
	}
	if cfg.IdleLock == 0 {
		cfg.IdleLock = DefaultIdleLock
	}
	s := &Session{cfg: cfg, api: &api{base: strings.TrimSuffix(cfg.Server, "/")}, log: cfg.Log, listeners: map[int]func(){}}
	if b, ok, err := cfg.Store.Meta(ctx, metaIdle); err == nil && ok && len(b) == 8 {
		s.cfg.IdleLock = time.Duration(binary.BigEndian.Uint64(b)) * time.Second
	}
	b, ok, err := cfg.Store.Meta(ctx, metaDevice)
	if err != nil {
		return nil, fmt.Errorf("read this device's setup: %w", err)
	}
	if ok {
		var d device
		if err := json.Unmarshal(b, &d); err != nil {
			return nil, fmt.Errorf("this device's setup is damaged (%v): clear the site's data and sign in again", err)
		}
		s.dev, s.phase = &d, Locked
	}
	if err := s.loadQueue(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Phase returns where the device stands.
func (s *Session) Phase() Phase {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.phase
}

// Login returns the signed-in person's login, or "".
func (s *Session) Login() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.dev == nil {
		return ""
	}
	return s.dev.Login
}

// Role returns the member's role, or 0 before setup.
func (s *Session) Role() access.Role {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.dev == nil {
		return 0
	}
	return s.dev.Role
}

// OnChange registers f to be called, from any goroutine, whenever the
// phase, the records or the sync status change. The returned func
// unregisters it.
func (s *Session) OnChange(f func()) (cancel func()) {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	id := s.nextL
	s.nextL++
	s.listeners[id] = f
	return func() {
		s.lmu.Lock()
		defer s.lmu.Unlock()
		delete(s.listeners, id)
	}
}

func (s *Session) changed() {
	s.lmu.Lock()
	fs := make([]func(), 0, len(s.listeners))
	for _, f := range s.listeners {
		fs = append(fs, f)
	}
	s.lmu.Unlock()
	for _, f := range fs {
		f()
	}
}

// Touch notes that the person used the app, postponing the idle lock.
func (s *Session) Touch() {
	s.lastTouch.Store(time.Now().UnixNano())
}

// LockIfIdle locks the session if nobody touched it for the idle time;
// the app calls it every few seconds. It reports whether it locked.
func (s *Session) LockIfIdle() bool {
	s.mu.RLock()
	idle := (s.phase == Open || s.phase == Waiting) && time.Since(time.Unix(0, s.lastTouch.Load())) > s.cfg.IdleLock
	s.mu.RUnlock()
	if idle {
		s.Lock()
	}
	return idle
}

// Lock drops the keys and every decrypted record from memory and stops
// syncing until the next unlock.
func (s *Session) Lock() { s.lock("") }

// LockReason says why the device locked itself, if it did: the unlock
// screen shows it, with what to do.
func (s *Session) LockReason() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lockReason
}

// lock is Lock, noting reason (see LockReason).
func (s *Session) lock(reason string) {
	s.mu.Lock()
	s.lockReason = reason
	stop, done := s.stopSync, s.syncDone
	s.stopSync, s.syncDone, s.sync = nil, nil, nil
	if s.book != nil {
		s.book.Close()
	}
	s.book, s.keys, s.identity, s.kek = nil, nil, nil, seal.Key{}
	s.dropMoneyLocked()
	s.clients, s.petsOf = nil, nil
	s.resetDocListsLocked(false)
	s.undo, s.docTouched, s.staged, s.quarantine = nil, nil, nil, nil
	s.people, s.staff, s.auditHead, s.lastView = nil, nil, nil, ""
	s.teamRoles = nil
	if s.dev != nil {
		s.phase = Locked
	}
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	s.changed()
}

// Sync returns the sync status.
func (s *Session) Sync() syncclient.Status {
	s.mu.RLock()
	c := s.sync
	s.mu.RUnlock()
	if c == nil {
		return syncclient.Status{State: syncclient.Offline}
	}
	return c.Status()
}

// LoadTime is how long the last unlock took to open the local records.
func (s *Session) LoadTime() time.Duration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.loadTime
}

func newDeviceID() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("session: read random: %v", err))
	}
	return binary.BigEndian.Uint64(b[:]) | 1 // never 0
}

// wsURL is the sync socket's address on the server.
func (s *Session) wsURL() string {
	u := s.api.base
	switch {
	case strings.HasPrefix(u, "https://"):
		u = "wss://" + strings.TrimPrefix(u, "https://")
	case strings.HasPrefix(u, "http://"):
		u = "ws://" + strings.TrimPrefix(u, "http://")
	}
	return u + "/sync"
}

// errWrongPassphrase is what a person sees for a passphrase that does not
// open the keys.
var errWrongPassphrase = errors.New("that passphrase does not open this workspace: check it and try again")

// Package directory holds the server's accounts: workspaces, their members
// and roles, members' devices and device tokens, invites, the wrapped keys
// the server stores but cannot open, and the server's audit log.
//
// It lives in the server's one bbolt file, beside the version store, under
// its own root bucket. Everything a person types or a device sends is
// checked here, so the HTTP layer (server/api) only translates.
//
// A Session is resolved from a device token on every request and, by the
// sync hub, on every message; OnRole and OnRevoke let the hub apply a role
// change or a revocation to open sockets at once.
package directory

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"pawfile/shared/access"
	"pawfile/shared/seal"
)

// Layout. One root bucket, "directory", holding:
//
//	meta        "secret"             -> 32 random bytes (fake login salts)
//	workspaces  ws id                -> JSON workspaceRec
//	members     member id            -> JSON memberRec
//	logins      login                -> member id (active members only)
//	loginmore   login 0x00 member id -> empty (further active members
//	                                    with a login logins already holds)
//	wsmembers   ws id || member id   -> empty (members of a workspace)
//	devices     device id(8)         -> JSON deviceRec
//	memberdevs  member id || dev(8)  -> empty (devices of a member)
//	tokens      SHA-256(token)(32)   -> device id(8)
//	invites     SHA-256(code)(32)    -> JSON inviteRec
//	signups     SHA-256(code)(32)    -> JSON signupRec
//	audit       seq(8)               -> JSON Event
//
// Workspace and member ids are 32 hex digits, so concatenated keys split
// without a separator. Integers are big-endian so keys sort numerically.
var (
	rootBucket       = []byte("directory")
	metaBucket       = []byte("meta")
	workspacesBucket = []byte("workspaces")
	membersBucket    = []byte("members")
	loginsBucket     = []byte("logins")
	loginMoreBucket  = []byte("loginmore")
	wsMembersBucket  = []byte("wsmembers")
	devicesBucket    = []byte("devices")
	memberDevsBucket = []byte("memberdevs")
	tokensBucket     = []byte("tokens")
	invitesBucket    = []byte("invites")
	signupsBucket    = []byte("signups")
	auditBucket      = []byte("audit")

	allBuckets = [][]byte{metaBucket, workspacesBucket, membersBucket, loginsBucket, loginMoreBucket, wsMembersBucket,
		devicesBucket, memberDevsBucket, tokensBucket, invitesBucket, signupsBucket, auditBucket}

	secretKey = []byte("secret")
)

// idLen is the length of workspace and member ids (128 random bits in hex).
const idLen = 32

// Limits on what a device may store.
const (
	// MaxBlob bounds each opaque key blob (keys, keys_for_member).
	MaxBlob = 64 << 10
	// MaxDevices bounds the active devices of one member.
	MaxDevices = 32
	// InviteTTL is how long an invite code stays valid.
	InviteTTL = 7 * 24 * time.Hour
	// seenEvery is how often a device's last-seen time is written to disk;
	// between writes it is kept in memory, so authenticating every sync
	// message costs no disk write.
	seenEvery = 5 * time.Minute
)

// Session is who a device token speaks for. Role is read afresh from the
// member on every Authenticate: a role change applies to the next request
// or sync message.
type Session struct {
	Workspace string
	Member    string
	Device    uint64
	Role      access.Role
}

// Grant is a session just opened by creating a workspace, logging in or
// joining, with the device token that opens it from now on. Token is shown
// to the device once; the server keeps only its hash.
type Grant struct {
	Session
	Token string
}

// Status tells whether a member is still part of its workspace.
type Status string

// Member statuses.
const (
	Active  Status = "active"
	Removed Status = "removed"
)

// Member is a member of a workspace as the directory returns it. The key
// blobs are opaque to the server.
type Member struct {
	ID        string
	Workspace string
	Login     string
	Role      access.Role
	Status    Status
	Created   time.Time
	// Salt and Params are what the member's devices derive their auth
	// secret and key-encryption key with.
	Salt   []byte
	Params seal.Params
	// PublicKey is the member's X25519 public key (32 bytes).
	PublicKey []byte
	// Keys is the workspace keyring wrapped by the member's own KEK.
	Keys []byte
	// KeysForMember is the class keys wrapped to PublicKey by an owner's
	// device. It is cleared when the member's role changes, so the owner's
	// device uploads the set the new role may hold.
	KeysForMember []byte
	Devices       []Device
}

// Device is a member's registered device.
type Device struct {
	ID       uint64
	Member   string
	Name     string
	Created  time.Time
	LastSeen time.Time
	Revoked  bool
}

// Registration is what a device sends to create a workspace (its owner) or
// to join one with an invite.
type Registration struct {
	Login  string
	Salt   []byte
	Params seal.Params
	// Auth is the auth secret the device derived from the passphrase; the
	// server stores only an Argon2id hash of it.
	Auth      []byte
	PublicKey []byte
	// Keys is the KEK-wrapped keyring: required to create a workspace,
	// optional when joining (the member stores it later with SetKeys).
	Keys   []byte
	Device DeviceInfo
	// SignupCode lets a workspace be created on a server that asks for
	// one (see Signup); joining ignores it.
	SignupCode string
}

// DeviceInfo names the device that registers or logs in. ID is chosen by
// the device at random and must not be 0.
type DeviceInfo struct {
	ID   uint64
	Name string
}

// Invite is a newly created invite; Code is shown once, the server keeps
// only its hash.
type Invite struct {
	Code    string
	Role    access.Role
	Expires time.Time
}

// Directory is the bbolt-backed directory. It is safe for concurrent use.
type Directory struct {
	db     *bolt.DB
	now    func() time.Time
	secret []byte

	hashing  chan struct{} // bounds concurrent Argon2id runs (19 MiB each)
	throttle *throttle
	signup   Signup
	signups  signupLimiter

	mu       sync.Mutex
	onRevoke []func(ws string, device uint64)
	onKeys   []func(ws, member string)
	onRole   []func(ws, member string, role access.Role)
	seen     map[uint64]seenMark
}

type seenMark struct{ at, written time.Time }

// Option configures Open.
type Option func(*Directory)

// WithClock makes the directory read time from now (tests travel in time
// with it to expire invites and throttles).
func WithClock(now func() time.Time) Option {
	return func(d *Directory) { d.now = now }
}

// Open returns the directory stored in db, creating its buckets and server
// secret on first use.
func Open(db *bolt.DB, opts ...Option) (*Directory, error) {
	d := &Directory{
		db:      db,
		now:     time.Now,
		hashing: make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
		seen:    map[uint64]seenMark{},
	}
	for _, o := range opts {
		o(d)
	}
	d.throttle = newThrottle()
	err := db.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(rootBucket)
		if err != nil {
			return err
		}
		for _, name := range allBuckets {
			if _, err := root.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := root.Bucket(metaBucket)
		if s := meta.Get(secretKey); len(s) == 32 {
			d.secret = append([]byte(nil), s...)
			return nil
		}
		d.secret = make([]byte, 32)
		rand.Read(d.secret)
		return meta.Put(secretKey, d.secret)
	})
	if err != nil {
		return nil, fmt.Errorf("open directory: %w", err)
	}
	return d, nil
}

// OnRevoke registers fn to be called, after the change is committed, for
// every device revoked directly or by removing its member. The sync hub
// registers its Revoke here to close the device's sockets.
func (d *Directory) OnRevoke(fn func(ws string, device uint64)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.onRevoke = append(d.onRevoke, fn)
}

// OnKeys registers fn to be called, after the change is committed, for a
// member whose keys an owner's device stored anew. The sync hub registers
// its Rekey here, so that member's open devices fetch the new keys.
func (d *Directory) OnKeys(fn func(ws, member string)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.onKeys = append(d.onKeys, fn)
}

// OnRole registers fn to be called, after the change is committed, for a
// member whose role an owner changed. The sync hub registers its SetRole
// here, so the member's open sockets stop getting what the old role read
// at once, not at their next message.
func (d *Directory) OnRole(fn func(ws, member string, role access.Role)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.onRole = append(d.onRole, fn)
}

func (d *Directory) roleChanged(ws, member string, role access.Role) {
	d.mu.Lock()
	fns := append([]func(string, string, access.Role){}, d.onRole...)
	d.mu.Unlock()
	for _, fn := range fns {
		fn(ws, member, role)
	}
}

func (d *Directory) keysChanged(ws, member string) {
	d.mu.Lock()
	fns := append([]func(string, string){}, d.onKeys...)
	d.mu.Unlock()
	for _, fn := range fns {
		fn(ws, member)
	}
}

func (d *Directory) revoked(ws string, devices []uint64) {
	d.mu.Lock()
	fns := append([]func(string, uint64){}, d.onRevoke...)
	d.mu.Unlock()
	for _, id := range devices {
		for _, fn := range fns {
			fn(ws, id)
		}
	}
}

// Stored records. Their JSON names are the on-disk format: never rename.

type workspaceRec struct {
	ID       string    `json:"id"`
	Created  time.Time `json:"created"`
	Settings []byte    `json:"settings,omitempty"`
	// KeyGens are the key generations owners registered; nil for a
	// workspace from before registration (see KeyGens).
	KeyGens []KeyGen `json:"key_gens,omitempty"`
	// TeamLog is the signed team log, entry by entry (package teamlog).
	TeamLog [][]byte `json:"team_log,omitempty"`
}

type paramsRec struct {
	Memory uint32 `json:"m"`
	Passes uint32 `json:"t"`
	Lanes  uint8  `json:"p"`
}

func toParamsRec(p seal.Params) paramsRec {
	return paramsRec{Memory: p.Memory, Passes: p.Passes, Lanes: p.Lanes}
}

func (p paramsRec) params() seal.Params {
	return seal.Params{Memory: p.Memory, Passes: p.Passes, Lanes: p.Lanes}
}

type memberRec struct {
	ID            string      `json:"id"`
	Workspace     string      `json:"ws"`
	Login         string      `json:"login"`
	Role          access.Role `json:"role"`
	Status        Status      `json:"status"`
	Created       time.Time   `json:"created"`
	Salt          []byte      `json:"salt"`
	Params        paramsRec   `json:"params"`
	AuthSalt      []byte      `json:"auth_salt"`
	AuthHash      []byte      `json:"auth_hash"`
	PublicKey     []byte      `json:"public_key"`
	Keys          []byte      `json:"keys,omitempty"`
	KeysForMember []byte      `json:"keys_for_member,omitempty"`
}

func (m *memberRec) export() Member {
	return Member{
		ID: m.ID, Workspace: m.Workspace, Login: m.Login, Role: m.Role, Status: m.Status, Created: m.Created,
		Salt: m.Salt, Params: m.Params.params(), PublicKey: m.PublicKey, Keys: m.Keys, KeysForMember: m.KeysForMember,
	}
}

type deviceRec struct {
	ID        uint64    `json:"id"`
	Workspace string    `json:"ws"`
	Member    string    `json:"member"`
	Name      string    `json:"name"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
	Revoked   bool      `json:"revoked,omitempty"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	TokenHash []byte    `json:"token_hash"`
}

type inviteRec struct {
	Workspace string      `json:"ws"`
	Role      access.Role `json:"role"`
	CreatedBy string      `json:"created_by"`
	Created   time.Time   `json:"created"`
	Expires   time.Time   `json:"expires"`
	UsedBy    string      `json:"used_by,omitempty"`
	UsedAt    time.Time   `json:"used_at,omitzero"`
}

// buckets is the directory's buckets inside one transaction.
type buckets struct {
	meta, workspaces, members, logins, loginMore, wsMembers, devices, memberDevs, tokens, invites, signups, audit *bolt.Bucket
}

func open(tx *bolt.Tx) (*buckets, error) {
	root := tx.Bucket(rootBucket)
	if root == nil {
		return nil, errors.New("the directory's buckets are missing: the database is damaged (restore a backup)")
	}
	return &buckets{
		meta: root.Bucket(metaBucket), workspaces: root.Bucket(workspacesBucket), members: root.Bucket(membersBucket),
		logins: root.Bucket(loginsBucket), loginMore: root.Bucket(loginMoreBucket), wsMembers: root.Bucket(wsMembersBucket), devices: root.Bucket(devicesBucket),
		memberDevs: root.Bucket(memberDevsBucket), tokens: root.Bucket(tokensBucket), invites: root.Bucket(invitesBucket), signups: root.Bucket(signupsBucket),
		audit: root.Bucket(auditBucket),
	}, nil
}

func (d *Directory) view(ctx context.Context, fn func(b *buckets) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		return fn(b)
	})
}

func (d *Directory) update(ctx context.Context, fn func(b *buckets) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.db.Update(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		return fn(b)
	})
}

func getJSON(bk *bolt.Bucket, key []byte, v any) (bool, error) {
	raw := bk.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("directory record %x is damaged: %w", key, err)
	}
	return true, nil
}

func putJSON(bk *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return bk.Put(key, raw)
}

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (b *buckets) member(id string) (*memberRec, error) {
	var m memberRec
	ok, err := getJSON(b.members, []byte(id), &m)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return &m, nil
}

func (b *buckets) device(id uint64) (*deviceRec, error) {
	var dv deviceRec
	ok, err := getJSON(b.devices, u64(id), &dv)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return &dv, nil
}

// memberIn returns member id of workspace ws; a member of another workspace
// is reported as not found, so ids cannot be probed across workspaces.
func (b *buckets) memberIn(ws, id string) (*memberRec, error) {
	m, err := b.member(id)
	if err != nil {
		return nil, err
	}
	if m.Workspace != ws {
		return nil, ErrNotFound
	}
	return m, nil
}

func (b *buckets) devicesOf(member string) ([]*deviceRec, error) {
	var out []*deviceRec
	c := b.memberDevs.Cursor()
	prefix := []byte(member)
	for k, _ := c.Seek(prefix); k != nil && len(k) == idLen+8 && string(k[:idLen]) == member; k, _ = c.Next() {
		dv, err := b.device(binary.BigEndian.Uint64(k[idLen:]))
		if err != nil {
			return nil, err
		}
		out = append(out, dv)
	}
	return out, nil
}

func (b *buckets) membersOf(ws string) ([]*memberRec, error) {
	var out []*memberRec
	c := b.wsMembers.Cursor()
	for k, _ := c.Seek([]byte(ws)); k != nil && len(k) == 2*idLen && string(k[:idLen]) == ws; k, _ = c.Next() {
		m, err := b.member(string(k[idLen:]))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

package session

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"

	"pawfile/app/localstore"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/record"
	"pawfile/shared/seal"
)

// teamState is the session's part in the team's keys: one key change at
// a time.
type teamState struct {
	keysMu sync.Mutex // serializes rotations and refreshes of the keyring
}

// Invite creates an invite code for a role. Only an owner may.
func (s *Session) Invite(ctx context.Context, role access.Role) (account.InviteReply, error) {
	var r account.InviteReply
	err := s.api.call(ctx, "POST", "/api/invites", s.token(), account.InviteRequest{Role: account.Role(role)}, &r)
	return r, err
}

// PendingInvite is an invite nobody has used yet, as the owner's team
// screen lists it.
type PendingInvite struct {
	account.PendingInviteReply
	By string // the login of the member who made it, if still known
}

// Invites lists the invites nobody has used yet, oldest first, with who
// made each. Only an owner may.
func (s *Session) Invites(ctx context.Context) ([]PendingInvite, error) {
	var rs []account.PendingInviteReply
	if err := s.api.call(ctx, "GET", "/api/invites", s.token(), nil, &rs); err != nil {
		return nil, err
	}
	ms, err := s.Members(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PendingInvite, 0, len(rs))
	for _, r := range rs {
		p := PendingInvite{PendingInviteReply: r}
		for _, m := range ms {
			if m.Member == r.CreatedBy {
				p.By = m.Login
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// RevokeInvite makes a pending invite unusable. Only an owner may.
func (s *Session) RevokeInvite(ctx context.Context, id string) error {
	return s.api.call(ctx, "DELETE", "/api/invites/"+url.PathEscape(id), s.token(), nil, nil)
}

// Member is a team member as the owner's team screen shows them.
type Member struct {
	account.MemberReply
	Fingerprint string // of PublicKey, computed here
}

// Active reports whether m is still on the team.
func (m Member) Active() bool { return m.Status == "active" }

// Members lists the team. Only an owner may.
func (s *Session) Members(ctx context.Context) ([]Member, error) {
	var ms []account.MemberReply
	if err := s.api.call(ctx, "GET", "/api/members", s.token(), nil, &ms); err != nil {
		return nil, err
	}
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		fp := ""
		if len(m.PublicKey) == 32 {
			fp = seal.Fingerprint([32]byte(m.PublicKey))
		}
		out = append(out, Member{MemberReply: m, Fingerprint: fp})
	}
	return out, nil
}

// MemberID is this device's member id, or "".
func (s *Session) MemberID() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.dev == nil {
		return ""
	}
	return s.dev.Member
}

// DeviceID is this device's id, or 0 before setup.
func (s *Session) DeviceID() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.dev == nil {
		return 0
	}
	return s.dev.Device
}

// errNotOwner is what a non-owner gets for team work; the server refuses
// it too.
var errNotOwner = errors.New("only the workspace owner may manage the team: ask the owner")

// ownerKeys returns a copy of an open owner's keyring and the workspace.
func (s *Session) ownerKeys() (*seal.Keyring, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.phase != Open || s.keys == nil || s.dev == nil {
		return nil, "", errors.New("unlock Pawfile first")
	}
	if s.dev.Role != access.Owner {
		return nil, "", errNotOwner
	}
	return cloneKeys(s.keys), s.dev.Workspace, nil
}

func cloneKeys(k *seal.Keyring) *seal.Keyring {
	return &seal.Keyring{MAC: k.MAC, Keys: slices.Clone(k.Keys)}
}

// GiveAccess wraps the class keys m's role allows to m's public key and
// hands them to the server for m. The owner should compare the
// fingerprint with the one m's device shows first.
func (s *Session) GiveAccess(ctx context.Context, m Member) error {
	keys, ws, err := s.ownerKeys()
	if err != nil {
		return err
	}
	if len(m.PublicKey) != 32 {
		return fmt.Errorf("%s has no usable key: ask them to join again", m.Login)
	}
	b, err := seal.WrapTo([32]byte(m.PublicKey), ws, keys.Only(access.Role(m.Role).Classes()...))
	if err != nil {
		return err
	}
	return s.api.call(ctx, "PUT", "/api/members/"+url.PathEscape(m.Member)+"/keys", s.token(),
		account.KeysForMemberRequest{KeysForMember: b}, nil)
}

// ChangeMember gives m another role, or takes m off the team if role is
// 0 (the server then revokes all m's devices). Classes m could read and
// no longer can get new keys for everything written from now on, given to
// every remaining member who had access (older records stay readable);
// m, if given access before, gets the keys of exactly the new role. Only
// an owner may, not on themselves, and the last owner stays.
func (s *Session) ChangeMember(ctx context.Context, m Member, role access.Role) error {
	s.team.keysMu.Lock()
	defer s.team.keysMu.Unlock()
	keys, _, err := s.ownerKeys()
	if err != nil {
		return err
	}
	self := s.MemberID()
	if m.Member == self {
		return errors.New("you cannot change or remove yourself: ask another owner to do it")
	}
	path, method, in := "/api/members/"+url.PathEscape(m.Member), "DELETE", any(nil)
	if role != 0 {
		method, in = "PATCH", account.RoleRequest{Role: account.Role(role)}
	}
	if err := s.api.call(ctx, method, path, s.token(), in, nil); err != nil {
		return err
	}
	rotated := false
	for _, c := range access.Role(m.Role).Classes() {
		if !role.CanRead(c) {
			keys.Rotate(c)
			rotated = true
		}
	}
	if rotated {
		// The server stores versions only under generations an owner
		// registered: before the first is sealed.
		if err := s.registerKeyGens(ctx, keys); err != nil {
			return fmt.Errorf("the team changed, but its keys were not renewed (%w): try again when online", err)
		}
		if err := s.storeKeys(ctx, keys, 0); err != nil {
			return fmt.Errorf("the team changed, but its keys were not renewed (%w): try again when online", err)
		}
	}
	ms, err := s.Members(ctx)
	var failed []string
	for _, o := range ms {
		give := o.Member == m.Member && m.HasKeys && role != 0 || rotated && o.Member != m.Member && o.Member != self && o.HasKeys
		if o.Active() && give {
			if err := s.GiveAccess(ctx, o); err != nil {
				failed = append(failed, o.Login)
			}
		}
	}
	if err != nil || len(failed) > 0 {
		return fmt.Errorf("the change is made, but not everyone got the new keys (%v %v): use “Give access” again", failed, err)
	}
	return nil
}

// giveOwnersAccess gives the other owners who had access the keys again,
// with the owner class's: their devices then read the settings this one
// moved under it rather than make a key of their own.
func (s *Session) giveOwnersAccess(ctx context.Context) error {
	ms, err := s.Members(ctx)
	if err != nil {
		return fmt.Errorf("give the other owners the owner's key: %w", err)
	}
	self := s.MemberID()
	for _, m := range ms {
		if m.Active() && m.HasKeys && m.Member != self && access.Role(m.Role) == access.Owner {
			if err := s.GiveAccess(ctx, m); err != nil {
				return fmt.Errorf("give %s the owner's key: %w", m.Login, err)
			}
		}
	}
	return nil
}

// registerKeyGens tells the server the key generations keys holds (their
// ids, never the keys), so that it stores versions sealed under them.
// Only an owner may.
func (s *Session) registerKeyGens(ctx context.Context, keys *seal.Keyring) error {
	var req account.KeyGenerationsRequest
	for _, k := range keys.Keys {
		req.Generations = append(req.Generations, account.KeyGeneration{Class: uint8(k.Class), ID: k.ID})
	}
	return s.api.call(ctx, "POST", "/api/keys/generations", s.token(), req, nil)
}

// RevokeDevice cuts one device off (a lost tablet): its token stops
// working at once. The member keeps their other devices and their role.
// Only an owner may revoke another member's device.
func (s *Session) RevokeDevice(ctx context.Context, device account.DeviceID) error {
	return s.api.call(ctx, "POST", "/api/devices/"+device.String()+"/revoke", s.token(), nil, nil)
}

// storeKeys makes next this member's keyring, and role its role if not
// 0: on the server first (a device that cannot store it keeps the old
// one), then on this device, then in memory, where the book sees it at
// once. The caller holds team.keysMu.
func (s *Session) storeKeys(ctx context.Context, next *seal.Keyring, role access.Role) error {
	s.mu.RLock()
	nd, kek := *s.dev, s.kek
	s.mu.RUnlock()
	wrapped, err := seal.WrapKeys(kek, nd.Workspace, next)
	if err != nil {
		return err
	}
	if err := s.api.call(ctx, "PUT", "/api/me/keys", nd.Token, account.KeysRequest{Keys: wrapped}, nil); err != nil {
		return err
	}
	nd.Keys = wrapped
	if role != 0 {
		nd.Role = role
	}
	if err := s.saveDevice(ctx, &nd, false); err != nil {
		return err
	}
	s.mu.Lock()
	if s.keys != nil {
		*s.keys = *next
	}
	s.mu.Unlock()
	s.changed()
	return nil
}

// RefreshKeys asks the server for this member's keys and role and takes
// any key generation this device lacks (the owner renewed keys after a
// member left), and drops the classes the role no longer reads; an
// owner's device registers the generations it holds. The app calls it at
// each connect and when a version names an unknown key.
func (s *Session) RefreshKeys(ctx context.Context) error {
	s.team.keysMu.Lock()
	defer s.team.keysMu.Unlock()
	s.mu.RLock()
	d, kek, id, phase := s.dev, s.kek, s.identity, s.phase
	var cur, next *seal.Keyring
	if s.keys != nil {
		cur, next = cloneKeys(s.keys), cloneKeys(s.keys)
	}
	s.mu.RUnlock()
	if phase != Open || next == nil {
		return nil
	}
	var me account.MeReply
	if err := s.api.call(ctx, "GET", "/api/me", d.Token, nil, &me); err != nil {
		return err
	}
	had := len(next.Keys)
	add := func(k *seal.Keyring, err error) {
		for i := 0; err == nil && i < len(k.Keys); i++ {
			if _, ok := next.Lookup(k.Keys[i].Class, k.Keys[i].ID); !ok {
				next.Keys = append(next.Keys, k.Keys[i])
			}
		}
	}
	add(seal.UnwrapKeys(kek, d.Workspace, me.Keys))
	if id != nil {
		add(seal.UnwrapFrom(id, d.Workspace, me.KeysForMember))
	}
	role := access.Role(me.Role)
	next = next.Only(role.Classes()...)
	// A workspace from before the owner class: the device of an owner
	// (one already, not one just made owner, who gets the key from the
	// owner who promoted them) makes the class's first key, then moves
	// the settings and deletion log under it.
	moving := role == access.Owner && d.Role == access.Owner && !next.Has(record.ClassOwner)
	if moving {
		next.Keys = append(next.Keys, seal.ClassKey{Class: record.ClassOwner, ID: 1, Key: seal.NewKey()})
	}
	if role == access.Owner {
		// A workspace from before registration takes any generation
		// until an owner registers those in use; registering again is
		// harmless.
		if err := s.registerKeyGens(ctx, next); err != nil {
			return fmt.Errorf("register this workspace's key generations: %w", err)
		}
	}
	if role == d.Role && len(next.Keys) == had {
		return nil
	}
	if err := s.storeKeys(ctx, next, role); err != nil {
		return err
	}
	if moving {
		if err := s.moveToOwnerClass(ctx); err != nil {
			return err
		}
		if err := s.giveOwnersAccess(ctx); err != nil {
			return err
		}
	}
	for _, c := range role.Classes() {
		if next.Has(c) && !cur.Has(c) {
			return s.pullAgain(ctx)
		}
	}
	return nil
}

// pullAgain syncs from the start: the server never sent this device the
// records of a class its role gained.
func (s *Session) pullAgain(ctx context.Context) error {
	if err := s.cfg.Store.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaCursor: nil}}); err != nil {
		return err
	}
	s.mu.Lock()
	s.cursor = 0
	stop, done, open := s.stopSync, s.syncDone, s.phase == Open
	s.stopSync, s.syncDone, s.sync = nil, nil, nil
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	if open {
		s.startSync()
	}
	return nil
}

// errStaleKeys stops a pull that met a key this device does not hold yet:
// the cursor stays, and the versions come again after the reconnect, which
// fetches the keys (see startSync).
var errStaleKeys = errors.New("new keys from the owner are on their way: syncing resumes once they are here")

func (s *Session) token() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.dev == nil {
		return ""
	}
	return s.dev.Token
}

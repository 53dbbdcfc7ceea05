package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"pawfile/app/localstore"
	"pawfile/app/syncclient"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/teamlog"
)

// teamState is the session's part in the team's keys: one key change at
// a time.
type teamState struct {
	keysMu sync.Mutex // serializes rotations and refreshes of the keyring
	kept   keptLog    // the log kept on this device (teamkeep.go); under Session.mu
}

// Invite creates an invite code for a role. Only an owner may. The code
// ends with the pin of the team log as this device verified it, so the
// joiner's device accepts only keys and a team this log backs.
func (s *Session) Invite(ctx context.Context, role access.Role) (account.InviteReply, error) {
	s.team.keysMu.Lock()
	defer s.team.keysMu.Unlock()
	var r account.InviteReply
	st, err := s.refreshLocked(ctx)
	if err != nil {
		return r, err
	}
	if st == nil {
		return r, errors.New("unlock Pawfile first")
	}
	if err := s.api.call(ctx, "POST", "/api/invites", s.token(), account.InviteRequest{Role: account.Role(role)}, &r); err != nil {
		return r, err
	}
	r.Code += "-" + st.Pin()
	return r, nil
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

// Members lists the team, each member with the role the signed team log
// gives them (the server's list may say otherwise). Only an owner may.
func (s *Session) Members(ctx context.Context) ([]Member, error) {
	out, err := s.members(ctx)
	if err != nil {
		return nil, err
	}
	s.team.keysMu.Lock()
	defer s.team.keysMu.Unlock()
	st, err := s.refreshLocked(ctx)
	if err != nil {
		return nil, err
	}
	signedRoles(st, out)
	s.mu.Lock()
	s.learnMembersLocked(out)
	s.mu.Unlock()
	return out, nil
}

// signedRoles sets the role of each member the log names to the log's.
func signedRoles(st *teamlog.State, ms []Member) {
	if st == nil {
		return
	}
	for i, m := range ms {
		if lm, ok := st.Active(m.Member); ok {
			ms[i].Role = account.Role(lm.Role)
		}
	}
}

// members lists the team as the server does.
func (s *Session) members(ctx context.Context) ([]Member, error) {
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

// noteTeam keeps the members and roles of st, a verified log, for
// StaffName, and has the screens that name staff read them again if they
// changed.
func (s *Session) noteTeam(st *teamlog.State) {
	s.mu.Lock()
	same := maps.Equal(s.teamRoles, st.Members)
	if !same {
		s.teamRoles = maps.Clone(st.Members)
	}
	s.mu.Unlock()
	if !same {
		s.changed()
	}
}

// StaffName is how this device names team member id to the person on it:
// their login where the device may know it (its own; an owner's device
// reads the team from the server, and any device learns the logins in
// the audit entries it reads), else their role as the signed team log
// states it, numbered when several share it ("Groomer 2"). The logins
// are in the server's directory, which answers owners only, and no record
// the other roles' keys open names a groomer: a front desk sees the role.
func (s *Session) StaffName(id string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.staffNameLocked(id)
}

// staffNameLocked is StaffName; the caller holds mu.
func (s *Session) staffNameLocked(id string) string {
	if s.dev != nil && id == s.dev.Member {
		return s.dev.Login
	}
	if n := s.staff[id]; n != "" {
		return n
	}
	m, ok := s.teamRoles[id]
	switch {
	case !ok:
		return "A team member"
	case m.Removed:
		return "A former team member"
	}
	// Numbered in the order of their ids: the same on every device.
	n, same := 0, 0
	for o, om := range s.teamRoles {
		if om.Role == m.Role && !om.Removed {
			same++
			if o <= id {
				n++
			}
		}
	}
	if same == 1 {
		return m.Role.Label()
	}
	return m.Role.Label() + " " + strconv.Itoa(n)
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
	return &seal.Keyring{MAC: k.MAC, Keys: slices.Clone(k.Keys), Root: k.Root, Signer: slices.Clone(k.Signer)}
}

// GiveAccess signs m into the team log with m's role and public key, then
// wraps the class keys that role allows to that key and hands them to the
// server for m. The owner should compare the fingerprint with the one m's
// device shows first: this is where the team trusts m's key.
func (s *Session) GiveAccess(ctx context.Context, m Member) error {
	s.team.keysMu.Lock()
	defer s.team.keysMu.Unlock()
	st, err := s.refreshLocked(ctx)
	if err != nil {
		return err
	}
	if st == nil {
		return errors.New("unlock Pawfile first")
	}
	return s.giveAccessLocked(ctx, st, m.MemberReply, access.Role(m.Role))
}

// giveAccessLocked is GiveAccess with st, the verified log; an owner gets
// a signing key of their own, certified in the log. The caller holds
// team.keysMu.
func (s *Session) giveAccessLocked(ctx context.Context, st *teamlog.State, m account.MemberReply, role access.Role) error {
	keys, ws, err := s.ownerKeys()
	if err != nil {
		return err
	}
	e, seed, need, err := memberEntry(st, m, role, true)
	if err != nil {
		return err
	}
	if need {
		if err := s.appendTeam(ctx, s.device(), st, keys.Signing(), []teamlog.Entry{e}); err != nil {
			return err
		}
		if err := s.pinTeam(ctx, st); err != nil {
			return err
		}
	}
	give := keys.Only(role.Classes()...)
	give.Signer = seed
	b, err := seal.WrapTo(e.Box, ws, give)
	if err != nil {
		return err
	}
	return s.api.call(ctx, "PUT", "/api/members/"+url.PathEscape(m.Member)+"/keys", s.token(),
		account.KeysForMemberRequest{KeysForMember: b}, nil)
}

// ChangeMember gives m another role, or takes m off the team if role is
// 0 (the server then revokes all m's devices), and signs the change into
// the team log. Classes m could read and no longer can get new keys for
// everything written from now on, stated in the log and given to every
// remaining member the log names who had access (older records stay
// readable); m, if given access before, gets the keys of exactly the new
// role. Only an owner may, not on themselves, and the last owner stays.
func (s *Session) ChangeMember(ctx context.Context, m Member, role access.Role) error {
	s.team.keysMu.Lock()
	defer s.team.keysMu.Unlock()
	if _, _, err := s.ownerKeys(); err != nil {
		return err
	}
	st, err := s.refreshLocked(ctx)
	if err != nil {
		return err
	}
	keys, ws, err := s.ownerKeys()
	if err != nil {
		return err
	}
	self := s.MemberID()
	if m.Member == self {
		return errors.New("you cannot change or remove yourself: ask another owner to do it")
	}
	if keys.Signing() == nil {
		return errCannotSign
	}
	path, method, in := "/api/members/"+url.PathEscape(m.Member), "DELETE", any(nil)
	if role != 0 {
		method, in = "PATCH", account.RoleRequest{Role: account.Role(role)}
	}
	if err := s.api.call(ctx, method, path, s.token(), in, nil); err != nil {
		return err
	}
	var es []teamlog.Entry
	if _, known := st.Active(m.Member); role == 0 && known {
		es = append(es, teamlog.Entry{Kind: teamlog.KindRemove, Member: m.Member})
	} else if role != 0 && !m.HasKeys {
		// One given access later is signed in then.
		if e, _, need, err := memberEntry(st, m.MemberReply, role, false); err == nil && need {
			es = append(es, e)
		}
	}
	// The role whose keys m holds is the one the log gave them; the
	// server's list may say less.
	had := access.Role(m.Role)
	if lm, ok := st.Active(m.Member); ok {
		had = lm.Role
	}
	rotated := false
	for _, c := range had.Classes() {
		if !role.CanRead(c) {
			es = append(es, keyEntries(ws, seal.Key{}, []seal.ClassKey{keys.Rotate(c)})...)
			rotated = true
		}
	}
	if rotated {
		// The server stores versions only under generations an owner
		// registered: before the first is sealed.
		if err := s.registerKeyGens(ctx, keys); err != nil {
			return fmt.Errorf("the team changed, but its keys were not renewed (%w): try again when online", err)
		}
	}
	if err := s.appendTeam(ctx, s.device(), st, keys.Signing(), es); err != nil {
		return fmt.Errorf("the team changed on the server, but the change is not signed (%w): try again when online", err)
	}
	if rotated {
		err = s.storeKeys(ctx, keys, 0, st)
	} else {
		err = s.pinTeam(ctx, st)
	}
	if err != nil {
		return fmt.Errorf("the team changed, but its keys were not renewed (%w): try again when online", err)
	}
	ms, err := s.members(ctx)
	var failed []string
	for _, o := range ms {
		give := o.Member == m.Member && m.HasKeys && role != 0 || rotated && o.Member != m.Member && o.Member != self && o.HasKeys
		if !o.Active() || !give {
			continue
		}
		r := role
		if o.Member != m.Member {
			// Keys go only to members the log names, with the role it says.
			lm, ok := st.Active(o.Member)
			if !ok {
				failed = append(failed, o.Login)
				continue
			}
			r = lm.Role
		}
		if err := s.giveAccessLocked(ctx, st, o.MemberReply, r); err != nil {
			failed = append(failed, o.Login)
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
// The caller holds team.keysMu; st is the verified log, which names the
// owners.
func (s *Session) giveOwnersAccess(ctx context.Context, st *teamlog.State) error {
	ms, err := s.members(ctx)
	if err != nil {
		return fmt.Errorf("give the other owners the owner's key: %w", err)
	}
	self := s.MemberID()
	for _, m := range ms {
		if lm, ok := st.Active(m.Member); ok && lm.Role == access.Owner && m.Active() && m.HasKeys && m.Member != self {
			if err := s.giveAccessLocked(ctx, st, m.MemberReply, access.Owner); err != nil {
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
// one), then on this device with st's head pinned if st is not nil, then
// in memory, where the book sees it at once. The caller holds
// team.keysMu.
func (s *Session) storeKeys(ctx context.Context, next *seal.Keyring, role access.Role, st *teamlog.State) error {
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
	if st != nil {
		nd.TeamLen, nd.TeamHead = st.Len, append([]byte(nil), st.Head[:]...)
	}
	if err := s.saveDevice(ctx, &nd, false); err != nil {
		return err
	}
	s.mu.Lock()
	if s.keys != nil {
		*s.keys = *next
		s.dropMoneyLocked() // the owner's key may read the settings now
	}
	s.mu.Unlock()
	if err := s.retryQuarantine(ctx, false); err != nil {
		s.log.Printf("open the versions set aside with the new keys: err=%v", err)
	}
	s.changed()
	return nil
}

// pinTeam keeps st's length and head on this device: a server showing
// less, or another history, is refused from now on.
func (s *Session) pinTeam(ctx context.Context, st *teamlog.State) error {
	nd := *s.device()
	if nd.TeamLen == st.Len && string(nd.TeamHead) == string(st.Head[:]) {
		return nil
	}
	nd.TeamLen, nd.TeamHead = st.Len, append([]byte(nil), st.Head[:]...)
	return s.saveDevice(ctx, &nd, false)
}

func (s *Session) device() *device {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.dev
}

// RefreshKeys asks the server for this member's keys, role and the signed
// team log, and takes any key generation this device lacks that the log
// states (the owner renewed keys after a member left), the role the log
// gives, and drops the classes that role no longer reads. Keys and team
// changes no owner signed are refused, and TrustProblem says so. The app
// calls it at each connect and when a version names an unknown key. An
// owner's device whose workspace has no log yet signs one (the migration
// of workspaces made before the log), registers the key generations it
// holds with the server, and in a workspace from before the owner class
// makes that class's first key (see moveToOwnerClass).
func (s *Session) RefreshKeys(ctx context.Context) error {
	s.team.keysMu.Lock()
	defer s.team.keysMu.Unlock()
	_, err := s.refreshLocked(ctx)
	return err
}

// refreshLocked is RefreshKeys; it returns the verified log, nil while
// locked or before the workspace has one. The caller holds team.keysMu.
func (s *Session) refreshLocked(ctx context.Context) (*teamlog.State, error) {
	s.mu.RLock()
	d, kek, id, phase := s.dev, s.kek, s.identity, s.phase
	var cur, next *seal.Keyring
	if s.keys != nil {
		cur, next = cloneKeys(s.keys), cloneKeys(s.keys)
	}
	s.mu.RUnlock()
	if phase != Open || next == nil {
		return nil, nil
	}
	var me account.MeReply
	if err := s.api.call(ctx, "GET", "/api/me", d.Token, nil, &me); err != nil {
		return nil, err
	}
	entries, err := s.teamLog(ctx, d.Token)
	if err != nil {
		return nil, err
	}
	// Only this member's passphrase seals its own keyring: what is in it,
	// another device of this member took before.
	if own, err := seal.UnwrapKeys(kek, d.Workspace, me.Keys); err == nil {
		for _, ck := range own.Keys {
			if _, ok := next.Lookup(ck.Class, ck.ID); !ok {
				next.Keys = append(next.Keys, ck)
			}
		}
		if next.Root == ([32]byte{}) {
			next.Root = own.Root
		}
		if next.Signer == nil {
			next.Signer = own.Signer
		}
	}
	var st *teamlog.State
	// The cheap facts first: the signer's public key costs a derivation,
	// and the first in a page builds ed25519's tables (25–75 ms of a new
	// tablet's sign-in, measured in Chromium).
	if len(entries) == 0 && d.TeamLen == 0 && d.Role == access.Owner &&
		(next.Root == ([32]byte{}) || next.Signer != nil && next.Root == seal.SignerPublic(next.Signer)) {
		// A workspace from before the log, or whose first entries never
		// reached the server: this owner signs the team as it stands.
		st, err = s.signGenesis(ctx, d, id, next)
	} else {
		st, err = verifyTeam(d, id, next, entries)
	}
	if err != nil {
		if errors.Is(err, errUnsigned) {
			s.setTrust(problemText(err))
		}
		return nil, err
	}
	role := d.Role
	if st != nil {
		if m, ok := st.Active(d.Member); ok {
			role = m.Role
		}
		s.noteTeam(st)
		s.keepTeam(ctx, st, entries)
	}
	refused := 0
	if id != nil && len(me.KeysForMember) > 0 {
		if blob, err := seal.UnwrapFrom(id, d.Workspace, me.KeysForMember); err == nil {
			refused = adopt(st, d, next, blob)
		}
	}
	problem := ""
	if refused > 0 {
		problem = refusedKeys(refused)
	}
	s.setTrust(problem)
	next = keysOf(next, role)
	// A workspace from before the owner class: the device of an owner
	// (one already, not one just made owner, who gets the key from the
	// owner who promoted them) makes the class's first key, unless the log
	// states one already, signs it into the log, then moves the settings
	// and deletion log under it.
	moving := false
	if st != nil && role == access.Owner && d.Role == access.Owner && !next.Has(record.ClassOwner) {
		if _, stated := st.Keys[teamlog.KeyID{Class: record.ClassOwner, Gen: 1}]; !stated {
			ck := seal.ClassKey{Class: record.ClassOwner, ID: 1, Key: seal.NewKey()}
			if err := s.appendTeam(ctx, d, st, next.Signing(), keyEntries(d.Workspace, seal.Key{}, []seal.ClassKey{ck})); err != nil {
				return nil, fmt.Errorf("make the owner's key: %w", err)
			}
			next.Keys, moving = append(next.Keys, ck), true
		}
	}
	if role == access.Owner {
		// A workspace from before registration takes any generation
		// until an owner registers those in use; registering again is
		// harmless.
		if err := s.registerKeyGens(ctx, next); err != nil {
			return nil, fmt.Errorf("register this workspace's key generations: %w", err)
		}
	}
	same := role == d.Role && len(next.Keys) == len(cur.Keys) && next.Root == cur.Root && slices.Equal(next.Signer, cur.Signer)
	switch {
	case same && st != nil:
		return st, s.pinTeam(ctx, st)
	case same:
		return st, nil
	}
	if err := s.storeKeys(ctx, next, role, st); err != nil {
		return nil, err
	}
	if moving {
		if err := s.moveToOwnerClass(ctx); err != nil {
			return nil, err
		}
		if err := s.giveOwnersAccess(ctx, st); err != nil {
			return nil, err
		}
	}
	for _, c := range role.Classes() {
		if next.Has(c) && !cur.Has(c) {
			return st, s.pullAgain(ctx)
		}
	}
	return st, nil
}

// pullAgain syncs from the start: the server never sent this device the
// records of a class its role gained.
func (s *Session) pullAgain(ctx context.Context) error {
	// The write lock: a pull being stored must not set the cursor after.
	s.wmu.Lock()
	if err := s.cfg.Store.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaCursor: nil}}); err != nil {
		s.wmu.Unlock()
		return err
	}
	s.mu.Lock()
	s.wmu.Unlock()
	s.cursor, s.boot = 0, syncclient.Progress{}
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

func (s *Session) token() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.dev == nil {
		return ""
	}
	return s.dev.Token
}

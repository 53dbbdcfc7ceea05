package session

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"

	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/seal"
	"pawfile/shared/teamlog"
)

// The device trusts keys and roles only as the workspace's signed team
// log states them (package teamlog), checked from the root this member's
// keyring pins: the server may withhold the log, never change it.

// TrustProblem is what this device refused from the server when it last
// checked the team: keys or team changes no owner signed. "" if none.
func (s *Session) TrustProblem() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.trust
}

func (s *Session) setTrust(problem string) {
	s.mu.Lock()
	changed := s.trust != problem
	s.trust = problem
	s.mu.Unlock()
	if problem != "" {
		s.log.Printf("refused from the server: %s", problem)
	}
	if changed {
		s.changed()
	}
}

// errUnsigned is wrapped by every refusal of what the log does not back.
var errUnsigned = errors.New("not signed by an owner of this workspace")

func (s *Session) teamLog(ctx context.Context, token string) ([][]byte, error) {
	var r account.TeamLogReply
	if err := s.api.call(ctx, "GET", "/api/team", token, nil, &r); err != nil {
		return nil, err
	}
	return r.Entries, nil
}

// verifyTeam checks the server's log against what this device holds: the
// root its keyring pins and the head it saw last (so the log cannot be
// rolled back). A device with no root yet takes the log's first signed
// state only if it matches: the pin of its invite, or else every key it
// already holds. keys.Root is set when it pins a root; a nil state means
// the workspace has no log yet.
func verifyTeam(d *device, id *seal.Identity, keys *seal.Keyring, entries [][]byte) (*teamlog.State, error) {
	if len(entries) == 0 {
		if keys.Root != ([32]byte{}) || d.TeamLen > 0 {
			return nil, fmt.Errorf("the server no longer shows the team's signed record: %w", errUnsigned)
		}
		return nil, nil
	}
	st, err := teamlog.Verify(d.Workspace, keys.Root, entries)
	if err != nil {
		return nil, fmt.Errorf("the team's record from the server does not check out (%v): %w", err, errUnsigned)
	}
	if d.TeamLen > 0 {
		if h, ok := st.HashAt(d.TeamLen - 1); !ok || string(h[:]) != string(d.TeamHead) {
			return nil, fmt.Errorf("the server shows an older or different team record than this device saw: %w", errUnsigned)
		}
	}
	if keys.Root != ([32]byte{}) {
		return st, nil
	}
	if d.InvitePin != "" {
		if !st.HasPin(d.InvitePin) {
			return nil, fmt.Errorf("the team's record does not match your invite: %w", errUnsigned)
		}
	} else if err := matches(st, d, id, keys); err != nil {
		return nil, err
	}
	keys.Root = st.Root
	return st, nil
}

// matches checks that a log met for the first time states this member and
// every key the device already holds, as it holds them.
func matches(st *teamlog.State, d *device, id *seal.Identity, keys *seal.Keyring) error {
	m, ok := st.Active(d.Member)
	if !ok || id != nil && m.Box != id.Public {
		return fmt.Errorf("the team's first signed record does not name this member with this device's key: %w", errUnsigned)
	}
	if st.Keys[teamlog.KeyID{Class: teamlog.MACClass}] != seal.Commitment(d.Workspace, teamlog.MACClass, 0, keys.MAC) {
		return fmt.Errorf("the team's first signed record does not match this device's keys: %w", errUnsigned)
	}
	for _, ck := range keys.Keys {
		if !signed(st, d.Workspace, ck) {
			return fmt.Errorf("the team's first signed record does not match this device's %v key %d: %w", ck.Class, ck.ID, errUnsigned)
		}
	}
	return nil
}

// signed reports whether the log states ck.
func signed(st *teamlog.State, ws string, ck seal.ClassKey) bool {
	c, ok := st.Keys[teamlog.KeyID{Class: ck.Class, Gen: ck.ID}]
	return ok && c == seal.Commitment(ws, ck.Class, ck.ID, ck.Key)
}

// adopt adds to next the keys of blob (wrapped to this member by someone)
// that the log states, and an owner's signing seed the log gives this
// member. It returns how many keys it refused.
func adopt(st *teamlog.State, d *device, next, blob *seal.Keyring) int {
	refused := 0
	for _, ck := range blob.Keys {
		if _, ok := next.Lookup(ck.Class, ck.ID); ok {
			continue
		}
		if st == nil || !signed(st, d.Workspace, ck) {
			refused++
			continue
		}
		next.Keys = append(next.Keys, ck)
	}
	if st != nil && next.Signer == nil && blob.Signer != nil {
		if m, ok := st.Active(d.Member); ok && m.Sign == seal.SignerPublic(blob.Signer) {
			next.Signer = blob.Signer
		}
	}
	return refused
}

// refusedKeys is what a person reads of keys refused.
func refusedKeys(n int) string {
	return fmt.Sprintf("This device refused %d key(s) from the server that no owner signed, and keeps using the keys it holds. If the owner has just changed the team, ask them to open Pawfile once; if not, tell the owner: the server may have been tampered with.", n)
}

// problemText is what a person reads of a refused team record.
func problemText(err error) string {
	return "This device refused the team record the server sent: " + err.Error() + ". It keeps the keys and role it holds. Tell the owner: the server may have been tampered with."
}

// signGenesis starts the log of a workspace that has none: this owner's
// device signs the team as it stands (itself, the members it gave access
// to, every key it holds) and pins itself as the root. Existing
// workspaces migrate so at an owner's first connection.
func (s *Session) signGenesis(ctx context.Context, d *device, id *seal.Identity, keys *seal.Keyring) (*teamlog.State, error) {
	if keys.Signer == nil {
		keys.Signer = seal.NewSigner()
	}
	root := seal.SignerPublic(keys.Signer)
	var ms []account.MemberReply
	if err := s.api.call(ctx, "GET", "/api/members", d.Token, nil, &ms); err != nil {
		return nil, err
	}
	self := teamlog.Entry{Kind: teamlog.KindMember, Member: d.Member, Role: access.Owner, Sign: root}
	if id != nil {
		self.Box = id.Public
	}
	es := []teamlog.Entry{self}
	for _, m := range ms {
		switch {
		case m.Member == d.Member && id == nil && len(m.PublicKey) == 32:
			es[0].Box = [32]byte(m.PublicKey)
		case m.Member != d.Member && m.Status == "active" && m.HasKeys && len(m.PublicKey) == 32:
			// Other owners get a signing key when next given access.
			es = append(es, teamlog.Entry{Kind: teamlog.KindMember, Member: m.Member, Role: access.Role(m.Role), Box: [32]byte(m.PublicKey)})
		}
	}
	es = append(es, keyEntries(d.Workspace, keys.MAC, keys.Keys)...)
	st := teamlog.New(d.Workspace)
	if err := s.appendTeam(ctx, d, st, keys.Signing(), es); err != nil {
		return nil, err
	}
	keys.Root = root
	return st, nil
}

// keyEntries states the MAC key (if not zero) and key generations.
func keyEntries(ws string, mac seal.Key, cks []seal.ClassKey) []teamlog.Entry {
	var es []teamlog.Entry
	if mac != (seal.Key{}) {
		es = append(es, teamlog.Entry{Kind: teamlog.KindKey, Class: teamlog.MACClass, Commit: seal.Commitment(ws, teamlog.MACClass, 0, mac)})
	}
	for _, ck := range cks {
		es = append(es, teamlog.Entry{Kind: teamlog.KindKey, Class: ck.Class, Gen: ck.ID, Commit: seal.Commitment(ws, ck.Class, ck.ID, ck.Key)})
	}
	return es
}

// errCannotSign is what an owner whose device holds no signing key gets.
var errCannotSign = errors.New("this device cannot sign team changes yet: ask another owner to give you access again, then open Pawfile once")

// appendTeam signs es with key, applies them to st and sends them to the
// server.
func (s *Session) appendTeam(ctx context.Context, d *device, st *teamlog.State, key ed25519.PrivateKey, es []teamlog.Entry) error {
	if len(es) == 0 {
		return nil
	}
	if key == nil {
		return errCannotSign
	}
	from := st.Len
	raw := make([][]byte, 0, len(es))
	for _, e := range es {
		e = st.Next(e)
		e.SignWith(d.Workspace, key)
		if err := st.Apply(e); err != nil {
			return fmt.Errorf("sign the team change: %w", err)
		}
		raw = append(raw, e.Marshal())
	}
	if err := s.api.call(ctx, "POST", "/api/team", d.Token, account.TeamLogRequest{From: from, Entries: raw}, nil); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == account.TeamLogMoved {
			return errors.New("the team changed on another device meanwhile: try again")
		}
		return fmt.Errorf("record the team change: %w", err)
	}
	s.keepAppended(ctx, st, from, raw)
	return nil
}

// memberEntry is the entry that makes the log state m with role and its
// public key and, withSeed, the signing seed it gives m if m becomes an
// owner without one; ok is false if the log states m so already.
func memberEntry(st *teamlog.State, m account.MemberReply, role access.Role, withSeed bool) (e teamlog.Entry, seed []byte, ok bool, err error) {
	if len(m.PublicKey) != 32 {
		return e, nil, false, fmt.Errorf("%s has no usable key: ask them to join again", m.Login)
	}
	box := [32]byte(m.PublicKey)
	old, known := st.Active(m.Member)
	if known && old.Box != box {
		return e, nil, false, fmt.Errorf("%s's key on the server is not the one signed before: ask them to join again, and tell the owner the server may have been tampered with", m.Login)
	}
	e = teamlog.Entry{Kind: teamlog.KindMember, Member: m.Member, Role: role, Box: box}
	if role == access.Owner {
		e.Sign = old.Sign // zero unless already an owner
		if withSeed && (!known || old.Role != access.Owner || old.Sign == ([32]byte{})) {
			seed = seal.NewSigner()
			e.Sign = seal.SignerPublic(seed)
		}
	}
	return e, seed, !known || old.Role != role || old.Sign != e.Sign, nil
}

// invitePin splits what a joiner typed into the server's invite code and
// the team log pin the inviting owner's device added.
func invitePin(code string) (server, pin string, err error) {
	i := strings.LastIndexByte(code, '-')
	if i <= 0 || len(code)-i-1 != 16 {
		return "", "", errors.New("this invite code is incomplete or from an older Pawfile: ask the owner for a new invite")
	}
	return code[:i], strings.ToUpper(code[i+1:]), nil
}

// keysOf is the keyring a member of role holds from ks.
func keysOf(ks *seal.Keyring, role access.Role) *seal.Keyring {
	out := ks.Only(role.Classes()...)
	out.Root = ks.Root
	if role == access.Owner {
		out.Signer = ks.Signer
	}
	return out
}

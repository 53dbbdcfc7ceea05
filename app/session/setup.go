package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"pawfile/app/localstore"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/seal"
	"pawfile/shared/teamlog"
)

// newSecrets derives a new account's secrets from its passphrase, with the
// salt and parameters the server gives its login: every account with a
// login shares them, so that the server never has to say a login is taken
// (see server/directory's logins.go).
func (s *Session) newSecrets(ctx context.Context, login, passphrase string) ([]byte, seal.Params, seal.Secrets, error) {
	var lp account.LoginParamsReply
	if err := s.api.call(ctx, "GET", "/api/login?login="+url.QueryEscape(login), "", nil, &lp); err != nil {
		return nil, seal.Params{}, seal.Secrets{}, err
	}
	params := lp.Params.Seal()
	sec, err := seal.Derive([]byte(passphrase), lp.Salt, params)
	if err != nil {
		return nil, seal.Params{}, seal.Secrets{}, fmt.Errorf("the server's sign-in settings are not usable (%v): ask whoever runs the server to check it", err)
	}
	return lp.Salt, params, sec, nil
}

// deviceOf is this device's setup as the server granted it.
func deviceOf(g account.GrantReply, login string, salt []byte, params account.Params) *device {
	return &device{Workspace: g.Workspace, Member: g.Member, Login: login, Role: access.Role(g.Role), Device: uint64(g.Device),
		Token: g.DeviceToken, Salt: salt, Params: params}
}

// MinPassphrase is the shortest passphrase a new account may choose.
const MinPassphrase = 10

// CheckLogin says what is wrong with a login, or nil.
func CheckLogin(login string) error {
	if n := len([]rune(strings.TrimSpace(login))); n < 3 || n > 120 {
		return errors.New("enter your email or a user name of 3 to 120 characters")
	}
	return nil
}

// CheckNewPassphrase says what is wrong with a new passphrase, or nil.
func CheckNewPassphrase(p string) error {
	if len([]rune(p)) < MinPassphrase {
		return fmt.Errorf("use at least %d characters: a few words you can remember work well", MinPassphrase)
	}
	return nil
}

// CreateWorkspace makes a new workspace with this device's person as its
// owner and opens it. signupCode is the code of a server that asks for one
// (from its setup link or typed), or "". Key derivation is slow on
// purpose: show a wait state first.
func (s *Session) CreateWorkspace(ctx context.Context, signupCode, login, passphrase string) error {
	login = strings.TrimSpace(login)
	if err := errors.Join(CheckLogin(login), CheckNewPassphrase(passphrase)); err != nil {
		return err
	}
	salt, params, sec, err := s.newSecrets(ctx, login, passphrase)
	if err != nil {
		return err
	}
	keys := seal.NewKeyring()
	id, err := seal.NewIdentity()
	if err != nil {
		return err
	}
	// The workspace id is the server's to choose: the first wrap is bound
	// to no workspace, and replaced once the id is known.
	interim, err := seal.WrapKeys(sec.KEK, "", keys)
	if err != nil {
		return err
	}
	devID := newDeviceID()
	var g account.GrantReply
	if err := s.api.call(ctx, "POST", "/api/workspaces", "", account.CreateWorkspaceRequest{
		Login: login, Salt: salt, Params: account.ParamsOf(params), Auth: sec.Auth[:], Keys: interim,
		PublicKey: id.Public[:], DeviceID: account.DeviceID(devID), DeviceName: s.cfg.DeviceName,
		SignupCode: strings.TrimSpace(signupCode),
	}, &g); err != nil {
		return err
	}
	d := deviceOf(g, login, salt, account.ParamsOf(params))
	// The creator's signing key is the workspace's root: the first entry
	// of the team log. If it does not reach the server now, the next
	// connection signs it.
	if st, err := s.signGenesis(ctx, d, id, keys); err != nil {
		s.log.Printf("sign the team log; the next connection tries again: err=%v", err)
	} else {
		d.TeamLen, d.TeamHead = st.Len, st.Head[:]
	}
	if d.Keys, err = seal.WrapKeys(sec.KEK, d.Workspace, keys); err != nil {
		return err
	}
	if d.Identity, err = seal.WrapIdentity(sec.KEK, d.Workspace, id); err != nil {
		return err
	}
	if err := s.api.call(ctx, "PUT", "/api/me/keys", d.Token, account.KeysRequest{Keys: d.Keys}, nil); err != nil {
		s.log.Printf("store the workspace-bound keys on the server; the interim ones stay: err=%v", err)
	}
	if err := s.saveDevice(ctx, d, true); err != nil {
		return err
	}
	return s.open(ctx, d, sec.KEK, keys, id)
}

// SignIn sets this device up for an existing member and opens the
// workspace; its records then come from the server.
func (s *Session) SignIn(ctx context.Context, login, passphrase string) error {
	login = strings.TrimSpace(login)
	if err := CheckLogin(login); err != nil {
		return err
	}
	if passphrase == "" {
		return errors.New("enter your passphrase")
	}
	var lp account.LoginParamsReply
	if err := s.api.call(ctx, "GET", "/api/login?login="+url.QueryEscape(login), "", nil, &lp); err != nil {
		return err
	}
	sec, err := seal.Derive([]byte(passphrase), lp.Salt, lp.Params.Seal())
	if err != nil {
		return fmt.Errorf("the server's sign-in settings are not usable (%v): ask the owner to check the server", err)
	}
	devID := newDeviceID()
	var g account.GrantReply
	if err := s.api.call(ctx, "POST", "/api/login", "", account.LoginRequest{
		Login: login, Auth: sec.Auth[:], DeviceID: account.DeviceID(devID), DeviceName: s.cfg.DeviceName,
	}, &g); err != nil {
		return err
	}
	d := deviceOf(g, login, lp.Salt, lp.Params)
	var keys *seal.Keyring
	if len(g.Keys) > 0 {
		keys, err = seal.UnwrapKeys(sec.KEK, d.Workspace, g.Keys)
		if err != nil {
			// A workspace whose owner's first device never came back
			// online still holds the interim wrap.
			keys, err = seal.UnwrapKeys(sec.KEK, "", g.Keys)
		}
		if err != nil {
			return errWrongPassphrase
		}
		if d.Keys, err = seal.WrapKeys(sec.KEK, d.Workspace, keys); err != nil {
			return err
		}
	}
	if err := s.saveDevice(ctx, d, true); err != nil {
		return err
	}
	if keys == nil {
		s.mu.Lock()
		s.dev, s.kek, s.phase = d, sec.KEK, Waiting
		s.mu.Unlock()
		s.changed()
		return errors.New("your keys are not on the server yet: open Pawfile on the device you joined with, or ask the owner to give you access")
	}
	return s.open(ctx, d, sec.KEK, keys, nil)
}

// Join sets this device up for a new member with an invite code. The
// member waits until the owner's device gives them the keys their role
// allows (Waiting); Fingerprint shows what the owner should see.
func (s *Session) Join(ctx context.Context, code, login, passphrase string) error {
	login, code = strings.TrimSpace(login), strings.TrimSpace(code)
	if code == "" {
		return errors.New("enter the invite code the owner gave you")
	}
	code, pin, err := invitePin(code)
	if err != nil {
		return err
	}
	if err := errors.Join(CheckLogin(login), CheckNewPassphrase(passphrase)); err != nil {
		return err
	}
	salt, params, sec, err := s.newSecrets(ctx, login, passphrase)
	if err != nil {
		return err
	}
	id, err := seal.NewIdentity()
	if err != nil {
		return err
	}
	var g account.GrantReply
	if err := s.api.call(ctx, "POST", "/api/join", "", account.JoinRequest{
		Code: code, Login: login, Salt: salt, Params: account.ParamsOf(params), Auth: sec.Auth[:], PublicKey: id.Public[:],
		DeviceID: account.DeviceID(newDeviceID()), DeviceName: s.cfg.DeviceName,
	}, &g); err != nil {
		return err
	}
	d := deviceOf(g, login, salt, account.ParamsOf(params))
	d.InvitePin = pin
	if d.Identity, err = seal.WrapIdentity(sec.KEK, d.Workspace, id); err != nil {
		return err
	}
	if err := s.saveDevice(ctx, d, true); err != nil {
		return err
	}
	s.mu.Lock()
	s.dev, s.kek, s.identity, s.phase = d, sec.KEK, id, Waiting
	s.mu.Unlock()
	s.changed()
	_, err = s.CheckKeys(ctx)
	return err
}

// Fingerprint is this member's key fingerprint, for the owner to compare
// when giving access; "" if the device holds no identity.
func (s *Session) Fingerprint() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.identity == nil {
		return ""
	}
	return seal.Fingerprint(s.identity.Public)
}

// CheckKeys asks the server, while Waiting, whether the owner has given
// this member their keys, and opens the workspace if so. It takes them
// only as the team log states them, a log that holds the pin of the
// invite this member joined with: keys the server made are refused.
func (s *Session) CheckKeys(ctx context.Context) (bool, error) {
	s.mu.RLock()
	d, kek, id, phase := s.dev, s.kek, s.identity, s.phase
	s.mu.RUnlock()
	if phase != Waiting || id == nil {
		return false, nil
	}
	var me account.MeReply
	if err := s.api.call(ctx, "GET", "/api/me", d.Token, nil, &me); err != nil {
		return false, err
	}
	if len(me.KeysForMember) == 0 {
		return false, nil
	}
	blob, err := seal.UnwrapFrom(id, d.Workspace, me.KeysForMember)
	if err != nil {
		return false, fmt.Errorf("the keys the owner gave do not open with this device's identity (%v): ask the owner to give access again", err)
	}
	if d.InvitePin == "" {
		return false, errors.New("this device joined with an invite from an older Pawfile, which cannot check its keys: ask the owner for a new invite and join again")
	}
	entries, err := s.teamLog(ctx, d.Token)
	if err != nil {
		return false, err
	}
	keys, role, st, err := joinerKeys(d, id, blob, entries)
	if err != nil {
		s.setTrust(problemText(err))
		return false, err
	}
	s.setTrust("")
	nd := *d
	nd.Role, nd.InvitePin = role, ""
	nd.TeamLen, nd.TeamHead = st.Len, st.Head[:]
	if nd.Keys, err = seal.WrapKeys(kek, d.Workspace, keys); err != nil {
		return false, err
	}
	if err := s.api.call(ctx, "PUT", "/api/me/keys", d.Token, account.KeysRequest{Keys: nd.Keys}, nil); err != nil {
		s.log.Printf("store this member's keys on the server: err=%v", err)
	}
	if err := s.saveDevice(ctx, &nd, false); err != nil {
		return false, err
	}
	return true, s.open(ctx, &nd, kek, keys, id)
}

// joinerKeys checks the keys wrapped to a new member against the log its
// invite pins: the log must name this member with this device's key, and
// state the MAC key and every key generation given. All or nothing.
func joinerKeys(d *device, id *seal.Identity, blob *seal.Keyring, entries [][]byte) (*seal.Keyring, access.Role, *teamlog.State, error) {
	keys := &seal.Keyring{MAC: blob.MAC}
	st, err := verifyTeam(d, id, keys, entries)
	if err == nil && st == nil {
		err = fmt.Errorf("the server shows no signed team record: %w", errUnsigned)
	}
	if err != nil {
		return nil, 0, nil, err
	}
	if err := matches(st, d, id, blob); err != nil {
		return nil, 0, nil, fmt.Errorf("the keys the server handed this device are not the ones the owner who invited you signed (%w): ask the owner to give access again", err)
	}
	m, _ := st.Active(d.Member)
	keys.Keys = blob.Keys
	adopt(st, d, keys, blob)
	return keysOf(keys, m.Role), m.Role, st, nil
}

// PrepareKey makes ready, in the background, what deriving the key of the
// passphrase being typed needs (seal.Prepare): with this device's
// settings, or with the server's usual ones before it is set up.
func (s *Session) PrepareKey() {
	s.mu.RLock()
	d := s.dev
	s.mu.RUnlock()
	p := seal.DefaultParams
	if d != nil {
		p = d.Params.Seal()
	}
	seal.Prepare(p)
}

// Unlock opens the records on this device with the passphrase. It needs
// no network.
func (s *Session) Unlock(ctx context.Context, passphrase string) error {
	s.mu.RLock()
	d, phase := s.dev, s.phase
	s.mu.RUnlock()
	if d == nil {
		return errors.New("this device is not set up yet: create a workspace or sign in")
	}
	if phase == Open {
		return nil
	}
	if passphrase == "" {
		return errors.New("enter your passphrase")
	}
	rows := s.readRecords(ctx)
	sec, err := seal.Derive([]byte(passphrase), d.Salt, d.Params.Seal())
	if err != nil {
		return fmt.Errorf("this device's setup is damaged (%v): clear the site's data and sign in again", err)
	}
	var id *seal.Identity
	if len(d.Identity) > 0 {
		if id, err = seal.UnwrapIdentity(sec.KEK, d.Workspace, d.Identity); err != nil {
			return errWrongPassphrase
		}
	}
	if len(d.Keys) == 0 {
		if id == nil {
			return errors.New("this device holds no keys: clear the site's data and sign in again")
		}
		s.mu.Lock()
		s.kek, s.identity, s.phase = sec.KEK, id, Waiting
		s.mu.Unlock()
		s.changed()
		_, err := s.CheckKeys(ctx)
		if errors.Is(err, ErrOffline) {
			return nil
		}
		return err
	}
	keys, err := seal.UnwrapKeys(sec.KEK, d.Workspace, d.Keys)
	if err != nil {
		return errWrongPassphrase
	}
	return s.openRows(ctx, d, sec.KEK, keys, id, rows)
}

// storedRows is the first part of the local store's records as read
// (the later part is read after the client list: see loadLater).
type storedRows struct {
	rows map[string][]byte
	err  error
}

// readRecords starts reading the first part of the local store's records
// and returns where it arrives. Unlock reads it while Argon2id derives the
// keys: the browser reads IndexedDB off the page's thread, and the
// derivation holds the thread anyway. The rows are sealed: reading them
// before the passphrase is checked reveals nothing.
func (s *Session) readRecords(ctx context.Context) <-chan storedRows {
	out := make(chan storedRows, 1)
	go func() {
		rows, err := s.cfg.Store.Records(ctx)
		out <- storedRows{rows, err}
	}()
	// Under wasm a goroutine runs only when the others wait: let this one
	// ask IndexedDB before the derivation starts.
	runtime.Gosched()
	return out
}

func (s *Session) saveDevice(ctx context.Context, d *device, fresh bool) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	c := localstore.Change{Meta: map[string][]byte{metaDevice: b}}
	if fresh {
		// A new setup starts from an empty store: nothing of another
		// workspace or member may linger.
		c.ClearRecords = true
		c.Meta[metaCursor], c.Meta[metaTeamLog] = nil, nil
		c.Meta[metaSplit] = []byte{1}
	}
	if err := s.cfg.Store.Commit(ctx, c); err != nil {
		return fmt.Errorf("save this device's setup: %w", err)
	}
	s.mu.Lock()
	s.dev = d
	s.mu.Unlock()
	return nil
}

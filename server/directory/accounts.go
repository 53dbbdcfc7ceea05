package directory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"pawfile/shared/access"
	"pawfile/shared/seal"
)

// CreateWorkspace creates a workspace with r's member as its owner and
// registers r's device, if the sign-up policy admits it (see Signup).
func (d *Directory) CreateWorkspace(ctx context.Context, r Registration) (Grant, error) {
	if err := checkRegistration(&r, true); err != nil {
		return Grant{}, err
	}
	if err := d.admit(ctx, r); err != nil {
		return Grant{}, err
	}
	h, err := d.prepare(ctx, r)
	if err != nil {
		return Grant{}, err
	}
	now := d.now().UTC()
	g := Grant{Session: Session{Workspace: newID(), Member: newID(), Device: r.Device.ID, Role: access.Owner}}
	err = d.update(ctx, func(b *buckets) error {
		if err := d.admitLogin(b, r, h); err != nil {
			return err
		}
		if err := d.useSignup(b, r, g.Workspace, now); err != nil {
			return err
		}
		if err := putJSON(b.workspaces, []byte(g.Workspace), workspaceRec{ID: g.Workspace, Created: now, KeyGens: firstKeyGens()}); err != nil {
			return err
		}
		m := b.newMember(g.Session, r, h.salt, h.hash, now)
		if err := b.putMember(m, true); err != nil {
			return err
		}
		if g.Token, err = b.register(g.Session, r.Device.Name, now); err != nil {
			return err
		}
		return b.record(d.event(ctx, WorkspaceCreated, g.Session, ""))
	})
	if err != nil {
		return Grant{}, fmt.Errorf("create workspace: %w", err)
	}
	return g, nil
}

// LoginParams returns the KDF salt and parameters of login. For a login
// that does not exist it returns a salt derived from the login and the
// server's secret, stable across calls and restarts, with seal's default
// parameters, so the answer does not reveal whether the login exists.
func (d *Directory) LoginParams(ctx context.Context, login string) ([]byte, seal.Params, error) {
	l, err := checkLogin(login)
	if err != nil {
		return nil, seal.Params{}, err
	}
	var ms []*memberRec
	err = d.view(ctx, func(b *buckets) error {
		ms, err = b.withLogin(l)
		return err
	})
	if err != nil {
		return nil, seal.Params{}, fmt.Errorf("look up login: %w", err)
	}
	salt, p := d.kdfOf(ms, l)
	return salt, p, nil
}

func deviceReason(err error) string {
	if errors.Is(err, ErrRevoked) {
		return "revoked"
	}
	return "taken by another member"
}

// dummySalt stands in for an unknown login's auth salt, so a failed login
// costs the same Argon2id run whether or not the login exists.
var dummySalt = make([]byte, authSaltLen)

// Login checks login's auth secret and registers (or re-registers, with a
// new token) the device. After failed attempts from the caller's address
// (see WithRemote) it refuses with a *ThrottledError, without checking the
// secret, until a delay that grows with the failures has passed (see
// throttle).
func (d *Directory) Login(ctx context.Context, login string, auth []byte, dev DeviceInfo) (Grant, error) {
	l := NormalizeLogin(login)
	remote := remoteOf(ctx)
	if err := d.throttle.check(l, remote, d.now()); err != nil {
		return Grant{}, err
	}
	if _, err := checkLogin(l); err != nil {
		return Grant{}, err
	}
	if err := checkAuth(auth); err != nil {
		return Grant{}, err
	}
	dev, err := checkDevice(dev)
	if err != nil {
		return Grant{}, err
	}
	var ms []*memberRec
	if err := d.view(ctx, func(b *buckets) error {
		ms, err = b.withLogin(l)
		return err
	}); err != nil {
		return Grant{}, fmt.Errorf("look up login: %w", err)
	}
	h, err := d.hashFor(ctx, l, auth, ms)
	if err != nil {
		return Grant{}, err
	}
	m := h.match(ms)
	if m == nil {
		d.throttle.fail(l, remote, d.now())
		// A login only one member holds names its account, for that
		// workspace's audit; one several hold names none.
		s := Session{Device: dev.ID}
		if len(ms) == 1 {
			s.Workspace, s.Member = ms[0].Workspace, ms[0].ID
		}
		if err := d.record(d.event(ctx, LoginFailed, s, "")); err != nil {
			return Grant{}, fmt.Errorf("log in: %w", err)
		}
		return Grant{}, ErrBadLogin
	}
	now := d.now().UTC()
	g := Grant{Session: Session{Workspace: m.Workspace, Member: m.ID, Device: dev.ID}}
	err = d.update(ctx, func(b *buckets) error {
		cur, err := b.member(m.ID)
		if err != nil {
			return err
		}
		if cur.Status != Active {
			return ErrBadLogin // removed while we hashed
		}
		g.Role = cur.Role
		if g.Token, err = b.register(g.Session, dev.Name, now); err != nil {
			return err
		}
		return b.record(d.event(ctx, LoginOK, g.Session, ""))
	})
	if errors.Is(err, ErrRevoked) || errors.Is(err, ErrDeviceTaken) {
		// The secret was right, so this is no guess to throttle, but a
		// revoked device coming back is worth an audit line.
		g.Role = 0
		if rerr := d.record(d.event(ctx, LoginFailed, g.Session, "device refused: "+deviceReason(err))); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	if err != nil {
		return Grant{}, fmt.Errorf("log in: %w", err)
	}
	d.throttle.succeed(l, remote)
	return g, nil
}

// Authenticate resolves a device token to its session. It fails with
// ErrRemoved if the member was removed, ErrRevoked if the device was
// revoked, and ErrUnauthorized for any other token it does not know.
func (d *Directory) Authenticate(ctx context.Context, token string) (Session, error) {
	h, ok := tokenHash(token)
	if !ok {
		return Session{}, ErrUnauthorized
	}
	var s Session
	err := d.view(ctx, func(b *buckets) error {
		id := b.tokens.Get(h)
		if len(id) != 8 {
			return ErrUnauthorized
		}
		dv, err := b.device(beU64(id))
		if errors.Is(err, ErrNotFound) {
			return ErrUnauthorized
		}
		if err != nil {
			return err
		}
		m, err := b.member(dv.Member)
		if errors.Is(err, ErrNotFound) {
			return ErrUnauthorized
		}
		if err != nil {
			return err
		}
		switch {
		case m.Status != Active:
			return ErrRemoved
		case dv.Revoked:
			return ErrRevoked
		case !equalHash(dv.TokenHash, h):
			return ErrUnauthorized // a stale index entry
		}
		s = Session{Workspace: m.Workspace, Member: m.ID, Device: dv.ID, Role: m.Role}
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	d.touch(s.Device)
	return s, nil
}

// touch notes that a device was seen now, writing it to disk at most every
// seenEvery per device.
func (d *Directory) touch(device uint64) {
	now := d.now().UTC()
	d.mu.Lock()
	mark := d.seen[device]
	mark.at = now
	write := now.Sub(mark.written) >= seenEvery
	if write {
		mark.written = now
	}
	d.seen[device] = mark
	d.mu.Unlock()
	if !write {
		return
	}
	// Last-seen is informational: a failed write is retried next time.
	err := d.update(context.Background(), func(b *buckets) error {
		dv, err := b.device(device)
		if err != nil {
			return err
		}
		dv.LastSeen = now
		return putJSON(b.devices, u64(device), dv)
	})
	if err != nil {
		d.mu.Lock()
		mark.written = time.Time{}
		d.seen[device] = mark
		d.mu.Unlock()
	}
}

// lastSeen returns the later of a device's stored and in-memory last-seen.
func (d *Directory) lastSeen(dv *deviceRec) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	if at := d.seen[dv.ID].at; at.After(dv.LastSeen) {
		return at
	}
	return dv.LastSeen
}

// CreateInvite creates a single-use invite to join s's workspace with role.
// Only an owner may.
func (d *Directory) CreateInvite(ctx context.Context, s Session, role access.Role) (Invite, error) {
	if err := d.requireOwner(ctx, s, "create invite"); err != nil {
		return Invite{}, err
	}
	if !role.Valid() {
		return Invite{}, &InputError{Field: "role", Problem: "must be owner, front_desk, groomer or viewer"}
	}
	now := d.now().UTC()
	inv := Invite{Code: randomCode(), Role: role, Expires: now.Add(InviteTTL)}
	err := d.update(ctx, func(b *buckets) error {
		rec := inviteRec{Workspace: s.Workspace, Role: role, CreatedBy: s.Member, Created: now, Expires: inv.Expires}
		if err := putJSON(b.invites, codeHash(inv.Code), rec); err != nil {
			return err
		}
		return b.record(d.event(ctx, InviteCreated, s, role.String()))
	})
	if err != nil {
		return Invite{}, fmt.Errorf("create invite: %w", err)
	}
	return inv, nil
}

// Join uses invite code to add r's member to the invite's workspace with
// the invite's role, and registers r's device.
func (d *Directory) Join(ctx context.Context, code string, r Registration) (Grant, error) {
	if err := checkRegistration(&r, false); err != nil {
		return Grant{}, err
	}
	key := codeHash(code)
	now := d.now().UTC()
	// Refuse a bad code before the costly hash.
	if err := d.view(ctx, func(b *buckets) error {
		_, err := b.invite(key, now)
		return err
	}); err != nil {
		return Grant{}, err
	}
	h, err := d.prepare(ctx, r)
	if err != nil {
		return Grant{}, err
	}
	g := Grant{Session: Session{Member: newID(), Device: r.Device.ID}}
	err = d.update(ctx, func(b *buckets) error {
		inv, err := b.invite(key, now)
		if err != nil {
			return err
		}
		if err := d.admitLogin(b, r, h); err != nil {
			return err
		}
		g.Workspace, g.Role = inv.Workspace, inv.Role
		inv.UsedBy, inv.UsedAt = g.Member, now
		if err := putJSON(b.invites, key, inv); err != nil {
			return err
		}
		if err := b.putMember(b.newMember(g.Session, r, h.salt, h.hash, now), true); err != nil {
			return err
		}
		if g.Token, err = b.register(g.Session, r.Device.Name, now); err != nil {
			return err
		}
		return b.record(d.event(ctx, Joined, g.Session, inv.Role.String()))
	})
	if err != nil {
		return Grant{}, fmt.Errorf("join: %w", err)
	}
	return g, nil
}

func (d *Directory) requireOwner(ctx context.Context, s Session, action string) error {
	if s.Role.ManagesTeam() {
		return nil
	}
	if err := d.Deny(ctx, s, action); err != nil {
		return err
	}
	return ErrForbidden
}

// byLogin returns the active member with login, or nil.
func (b *buckets) byLogin(login string) (*memberRec, error) {
	id := b.logins.Get([]byte(login))
	if id == nil {
		return nil, nil
	}
	m, err := b.member(string(id))
	if err != nil {
		return nil, err
	}
	if m.Status != Active {
		return nil, nil
	}
	return m, nil
}

func (b *buckets) invite(key []byte, now time.Time) (*inviteRec, error) {
	var inv inviteRec
	ok, err := getJSON(b.invites, key, &inv)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, ErrInviteUnknown
	case inv.UsedBy != "":
		return nil, ErrInviteUsed
	case !now.Before(inv.Expires):
		return nil, ErrInviteExpired
	}
	return &inv, nil
}

func (b *buckets) newMember(s Session, r Registration, authSalt, hash []byte, now time.Time) *memberRec {
	return &memberRec{
		ID: s.Member, Workspace: s.Workspace, Login: r.Login, Role: s.Role, Status: Active, Created: now,
		Salt: r.Salt, Params: toParamsRec(r.Params), AuthSalt: authSalt, AuthHash: hash,
		PublicKey: r.PublicKey, Keys: r.Keys,
	}
}

// putMember stores m; index adds it to the login and workspace indexes.
func (b *buckets) putMember(m *memberRec, index bool) error {
	if err := putJSON(b.members, []byte(m.ID), m); err != nil {
		return err
	}
	if !index {
		return nil
	}
	if err := b.indexLogin(m); err != nil {
		return err
	}
	return b.wsMembers.Put([]byte(m.Workspace+m.ID), nil)
}

// register gives device s.Device of member s.Member a new token. A device
// id already registered to the same member gets a new token (the old one
// stops working); one of another member or a revoked one is refused.
func (b *buckets) register(s Session, name string, now time.Time) (string, error) {
	token, hash := newToken()
	dv, err := b.device(s.Device)
	switch {
	case err == nil:
		if dv.Member != s.Member {
			return "", ErrDeviceTaken
		}
		if dv.Revoked {
			return "", ErrRevoked
		}
		if err := b.tokens.Delete(dv.TokenHash); err != nil {
			return "", err
		}
		dv.Name, dv.LastSeen, dv.TokenHash = name, now, hash
	case errors.Is(err, ErrNotFound):
		devs, err := b.devicesOf(s.Member)
		if err != nil {
			return "", err
		}
		active := 0
		for _, dv := range devs {
			if !dv.Revoked {
				active++
			}
		}
		if active >= MaxDevices {
			return "", ErrTooManyDevices
		}
		dv = &deviceRec{ID: s.Device, Workspace: s.Workspace, Member: s.Member, Name: name, Created: now, LastSeen: now, TokenHash: hash}
		if err := b.memberDevs.Put(append([]byte(s.Member), u64(s.Device)...), nil); err != nil {
			return "", err
		}
	default:
		return "", err
	}
	if err := putJSON(b.devices, u64(dv.ID), dv); err != nil {
		return "", err
	}
	return token, b.tokens.Put(hash, u64(dv.ID))
}

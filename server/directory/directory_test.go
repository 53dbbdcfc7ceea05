package directory

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"pawfile/server/db"
	"pawfile/shared/access"
	"pawfile/shared/record"
	"pawfile/shared/seal"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func openTest(t *testing.T) (*Directory, *testClock) {
	t.Helper()
	dir := t.TempDir()
	bdb, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	c := &testClock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	d, err := Open(bdb, WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	return d, c
}

func rnd(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

var devSeq uint64 = 100

// reg is a registration of login with the KDF salt and parameters d gives
// for it, as the app asks GET /api/login first.
func reg(d *Directory, login string, auth []byte) Registration {
	devSeq++
	salt, params, err := d.LoginParams(context.Background(), login)
	if err != nil {
		salt, params = rnd(SaltLen), seal.DefaultParams // a login the test means to be refused
	}
	return Registration{
		Login: login, Salt: salt, Params: params, Auth: auth, PublicKey: rnd(PublicKeyLen),
		Keys: []byte("keyring"), Device: DeviceInfo{ID: devSeq, Name: "tablet"},
	}
}

func TestRegistrationChecks(t *testing.T) {
	d, _ := openTest(t)
	weak := seal.DefaultParams
	weak.Memory, weak.Passes = 8, 1
	tests := []struct {
		name   string
		change func(*Registration)
		want   error
	}{
		{"ok", func(*Registration) {}, nil},
		{"login too short", func(r *Registration) { r.Login = " ab " }, ErrInvalid},
		{"login too long", func(r *Registration) { r.Login = strings.Repeat("a", 255) }, ErrInvalid},
		{"login with space", func(r *Registration) { r.Login = "a b@example.com" }, ErrInvalid},
		{"salt", func(r *Registration) { r.Salt = rnd(15) }, ErrInvalid},
		{"weak params", func(r *Registration) { r.Params = weak }, ErrWeakParams},
		{"auth short", func(r *Registration) { r.Auth = rnd(8) }, ErrInvalid},
		{"public key", func(r *Registration) { r.PublicKey = rnd(31) }, ErrInvalid},
		{"no keys", func(r *Registration) { r.Keys = nil }, ErrInvalid},
		{"huge keys", func(r *Registration) { r.Keys = make([]byte, MaxBlob+1) }, ErrInvalid},
		{"device 0", func(r *Registration) { r.Device.ID = 0 }, ErrInvalid},
		{"device name", func(r *Registration) { r.Device.Name = "a\x00b" }, ErrInvalid},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := reg(d, "user"+string(rune('a'+i))+"@example.com", rnd(32))
			tc.change(&r)
			_, err := d.CreateWorkspace(t.Context(), r)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want == ErrWeakParams && !errors.Is(err, ErrInvalid) {
				t.Fatalf("weak params error %v is not ErrInvalid", err)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	d, _ := openTest(t)
	auth := rnd(32)
	g, err := d.CreateWorkspace(t.Context(), reg(d, "Ann@Example.com ", auth))
	if err != nil {
		t.Fatal(err)
	}
	s, err := d.Authenticate(t.Context(), g.Token)
	if err != nil || s != g.Session || s.Role != access.Owner {
		t.Fatalf("authenticate: %+v %v, want %+v", s, err, g.Session)
	}
	for _, bad := range []string{"", "x", g.Token + "A", strings.Repeat("A", len(g.Token)), strings.Repeat("*", len(g.Token))} {
		if _, err := d.Authenticate(t.Context(), bad); !errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrRemoved) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	// A second device; the first one is revoked.
	g2, err := d.Login(t.Context(), "ann@example.com", auth, DeviceInfo{ID: 7, Name: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	var hooked []uint64
	d.OnRevoke(func(ws string, dev uint64) {
		if ws != g.Workspace {
			t.Errorf("hook workspace %s", ws)
		}
		hooked = append(hooked, dev)
	})
	if err := d.RevokeDevice(t.Context(), g2.Session, g.Device); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Authenticate(t.Context(), g.Token); !errors.Is(err, ErrRevoked) {
		t.Fatalf("revoked device: %v", err)
	}
	if len(hooked) != 1 || hooked[0] != g.Device {
		t.Fatalf("hook: %v", hooked)
	}
	// Revoking again is fine and does not call the hook again.
	if err := d.RevokeDevice(t.Context(), g2.Session, g.Device); err != nil || len(hooked) != 1 {
		t.Fatalf("revoke twice: %v, hook %v", err, hooked)
	}
	// The revoked id cannot come back.
	if _, err := d.Login(t.Context(), "ann@example.com", auth, DeviceInfo{ID: g.Device}); !errors.Is(err, ErrRevoked) {
		t.Fatalf("login on revoked device: %v", err)
	}
}

func TestKeysHook(t *testing.T) {
	d, _ := openTest(t)
	g, err := d.CreateWorkspace(t.Context(), reg(d, "owner@example.com", rnd(32)))
	if err != nil {
		t.Fatal(err)
	}
	var hooked []string
	d.OnKeys(func(ws, member string) {
		if ws != g.Workspace {
			t.Errorf("hook workspace %s", ws)
		}
		hooked = append(hooked, member)
	})
	if err := d.SetKeys(t.Context(), g.Session, rnd(64)); err != nil {
		t.Fatal(err)
	}
	if len(hooked) != 1 || hooked[0] != g.Member {
		t.Fatalf("after SetKeys the hook saw %v, want the owner", hooked)
	}
	// A refused change calls no hook.
	if err := d.SetKeysForMember(t.Context(), g.Session, "no-such-member", rnd(64)); err == nil {
		t.Fatal("keys stored for a member who does not exist")
	}
	if len(hooked) != 1 {
		t.Fatalf("a refused change called the hook: %v", hooked)
	}
}

func TestDeviceIDs(t *testing.T) {
	d, _ := openTest(t)
	a, err := d.CreateWorkspace(t.Context(), reg(d, "a@example.com", rnd(32)))
	if err != nil {
		t.Fatal(err)
	}
	bAuth := rnd(32)
	if _, err := d.CreateWorkspace(t.Context(), reg(d, "b@example.com", bAuth)); err != nil {
		t.Fatal(err)
	}
	// b may not take a's device id.
	if _, err := d.Login(t.Context(), "b@example.com", bAuth, DeviceInfo{ID: a.Device}); !errors.Is(err, ErrDeviceTaken) {
		t.Fatalf("device of another member: %v", err)
	}
	// a device of another workspace is not found from a's session
	other, _ := d.Login(t.Context(), "b@example.com", bAuth, DeviceInfo{ID: 99})
	if err := d.RevokeDevice(t.Context(), a.Session, other.Device); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke across workspaces: %v", err)
	}
	if _, err := d.SetRole(t.Context(), a.Session, other.Member, access.Viewer); !errors.Is(err, ErrNotFound) {
		t.Fatalf("role across workspaces: %v", err)
	}
}

func TestThrottle(t *testing.T) {
	th := newThrottle()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	wait := func(login, remote string) time.Duration {
		t.Helper()
		err := th.check(login, remote, now)
		if err == nil {
			return 0
		}
		var te *ThrottledError
		if !errors.As(err, &te) || !errors.Is(err, ErrThrottled) || !strings.Contains(err.Error(), "wait ") {
			t.Fatalf("throttled: %v", err)
		}
		return te.Wait
	}
	// One address at one login: five free, then 1 s, 2 s, 4 s.
	for i := range perLoginAddr.free {
		if w := wait("x", "192.0.2.1"); w != 0 {
			t.Fatalf("after %d failures: wait %v", i, w)
		}
		th.fail("x", "192.0.2.1", now)
	}
	for _, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		if w := wait("x", "192.0.2.1"); w != want {
			t.Fatalf("wait %v, want %v", w, want)
		}
		now = now.Add(want)
		th.fail("x", "192.0.2.1", now)
	}
	// Another login from there, and the login from elsewhere, are free.
	if w := wait("y", "192.0.2.1"); w != 0 {
		t.Fatalf("another login waits %v", w)
	}
	if w := wait("x", "192.0.2.2"); w != 0 {
		t.Fatalf("the login from another address waits %v", w)
	}
	// Guesses at x from many addresses: each that failed waits, a new
	// one (the owner's) does not.
	for i := range perLogin.free + 5 {
		th.fail("x", fmt.Sprintf("198.51.100.%d", i), now)
	}
	if w := wait("x", "198.51.100.1"); w != perLogin.max {
		t.Fatalf("an address of the many waits %v, want %v", w, perLogin.max)
	}
	if w := wait("x", "203.0.113.9"); w != 0 {
		t.Fatalf("a new address waits %v", w)
	}
	// An IPv6 /64 is one address.
	for range perLoginAddr.free {
		th.fail("z", "2001:db8:0:1::1", now)
	}
	if w := wait("z", "2001:db8:0:1::ffff"); w == 0 {
		t.Fatal("another address of the same /64 is not slowed down")
	}
	// An hour without failures forgets them; success forgets the login's.
	now = now.Add(forgetAfter)
	if w := wait("x", "192.0.2.1"); w != 0 {
		t.Fatalf("an hour later: wait %v", w)
	}
	for range perLoginAddr.free + 1 {
		th.fail("x", "192.0.2.1", now)
	}
	th.succeed("x", "192.0.2.1")
	if w := wait("x", "192.0.2.1"); w != 0 {
		t.Fatalf("after a success: wait %v", w)
	}
}

func TestFakeSaltStableAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	salt := func() []byte {
		bdb, err := db.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer bdb.Close()
		d, err := Open(bdb)
		if err != nil {
			t.Fatal(err)
		}
		s, p, err := d.LoginParams(t.Context(), "ghost@example.com")
		if err != nil || p != seal.DefaultParams || len(s) != SaltLen {
			t.Fatalf("fake params: %x %+v %v", s, p, err)
		}
		return s
	}
	if a, b := salt(), salt(); !bytes.Equal(a, b) {
		t.Fatalf("fake salt changed across restarts: %x %x", a, b)
	}
}

func TestLastOwnerAndRoles(t *testing.T) {
	d, _ := openTest(t)
	o, err := d.CreateWorkspace(t.Context(), reg(d, "o@example.com", rnd(32)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetRole(t.Context(), o.Session, o.Member, access.Viewer); !errors.Is(err, ErrLastOwner) {
		t.Fatalf("demote last owner: %v", err)
	}
	inv, err := d.CreateInvite(t.Context(), o.Session, access.Owner)
	if err != nil {
		t.Fatal(err)
	}
	o2, err := d.Join(t.Context(), inv.Code, reg(d, "o2@example.com", rnd(32)))
	if err != nil {
		t.Fatal(err)
	}
	if o2.Role != access.Owner {
		t.Fatalf("joined as %v", o2.Role)
	}
	// With two owners, one may step down.
	if _, err := d.SetRole(t.Context(), o.Session, o.Member, access.Viewer); err != nil {
		t.Fatal(err)
	}
	s, err := d.Authenticate(t.Context(), o.Token)
	if err != nil || s.Role != access.Viewer {
		t.Fatalf("after stepping down: %+v %v", s, err)
	}
	if _, err := d.CreateInvite(t.Context(), s, access.Groomer); !errors.Is(err, ErrForbidden) {
		t.Fatalf("viewer invites: %v", err)
	}
	if err := d.RemoveMember(t.Context(), o2.Session, o2.Member); !errors.Is(err, ErrLastOwner) {
		t.Fatalf("remove last owner: %v", err)
	}
	// Removing frees the login for a new invite.
	if err := d.RemoveMember(t.Context(), o2.Session, o.Member); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Authenticate(t.Context(), o.Token); !errors.Is(err, ErrRemoved) || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("removed member: %v", err)
	}
	inv, err = d.CreateInvite(t.Context(), o2.Session, access.Groomer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Join(t.Context(), inv.Code, reg(d, "o@example.com", rnd(32))); err != nil {
		t.Fatalf("rejoin with a freed login: %v", err)
	}
}

func TestLastSeen(t *testing.T) {
	d, c := openTest(t)
	g, err := d.CreateWorkspace(t.Context(), reg(d, "seen@example.com", rnd(32)))
	if err != nil {
		t.Fatal(err)
	}
	c.advance(time.Hour)
	if _, err := d.Authenticate(t.Context(), g.Token); err != nil {
		t.Fatal(err)
	}
	me, err := d.Me(t.Context(), g.Session)
	if err != nil {
		t.Fatal(err)
	}
	if len(me.Devices) != 1 || !me.Devices[0].LastSeen.Equal(c.now()) {
		t.Fatalf("last seen %v, want %v", me.Devices, c.now())
	}
}

func TestAuditPaging(t *testing.T) {
	d, _ := openTest(t)
	g, err := d.CreateWorkspace(t.Context(), reg(d, "log@example.com", rnd(32)))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := d.Deny(WithRemote(t.Context(), "192.0.2.1"), g.Session, "test"); err != nil {
			t.Fatal(err)
		}
	}
	first, err := d.Audit(t.Context(), 0, 2)
	if err != nil || len(first) != 2 || first[0].Kind != WorkspaceCreated {
		t.Fatalf("page 1: %+v %v", first, err)
	}
	rest, err := d.Audit(t.Context(), first[1].Seq, 10)
	if err != nil || len(rest) != 2 || rest[1].Remote != "192.0.2.1" || rest[1].Detail != "test" {
		t.Fatalf("page 2: %+v %v", rest, err)
	}
}

// Issue 14, item 5: the invites a co-owner made stop working when they
// are removed or stop being an owner; an owner lists the pending invites
// and revokes any.
func TestInvitesOfRemovedOrDemotedOwners(t *testing.T) {
	ctx := t.Context()
	d, _ := openTest(t)
	o, err := d.CreateWorkspace(ctx, reg(d, "o@example.com", rnd(32)))
	if err != nil {
		t.Fatal(err)
	}
	coOwner := func(login string) Grant {
		t.Helper()
		inv, err := d.CreateInvite(ctx, o.Session, access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		g, err := d.Join(ctx, inv.Code, reg(d, login, rnd(32)))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	co := coOwner("co@example.com")
	asOwner, err := d.CreateInvite(ctx, co.Session, access.Owner)
	if err != nil {
		t.Fatal(err)
	}
	asGroomer, err := d.CreateInvite(ctx, co.Session, access.Groomer)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := d.Invites(ctx, o.Session)
	if err != nil || len(pending) != 2 || pending[0].Role != access.Owner || pending[1].Role != access.Groomer ||
		pending[0].CreatedBy != co.Member || pending[0].Expires.IsZero() {
		t.Fatalf("pending invites: %+v, %v", pending, err)
	}
	if err := d.RemoveMember(ctx, o.Session, co.Member); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{asOwner.Code, asGroomer.Code} {
		if _, err := d.Join(ctx, code, reg(d, "intruder@example.com", rnd(32))); !errors.Is(err, ErrInviteUnknown) {
			t.Fatalf("join with a removed co-owner's invite: %v", err)
		}
	}
	if pending, err := d.Invites(ctx, o.Session); err != nil || len(pending) != 0 {
		t.Fatalf("pending invites after the removal: %+v, %v", pending, err)
	}

	// Stepping down from owner takes the invites too.
	co2 := coOwner("co2@example.com")
	theirs, err := d.CreateInvite(ctx, co2.Session, access.FrontDesk)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := d.CreateInvite(ctx, o.Session, access.Viewer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetRole(ctx, o.Session, co2.Member, access.FrontDesk); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Join(ctx, theirs.Code, reg(d, "intruder@example.com", rnd(32))); !errors.Is(err, ErrInviteUnknown) {
		t.Fatalf("join with a demoted owner's invite: %v", err)
	}

	// The owner's own invite is listed, and revoked by its id.
	pending, err = d.Invites(ctx, o.Session)
	if err != nil || len(pending) != 1 || pending[0].Role != access.Viewer || pending[0].CreatedBy != o.Member {
		t.Fatalf("pending invites: %+v, %v", pending, err)
	}
	desk, err := d.Authenticate(ctx, co2.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Invites(ctx, desk); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a front desk lists invites: %v", err)
	}
	if err := d.RevokeInvite(ctx, desk, pending[0].ID); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a front desk revokes an invite: %v", err)
	}
	if err := d.RevokeInvite(ctx, o.Session, pending[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := d.RevokeInvite(ctx, o.Session, pending[0].ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke twice: %v", err)
	}
	if _, err := d.Join(ctx, mine.Code, reg(d, "late@example.com", rnd(32))); !errors.Is(err, ErrInviteUnknown) {
		t.Fatalf("join with a revoked invite: %v", err)
	}
}

// Owners register key generations; the hub stores versions sealed under
// those only. A workspace from before registration takes any until an
// owner registers the ones in use.
func TestKeyGenerations(t *testing.T) {
	ctx := t.Context()
	d, _ := openTest(t)
	o, err := d.CreateWorkspace(ctx, reg(d, "o@example.com", rnd(32)))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := d.CreateInvite(ctx, o.Session, access.Groomer)
	if err != nil {
		t.Fatal(err)
	}
	g, err := d.Join(ctx, inv.Code, reg(d, "g@example.com", rnd(32)))
	if err != nil {
		t.Fatal(err)
	}
	gens, err := d.KeyGenerations(ctx, o.Workspace)
	if err != nil || !gens.Has(record.ClassClient, 1) || !gens.Has(record.ClassCare, 1) || gens.Has(record.ClassCare, 2) || gens.Has(record.ClassCare, 77) {
		t.Fatalf("a new workspace's generations: %+v, %v; want generation 1 of each class only", gens, err)
	}
	if err := d.RegisterKeyGens(ctx, g.Session, []KeyGen{{record.ClassCare, 77}}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a groomer registers a generation: %v", err)
	}
	if err := d.RegisterKeyGens(ctx, o.Session, []KeyGen{{record.ClassCare, 0}}); err == nil {
		t.Fatal("generation 0 registered")
	}
	if err := d.RegisterKeyGens(ctx, o.Session, []KeyGen{{record.ClassCare, 2}}); err != nil {
		t.Fatal(err)
	}
	if gens, _ := d.KeyGenerations(ctx, o.Workspace); !gens.Has(record.ClassCare, 2) || gens.Has(record.ClassProject, 2) {
		t.Fatalf("after registering care 2: %+v", gens)
	}

	// A workspace from before registration.
	err = d.update(ctx, func(b *buckets) error {
		var w workspaceRec
		if _, err := getJSON(b.workspaces, []byte(o.Workspace), &w); err != nil {
			return err
		}
		w.KeyGens = nil
		return putJSON(b.workspaces, []byte(o.Workspace), w)
	})
	if err != nil {
		t.Fatal(err)
	}
	if gens, _ := d.KeyGenerations(ctx, o.Workspace); !gens.Has(record.ClassCare, 77) {
		t.Fatal("a workspace from before registration refuses a generation")
	}
	if err := d.RegisterKeyGens(ctx, o.Session, []KeyGen{{record.ClassClient, 3}}); err != nil {
		t.Fatal(err)
	}
	if gens, _ := d.KeyGenerations(ctx, o.Workspace); gens.Has(record.ClassCare, 77) || !gens.Has(record.ClassClient, 3) || !gens.Has(record.ClassProject, 1) {
		t.Fatalf("once its owner registered: %+v", gens)
	}
}

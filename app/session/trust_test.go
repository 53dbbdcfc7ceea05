//go:build !js

package session

import (
	"context"
	"crypto/ed25519"
	"net/http/httptest"
	"strings"
	"testing"

	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/teamlog"
)

// plant makes the server hand member id a keyring of its own making,
// wrapped to the member's public key as any owner's device would.
func (f *teamServer) plant(t *testing.T, id string, k *seal.Keyring) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.members {
		if m.id == id {
			b, err := seal.WrapTo([32]byte(m.public), "ws1", k)
			if err != nil {
				t.Fatal(err)
			}
			m.forMember = b
		}
	}
}

// setRole changes a member's role in the server's database, as a hostile
// server (or one whose database was tampered with) would.
func (f *teamServer) setRole(id string, r access.Role) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.members {
		if m.id == id {
			m.role = r
		}
	}
}

func (f *teamServer) teamLog() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.log...)
}

func (f *teamServer) setLog(l [][]byte) {
	f.mu.Lock()
	f.log = l
	f.mu.Unlock()
}

// signedTeam is an owner and a front desk whose devices hold the team's
// signed log: the owner's device signed it at its first connection.
func signedTeam(t *testing.T) (f *teamServer, url string, keys *seal.Keyring, owner, desk *Session) {
	t.Helper()
	f = &teamServer{}
	hs := httptest.NewServer(f)
	t.Cleanup(hs.Close)
	keys = seal.NewKeyring()
	owner = teamDevice(t, f, hs.URL, "ws1", &teamMember{id: "m1", login: "owner", token: "t1", role: access.Owner}, keys, 1)
	desk = teamDevice(t, f, hs.URL, "ws1", &teamMember{id: "m2", login: "desk", token: "t2", role: access.FrontDesk}, keys, 2)
	for _, s := range []*Session{owner, desk} {
		if err := s.RefreshKeys(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return f, hs.URL, keys, owner, desk
}

// The server makes a client key of its own (generation 77) and wraps it
// to the owner and to a front desk: neither device takes it, both keep
// sealing with the real key, and both say so.
func TestPlantedKeysRefused(t *testing.T) {
	ctx := context.Background()
	f, _, keys, owner, desk := signedTeam(t)
	planted := &seal.Keyring{MAC: keys.MAC, Keys: []seal.ClassKey{{Class: record.ClassClient, ID: 77, Key: seal.NewKey()}}}
	f.plant(t, "m1", planted)
	f.plant(t, "m2", planted)
	for name, s := range map[string]*Session{"owner": owner, "front desk": desk} {
		if err := s.RefreshKeys(ctx); err != nil {
			t.Fatal(err)
		}
		if s.holds(record.ClassClient, 77) {
			t.Errorf("the %s's device took the server's key", name)
		}
		if p := s.TrustProblem(); !strings.Contains(p, "refused 1 key(s)") {
			t.Errorf("the %s's device does not say it refused a key: %q", name, p)
		}
		if err := s.SaveClient(ctx, record.NewID(), &record.Client{Name: "Margaret Lockwood"}); err != nil {
			t.Fatal(err)
		}
		vs := outbox(t, s, 100)
		if k := vs[len(vs)-1].KeyID; k != 1 {
			t.Errorf("the %s's device sealed a client with key %d", name, k)
		}
	}
}

// A role change or an entry no owner signed is refused, as is a log
// rolled back to before what a device saw; the devices keep their role.
func TestForgedTeamChangesRefused(t *testing.T) {
	ctx := context.Background()
	f, _, _, owner, desk := signedTeam(t)

	// The server makes the front desk an owner, with nothing signed.
	f.setRole("m2", access.Owner)
	if err := desk.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if desk.Role() != access.FrontDesk {
		t.Fatalf("the front desk's device took the server's role %v", desk.Role())
	}
	f.setRole("m2", access.FrontDesk)

	// An entry signed by a key of the server's own making.
	good := f.teamLog()
	st, err := teamlog.Verify("ws1", [32]byte{}, good)
	if err != nil {
		t.Fatal(err)
	}
	_, stranger, _ := ed25519.GenerateKey(nil)
	forged := st.Next(teamlog.Entry{Kind: teamlog.KindMember, Member: "m2", Role: access.Owner, Box: st.Members["m2"].Box, Sign: [32]byte(stranger.Public().(ed25519.PublicKey))})
	forged.SignWith("ws1", stranger)
	f.setLog(append(good, forged.Marshal()))
	for name, s := range map[string]*Session{"owner": owner, "front desk": desk} {
		if err := s.RefreshKeys(ctx); err == nil {
			t.Errorf("the %s's device took a forged entry", name)
		}
		if p := s.TrustProblem(); !strings.Contains(p, "refused the team record") {
			t.Errorf("the %s's device does not say it refused the team record: %q", name, p)
		}
	}
	if desk.Role() != access.FrontDesk {
		t.Fatalf("the front desk's device took a forged role %v", desk.Role())
	}

	// The owner signs a change, the desk sees it; then the server shows
	// the log from before it.
	f.setLog(good)
	ms, err := owner.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.ChangeMember(ctx, ms[1], access.Groomer); err != nil {
		t.Fatal(err)
	}
	if err := desk.RefreshKeys(ctx); err != nil || desk.Role() != access.Groomer || desk.TrustProblem() != "" {
		t.Fatalf("the signed change: %v, role %v, %q", err, desk.Role(), desk.TrustProblem())
	}
	f.setLog(good)
	if err := desk.RefreshKeys(ctx); err == nil || !strings.Contains(desk.TrustProblem(), "older or different") {
		t.Errorf("a rolled back log: %v %q", err, desk.TrustProblem())
	}
}

// A joiner's device takes keys only as the log its invite pins states
// them: keys the server made, or a log of the server's own making naming
// them, are refused; the keys the owner gives are taken.
func TestJoinerRefusesUnsignedKeys(t *testing.T) {
	ctx := context.Background()
	f, url, keys, owner, _ := signedTeam(t)
	inv, err := owner.Invite(ctx, access.Groomer)
	if err != nil {
		t.Fatal(err)
	}
	j, err := New(ctx, Config{Server: url, Store: newMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(j.Lock)
	if err := j.Join(ctx, inv.Code, "groomer", pass); err != nil || j.Phase() != Waiting {
		t.Fatalf("join: %v, phase %v", err, j.Phase())
	}
	member := j.MemberID()

	// The server wraps keys of its own to the joiner.
	server := seal.NewKeyring().Only(access.Groomer.Classes()...)
	f.plant(t, member, server)
	if ok, err := j.CheckKeys(ctx); ok || err == nil || j.Phase() != Waiting {
		t.Fatalf("the joiner's device took the server's keys: %v %v", ok, err)
	}
	if !strings.Contains(j.TrustProblem(), "refused") {
		t.Errorf("the joiner's device does not say it refused: %q", j.TrustProblem())
	}

	// And signs a log of its own that names them.
	good := f.teamLog()
	_, root, _ := ed25519.GenerateKey(nil)
	fake := teamlog.New("ws1")
	var fakeLog [][]byte
	add := func(e teamlog.Entry) {
		e = fake.Next(e)
		e.SignWith("ws1", root)
		if err := fake.Apply(e); err != nil {
			t.Fatal(err)
		}
		fakeLog = append(fakeLog, e.Marshal())
	}
	add(teamlog.Entry{Kind: teamlog.KindMember, Member: "m1", Role: access.Owner, Sign: [32]byte(root.Public().(ed25519.PublicKey))})
	add(teamlog.Entry{Kind: teamlog.KindMember, Member: member, Role: access.Groomer, Box: [32]byte(f.member(member).public)})
	for _, e := range keyEntries("ws1", server.MAC, server.Keys) {
		add(e)
	}
	f.setLog(fakeLog)
	if ok, err := j.CheckKeys(ctx); ok || err == nil || !strings.Contains(err.Error(), "invite") {
		t.Fatalf("the joiner's device took a log of the server's making: %v %v", ok, err)
	}
	f.setLog(good)

	// The owner gives access: the signed keys are taken.
	ms, err := owner.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GiveAccess(ctx, Member{MemberReply: ms[2].MemberReply}); err != nil {
		t.Fatal(err)
	}
	if ok, err := j.CheckKeys(ctx); !ok || err != nil || j.Phase() != Open {
		t.Fatalf("the joiner's device refused the owner's keys: %v %v", ok, err)
	}
	ck, _ := keys.Current(record.ClassCare)
	if j.Role() != access.Groomer || j.holds(record.ClassClient, 1) || !j.holds(record.ClassCare, ck.ID) || j.TrustProblem() != "" {
		t.Errorf("the joiner's device: role %v, client key %v, care key %v, %q", j.Role(), j.holds(record.ClassClient, 1), j.holds(record.ClassCare, ck.ID), j.TrustProblem())
	}

	// A code without the owner's pin is refused before it reaches the
	// server.
	j2, err := New(ctx, Config{Server: url, Store: newMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	if err := j2.Join(ctx, "INVITE9", "viewer", pass); err == nil || !strings.Contains(err.Error(), "new invite") {
		t.Errorf("an invite without a pin: %v", err)
	}
}

// A workspace from before the log: the owner's device signs the team as it
// stands at its first connection after unlocking; a member's device
// accepts that first signed state because it matches the keys it holds,
// and a device whose keys do not match refuses it.
func TestTeamLogMigration(t *testing.T) {
	ctx := context.Background()
	f := &teamServer{}
	hs := httptest.NewServer(f)
	defer hs.Close()
	keys := seal.NewKeyring()
	owner := teamDevice(t, f, hs.URL, "ws1", &teamMember{id: "m1", login: "owner", token: "t1", role: access.Owner}, keys, 1)
	desk := teamDevice(t, f, hs.URL, "ws1", &teamMember{id: "m2", login: "desk", token: "t2", role: access.FrontDesk}, keys, 2)
	// A device handed a client key the owner never had, before this
	// version of Pawfile.
	odd := cloneKeys(keys)
	odd.Keys = append(odd.Keys, seal.ClassKey{Class: record.ClassClient, ID: 77, Key: seal.NewKey()})
	other := teamDevice(t, f, hs.URL, "ws1", &teamMember{id: "m3", login: "other", token: "t3", role: access.FrontDesk}, odd, 3)
	if len(f.teamLog()) != 0 {
		t.Fatal("a log before the owner signed one")
	}

	// A member's device before the owner signed: nothing to check yet.
	if err := desk.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	owner.Lock()
	if err := owner.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	if err := owner.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	root := owner.keyring().Root
	st, err := teamlog.Verify("ws1", root, f.teamLog())
	if err != nil || root == ([32]byte{}) {
		t.Fatalf("the owner's signed log: %v, root %x", err, root)
	}
	for id, want := range map[string]access.Role{"m1": access.Owner, "m2": access.FrontDesk, "m3": access.FrontDesk} {
		if m, ok := st.Active(id); !ok || m.Role != want {
			t.Errorf("the log states %s as %+v", id, m)
		}
	}
	// The owner's other devices find the root in the keys sealed under
	// the passphrase.
	if k, err := seal.UnwrapKeys(owner.kek, "ws1", f.member("m1").keys); err != nil || k.Root != root || k.Signer == nil {
		t.Fatalf("the owner's keys on the server: %v", err)
	}

	if err := desk.RefreshKeys(ctx); err != nil || desk.keyring().Root != root || desk.TrustProblem() != "" {
		t.Fatalf("the front desk's device: %v, root %x, %q", err, desk.keyring().Root, desk.TrustProblem())
	}
	if err := other.RefreshKeys(ctx); err == nil || other.keyring().Root != ([32]byte{}) || !strings.Contains(other.TrustProblem(), "does not match") {
		t.Fatalf("the device with other keys: %v, root %x, %q", err, other.keyring().Root, other.TrustProblem())
	}
}

func (s *Session) keyring() *seal.Keyring {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return cloneKeys(s.keys)
}

// An owner made later is certified by an existing owner: their device
// takes the signing key the log names for them, and then signs team
// changes every device accepts.
func TestPromotedOwnerSigns(t *testing.T) {
	ctx := context.Background()
	f, _, _, owner, desk := signedTeam(t)
	ms, err := owner.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.ChangeMember(ctx, ms[1], access.Owner); err != nil {
		t.Fatal(err)
	}
	if err := desk.RefreshKeys(ctx); err != nil || desk.Role() != access.Owner {
		t.Fatalf("the promoted member's device: %v, role %v", err, desk.Role())
	}
	st, err := teamlog.Verify("ws1", owner.keyring().Root, f.teamLog())
	if err != nil {
		t.Fatal(err)
	}
	if k := desk.keyring(); k.Signer == nil || seal.SignerPublic(k.Signer) != st.Members["m2"].Sign {
		t.Fatal("the promoted owner's device holds no signing key the log names")
	}
	// The new owner demotes the first: the first's device follows.
	ms, err = desk.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := desk.ChangeMember(ctx, ms[0], access.Viewer); err != nil {
		t.Fatal(err)
	}
	if err := owner.RefreshKeys(ctx); err != nil || owner.Role() != access.Viewer || owner.TrustProblem() != "" {
		t.Fatalf("the first owner's device: %v, role %v, %q", err, owner.Role(), owner.TrustProblem())
	}
}

// Removing a member renews the keys of the role the log gives them, not
// of the role the server lists: a front desk the server shows as a groomer
// still takes the client key with them, so it is renewed.
func TestRemovalRenewsTheSignedRolesKeys(t *testing.T) {
	ctx := context.Background()
	f, _, _, owner, _ := signedTeam(t)
	f.setRole("m2", access.Groomer)
	ms, err := owner.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ms[1].Role != account.Role(access.FrontDesk) {
		t.Errorf("the team list shows the server's role %v", ms[1].Role)
	}
	ms[1].Role = account.Role(access.Groomer) // as an older list said
	if err := owner.ChangeMember(ctx, ms[1], 0); err != nil {
		t.Fatal(err)
	}
	if !owner.holds(record.ClassClient, 2) {
		t.Error("the client key was not renewed")
	}
}

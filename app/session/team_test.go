//go:build !js

package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// teamServer is the server's account API for the team calls, in memory:
// what it keeps and refuses is what server/directory does.
type teamServer struct {
	mu      sync.Mutex
	members []*teamMember
	revoked []string                // device ids
	gens    []account.KeyGeneration // as registered
	log     [][]byte                // the signed team log, stored as sent
	invites map[string]access.Role
}

type teamMember struct {
	id, login, token string
	role             access.Role
	public           []byte
	keys, forMember  []byte
	removed          bool
}

func (f *teamServer) fail(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(account.ErrorReply{Error: msg, Code: code})
}

func (f *teamServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method+" "+r.URL.Path == "GET /api/login" {
		// As the real server: a login no one holds yet gets a fresh salt,
		// which the joiner must register with.
		json.NewEncoder(w).Encode(account.LoginParamsReply{Salt: seal.NewSalt(), Params: account.ParamsOf(fastParams)})
		return
	}
	if r.Method+" "+r.URL.Path == "POST /api/join" {
		var req account.JoinRequest
		json.NewDecoder(r.Body).Decode(&req)
		role, ok := f.invites[req.Code]
		if !ok {
			f.fail(w, http.StatusNotFound, "invite_unknown", "no such invite")
			return
		}
		delete(f.invites, req.Code)
		n := fmt.Sprint(len(f.members) + 1)
		m := &teamMember{id: "m" + n, login: req.Login, token: "t" + n, role: role, public: req.PublicKey}
		f.members = append(f.members, m)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(account.GrantReply{Workspace: "ws1", Member: m.id, Role: account.Role(role), Device: req.DeviceID, DeviceToken: m.token})
		return
	}
	var me *teamMember
	for _, m := range f.members {
		if "Bearer "+m.token == r.Header.Get("Authorization") {
			me = m
		}
	}
	if me == nil || me.removed {
		f.fail(w, http.StatusUnauthorized, "member_removed", "removed")
		return
	}
	owner := me.role == access.Owner
	reply := func(m *teamMember) account.MemberReply {
		st := "active"
		if m.removed {
			st = "removed"
		}
		return account.MemberReply{Member: m.id, Login: m.login, Role: account.Role(m.role), PublicKey: m.public, Status: st, HasKeys: len(m.forMember) > 0}
	}
	target := func() *teamMember {
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/members/"), "/keys")
		for _, m := range f.members {
			if m.id == id && !m.removed {
				return m
			}
		}
		return nil
	}
	path := r.Method + " " + r.URL.Path
	switch {
	case path == "GET /api/me":
		json.NewEncoder(w).Encode(account.MeReply{Member: me.id, Role: account.Role(me.role), Keys: me.keys, KeysForMember: me.forMember})
	case path == "PUT /api/me/keys":
		var req account.KeysRequest
		json.NewDecoder(r.Body).Decode(&req)
		me.keys = req.Keys
	case path == "GET /api/team":
		json.NewEncoder(w).Encode(account.TeamLogReply{Entries: f.log})
	case !owner:
		f.fail(w, http.StatusForbidden, "forbidden", "only the workspace owner may do this")
	case path == "POST /api/keys/generations":
		var req account.KeyGenerationsRequest
		json.NewDecoder(r.Body).Decode(&req)
		f.gens = append(f.gens, req.Generations...)
	case path == "POST /api/invites":
		var req account.InviteRequest
		json.NewDecoder(r.Body).Decode(&req)
		code := fmt.Sprintf("INVITE%d", len(f.invites)+len(f.members))
		if f.invites == nil {
			f.invites = map[string]access.Role{}
		}
		f.invites[code] = access.Role(req.Role)
		json.NewEncoder(w).Encode(account.InviteReply{Code: code, Role: req.Role})
	case path == "POST /api/team":
		var req account.TeamLogRequest
		json.NewDecoder(r.Body).Decode(&req)
		if req.From != uint64(len(f.log)) {
			f.fail(w, http.StatusConflict, account.TeamLogMoved, "moved")
			return
		}
		f.log = append(f.log, req.Entries...)
	case path == "GET /api/members":
		var out []account.MemberReply
		for _, m := range f.members {
			out = append(out, reply(m))
		}
		json.NewEncoder(w).Encode(out)
	case strings.HasPrefix(path, "POST /api/devices/"):
		f.revoked = append(f.revoked, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/devices/"), "/revoke"))
	case target() == nil:
		f.fail(w, http.StatusNotFound, "not_found", "no such member")
	case r.Method == "PUT":
		var req account.KeysForMemberRequest
		json.NewDecoder(r.Body).Decode(&req)
		target().forMember = req.KeysForMember
	case r.Method == "PATCH":
		var req account.RoleRequest
		json.NewDecoder(r.Body).Decode(&req)
		m := target()
		m.role, m.forMember = access.Role(req.Role), nil
		json.NewEncoder(w).Encode(reply(m))
	case r.Method == "DELETE":
		target().removed = true
	default:
		f.fail(w, http.StatusNotFound, "not_found", "no such call")
	}
}

func (f *teamServer) member(id string) teamMember {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.members {
		if m.id == id {
			return *m
		}
	}
	return teamMember{}
}

// teamDevice sets up and unlocks a device of member m holding keys, as
// joining and being given access would leave it.
func teamDevice(t *testing.T, f *teamServer, url, ws string, m *teamMember, keys *seal.Keyring, devID uint64) *Session {
	t.Helper()
	salt, sec, wrapped := passSecrets(t, ws, keys)
	id, err := seal.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	sealedID, err := seal.WrapIdentity(sec.KEK, ws, id)
	if err != nil {
		t.Fatal(err)
	}
	forMember, err := seal.WrapTo(id.Public, ws, keys)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	m.public, m.keys = id.Public[:], wrapped
	if m.role != access.Owner {
		m.forMember = forMember
	}
	f.members = append(f.members, m)
	f.mu.Unlock()
	d := device{Workspace: ws, Member: m.id, Login: m.login, Role: m.role, Device: devID, Token: m.token,
		Salt: salt, Params: account.ParamsOf(fastParams), Keys: wrapped, Identity: sealedID}
	b, _ := json.Marshal(d)
	st := newMemStore()
	st.meta[metaDevice] = b
	s, err := New(context.Background(), Config{Server: url, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Lock)
	if err := s.Unlock(context.Background(), pass); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *Session) holds(c record.Class, id uint32) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.keys.Lookup(c, id)
	return ok
}

// outbox returns s's unsent versions and acknowledges them as stored
// under seqs from seq on.
func outbox(t *testing.T, s *Session, seq uint64) []wire.Envelope {
	t.Helper()
	vs, _, err := (*local)(s).Outbox(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var rs []wire.Result
	for i := range vs {
		vs[i].Seq = seq + uint64(i)
		rs = append(rs, wire.Result{OutboxID: vs[i].OutboxID, Seq: vs[i].Seq})
	}
	if err := (*local)(s).Acked(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	return vs
}

// Removing a groomer renews the care and project keys: the owner seals
// new versions with them, the front desk's device fetches them when it
// meets one, older records still open, and the removed groomer's device
// gets nothing. A role change that drops the client class takes the
// client key off the member's device.
func TestTeamRemoveAndRoleChange(t *testing.T) {
	ctx := context.Background()
	f := &teamServer{}
	hs := httptest.NewServer(f)
	defer hs.Close()
	keys := seal.NewKeyring()
	owner := teamDevice(t, f, hs.URL, "ws1", &teamMember{id: "m1", login: "owner", token: "t1", role: access.Owner}, keys, 1)
	groomer := teamDevice(t, f, hs.URL, "ws1", &teamMember{id: "m2", login: "groomer", token: "t2", role: access.Groomer},
		keys.Only(access.Groomer.Classes()...), 2)
	desk := teamDevice(t, f, hs.URL, "ws1", &teamMember{id: "m3", login: "desk", token: "t3", role: access.FrontDesk}, keys, 3)
	if groomer.holds(record.ClassClient, 1) {
		t.Fatal("the groomer's device holds the client key")
	}

	client := record.NewID()
	if err := owner.SaveClient(ctx, client, nil, &record.Client{Name: "Margaret Lockwood"}); err != nil {
		t.Fatal(err)
	}
	bella := record.NewID()
	if err := owner.SavePet(ctx, bella, nil, &record.Pet{Client: client, Name: "Bella", Allergies: []string{"chicken"}}); err != nil {
		t.Fatal(err)
	}
	first := outbox(t, owner, 100)
	for _, s := range []*Session{groomer, desk} {
		if err := (*local)(s).Receive(ctx, first, 199); err != nil {
			t.Fatal(err)
		}
	}
	var pet record.Pet
	if ok, err := groomer.LoadPet(bella, &pet); !ok || err != nil || pet.Name != "Bella" {
		t.Fatalf("the groomer's device reads the pet: %v %v %+v", ok, err, pet)
	}
	if ok, err := groomer.LoadClient(client, &record.Client{}); ok || err != nil {
		t.Fatalf("the groomer's device reads the client: %v %v", ok, err)
	}

	// Only the owner manages the team, and not themselves.
	ms, err := owner.Members(ctx)
	if err != nil || len(ms) != 3 {
		t.Fatalf("members: %v %+v", err, ms)
	}
	if err := desk.ChangeMember(ctx, ms[1], 0); !errors.Is(err, errNotOwner) {
		t.Errorf("the front desk removes a member: %v", err)
	}
	if err := owner.ChangeMember(ctx, ms[0], 0); err == nil || !strings.Contains(err.Error(), "yourself") {
		t.Errorf("the owner removes themselves: %v", err)
	}

	if err := owner.ChangeMember(ctx, ms[1], 0); err != nil {
		t.Fatal(err)
	}
	if !f.member("m2").removed {
		t.Fatal("the server did not remove the groomer")
	}
	if !owner.holds(record.ClassCare, 2) || !owner.holds(record.ClassProject, 2) || owner.holds(record.ClassClient, 2) {
		t.Fatal("the owner's keyring: want care and project renewed, client not")
	}
	for _, c := range []record.Class{record.ClassCare, record.ClassProject} {
		if !slices.Contains(f.gens, account.KeyGeneration{Class: uint8(c), ID: 2}) {
			t.Errorf("generation 2 of the %s key was not registered: %v", c, f.gens)
		}
	}
	// The renewed keyring is on the server, for the owner's other devices.
	if k, err := seal.UnwrapKeys(owner.kek, "ws1", f.member("m1").keys); err != nil || !k.Has(record.ClassCare) {
		t.Fatalf("the owner's keys on the server: %v", err)
	} else if _, ok := k.Lookup(record.ClassCare, 2); !ok {
		t.Error("the server holds the owner's old keyring")
	}

	// A new write uses the new generation.
	maxID := record.NewID()
	if err := owner.SavePet(ctx, maxID, nil, &record.Pet{Client: client, Name: "Max"}); err != nil {
		t.Fatal(err)
	}
	second := outbox(t, owner, 200)
	if len(second) != 1 || second[0].KeyID != 2 {
		t.Fatalf("the new pet's version: %+v", second)
	}

	// The front desk meets a key it lacks: the version is set aside and
	// the pull moves on; once its keys are fetched again, it opens.
	if err := (*local)(desk).Receive(ctx, second, 299); err != nil {
		t.Fatalf("receive under an unknown key: %v", err)
	}
	if (*local)(desk).Cursor() != 299 {
		t.Errorf("the cursor stayed at %d", (*local)(desk).Cursor())
	}
	if ok, _ := desk.LoadPet(maxID, &pet); ok {
		t.Error("the front desk reads a pet under a key it lacks")
	}
	if err := desk.RefreshKeys(ctx); err != nil || !desk.holds(record.ClassCare, 2) {
		t.Fatalf("the front desk's device did not fetch the renewed key: %v", err)
	}
	if n := desk.Unopened().Versions; n != 0 {
		t.Errorf("%d versions still set aside once the keys are here", n)
	}
	for _, id := range []string{bella, maxID} {
		if ok, err := desk.LoadPet(id, &pet); !ok || err != nil {
			t.Errorf("the front desk reads pet %s: %v %v", id, ok, err)
		}
	}

	// The removed groomer gets no new key and cannot open the new pet.
	if err := groomer.RefreshKeys(ctx); err == nil {
		t.Error("the removed groomer's device fetched keys")
	}
	if groomer.holds(record.ClassCare, 2) {
		t.Error("the removed groomer's device holds the renewed care key")
	}

	// Front desk to groomer: the client key is renewed, and the desk's
	// device drops the client key it held.
	ms, _ = owner.Members(ctx)
	if err := owner.ChangeMember(ctx, ms[2], access.Groomer); err != nil {
		t.Fatal(err)
	}
	if !owner.holds(record.ClassClient, 2) {
		t.Error("the client key was not renewed")
	}
	if err := desk.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if desk.Role() != access.Groomer || desk.holds(record.ClassClient, 1) || !desk.holds(record.ClassCare, 2) {
		t.Errorf("the demoted member's device: role %v, client key %v, care key %v", desk.Role(), desk.holds(record.ClassClient, 1), desk.holds(record.ClassCare, 2))
	}

	// Back to front desk: the device takes the renewed client key and,
	// never sent the client records while a groomer, pulls from the start.
	ms, _ = owner.Members(ctx)
	if err := owner.ChangeMember(ctx, ms[2], access.FrontDesk); err != nil {
		t.Fatal(err)
	}
	if (*local)(desk).Cursor() == 0 {
		t.Fatal("the front desk's cursor is at the start already")
	}
	if err := desk.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if desk.Role() != access.FrontDesk || !desk.holds(record.ClassClient, 2) || (*local)(desk).Cursor() != 0 {
		t.Errorf("the promoted member's device: role %v, client key %v, cursor %d", desk.Role(), desk.holds(record.ClassClient, 2), (*local)(desk).Cursor())
	}

	// A lost tablet is revoked by its id.
	if err := owner.RevokeDevice(ctx, 3); err != nil || len(f.revoked) != 1 || f.revoked[0] != account.DeviceID(3).String() {
		t.Errorf("revoke: %v %v", err, f.revoked)
	}

	// After a reload the owner's device opens old and new records alike.
	owner.Lock()
	if err := owner.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{bella, maxID} {
		if ok, err := owner.LoadPet(id, &pet); !ok || err != nil {
			t.Errorf("the owner reads pet %s after a reload: %v %v", id, ok, err)
		}
	}
}

package api_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"pawfile/server/api"
	"pawfile/server/db"
	"pawfile/server/directory"
	"pawfile/shared/account"
	"pawfile/shared/seal"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t       *testing.T
	url     string
	dir     *directory.Directory
	clock   *clock
	mu      sync.Mutex
	revoked []uint64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	bdb, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	c := &clock{t: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	dir, err := directory.Open(bdb, directory.WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir, clock: c}
	dir.OnRevoke(func(ws string, device uint64) {
		e.mu.Lock()
		e.revoked = append(e.revoked, device)
		e.mu.Unlock()
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(api.New(dir, slog.New(slog.DiscardHandler)))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// call sends body (a value, or raw bytes) and decodes the reply into out.
// It returns the status and, for errors, the error code.
func (e *env) call(method, path, token string, body, out any) (int, string) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		var er struct{ Error, Code string }
		if err := json.Unmarshal(raw, &er); err != nil || er.Code == "" || er.Error == "" {
			e.t.Fatalf("%s %s: error reply %d is not {error, code}: %s", method, path, resp.StatusCode, raw)
		}
		return resp.StatusCode, er.Code
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, ""
}

func (e *env) must(want int, method, path, token string, body, out any) {
	e.t.Helper()
	if got, code := e.call(method, path, token, body, out); got != want {
		e.t.Fatalf("%s %s: status %d (%s), want %d", method, path, got, code, want)
	}
}

func (e *env) refuse(wantStatus int, wantCode, method, path, token string, body any) {
	e.t.Helper()
	got, code := e.call(method, path, token, body, nil)
	if got != wantStatus || code != wantCode {
		e.t.Fatalf("%s %s: got %d %q, want %d %q", method, path, got, code, wantStatus, wantCode)
	}
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func params() account.Params {
	p := seal.DefaultParams
	return account.Params{Memory: p.Memory, Passes: p.Passes, Lanes: p.Lanes}
}

var nextDevice = uint64(0x1000)

func deviceID() account.DeviceID {
	nextDevice++
	return account.DeviceID(nextDevice)
}

func createReq(login string, auth []byte) account.CreateWorkspaceRequest {
	return account.CreateWorkspaceRequest{
		Login: login, Salt: random(16), Params: params(), Auth: auth, Keys: []byte("owner keyring"),
		PublicKey: random(32), DeviceID: deviceID(), DeviceName: "Front desk iPad",
	}
}

func joinReq(code, login string, auth []byte) account.JoinRequest {
	return account.JoinRequest{
		Code: code, Login: login, Salt: random(16), Params: params(), Auth: auth,
		PublicKey: random(32), DeviceID: deviceID(), DeviceName: "Grooming tablet",
	}
}

// TestTeamLifecycle walks the whole story of issue 3's accounts section.
func TestTeamLifecycle(t *testing.T) {
	e := newEnv(t)
	ownerAuth := random(32)

	// Create a workspace.
	create := createReq("  Owner@Example.com ", ownerAuth)
	var owner account.GrantReply
	e.must(201, "POST", "/api/workspaces", "", create, &owner)
	if owner.Role != account.Role(1) || owner.DeviceToken == "" || len(owner.Workspace) != 32 || owner.Device != create.DeviceID {
		t.Fatalf("create: %+v", owner)
	}
	e.refuse(409, "login_taken", "POST", "/api/workspaces", "", createReq("owner@example.com", random(32)))

	// The login's params are what the owner registered.
	var lp account.LoginParamsReply
	e.must(200, "GET", "/api/login?login=OWNER@example.com", "", nil, &lp)
	if !bytes.Equal(lp.Salt, create.Salt) || lp.Params != create.Params {
		t.Fatalf("login params %+v, want salt %x", lp, create.Salt)
	}

	// Log in from a second device.
	second := account.LoginRequest{Login: "owner@example.com", Auth: ownerAuth, DeviceID: deviceID(), DeviceName: "Laptop"}
	var owner2 account.GrantReply
	e.must(200, "POST", "/api/login", "", second, &owner2)
	if owner2.Workspace != owner.Workspace || owner2.Member != owner.Member || string(owner2.Keys) != "owner keyring" || owner2.DeviceToken == owner.DeviceToken {
		t.Fatalf("second device: %+v", owner2)
	}

	// A wrong secret is refused; after 5 failures even the right one is throttled.
	wrong := second
	wrong.Auth = random(32)
	for range 5 {
		e.refuse(401, "bad_login", "POST", "/api/login", "", wrong)
	}
	e.refuse(429, "throttled", "POST", "/api/login", "", second)
	e.clock.advance(16 * time.Minute)
	e.must(200, "POST", "/api/login", "", second, &owner2)

	// Invite a groomer, who joins.
	var inv account.InviteReply
	e.must(201, "POST", "/api/invites", owner.DeviceToken, account.InviteRequest{Role: account.Role(3)}, &inv)
	if len(inv.Code) < 26 || !inv.Expires.Equal(e.clock.now().Add(7*24*time.Hour)) {
		t.Fatalf("invite: %+v", inv)
	}
	groomerAuth := random(32)
	join := joinReq(strings.ToLower(inv.Code[:5])+"-"+inv.Code[5:], "groomer@example.com", groomerAuth)
	var groomer account.GrantReply
	e.must(201, "POST", "/api/join", "", join, &groomer)
	if groomer.Workspace != owner.Workspace || groomer.Role != account.Role(3) {
		t.Fatalf("join: %+v", groomer)
	}
	// The invite is single-use.
	e.refuse(410, "invite_used", "POST", "/api/join", "", joinReq(inv.Code, "other@example.com", random(32)))

	// The owner lists members and uploads the groomer's keys.
	var ms []account.MemberReply
	e.must(200, "GET", "/api/members", owner.DeviceToken, nil, &ms)
	if len(ms) != 2 || ms[0].Member != owner.Member || ms[1].Login != "groomer@example.com" || len(ms[0].Devices) != 2 ||
		!bytes.Equal(ms[1].PublicKey, join.PublicKey) || ms[1].HasKeys || ms[1].Status != "active" {
		t.Fatalf("members: %+v", ms)
	}
	e.must(204, "PUT", "/api/members/"+groomer.Member+"/keys", owner.DeviceToken, account.KeysForMemberRequest{KeysForMember: []byte("care+project")}, nil)

	// The groomer reads them, and stores its own keyring.
	var me account.MeReply
	e.must(200, "GET", "/api/me", groomer.DeviceToken, nil, &me)
	if string(me.KeysForMember) != "care+project" || me.Role != account.Role(3) || me.Member != groomer.Member || me.Device != join.DeviceID {
		t.Fatalf("me: %+v", me)
	}
	e.must(204, "PUT", "/api/me/keys", groomer.DeviceToken, account.KeysRequest{Keys: []byte("groomer keyring")}, nil)
	var gl account.GrantReply
	e.must(200, "POST", "/api/login", "", account.LoginRequest{Login: "groomer@example.com", Auth: groomerAuth, DeviceID: join.DeviceID}, &gl)
	if string(gl.Keys) != "groomer keyring" || string(gl.KeysForMember) != "care+project" {
		t.Fatalf("groomer login: %+v", gl)
	}
	// Logging in again from the same device replaced its token.
	e.refuse(401, "unauthorized", "GET", "/api/me", groomer.DeviceToken, nil)
	groomer.DeviceToken = gl.DeviceToken

	// The groomer may not manage the team.
	e.refuse(403, "forbidden", "GET", "/api/members", groomer.DeviceToken, nil)

	// The owner makes the groomer front desk: the session shows it at once, the old keys are dropped.
	var changed account.MemberReply
	e.must(200, "PATCH", "/api/members/"+groomer.Member, owner.DeviceToken, account.RoleRequest{Role: account.Role(2)}, &changed)
	if changed.Role != account.Role(2) || changed.HasKeys {
		t.Fatalf("role change: %+v", changed)
	}
	sess, err := e.dir.Authenticate(t.Context(), groomer.DeviceToken)
	if err != nil || sess.Role != 2 {
		t.Fatalf("session after role change: %+v, %v", sess, err)
	}

	// The owner removes the member: its tokens stop working and the hub hears of it.
	e.must(204, "DELETE", "/api/members/"+groomer.Member, owner.DeviceToken, nil, nil)
	e.refuse(401, "member_removed", "GET", "/api/me", groomer.DeviceToken, nil)
	e.mu.Lock()
	if len(e.revoked) != 1 || e.revoked[0] != uint64(join.DeviceID) {
		t.Errorf("OnRevoke got %x, want [%x]", e.revoked, uint64(join.DeviceID))
	}
	e.mu.Unlock()
	e.refuse(401, "bad_login", "POST", "/api/login", "", account.LoginRequest{Login: "groomer@example.com", Auth: groomerAuth, DeviceID: deviceID()})
	e.must(200, "GET", "/api/members", owner.DeviceToken, nil, &ms)
	if ms[1].Status != "removed" || !ms[1].Devices[0].Revoked {
		t.Fatalf("members after removal: %+v", ms)
	}
	// The last owner cannot remove itself.
	e.refuse(409, "last_owner", "DELETE", "/api/members/"+owner.Member, owner.DeviceToken, nil)

	// The owner revokes its second device.
	e.must(204, "POST", "/api/devices/"+owner2.Device.String()+"/revoke", owner.DeviceToken, nil, nil)
	e.refuse(403, "device_revoked", "GET", "/api/me", owner2.DeviceToken, nil)
	e.refuse(403, "device_revoked", "POST", "/api/login", "", second)

	// The audit log tells the story, without secrets.
	events, err := e.dir.Audit(t.Context(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, string(ev.Kind))
		raw, _ := json.Marshal(ev)
		for _, secret := range []string{owner.DeviceToken, groomer.DeviceToken, inv.Code, "keyring"} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("audit event %s holds a secret", raw)
			}
		}
	}
	got := strings.Join(kinds, " ")
	// The five wrong passphrases in a row are one row counting them.
	want := "workspace_created login_ok login_failed login_ok " +
		"invite_created joined login_ok denied role_changed member_removed device_revoked login_failed device_revoked login_failed"
	if got != want {
		t.Errorf("audit:\n got %s\nwant %s", got, want)
	}
	if events[2].Count != 5 {
		t.Errorf("the failed logins' row counts %d, want 5", events[2].Count)
	}
	if events[0].Remote != "127.0.0.1" {
		t.Errorf("audit remote %q", events[0].Remote)
	}
}

func TestInvites(t *testing.T) {
	e := newEnv(t)
	var owner account.GrantReply
	e.must(201, "POST", "/api/workspaces", "", createReq("boss@example.com", random(32)), &owner)
	var inv account.InviteReply
	e.must(201, "POST", "/api/invites", owner.DeviceToken, account.InviteRequest{Role: account.Role(4)}, &inv)
	e.refuse(404, "invite_unknown", "POST", "/api/join", "", joinReq("AAAAAAAAAAAAAAAAAAAAAAAAAA", "v@example.com", random(32)))
	e.refuse(400, "bad_json", "POST", "/api/invites", owner.DeviceToken, []byte(`{"role":"admin"}`))
	e.refuse(400, "bad_input", "POST", "/api/invites", owner.DeviceToken, []byte(`{}`))
	e.clock.advance(7*24*time.Hour + time.Second)
	e.refuse(410, "invite_expired", "POST", "/api/join", "", joinReq(inv.Code, "v@example.com", random(32)))
}

func TestNonOwnerRefused(t *testing.T) {
	e := newEnv(t)
	var owner, staff account.GrantReply
	e.must(201, "POST", "/api/workspaces", "", createReq("boss@example.com", random(32)), &owner)
	var inv account.InviteReply
	e.must(201, "POST", "/api/invites", owner.DeviceToken, account.InviteRequest{Role: account.Role(2)}, &inv)
	e.must(201, "POST", "/api/join", "", joinReq(inv.Code, "desk@example.com", random(32)), &staff)

	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/invites", account.InviteRequest{Role: account.Role(3)}},
		{"GET", "/api/members", nil},
		{"PATCH", "/api/members/" + owner.Member, account.RoleRequest{Role: account.Role(4)}},
		{"DELETE", "/api/members/" + owner.Member, nil},
		{"PUT", "/api/members/" + owner.Member + "/keys", account.KeysForMemberRequest{KeysForMember: []byte("x")}},
		{"POST", "/api/devices/" + owner.Device.String() + "/revoke", nil},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			e.t = t
			e.refuse(403, "forbidden", c.method, c.path, staff.DeviceToken, c.body)
		})
	}
	e.t = t
	// A member may revoke its own device.
	e.must(204, "POST", "/api/devices/"+staff.Device.String()+"/revoke", staff.DeviceToken, nil, nil)

	events, err := e.dir.Audit(t.Context(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	denied := 0
	for _, ev := range events {
		if ev.Kind == directory.Denied {
			denied++
			if ev.Member != staff.Member || ev.Device != uint64(staff.Device) || ev.Detail == "" {
				t.Errorf("denied event %+v", ev)
			}
		}
	}
	if denied != 6 {
		t.Errorf("%d denied events, want 6", denied)
	}
}

func TestBadRequests(t *testing.T) {
	e := newEnv(t)
	var owner account.GrantReply
	e.must(201, "POST", "/api/workspaces", "", createReq("boss@example.com", random(32)), &owner)

	weak := createReq("weak@example.com", random(32))
	weak.Params.Memory = 1024
	weak.Params.Passes = 1
	noDevice := createReq("nodev@example.com", random(32))
	noDevice.DeviceID = 0
	shortLogin := createReq("ab", random(32))
	shortSalt := createReq("salt@example.com", random(32))
	shortSalt.Salt = random(8)

	tests := []struct {
		name         string
		method, path string
		token        string
		body         any
		status       int
		code         string
	}{
		{"oversized body", "POST", "/api/workspaces", "", []byte(`{"login":"` + strings.Repeat("a", api.MaxBody) + `"}`), 413, "too_large"},
		{"oversized authed body", "PUT", "/api/me/keys", owner.DeviceToken, []byte(`{"keys":"` + strings.Repeat("A", api.MaxBody) + `"}`), 413, "too_large"},
		{"unknown field", "POST", "/api/login", "", []byte(`{"login":"boss@example.com","password":"x"}`), 400, "bad_json"},
		{"trailing data", "POST", "/api/invites", owner.DeviceToken, []byte(`{"role":"viewer"} {}`), 400, "bad_json"},
		{"not json", "POST", "/api/join", "", []byte(`code=abc`), 400, "bad_json"},
		{"bad device id", "POST", "/api/login", "", []byte(`{"login":"boss@example.com","device_id":12}`), 400, "bad_json"},
		{"weak params", "POST", "/api/workspaces", "", weak, 400, "weak_params"},
		{"no device id", "POST", "/api/workspaces", "", noDevice, 400, "bad_input"},
		{"short login", "POST", "/api/workspaces", "", shortLogin, 400, "bad_input"},
		{"short salt", "POST", "/api/workspaces", "", shortSalt, 400, "bad_input"},
		{"no token", "GET", "/api/me", "", nil, 401, "unauthorized"},
		{"bad token", "GET", "/api/me", "not-a-token", nil, 401, "unauthorized"},
		{"unknown token", "GET", "/api/me", strings.Repeat("A", 43), nil, 401, "unauthorized"},
		{"unknown member", "PATCH", "/api/members/" + strings.Repeat("0", 32), owner.DeviceToken, account.RoleRequest{Role: account.Role(3)}, 404, "not_found"},
		{"unknown device", "POST", "/api/devices/00000000000000ff/revoke", owner.DeviceToken, nil, 404, "not_found"},
		{"bad device path", "POST", "/api/devices/xyz/revoke", owner.DeviceToken, nil, 400, "bad_input"},
		{"unknown endpoint", "GET", "/api/nothing", "", nil, 404, "not_found"},
		{"empty keys", "PUT", "/api/me/keys", owner.DeviceToken, account.KeysRequest{}, 400, "bad_input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.refuse(tc.status, tc.code, tc.method, tc.path, tc.token, tc.body)
		})
	}
}

func TestUnknownLoginLooksReal(t *testing.T) {
	e := newEnv(t)
	create := createReq("real@example.com", random(32))
	e.must(201, "POST", "/api/workspaces", "", create, nil)

	var real, fake, again, other account.LoginParamsReply
	e.must(200, "GET", "/api/login?login=real@example.com", "", nil, &real)
	e.must(200, "GET", "/api/login?login=nobody@example.com", "", nil, &fake)
	e.must(200, "GET", "/api/login?login=Nobody@Example.com", "", nil, &again)
	e.must(200, "GET", "/api/login?login=someone@example.com", "", nil, &other)
	if len(fake.Salt) != len(real.Salt) || fake.Params != real.Params {
		t.Errorf("fake %+v does not look like real %+v", fake, real)
	}
	if !bytes.Equal(fake.Salt, again.Salt) {
		t.Error("fake salt is not stable")
	}
	if bytes.Equal(fake.Salt, other.Salt) || bytes.Equal(fake.Salt, real.Salt) {
		t.Error("fake salts repeat")
	}
	// Same JSON keys either way.
	keys := func(login string) string {
		resp, err := http.Get(e.url + "/api/login?login=" + login)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return fmt.Sprint(len(m), m["params"] != nil, m["salt"] != nil)
	}
	if keys("real@example.com") != keys("nobody@example.com") {
		t.Error("unknown login's reply has another shape")
	}
	// Logging in to an unknown login fails exactly like a wrong secret.
	e.refuse(401, "bad_login", "POST", "/api/login", "", account.LoginRequest{Login: "nobody@example.com", Auth: random(32), DeviceID: deviceID()})
}

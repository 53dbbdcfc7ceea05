package api_test

import (
	"net/url"
	"testing"

	"pawfile/shared/account"
)

// kdfOf is what GET /api/login gives for login.
func (e *env) kdfOf(login string) account.LoginParamsReply {
	e.t.Helper()
	var lp account.LoginParamsReply
	e.must(200, "GET", "/api/login?login="+url.QueryEscape(login), "", nil, &lp)
	return lp
}

// TestCreationDoesNotRevealLogins: asking for a workspace with a login
// someone already has is answered as for a free login, and both people
// then sign in to their own workspace.
func TestCreationDoesNotRevealLogins(t *testing.T) {
	e := newEnv(t)
	ownerAuth, strangerAuth := random(32), random(32)
	create := func(login string, auth []byte) (int, string, account.GrantReply) {
		req := e.createReq(login, auth)
		var g account.GrantReply
		status, code := e.call("POST", "/api/workspaces", "", req, &g)
		return status, code, g
	}
	status, code, owner := create("owner@example.com", ownerAuth)
	if status != 201 {
		t.Fatalf("the owner's workspace: %d %s", status, code)
	}
	// A stranger asks with the owner's login, then with a free one: the
	// same answer.
	taken, takenCode, stranger := create("owner@example.com", strangerAuth)
	free, freeCode, _ := create("nobody@example.com", random(32))
	if taken != free || takenCode != freeCode || taken != 201 {
		t.Fatalf("a taken login answered %d %q, a free one %d %q", taken, takenCode, free, freeCode)
	}
	if stranger.Workspace == owner.Workspace {
		t.Fatal("the stranger got the owner's workspace")
	}
	// A salt other than the login's is refused alike for both.
	for _, login := range []string{"owner@example.com", "else@example.com"} {
		e.refuse(400, "bad_input", "POST", "/api/workspaces", "", randomCreateReq(login, random(32)))
	}
	// Each signs in to their own workspace.
	for _, c := range []struct {
		auth []byte
		want string
	}{{ownerAuth, owner.Workspace}, {strangerAuth, stranger.Workspace}} {
		var g account.GrantReply
		e.must(200, "POST", "/api/login", "", account.LoginRequest{Login: "owner@example.com", Auth: c.auth, DeviceID: deviceID(), DeviceName: "Phone"}, &g)
		if g.Workspace != c.want {
			t.Fatalf("signed in to %s, want %s", g.Workspace, c.want)
		}
	}
	// The same login and passphrase twice would be one sign-in for two
	// accounts: refused, which tells only the one who knows the
	// passphrase already.
	if status, code, _ := create("owner@example.com", ownerAuth); status != 409 || code != "same_passphrase" {
		t.Fatalf("the owner's login and passphrase again: %d %q", status, code)
	}
	// An invite with a taken login joins too.
	var inv account.InviteReply
	e.must(201, "POST", "/api/invites", owner.DeviceToken, account.InviteRequest{Role: account.Role(3)}, &inv)
	e.must(201, "POST", "/api/join", "", e.joinReq(inv.Code, "owner@example.com", random(32)), nil)
}

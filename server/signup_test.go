package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"pawfile/shared/account"
)

// signupCode runs pawfile signup-code against s and returns the code.
func signupCode(t *testing.T, s *server) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PAWFILE_SERVE=signup-code -data "+s.data+" -addr "+s.addr)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pawfile signup-code: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Sign-up code: (\S+)\nLink: +http://\S+/#signup=(\S+)\n`).FindSubmatch(out)
	if m == nil || string(m[1]) != string(m[2]) {
		t.Fatalf("pawfile signup-code printed %q", out)
	}
	return string(m[1])
}

// createWorkspace asks s for a workspace with login and code, and returns
// the status and error code.
func createWorkspace(t *testing.T, s *server, login, code string) (int, string) {
	t.Helper()
	lp := loginParams(t, s, login)
	b, _ := json.Marshal(account.CreateWorkspaceRequest{
		Login: login, Salt: lp.Salt, Params: lp.Params, Auth: bytes.Repeat([]byte{7}, 32),
		Keys: []byte("keys"), PublicKey: bytes.Repeat([]byte{1}, 32), DeviceID: account.DeviceID(time.Now().UnixNano()), DeviceName: "tablet",
		SignupCode: code,
	})
	resp, err := http.Post("http://"+s.addr+"/api/workspaces", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e account.ErrorReply
	json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.Code
}

// TestSignupNeedsACode: a fresh server prints a one-time link for the
// first workspace; later ones need a code from pawfile signup-code, which
// works with the server running or stopped.
func TestSignupNeedsACode(t *testing.T) {
	data, addr := t.TempDir(), freeAddr(t)
	s := startServer(t, data, addr)
	link := regexp.MustCompile(`http://` + regexp.QuoteMeta(addr) + `/#signup=(\S+)`)
	var m []string
	for range 50 { // stderr is copied a moment after the server writes it
		if m = link.FindStringSubmatch(s.logs.String()); m != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if m == nil {
		t.Fatalf("a fresh server printed no setup link:\n%s", s.logs)
	}
	for _, c := range []struct {
		login, code string
		status      int
		want        string
	}{
		{"a@example.com", "", 403, "signup_code_needed"},
		{"a@example.com", "NOT-A-CODE", 403, "signup_code_unknown"},
		{"a@example.com", strings.ToLower(m[1]), 201, ""},
		{"b@example.com", m[1], 410, "signup_code_used"},
	} {
		if status, code := createWorkspace(t, s, c.login, c.code); status != c.status || code != c.want {
			t.Fatalf("create with code %q: %d %q, want %d %q", c.code, status, code, c.status, c.want)
		}
	}
	if status, code := createWorkspace(t, s, "b@example.com", signupCode(t, s)); status != 201 {
		t.Fatalf("with a code from pawfile signup-code: %d %s", status, code)
	}
	// With the server stopped, signup-code writes the code itself; a
	// server with workspaces prints no setup link.
	s.kill()
	code := signupCode(t, s)
	s = startServer(t, data, addr)
	if status, c := createWorkspace(t, s, "c@example.com", code); status != 201 {
		t.Fatalf("with a code made while the server was stopped: %d %s", status, c)
	}
	if strings.Contains(s.logs.String(), "#signup=") {
		t.Fatalf("a server with workspaces printed a setup link:\n%s", s.logs)
	}
}

// TestSignupOpen: -signup open takes anyone without a code, a few
// workspaces an hour from one address.
func TestSignupOpen(t *testing.T) {
	s := startServer(t, t.TempDir(), freeAddr(t), "-signup", "open", "-signup-limit", "2")
	for i, want := range []int{201, 201, 429} {
		if status, code := createWorkspace(t, s, string(rune('a'+i))+"@example.com", ""); status != want {
			t.Fatalf("open sign-up %d: %d %s, want %d", i+1, status, code, want)
		}
	}
}

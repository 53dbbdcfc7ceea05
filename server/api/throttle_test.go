package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"pawfile/shared/account"
)

// reply is an answer as callFrom reads it.
type reply struct {
	status     int
	code       string
	retryAfter time.Duration
}

// callFrom sends body as a client at the loopback address ip would.
func (e *env) callFrom(ip, method, path, token string, body any) reply {
	e.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode}
	if resp.StatusCode >= 400 {
		var er struct{ Code string }
		if err := json.Unmarshal(out, &er); err != nil {
			e.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
		}
		r.code = er.Code
	}
	if s := resp.Header.Get("Retry-After"); s != "" {
		secs, err := strconv.Atoi(s)
		if err != nil {
			e.t.Fatalf("Retry-After %q: %v", s, err)
		}
		r.retryAfter = time.Duration(secs) * time.Second
	}
	return r
}

// TestStrangerCannotLockOutTheOwner: a stranger's wrong guesses at the
// owner's login slow the stranger down, never the owner: the owner's
// signed-in device keeps working and the owner signs in from elsewhere at
// once.
func TestStrangerCannotLockOutTheOwner(t *testing.T) {
	e := newEnv(t)
	ownerAuth := random(32)
	var owner account.GrantReply
	e.must(201, "POST", "/api/workspaces", "", e.createReq("owner@example.com", ownerAuth), &owner)

	const stranger = "127.0.0.2"
	wrong := account.LoginRequest{Login: "owner@example.com", Auth: random(32), DeviceID: deviceID(), DeviceName: "Stranger"}
	throttled := 0
	for range 30 {
		switch r := e.callFrom(stranger, "POST", "/api/login", "", wrong); {
		case r.status == 401 && r.code == "bad_login":
		case r.status == 429 && r.code == "throttled" && r.retryAfter > 0:
			throttled++
		default:
			t.Fatalf("a stranger's guess: %+v", r)
		}
	}
	if throttled == 0 {
		t.Fatal("30 wrong guesses from one address were never slowed down")
	}
	if r := e.callFrom("127.0.0.1", "GET", "/api/me", owner.DeviceToken, nil); r.status != 200 {
		t.Fatalf("the owner's signed-in device after the stranger's guesses: %+v", r)
	}
	right := account.LoginRequest{Login: "owner@example.com", Auth: ownerAuth, DeviceID: deviceID(), DeviceName: "Owner's phone"}
	if r := e.callFrom("127.0.0.3", "POST", "/api/login", "", right); r.status != 200 {
		t.Fatalf("the owner signing in on a new device after the stranger's guesses: %+v", r)
	}
}

// TestGuessesGrowSlowerAndEnd: one address guessing wrongly waits longer
// and longer, and may try again once it has waited: nothing locks.
func TestGuessesGrowSlowerAndEnd(t *testing.T) {
	e := newEnv(t)
	ownerAuth := random(32)
	e.must(201, "POST", "/api/workspaces", "", e.createReq("owner@example.com", ownerAuth), nil)
	wrong := account.LoginRequest{Login: "owner@example.com", Auth: random(32), DeviceID: deviceID(), DeviceName: "Typo"}
	var waits []time.Duration
	for len(waits) < 4 {
		r := e.callFrom("127.0.0.1", "POST", "/api/login", "", wrong)
		switch {
		case r.status == 401:
		case r.status == 429 && r.retryAfter > 0:
			waits = append(waits, r.retryAfter)
			e.clock.advance(r.retryAfter)
		default:
			t.Fatalf("guess: %+v", r)
		}
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] <= waits[i-1] {
			t.Fatalf("waits %v: each should be longer than the one before", waits)
		}
	}
	if waits[len(waits)-1] > 15*time.Minute {
		t.Fatalf("waits %v: a wait is at most 15 minutes", waits)
	}
	// Having waited, the right passphrase signs in.
	e.clock.advance(waits[len(waits)-1])
	right := account.LoginRequest{Login: "owner@example.com", Auth: ownerAuth, DeviceID: deviceID(), DeviceName: "Owner"}
	if r := e.callFrom("127.0.0.1", "POST", "/api/login", "", right); r.status != 200 {
		t.Fatalf("the right passphrase after waiting: %+v", r)
	}
}

// TestGuessingAcrossLoginsIsLimited: one address trying one guess at
// each of many logins is slowed down too.
func TestGuessingAcrossLoginsIsLimited(t *testing.T) {
	e := newEnv(t)
	for i := range 60 {
		guess := account.LoginRequest{Login: fmt.Sprintf("person%d@example.com", i), Auth: random(32), DeviceID: deviceID(), DeviceName: "Sprayer"}
		switch r := e.callFrom("127.0.0.2", "POST", "/api/login", "", guess); {
		case r.status == 401:
		case r.status == 429 && r.code == "throttled":
			// Another address is not slowed down by it.
			other := guess
			other.Login = "someone@example.com"
			if r := e.callFrom("127.0.0.3", "POST", "/api/login", "", other); r.status != 401 {
				t.Fatalf("another address after the sprayer was throttled: %+v", r)
			}
			return
		default:
			t.Fatalf("guess %d: %+v", i, r)
		}
	}
	t.Fatal("60 guesses at 60 logins from one address were never slowed down")
}

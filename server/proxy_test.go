package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"pawfile/shared/account"
	"pawfile/shared/seal"
)

// TestBehindAProxy: with -trusted-proxies, sign-in guesses are counted per
// client the proxy forwards for: a stranger's guesses slow the stranger
// down, and the owner, behind the same proxy, signs in at once.
func TestBehindAProxy(t *testing.T) {
	s := startServer(t, t.TempDir(), freeAddr(t), "-trusted-proxies", "127.0.0.1,::1")
	owner(t, s)
	login := func(client string, auth []byte) int {
		t.Helper()
		b, _ := json.Marshal(account.LoginRequest{Login: "owner@example.com", Auth: auth, DeviceID: 0x99, DeviceName: "phone"})
		req, _ := http.NewRequest("POST", "http://"+s.addr+"/api/login", bytes.NewReader(b))
		req.Header.Set("X-Forwarded-For", client)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	throttled := false
	for range 12 {
		switch status := login("198.51.100.7", bytes.Repeat([]byte{1}, 32)); status {
		case 401:
		case 429:
			throttled = true
		default:
			t.Fatalf("a stranger's guess: %d", status)
		}
	}
	if !throttled {
		t.Fatal("12 wrong guesses from one client were never slowed down")
	}
	lp := loginParams(t, s, "owner@example.com")
	sec, err := seal.Derive([]byte("a long passphrase for tests"), lp.Salt, lp.Params.Seal())
	if err != nil {
		t.Fatal(err)
	}
	if status := login("198.51.100.8", sec.Auth[:]); status != 200 {
		t.Fatalf("the owner behind the same proxy: %d", status)
	}
}

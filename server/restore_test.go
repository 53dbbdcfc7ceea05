package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pawfile/shared/account"
)

// pawfile restore-workspace restores an owner's backup onto a stopped,
// empty server, and refuses a second time, a damaged file, and no file.
func TestRestoreWorkspaceCommand(t *testing.T) {
	s := startServer(t, t.TempDir(), freeAddr(t))
	ws, _, token := owner(t, s)
	req, _ := http.NewRequest("POST", "http://"+s.addr+"/api/backups", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tk account.BackupTicketReply
	if resp.StatusCode != 201 {
		t.Fatalf("POST /api/backups: %s", resp.Status)
	}
	readJSON(t, resp, &tk)
	resp, err = http.Get("http://" + s.addr + tk.URL)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("download: %s, %v", resp.Status, err)
	}
	var want account.LoginParamsReply
	getJSON(t, "http://"+s.addr+"/api/login?login=owner@example.com", &want)
	s.kill()
	file := filepath.Join(t.TempDir(), "backup.pawfile")
	cut := filepath.Join(t.TempDir(), "cut.pawfile")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, raw[:len(raw)/2], 0o600); err != nil {
		t.Fatal(err)
	}

	empty := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-data", empty}, "name the backup file"},
		{[]string{"-data", empty, cut}, "ends early"},
		{[]string{"-data", s.data, file}, "already exists"},
	} {
		if err := run(append([]string{"restore-workspace"}, c.args...)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("restore-workspace %q: %v; want an error saying %q", c.args, err, c.want)
		}
	}
	if err := run([]string{"restore-workspace", "-data", empty, file}); err != nil {
		t.Fatalf("restore-workspace: %v", err)
	}
	if err := run([]string{"restore-workspace", "-data", empty, file}); err == nil || !strings.Contains(err.Error(), "workspace "+ws) {
		t.Errorf("a second restore: %v", err)
	}
	// The owner's salt is back (an unknown login would get a salt made
	// from the new server's own secret).
	restored := startServer(t, empty, freeAddr(t))
	var got account.LoginParamsReply
	getJSON(t, "http://"+restored.addr+"/api/login?login=owner@example.com", &got)
	if !bytes.Equal(got.Salt, want.Salt) || got.Params != want.Params {
		t.Errorf("login params after restore: %+v, want %+v", got, want)
	}
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	readJSON(t, resp, out)
}

func readJSON(t *testing.T, resp *http.Response, out any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"pawfile/server/api"
	"pawfile/server/db"
	"pawfile/server/directory"
	"pawfile/server/store"
	"pawfile/server/wsbackup"
	"pawfile/shared/access"
	"pawfile/shared/account"
)

func newBackupEnv(t *testing.T) *env {
	t.Helper()
	bdb, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	if _, err := store.Open(bdb); err != nil {
		t.Fatal(err)
	}
	dir, err := directory.Open(bdb)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(api.New(dir, slog.New(slog.DiscardHandler),
		api.WithBackups(&wsbackup.Service{DB: bdb, Server: "test", TempDir: t.TempDir()})))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &env{t: t, url: srv.URL, dir: dir}
}

// The owner downloads the workspace's backup through a one-use link; no
// one else may, and the link works once.
func TestBackupDownload(t *testing.T) {
	e := newBackupEnv(t)
	var owner account.GrantReply
	e.must(201, "POST", "/api/workspaces", "", createReq("owner@example.com", random(32)), &owner)
	var inv account.InviteReply
	e.must(201, "POST", "/api/invites", owner.DeviceToken, account.InviteRequest{Role: account.Role(access.Groomer)}, &inv)
	var groomer account.GrantReply
	e.must(201, "POST", "/api/join", "", joinReq(inv.Code, "groomer@example.com", random(32)), &groomer)

	e.refuse(403, "forbidden", "POST", "/api/backups", groomer.DeviceToken, nil)
	e.refuse(403, "forbidden", "GET", "/api/backups", groomer.DeviceToken, nil)
	e.refuse(401, "unauthorized", "POST", "/api/backups", "", nil)

	var tk account.BackupTicketReply
	e.must(201, "POST", "/api/backups", owner.DeviceToken, nil, &tk)
	if !strings.HasPrefix(tk.URL, "/api/backups/download?ticket=") || time.Until(tk.Expires) <= 0 {
		t.Fatalf("ticket = %+v", tk)
	}
	resp, err := http.Get(e.url + tk.URL)
	if err != nil {
		t.Fatal(err)
	}
	file, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("download: %d, %v", resp.StatusCode, err)
	}
	if resp.ContentLength != int64(len(file)) || len(file) == 0 {
		t.Errorf("Content-Length %d for %d bytes", resp.ContentLength, len(file))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".pawfile") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	e.refuse(404, "ticket_unknown", "GET", tk.URL, "", nil)
	e.refuse(404, "ticket_unknown", "GET", "/api/backups/download?ticket=guess", "", nil)

	// What was downloaded restores onto an empty server.
	fresh, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	store.Open(fresh)
	directory.Open(fresh)
	h, err := wsbackup.Restore(context.Background(), fresh, bytes.NewReader(file), int64(len(file)), 0)
	if err != nil || h.Workspace != owner.Workspace {
		t.Fatalf("restore of the download: %+v, %v", h, err)
	}

	var list account.BackupsReply
	e.must(200, "GET", "/api/backups", owner.DeviceToken, nil, &list)
	if len(list.Backups) != 1 || list.Backups[0].By != "owner@example.com" || list.Backups[0].Bytes != int64(len(file)) || !list.Backups[0].ErasedSince.IsZero() {
		t.Errorf("backups = %+v (file of %d bytes)", list.Backups, len(file))
	}
}

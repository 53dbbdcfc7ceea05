package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"pawfile/server/backup"
	"pawfile/server/db"
)

// On SIGTERM the server tells a connected device to reconnect (close code
// 1012, service restart), ends with status 0, and leaves its database
// closed and whole, with every acknowledged version in it.
func TestSIGTERMDrainsDevices(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir, freeAddr(t), "-log", "json")
	ws, device, token := owner(t, s)
	c, err := dial(t, s, device, token)
	if err != nil {
		t.Fatal(err)
	}
	var acked sync.Map
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- load(c, stop, &acked, 0) }()
	for n, i := 0, 0; n < 200; i++ {
		select {
		case err := <-done:
			t.Fatalf("the load stopped before the server did: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
		if i == 1000 {
			t.Fatalf("only %d versions acknowledged in 10 s: the load did not run", n)
		}
		n = 0
		acked.Range(func(any, any) bool { n++; return true })
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = <-done
	close(stop)
	if code := websocket.CloseStatus(err); code != websocket.StatusServiceRestart {
		t.Errorf("the device was told %v (%v), want close code %d: service restart, reconnect", code, err, websocket.StatusServiceRestart)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("the server ended with %v after SIGTERM, want status 0", err)
	}
	if err := backup.Check(filepath.Join(dir, db.File)); err != nil {
		t.Fatalf("after SIGTERM: %v", err)
	}
	got := stored(t, dir, ws)
	n := 0
	acked.Range(func(k, v any) bool {
		n++
		if seq, ok := got[k.(uint64)]; !ok || seq != v.(uint64) {
			t.Errorf("outbox %d acknowledged as seq %d, stored as %d (%v)", k, v, seq, ok)
		}
		return true
	})
	t.Logf("%d versions acknowledged before SIGTERM, all present", n)

	// -log json: every line the server wrote is a JSON object with a
	// message, and it said it stopped.
	stopped := false
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		var entry struct {
			Msg   string `json:"msg"`
			Level string `json:"level"`
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(line)))
		dec.UseNumber()
		if err := dec.Decode(&entry); err != nil || entry.Msg == "" || entry.Level == "" {
			t.Errorf("a log line that is not a JSON entry (%v): %s", err, line)
		}
		stopped = stopped || entry.Msg == "stopped"
	}
	if !stopped {
		t.Errorf("the server never logged that it stopped:\n%s", s.logs)
	}
}

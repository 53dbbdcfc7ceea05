package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"pawfile/server/backup"
	"pawfile/server/db"
	"pawfile/server/store"
	"pawfile/shared/account"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// The test binary doubles as the server: with PAWFILE_SERVE set it runs
// the server with those arguments instead of the tests.
func TestMain(m *testing.M) {
	if args := os.Getenv("PAWFILE_SERVE"); args != "" {
		if err := run(strings.Fields(args)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type server struct {
	cmd  *exec.Cmd
	addr string
	data string
	url  string       // http://addr, or https:// once overTLS
	http *http.Client // trusts the server's certificate once overTLS
	logs *logBuffer
}

// logBuffer keeps what the server wrote to stderr; a failed test shows it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs the server on data and addr, with the extra flags
// (which may override -web) after its own.
func startServer(t *testing.T, data, addr string, extra ...string) *server {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PAWFILE_SERVE=-addr "+addr+" -data "+data+" -web "+t.TempDir()+" "+strings.Join(extra, " "))
	logs := &logBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, addr: addr, data: data, url: "http://" + addr, http: http.DefaultClient, logs: logs}
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("server log:\n%s", logs)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server did not start within 10 s")
	return nil
}

func (s *server) kill() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(syscall.SIGKILL)
		s.cmd.Wait()
	}
}

// post sends in as JSON to the server's path and decodes the answer into
// out.
func post(t *testing.T, s *server, path string, in, out any) {
	t.Helper()
	b, _ := json.Marshal(in)
	url := s.url + path
	resp, err := s.http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// owner creates a workspace and returns its id, the device and its token.
func owner(t *testing.T, s *server) (string, uint64, string) {
	salt := seal.NewSalt()
	secrets, err := seal.Derive([]byte("a long passphrase for tests"), salt, seal.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := seal.NewIdentity()
	keys, _ := seal.WrapKeys(secrets.KEK, "pending", seal.NewKeyring())
	const device = 0x1234
	var g account.GrantReply
	post(t, s, "/api/workspaces", account.CreateWorkspaceRequest{
		Login: "owner@example.com", Salt: salt, Params: account.Params(seal.DefaultParams), Auth: secrets.Auth[:],
		Keys: keys, PublicKey: id.Public[:], DeviceID: device, DeviceName: "test tablet",
	}, &g)
	return g.Workspace, device, g.DeviceToken
}

type client struct {
	t     *testing.T
	ws    *websocket.Conn
	clock *clock.Clock
}

func dial(t *testing.T, s *server, device uint64, token string) (*client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.url, "http")+"/sync", &websocket.DialOptions{
		HTTPClient: s.http, HTTPHeader: http.Header{"Origin": {s.url}},
	})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(wire.MaxFrame)
	cl := &client{t: t, ws: c, clock: clock.New(device, nil)}
	if err := cl.send(&wire.Hello{Proto: wire.Version, Device: device, Token: []byte(token)}); err != nil {
		return nil, err
	}
	m, err := cl.recv()
	if err != nil {
		return nil, err
	}
	if _, ok := m.(*wire.Welcome); !ok {
		return nil, fmt.Errorf("hello answered with %T", m)
	}
	return cl, nil
}

func (c *client) send(m wire.Message) error {
	b, err := wire.Encode(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageBinary, b)
}

func (c *client) recv() (wire.Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	return wire.Decode(b)
}

// load pushes batches until stop is closed or the connection breaks, and
// records every acknowledged seq under its outbox id. It returns what broke
// the connection.
func load(c *client, stop <-chan struct{}, acked *sync.Map, first uint64) error {
	outbox := first
	for batch := uint32(1); batch < 10_000; batch++ {
		select {
		case <-stop:
			return nil
		default:
		}
		vs := make([]wire.Envelope, 50)
		for i := range vs {
			outbox++
			vs[i] = wire.Envelope{Class: record.ClassProject, Key: wire.Key{byte(outbox), byte(outbox >> 8), byte(outbox >> 16), 1},
				TS: c.clock.Now(), KeyID: 1, Format: 1, OutboxID: outbox, Sealed: bytes.Repeat([]byte{7}, 400)}
		}
		if err := c.send(&wire.Push{ID: batch, Versions: vs}); err != nil {
			return err
		}
		m, err := c.recv()
		if err != nil {
			return err
		}
		if ack, ok := m.(*wire.Ack); ok {
			for _, r := range ack.Results {
				if r.Code == wire.CodeOK {
					acked.Store(r.OutboxID, r.Seq)
				}
			}
		}
	}
	return nil
}

// stored reads every version in the database of a stopped server.
func stored(t *testing.T, dir, ws string) map[uint64]uint64 {
	t.Helper()
	d, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, err := store.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint64]uint64{}
	var after uint64
	for range 10_000 {
		vs, next, more, err := st.Since(context.Background(), ws, after, 1000, record.Classes)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			got[v.OutboxID] = v.Seq
		}
		after = next
		if !more {
			break
		}
	}
	return got
}

func TestKillDuringWritesLosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	s := startServer(t, dir, addr)
	ws, device, token := owner(t, s)
	c, err := dial(t, s, device, token)
	if err != nil {
		t.Fatal(err)
	}
	var acked sync.Map
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { load(c, stop, &acked, 0); close(done) }()
	time.Sleep(time.Second)
	s.kill() // SIGKILL mid-stream
	close(stop)
	<-done

	if err := backup.Check(filepath.Join(dir, db.File)); err != nil {
		t.Fatalf("after kill -9: %v", err)
	}
	n := 0
	got := stored(t, dir, ws)
	acked.Range(func(k, v any) bool {
		n++
		if seq, ok := got[k.(uint64)]; !ok || seq != v.(uint64) {
			t.Errorf("outbox %d acknowledged as seq %d, stored as %d (%v)", k, v, seq, ok)
		}
		return true
	})
	if n < 100 {
		t.Fatalf("only %d versions acknowledged in a second: the load did not run", n)
	}
	t.Logf("%d versions acknowledged before kill -9, all present", n)

	// The server restarts on the same data and the device carries on.
	s2 := startServer(t, dir, addr)
	c2, err := dial(t, s2, device, token)
	if err != nil {
		t.Fatalf("reconnect after restart: %v", err)
	}
	c2.send(&wire.Pull{ID: 1, After: 0, Limit: 10, Heads: true})
	if m, err := c2.recv(); err != nil {
		t.Fatal(err)
	} else if b, ok := m.(*wire.Batch); !ok || len(b.Versions) == 0 {
		t.Fatalf("pull after restart: %+v", m)
	}
}

func TestBackupUnderLoadRestoresEverythingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir, freeAddr(t))
	ws, device, token := owner(t, s)
	c, err := dial(t, s, device, token)
	if err != nil {
		t.Fatal(err)
	}
	var acked sync.Map
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { load(c, stop, &acked, 0); close(done) }()
	time.Sleep(300 * time.Millisecond)

	before := map[uint64]uint64{}
	acked.Range(func(k, v any) bool { before[k.(uint64)] = v.(uint64); return true })
	out := filepath.Join(t.TempDir(), "backup.zst")
	if err := backupCmd([]string{"-out", out, "-data", dir, "-addr", s.addr}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the load goes on after the backup
	close(stop)
	<-done

	restored := t.TempDir()
	if err := restoreCmd([]string{"-in", out, "-data", restored}); err != nil {
		t.Fatal(err)
	}
	if err := checkCmd([]string{"-data", restored}); err != nil {
		t.Fatal(err)
	}
	got := stored(t, restored, ws)
	for outbox, seq := range before {
		if got[outbox] != seq {
			t.Fatalf("outbox %d, acknowledged before the backup began, is missing from it", outbox)
		}
	}
	if len(before) < 50 {
		t.Fatalf("only %d versions before the backup: the load did not run", len(before))
	}
	t.Logf("backup holds all %d versions acknowledged before it began (of %d stored in it)", len(before), len(got))
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/seal"
)

// server is the real pawfile binary running as a child process on
// loopback.
type server struct {
	bin, addr, data string
	cmd             *exec.Cmd
	log             *os.File // the server's stderr
	done            chan struct{}
}

// startServer starts bin on a free loopback port with its database in
// data, and returns once /healthz answers.
func startServer(ctx context.Context, bin, data string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return launch(ctx, bin, addr, data)
}

func launch(ctx context.Context, bin, addr, data string) (*server, error) {
	web := filepath.Join(data, "web") // no app.wasm: the loading shell is all it serves
	if err := os.MkdirAll(web, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", web, err)
	}
	log, err := os.OpenFile(filepath.Join(data, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create server log: %w", err)
	}
	// A hosted service's sign-up, with room for every generated shop
	// from this one address.
	cmd := exec.CommandContext(ctx, bin, "-addr", addr, "-data", data, "-web", web, "-signup", "open", "-signup-limit", "1000000")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &server{bin: bin, addr: addr, data: data, cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url("/healthz"), nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return s, nil
		}
		var failed error
		select {
		case <-s.done:
			failed = fmt.Errorf("%s exited at start: %s", bin, s.tail())
		case <-ctx.Done():
			failed = ctx.Err()
		case <-time.After(20 * time.Millisecond):
			if time.Now().After(deadline) {
				failed = fmt.Errorf("%s did not answer /healthz within 15 s: %s", bin, s.tail())
			}
		}
		if failed != nil {
			s.stop()
			return nil, failed
		}
	}
}

func (s *server) url(path string) string { return "http://" + s.addr + path }

// stop asks the server to shut down and kills it if it has not within 10 s.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.log.Close()
}

// restart stops the server and starts it again on the same port and data.
func (s *server) restart(ctx context.Context) (*server, error) {
	s.stop()
	return launch(ctx, s.bin, s.addr, s.data)
}

// tail returns the end of the server's log, for error messages.
func (s *server) tail() string {
	b, err := os.ReadFile(s.log.Name())
	if err != nil {
		return err.Error()
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// rss returns the server's resident set size in bytes (VmRSS).
func (s *server) rss() (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read the server's memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmRSS %q: %w", rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", s.cmd.Process.Pid)
}

// connected returns how many sync sockets the server has open.
func (s *server) connected(ctx context.Context) (int, error) {
	var h struct {
		Connected int `json:"connected"`
	}
	if err := s.call(ctx, http.MethodGet, "/healthz", "", nil, &h); err != nil {
		return 0, err
	}
	return h.Connected, nil
}

// call sends in as JSON (unless nil) and decodes the answer into out
// (unless nil). An error answer becomes an error with the server's message.
func (s *server) call(ctx context.Context, method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url(path), body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var e account.ErrorReply
		json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("%s %s: %s: %s (%s)", method, path, resp.Status, e.Error, e.Code)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return nil
}

// device is a registered device: what it needs to open a sync socket.
type device struct {
	workspace string
	id        uint64
	token     string
}

// member is a registered team member and its devices.
type member struct {
	login   string
	auth    []byte
	devices []device
}

// seat is a role on a team and how many devices its member uses.
type seat struct {
	role    access.Role
	devices int
}

// credentials returns the KDF salt and parameters the server gives login
// (a registration must use them) and an auth secret. Devices derive the
// secret from the passphrase with Argon2id; the server cannot tell a
// random one from a derived one, and deriving would cost half a second
// per member for nothing measured here.
func (s *server) credentials(ctx context.Context, login string) (salt []byte, params account.Params, auth []byte, err error) {
	var lp account.LoginParamsReply
	if err := s.call(ctx, http.MethodGet, "/api/login?login="+url.QueryEscape(login), "", nil, &lp); err != nil {
		return nil, account.Params{}, nil, fmt.Errorf("login params of %s: %w", login, err)
	}
	return lp.Salt, lp.Params, seal.NewSalt(), nil
}

// newDeviceID returns a random device id, as the app picks one.
func newDeviceID() uint64 {
	for {
		if id := rand.Uint64(); id != 0 {
			return id
		}
	}
}

func publicKey() ([]byte, error) {
	id, err := seal.NewIdentity()
	if err != nil {
		return nil, fmt.Errorf("new identity: %w", err)
	}
	return id.Public[:], nil
}

// createWorkspace registers a workspace with keys as the owner's keyring,
// and the owner's first device, id.
func (s *server) createWorkspace(ctx context.Context, login string, keys *seal.Keyring, id uint64) (*member, error) {
	salt, params, auth, err := s.credentials(ctx, login)
	if err != nil {
		return nil, err
	}
	wrapped, err := seal.WrapKeys(seal.NewKey(), "pending", keys)
	if err != nil {
		return nil, fmt.Errorf("wrap keys: %w", err)
	}
	pub, err := publicKey()
	if err != nil {
		return nil, err
	}
	var g account.GrantReply
	err = s.call(ctx, http.MethodPost, "/api/workspaces", "", account.CreateWorkspaceRequest{
		Login: login, Salt: salt, Params: params, Auth: auth, Keys: wrapped,
		PublicKey: pub, DeviceID: account.DeviceID(id), DeviceName: "front desk PC",
	}, &g)
	if err != nil {
		return nil, fmt.Errorf("create workspace: %w", err)
	}
	return &member{login: login, auth: auth, devices: []device{grantDevice(g)}}, nil
}

func grantDevice(g account.GrantReply) device {
	return device{workspace: g.Workspace, id: uint64(g.Device), token: g.DeviceToken}
}

// join invites login to owner's workspace with role and registers its
// first device.
func (s *server) join(ctx context.Context, owner device, login string, role access.Role) (*member, error) {
	var inv account.InviteReply
	if err := s.call(ctx, http.MethodPost, "/api/invites", owner.token, account.InviteRequest{Role: account.Role(role)}, &inv); err != nil {
		return nil, fmt.Errorf("invite %s: %w", login, err)
	}
	salt, params, auth, err := s.credentials(ctx, login)
	if err != nil {
		return nil, err
	}
	pub, err := publicKey()
	if err != nil {
		return nil, err
	}
	var g account.GrantReply
	err = s.call(ctx, http.MethodPost, "/api/join", "", account.JoinRequest{
		Code: inv.Code, Login: login, Salt: salt, Params: params, Auth: auth,
		PublicKey: pub, DeviceID: account.DeviceID(newDeviceID()), DeviceName: "tablet 1",
	}, &g)
	if err != nil {
		return nil, fmt.Errorf("join as %s: %w", login, err)
	}
	return &member{login: login, auth: auth, devices: []device{grantDevice(g)}}, nil
}

// login signs m in on a new device and adds it to m's devices.
func (s *server) login(ctx context.Context, m *member) (device, error) {
	var g account.GrantReply
	err := s.call(ctx, http.MethodPost, "/api/login", "", account.LoginRequest{
		Login: m.login, Auth: m.auth, DeviceID: account.DeviceID(newDeviceID()),
		DeviceName: fmt.Sprintf("tablet %d", len(m.devices)+1),
	}, &g)
	if err != nil {
		return device{}, fmt.Errorf("log in as %s: %w", m.login, err)
	}
	d := grantDevice(g)
	m.devices = append(m.devices, d)
	return d, nil
}

// signIn logs m in on new devices until it has n.
func (s *server) signIn(ctx context.Context, m *member, n int) error {
	for len(m.devices) < n {
		if _, err := s.login(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// setupParallel is how many sign-ups and logins run at once: the server
// hashes at most two auth secrets at a time on this machine, so more would
// only queue.
const setupParallel = 4

// staff adds to owner's workspace a member per seat, named prefix-i, each
// signed in on its seat's number of devices, up to workers at once.
func (s *server) staff(ctx context.Context, owner device, prefix string, seats []seat, workers int) ([]*member, error) {
	members := make([]*member, len(seats))
	err := parallel(len(seats), workers, func(i int) error {
		m, err := s.join(ctx, owner, fmt.Sprintf("%s-%d@example.com", prefix, i+1), seats[i].role)
		if err != nil {
			return err
		}
		members[i] = m
		return s.signIn(ctx, m, seats[i].devices)
	})
	if err != nil {
		return nil, err
	}
	return members, nil
}

// parallel calls fn(0) to fn(n-1), at most workers at a time, and returns
// their errors joined.
func parallel(n, workers int, fn func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

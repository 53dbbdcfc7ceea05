package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// unit reads a systemd unit into its keys' values, in order.
func unit(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			keys[k] = append(keys[k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// The systemd unit starts the server with flags it takes, keeps its data
// in the unit's own state directory, runs it without privileges, and
// gives it time to drain on stop. systemd-analyze checks the rest.
func TestSystemdUnit(t *testing.T) {
	const path = "deploy/pawfile.service"
	u := unit(t, path)
	if len(u["ExecStart"]) != 1 {
		t.Fatalf("ExecStart: %q", u["ExecStart"])
	}
	args := strings.Fields(u["ExecStart"][0])
	cfg, err := parseServe(args[1:])
	if err != nil {
		t.Fatalf("ExecStart's flags: %v", err)
	}
	if !cfg.tls() || cfg.addr != ":443" || cfg.httpAddr != ":80" {
		t.Errorf("ExecStart serves %s (TLS %v) and %s, want HTTPS on :443 and the redirect on :80", cfg.addr, cfg.tls(), cfg.httpAddr)
	}
	if want := "/var/lib/" + strings.Join(u["StateDirectory"], ""); cfg.data != want {
		t.Errorf("-data %s, want the state directory %s", cfg.data, want)
	}
	if !strings.HasPrefix(cfg.metricsAddr, "127.0.0.1:") {
		t.Errorf("-metrics-addr %q is not private to the machine", cfg.metricsAddr)
	}
	for k, want := range map[string]string{
		"DynamicUser": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "NoNewPrivileges": "yes",
		"PrivateTmp": "yes", "CapabilityBoundingSet": "CAP_NET_BIND_SERVICE", "KillSignal": "SIGTERM",
	} {
		if !slices.Contains(u[k], want) {
			t.Errorf("%s=%q, want %s", k, u[k], want)
		}
	}
	if stop, err := time.ParseDuration(strings.Join(u["TimeoutStopSec"], "") + "s"); err != nil || stop <= cfg.drain {
		t.Errorf("TimeoutStopSec=%q leaves no time for -shutdown-timeout %v", u["TimeoutStopSec"], cfg.drain)
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze is not installed: the unit's syntax is not checked")
		return
	}
	// The unit as installed, with the binary it names in place.
	dir := t.TempDir()
	bin := filepath.Join(dir, "pawfile")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build the server: %v\n%s", err, out)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	installed := filepath.Join(dir, "pawfile.service")
	if err := os.WriteFile(installed, []byte(strings.ReplaceAll(string(text), args[0], bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", installed).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// The container image is built in stages and runs as a user without
// privileges, from the files its build copies, with flags the server
// takes: plain HTTP by default, HTTPS on 443 and 80 with -domain.
func TestContainerfile(t *testing.T) {
	text, err := os.ReadFile("deploy/Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	var froms, copied []string
	var entry, cmd []string
	user := ""
	for _, line := range strings.Split(string(text), "\n") {
		word, rest, _ := strings.Cut(line, " ")
		switch word {
		case "FROM":
			froms = append(froms, rest)
		case "COPY":
			f := strings.Fields(rest)
			if !strings.HasPrefix(f[0], "--") {
				copied = append(copied, f[:len(f)-1]...)
			}
		case "USER":
			user = rest
		case "ENTRYPOINT":
			if err := json.Unmarshal([]byte(rest), &entry); err != nil {
				t.Fatalf("ENTRYPOINT: %v", err)
			}
		case "CMD":
			if err := json.Unmarshal([]byte(rest), &cmd); err != nil {
				t.Fatalf("CMD: %v", err)
			}
		}
	}
	if len(froms) < 2 || froms[len(froms)-1] != "scratch" {
		t.Errorf("stages %q: want a build stage and a final one from scratch", froms)
	}
	if user == "" || strings.HasPrefix(user, "0") || strings.HasPrefix(user, "root") {
		t.Errorf("USER %q: the server must not run as root", user)
	}
	for _, src := range copied {
		if _, err := os.Stat(filepath.Join("..", src)); err != nil {
			t.Errorf("COPY %s: not in the repository: %v", src, err)
		}
	}
	if len(entry) == 0 {
		t.Fatal("no ENTRYPOINT")
	}
	cfg, err := parseServe(append(entry[1:], cmd...))
	if err != nil {
		t.Fatalf("ENTRYPOINT and CMD's flags: %v", err)
	}
	if cfg.data != "/data" || cfg.web != "/web" || cfg.tls() || cfg.addr != ":8080" {
		t.Errorf("by default: -data %s -web %s -addr %s (TLS %v)", cfg.data, cfg.web, cfg.addr, cfg.tls())
	}
	if !strings.Contains(string(text), "VOLUME /data") || !strings.Contains(string(text), "STOPSIGNAL SIGTERM") {
		t.Error("the data directory is not a volume, or the stop signal is not SIGTERM")
	}
	cfg, err = parseServe(append(entry[1:], "-domain", "pawfile.example.com"))
	if err != nil {
		t.Fatalf("with -domain: %v", err)
	}
	if cfg.addr != ":443" || cfg.httpAddr != ":80" {
		t.Errorf("with -domain it serves %s and %s, want :443 and :80", cfg.addr, cfg.httpAddr)
	}
}

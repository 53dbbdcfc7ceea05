package main

import (
	"crypto/sha256"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// scrape reads the metrics at url into name{labels} → value.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		m[line[:i]] = v
	}
	return m
}

// /metrics, on its own address, counts what devices did and what was
// refused, and reads the connected devices, database and blob bytes at
// each scrape. The app's address does not serve it.
func TestMetrics(t *testing.T) {
	metricsAddr := freeAddr(t)
	s := startServer(t, t.TempDir(), freeAddr(t), "-metrics-addr", metricsAddr)
	_, device, token := owner(t, s)
	c, err := dial(t, s, device, token)
	if err != nil {
		t.Fatal(err)
	}
	// One push of 50 versions, and one from a clock a day ahead.
	vs := make([]wire.Envelope, 51)
	for i := range vs {
		vs[i] = wire.Envelope{Class: record.ClassProject, Key: wire.Key{byte(i), 1}, TS: c.clock.Now(), KeyID: 1, Format: 1,
			OutboxID: uint64(i + 1), Sealed: []byte("sealed")}
	}
	vs[50].TS = clock.New(device, func() time.Time { return time.Now().Add(24 * time.Hour) }).Now()
	if err := c.send(&wire.Push{ID: 1, Versions: vs}); err != nil {
		t.Fatal(err)
	}
	if m, err := c.recv(); err != nil {
		t.Fatal(err)
	} else if a, ok := m.(*wire.Ack); !ok || len(a.Results) != len(vs) || a.Results[0].Code != wire.CodeOK {
		t.Fatalf("push answered %+v", m)
	}
	// A 1000-byte photo, whole.
	photo := []byte(strings.Repeat("p", 1000))
	if err := c.send(&wire.BlobPut{ID: 2, Hash: sha256.Sum256(photo), Total: uint64(len(photo)), Data: photo}); err != nil {
		t.Fatal(err)
	}
	if m, err := c.recv(); err != nil {
		t.Fatal(err)
	} else if a, ok := m.(*wire.BlobAck); !ok || a.Received != uint64(len(photo)) {
		t.Fatalf("photo upload answered %+v", m)
	}
	// Two refusals: a stranger's token, a request from another site.
	if _, err := dial(t, s, 0x99, "not a token"); err == nil {
		t.Fatal("a made-up token was let in")
	}
	req, _ := http.NewRequest("GET", s.url+"/sync", nil)
	req.Header.Set("Origin", "https://elsewhere.example")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}

	m := scrape(t, "http://"+metricsAddr+"/metrics")
	for name, want := range map[string]float64{
		"pawfile_connected_devices":                    1,
		"pawfile_pushes_total":                         1,
		"pawfile_versions_total":                       50,
		"pawfile_commit_seconds_count":                 1,
		"pawfile_blob_bytes":                           1000,
		`pawfile_refused_total{reason="unauthorized"}`: 1,
		`pawfile_refused_total{reason="origin"}`:       1,
	} {
		if got, ok := m[name]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	if m["pawfile_database_bytes"] < 1<<14 {
		t.Errorf("pawfile_database_bytes = %v, want the database's size", m["pawfile_database_bytes"])
	}

	// The app's own address has no metrics: they stay private.
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotFound || strings.Contains(string(body), "pawfile_") {
		t.Errorf("GET /metrics on the app's address: %s", resp.Status)
	}
}

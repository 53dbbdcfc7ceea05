package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"

	"pawfile/server/api"
	"pawfile/server/backup"
	"pawfile/server/db"
	"pawfile/server/directory"
	"pawfile/server/hub"
	"pawfile/server/metrics"
	"pawfile/server/peer"
	"pawfile/server/pwa"
	"pawfile/server/store"
	"pawfile/server/wsbackup"
)

// config is what the serve command's flags say.
type config struct {
	addr, data, web, origins string

	tlsCert, tlsKey string // a certificate of the operator's
	domains         string // or certificates from Let's Encrypt for these names
	acmeEmail       string
	httpAddr        string // plain HTTP: redirects to HTTPS, ACME challenges

	metricsAddr string
	logFormat   string
	drain       time.Duration

	quotaMiB uint64

	signup         string // who may create a workspace: code or open
	signupLimit    int    // with open, workspaces per address an hour
	trustedProxies string // whose X-Forwarded-For names the client
}

// serveFlags defines the serve command's flags on fs. One flag per line,
// grouped by what it is about: add a new one to its group.
func serveFlags(fs *flag.FlagSet) *config {
	c := &config{}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on (:443 by default with -domain)")
	fs.StringVar(&c.data, "data", "./data", "directory of the database")
	fs.StringVar(&c.web, "web", "web", "directory of the app's static files (app.wasm, icons, styles)")
	fs.StringVar(&c.origins, "origin", "", "comma-separated extra origins allowed to sync, e.g. https://pawfile.example.com")

	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate file (PEM, with its chain): serve HTTPS with it and -tls-key")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS private key file (PEM) of -tls-cert")
	fs.StringVar(&c.domains, "domain", "", "comma-separated host names to get certificates for from Let's Encrypt and serve HTTPS; port 80 must reach -http-addr")
	fs.StringVar(&c.acmeEmail, "acme-email", "", "address Let's Encrypt may write to about the certificates of -domain (optional)")
	fs.StringVar(&c.httpAddr, "http-addr", "", "plain HTTP address that redirects to HTTPS and answers Let's Encrypt (:80 by default with -domain)")

	fs.StringVar(&c.metricsAddr, "metrics-addr", "", "address serving /metrics for Prometheus, e.g. 127.0.0.1:9464 (off by default; keep it private)")
	fs.StringVar(&c.logFormat, "log", "text", "log format: text or json")
	fs.Uint64Var(&c.quotaMiB, "quota-mib", store.DefaultQuota>>20, "storage quota of each workspace in MiB: records with their history, and photos (0: none)")

	fs.StringVar(&c.signup, "signup", "code", "who may create a workspace: code (a sign-up code from pawfile signup-code, or the setup link printed on first start) or open (anyone: a hosted service)")
	fs.IntVar(&c.signupLimit, "signup-limit", 3, "with -signup open, the workspaces one address may create an hour")
	fs.StringVar(&c.trustedProxies, "trusted-proxies", "", "comma-separated addresses or prefixes of reverse proxies whose X-Forwarded-For names the client, e.g. 127.0.0.1,::1 (per-address limits then count clients, not the proxy)")

	fs.DurationVar(&c.drain, "shutdown-timeout", 8*time.Second, "how long to wait on SIGTERM for devices to be told and requests to finish")
	return c
}

// parseServe parses the serve command's arguments and fills in the
// defaults that depend on other flags.
func parseServe(args []string) (*config, error) {
	fs := flag.NewFlagSet("pawfile", flag.ContinueOnError)
	c := serveFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: serve takes flags only (pawfile -h lists them)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case (c.tlsCert == "") != (c.tlsKey == ""):
		return nil, errors.New("-tls-cert and -tls-key go together: give both")
	case c.tlsCert != "" && c.domains != "":
		return nil, errors.New("-domain gets its own certificates: give either -domain or -tls-cert and -tls-key")
	case c.logFormat != "text" && c.logFormat != "json":
		return nil, fmt.Errorf("-log %q: say text or json", c.logFormat)
	case c.drain <= 0:
		return nil, errors.New("-shutdown-timeout must be more than 0")
	}
	if c.domains != "" {
		if !set["addr"] {
			c.addr = ":443"
		}
		if !set["http-addr"] {
			c.httpAddr = ":80"
		}
	}
	return c, nil
}

// tls reports whether the server serves HTTPS itself.
func (c *config) tls() bool { return c.tlsCert != "" || c.domains != "" }

func newLogger(format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

func serve(args []string) error {
	cfg, err := parseServe(args)
	if err != nil {
		return err
	}
	log := newLogger(cfg.logFormat)
	slog.SetDefault(log)

	d, err := db.Open(cfg.data)
	if err != nil {
		return err
	}
	defer func() {
		if err := d.Close(); err != nil {
			log.Error("close database", "err", err)
		}
	}()
	st, err := store.Open(d)
	if err != nil {
		return err
	}
	st.Quota = cfg.quotaMiB << 20
	policy, err := signupPolicy(cfg.signup, cfg.signupLimit)
	if err != nil {
		return err
	}
	trusted, err := peer.ParsePrefixes(cfg.trustedProxies)
	if err != nil {
		return fmt.Errorf("-trusted-proxies: %w", err)
	}
	dir, err := directory.Open(d, directory.WithSignup(policy))
	if err != nil {
		return err
	}
	token, err := adminToken(cfg.data)
	if err != nil {
		return err
	}
	var extra []string
	if cfg.origins != "" {
		extra = strings.Split(cfg.origins, ",")
	}
	h := hub.New(st, st, dir, log, hub.Config{Origins: extra})
	dir.OnRevoke(h.Revoke)
	dir.OnKeys(h.Rekey)
	dir.OnRole(h.SetRole)

	mux := http.NewServeMux()
	mux.Handle("/api/", api.New(dir, log, api.WithBackups(&wsbackup.Service{DB: d, Server: version, TempDir: cfg.data})))
	mux.Handle("GET /sync", h)
	mux.Handle("GET /admin/backup", backup.Handler(d, token))
	var base string // the server's public address, known once it listens
	mux.Handle("POST /admin/signup-codes", signupCodes(dir, token, func() string { return base }))
	mux.HandleFunc("GET /healthz", health(d, h))
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "metrics are served on the address of -metrics-addr only", http.StatusNotFound)
	})
	page, err := pwa.Handler(version, cfg.web)
	if err != nil {
		return err
	}
	mux.Handle("/", page)

	servers, err := listen(cfg, peer.Behind(trusted, mux), log)
	if err != nil {
		return err
	}
	base = servers[0].url
	if extra != nil {
		base = extra[0]
	}
	if err := printSetupLink(context.Background(), dir, base, log, cfg.logFormat == "text"); err != nil {
		return err
	}
	if cfg.metricsAddr != "" {
		m, err := serveMetrics(cfg.metricsAddr, metrics.Handler(metrics.Gauges{
			Connected:     h.Connected,
			DatabaseBytes: func() (int64, error) { return databaseBytes(d), nil },
			BlobBytes:     func() (int64, error) { return st.BlobBytes(context.Background()) },
		}, log), log)
		if err != nil {
			return err
		}
		servers = append(servers, m)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go prune(ctx, st, log)
	failed := make(chan error, len(servers))
	for _, s := range servers {
		go func() {
			if err := s.serve(); !errors.Is(err, http.ErrServerClosed) {
				failed <- fmt.Errorf("serve %s: %w", s.name, err)
			}
		}()
	}
	abs, err := filepath.Abs(cfg.data)
	if err != nil {
		abs = cfg.data
	}
	log.Info("serving", "url", servers[0].url, "data", abs, "version", version)
	select {
	case <-ctx.Done():
		log.Info("shutting down: telling devices to reconnect", "devices", h.Connected(), "timeout", cfg.drain)
		err = nil
	case err = <-failed:
		log.Error("shutting down", "err", err)
	}
	shutdown(servers, h, cfg.drain, log)
	return err
}

// shutdown stops taking connections, tells every connected device to
// reconnect (to this server once it is back), and waits at most timeout
// for the devices' sessions and the requests in progress to end. Pushes a
// device sent before are committed: the database closes after.
func shutdown(servers []*endpoint, h *hub.Hub, timeout time.Duration, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Go(func() {
			if err := s.srv.Shutdown(ctx); err != nil {
				log.Warn("requests still running at shutdown", "server", s.name, "err", err)
				s.srv.Close()
			}
		})
	}
	if err := h.Shutdown(ctx); err != nil {
		log.Warn("devices still connected at shutdown", "err", err)
	}
	wg.Wait()
	log.Info("stopped")
}

func databaseBytes(d *bolt.DB) int64 {
	var size int64
	d.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
	return size
}

func health(d *bolt.DB, h *hub.Hub) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"status":         "ok",
			"version":        version,
			"database_bytes": databaseBytes(d),
			"connected":      h.Connected(),
		})
	}
}

// adminToken reads the data directory's admin token, creating it on first
// start. pawfile backup reads it to ask the running server for a backup.
func adminToken(dir string) (string, error) {
	path := filepath.Join(dir, backup.TokenFile)
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !os.IsNotExist(err) {
		return "", fmt.Errorf("read admin token: %w", err)
	}
	token := rand.Text() + rand.Text()
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write admin token: %w", err)
	}
	return token, nil
}

// serveMetrics listens on addr for Prometheus.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (*endpoint, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s for metrics: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := newHTTPServer(mux, log)
	return &endpoint{name: "metrics", url: "http://" + ln.Addr().String() + "/metrics", srv: srv,
		serve: func() error { return srv.Serve(ln) }}, nil
}

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
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"

	"pawfile/server/api"
	"pawfile/server/backup"
	"pawfile/server/db"
	"pawfile/server/directory"
	"pawfile/server/hub"
	"pawfile/server/pwa"
	"pawfile/server/store"
	"pawfile/server/wsbackup"
)

func serve(args []string) error {
	fs := flag.NewFlagSet("pawfile", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	data := fs.String("data", "./data", "directory of the database")
	web := fs.String("web", "web", "directory of the app's static files (app.wasm, icons, styles)")
	origins := fs.String("origin", "", "comma-separated extra origins allowed to sync, e.g. https://pawfile.example.com")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	d, err := db.Open(*data)
	if err != nil {
		return err
	}
	defer d.Close()
	st, err := store.Open(d)
	if err != nil {
		return err
	}
	dir, err := directory.Open(d)
	if err != nil {
		return err
	}
	token, err := adminToken(*data)
	if err != nil {
		return err
	}
	var extra []string
	if *origins != "" {
		extra = strings.Split(*origins, ",")
	}
	h := hub.New(st, st, dir, log, hub.Config{Origins: extra})
	dir.OnRevoke(h.Revoke)
	dir.OnKeys(h.Rekey)
	dir.OnRole(h.SetRole)

	mux := http.NewServeMux()
	mux.Handle("/api/", api.New(dir, log, api.WithBackups(&wsbackup.Service{DB: d, Server: version, TempDir: *data})))
	mux.Handle("GET /sync", h)
	mux.Handle("GET /admin/backup", backup.Handler(d, token))
	mux.HandleFunc("GET /healthz", health(d, h))
	page, err := pwa.Handler(version, *web)
	if err != nil {
		return err
	}
	mux.Handle("/", page)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	abs, _ := filepath.Abs(*data)
	log.Info("serving", "url", "http://"+ln.Addr().String(), "data", abs, "version", version)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func health(d *bolt.DB, h *hub.Hub) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var size int64
		d.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"status":         "ok",
			"version":        version,
			"database_bytes": size,
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

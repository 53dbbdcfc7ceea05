package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

// endpoint is one address the server answers on.
type endpoint struct {
	name  string
	url   string // for the log
	srv   *http.Server
	serve func() error // until srv shuts down
}

// listen opens the app's address, with TLS when cfg asks for it, and the
// plain HTTP address that sends browsers to it. The app's endpoint comes
// first.
func listen(cfg *config, h http.Handler, log *slog.Logger) ([]*endpoint, error) {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	if !cfg.tls() {
		srv := newHTTPServer(h, log)
		return []*endpoint{{name: "app", url: "http://" + ln.Addr().String(), srv: srv,
			serve: func() error { return srv.Serve(ln) }}}, nil
	}
	var (
		tlsConfig     *tls.Config
		acme          http.Handler // answers Let's Encrypt's challenges, if it asks
		names         []string     // the only host names served, if set
		host, port, _ = net.SplitHostPort(ln.Addr().String())
	)
	if cfg.domains != "" {
		names = strings.Split(cfg.domains, ",")
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			Cache:      autocert.DirCache(filepath.Join(cfg.data, "acme")),
			HostPolicy: autocert.HostWhitelist(names...),
			Email:      cfg.acmeEmail,
		}
		tlsConfig = m.TLSConfig()
		acme = m.HTTPHandler(nil)
		host = names[0]
	} else {
		certs, err := loadCertificate(cfg.tlsCert, cfg.tlsKey, log)
		if err != nil {
			ln.Close()
			return nil, err
		}
		tlsConfig = &tls.Config{GetCertificate: certs.get, NextProtos: []string{"h2", "http/1.1"}}
	}
	tlsConfig.MinVersion = tls.VersionTLS12
	srv := newHTTPServer(strictTransport(h), log)
	srv.TLSConfig = tlsConfig
	if port != "443" {
		host = net.JoinHostPort(host, port)
	}
	app := &endpoint{name: "app", url: "https://" + host, srv: srv,
		serve: func() error { return srv.ServeTLS(ln, "", "") }}
	if cfg.httpAddr == "" {
		return []*endpoint{app}, nil
	}
	hln, err := net.Listen("tcp", cfg.httpAddr)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("listen on %s for the redirect to HTTPS: %w", cfg.httpAddr, err)
	}
	var plain http.Handler = toHTTPS(port, names)
	if acme != nil {
		m := http.NewServeMux()
		m.Handle("/.well-known/acme-challenge/", acme)
		m.Handle("/", plain)
		plain = m
	}
	rsrv := newHTTPServer(plain, log)
	return []*endpoint{app, {name: "redirect", url: "http://" + hln.Addr().String(), srv: rsrv,
		serve: func() error { return rsrv.Serve(hln) }}}, nil
}

func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: serverLog(log)}
}

// strictTransport tells browsers to come back over HTTPS only, for two
// years: sent only by a server that serves HTTPS itself (behind a proxy, the
// proxy sends it).
func strictTransport(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=63072000")
		next.ServeHTTP(w, r)
	})
}

// toHTTPS sends a plain HTTP request to the same address over HTTPS, on
// port (443 is left out of the address), and to the first of names if
// names are given and the request's host is not one of them. Only GET and
// HEAD are sent on: a body sent in plain text has already been exposed.
func toHTTPS(port string, names []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "this server answers over HTTPS only: use https://", http.StatusBadRequest)
			return
		}
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if len(names) > 0 && !slices.Contains(names, host) {
			host = names[0]
		}
		if port != "443" && port != "" {
			host = net.JoinHostPort(host, port)
		}
		u := *r.URL
		u.Scheme, u.Host = "https", host
		http.Redirect(w, r, u.String(), http.StatusPermanentRedirect)
	})
}

// certificate is the operator's certificate, read again when its file
// changes (a renewal by certbot, say) at most once a minute, so renewing
// needs no restart.
type certificate struct {
	certFile, keyFile string
	log               *slog.Logger

	mu      sync.Mutex
	cert    *tls.Certificate
	mod     time.Time // of certFile when cert was read
	checked time.Time
}

func loadCertificate(certFile, keyFile string, log *slog.Logger) (*certificate, error) {
	c := &certificate{certFile: certFile, keyFile: keyFile, log: log}
	if err := c.load(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *certificate) load() error {
	info, err := os.Stat(c.certFile)
	if err != nil {
		return fmt.Errorf("TLS certificate: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s and key %s: %w", c.certFile, c.keyFile, err)
	}
	c.cert, c.mod, c.checked = &cert, info.ModTime(), time.Now()
	return nil
}

func (c *certificate) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.checked) > time.Minute {
		c.checked = time.Now()
		if info, err := os.Stat(c.certFile); err == nil && !info.ModTime().Equal(c.mod) {
			if err := c.load(); err != nil {
				c.log.Error("TLS certificate changed but cannot be read: still serving the old one", "err", err)
			} else {
				c.log.Info("TLS certificate reloaded", "file", c.certFile)
			}
		}
	}
	return c.cert, nil
}

// serverLog is the log of net/http's own errors. Failed TLS handshakes are
// the internet's scanners, at debug level; the rest are warnings.
func serverLog(l *slog.Logger) *log.Logger {
	return log.New(logWriter{l}, "", 0)
}

type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	msg := string(bytes.TrimSpace(p))
	if strings.Contains(msg, "TLS handshake error") {
		w.log.Debug(msg)
	} else {
		w.log.Warn(msg)
	}
	return len(p), nil
}

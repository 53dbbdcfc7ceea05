package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"pawfile/shared/wire"
)

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and
// returns their files and a pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "pawfile test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// overTLS makes the test's requests to s go over HTTPS, trusting pool.
func (s *server) overTLS(pool *x509.CertPool) {
	s.url = "https://" + s.addr
	s.http = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// With -tls-cert and -tls-key the server serves the app, the API and sync
// over HTTPS, tells browsers to stay on HTTPS, and sends plain HTTP there.
func TestTLSWithCertificateFiles(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	plain := freeAddr(t)
	s := startServer(t, t.TempDir(), freeAddr(t), "-tls-cert", certFile, "-tls-key", keyFile, "-http-addr", plain)
	s.overTLS(pool)

	resp, err := s.http.Get(s.url + "/")
	if err != nil {
		t.Fatalf("the app over HTTPS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("GET / over HTTPS: %s (TLS %v)", resp.Status, resp.TLS != nil)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=63072000" {
		t.Errorf("Strict-Transport-Security over HTTPS is %q", got)
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("no Content-Security-Policy over HTTPS")
	}

	// The API and sync, over TLS end to end.
	_, device, token := owner(t, s)
	c, err := dial(t, s, device, token)
	if err != nil {
		t.Fatalf("sync over wss: %v", err)
	}
	if err := c.send(&wire.Pull{ID: 1, Limit: 10}); err != nil {
		t.Fatal(err)
	}
	if m, err := c.recv(); err != nil {
		t.Fatal(err)
	} else if _, ok := m.(*wire.Batch); !ok {
		t.Fatalf("pull over wss answered with %T", m)
	}

	// pawfile backup reaches the server at its https:// address, trusting
	// the certificates the system does (here, through SSL_CERT_FILE).
	out := filepath.Join(t.TempDir(), "backup.zst")
	backup := exec.Command(os.Args[0], "-test.run=^$")
	backup.Env = append(os.Environ(), "SSL_CERT_FILE="+certFile,
		"PAWFILE_SERVE=backup -addr "+s.url+" -data "+s.data+" -out "+out)
	if msg, err := backup.CombinedOutput(); err != nil {
		t.Fatalf("pawfile backup -addr %s: %v\n%s", s.url, err, msg)
	}
	if err := restoreCmd([]string{"-in", out, "-data", t.TempDir()}); err != nil {
		t.Fatalf("restore the backup taken over HTTPS: %v", err)
	}

	// Plain HTTP is sent to HTTPS, with the path and query kept.
	resp, err = noRedirects.Get("http://" + plain + "/clients/42?tab=pets")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, port, _ := net.SplitHostPort(s.addr)
	if want := "https://127.0.0.1:" + port + "/clients/42?tab=pets"; resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: %s to %q, want 308 to %q", resp.Status, resp.Header.Get("Location"), want)
	}
	resp, err = noRedirects.Post("http://"+plain+"/api/login", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a POST over plain HTTP: %s, want 400 (not sent on)", resp.Status)
	}
}

// With -domain the server gets its certificates from Let's Encrypt: its
// plain HTTP address answers the ACME challenges and sends the rest to
// HTTPS, and it asks for no certificate of a name it was not given. (No
// certificate is fetched here: the test has no internet.)
func TestAutomaticCertificates(t *testing.T) {
	data := t.TempDir()
	plain := freeAddr(t)
	s := startServer(t, data, freeAddr(t), "-domain", "pawfile.test", "-http-addr", plain)
	_, port, _ := net.SplitHostPort(s.addr)

	resp, err := noRedirects.Get("http://" + plain + "/calendar")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := "https://pawfile.test:" + port + "/calendar"; resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: %s to %q, want 308 to %q", resp.Status, resp.Header.Get("Location"), want)
	}
	// An ACME challenge is answered, not redirected: this one is unknown.
	req, _ := http.NewRequest("GET", "http://"+plain+"/.well-known/acme-challenge/unknown-token", nil)
	req.Host = "pawfile.test"
	resp, err = noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown ACME challenge: %s, want 404 from the certificate manager", resp.Status)
	}
	conn, err := tls.Dial("tcp", s.addr, &tls.Config{ServerName: "elsewhere.test", InsecureSkipVerify: true})
	if err == nil {
		conn.Close()
		t.Error("a TLS handshake for a name not in -domain succeeded")
	}
}

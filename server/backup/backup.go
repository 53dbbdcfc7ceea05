// Package backup writes consistent, compressed copies of the server's
// database while it keeps serving, restores them onto a stopped server, and
// checks a database's integrity.
package backup

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"pawfile/server/db"
)

// Progress is told how many bytes of total are done; total is 0 when it is
// not known.
type Progress func(done, total int64)

// Write streams a consistent copy of the database, zstd-compressed, to w.
// It reads one bbolt transaction, so writers carry on meanwhile and the copy
// holds exactly what was committed when it began.
func Write(w io.Writer, d *bolt.DB, progress Progress) (int64, error) {
	zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	var n int64
	err = d.View(func(tx *bolt.Tx) error {
		n, err = tx.WriteTo(&counter{w: zw, total: tx.Size(), progress: progress})
		return err
	})
	if err != nil {
		zw.Close()
		return n, fmt.Errorf("backup: %w", err)
	}
	if err := zw.Close(); err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

type counter struct {
	w        io.Writer
	done     int64
	total    int64
	progress Progress
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.done += int64(n)
	if c.progress != nil {
		c.progress(c.done, c.total)
	}
	return n, err
}

// Restore writes the database held in a backup into the data directory dir.
// It refuses to overwrite an existing database: restore onto a stopped
// server with an empty data directory, or move the old file away first.
func Restore(r io.Reader, dir string, progress Progress) error {
	path := filepath.Join(dir, db.File)
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("restore: %s already exists: move it away first (and stop the server)", path)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer zr.Close()
	tmp, err := os.CreateTemp(dir, db.File+".restore-*")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(&counter{w: tmp, progress: progress}, zr); err != nil {
		tmp.Close()
		return fmt.Errorf("restore: read backup: %w (is it a Pawfile backup?)", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("restore: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := Check(tmp.Name()); err != nil {
		return fmt.Errorf("restore: the backup is damaged: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// Check verifies a database file's integrity, as `bbolt check` does. It
// opens the file read-only; a running server holds a lock on its database,
// so check a stopped server's file or a restored backup.
func Check(path string) error {
	d, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return fmt.Errorf("check %s: the server is using it: stop it first", path)
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer d.Close()
	return d.View(func(tx *bolt.Tx) error {
		var errs []error
		// Drain every error: the checker runs until it has walked the file.
		for err := range tx.Check() {
			if len(errs) < 10 {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return fmt.Errorf("check %s: %w", path, errors.Join(errs...))
		}
		return nil
	})
}

// TokenFile is the file, in the data directory, holding the secret that
// lets the pawfile backup command ask the running server for a backup.
const TokenFile = "admin.token"

// Handler serves backups to local administrators: a request must come from
// the loopback interface and carry the token from TokenFile.
func Handler(d *bolt.DB, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			http.Error(w, "backups are served on the loopback interface only", http.StatusForbidden)
			return
		}
		given := r.Header.Get("Authorization")
		if subtle.ConstantTimeCompare([]byte(given), []byte("Bearer "+token)) != 1 {
			http.Error(w, "wrong admin token: run pawfile backup with the server's -data directory", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/zstd")
		w.Header().Set("Content-Disposition", `attachment; filename="pawfile-backup.db.zst"`)
		// On failure the status is already sent; the stream stops short and
		// the client's zstd reader reports it as a damaged backup.
		Write(w, d, nil)
	})
}

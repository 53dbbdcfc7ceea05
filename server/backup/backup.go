// Package backup writes consistent, compressed copies of the server's
// database while it keeps serving, restores them onto a stopped server, and
// checks a database's integrity.
package backup

import (
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
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

// Limits of a restore. A backup is a bbolt file compressed with zstd,
// and zstd turns a few kilobytes into gigabytes of zeros: what the file
// says of itself is checked before anything is written, and the database
// it declares must be at most MaxRatio times the file's size (or
// ratioFloor, for small ones) and at most Options.MaxBytes.
const (
	// DefaultMaxBytes is the largest database Restore writes unless told
	// otherwise.
	DefaultMaxBytes = 64 << 30
	// MaxRatio bounds a database's size per byte of its backup. Sealed
	// records and photos hardly compress: a real backup's ratio is
	// small, pages left half empty by bbolt included.
	MaxRatio = 100
	// ratioFloor is the size any backup may declare whatever its ratio:
	// a new server's database is mostly empty pages.
	ratioFloor = 64 << 20
)

// Options tune Restore.
type Options struct {
	// Size is the backup's size in bytes: the database it declares may
	// be at most MaxRatio times it.
	Size int64
	// MaxBytes bounds the database restored; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Progress, if not nil, is told the bytes written.
	Progress Progress
}

// Restore writes the database held in a backup into the data directory dir.
// It refuses to overwrite an existing database: restore onto a stopped
// server with an empty data directory, or move the old file away first.
// Before writing anything it reads the database's first page, checks it
// is a bbolt meta page (magic, version, checksum) and that the database it
// declares is within the limits (see Options); it then writes exactly that
// many bytes, refusing a backup holding more or fewer, and checks the
// whole database before moving it into place.
func Restore(r io.Reader, dir string, opt Options) error {
	path := filepath.Join(dir, db.File)
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("restore: %s already exists: move it away first (and stop the server)", path)
	}
	zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(64<<20))
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer zr.Close()
	head := make([]byte, metaEnd)
	if _, err := io.ReadFull(zr, head); err != nil {
		return fmt.Errorf("restore: the file is not a Pawfile backup (%v)", err)
	}
	m0, err := readMeta(head[metaStart:])
	if err != nil {
		return fmt.Errorf("restore: the file is not a Pawfile backup: %w", err)
	}
	// The second meta page, which Write makes the same but for a txid
	// one lower: bbolt trusts whichever is newer.
	head = append(head, make([]byte, int(m0.pageSize)+metaEnd-len(head))...)
	if _, err := io.ReadFull(zr, head[metaEnd:]); err != nil {
		return fmt.Errorf("restore: the file is not a Pawfile backup (%v)", err)
	}
	m1, err := readMeta(head[int(m0.pageSize)+metaStart:])
	if err != nil || m1.pageSize != m0.pageSize || m1.pages != m0.pages || m1.txid+1 != m0.txid {
		return fmt.Errorf("restore: the file is not a Pawfile backup: its second page does not match its first (%v)", err)
	}
	size := int64(m0.pages) * int64(m0.pageSize)
	maxBytes := opt.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if size > maxBytes {
		return fmt.Errorf("restore: the backup holds a database of %s, more than the %s allowed: if it is yours, raise the bound with -max-gib", mib(size), mib(maxBytes))
	}
	if bound := max(ratioFloor, MaxRatio*opt.Size); size > bound {
		return fmt.Errorf("restore: the backup says it holds a database of %s in a file of %d bytes, more than %d times its size: it is damaged or crafted", mib(size), opt.Size, MaxRatio)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	tmp, err := os.CreateTemp(dir, db.File+".restore-*")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := &counter{w: tmp, total: size, progress: opt.Progress}
	if err := copyExactly(w, zr, head, size); err != nil {
		tmp.Close()
		return fmt.Errorf("restore: %w", err)
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

// copyExactly writes head, then the rest of a database of size bytes
// from zr, and fails if zr holds fewer or more.
func copyExactly(w io.Writer, zr io.Reader, head []byte, size int64) error {
	if _, err := w.Write(head); err != nil {
		return err
	}
	n, err := io.CopyN(w, zr, size-int64(len(head)))
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("the backup ends early, after %s of the %s it declares (an interrupted download?)", mib(n+int64(len(head))), mib(size))
	}
	if err != nil {
		return fmt.Errorf("read backup: %w (is it a Pawfile backup?)", err)
	}
	var extra [1]byte
	if k, _ := io.ReadFull(zr, extra[:]); k > 0 {
		return fmt.Errorf("the backup holds more than the database it declares (%s): it is damaged or crafted", mib(size))
	}
	return nil
}

// A bbolt database starts with its meta page: a 16-byte page header,
// then magic(4) version(4) pageSize(4) flags(4) root(16) freelist(8)
// pgid(8) txid(8) checksum(8), little-endian on every platform Pawfile
// runs on. pgid, the pages in use, times the page size is exactly what
// bbolt's Tx.WriteTo (and so Write) copies.
const (
	metaStart = 16
	metaEnd   = metaStart + 64
	boltMagic = 0xED0CDAED
)

// meta is what a restore checks of a bbolt meta page.
type meta struct {
	pageSize     uint32
	pages, txid  uint64
	root, frlist uint64
}

// readMeta checks the meta page m (from its magic on) and returns it.
func readMeta(m []byte) (meta, error) {
	le := binary.LittleEndian
	h := fnv.New64a()
	h.Write(m[:56])
	r := meta{pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]), frlist: le.Uint64(m[32:]), pages: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
	switch {
	case le.Uint32(m) != boltMagic:
		return meta{}, errors.New("no database at its start")
	case le.Uint32(m[4:]) != 2:
		return meta{}, fmt.Errorf("database format %d (want 2)", le.Uint32(m[4:]))
	case le.Uint64(m[56:]) != h.Sum64():
		return meta{}, errors.New("a meta page is damaged (checksum)")
	case r.pageSize < 1024 || r.pageSize > 1<<16 || r.pageSize&(r.pageSize-1) != 0:
		return meta{}, fmt.Errorf("page size %d", r.pageSize)
	case r.pages < 4 || r.pages > 1<<40 || r.root >= r.pages || r.frlist >= r.pages:
		return meta{}, fmt.Errorf("%d pages, root at %d, freelist at %d", r.pages, r.root, r.frlist)
	}
	return r, nil
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

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

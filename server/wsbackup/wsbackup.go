package wsbackup

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"pawfile/server/directory"
	"pawfile/server/store"
)

// Taken is one backup the server wrote for a workspace.
type Taken struct {
	TakenAt time.Time `json:"taken_at"`
	By      string    `json:"by"`       // the login of the owner who downloaded it
	Bytes   int64     `json:"bytes"`    // compressed size
	Seq     uint64    `json:"sequence"` // the workspace's log sequence it holds up to
	// ErasedSince is set (not stored) by List when a record was erased
	// after the backup was taken: the backup still holds its data.
	ErasedSince time.Time `json:"-"`
}

// takenBucket holds, per workspace, the backups taken:
// ws || taken-at (Unix ns, 8 bytes) -> JSON Taken.
var takenBucket = []byte("wsbackups")

// keepTaken bounds how many backups the server remembers per workspace.
const keepTaken = 100

// Service writes the backups of the server's database DB and remembers
// them. Server is the server's build, written into each backup.
type Service struct {
	DB     *bolt.DB
	Server string
	Now    func() time.Time // time.Now if nil
	// TempDir holds a backup while it is sent (os.TempDir if ""): see
	// Send.
	TempDir string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Write streams workspace ws's backup to w, zstd-compressed, from one read
// transaction (one consistent state while the server keeps serving), and
// returns what it wrote, to Record once delivered.
func (s *Service) Write(ctx context.Context, w io.Writer, ws, login string) (Taken, error) {
	taken := s.now().UTC()
	cw := &countWriter{w: w}
	zw, err := zstd.NewWriter(cw, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return Taken{}, fmt.Errorf("backup: %w", err)
	}
	var seq uint64
	err = s.DB.View(func(tx *bolt.Tx) error {
		entries, err := directory.ExportWorkspace(tx, ws)
		if err != nil {
			return err
		}
		enc, err := newEncoder(zw)
		if err != nil {
			return err
		}
		if err := enc.json(kindHeader, Header{Format: Version, Workspace: ws, TakenAt: taken, Server: s.Server}); err != nil {
			return err
		}
		if err := enc.json(kindDirectory, entries); err != nil {
			return err
		}
		seq, err = store.ExportWorkspace(tx, ws, func(it store.Item) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return enc.item(it)
		})
		if err != nil {
			return err
		}
		return enc.end(seq)
	})
	if err != nil {
		zw.Close()
		return Taken{}, fmt.Errorf("backup of workspace %s: %w", ws, err)
	}
	if err := zw.Close(); err != nil {
		return Taken{}, fmt.Errorf("backup of workspace %s: %w", ws, err)
	}
	return Taken{TakenAt: taken, By: login, Bytes: cw.n, Seq: seq}, nil
}

// Send writes ws's backup to a temporary file, then copies it to w once
// its size is known (set calls back with it first, for a Content-Length),
// and records it as taken once all of it is sent. Going through a file
// keeps the read transaction short, however slow the reader: a long one
// would hold up the database's growth, and so every write.
func (s *Service) Send(ctx context.Context, w io.Writer, ws, login string, size func(int64)) error {
	tmp, err := os.CreateTemp(s.TempDir, "workspace-backup-*")
	if err != nil {
		return fmt.Errorf("backup of workspace %s: %w", ws, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	t, err := s.Write(ctx, tmp, ws, login)
	if err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("backup of workspace %s: %w", ws, err)
	}
	size(t.Bytes)
	if _, err := io.Copy(w, tmp); err != nil {
		return fmt.Errorf("backup of workspace %s: send: %w", ws, err)
	}
	return s.Record(ws, t)
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func takenKey(ws string, at time.Time) []byte {
	return binary.BigEndian.AppendUint64([]byte(ws), uint64(at.UnixNano()))
}

// Record remembers t as a backup of ws, forgetting the oldest beyond
// keepTaken.
func (s *Service) Record(ws string, t Taken) error {
	err := s.DB.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(takenBucket)
		if err != nil {
			return err
		}
		v, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if err := b.Put(takenKey(ws, t.TakenAt), v); err != nil {
			return err
		}
		var keys [][]byte
		c := b.Cursor()
		for k, _ := c.Seek([]byte(ws)); k != nil && len(k) == len(ws)+8 && string(k[:len(ws)]) == ws; k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		for len(keys) > keepTaken {
			if err := b.Delete(keys[0]); err != nil {
				return err
			}
			keys = keys[1:]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("backup of workspace %s: remember it: %w", ws, err)
	}
	return nil
}

// List returns the backups taken of ws, newest first, each with
// ErasedSince set if a record was erased after it was taken.
func (s *Service) List(ctx context.Context, ws string) ([]Taken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Taken
	err := s.DB.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(takenBucket)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek([]byte(ws)); k != nil && len(k) == len(ws)+8 && string(k[:len(ws)]) == ws; k, v = c.Next() {
			var t Taken
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("backup record %x is damaged: %w", k, err)
			}
			out = append(out, t)
		}
		if len(out) == 0 {
			return nil
		}
		last, ok, err := store.LastErasure(tx, ws)
		if err != nil || !ok {
			return err
		}
		for i := range out {
			if last.Seq > out[i].Seq {
				out[i].ErasedSince = last.TS.Time()
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list the backups of workspace %s: %w", ws, err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// batchBytes bounds one restore transaction, so a restore of a workspace
// with many photos does not hold them all in memory at once.
const batchBytes = 8 << 20

// Limits of a restore. zstd turns a few kilobytes into gigabytes of
// zeros, so a backup may decompress to at most MaxRatio times its size
// (or ratioFloor, for small ones), and to at most the bound Restore is
// given.
const (
	// DefaultMaxBytes bounds what a backup decompresses to unless told
	// otherwise: a workspace at the default quota and its directory.
	DefaultMaxBytes = store.DefaultQuota + maxDirectory
	// MaxRatio bounds what a backup decompresses to per byte of it.
	// Sealed versions and photos hardly compress.
	MaxRatio = 100
	// ratioFloor is what any backup may decompress to whatever its ratio.
	ratioFloor = 64 << 20
)

// Restore reads a backup of size bytes from file and stores its workspace
// in d, which must hold neither the workspace nor any of its members or
// active logins (a new, empty server). It reads the whole file twice:
// first to check it (its frames, items, checksum, what it decompresses
// to, at most maxBytes, DefaultMaxBytes if 0, and MaxRatio times its
// size), storing nothing, then to store it. If the second pass fails it
// removes what it had stored. The directory entries go in last, with the
// log sequence: no one can sign in to a half-restored workspace.
func Restore(ctx context.Context, d *bolt.DB, file io.ReaderAt, size, maxBytes int64) (Header, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	limit := min(maxBytes, max(ratioFloor, MaxRatio*size))
	br, done, err := open(file, size, limit)
	if err != nil {
		return Header{}, fmt.Errorf("restore: %w", err)
	}
	h, ws := br.Header, br.Header.Workspace
	err = d.View(func(tx *bolt.Tx) error {
		if exists, err := store.WorkspaceExists(tx, ws); err != nil || exists {
			if err == nil {
				err = fmt.Errorf("workspace %s: %w", ws, store.ErrExists)
			}
			return err
		}
		return directory.Conflicts(tx, &br.Entries)
	})
	if err != nil {
		done()
		return h, fmt.Errorf("restore: %w: restore onto an empty server (a new -data directory)", err)
	}
	err = readItems(ctx, br, func([]store.Item) error { return nil })
	done()
	if err != nil {
		return h, fmt.Errorf("restore: %w", err)
	}

	if br, done, err = open(file, size, limit); err != nil {
		return h, fmt.Errorf("restore: %w", err)
	}
	defer done()
	if br.Header != h {
		return h, fmt.Errorf("restore: %w", formatError("the file changed while it was restored"))
	}
	if err := restoreItems(ctx, d, br); err != nil {
		if derr := d.Update(func(tx *bolt.Tx) error { return store.DeleteWorkspaceTx(tx, ws) }); derr != nil {
			err = errors.Join(err, fmt.Errorf("remove what was restored: %w", derr))
		}
		return h, fmt.Errorf("restore: %w", err)
	}
	return h, nil
}

// open starts reading the backup in file, which may decompress to at
// most limit bytes; done releases the decoder.
func open(file io.ReaderAt, size, limit int64) (br *Reader, done func(), err error) {
	zr, err := zstd.NewReader(io.NewSectionReader(file, 0, size), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(256<<20))
	if err != nil {
		return nil, nil, err
	}
	br, err = NewReader(&capped{r: zr, left: limit, limit: limit})
	if err != nil {
		zr.Close()
		return nil, nil, err
	}
	return br, zr.Close, nil
}

// capped reads r, failing once it has given more than limit bytes.
type capped struct {
	r           io.Reader
	left, limit int64
}

func (c *capped) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.left -= int64(n); c.left < 0 {
		return 0, fmt.Errorf("it decompresses to more than %d MiB, more than this server restores from a file of its size: it is damaged or crafted", c.limit>>20)
	}
	return n, err
}

// restoreItems stores br's items, then its log sequence and directory
// entries.
func restoreItems(ctx context.Context, d *bolt.DB, br *Reader) error {
	ws := br.Header.Workspace
	err := readItems(ctx, br, func(batch []store.Item) error {
		return d.Update(func(tx *bolt.Tx) error { return store.ImportItems(tx, ws, batch) })
	})
	if err != nil {
		return err
	}
	return d.Update(func(tx *bolt.Tx) error {
		if err := store.SetSequence(tx, ws, br.Sequence); err != nil {
			return err
		}
		return directory.ImportWorkspace(tx, &br.Entries)
	})
}

// readItems reads every item of br to its end frame, handing them to put
// in batches of about batchBytes, and checks the log sequence the end
// frame gives against the entries.
func readItems(ctx context.Context, br *Reader, put func([]store.Item) error) error {
	var batch []store.Item
	size, maxSeq := 0, uint64(0)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		it, err := br.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if it.Bucket == store.ItemLog {
			maxSeq = max(maxSeq, binary.BigEndian.Uint64(it.Key))
		}
		batch = append(batch, it)
		if size += len(it.Key) + len(it.Value); size >= batchBytes {
			if err := put(batch); err != nil {
				return err
			}
			batch, size = batch[:0], 0
		}
	}
	if err := put(batch); err != nil {
		return err
	}
	if br.Sequence < maxSeq {
		return formatError("log sequence %d below its entry %d", br.Sequence, maxSeq)
	}
	return nil
}

// Package wsbackup writes and restores one workspace's encrypted backup:
// everything the server holds for it (sealed versions and their history,
// heads, erased markers, blobs) and the directory entries its members need
// to sign in again (members, wrapped keys, login verifiers). The server
// never holds plaintext, so neither does a backup: it is ciphertext plus
// the metadata the server sees anyway. It also remembers when each backup
// was taken, so a later erasure can mark older backups as holding erased
// data.
//
// # Format, version 1
//
// A backup file is one zstd stream. Decompressed, it is:
//
//	magic    "PAWFILE WORKSPACE BACKUP\n" (25 bytes)
//	version  uvarint, 1
//	frames   kind(1 byte) length(uvarint) payload(length bytes), in order:
//	  1 header     JSON: {"format":1,"workspace":ID,"taken_at":RFC 3339,"server":build}
//	  2 directory  JSON: the workspace and its members as the directory stores them
//	  3 item       bucket(1) keylen(uvarint) key value: one store entry, byte for
//	               byte (see store.Item; any number of them, bucket by bucket)
//	  4 end        sequence(uvarint) items(uvarint) sha256(32): the workspace's log
//	               sequence, how many items came before, and the SHA-256 of every
//	               byte before this frame
//
// Exactly one header, then one directory, then items, then the end frame,
// then nothing. Integers in varints are unsigned LEB128 (encoding/binary).
// A reader refuses anything else: an unknown version or kind, a frame over
// its size limit, a wrong count or checksum, a missing end (a truncated
// file), or bytes after it.
package wsbackup

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"pawfile/server/directory"
	"pawfile/server/store"
)

// Magic starts every decompressed backup.
const Magic = "PAWFILE WORKSPACE BACKUP\n"

// Version is the format version this package writes and reads.
const Version = 1

// Frame kinds. Never renumber.
const (
	kindHeader    byte = 1
	kindDirectory byte = 2
	kindItem      byte = 3
	kindEnd       byte = 4
)

// Size limits of frames: an item holds at most one blob chunk; the
// directory at most a few hundred members with their key blobs.
const (
	maxHeader    = 64 << 10
	maxDirectory = 64 << 20
	maxItem      = store.MaxChunk + 1024
	maxEnd       = 2*binary.MaxVarintLen64 + sha256.Size
)

// Header is what a backup says about itself.
type Header struct {
	Format    int       `json:"format"`
	Workspace string    `json:"workspace"`
	TakenAt   time.Time `json:"taken_at"`
	Server    string    `json:"server"`
}

// ErrFormat is wrapped by every error about a file that is not a complete,
// intact backup in this format.
var ErrFormat = errors.New("not a complete Pawfile workspace backup")

func formatError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

// encoder writes frames and keeps the checksum.
type encoder struct {
	w     io.Writer
	sum   hash.Hash
	items uint64
	n     int64
	buf   []byte
}

func newEncoder(w io.Writer) (*encoder, error) {
	e := &encoder{w: w, sum: sha256.New()}
	head := binary.AppendUvarint([]byte(Magic), Version)
	return e, e.write(head)
}

func (e *encoder) write(b []byte) error {
	e.sum.Write(b)
	n, err := e.w.Write(b)
	e.n += int64(n)
	return err
}

func (e *encoder) frame(kind byte, payload []byte) error {
	e.buf = binary.AppendUvarint(append(e.buf[:0], kind), uint64(len(payload)))
	if err := e.write(e.buf); err != nil {
		return err
	}
	return e.write(payload)
}

func (e *encoder) json(kind byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return e.frame(kind, b)
}

func (e *encoder) item(it store.Item) error {
	e.items++
	p := binary.AppendUvarint([]byte{it.Bucket}, uint64(len(it.Key)))
	p = append(append(p, it.Key...), it.Value...)
	return e.frame(kindItem, p)
}

func (e *encoder) end(sequence uint64) error {
	p := binary.AppendUvarint(nil, sequence)
	p = binary.AppendUvarint(p, e.items)
	p = e.sum.Sum(p)
	b := binary.AppendUvarint([]byte{kindEnd}, uint64(len(p)))
	n, err := e.w.Write(append(b, p...))
	e.n += int64(n)
	return err
}

// Reader reads a decompressed backup: NewReader reads its header and
// directory, Next its items, and Sequence is known once Next returns
// io.EOF (which it does only after an intact end frame and nothing after).
type Reader struct {
	r        *bufio.Reader
	sum      hash.Hash
	items    uint64
	done     bool
	Header   Header
	Entries  directory.WorkspaceEntries
	Sequence uint64
}

// NewReader reads the magic, version, header and directory of a
// decompressed backup, and checks the directory's entries.
func NewReader(r io.Reader) (*Reader, error) {
	d := &Reader{r: bufio.NewReaderSize(r, 64<<10), sum: sha256.New()}
	magic := make([]byte, len(Magic))
	switch _, err := io.ReadFull(d.r, magic); {
	case errors.Is(err, io.EOF):
		return nil, formatError("the file is empty")
	case err != nil:
		return nil, truncated(err)
	case string(magic) != Magic:
		return nil, formatError("it does not start as one (is it a whole-server backup? restore those with pawfile restore)")
	}
	d.sum.Write(magic)
	v, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	if v != Version {
		return nil, formatError("format version %d; this server reads version %d (update the server)", v, Version)
	}
	kind, p, err := d.frame()
	if err != nil {
		return nil, err
	}
	if kind != kindHeader {
		return nil, formatError("frame of kind %d where the header belongs", kind)
	}
	if err := json.Unmarshal(p, &d.Header); err != nil || d.Header.Format != Version || d.Header.Workspace == "" {
		return nil, formatError("unreadable header")
	}
	if kind, p, err = d.frame(); err != nil {
		return nil, err
	}
	if kind != kindDirectory {
		return nil, formatError("frame of kind %d where the directory belongs", kind)
	}
	if err := json.Unmarshal(p, &d.Entries); err != nil {
		return nil, formatError("unreadable directory entries: %v", err)
	}
	if err := d.Entries.Check(); err != nil {
		return nil, formatError("directory entries: %v", err)
	}
	if d.Entries.ID() != d.Header.Workspace {
		return nil, formatError("the header names workspace %s, the directory %s", d.Header.Workspace, d.Entries.ID())
	}
	return d, nil
}

// Next returns the next store item, checked with store.CheckItem; io.EOF
// once the end frame is read and verified.
func (d *Reader) Next() (store.Item, error) {
	if d.done {
		return store.Item{}, io.EOF
	}
	before := d.sum.Sum(nil)
	kind, p, err := d.frame()
	if err != nil {
		return store.Item{}, err
	}
	switch kind {
	case kindItem:
		if len(p) < 1 {
			return store.Item{}, formatError("empty item")
		}
		klen, n := binary.Uvarint(p[1:])
		if n <= 0 || klen > uint64(len(p)-1-n) {
			return store.Item{}, formatError("item %d: key length beyond the frame", d.items+1)
		}
		key := p[1+n : 1+n+int(klen)]
		it := store.Item{Bucket: p[0], Key: key, Value: p[1+n+int(klen):]}
		if err := store.CheckItem(it); err != nil {
			return store.Item{}, formatError("item %d: %v", d.items+1, err)
		}
		d.items++
		return it, nil
	case kindEnd:
		seq, n := binary.Uvarint(p)
		if n <= 0 {
			return store.Item{}, formatError("unreadable end frame")
		}
		count, m := binary.Uvarint(p[n:])
		if m <= 0 || len(p[n+m:]) != sha256.Size {
			return store.Item{}, formatError("unreadable end frame")
		}
		if count != d.items {
			return store.Item{}, formatError("the end frame counts %d items, the file holds %d", count, d.items)
		}
		if string(p[n+m:]) != string(before) {
			return store.Item{}, formatError("checksum mismatch: the file is damaged")
		}
		if _, err := d.r.ReadByte(); err != io.EOF {
			return store.Item{}, formatError("data after the end frame")
		}
		d.Sequence, d.done = seq, true
		return store.Item{}, io.EOF
	}
	return store.Item{}, formatError("frame of kind %d among the items", kind)
}

func (d *Reader) uvarint() (uint64, error) {
	v, err := binary.ReadUvarint(byteHasher{d})
	if err != nil {
		return 0, truncated(err)
	}
	return v, nil
}

// byteHasher reads bytes from d and adds them to its checksum.
type byteHasher struct{ d *Reader }

func (b byteHasher) ReadByte() (byte, error) {
	c, err := b.d.r.ReadByte()
	if err == nil {
		b.d.sum.Write([]byte{c})
	}
	return c, err
}

// frame reads one frame, refusing one over its kind's size limit before
// reading its payload.
func (d *Reader) frame() (byte, []byte, error) {
	kind, err := byteHasher{d}.ReadByte()
	if err != nil {
		return 0, nil, truncated(err)
	}
	size, err := d.uvarint()
	if err != nil {
		return 0, nil, err
	}
	limit := map[byte]uint64{kindHeader: maxHeader, kindDirectory: maxDirectory, kindItem: maxItem, kindEnd: maxEnd}[kind]
	if limit == 0 {
		return 0, nil, formatError("unknown frame kind %d", kind)
	}
	if size > limit {
		return 0, nil, formatError("frame of kind %d and %d bytes (at most %d)", kind, size, limit)
	}
	p := make([]byte, size)
	if _, err := io.ReadFull(d.r, p); err != nil {
		return 0, nil, truncated(err)
	}
	if kind != kindEnd {
		d.sum.Write(p)
	}
	return kind, p, nil
}

func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return formatError("the file ends early (an interrupted download?)")
	}
	return formatError("unreadable (%v)", err)
}

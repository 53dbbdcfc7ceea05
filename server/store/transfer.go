package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"pawfile/shared/clock"
)

// Item is one stored entry of a workspace, as a per-workspace backup
// carries it: which bucket, its key and its value, byte for byte as the
// store keeps them (sealed versions, heads, erased flags, blobs).
type Item struct {
	Bucket byte
	Key    []byte
	Value  []byte
}

// The buckets an Item names. Never renumber: backups carry these numbers.
const (
	ItemLog      byte = 1
	ItemRecords  byte = 2
	ItemHeadseq  byte = 3
	ItemOutbox   byte = 4
	ItemBlobMeta byte = 5
	ItemBlobData byte = 6
)

// ErrExists: a restore would overwrite a workspace the store already holds.
var ErrExists = errors.New("the workspace already exists here")

// ExportWorkspace calls fn with every entry workspace ws holds, bucket by
// bucket, inside the caller's read transaction (so what it sees is one
// consistent state), and returns the log's sequence: the seq the next
// version would follow. A workspace that holds nothing exports nothing.
// The Item's slices are bbolt's memory: fn must copy what it keeps.
func ExportWorkspace(tx *bolt.Tx, ws string, fn func(Item) error) (uint64, error) {
	if err := checkWorkspace(ws); err != nil {
		return 0, err
	}
	s, err := workspace(tx, ws, false)
	if err != nil || s == nil {
		return 0, err
	}
	for _, n := range []byte{ItemLog, ItemRecords, ItemHeadseq, ItemOutbox, ItemBlobMeta, ItemBlobData} {
		b := s.bucket(n)
		if err := b.ForEach(func(k, v []byte) error { return fn(Item{Bucket: n, Key: k, Value: v}) }); err != nil {
			return 0, fmt.Errorf("store: export workspace %s: %w", ws, err)
		}
	}
	return s.log.Sequence(), nil
}

func (s *space) bucket(n byte) *bolt.Bucket {
	switch n {
	case ItemLog:
		return s.log
	case ItemRecords:
		return s.records
	case ItemHeadseq:
		return s.headseq
	case ItemOutbox:
		return s.outbox
	case ItemBlobMeta:
		return s.blobmeta
	}
	return s.blobdata
}

// CheckItem tells whether it is an entry the store could have written:
// a known bucket, and a key and value of the shapes that bucket holds
// (a log entry must decode). It is what makes a hostile or damaged backup
// fail on restore rather than later, on a device's sync.
func CheckItem(it Item) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("store item in bucket %d: "+format, append([]any{it.Bucket}, args...)...)
	}
	switch it.Bucket {
	case ItemLog:
		if len(it.Key) != 8 {
			return bad("log key of %d bytes (want 8)", len(it.Key))
		}
		seq := binary.BigEndian.Uint64(it.Key)
		if seq == 0 {
			return bad("log entry at seq 0")
		}
		if len(it.Value) >= entryHead && binary.BigEndian.Uint64(it.Value[1:]) >= seq {
			return bad("log entry %d points forward to %d", seq, binary.BigEndian.Uint64(it.Value[1:]))
		}
		e, err := decodeEntry(it.Value, seq)
		if err != nil {
			return bad("%w", err)
		}
		if !e.Class.Valid() || uint8(e.Class) != it.Value[0] {
			return bad("log entry %d has class %d, its header says %d", seq, e.Class, it.Value[0])
		}
	case ItemRecords:
		if len(it.Key) != 32 {
			return bad("record key of %d bytes (want 32)", len(it.Key))
		}
		if _, err := parseRecord([32]byte(it.Key), it.Value); err != nil || it.Value == nil {
			return bad("record %x: index entry of %d bytes", it.Key[:6], len(it.Value))
		}
	case ItemHeadseq:
		if len(it.Key) != 8 || len(it.Value) != 33 {
			return bad("head entry of %d+%d bytes (want 8+33)", len(it.Key), len(it.Value))
		}
	case ItemOutbox:
		if len(it.Key) != 16 || len(it.Value) != 8 {
			return bad("outbox entry of %d+%d bytes (want 16+8)", len(it.Key), len(it.Value))
		}
	case ItemBlobMeta:
		if len(it.Key) != 32 {
			return bad("blob hash of %d bytes (want 32)", len(it.Key))
		}
		if _, err := decodeBlobMeta(it.Value); err != nil {
			return bad("%w", err)
		}
	case ItemBlobData:
		if len(it.Key) != 40 || len(it.Value) == 0 || len(it.Value) > MaxChunk {
			return bad("blob chunk of %d+%d bytes (want a 40-byte key and 1 to %d bytes)", len(it.Key), len(it.Value), MaxChunk)
		}
	default:
		return fmt.Errorf("store item in unknown bucket %d", it.Bucket)
	}
	return nil
}

// WorkspaceExists reports whether the store holds anything of ws.
func WorkspaceExists(tx *bolt.Tx, ws string) (bool, error) {
	s, err := workspace(tx, ws, false)
	return s != nil, err
}

// ImportItems stores items, each checked with CheckItem, into workspace ws,
// creating it if it holds nothing yet. A restore calls it once per batch,
// in transactions of its own, then SetSequence.
func ImportItems(tx *bolt.Tx, ws string, items []Item) error {
	if err := checkWorkspace(ws); err != nil {
		return err
	}
	s, err := workspace(tx, ws, true)
	if err != nil {
		return err
	}
	// Counted before the puts: a workspace without a count yet counts
	// what its buckets hold, which must not include these items twice.
	size := int64(0)
	for _, it := range items {
		if it.Bucket == ItemLog || it.Bucket == ItemBlobData {
			size += int64(len(it.Value))
		}
	}
	if err := s.addUsage(size); err != nil {
		return err
	}
	for _, it := range items {
		if err := CheckItem(it); err != nil {
			return err
		}
		if err := s.bucket(it.Bucket).Put(it.Key, it.Value); err != nil {
			return fmt.Errorf("store: import into workspace %s: %w", ws, err)
		}
	}
	return nil
}

// SetSequence sets the log sequence of a restored workspace, so the seqs
// it gives new versions rise above every seq it held, erased ones included.
func SetSequence(tx *bolt.Tx, ws string, seq uint64) error {
	s, err := workspace(tx, ws, true)
	if err != nil {
		return err
	}
	if err := s.log.SetSequence(seq); err != nil {
		return fmt.Errorf("store: set the sequence of workspace %s: %w", ws, err)
	}
	return nil
}

// DeleteWorkspaceTx removes everything of ws inside tx: a failed restore
// undoes what it stored with it.
func DeleteWorkspaceTx(tx *bolt.Tx, ws string) error {
	root := tx.Bucket(rootBucket)
	if root == nil {
		return errors.New("store: root bucket missing")
	}
	if err := root.DeleteBucket([]byte(ws)); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
		return fmt.Errorf("store: delete workspace %s: %w", ws, err)
	}
	return nil
}

// Erasure is the latest erasure a workspace holds: the seq of its marker
// and when the device that erased stamped it.
type Erasure struct {
	Seq uint64
	TS  clock.Timestamp
}

// LastErasure returns the latest erasure of ws (by seq); ok is false when
// nothing of ws was ever erased. It reads every record's index entry, so
// call it for a status page, not on every sync.
func LastErasure(tx *bolt.Tx, ws string) (last Erasure, ok bool, err error) {
	s, err := workspace(tx, ws, false)
	if err != nil || s == nil {
		return Erasure{}, false, err
	}
	err = s.records.ForEach(func(k, v []byte) error {
		if len(k) != 32 {
			return fmt.Errorf("record key of %d bytes (damaged database?)", len(k))
		}
		r, err := parseRecord([32]byte(k), v)
		if err != nil || !r.erased || r.last <= last.Seq {
			return err
		}
		e, err := decodeEntry(s.log.Get(u64(r.last)), r.last)
		if err != nil {
			return err
		}
		last, ok = Erasure{Seq: r.last, TS: e.TS}, true
		return nil
	})
	if err != nil {
		return Erasure{}, false, fmt.Errorf("store: erasures of workspace %s: %w", ws, err)
	}
	return last, ok, nil
}

package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// blobMeta is a blobmeta value: total(8) received(8) complete(1)
// touched(8), the last a Unix time in seconds: when the upload last
// stored a chunk, so Prune can tell an abandoned one. Stores written
// before it hold 17 bytes (touched 0: abandoned, if unfinished).
type blobMeta struct {
	total, received uint64
	complete        bool
	touched         int64
}

func (m blobMeta) encode() []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 25), m.total)
	b = binary.BigEndian.AppendUint64(b, m.received)
	if m.complete {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return binary.BigEndian.AppendUint64(b, uint64(m.touched))
}

func decodeBlobMeta(v []byte) (blobMeta, error) {
	if len(v) != 17 && len(v) != 25 {
		return blobMeta{}, fmt.Errorf("blob metadata of %d bytes (want 25)", len(v))
	}
	m := blobMeta{total: binary.BigEndian.Uint64(v), received: binary.BigEndian.Uint64(v[8:]), complete: v[16] == 1}
	if len(v) == 25 {
		m.touched = int64(binary.BigEndian.Uint64(v[17:]))
	}
	return m, nil
}

func chunkKey(hash [32]byte, offset uint64) []byte {
	return binary.BigEndian.AppendUint64(append(make([]byte, 0, 40), hash[:]...), offset)
}

// PutChunk implements Blobs. Each chunk is stored as it arrived (keyed by
// its offset), so a 10 MiB upload never rewrites what it already sent.
// Putting a blob the store already holds completely returns its total at
// once: the content is the same, by its hash. A new upload whose whole
// size would take the workspace past its quota is refused before any of
// it is stored (ErrFull).
func (b *Bolt) PutChunk(ctx context.Context, ws string, hash [32]byte, offset, total uint64, data []byte) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := checkWorkspace(ws); err != nil {
		return 0, err
	}
	switch {
	case total == 0:
		return 0, fmt.Errorf("store: blob %x of size 0: %w", hash[:6], ErrBadRequest)
	case total > b.MaxBlob:
		return 0, fmt.Errorf("store: blob %x of %d bytes (at most %d): %w", hash[:6], total, b.MaxBlob, ErrTooLarge)
	case len(data) > MaxChunk:
		return 0, fmt.Errorf("store: blob chunk of %d bytes (at most %d): %w", len(data), MaxChunk, ErrBadRequest)
	case offset > total || uint64(len(data)) > total-offset:
		return 0, fmt.Errorf("store: blob chunk at %d+%d beyond its size %d: %w", offset, len(data), total, ErrBadRequest)
	}
	var received uint64
	var mismatch bool
	var full string
	err := b.db.Update(func(tx *bolt.Tx) error {
		received, mismatch, full = 0, false, ""
		s, err := workspace(tx, ws, true)
		if err != nil {
			return err
		}
		var m blobMeta
		if v := s.blobmeta.Get(hash[:]); v != nil {
			if m, err = decodeBlobMeta(v); err != nil {
				return err
			}
		}
		if m.complete {
			received = m.total
			return nil
		}
		if m.total != total && m.received > 0 {
			if offset != 0 {
				return fmt.Errorf("blob %x is being uploaded with size %d, not %d: %w", hash[:6], m.total, total, ErrBadRequest)
			}
			// A fresh start with another size: the earlier attempt was wrong
			// (its hash would not have matched), start over.
			if err := deleteChunks(s, hash); err != nil {
				return err
			}
			m = blobMeta{}
		}
		m.total = total
		if offset != m.received || len(data) == 0 {
			received = m.received // out of order or a repeat: resume from here
			return nil
		}
		used, err := s.usage()
		if err != nil {
			return err
		}
		// What is left of the blob must fit, so an upload is refused at
		// its start rather than half way.
		if !b.fits(used, total-m.received) {
			full = b.fullText(used)
			return nil
		}
		if err := s.addUsage(int64(len(data))); err != nil {
			return err
		}
		m.touched = b.Now().Unix()
		if err := s.blobdata.Put(chunkKey(hash, offset), data); err != nil {
			return err
		}
		m.received += uint64(len(data))
		if m.received == total {
			sum := sha256.New()
			c := s.blobdata.Cursor()
			for k, v := c.Seek(hash[:]); k != nil && bytes.HasPrefix(k, hash[:]); k, v = c.Next() {
				sum.Write(v)
			}
			if !bytes.Equal(sum.Sum(nil), hash[:]) {
				mismatch = true
				if err := deleteChunks(s, hash); err != nil {
					return err
				}
				return s.blobmeta.Delete(hash[:])
			}
			m.complete = true
		}
		received = m.received
		return s.blobmeta.Put(hash[:], m.encode())
	})
	if err != nil {
		return 0, fmt.Errorf("store: put blob %x in workspace %s: %w", hash[:6], ws, err)
	}
	if mismatch {
		return 0, fmt.Errorf("store: blob %x in workspace %s: %w; upload it again", hash[:6], ws, ErrHashMismatch)
	}
	if full != "" {
		return 0, fmt.Errorf("store: blob %x in workspace %s: %w: %s", hash[:6], ws, ErrFull, full)
	}
	return received, nil
}

// deleteChunks deletes what the store holds of blob hash, and takes it
// off the workspace's usage.
func deleteChunks(s *space, hash [32]byte) error {
	var keys [][]byte
	freed := 0
	c := s.blobdata.Cursor()
	for k, v := c.Seek(hash[:]); k != nil && bytes.HasPrefix(k, hash[:]); k, v = c.Next() {
		keys = append(keys, bytes.Clone(k))
		freed += len(v)
	}
	for _, k := range keys {
		if err := s.blobdata.Delete(k); err != nil {
			return err
		}
	}
	if freed == 0 {
		return nil
	}
	return s.addUsage(-int64(freed))
}

// DropBlobs implements Blobs, in one transaction.
func (b *Bolt) DropBlobs(ctx context.Context, ws string, hashes [][32]byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkWorkspace(ws); err != nil {
		return err
	}
	err := b.db.Update(func(tx *bolt.Tx) error {
		s, err := workspace(tx, ws, false)
		if err != nil || s == nil {
			return err
		}
		for _, h := range hashes {
			if err := deleteChunks(s, h); err != nil {
				return err
			}
			if err := s.blobmeta.Delete(h[:]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: drop %d blobs in workspace %s: %w", len(hashes), ws, err)
	}
	return nil
}

// GetChunk implements Blobs. A limit that is not positive or above MaxChunk
// is clamped to MaxChunk.
func (b *Bolt) GetChunk(ctx context.Context, ws string, hash [32]byte, offset uint64, limit int) ([]byte, uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if err := checkWorkspace(ws); err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > MaxChunk {
		limit = MaxChunk
	}
	var data []byte
	var total uint64
	err := b.db.View(func(tx *bolt.Tx) error {
		s, err := workspace(tx, ws, false)
		if err != nil {
			return err
		}
		var v []byte
		if s != nil {
			v = s.blobmeta.Get(hash[:])
		}
		if v == nil {
			return ErrNotFound
		}
		m, err := decodeBlobMeta(v)
		if err != nil {
			return err
		}
		if !m.complete {
			return fmt.Errorf("upload incomplete (%d of %d bytes): %w", m.received, m.total, ErrNotFound)
		}
		total = m.total
		if offset > total {
			return fmt.Errorf("offset %d beyond its size %d: %w", offset, total, ErrBadRequest)
		}
		want := min(uint64(limit), total-offset)
		data = make([]byte, 0, want)
		// Start at the chunk holding offset: the last chunk starting at or
		// before it.
		c := s.blobdata.Cursor()
		k, v := c.Seek(chunkKey(hash, offset))
		if k == nil || !bytes.Equal(k, chunkKey(hash, offset)) {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, hash[:]) && uint64(len(data)) < want; k, v = c.Next() {
			start := binary.BigEndian.Uint64(k[32:])
			if start+uint64(len(v)) <= offset {
				continue
			}
			from := uint64(0)
			if offset > start {
				from = offset - start
			}
			data = append(data, v[from:min(uint64(len(v)), from+want-uint64(len(data)))]...)
		}
		if uint64(len(data)) != want {
			return fmt.Errorf("chunks hold %d of %d bytes at %d (damaged blob)", len(data), want, offset)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: get blob %x in workspace %s: %w", hash[:6], ws, err)
	}
	return data, total, nil
}

// BlobBytes returns the bytes of blobs the store holds across every
// workspace, uploads in progress included. It reads one small metadata
// entry per blob, not the blobs.
func (b *Bolt) BlobBytes(ctx context.Context) (int64, error) {
	var n uint64
	err := b.db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(rootBucket)
		if root == nil {
			return errors.New("store: root bucket missing (database not opened with store.Open)")
		}
		return root.ForEachBucket(func(ws []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			meta := root.Bucket(ws).Bucket(blobmetaBucket)
			if meta == nil {
				return fmt.Errorf("store: workspace %s is missing a bucket (damaged database?)", ws)
			}
			return meta.ForEach(func(hash, v []byte) error {
				m, err := decodeBlobMeta(v)
				if err != nil {
					return fmt.Errorf("store: blob %x of workspace %s: %w", hash[:min(len(hash), 6)], ws, err)
				}
				n += m.received
				return nil
			})
		})
	})
	if err != nil {
		return 0, fmt.Errorf("store: count blob bytes: %w", err)
	}
	return int64(n), nil
}

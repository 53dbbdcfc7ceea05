package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maxPruneTx bounds what one pruning transaction deletes, so a first
// prune of a large, old database does not hold one huge transaction.
const maxPruneTx = 10_000

var _ Pruner = (*Bolt)(nil)

// Prune implements Pruner, workspace by workspace.
func (b *Bolt) Prune(ctx context.Context, now time.Time) (Pruned, error) {
	var names []string
	err := b.db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(rootBucket)
		if root == nil {
			return errors.New("root bucket missing (database not opened with store.Open)")
		}
		return root.ForEach(func(k, v []byte) error {
			if v == nil { // a bucket: a workspace
				names = append(names, string(k))
			}
			return nil
		})
	})
	if err != nil {
		return Pruned{}, fmt.Errorf("store: prune: %w", err)
	}
	var total Pruned
	for _, ws := range names {
		for {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			var p Pruned
			err := b.db.Update(func(tx *bolt.Tx) error {
				s, err := workspace(tx, ws, false)
				if err != nil || s == nil {
					return err
				}
				p = Pruned{}
				if p.Uploads, err = s.expireUploads(now.Add(-UploadTTL), maxPruneTx); err != nil {
					return err
				}
				p.Outbox, err = s.pruneOutbox(maxPruneTx - p.Uploads)
				return err
			})
			if err != nil {
				return total, fmt.Errorf("store: prune workspace %s: %w", ws, err)
			}
			total.Uploads += p.Uploads
			total.Outbox += p.Outbox
			if p.Uploads+p.Outbox < maxPruneTx {
				break
			}
		}
	}
	return total, nil
}

// expireUploads removes at most limit unfinished uploads last touched
// before cutoff.
func (s *space) expireUploads(cutoff time.Time, limit int) (int, error) {
	var stale [][32]byte
	err := s.blobmeta.ForEach(func(k, v []byte) error {
		if len(stale) == limit {
			return errStop
		}
		m, err := decodeBlobMeta(v)
		if err != nil {
			return fmt.Errorf("blob %x: %w", k[:min(len(k), 6)], err)
		}
		if !m.complete && m.touched < cutoff.Unix() && len(k) == 32 {
			stale = append(stale, [32]byte(k))
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return 0, err
	}
	for _, h := range stale {
		if err := deleteChunks(s, h); err != nil {
			return 0, err
		}
		if err := s.blobmeta.Delete(h[:]); err != nil {
			return 0, err
		}
	}
	return len(stale), nil
}

// pruneOutbox removes at most limit outbox ids no retry can need: those
// of a device beyond its latest KeepOutbox, and those of versions erased
// since (a retry of one is refused as erased before its id is looked up).
func (s *space) pruneOutbox(limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	var drop [][]byte
	var device []byte
	kept := 0
	c := s.outbox.Cursor()
	for k, v := c.Last(); k != nil && len(drop) < limit; k, v = c.Prev() {
		if len(k) != 16 || len(v) != 8 {
			return 0, fmt.Errorf("outbox entry of %d+%d bytes (damaged database?)", len(k), len(v))
		}
		if !bytes.Equal(k[:8], device) {
			device, kept = bytes.Clone(k[:8]), 0
		}
		if kept >= KeepOutbox || s.log.Get(v) == nil {
			drop = append(drop, bytes.Clone(k))
			continue
		}
		kept++
	}
	for _, k := range drop {
		if err := s.outbox.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(drop), nil
}

package session

import (
	"context"
	"errors"
	"fmt"

	"pawfile/app/localstore"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// EraseClient erases a client for good, as a client's erasure request
// asks: the client, their pets and every record below them (vaccinations,
// contact log, invoices, projects and their notes) become erasure
// markers with no fields, which sync to every device and the server; the
// server then refuses those records from anyone. The old sealed rows are
// purged from this device's storage. It opens every record once to find
// the ones below the client: slow on a big book, and rare.
func (s *Session) EraseClient(ctx context.Context, id string) (int, error) {
	s.mu.Lock()
	if s.book == nil {
		s.mu.Unlock()
		return 0, ErrLocked
	}
	if ok, err := s.book.Load(id, &record.Client{}); err != nil || !ok {
		s.mu.Unlock()
		if err == nil {
			err = errors.New("no such client on this device")
		}
		return 0, err
	}
	gone := map[record.Type]map[string]bool{record.TypeClient: {id: true}}
	for changed := true; changed; {
		changed = false
		for _, t := range record.Types() {
			sc, _ := record.SchemaOf(t)
			if sc.Parent == "" {
				continue
			}
			pf, _ := sc.Field(sc.Parent)
			for _, child := range s.book.IDs(t) {
				if gone[t][child] {
					continue
				}
				rec, ok := s.book.Record(t, child)
				if !ok {
					continue
				}
				var parent string
				if b, ok := rec.Get(sc.Parent); !ok || record.DecodeValue(b, &parent) != nil || !gone[pf.Ref][parent] {
					continue
				}
				if gone[t] == nil {
					gone[t] = map[string]bool{}
				}
				gone[t][child], changed = true, true
			}
		}
	}
	rows := map[string][]byte{}
	var items []localstore.Item
	docs := map[merge.Key]wire.Key{}
	n := 0
	for t, ids := range gone {
		for rid := range ids {
			env, err := s.book.Erase(t, rid)
			if err != nil {
				s.mu.Unlock()
				return 0, fmt.Errorf("erase %s: %w", t, err)
			}
			data, err := wire.MarshalEnvelope(&env)
			if err != nil {
				s.mu.Unlock()
				return 0, err
			}
			rows[rowKey(env.Key)] = data
			items = append(items, localstore.Item{ID: env.OutboxID, Data: data})
			docs[merge.Key{Class: t.Class(), Type: t, ID: rid}] = env.Key
			n++
		}
	}
	if err := s.docRowsLocked(docs, rows); err != nil {
		s.mu.Unlock()
		return 0, err
	}
	meta := map[string][]byte{}
	for k, rk := range docs {
		if indexed(k.Type) {
			rows[docPrefix+rowKey(rk)] = nil // no doc for what is gone
		}
		meta[draftPrefix+rowKey(rk)] = nil
		s.forgetUndoLocked(rk)
	}
	err := s.cfg.Store.Commit(ctx, localstore.Change{Records: rows, Enqueue: items, Meta: meta})
	c := s.sync
	s.mu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("erase on this device: %w", err)
	}
	s.purge(ctx)
	if c != nil {
		c.Kick()
	}
	s.changed()
	return n, nil
}

// purge drops what erased records left in the store's older rows, where
// the store can (the browser's can).
func (s *Session) purge(ctx context.Context) {
	if p, ok := s.cfg.Store.(interface{ Purge(context.Context) error }); ok {
		if err := p.Purge(ctx); err != nil {
			s.log.Printf("purge erased rows from storage: err=%v", err)
		}
	}
}

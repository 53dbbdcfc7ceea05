package session

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/seal"
)

// EraseClient erases a client for good, as a client's erasure request
// asks: the client, their pets and every record below them (vaccinations,
// contact log, invoices, projects and their notes) become erasure
// markers with no fields, which sync to every device and the server; the
// server then refuses those records from anyone, and is asked to delete
// their photos. The old sealed rows are
// purged from this device's storage. It opens every record once to find
// the ones below the client (see belowLocked): slow on a big book, and
// rare.
func (s *Session) EraseClient(ctx context.Context, id string) (int, error) {
	n := 0
	err := s.commit(ctx, func(tx *writeTx) error {
		if ok, err := s.book.Load(id, &record.Client{}); err != nil || !ok {
			if err == nil {
				err = errors.New("no such client on this device")
			}
			return err
		}
		var drop []string
		for t, ids := range s.belowLocked(id) {
			for rid := range ids {
				rk := seal.RecordKey(s.keys.MAC, t.Class(), t, rid)
				for _, ref := range s.book.BlobRefs(rk) {
					tx.change.Blobs[ref] = nil // the photos go with their records
					drop = append(drop, ref)
				}
				if err := tx.erase(t, rid); err != nil {
					return err
				}
				tx.releaseErased(rk)
				s.erasedDraftsLocked(tx.change.Meta, merge.Key{Class: t.Class(), Type: t, ID: rid})
				tx.after = append(tx.after, func() { s.forgetUndoLocked(rk) })
				n++
			}
		}
		tx.queue = append(tx.queue, func(q *blobQueue) {
			for _, ref := range drop {
				if !slices.Contains(q.Drop, ref) {
					q.Drop = append(q.Drop, ref) // the server's copy goes too
				}
			}
		})
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("erase on this device: %w", err)
	}
	s.purge(ctx)
	s.sent()
	return n, nil
}

// belowLocked returns the client and every live record below them, by
// type and id: the records whose parent is the client or, to any depth,
// below it (a client's project's notes). A record whose parent is not set
// belongs to the first record it names instead: a photo taken outside a
// project belongs to its pet. Erasure and export both walk this, so they
// always agree on what is held about a client. It opens every record
// once: slow on a big book.
func (s *Session) belowLocked(client string) map[record.Type]map[string]bool {
	// Each record's owner is read once; the loop then follows them from
	// the client down, as deep as they go.
	type link struct {
		t, ownerType record.Type
		id, owner    string
	}
	var links []link
	for _, t := range record.Types() {
		sc, _ := record.SchemaOf(t)
		if sc.Parent == "" {
			continue
		}
		for _, id := range s.book.IDs(t) {
			if rec, ok := s.book.Record(t, id); ok {
				ot, oid := ownerOf(sc, rec)
				links = append(links, link{t, ot, id, oid})
			}
		}
	}
	found := map[record.Type]map[string]bool{record.TypeClient: {client: true}}
	for changed := true; changed; {
		changed = false
		for _, l := range links {
			if found[l.t][l.id] || !found[l.ownerType][l.owner] {
				continue
			}
			if found[l.t] == nil {
				found[l.t] = map[string]bool{}
			}
			found[l.t][l.id], changed = true, true
		}
	}
	return found
}

// ownerOf names the record rec belongs to: its parent, or if that is not
// set, the first other record it refers to.
func ownerOf(sc *record.Schema, rec *merge.Record) (record.Type, string) {
	parent, _ := sc.Field(sc.Parent)
	if id := refIn(rec, parent); id != "" {
		return parent.Ref, id
	}
	for i := range sc.Fields {
		if f := &sc.Fields[i]; f.Kind == record.KindRef && f.Ref != record.RefStaff {
			if id := refIn(rec, f); id != "" {
				return f.Ref, id
			}
		}
	}
	return "", ""
}

// refIn is the record id in rec's field f, or "".
func refIn(rec *merge.Record, f *record.Field) string {
	var id string
	if b, ok := rec.Get(f.Name); !ok || record.DecodeValue(b, &id) != nil {
		return ""
	}
	return id
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

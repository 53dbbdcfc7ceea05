package session

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"pawfile/app/localstore"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/seal"
)

// A draft is what a form holds before it is saved: kept on this device
// only, sealed like the records, so that nothing typed is lost to a
// reload, a crash, a flat battery or the idle lock. It is stored in the
// meta store under draftPrefix and the record's row key, so that its name
// says no more than the record's row does.
const (
	draftPrefix = "d:"
	draftFormat = 0xd1
)

// NewDraftID is the id under which a form for a record not yet saved
// keeps its draft: one unsaved new record of each type at a time.
const NewDraftID = "new"

// NewDraftOf is the id under which a form for a new record below parent
// (a pet's vaccination, a call in a client's log) keeps its draft: one
// for each parent, so that erasing the parent drops what was being typed
// about it too. It is never a record's id, which has no colon.
func NewDraftOf(parent string) string { return NewDraftID + ":" + parent }

type draft struct {
	ID    string          `json:"id"` // the record's id, which a new record's draft keeps too
	Saved int64           `json:"at"` // Unix ms
	Form  json.RawMessage `json:"form"`
}

func (s *Session) draftName(t record.Type, id string) string {
	return draftPrefix + rowKey(seal.RecordKey(s.keys.MAC, t.Class(), t, id))
}

// KeepDraft keeps form, the state of the form for record id of type t
// (NewDraftID or NewDraftOf for a record not saved yet, whose real id is
// newID), until DropDraft. form is any value that encoding/json
// round-trips.
func (s *Session) KeepDraft(ctx context.Context, t record.Type, id, newID string, form any) error {
	plain, err := json.Marshal(form)
	if err != nil {
		return fmt.Errorf("keep the draft: %w", err)
	}
	if id != NewDraftID && !strings.HasPrefix(id, NewDraftID+":") {
		newID = id
	}
	plain, err = json.Marshal(draft{ID: newID, Saved: time.Now().UnixMilli(), Form: plain})
	if err != nil {
		return fmt.Errorf("keep the draft: %w", err)
	}
	s.mu.RLock()
	if s.keys == nil {
		s.mu.RUnlock()
		return ErrLocked
	}
	name := s.draftName(t, id)
	b, err := s.sealLocal(plain, t.Class(), seal.RecordKey(s.keys.MAC, t.Class(), t, id), draftFormat)
	s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("keep the draft: %w", err)
	}
	if err := s.cfg.Store.Commit(ctx, localstore.Change{Meta: map[string][]byte{name: b}}); err != nil {
		return fmt.Errorf("keep the draft on this device: %w", err)
	}
	return nil
}

// Draft fills form with the draft kept for record id of type t, if there
// is one, and returns the record's id (a new record's real id) and when
// the draft was kept.
func (s *Session) Draft(ctx context.Context, t record.Type, id string, form any) (recordID string, saved time.Time, ok bool, err error) {
	s.mu.RLock()
	if s.keys == nil {
		s.mu.RUnlock()
		return "", time.Time{}, false, ErrLocked
	}
	name, rk := s.draftName(t, id), seal.RecordKey(s.keys.MAC, t.Class(), t, id)
	s.mu.RUnlock()
	b, ok, err := s.cfg.Store.Meta(ctx, name)
	if err != nil || !ok {
		return "", time.Time{}, false, err
	}
	s.mu.RLock()
	plain, err := s.openLocal(b, rk, draftFormat)
	s.mu.RUnlock()
	var d draft
	if err == nil {
		err = json.Unmarshal(plain, &d)
	}
	if err == nil {
		err = json.Unmarshal(d.Form, form)
	}
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("read the draft: %w", err)
	}
	return d.ID, time.UnixMilli(d.Saved), true, nil
}

// erasedDraftsLocked adds to meta the drafts that erasing record k
// drops: its own, and those of new records being typed below it.
func (s *Session) erasedDraftsLocked(meta map[string][]byte, k merge.Key) {
	meta[s.draftName(k.Type, k.ID)] = nil
	for _, t := range record.Types() {
		sc, _ := record.SchemaOf(t)
		if f, ok := sc.Field(sc.Parent); ok && f.Ref == k.Type {
			meta[s.draftName(t, NewDraftOf(k.ID))] = nil
		}
	}
}

// DropDraft forgets the draft of record id of type t: it was saved or
// thrown away.
func (s *Session) DropDraft(ctx context.Context, t record.Type, id string) error {
	s.mu.RLock()
	if s.keys == nil {
		s.mu.RUnlock()
		return ErrLocked
	}
	name := s.draftName(t, id)
	s.mu.RUnlock()
	if err := s.cfg.Store.Commit(ctx, localstore.Change{Meta: map[string][]byte{name: nil}}); err != nil {
		return fmt.Errorf("drop the draft: %w", err)
	}
	return nil
}

package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// edit is the last change saved on this device, as Undo reverts it.
type edit struct {
	typ     record.Type
	id      string
	key     wire.Key
	created bool              // the change made the record
	before  map[string][]byte // the fields it wrote, as they were
	after   map[string][]byte // and as it wrote them
	label   string            // what it did, in a groomer's words
	screen  string            // the address of the screen it was made on
	at      time.Time
	also    []made // the other records the change created
}

// made is a record a change created besides the one it edited, such as
// the next visit booked by marking a visit done: Undo deletes it too,
// unless someone has changed it since.
type made struct {
	typ    record.Type
	id     string
	key    wire.Key
	fields map[string][]byte // as the change wrote them
	what   string            // "The next visit it booked"
}

// LastChange is what the undo button offers to revert.
type LastChange struct {
	// Label says what the change did, as a groomer would: "new client
	// Margaret Hill", "Margaret Hill's phone changed", "Full groom marked
	// done".
	Label string
	At    time.Time
	// Screen is the address of the screen the change was made on, and ID
	// the record it changed: Undo is offered there, and on the record's
	// own screen, which a new record's form moves to once saved.
	Screen, ID string
	// Note says, after an undo, what became of the records the change
	// created besides: "The next visit it booked is removed too."
	Note string
}

// ErrNothingToUndo is returned by Undo when there is no change to revert.
var ErrNothingToUndo = errors.New("nothing to undo")

// fieldsLocked returns the stored fields of a record and whether it
// exists, before a save changes them.
func (s *Session) fieldsLocked(typ record.Type, id string) (map[string][]byte, bool) {
	rec, ok := s.book.Record(typ, id)
	if !ok || !rec.Exists() {
		return nil, false
	}
	sc, _ := record.SchemaOf(typ)
	out := make(map[string][]byte, len(sc.Fields))
	for _, f := range sc.Fields {
		if b, ok := rec.Get(f.Name); ok {
			out[f.Name] = b
		}
	}
	return out, true
}

// rememberLocked keeps a save just committed as the change to undo: the
// fields it changed, before and after.
func (s *Session) rememberLocked(typ record.Type, id string, key wire.Key, created bool, before map[string][]byte, v any) {
	after, err := record.Encode(v)
	if err != nil {
		s.undo = nil
		return
	}
	// A save with a base wrote only the fields changed against it: the
	// others v holds as the screen showed them, which may be older than
	// what is stored. The record as stored says what the change did.
	if stored, ok := s.fieldsLocked(typ, id); ok {
		for name, b := range stored {
			after[name] = b
		}
	}
	e := &edit{typ: typ, id: id, key: key, created: created, before: map[string][]byte{}, after: map[string][]byte{}, at: time.Now()}
	for name, b := range after {
		old, had := before[name]
		if had && string(old) == string(b) {
			continue
		}
		if had {
			e.before[name] = old
		}
		e.after[name] = b
	}
	if p := s.screen.Load(); p != nil {
		e.screen = *p
	}
	// A field not stored before reads as its zero value: writing that is
	// no change a person made.
	var changed []string
	zero, _ := record.New(typ)
	zeros, _ := record.Encode(zero)
	sc, _ := record.SchemaOf(typ)
	for _, f := range sc.Fields {
		b, ok := e.after[f.Name]
		if _, had := e.before[f.Name]; ok && (had || string(b) != string(zeros[f.Name])) {
			changed = append(changed, f.Name)
		}
	}
	e.label = s.describeLocked(typ, created, after, changed)
	s.undo = e
}

// SetScreen tells the session the address of the screen the person is
// on: a change saved is offered for undo on that screen only.
func (s *Session) SetScreen(path string) { s.screen.Store(&path) }

// nouns are what a groomer calls each record type.
var nouns = map[record.Type]string{
	record.TypeContactLog:   "contact note",
	record.TypeInvoiceLine:  "invoice line",
	record.TypeProject:      "booking",
	record.TypeProgressNote: "visit notes",
	record.TypeInfo:         "business details",
	record.TypeSettings:     "settings",
}

// fieldWords are what a groomer calls a field where its label says more
// than the line needs: the plural of a list they change one entry of, or
// the client's feedback on a visit, whose name comes before.
var fieldWords = map[string]string{"phones": "phone", "emails": "email", "rating": "rating", "feedback": "comment"}

// describeLocked says what a change to a record of type typ did, in a
// groomer's words: "new client Margaret Hill", "Margaret Hill's phone
// changed", "Full groom marked done", "weighing of Bella: weight
// changed". after is the record as saved; changed names the fields the
// change wrote.
func (s *Session) describeLocked(typ record.Type, created bool, after map[string][]byte, changed []string) string {
	noun, ok := nouns[typ]
	if !ok {
		noun = strings.ReplaceAll(string(typ), "_", " ")
	}
	name := nameIn(after)
	sc, _ := record.SchemaOf(typ)
	if name == "" && sc.Parent != "" {
		// Unnamed (a weighing, a payment): named by what it belongs to.
		noun += " of " + s.parentNameLocked(sc, after)
	}
	if created {
		return strings.TrimSpace("new " + noun + " " + name)
	}
	subject := noun
	if name != "" {
		subject = name
	}
	if slices.Contains(changed, "status") {
		var status string
		if f, ok := sc.Field("status"); ok && record.DecodeValue(after["status"], &status) == nil {
			return subject + " marked " + f.EnumLabel(status)
		}
	}
	var words []string
	for _, n := range changed {
		f, ok := sc.Field(n)
		if !ok {
			continue
		}
		w, ok := fieldWords[n]
		if !ok {
			w = f.Label
		}
		words = append(words, w)
	}
	what := "details"
	switch n := len(words); {
	case n == 1:
		what = words[0]
	case n == 2 || n == 3:
		what = strings.Join(words[:n-1], ", ") + " and " + words[n-1]
	case n > 3:
		what = fmt.Sprintf("%s, %s and %d more", words[0], words[1], n-2)
	}
	if name != "" {
		return name + "'s " + what + " changed"
	}
	return subject + ": " + what + " changed"
}

// nameIn is what a record's fields name it by, shortened to fit a line:
// its name, title, description or summary, or "".
func nameIn(fields map[string][]byte) string {
	for _, f := range []string{"name", "title", "description", "summary"} {
		var name string
		if b, ok := fields[f]; ok && record.DecodeValue(b, &name) == nil && strings.TrimSpace(name) != "" {
			if r := []rune(name); len(r) > 40 {
				name = string(r[:39]) + "…"
			}
			return name
		}
	}
	return ""
}

// parentNameLocked names the record a record belongs to ("Bella"), or
// says what it is if it has no name or is not here ("pet").
func (s *Session) parentNameLocked(sc *record.Schema, fields map[string][]byte) string {
	f, _ := sc.Field(sc.Parent)
	var id string
	if err := record.DecodeValue(fields[sc.Parent], &id); err == nil && id != "" {
		if p, ok := s.fieldsLocked(f.Ref, id); ok {
			if name := nameIn(p); name != "" {
				return name
			}
		}
	}
	return strings.ReplaceAll(string(f.Ref), "_", " ")
}

// addMade adds record id, which the change created besides, to what undoing
// it deletes.
func (e *edit) addMade(typ record.Type, id string, key wire.Key, v any, what string) {
	fields, err := record.Encode(v)
	if err != nil {
		return // then it is kept: undo deletes only what it knows unchanged
	}
	e.also = append(e.also, made{typ: typ, id: id, key: key, fields: fields, what: what})
}

// forgetUndoLocked drops the change to undo if it is of the record named
// key, which was just erased: undo must not bring back erased data, nor
// keep it in memory. A record the change created is left out of it.
func (s *Session) forgetUndoLocked(key wire.Key) {
	if s.undo == nil {
		return
	}
	if s.undo.key == key {
		s.undo = nil
		return
	}
	s.undo.also = slices.DeleteFunc(s.undo.also, func(m made) bool { return m.key == key })
}

// LastChange returns the change Undo would revert, if there is one.
func (s *Session) LastChange() (LastChange, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.undo == nil {
		return LastChange{}, false
	}
	return LastChange{Label: s.undo.label, At: s.undo.at, Screen: s.undo.screen, ID: s.undo.id}, true
}

// Undo reverts the last change saved on this device: a new record is
// deleted; a changed record gets back the old values of the fields the
// change wrote, except those someone has changed again since, which are
// left as they are. The records the change created besides (the next
// visit of a visit marked done) are deleted too, unless someone has
// changed them since: those are kept, and the returned Note says so. The
// revert is a change like any other and syncs; it cannot itself be
// undone.
func (s *Session) Undo(ctx context.Context) (LastChange, error) {
	var (
		e     *edit
		notes []string
	)
	err := s.commit(ctx, func(tx *writeTx) error {
		if e = s.undo; e == nil {
			return ErrNothingToUndo
		}
		env, err := s.revertLocked(e)
		if err == nil {
			err = tx.put(merge.Key{Class: e.typ.Class(), Type: e.typ, ID: e.id}, env, true)
		}
		if err != nil {
			return fmt.Errorf("undo %s: %w", e.label, err)
		}
		for _, m := range e.also {
			cur, ok := s.fieldsLocked(m.typ, m.id)
			switch {
			case !ok:
				// Deleted since: nothing left to remove.
			case !maps.EqualFunc(cur, m.fields, func(a, b []byte) bool { return string(a) == string(b) }):
				notes = append(notes, m.what+" was changed since, so it is kept: open it and cancel it if it is not wanted.")
			default:
				if err := tx.delete(m.typ, m.id); err != nil {
					return fmt.Errorf("undo %s: %w", e.label, err)
				}
				notes = append(notes, m.what+" is removed too.")
			}
		}
		tx.after = append(tx.after, func() { s.undo = nil })
		return nil
	})
	if err != nil {
		return LastChange{}, err
	}
	s.sent()
	return LastChange{Label: e.label, At: e.at, Note: strings.Join(notes, " ")}, nil
}

func (s *Session) revertLocked(e *edit) (wire.Envelope, error) {
	if e.created {
		return s.book.Delete(e.typ, e.id)
	}
	cur, ok := s.fieldsLocked(e.typ, e.id)
	if !ok {
		return wire.Envelope{}, errors.New("the record was deleted since")
	}
	zero, err := record.New(e.typ)
	if err != nil {
		return wire.Envelope{}, err
	}
	zeros, err := record.Encode(zero)
	if err != nil {
		return wire.Envelope{}, err
	}
	back := map[string][]byte{}
	for name, b := range e.after {
		if string(cur[name]) != string(b) {
			continue // changed again since, here or elsewhere: keep that
		}
		if old, ok := e.before[name]; ok {
			back[name] = old
		} else {
			back[name] = zeros[name]
		}
	}
	if len(back) == 0 {
		return wire.Envelope{}, errors.New("it has been changed again since; nothing of it is left to undo")
	}
	v, _ := record.New(e.typ)
	if err := record.Decode(cur, v); err != nil {
		return wire.Envelope{}, err
	}
	if err := record.Decode(back, v); err != nil {
		return wire.Envelope{}, err
	}
	env, changed, err := s.book.Save(e.id, nil, v) // read and written under one lock
	if err == nil && !changed {
		err = errors.New("nothing changed")
	}
	return env, err
}

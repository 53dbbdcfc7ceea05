package session

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"pawfile/app/localstore"
	"pawfile/app/search"
	"pawfile/shared/merge"
	"pawfile/shared/order"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// indexDoc is what the client list and search need of a client or a pet,
// and what the lists below a client need of its records (vaccinations,
// contacts, invoices, their lines and payments). The local store keeps one
// per such record, sealed, beside the record's row: unlocking opens these
// small docs and leaves the records themselves sealed until a screen asks
// for one.
type indexDoc struct {
	Type    record.Type    `json:"t"`
	ID      string         `json:"i"`
	Name    string         `json:"n,omitempty"`
	Phones  []string       `json:"p,omitempty"`
	Emails  []string       `json:"e,omitempty"`
	Tags    []string       `json:"g,omitempty"`
	Client  string         `json:"c,omitempty"` // a pet's, contact's or invoice's client
	Species string         `json:"s,omitempty"`
	Alerts  []record.Alert `json:"a,omitempty"` // a pet's care alerts, shown wherever it appears
	Pet     string         `json:"q,omitempty"` // a vaccination's or weighing's pet
	Expires record.Date    `json:"v,omitempty"` // a vaccination's expiry
	When    int64          `json:"w,omitempty"` // a contact's time, Unix ms
	Channel string         `json:"h,omitempty"` // a contact's channel and direction
	Summary string         `json:"m,omitempty"` // also a weighing's note
	Grams   int64          `json:"l,omitempty"` // a weighing's
	Author  string         `json:"u,omitempty"`
	Gone    bool           `json:"x,omitempty"`  // deleted or erased
	Hold    bool           `json:"lh,omitempty"` // a client on legal hold: their projects are never archived
	// An invoice's number, status and date (its client is Client; Issued
	// is also a weighing's date); the invoice of a line or a payment.
	Number  string      `json:"no,omitempty"`
	Status  string      `json:"st,omitempty"` // also a project's
	Issued  record.Date `json:"d,omitempty"`
	Invoice string      `json:"iv,omitempty"`
	// A project's fields for lists and the calendar (see projectDocOf);
	// Repeat is also a pet's grooming interval in weeks.
	Pets    []string `json:"ps,omitempty"`
	Kind    string   `json:"k,omitempty"`
	Start   int64    `json:"b,omitempty"` // Unix ms
	End     int64    `json:"f,omitempty"` // Unix ms
	Zone    string   `json:"z,omitempty"` // of Start and End
	Staff   []string `json:"sf,omitempty"`
	Repeat  int64    `json:"r,omitempty"`
	Project string   `json:"pj,omitempty"` // a task's, milestone's or note's project
	// A project's feedback: the client's rating and the start of their
	// comment. Docs kept before it have neither, as their projects.
	Rating   int64  `json:"rt,omitempty"`
	Feedback string `json:"fb,omitempty"`
}

// docPrefix starts the row key of an index doc; record rows are hex.
const docPrefix = "i:"

// docFormat marks a sealed index doc, so that it can never be taken for a
// record version sealed under the same key.
const docFormat = 0xd0

// docLists names, for each record type with an index doc, the session's
// list of those docs: adding a type with a doc means adding it here (or
// to partTypes) and saying in docOf what its doc holds.
var docLists = map[record.Type]func(*Session) *map[string]indexDoc{
	record.TypeClient:      func(s *Session) *map[string]indexDoc { return &s.clientDocs },
	record.TypePet:         func(s *Session) *map[string]indexDoc { return &s.petDocs },
	record.TypeVaccination: func(s *Session) *map[string]indexDoc { return &s.vaccDocs },
	record.TypeWeighing:    func(s *Session) *map[string]indexDoc { return &s.weighDocs },
	record.TypeContactLog:  func(s *Session) *map[string]indexDoc { return &s.contactDocs },
	record.TypeInvoice:     func(s *Session) *map[string]indexDoc { return &s.invoiceDocs },
	record.TypeInvoiceLine: func(s *Session) *map[string]indexDoc { return &s.billDocs },
	record.TypePayment:     func(s *Session) *map[string]indexDoc { return &s.billDocs },
	record.TypeProject:     func(s *Session) *map[string]indexDoc { return &s.projectDocs },
}

// partDoc is what the lists need of a project's task, milestone, progress
// note or photo: which project it belongs to. The 5-year shop has 65,000
// of them: kept as whole indexDocs (500 bytes and three objects each)
// they were most of what the garbage collector walks, in a task that
// freezes the page (see names).
type partDoc struct {
	Type    record.Type
	Project string
}

// partTypes are the types whose docs the session keeps as partDocs.
var partTypes = map[record.Type]bool{
	record.TypeTask: true, record.TypeMilestone: true, record.TypeProgressNote: true, record.TypePhoto: true,
}

// indexed reports whether a type has an index doc.
func indexed(t record.Type) bool { return docLists[t] != nil || partTypes[t] }

// putDocLocked puts d in its list, or takes it out if its record is gone.
func (s *Session) putDocLocked(d indexDoc) {
	if partTypes[d.Type] {
		if d.Gone {
			delete(s.partDocs, d.ID)
		} else {
			s.partDocs[d.ID] = s.names.part(d)
		}
		return
	}
	l := docLists[d.Type]
	if l == nil {
		return
	}
	if d.Gone {
		delete(*l(s), d.ID)
		return
	}
	s.names.doc(&d)
	(*l(s))[d.ID] = d
}

// resetDocListsLocked empties every list of docs, or drops them if !open.
func (s *Session) resetDocListsLocked(open bool) {
	for _, l := range docLists {
		if open {
			*l(s) = map[string]indexDoc{}
		} else {
			*l(s) = nil
		}
	}
	s.partDocs, s.names = nil, names{}
	if open {
		s.partDocs = map[string]partDoc{}
	}
}

// names keeps one copy of each id and short value that index docs repeat
// (a booking's type, client, kind, zone and title, a task's project), and
// of each list of them (a client's bookings name the same pets, a shop's
// the same staff): each doc decoded holds its own copies, and every copy
// is one more object for Go's garbage collector to mark. In a browser the
// collector marks the whole heap in one task, which the page cannot
// interrupt: the 5-year shop's 100,000 docs made it a freeze of a quarter
// of a second.
type names struct {
	mu    sync.Mutex // openLater interns under the session's read lock
	m     map[string]string
	lists map[string][]string // by their names joined with NUL
}

// of returns the copy of v that n keeps.
func (n *names) of(v string) string {
	if v == "" {
		return v
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if c, ok := n.m[v]; ok {
		return c
	}
	if n.m == nil {
		n.m = map[string]string{}
	}
	n.m[v] = v
	return v
}

// list returns the copy of v, a list of names, that n keeps. The lists
// are shared between docs, so nothing may change one in place.
func (n *names) list(v []string) []string {
	if len(v) == 0 {
		return v
	}
	for i := range v {
		v[i] = n.of(v[i])
	}
	key := strings.Join(v, "\x00")
	n.mu.Lock()
	defer n.mu.Unlock()
	if c, ok := n.lists[key]; ok {
		return c
	}
	if n.lists == nil {
		n.lists = map[string][]string{}
	}
	v = slices.Clip(v)
	n.lists[key] = v
	return v
}

// part is the partDoc of d, holding the copies n keeps.
func (n *names) part(d indexDoc) partDoc {
	return partDoc{Type: record.Type(n.of(string(d.Type))), Project: n.of(d.Project)}
}

// doc makes d hold the copies n keeps. Ids are kept only of the records
// other docs name.
func (n *names) doc(d *indexDoc) {
	switch d.Type {
	case record.TypeClient, record.TypePet, record.TypeProject, record.TypeInvoice:
		d.ID = n.of(d.ID)
	}
	for _, f := range [...]*string{(*string)(&d.Type), &d.Client, &d.Pet, &d.Project, &d.Invoice,
		&d.Species, &d.Channel, &d.Author, &d.Status, &d.Kind, &d.Zone} {
		*f = n.of(*f)
	}
	if d.Type == record.TypeProject {
		d.Name = n.of(d.Name) // "Full groom", again and again
	}
	d.Pets, d.Staff = n.list(d.Pets), n.list(d.Staff)
}

// docOf reads a record's index doc from the book. A record that does not
// open is an error, not a record gone: the book counts it (Unopened), and
// its lists keep the doc they had.
func (s *Session) docOf(k merge.Key) (indexDoc, error) {
	d := indexDoc{Type: k.Type, ID: k.ID}
	var (
		ok  bool
		err error
	)
	switch k.Type {
	case record.TypeClient:
		var c record.Client
		ok, err = s.book.Load(k.ID, &c)
		d.Name, d.Phones, d.Emails, d.Tags, d.Hold = c.Name, c.Phones, c.Emails, c.Tags, c.LegalHold
	case record.TypePet:
		var p record.Pet
		ok, err = s.book.Load(k.ID, &p)
		d.Name, d.Client, d.Species, d.Alerts = p.Name, p.Client, p.Species, record.Alerts(&p)
		d.Repeat = p.GroomingIntervalWeeks
	case record.TypeVaccination:
		var v record.Vaccination
		ok, err = s.book.Load(k.ID, &v)
		d.Name, d.Pet, d.Expires = v.Name, v.Pet, v.Expires
	case record.TypeWeighing:
		var w record.Weighing
		ok, err = s.book.Load(k.ID, &w)
		d.Pet, d.Issued, d.Grams, d.Summary = w.Pet, w.Date, w.Grams, w.Note
	case record.TypeContactLog:
		var c record.ContactLog
		ok, err = s.book.Load(k.ID, &c)
		d.Client, d.When, d.Summary, d.Author = c.Client, c.When.UnixMilli, c.Summary, c.Author
		d.Channel = c.Channel
		if c.Direction != "" {
			d.Channel += " " + c.Direction
		}
	case record.TypeInvoice:
		var inv record.Invoice
		ok, err = s.book.Load(k.ID, &inv)
		d.Client, d.Number, d.Status, d.Issued = inv.Client, inv.Number, inv.Status, inv.Issued
	case record.TypeInvoiceLine:
		var l record.InvoiceLine
		ok, err = s.book.Load(k.ID, &l)
		d.Invoice = l.Invoice
	case record.TypePayment:
		var p record.Payment
		ok, err = s.book.Load(k.ID, &p)
		d.Invoice = p.Invoice
	default:
		ok, err = s.projectDocOf(k, &d)
	}
	d.Gone = !ok
	return d, err
}

// sealDoc seals d under the current key of class c, for the record named rk.
func (s *Session) sealDoc(d indexDoc, c record.Class, rk wire.Key) ([]byte, error) {
	plain, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return s.sealLocal(plain, c, rk, docFormat)
}

func (s *Session) openDoc(row string, b []byte) (indexDoc, error) {
	var d indexDoc
	rk, err := parseRowKey(strings.TrimPrefix(row, docPrefix))
	if err != nil {
		return d, fmt.Errorf("index doc %q: damaged", row)
	}
	plain, err := s.openLocal(b, rk, docFormat)
	if err != nil {
		return d, fmt.Errorf("index doc %q: %w", row, err)
	}
	if err := json.Unmarshal(plain, &d); err != nil {
		return d, fmt.Errorf("index doc %q: %w", row, err)
	}
	return d, nil
}

// sealLocal seals what only this device keeps (index docs, drafts) under
// the current key of class c, bound to the record named rk and to its
// format: [class][key id, 4 bytes][sealed].
func (s *Session) sealLocal(plain []byte, c record.Class, rk wire.Key, format uint8) ([]byte, error) {
	ck, ok := s.keys.Current(c)
	if !ok {
		return nil, errors.New("no key for this class")
	}
	out := binary.BigEndian.AppendUint32([]byte{byte(c)}, ck.ID)
	h := seal.Header{Workspace: s.dev.Workspace, RecordKey: rk, KeyID: ck.ID, Format: format}
	return append(out, seal.Seal(ck.Key, h, plain)...), nil
}

// openLocal opens what sealLocal sealed; errNoDocKey if this device has
// no key for it (its role does not read that class).
func (s *Session) openLocal(b []byte, rk wire.Key, format uint8) ([]byte, error) {
	if len(b) < 5 {
		return nil, errors.New("damaged")
	}
	c, id := record.Class(b[0]), binary.BigEndian.Uint32(b[1:5])
	key, ok := s.keys.Lookup(c, id)
	if !ok {
		return nil, errNoDocKey
	}
	return seal.Open(key, seal.Header{Workspace: s.dev.Workspace, RecordKey: rk, KeyID: id, Format: format}, b[5:])
}

var errNoDocKey = errors.New("no key for this index doc")

// applyDocsLocked brings the search index in line with docs. The pets of
// every client they touch are gathered in one pass, so that an import of
// thousands of clients and pets is not thousands of passes.
func (s *Session) applyDocsLocked(docs []indexDoc) {
	touched := map[string]bool{}
	for _, d := range docs {
		if s.docTouched != nil {
			s.docTouched[d.ID] = true
		}
		switch {
		case !indexed(d.Type):
			continue
		case d.Type == record.TypeClient:
			touched[d.ID] = true
		case d.Type == record.TypePet:
			touched[d.Client] = true
			if old, had := s.petDocs[d.ID]; had {
				touched[old.Client] = true
			}
		}
		s.putDocLocked(d)
	}
	if len(touched) == 0 {
		return
	}
	for id := range touched {
		s.petsOf[id] = []string{}
	}
	for id, p := range s.petDocs {
		if touched[p.Client] {
			s.petsOf[p.Client] = append(s.petsOf[p.Client], id)
		}
	}
	for id := range touched {
		s.putClientLocked(id)
	}
}

// putClientLocked (re)indexes one client with its pets' names.
func (s *Session) putClientLocked(id string) {
	d, ok := s.clientDocs[id]
	if !ok {
		s.clients.Remove(id)
		return
	}
	pets := make([]string, len(s.petsOf[id]))
	for i, p := range s.petsOf[id] {
		pets[i] = s.petDocs[p].Name
	}
	s.clients.Put(id, search.Doc{Name: d.Name, Phones: d.Phones, Emails: d.Emails, Tags: d.Tags, Pets: pets})
}

// docRowLocked reads the index doc of record k, stored under rk, and seals
// it as its row. ok is false if the record does not open: its doc stays
// as it was.
func (s *Session) docRowLocked(k merge.Key, rk wire.Key) (d indexDoc, row []byte, ok bool, err error) {
	d, err = s.docOf(k)
	if err != nil {
		s.log.Printf("a record does not open; its list entry is kept as it was: type=%v err=%v", k.Type, err)
		return d, nil, false, nil
	}
	row, err = s.sealDoc(d, k.Class, rk)
	return d, row, err == nil, err
}

// docRowsLocked adds the index doc rows of records just changed to c, and
// applies the docs to the index.
func (s *Session) docRowsLocked(keys map[merge.Key]wire.Key, c *localstore.Change) error {
	var docs []indexDoc
	for k, rk := range keys {
		if !indexed(k.Type) {
			continue
		}
		d, b, ok, err := s.docRowLocked(k, rk)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		rowsFor(c, k.Class)[docPrefix+rowKey(rk)] = b
		docs = append(docs, d)
	}
	s.applyDocsLocked(docs)
	return nil
}

func parseRowKey(s string) (wire.Key, error) {
	var k wire.Key
	// Read in place, not copied to a []byte: unlock parses 100,000 of
	// them. hex.Decode only reads its source.
	if len(s) != hex.EncodedLen(len(k)) {
		return wire.Key{}, fmt.Errorf("row key %q", s)
	}
	if _, err := hex.Decode(k[:], unsafe.Slice(unsafe.StringData(s), len(s))); err != nil {
		return wire.Key{}, fmt.Errorf("row key %q: %w", s, err)
	}
	return k, nil
}

// PetSummary is a pet as lists show it: its name and its care alerts.
type PetSummary struct {
	ID, Name, Species string
	Alerts            []record.Alert
}

// PetsOf lists a client's pets by name, from the index docs: no record is
// opened.
func (s *Session) PetsOf(client string) []PetSummary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []PetSummary
	for _, id := range s.petsOf[client] {
		d := s.petDocs[id]
		out = append(out, PetSummary{ID: id, Name: d.Name, Species: d.Species, Alerts: d.Alerts})
	}
	order.Sort(out, func(a, b PetSummary) int { return strings.Compare(a.Name+a.ID, b.Name+b.ID) })
	return out
}

// VaccinationSummary is a vaccination as lists show it.
type VaccinationSummary struct {
	ID, Name string
	Expires  record.Date
	Due      record.Due
	Proof    string // the photo of its certificate, on a pet's list only
	// The pet and its client, for the book-wide due list.
	PetID, PetName, ClientID, ClientName string
	Alerts                               []record.Alert // the pet's care alerts
}

func (s *Session) vaccinationLocked(id string, d indexDoc, today record.Date) VaccinationSummary {
	v := VaccinationSummary{ID: id, Name: d.Name, Expires: d.Expires, Due: record.DueOn(d.Expires, today), PetID: d.Pet}
	if p, ok := s.petDocs[d.Pet]; ok {
		v.PetName, v.ClientID, v.Alerts = p.Name, p.Client, p.Alerts
		v.ClientName = s.clientDocs[p.Client].Name
	}
	return v
}

// VaccinationsOf lists a pet's vaccinations, latest expiry first.
func (s *Session) VaccinationsOf(pet string, today record.Date) []VaccinationSummary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []VaccinationSummary
	for id, d := range s.vaccDocs {
		if d.Pet == pet {
			v := s.vaccinationLocked(id, d, today)
			var rec record.Vaccination
			if s.loadLocked(id, &rec) {
				v.Proof = rec.Proof
			}
			out = append(out, v)
		}
	}
	order.Sort(out, func(a, b VaccinationSummary) int { return strings.Compare(string(b.Expires), string(a.Expires)) })
	return out
}

// Weighing is one weighing as a pet's screen lists it.
type Weighing struct {
	ID    string
	Date  record.Date
	Grams int64
	Note  string
}

// WeighingsOf lists a pet's weighings, latest first (on one day, in id
// order, the same on every device). The first is what the pet weighs
// now: the weight is read from the history rather than copied into
// Pet.WeightGrams at each weighing, because two devices weighing offline
// would then leave the weight of whichever saved last by the clock, not
// the latest weighing; read from the history, it is the same everywhere
// once the weighings have synced.
func (s *Session) WeighingsOf(pet string) []Weighing {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Weighing
	for id, d := range s.weighDocs {
		if d.Pet == pet {
			out = append(out, Weighing{ID: id, Date: d.Issued, Grams: d.Grams, Note: d.Summary})
		}
	}
	order.Sort(out, func(a, b Weighing) int {
		return strings.Compare(string(b.Date)+b.ID, string(a.Date)+a.ID)
	})
	return out
}

// DueVaccinations lists, across the book, the vaccinations expired or
// expiring within record.DueSoonDays, soonest first. A pet's vaccination
// that a later one of the same name replaces is not due.
func (s *Session) DueVaccinations(today record.Date) []VaccinationSummary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	latest := map[[2]string]indexDoc{} // pet, vaccine name → latest expiry
	ids := map[[2]string]string{}
	for id, d := range s.vaccDocs {
		k := [2]string{d.Pet, strings.ToLower(strings.TrimSpace(d.Name))}
		if cur, ok := latest[k]; !ok || d.Expires > cur.Expires {
			latest[k], ids[k] = d, id
		}
	}
	var out []VaccinationSummary
	for k, d := range latest {
		if _, ok := s.petDocs[d.Pet]; !ok {
			continue
		}
		v := s.vaccinationLocked(ids[k], d, today)
		if v.Due == record.DueExpired || v.Due == record.DueSoon {
			out = append(out, v)
		}
	}
	order.Sort(out, func(a, b VaccinationSummary) int {
		return strings.Compare(string(a.Expires)+a.ID, string(b.Expires)+b.ID)
	})
	return out
}

// Contact is one entry of a client's contact log, as the client's screen
// lists it.
type Contact struct {
	ID                 string
	When               time.Time
	Channel, Direction string
	Summary            string
	Author             string // the member's id; Me tells whether it is this one
}

// ContactsOf lists a client's contact log, latest first.
func (s *Session) ContactsOf(client string) []Contact {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Contact
	for id, d := range s.contactDocs {
		if d.Client != client {
			continue
		}
		ch, dir, _ := strings.Cut(d.Channel, " ")
		out = append(out, Contact{ID: id, When: time.UnixMilli(d.When), Channel: ch, Direction: dir, Summary: d.Summary, Author: d.Author})
	}
	order.Sort(out, func(a, b Contact) int { return b.When.Compare(a.When) })
	return out
}

// Me is this member's id, as records name their authors.
func (s *Session) Me() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.dev == nil {
		return ""
	}
	return s.dev.Member
}

// LogContact records a call, text, email or conversation with a client,
// now, by this member.
func (s *Session) LogContact(ctx context.Context, c *record.ContactLog) error {
	c.When, c.Author = now(), s.Me()
	_, err := s.save(ctx, record.NewID(), nil, c)
	return err
}

package session

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"pawfile/app/localstore"
	"pawfile/shared/merge"
	"pawfile/shared/order"
	"pawfile/shared/record"
	"pawfile/shared/schedule"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// Projects (grooming appointments, training courses, other jobs) and
// their tasks, milestones and visit notes. Lists, the calendar, Today and
// the rebooking aids read the projects' index docs only; a project's own
// screen opens its records. The time and status rules are package
// schedule's: nothing here decides when a booking falls or which status
// change is allowed.

// The index docs' version, kept in the meta store: a store whose docs are
// older is reindexed once at unlock. 2: projects, their parts, and pets'
// grooming intervals have docs. 3: weighings and photos have docs (an
// older app kept those it synced without one).
const (
	metaDocs    = "docs-version"
	docsVersion = 3
)

func docsCurrentMeta() map[string][]byte { return map[string][]byte{metaDocs: {docsVersion}} }

// docsMissing reports whether the local store lacks index docs it should
// have: none at all for its records, or none of the kinds added since
// they were written. An empty store is marked current, as the docs
// written into it from now on are.
func (s *Session) docsMissing(ctx context.Context, records, docs int) bool {
	b, ok, err := s.cfg.Store.Meta(ctx, metaDocs)
	current := err == nil && ok && len(b) == 1 && b[0] >= docsVersion
	switch {
	case current:
		return records > 0 && docs == 0
	case records == 0:
		if err := s.cfg.Store.Commit(ctx, localstore.Change{Meta: docsCurrentMeta()}); err != nil {
			s.log.Printf("mark the index docs current: err=%v", err)
		}
		return false
	}
	return true
}

// outcomeChars is how much of a project's outcome its index doc keeps:
// what a list shows of it.
const outcomeChars = 140

// projectDocOf fills d with what lists need of a project or a part of
// one; false if the record is gone, an error if it does not open.
func (s *Session) projectDocOf(k merge.Key, d *indexDoc) (bool, error) {
	var (
		ok  bool
		err error
	)
	switch k.Type {
	case record.TypeProject:
		var p record.Project
		ok, err = s.book.Load(k.ID, &p)
		d.Client, d.Pets, d.Kind, d.Name, d.Status = p.Client, p.Pets, p.Kind, p.Title, p.Status
		d.Start, d.End, d.Zone = p.Start.UnixMilli, p.End.UnixMilli, cmp.Or(p.Start.Zone, p.End.Zone)
		d.Staff, d.Repeat = p.AssignedStaff, p.RepeatWeeks
		d.Summary = p.Outcome
		if p.Status == schedule.Cancelled || p.Status == schedule.NoShow {
			d.Summary = p.StatusReason
		}
		if r := []rune(d.Summary); len(r) > outcomeChars {
			d.Summary = string(r[:outcomeChars-1]) + "…"
		}
		d.Rating, d.Feedback = p.Rating, p.Feedback
		if r := []rune(d.Feedback); len(r) > outcomeChars {
			d.Feedback = string(r[:outcomeChars-1]) + "…"
		}
	case record.TypeTask:
		var t record.Task
		ok, err = s.book.Load(k.ID, &t)
		d.Project = t.Project
	case record.TypeMilestone:
		var m record.Milestone
		ok, err = s.book.Load(k.ID, &m)
		d.Project = m.Project
	case record.TypeProgressNote:
		var n record.ProgressNote
		ok, err = s.book.Load(k.ID, &n)
		d.Project = n.Project
	case record.TypePhoto:
		var p record.Photo
		ok, err = s.book.Load(k.ID, &p)
		d.Project, d.Pet = p.Project, p.Pet
	}
	return ok, err
}

// projectOf is the project as its index doc has it: enough for package
// schedule, not for its screen.
func projectOf(d indexDoc) record.Project {
	p := record.Project{Client: d.Client, Pets: d.Pets, Kind: d.Kind, Title: d.Name, Status: d.Status,
		AssignedStaff: d.Staff, RepeatWeeks: d.Repeat}
	if d.Start != 0 {
		p.Start = record.Instant{UnixMilli: d.Start, Zone: d.Zone}
	}
	if d.End != 0 {
		p.End = record.Instant{UnixMilli: d.End, Zone: d.Zone}
	}
	return p
}

// ProjectSummary is a project as lists and the calendar show it.
type ProjectSummary struct {
	ID, Client, ClientName string // ClientName is "" for a role that cannot read clients
	Kind, Title, Status    string
	Pets, Staff            []string
	Start, End             record.Instant
	RepeatWeeks            int64
	Outcome                string // the start of its outcome, or why it was cancelled or a no-show
	Photos                 int    // how many photos it has, in a client's or pet's list (its history)
	Rating                 int64  // the client's rating of the visit, 1 to 5; 0: none
	Feedback               string // the start of the client's comment on it
}

func (s *Session) summaryLocked(id string, d indexDoc) ProjectSummary {
	p := projectOf(d)
	return ProjectSummary{ID: id, Client: d.Client, ClientName: s.clientDocs[d.Client].Name, Kind: d.Kind, Title: d.Name,
		Status: d.Status, Pets: d.Pets, Staff: d.Staff, Start: p.Start, End: p.End, RepeatWeeks: d.Repeat, Outcome: d.Summary,
		Rating: d.Rating, Feedback: d.Feedback}
}

// Project returns the summary of project id.
func (s *Session) Project(id string) (ProjectSummary, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.projectDocs[id]
	if !ok {
		return ProjectSummary{}, false
	}
	return s.summaryLocked(id, d), true
}

// projectsLocked lists the projects keep accepts, latest start first;
// those with no start come last, by title.
func (s *Session) projectsLocked(keep func(indexDoc) bool) []ProjectSummary {
	photos := map[string]int{}
	for _, d := range s.partDocs {
		if d.Type == record.TypePhoto {
			photos[d.Project]++
		}
	}
	var out []ProjectSummary
	for id, d := range s.projectDocs {
		if keep(d) {
			p := s.summaryLocked(id, d)
			p.Photos = photos[id]
			out = append(out, p)
		}
	}
	return sorted(out, func(a, b *ProjectSummary) int {
		if a.Start.IsZero() != b.Start.IsZero() {
			if a.Start.IsZero() {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(b.Start.UnixMilli, a.Start.UnixMilli), strings.Compare(a.Title, b.Title), strings.Compare(a.ID, b.ID))
	})
}

// ProjectsOf lists a client's projects, latest start first, leaving out
// the archived (ArchivedProjects).
func (s *Session) ProjectsOf(client string) []ProjectSummary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cur := s.currentLocked()
	return s.projectsLocked(func(d indexDoc) bool { return d.Client == client && cur(d) })
}

// ProjectsOfPet lists a pet's projects, latest start first, leaving out
// the archived.
func (s *Session) ProjectsOfPet(pet string) []ProjectSummary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cur := s.currentLocked()
	return s.projectsLocked(func(d indexDoc) bool { return slices.Contains(d.Pets, pet) && cur(d) })
}

// LoadProject fills p with project id; false if there is none.
func (s *Session) LoadProject(id string, p *record.Project) (bool, error) {
	return s.load(id, p)
}

// loadLocked fills v with record id, reporting false if there is none or
// it does not open: the book counts those (Unopened), which the Device
// screen shows, and lists keep showing them from their index docs.
func (s *Session) loadLocked(id string, v any) bool {
	ok, err := s.book.Load(id, v)
	return ok && err == nil
}

func (s *Session) load(id string, v any) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return false, ErrLocked
	}
	return s.book.Load(id, v)
}

// pending is one record of a change saved as a whole. what names each
// record after the first, for Undo to say what it removes along with the
// change ("The next visit it booked").
type pending struct {
	id      string
	base, v any // v changed from base, as book.Book.Save takes them
	what    string
}

// SaveProject validates and saves project id. A change of p.Status (with
// p.StatusReason) must be one schedule.SetStatus allows from the status
// stored; its errors are record.Errors on "status" or "status_reason".
// Marking a repeating project done creates the next one
// (schedule.Next) in the same commit, and returns its id; a project has
// one next, whichever device marks it done and however often. base is the
// project as the screen showed it (nil for a new one; see SaveClient).
func (s *Session) SaveProject(ctx context.Context, id string, base, p *record.Project) (next string, err error) {
	err = s.commit(ctx, func(tx *writeTx) error {
		next, err = s.saveProjectLocked(tx, id, base, p)
		return err
	})
	if err != nil {
		return "", err
	}
	s.sent()
	return next, nil
}

func (s *Session) saveProjectLocked(tx *writeTx, id string, base, p *record.Project) (next string, err error) {
	var old record.Project
	if _, err := s.book.Load(id, &old); err != nil {
		return "", fmt.Errorf("read the project: %w", err)
	}
	q := *p
	// A status this save does not change is left as it stands, even if
	// another device changed it since the screen opened.
	if base == nil || p.Status != base.Status || p.StatusReason != base.StatusReason {
		q.Status, q.StatusReason = old.Status, old.StatusReason
		if err := schedule.SetStatus(&q, p.Status, p.StatusReason); err != nil {
			return "", err
		}
	}
	if err := record.Validate(&q); err != nil {
		return "", err
	}
	*p = q
	saves := []pending{{id: id, base: base, v: p}}
	if q.Status == schedule.Done && old.Status != schedule.Done && q.RepeatWeeks > 0 {
		nid := nextID(id)
		// A next visit undone with the done that made it was deleted: it is
		// made again. One erased with its client is gone for good.
		if r, known := s.book.Record(record.TypeProject, nid); !known || !r.Exists() && !r.IsErased() {
			n, err := schedule.Next(&q)
			if err != nil {
				return "", record.Errors{{Field: "repeat_weeks", Message: "repeat every: " + err.Error()}}
			}
			saves, next = append(saves, pending{id: nid, v: &n, what: "The next visit it booked"}), nid
		}
	}
	if err := s.saveAllLocked(tx, saves); err != nil {
		return "", err
	}
	return next, nil
}

// MoveProject moves booking id by d and, when to differs from from, from
// staff member from's column to to's (the unassigned column is ""): what
// dragging it on the calendar does. Its length and everything else stay.
func (s *Session) MoveProject(ctx context.Context, id string, d time.Duration, from, to string) error {
	var p record.Project
	ok, err := s.load(id, &p)
	switch {
	case err != nil:
		return err
	case !ok:
		return errors.New("this booking is not on this device (deleted, or not synced yet)")
	case p.Start.IsZero():
		return errors.New("this booking has no time to move: open it and give it one")
	}
	base := p
	base.AssignedStaff = slices.Clone(p.AssignedStaff)
	p.Start.UnixMilli += d.Milliseconds()
	if !p.End.IsZero() {
		p.End.UnixMilli += d.Milliseconds()
	}
	if from != to {
		p.AssignedStaff = slices.DeleteFunc(p.AssignedStaff, func(m string) bool { return m == from || m == to })
		if to != "" {
			p.AssignedStaff = append(p.AssignedStaff, to)
		}
	}
	_, err = s.SaveProject(ctx, id, &base, &p)
	return err
}

// nextID is the id of the project that follows project id when it
// repeats. It is the same on every device, so two tablets marking one
// visit done offline make one next visit, not two.
func nextID(id string) string { return derivedID("next project", id) }

// derivedID is the id of the record made for purpose from record id: the
// same on every device, so two tablets doing the same offline make one
// record, not two.
func derivedID(purpose, id string) string {
	h := sha256.Sum256([]byte("pawfile " + purpose + "\x00" + id))
	return hex.EncodeToString(h[:13])
}

// ReopenProject moves a done project back to in progress
// (schedule.Reopen), for a visit marked done by mistake or a touch-up.
func (s *Session) ReopenProject(ctx context.Context, id string) error {
	var p record.Project
	ok, err := s.load(id, &p)
	switch {
	case err != nil:
		return err
	case !ok:
		return errors.New("this project is not on this device (deleted, or not synced yet)")
	}
	base := p
	if err := schedule.Reopen(&p); err != nil {
		return err
	}
	_, err = s.save(ctx, id, &base, &p)
	return err
}

// BookAgain books a new planned project like project id on day on, at
// the same time of day and for as long (schedule.BookAgain), and returns
// its id.
func (s *Session) BookAgain(ctx context.Context, id string, on record.Date) (string, error) {
	var p record.Project
	ok, err := s.load(id, &p)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", errors.New("this project is not on this device (deleted, or not synced yet)")
	}
	q, err := schedule.BookAgain(&p, on)
	if err != nil {
		return "", err
	}
	nid := record.NewID()
	if _, err := s.save(ctx, nid, nil, &q); err != nil {
		return "", err
	}
	return nid, nil
}

// saveAllLocked saves several records as one change of tx. The first is
// the change Undo reverts; the others it creates, Undo deletes along with
// it.
func (s *Session) saveAllLocked(tx *writeTx, saves []pending) error {
	type done struct {
		typ     record.Type
		id      string
		key     wire.Key
		existed bool
		before  map[string][]byte
		v       any
		what    string
	}
	var made []done
	for _, p := range saves {
		typ := record.TypeOf(p.v)
		before, existed := s.fieldsLocked(typ, p.id)
		changed, err := tx.save(p.id, p.base, p.v)
		if err != nil {
			return err
		}
		if changed {
			rk := seal.RecordKey(s.keys.MAC, typ.Class(), typ, p.id)
			made = append(made, done{typ, p.id, rk, existed, before, p.v, p.what})
		}
	}
	if len(made) == 0 {
		return nil
	}
	tx.after = append(tx.after, func() {
		m := made[0]
		s.rememberLocked(m.typ, m.id, m.key, !m.existed, m.before, m.v)
		for _, o := range made[1:] {
			if s.undo != nil && !o.existed {
				s.undo.addMade(o.typ, o.id, o.key, o.v, o.what)
			}
		}
	})
	return nil
}

// SaveTask validates and saves a task of a project, changed from base
// (nil for a new one; see SaveClient).
func (s *Session) SaveTask(ctx context.Context, id string, base, t *record.Task) error {
	_, err := s.save(ctx, id, base, t)
	return err
}

// SaveMilestone validates and saves a milestone of a project, changed
// from base (nil for a new one; see SaveClient).
func (s *Session) SaveMilestone(ctx context.Context, id string, base, m *record.Milestone) error {
	_, err := s.save(ctx, id, base, m)
	return err
}

// SaveNote validates and saves a visit or progress note. A new note
// without a time or an author is by this member, now.
func (s *Session) SaveNote(ctx context.Context, id string, base, n *record.ProgressNote) error {
	if n.When.IsZero() {
		n.When = record.InstantOf(time.Now().In(localZone()))
	}
	if n.Author == "" {
		n.Author = s.Me()
	}
	_, err := s.save(ctx, id, base, n)
	return err
}

// localZone is this device's zone (the app sets the browser's at start),
// or UTC where it has no IANA name: records must name a real zone.
func localZone() *time.Location {
	if time.Local.String() == "Local" {
		return time.UTC
	}
	return time.Local
}

// Zone is the IANA name of this device's time zone, which new bookings
// are made in.
func (s *Session) Zone() string { return localZone().String() }

// Item is one record of a project's list (a task, milestone or note)
// with its id.
type Item[T any] struct {
	ID     string
	Record T
}

// partsOf opens the records of type t that belong to project.
func partsOf[T any](s *Session, t record.Type, project string) []Item[T] {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return nil
	}
	var out []Item[T]
	for id, d := range s.partDocs {
		if d.Type != t || d.Project != project {
			continue
		}
		var v T
		if ok, err := s.book.Load(id, &v); ok && err == nil {
			out = append(out, Item[T]{id, v})
		}
	}
	return out
}

// TasksOf lists a project's tasks in their order, then by due date.
func (s *Session) TasksOf(project string) []Item[record.Task] {
	return sorted(partsOf[record.Task](s, record.TypeTask, project), func(a, b *Item[record.Task]) int {
		return cmp.Or(cmp.Compare(a.Record.Position, b.Record.Position), strings.Compare(string(a.Record.Due), string(b.Record.Due)),
			strings.Compare(a.Record.Title, b.Record.Title), strings.Compare(a.ID, b.ID))
	})
}

// MilestonesOf lists a project's milestones by date.
func (s *Session) MilestonesOf(project string) []Item[record.Milestone] {
	return sorted(partsOf[record.Milestone](s, record.TypeMilestone, project), func(a, b *Item[record.Milestone]) int {
		return cmp.Or(strings.Compare(string(a.Record.Date), string(b.Record.Date)), strings.Compare(a.Record.Title, b.Record.Title), strings.Compare(a.ID, b.ID))
	})
}

// NotesOf lists a project's visit and progress notes, newest first.
func (s *Session) NotesOf(project string) []Item[record.ProgressNote] {
	return sorted(partsOf[record.ProgressNote](s, record.TypeProgressNote, project), func(a, b *Item[record.ProgressNote]) int {
		return cmp.Or(cmp.Compare(b.Record.When.UnixMilli, a.Record.When.UnixMilli), strings.Compare(a.ID, b.ID))
	})
}

// bookingsLocked returns the projects shown in w as bookings; archived
// projects are not shown.
func (s *Session) bookingsLocked(w schedule.Window) []schedule.Booking {
	var out []schedule.Booking
	cur := s.currentLocked()
	for id, d := range s.projectDocs {
		if !cur(d) {
			continue
		}
		p := projectOf(d)
		if b, ok := schedule.BookingOf(id, &p); ok && w.Contains(b) {
			out = append(out, b)
		}
	}
	return out
}

// Agenda returns the bookings shown in w, one column per staff member,
// staff's first in their order (schedule.Agenda).
func (s *Session) Agenda(w schedule.Window, staff []string) []schedule.Column {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return schedule.Agenda(s.bookingsLocked(w), w, staff)
}

// ConflictsIn returns the clashes between bookings shown in w: the same
// staff member or pet booked twice at once (schedule.Overlaps).
func (s *Session) ConflictsIn(w schedule.Window) []schedule.Conflict {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return schedule.Overlaps(s.bookingsLocked(w))
}

// Conflicts returns the clashes of booking b, as a form is about to save
// it, with the other bookings: b replaces the stored booking of its id.
func (s *Session) Conflicts(b schedule.Booking) []schedule.Conflict {
	if !b.HoldsTime() {
		return nil
	}
	w := schedule.Window{Start: b.Start.Time(), End: b.End.Time()}
	s.mu.RLock()
	others := s.bookingsLocked(w)
	s.mu.RUnlock()
	bs := append(slices.DeleteFunc(others, func(o schedule.Booking) bool { return o.ID == b.ID }), b)
	var out []schedule.Conflict
	for _, c := range schedule.Overlaps(bs) {
		if c.A.ID == b.ID || c.B.ID == b.ID {
			out = append(out, c)
		}
	}
	return out
}

// Staff lists the staff ids the calendar shows a column for: this member
// first, then everyone booked on any project, in id order.
func (s *Session) Staff() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	for _, d := range s.projectDocs {
		for _, id := range d.Staff {
			seen[id] = true
		}
	}
	me := ""
	if s.dev != nil {
		me = s.dev.Member
	}
	delete(seen, me)
	out := append([]string{me}, slices.Sorted(maps.Keys(seen))...)
	return slices.DeleteFunc(out, func(id string) bool { return id == "" })
}

// sorted returns xs sorted by cmp. It sorts indices, as package schedule
// does: a sort of each element type would compile its own copy of the
// generic sort into the app's wasm.
func sorted[T any](xs []T, cmp func(a, b *T) int) []T {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	order.Sort(idx, func(j, k int) int { return cmp(&xs[j], &xs[k]) })
	out := make([]T, len(xs))
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

// groomingLocked returns the grooming projects, from their docs.
func (s *Session) groomingLocked() []record.Project {
	var out []record.Project
	for _, d := range s.projectDocs {
		if d.Kind == schedule.KindGrooming {
			out = append(out, projectOf(d))
		}
	}
	return out
}

// Visits returns a pet's last visit, next booking and when it is due
// again, on day today (schedule.PetVisits).
func (s *Session) Visits(pet string, today record.Date) schedule.Visits {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.petDocs[pet]
	var mine []record.Project
	for _, p := range s.projectDocs {
		if slices.Contains(p.Pets, pet) && p.Kind == schedule.KindGrooming {
			mine = append(mine, projectOf(p))
		}
	}
	return schedule.PetVisits(pet, record.Pet{Client: d.Client, GroomingIntervalWeeks: d.Repeat}, mine, today)
}

// LapsedClient is a client who stopped coming, as the lapsed list shows
// them.
type LapsedClient struct {
	schedule.LapsedClient
	Name     string   // "" for a role that cannot read clients
	PetNames []string // of the pets that visited
}

// Lapsed lists the clients who have lapsed on day today, most recently
// lapsed first (schedule.Lapsed), leaving out those marked do not book.
func (s *Session) Lapsed(today record.Date) []LapsedClient {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pets := make(map[string]record.Pet, len(s.petDocs))
	for id, d := range s.petDocs {
		pets[id] = record.Pet{Client: d.Client, GroomingIntervalWeeks: d.Repeat}
	}
	var out []LapsedClient
	for _, l := range schedule.Lapsed(pets, s.groomingLocked(), today) {
		var c record.Client
		if s.loadLocked(l.Client, &c) && c.DoNotBook {
			continue
		}
		lc := LapsedClient{LapsedClient: l, Name: s.clientDocs[l.Client].Name}
		for _, p := range l.Pets {
			lc.PetNames = append(lc.PetNames, s.petDocs[p].Name)
		}
		out = append(out, lc)
	}
	return out
}

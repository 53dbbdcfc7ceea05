package session

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"pawfile/shared/access"
	"pawfile/shared/merge"
	"pawfile/shared/order"
	"pawfile/shared/record"
	"pawfile/shared/retention"
)

// Retention: the workspace's retention settings, the preview of what a
// run would erase, the run itself and the deletion records it leaves, and
// the archive of old projects. The rules are package retention's; this
// file reads the records they need and erases through eraseLocked, as a
// client's erasure request does.

// RetentionSettings is the workspace's retention policy and whether the
// owner's tablet applies it on its own.
type RetentionSettings struct {
	Policy    retention.Policy
	Automatic bool
}

// RetentionSettings returns the workspace's settings, or the defaults
// where none were saved.
func (s *Session) RetentionSettings() RetentionSettings {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.settingsLocked()
}

// It checks them against the policy's rules first: settings that break
// them (a period out of bounds, projects archived after their client is
// erased) are not acted on, and the defaults, with no automatic erasure,
// stand in.
func (s *Session) settingsLocked() RetentionSettings {
	st := s.workspaceSettingsLocked()
	rs := RetentionSettings{Policy: retention.Of(&st), Automatic: st.Automatic}
	if rs.Policy.Check() != nil {
		return RetentionSettings{Policy: retention.Of(&record.Settings{})}
	}
	return rs
}

// workspaceSettingsLocked returns the workspace's settings as this device
// reads them. An owner's device reads the settings record, of the owner
// class: only owners hold its key, so only an owner can have written it.
// Other roles hold no key to it and read the info the owner's device
// publishes with it: the business name and the archive period, nothing
// that erases. None saved: the defaults.
func (s *Session) workspaceSettingsLocked() record.Settings {
	var st record.Settings
	switch {
	case s.book == nil:
	case s.keys.Has(record.ClassOwner):
		s.loadLocked(record.SettingsID, &st) // none saved, or none readable (counted): the defaults
	default:
		var info record.Info
		s.loadLocked(record.SettingsID, &info)
		st.ArchiveYears, st.BusinessName = info.ArchiveYears, info.BusinessName
		st.LoyaltyEvery, st.LoyaltyPercent = info.LoyaltyEvery, info.LoyaltyPercent
		st.TemplateAppointment, st.TemplateDueAgain, st.TemplateVaccination = info.TemplateAppointment, info.TemplateDueAgain, info.TemplateVaccination
		st.Currency, st.NumberStyle = info.Currency, info.NumberStyle
	}
	return st
}

// infoOf is what the other roles read of the settings st.
func infoOf(st record.Settings) record.Info {
	return record.Info{ArchiveYears: st.ArchiveYears, BusinessName: st.BusinessName,
		LoyaltyEvery: st.LoyaltyEvery, LoyaltyPercent: st.LoyaltyPercent,
		TemplateAppointment: st.TemplateAppointment, TemplateDueAgain: st.TemplateDueAgain, TemplateVaccination: st.TemplateVaccination,
		Currency: st.Currency, NumberStyle: st.NumberStyle}
}

// errOwnerOnly refuses retention work to a role that does not manage the
// workspace.
var errOwnerOnly = errors.New("only the owner can change retention: ask them")

// SaveRetentionSettings saves the workspace's retention settings, which
// sync to every device, changed from base: the settings as the screen
// showed them (see SaveClient). Only the owner may.
func (s *Session) SaveRetentionSettings(ctx context.Context, base *RetentionSettings, rs RetentionSettings) error {
	if !s.Role().ManagesTeam() {
		return errOwnerOnly
	}
	if err := rs.Policy.Check(); err != nil {
		return err
	}
	set := func(rs RetentionSettings) func(*record.Settings) {
		return func(st *record.Settings) {
			st.ClientYears, st.ArchiveYears, st.Automatic = int64(rs.Policy.ClientYears), int64(rs.Policy.ArchiveYears), rs.Automatic
		}
	}
	var shown func(*record.Settings)
	if base != nil {
		shown = set(*base)
	}
	err := s.saveSettings(ctx, shown, set(rs))
	if err != nil {
		return fmt.Errorf("save the retention settings: %w", err)
	}
	return nil
}

// saveSetting saves one setting of the workspace's settings record:
// v, changed from base (the setting as the screen showed it, or nil),
// each put in the record by set.
func saveSetting[T any](s *Session, ctx context.Context, base *T, v T, set func(*record.Settings, T)) error {
	var shown func(*record.Settings)
	if base != nil {
		shown = func(st *record.Settings) { set(st, *base) }
	}
	return s.saveSettings(ctx, shown, func(st *record.Settings) { set(st, v) })
}

// saveSettings changes the workspace's settings record as change says,
// keeping the fields it does not touch (retention and the business name
// are set from different screens), and the info the other roles read of
// it. shown, if not nil, sets what the person's screen showed, the base
// of the change (see SaveClient). Only an owner may: the settings are of
// the owner class.
func (s *Session) saveSettings(ctx context.Context, shown, change func(*record.Settings)) error {
	if !s.Role().ManagesTeam() {
		return errNotOwner
	}
	var st record.Settings
	if _, err := s.load(record.SettingsID, &st); err != nil {
		return err
	}
	base := st
	if shown != nil {
		shown(&base)
	}
	change(&st)
	info := infoOf(st)
	_, err := s.saveAll(ctx, []write{{id: record.SettingsID, base: &base, v: &st}, {id: record.SettingsID, v: &info}})
	return err
}

// moveToOwnerClass re-saves, under the owner class, the settings and the
// deletion log of a workspace from before that class: they were of the
// project and client classes, which other roles may write, so what they
// hold is checked on the way. Periods that break the policy's rules go
// back to the defaults, and automatic erasure stays on only if this
// owner's device switched it on. The owner's device calls it once, when it
// first holds the owner class's key.
func (s *Session) moveToOwnerClass(ctx context.Context) error {
	s.mu.RLock()
	bk, dev := s.book, s.dev.Device
	s.mu.RUnlock()
	if bk == nil {
		return ErrLocked
	}
	var ws []write
	old, ok := bk.RecordIn(record.ClassProject, record.TypeSettings, record.SettingsID)
	if have, _ := bk.Load(record.SettingsID, &record.Settings{}); ok && old.Exists() && !have {
		var st record.Settings
		if err := record.Decode(old.Values(), &st); err != nil {
			return fmt.Errorf("read the settings of before: %w", err)
		}
		if retention.Of(&st).Check() != nil {
			st.ClientYears, st.ArchiveYears = 0, 0
		}
		st.Automatic = st.Automatic && old.Fields["automatic_erasure"].TS.Device == dev
		info := infoOf(st)
		ws = append(ws, write{id: record.SettingsID, v: &st}, write{id: record.SettingsID, v: &info})
	}
	for _, id := range bk.IDsIn(record.ClassClient, record.TypeDeletion) {
		if have, _ := bk.Load(id, &record.Deletion{}); have {
			continue
		}
		rec, ok := bk.RecordIn(record.ClassClient, record.TypeDeletion, id)
		var d record.Deletion
		if !ok || record.Decode(rec.Values(), &d) != nil || record.Validate(&d) != nil {
			continue // not a deletion record any device of this app wrote
		}
		ws = append(ws, write{id: id, v: &d})
	}
	if len(ws) == 0 {
		return nil
	}
	if _, err := s.saveAll(ctx, ws); err != nil {
		return fmt.Errorf("move the settings and deletion log to the owner's class: %w", err)
	}
	return nil
}

// DueClient is a client a retention run would erase, as the preview
// lists them.
type DueClient struct {
	ID, Name  string
	LastEntry record.Date
	records   map[record.Class]int // the records they hold, by class
}

// RetentionPreview is what a retention run would do on its day.
type RetentionPreview struct {
	Today    record.Date
	Settings RetentionSettings
	Clients  []DueClient          // due for erasure, longest untouched first
	Records  map[record.Class]int // the records they hold, by class (the clients themselves included)
	Held     int                  // clients past the period but on legal hold: kept
	Archived int                  // projects archived (erased only with their client)
}

// Total is how many records the run would erase.
func (p RetentionPreview) Total() int {
	n := 0
	for _, c := range p.Records {
		n += c
	}
	return n
}

// holding is one client's records as retention sees them.
type holding struct {
	name   string
	hold   bool
	last   record.Date // latest entry of any of its records
	edited record.Date // latest edit of any of its records
	below  map[record.Type]map[string]bool
}

// holdingsLocked reads every live record once and files it under the
// client it belongs to (following ownerOf up, as belowLocked follows it
// down), with the client's last entry. It opens every record: slow on a
// big book, and run only for the retention screen and its runs.
func (s *Session) holdingsLocked() map[string]*holding {
	// Each record's owner and dates, read once; then each is filed under
	// the client its owners lead up to.
	type node struct {
		up            merge.Key // zero for a client
		entry, edited record.Date
	}
	nodes := map[merge.Key]node{}
	out := map[string]*holding{}
	zone := localZone()
	for _, t := range record.Types() {
		sc, _ := record.SchemaOf(t)
		if sc.Parent == "" && t != record.TypeClient {
			continue // the workspace's own records belong to no client
		}
		for _, id := range s.book.IDs(t) {
			rec, ok := s.book.Record(t, id)
			if !ok || !rec.Exists() {
				continue
			}
			n := node{entry: retention.EntryDate(t, rec.Values()), edited: record.DateOf(rec.Latest().Time().In(zone))}
			if t == record.TypeClient {
				var c record.Client
				record.Decode(rec.Values(), &c)
				out[id] = &holding{name: c.Name, hold: c.LegalHold, below: map[record.Type]map[string]bool{}}
			} else if ot, oid := ownerOf(sc, rec); oid != "" {
				n.up = merge.Key{Class: ot.Class(), Type: ot, ID: oid}
			}
			nodes[merge.Key{Class: t.Class(), Type: t, ID: id}] = n
		}
	}
	for k, n := range nodes {
		root := k
		// Records nest a few levels deep (client, invoice, line); the
		// bound only guards against a malformed chain.
		for i := 0; i < 8 && nodes[root].up.ID != ""; i++ {
			root = nodes[root].up
		}
		h := out[root.ID]
		if root.Type != record.TypeClient || h == nil {
			continue // an orphan, whose client is gone: no client's to count
		}
		if h.below[k.Type] == nil {
			h.below[k.Type] = map[string]bool{}
		}
		h.below[k.Type][k.ID] = true
		h.last, h.edited = max(h.last, n.entry), max(h.edited, n.edited)
	}
	return out
}

// previewLocked decides what a run on today would erase.
func (s *Session) previewLocked(today record.Date) RetentionPreview {
	p := RetentionPreview{Today: today, Settings: s.settingsLocked(), Records: map[record.Class]int{}}
	for id, h := range s.holdingsLocked() {
		// A client none of whose records holds a dated entry counts from
		// their records' last edit: kept a full period after being typed in.
		last := h.last
		if last == "" {
			last = h.edited
		}
		if !p.Settings.Policy.Due(retention.Client{ID: id, LastEntry: last, Hold: h.hold}, today) {
			if h.hold && p.Settings.Policy.Due(retention.Client{ID: id, LastEntry: last}, today) {
				p.Held++
			}
			continue
		}
		due := DueClient{ID: id, Name: h.name, LastEntry: last, records: map[record.Class]int{}}
		for t, ids := range h.below {
			due.records[t.Class()] += len(ids)
			p.Records[t.Class()] += len(ids)
		}
		p.Clients = append(p.Clients, due)
	}
	order.Sort(p.Clients, func(a, b DueClient) int {
		return strings.Compare(string(a.LastEntry)+a.Name+a.ID, string(b.LastEntry)+b.Name+b.ID)
	})
	arch := s.archiveLocked(today)
	for _, d := range s.projectDocs {
		if arch(d) {
			p.Archived++
		}
	}
	return p
}

// RetentionPreview lists what a retention run on today would erase. Only
// the owner may run one, so only the owner sees it.
func (s *Session) RetentionPreview(today record.Date) (RetentionPreview, error) {
	if !s.Role().ManagesTeam() {
		return RetentionPreview{}, errOwnerOnly
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.book == nil {
		return RetentionPreview{}, ErrLocked
	}
	return s.previewLocked(today), nil
}

// RetentionRun erases what is due on today, as the preview lists it then,
// client by client through EraseClient, as a client's erasure request:
// erasure markers that sync to every device and the server, which purges
// the records' history. It then saves a deletion record: how many
// clients and records of each class (as the preview counted them), when
// and by whom, and no names. It returns that record; a run with nothing
// due erases nothing and leaves none. A run stopped by an error still
// records the clients it erased.
func (s *Session) RetentionRun(ctx context.Context, today record.Date, automatic bool) (record.Deletion, error) {
	p, err := s.RetentionPreview(today)
	if err != nil || len(p.Clients) == 0 {
		return record.Deletion{}, err
	}
	d := record.Deletion{By: s.Me(), Automatic: automatic}
	var failed error
	for _, c := range p.Clients {
		if _, failed = s.EraseClient(ctx, c.ID); failed != nil {
			break
		}
		d.Clients++
		d.ClientRecords += int64(c.records[record.ClassClient])
		d.CareRecords += int64(c.records[record.ClassCare])
		d.ProjectRecords += int64(c.records[record.ClassProject])
	}
	if d.Clients == 0 {
		return d, failed
	}
	d.When = now()
	if _, err := s.saveAll(ctx, []write{{id: record.NewID(), v: &d}}); err != nil {
		return d, fmt.Errorf("the records are erased, but the deletion record was not saved: %w", err)
	}
	return d, failed
}

// Deletion is a deletion record as the retention screen's log lists it.
type Deletion struct {
	ID string
	record.Deletion
}

// Deletions lists the deletion records, latest first. It opens every
// record of the book once (deletion records have no index doc): for the
// retention screen only.
func (s *Session) Deletions() []Deletion {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return nil
	}
	var out []Deletion
	for _, id := range s.book.IDs(record.TypeDeletion) {
		var d record.Deletion
		if s.loadLocked(id, &d) {
			out = append(out, Deletion{ID: id, Deletion: d})
		}
	}
	order.Sort(out, func(a, b Deletion) int {
		return cmp.Or(cmp.Compare(b.When.UnixMilli, a.When.UnixMilli), strings.Compare(a.ID, b.ID))
	})
	return out
}

// archiveLocked returns whether a project, by its index doc, is archived
// on today: completed longer ago than the archive period, and its client
// not on legal hold.
func (s *Session) archiveLocked(today record.Date) func(indexDoc) bool {
	policy := s.settingsLocked().Policy
	return func(d indexDoc) bool {
		p := projectOf(d)
		return policy.Archived(retention.Completed(d.Status, p.Start, p.End), s.clientDocs[d.Client].Hold, today)
	}
}

// todayHere is today's date in this device's zone.
func todayHere() record.Date { return record.DateOf(time.Now().In(localZone())) }

// currentLocked keeps the projects the day-to-day screens list: those
// not archived today.
func (s *Session) currentLocked() func(indexDoc) bool {
	arch := s.archiveLocked(todayHere())
	return func(d indexDoc) bool { return !arch(d) }
}

// ArchivedProjects lists the archived projects, latest first: the
// Archive screen's, where they stay readable until their client's records
// are erased.
func (s *Session) ArchivedProjects(today record.Date) []ProjectSummary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.projectsLocked(s.archiveLocked(today))
}

// Archived reports whether project id is archived today: readable, on
// the Archive screen, and no longer to be changed.
func (s *Session) Archived(id string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.projectDocs[id]
	return ok && s.archiveLocked(todayHere())(d)
}

// upToDate runs retention on its own, once per unlock, for an owner
// whose settings ask for it, when this device is first up to date: a run
// on a tablet still receiving the latest entries could erase a client
// whose new visit has not arrived yet. Sync calls it; the run goes on
// beside it.
func (s *Session) upToDate() {
	// Sync calls this on every status change: it takes no lock until the
	// once per unlock that it runs.
	if s.autoRun.Swap(false) && s.Role() == access.Owner && s.RetentionSettings().Automatic {
		go s.autoRetention()
	}
}

// autoRetention is an automatic retention run, logged on the device.
func (s *Session) autoRetention() {
	d, err := s.RetentionRun(context.Background(), todayHere(), true)
	if err != nil {
		s.log.Printf("automatic retention: err=%v", err)
		return
	}
	if d.Clients > 0 {
		s.log.Printf("automatic retention erased: clients=%v", d.Clients)
	}
}

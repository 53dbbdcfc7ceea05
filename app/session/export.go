package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"

	"pawfile/shared/order"
	"pawfile/shared/record"
)

// Export is everything this device holds about one client, as a data
// subject's access request asks for: the client, their pets, and every
// record below them (vaccinations, contact log, invoices with their lines
// and payments, projects with their tasks, milestones, notes and photos).
// Its JSON (see MarshalJSON) is meant to be read without Pawfile.
type Export struct {
	App        string // the app's build, "" if unknown
	Workspace  string
	ExportedAt time.Time
	ExportedBy string // the login of the member who exported
	// Groups holds one group per record type but audit entries (the
	// trail of who read the records), in record.Types() order:
	// the client's own (one record) first. A type of which nothing is
	// held has a group with no records, so the export says so.
	Groups []Group
	// Photos holds the images (JPEG) of the photos the records name, by
	// reference, once ExportPhotos has read them; nil for one not on this
	// device.
	Photos map[string][]byte
}

// Group is the records of one type.
type Group struct {
	Name    string // the JSON key: "client", "pets", "contact_log", "invoice_lines"…
	Schema  *record.Schema
	Records []Record
}

// Record is one record of an export.
type Record struct {
	ID     string
	Schema *record.Schema
	// Values[i] is the value of Schema.Fields[i]: a string, int64, bool,
	// record.Date, record.Instant, record.Money or []string as the
	// field's kind says; nil if the stored value cannot be read.
	Values []any
}

// Value returns the value of the field called name, or nil.
func (r Record) Value(name string) any {
	for i, f := range r.Schema.Fields {
		if f.Name == name {
			return r.Values[i]
		}
	}
	return nil
}

// Title is what a person calls the record: its name, title, number or
// description, or "" if it has none.
func (r Record) Title() string {
	for _, name := range []string{"name", "title", "number", "description"} {
		if s, ok := r.Value(name).(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// Client returns the client's record.
func (e Export) Client() Record { return e.Groups[0].Records[0] }

// Count is how many records the export holds.
func (e Export) Count() int {
	n := 0
	for _, g := range e.Groups {
		n += len(g.Records)
	}
	return n
}

// ExportClient collects everything held about client id: the same records
// EraseClient would erase. Like it, it opens every record once.
func (s *Session) ExportClient(id string) (Export, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return Export{}, ErrLocked
	}
	if ok, err := s.book.Load(id, &record.Client{}); err != nil {
		return Export{}, fmt.Errorf("export: open the client: %w", err)
	} else if !ok {
		return Export{}, errors.New("this client is not on this device (erased, or not synced yet)")
	}
	e := Export{App: s.cfg.App, Workspace: s.dev.Workspace, ExportedAt: time.Now(), ExportedBy: s.dev.Login}
	held := s.belowLocked(id)
	for _, t := range record.Types() {
		if t == record.TypeAuditEntry {
			continue // the trail of who read the records, not about the client
		}
		sc, _ := record.SchemaOf(t)
		if sc.Parent == "" && t != record.TypeClient {
			continue // the workspace's own records (settings, deletions) are no client's
		}
		e.Groups = append(e.Groups, s.groupLocked(t, maps.Keys(held[t])))
	}
	s.Viewed(ViewExport, id, "")
	return e, nil
}

// groupName is a type's key in the JSON: the plural of its name, but
// the contact log is one log.
func groupName(t record.Type) string {
	if t == record.TypeClient || t == record.TypeContactLog {
		return string(t)
	}
	return string(t) + "s"
}

// fieldValue decodes one stored value as its field's kind; a field never
// written reads as the zero value.
func fieldValue(f *record.Field, b []byte, ok bool) any {
	switch f.Kind {
	case record.KindInt:
		return decodeAs[int64](b, ok)
	case record.KindBool:
		return decodeAs[bool](b, ok)
	case record.KindDate:
		return decodeAs[record.Date](b, ok)
	case record.KindInstant:
		return decodeAs[record.Instant](b, ok)
	case record.KindMoney:
		return decodeAs[record.Money](b, ok)
	case record.KindTextList, record.KindEnumList, record.KindRefList:
		return decodeAs[[]string](b, ok)
	}
	return decodeAs[string](b, ok)
}

func decodeAs[T any](b []byte, ok bool) any {
	var v T
	if ok && record.DecodeValue(b, &v) != nil {
		return nil
	}
	return v
}

// groupLocked is the live records of type t among ids, in the order
// sortRecords gives, as an export lists them.
func (s *Session) groupLocked(t record.Type, ids iter.Seq[string]) Group {
	sc, _ := record.SchemaOf(t)
	g := Group{Name: groupName(t), Schema: sc, Records: []Record{}}
	for id := range ids {
		rec, ok := s.book.Record(t, id)
		if !ok || !rec.Exists() {
			continue
		}
		r := Record{ID: id, Schema: sc, Values: make([]any, len(sc.Fields))}
		for i := range sc.Fields {
			b, ok := rec.Get(sc.Fields[i].Name)
			r.Values[i] = fieldValue(&sc.Fields[i], b, ok)
		}
		g.Records = append(g.Records, r)
	}
	sortRecords(g.Records)
	return g
}

// sortRecords puts records in the order a person reads them: by position
// (invoice lines, tasks), then time (contact log, payments, notes), then
// date, then name, then id, so that the same data always exports the same.
func sortRecords(rs []Record) {
	if len(rs) == 0 {
		return
	}
	sc := rs[0].Schema
	var keys []int // field indexes to compare by, in turn
	if i := slices.IndexFunc(sc.Fields, func(f record.Field) bool { return f.Name == "position" }); i >= 0 {
		keys = append(keys, i)
	}
	for _, k := range []record.Kind{record.KindInstant, record.KindDate, record.KindText} {
		if i := slices.IndexFunc(sc.Fields, func(f record.Field) bool { return f.Kind == k }); i >= 0 {
			keys = append(keys, i)
		}
	}
	order.Sort(rs, func(a, b Record) int {
		for _, i := range keys {
			if c := compareValues(a.Values[i], b.Values[i]); c != 0 {
				return c
			}
		}
		return strings.Compare(a.ID, b.ID)
	})
}

func compareValues(a, b any) int {
	switch x := a.(type) {
	case int64:
		y, _ := b.(int64)
		return cmpInt(x, y)
	case record.Instant:
		y, _ := b.(record.Instant)
		return cmpInt(x.UnixMilli, y.UnixMilli)
	case record.Date:
		y, _ := b.(record.Date)
		return strings.Compare(string(x), string(y))
	case string:
		y, _ := b.(string)
		return strings.Compare(strings.ToLower(x), strings.ToLower(y))
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ExportFormat is the version of the export's JSON layout.
const ExportFormat = 1

// exportAbout tells a person or program reading the JSON what it is.
const exportAbout = "Everything this Pawfile workspace holds about one client, their pets and their projects. " +
	"Each key below \"export\" is a record type; every record has its \"id\", and fields that name another record hold its id. " +
	"Dates are ISO 8601 (YYYY-MM-DD); times are ISO 8601 with their UTC offset; " +
	"amounts are exact decimal strings in the currency's main unit, with the ISO 4217 currency code; " +
	"fields that hold a photo hold the SHA-256 of its sealed file, and \"photo_files\" holds each image by that key, " +
	"as a base64 JPEG (null for one this device did not hold)."

// MarshalJSON writes the export as a JSON object: a header under
// "export", the client under "client", then one array per record type,
// every record with its "id" and its fields under their stored names, in
// the schema's order.
func (e Export) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	head, err := json.Marshal(struct {
		App        string `json:"app"`
		AppVersion string `json:"app_version,omitempty"`
		Format     int    `json:"format"`
		Workspace  string `json:"workspace"`
		ExportedAt string `json:"exported_at"`
		ExportedBy string `json:"exported_by"`
		ClientID   string `json:"client_id"`
		About      string `json:"about"`
	}{"Pawfile", e.App, ExportFormat, e.Workspace, e.ExportedAt.Format(time.RFC3339), e.ExportedBy, e.Client().ID, exportAbout})
	if err != nil {
		return nil, err
	}
	b.WriteString(`{"export":`)
	b.Write(head)
	for _, g := range e.Groups {
		b.WriteByte(',')
		writeKey(&b, g.Name)
		if g.Schema.Type == record.TypeClient {
			if err := writeRecord(&b, g.Records[0]); err != nil {
				return nil, err
			}
			continue
		}
		b.WriteByte('[')
		for i, r := range g.Records {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeRecord(&b, r); err != nil {
				return nil, err
			}
		}
		b.WriteByte(']')
	}
	if len(e.Photos) > 0 {
		photos, err := json.Marshal(e.Photos) // images as base64
		if err != nil {
			return nil, err
		}
		b.WriteString(`,"photo_files":`)
		b.Write(photos)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// ExportPhotos reads into e.Photos the image of every photo e's records
// name, as held on this device.
func (s *Session) ExportPhotos(ctx context.Context, e *Export) error {
	e.Photos = map[string][]byte{}
	for _, g := range e.Groups {
		for _, r := range g.Records {
			for i := range r.Schema.Fields {
				ref, ok := r.Values[i].(string)
				if r.Schema.Fields[i].Kind != record.KindBlob || !ok || ref == "" {
					continue
				}
				img, _, err := s.Photo(ctx, ref)
				if err != nil {
					return fmt.Errorf("export: read photo %.8s: %w", ref, err)
				}
				e.Photos[ref] = img
			}
		}
	}
	return nil
}

func writeKey(b *bytes.Buffer, k string) {
	q, _ := json.Marshal(k) // a string always marshals
	b.Write(q)
	b.WriteByte(':')
}

func writeRecord(b *bytes.Buffer, r Record) error {
	b.WriteString(`{"id":`)
	id, _ := json.Marshal(r.ID)
	b.Write(id)
	for i, f := range r.Schema.Fields {
		v, err := json.Marshal(jsonValue(r.Values[i]))
		if err != nil {
			return fmt.Errorf("export: %s %s, %s: %w", r.Schema.Type, r.ID, f.Name, err)
		}
		b.WriteByte(',')
		writeKey(b, f.Name)
		b.Write(v)
	}
	b.WriteByte('}')
	return nil
}

// jsonMoney is an amount in the JSON.
type jsonMoney struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// jsonValue is a field value as the JSON shows it: unset dates, times and
// amounts are null; lists are arrays, never null.
func jsonValue(v any) any {
	switch x := v.(type) {
	case record.Date:
		if x.IsZero() {
			return nil
		}
		return string(x)
	case record.Instant:
		if x.IsZero() {
			return nil
		}
		return x.Time().Format("2006-01-02T15:04:05.000Z07:00")
	case record.Money:
		if x.IsZero() {
			return nil
		}
		return jsonMoney{x.Decimal(), x.Currency}
	case []string:
		if x == nil {
			return []string{}
		}
	}
	return v
}

// FileName is what a download of the export is called:
// pawfile-export-<the client's name>-<the date>.json.
func (e Export) FileName() string {
	name, _ := e.Client().Value("name").(string)
	var slug []rune
	dash := true // no dash at the start
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			slug, dash = append(slug, r), false
		case !dash:
			slug, dash = append(slug, '-'), true
		}
	}
	s := strings.TrimSuffix(string(slug[:min(len(slug), 40)]), "-")
	if s == "" {
		s = "client"
	}
	return "pawfile-export-" + s + "-" + string(record.DateOf(e.ExportedAt)) + ".json"
}

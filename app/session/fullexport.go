package session

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"pawfile/shared/csvimport"
	"pawfile/shared/record"
)

// FullExport is everything this device holds of the workspace as one zip
// that opens without Pawfile: per record type a JSON file (json/pets.json)
// and a CSV file (csv/pets.csv) with the schema's field names as keys and
// columns, the photos as JPEG files (photos/<ref>.jpg), a manifest.json
// with counts, and a README.txt saying all this.
type FullExport struct {
	Name    string   // the file name: pawfile-everything-<date>.zip
	Parts   [][]byte // the zip's bytes, in order
	Size    int64
	Records int // records exported
	Photos  int // photo files in the zip
	Missing int // photos the records name that this device does not hold
}

// FullExportFormat is the version of the full export's layout.
const FullExportFormat = 1

const fullExportReadme = `Pawfile: everything this workspace holds (manifest.json says when and by whom).

This archive opens without Pawfile:
- json/<type>.json: each record type as a JSON array; every record has its "id"
  and its fields under their stored names. Fields that name another record hold
  its id; dates are YYYY-MM-DD; times are ISO 8601 with their UTC offset; amounts
  are exact decimal strings with their ISO 4217 currency code.
- csv/<type>.csv: the same records for a spreadsheet, one column per field
  (amounts as a number column and a _currency column, lists joined with "; ").
  A cell that starts with = + - or @ has a leading apostrophe, so a spreadsheet
  shows it as text instead of running it as a formula.
- photos/<ref>.jpg: each photo, named by the reference (SHA-256) the records hold.
- manifest.json: when and by whom this was exported, and how many records of each
  type and how many photos it holds.

Keep this file safe: unlike Pawfile's own storage, it is not encrypted.
`

// manifest is the full export's manifest.json.
type manifest struct {
	App        string         `json:"app"`
	Format     int            `json:"format"`
	Workspace  string         `json:"workspace"`
	ExportedAt time.Time      `json:"exported_at"`
	ExportedBy string         `json:"exported_by"`
	Records    map[string]int `json:"records"`
	Photos     int            `json:"photos"`
	Missing    int            `json:"photos_not_on_this_device"`
}

// ExportAll collects every record of every type this device holds, and the
// photos they name, into a zip. It reads the records once under the
// session's lock and the photos one by one after, calling progress (from
// the calling goroutine) with the steps done of the total. Run it away
// from the UI.
func (s *Session) ExportAll(ctx context.Context, progress func(done, total int)) (FullExport, error) {
	groups, meta, err := s.collectAll()
	if err != nil {
		return FullExport{}, err
	}
	m := manifest{App: "Pawfile", Format: FullExportFormat, Workspace: meta.Workspace, ExportedAt: meta.ExportedAt,
		ExportedBy: meta.ExportedBy, Records: map[string]int{}}
	z := newZip(meta.ExportedAt)
	var refs []string
	for _, g := range groups {
		js, err := groupJSON(g)
		if err != nil {
			return FullExport{}, err
		}
		z.Add("json/"+g.Name+".json", js)
		z.Add("csv/"+g.Name+".csv", groupCSV(g, &refs))
		m.Records[g.Name] = len(g.Records)
	}
	slices.Sort(refs)
	refs = slices.Compact(refs)
	for i, ref := range refs {
		if err := ctx.Err(); err != nil {
			return FullExport{}, err
		}
		img, _, err := s.Photo(ctx, ref)
		if err != nil {
			return FullExport{}, fmt.Errorf("export: read photo %.8s: %w", ref, err)
		}
		// A photo not fetched yet, or a reference no file can be named by.
		if b, herr := hex.DecodeString(ref); img == nil || herr != nil || len(b) != 32 {
			m.Missing++
		} else {
			z.Add("photos/"+ref+".jpg", img)
			m.Photos++
		}
		if progress != nil {
			progress(i+1, len(refs)+1)
		}
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return FullExport{}, err
	}
	z.Add("manifest.json", js)
	z.Add("README.txt", []byte(fullExportReadme))
	if err := z.Close(); err != nil {
		return FullExport{}, err
	}
	if progress != nil {
		progress(len(refs)+1, len(refs)+1)
	}
	out := FullExport{Name: "pawfile-everything-" + string(record.DateOf(meta.ExportedAt)) + ".zip", Parts: z.Parts,
		Size: z.Size(), Photos: m.Photos, Missing: m.Missing}
	for _, n := range m.Records {
		out.Records += n
	}
	return out, nil
}

// collectAll reads every record this device holds, grouped by type in
// record.Types() order, each group sorted as a person reads it.
func (s *Session) collectAll() ([]Group, Export, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return nil, Export{}, ErrLocked
	}
	meta := Export{App: s.cfg.App, Workspace: s.dev.Workspace, ExportedAt: time.Now(), ExportedBy: s.dev.Login}
	var groups []Group
	for _, t := range record.Types() {
		groups = append(groups, s.groupLocked(t, slices.Values(s.book.IDs(t))))
	}
	return groups, meta, nil
}

// groupJSON is a group's records as a JSON array, one record a line.
func groupJSON(g Group) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("[")
	for i, r := range g.Records {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n")
		if err := writeRecord(&b, r); err != nil {
			return nil, err
		}
	}
	b.WriteString("\n]\n")
	return b.Bytes(), nil
}

// groupCSV is a group's records as CSV for a spreadsheet, as
// csvimport.Write writes it: a UTF-8 byte-order mark, CRLF line ends, every
// cell through csvimport.Escape (so a cell starting with = + - or @ is not
// run as a formula), and every cell quoted. Its columns are the id, then
// each field by its stored name, an amount followed by its currency. It
// adds the photo references it meets to refs.
func groupCSV(g Group, refs *[]string) []byte {
	var b bytes.Buffer
	b.WriteString("\uFEFF\"id\"")
	for _, f := range g.Schema.Fields {
		csvCell(&b, f.Name)
		if f.Kind == record.KindMoney {
			csvCell(&b, f.Name+"_currency")
		}
	}
	for _, r := range g.Records {
		b.WriteString("\r\n")
		b.WriteString(`"` + r.ID + `"`)
		for i, f := range r.Schema.Fields {
			v := r.Values[i]
			switch x := v.(type) {
			case record.Money:
				v = ""
				if x.IsZero() {
					csvCell(&b, "")
				} else {
					csvCell(&b, x.Decimal())
					v = x.Currency
				}
			case nil:
				if f.Kind == record.KindMoney {
					csvCell(&b, "")
				}
			case string:
				if f.Kind == record.KindBlob && x != "" {
					*refs = append(*refs, x)
					v = "photos/" + x + ".jpg"
				}
			case []string:
				v = strings.Join(x, "; ")
			}
			switch x := jsonValue(v).(type) { // dates and times as in the JSON
			case string:
				csvCell(&b, x)
			case nil:
				csvCell(&b, "")
			default:
				csvCell(&b, fmt.Sprint(x))
			}
		}
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// csvCell appends a comma and s, escaped and quoted.
func csvCell(b *bytes.Buffer, s string) {
	b.WriteString(`,"`)
	b.WriteString(strings.ReplaceAll(csvimport.Escape(s), `"`, `""`))
	b.WriteByte('"')
}

// Package csvimport brings a client list exported from another product or
// a spreadsheet into Pawfile, and exports tables that a spreadsheet opens
// without running anything.
//
// Importing is three steps, so the app can show each one to the person
// doing it:
//
//  1. [Read] decodes the file (UTF-8 with or without a byte-order mark,
//     UTF-16 with one, otherwise Windows-1252), finds the delimiter (comma,
//     semicolon or tab) and returns a [Table] of headers and rows. Every
//     dimension is bounded ([Options]), so a hostile or mistaken file gives
//     an error naming its line, never a frozen tablet.
//  2. [Guess] proposes a [Mapping] from columns to client and pet fields
//     by their headers; the app lets the person correct it. [DatesOf]
//     finds whether the file writes the day or the month first, or that
//     the person must say.
//  3. [Convert] turns every row into a validated [record.Client], its
//     pets with their care facts and vaccinations, and its last visits
//     (done grooming projects). A value that does not fit its field is
//     kept in the notes, marked ([Kept]), and the rest of its row is
//     imported: no row is refused for one bad cell. [Result.Problems]
//     sums up what was kept, once per kind, for the person to accept or
//     to fix in the file.
//
// [Write] and [Escape] are the export side: cells that a spreadsheet would
// read as a formula get a leading apostrophe (OWASP's advice on CSV
// injection), and [Convert] removes it again on the way back in.
//
// The package is pure Go with no I/O of its own; both the app (wasm) and the
// server compile it.
package csvimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// The errors [Read] wraps, for callers that react to the kind of failure;
// the wrapping error's text names the line and says what to do.
var (
	ErrTooLarge       = errors.New("file too large")
	ErrNotText        = errors.New("not a text file")
	ErrLineTooLong    = errors.New("line too long")
	ErrTooManyColumns = errors.New("too many columns")
	ErrTooManyRows    = errors.New("too many rows")
	ErrMalformed      = errors.New("malformed CSV")
	ErrEmpty          = errors.New("empty file")
)

// Default limits. A shop's client list is a few thousand rows of a few
// dozen columns (2,000 clients is about 300 KB), so these leave a wide
// margin while keeping the worst case within a tablet's memory.
const (
	DefaultMaxBytes     = 20 << 20  // the whole file, before decoding
	DefaultMaxLineBytes = 128 << 10 // one physical line, after decoding: room for several 4,000-character notes
	DefaultMaxColumns   = 256
	DefaultMaxRows      = 100_000
	// DefaultMaxCells bounds rows × columns: a 20 MB file of bare commas
	// would otherwise be 20 million cells, 320 MB of string headers.
	DefaultMaxCells = 2_000_000
)

// Options bound and steer [Read]. The zero value uses the defaults and
// detects the delimiter.
type Options struct {
	Delimiter    rune // ',', ';' or '\t'; 0 detects it
	MaxBytes     int64
	MaxLineBytes int
	MaxColumns   int
	MaxRows      int
	MaxCells     int
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.MaxColumns <= 0 {
		o.MaxColumns = DefaultMaxColumns
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxCells <= 0 {
		o.MaxCells = DefaultMaxCells
	}
	return o
}

// Table is a decoded CSV file: its header row and the rows below it.
type Table struct {
	// Headers has one entry per column: as wide as the widest row, with ""
	// for columns the header row does not name.
	Headers []string
	Rows    []Row
	// HeaderRow is the spreadsheet row of the headers: 1 unless the file
	// starts with blank lines.
	HeaderRow int
	Encoding  string // "UTF-8", "UTF-16LE", "UTF-16BE" or "Windows-1252"
	Delimiter rune   // ',', ';' or '\t'
}

// Row is one row of a [Table].
type Row struct {
	// Number is the row as a spreadsheet shows it: 1-based, counting the
	// header row and blank lines. A quoted cell spanning several lines is
	// still one row, so Number can differ from the text's line number.
	Number int
	Cells  []string // may be shorter than Table.Headers; see [Row.Cell]
}

// Cell returns the cell in column i, or "" past the end of the row.
func (r Row) Cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// Read reads a whole CSV file from r. Errors name the line of the file
// (as a text editor counts them) and say how to fix the file.
func Read(r io.Reader, opts Options) (*Table, error) {
	o := opts.withDefaults()
	switch o.Delimiter {
	case 0, ',', ';', '\t':
	default:
		return nil, fmt.Errorf("csvimport: delimiter %q: use comma, semicolon or tab", o.Delimiter)
	}
	raw, err := io.ReadAll(io.LimitReader(r, o.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("csvimport: reading the file: %w", err)
	}
	if int64(len(raw)) > o.MaxBytes {
		return nil, fmt.Errorf("csvimport: %w: the most is %s; split the list into smaller files", ErrTooLarge, size(o.MaxBytes))
	}
	text, enc, err := decode(raw)
	if err != nil {
		return nil, err
	}
	if err := checkLines(text, o.MaxLineBytes); err != nil {
		return nil, err
	}
	delim := o.Delimiter
	if delim == 0 {
		delim = detectDelimiter(text)
	}
	t, err := parse(text, delim, o)
	if err != nil {
		return nil, err
	}
	t.Encoding = enc
	return t, nil
}

// decode returns the file as UTF-8 text and the name of the encoding it
// was in.
func decode(raw []byte) ([]byte, string, error) {
	switch {
	case len(bytes.TrimSpace(raw)) == 0:
		return nil, "", fmt.Errorf("csvimport: %w: the file has nothing in it; export the client list again", ErrEmpty)
	case bytes.HasPrefix(raw, []byte("PK\x03\x04")):
		return nil, "", fmt.Errorf("csvimport: %w: this is an Excel or Numbers workbook (.xlsx), not CSV; open it and save it as \"CSV UTF-8\"", ErrNotText)
	case bytes.HasPrefix(raw, []byte("\xD0\xCF\x11\xE0")):
		return nil, "", fmt.Errorf("csvimport: %w: this is an old Excel workbook (.xls), not CSV; open it and save it as \"CSV UTF-8\"", ErrNotText)
	}
	var text []byte
	var enc string
	switch {
	case bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF")):
		text, enc = raw[3:], "UTF-8"
		if !utf8.Valid(text) {
			line := 1 + bytes.Count(text[:firstInvalidUTF8(text)], []byte("\n"))
			return nil, "", fmt.Errorf("csvimport: %w: line %d is not UTF-8 although the file says it is; save it again as \"CSV UTF-8\"", ErrNotText, line)
		}
	case bytes.HasPrefix(raw, []byte("\xFF\xFE")), bytes.HasPrefix(raw, []byte("\xFE\xFF")):
		endian, name := unicode.LittleEndian, "UTF-16LE"
		if raw[0] == 0xFE {
			endian, name = unicode.BigEndian, "UTF-16BE"
		}
		// Unpaired surrogates and an odd final byte become U+FFFD: the
		// damage stays in one cell, where the person sees it in the preview.
		out, err := unicode.UTF16(endian, unicode.IgnoreBOM).NewDecoder().Bytes(raw[2:])
		if err != nil {
			return nil, "", fmt.Errorf("csvimport: decoding %s: %w", name, err)
		}
		text, enc = out, name
	case utf8.Valid(raw):
		text, enc = raw, "UTF-8"
	default:
		// Not UTF-8: almost always Excel's "CSV" on Windows, which writes
		// the Windows code page. Windows-1252 maps every byte, so this
		// cannot fail; a file in another code page shows odd letters in the
		// preview, which says what went wrong.
		out, err := charmap.Windows1252.NewDecoder().Bytes(raw)
		if err != nil {
			return nil, "", fmt.Errorf("csvimport: decoding Windows-1252: %w", err)
		}
		text, enc = out, "Windows-1252"
	}
	if i := bytes.IndexByte(text, 0); i >= 0 {
		line := 1 + bytes.Count(text[:i], []byte("\n"))
		return nil, "", fmt.Errorf("csvimport: %w: line %d contains a NUL byte, so this is not a CSV text file (or it is UTF-16 without a byte-order mark); save it as \"CSV UTF-8\"", ErrNotText, line)
	}
	// Old Mac exports end lines with CR alone, which encoding/csv does not
	// take as a line end: the whole file would read as one row.
	if bytes.IndexByte(text, '\n') < 0 && bytes.IndexByte(text, '\r') >= 0 {
		text = bytes.ReplaceAll(text, []byte("\r"), []byte("\n"))
	}
	return text, enc, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// checkLines refuses a physical line longer than max before the CSV reader
// sees it: encoding/csv buffers a whole record, and a 10 MB line is a
// wrong file, not a client.
func checkLines(text []byte, max int) error {
	line := 1
	for rest := text; len(rest) > 0; line++ {
		n := bytes.IndexByte(rest, '\n')
		if n < 0 {
			n = len(rest)
		}
		if n > max {
			return fmt.Errorf("csvimport: %w: line %d is %s long and the most is %s; check that this is the client list", ErrLineTooLong, line, size(int64(n)), size(int64(max)))
		}
		if n == len(rest) {
			break
		}
		rest = rest[n+1:]
	}
	return nil
}

// detectDelimiter parses the first lines with each candidate and keeps the
// one that splits the header into most columns and the rows into as many as
// the header. Parsing (rather than counting characters) ignores delimiters
// inside quoted cells, such as the commas of an address in a semicolon file.
func detectDelimiter(text []byte) rune {
	sample := text
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
	}
	best, bestScore := ',', [3]int{-1}
	for _, d := range []rune{',', ';', '\t'} {
		cr := csv.NewReader(bytes.NewReader(sample))
		cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes, cr.ReuseRecord = d, -1, true, true
		width, matching := 0, 0
		for i := 0; i < 20; i++ {
			rec, err := cr.Read()
			if err != nil {
				break // the sample may end inside a row
			}
			if i == 0 {
				width = len(rec)
			}
			if len(rec) == width {
				matching++
			}
		}
		score := [3]int{b2i(width > 1), matching, width}
		if less(bestScore, score) {
			best, bestScore = d, score
		}
	}
	return best
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func less(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func parse(text []byte, delim rune, o Options) (*Table, error) {
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = delim
	cr.FieldsPerRecord = -1 // exports leave trailing cells off short rows
	cr.LazyQuotes = false   // a stray quote is reported, not silently merged into the next rows
	t := &Table{Delimiter: delim}
	prevRow, prevEnd, cells, width := 0, 0, 0, 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, parseError(err, delim)
		}
		start, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(rec) - 1)
		if len(rec) > o.MaxColumns {
			return nil, fmt.Errorf("csvimport: %w: line %d has %d cells and the most is %d; check the delimiter or remove empty columns", ErrTooManyColumns, start, len(rec), o.MaxColumns)
		}
		// Blank lines are rows to a spreadsheet but are skipped by
		// encoding/csv: count them so Number matches what the person sees.
		row := prevRow + start - prevEnd
		prevRow, prevEnd = row, last+strings.Count(rec[len(rec)-1], "\n")
		if cells += len(rec); cells > o.MaxCells {
			return nil, fmt.Errorf("csvimport: %w: by line %d the file has more than %d cells; split it into smaller files", ErrTooManyRows, start, o.MaxCells)
		}
		width = max(width, len(rec))
		if t.Headers == nil {
			t.Headers, t.HeaderRow = rec, row
			continue
		}
		if len(t.Rows) == o.MaxRows {
			return nil, fmt.Errorf("csvimport: %w: line %d is past the most rows one import takes (%d); split the file", ErrTooManyRows, start, o.MaxRows)
		}
		t.Rows = append(t.Rows, Row{Number: row, Cells: rec})
	}
	if t.Headers == nil {
		return nil, fmt.Errorf("csvimport: %w: the file has no rows; export the client list again", ErrEmpty)
	}
	for len(t.Headers) < width {
		t.Headers = append(t.Headers, "")
	}
	for i, h := range t.Headers {
		t.Headers[i] = strings.TrimSpace(h)
	}
	return t, nil
}

// parseError turns encoding/csv's errors into a sentence a person can act on.
func parseError(err error, delim rune) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("csvimport: %w: %v", ErrMalformed, err)
	}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != pe.Line:
		return fmt.Errorf("csvimport: %w: a quoted cell opened on line %d is not closed properly (found at line %d, column %d); look for a stray \" in that cell", ErrMalformed, pe.StartLine, pe.Line, pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Errorf("csvimport: %w: line %d, column %d: a quote in a quoted cell must be doubled (\"\"); fix that cell", ErrMalformed, pe.Line, pe.Column)
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Errorf("csvimport: %w: line %d, column %d: a \" inside a cell that does not start with one; put the cell in quotes and double the \" (or remove it)", ErrMalformed, pe.Line, pe.Column)
	}
	return fmt.Errorf("csvimport: %w: line %d: %v (delimiter %q)", ErrMalformed, pe.Line, pe.Err, delim)
}

// size formats a byte count for a message: "128 KB", "10.0 MB".
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

package csvimport

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// formulaStart reports whether a spreadsheet may read a cell starting with
// c as a formula (or, for tab and CR, strip them and then read one).
func formulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Escape makes s safe to put in a CSV cell that a spreadsheet will open:
// a cell that starts with = + - @ tab or CR gets a leading apostrophe, so
// "=cmd|' /C calc'!A0" shows as text instead of running (OWASP, CSV
// Injection). A cell that is already apostrophes followed by one of those
// gets one more, so [Unescape] can always undo Escape exactly.
//
// The cost is a visible apostrophe before phone numbers like "+44 …" and
// negative numbers; that is the price of never running a formula from a
// client's notes.
func Escape(s string) string {
	if needsEscape(s) {
		return "'" + s
	}
	return s
}

// Unescape undoes [Escape]: it removes one leading apostrophe when the cell
// is apostrophes followed by a formula character, and leaves any other cell
// ("'Tis the season") alone.
func Unescape(s string) string {
	if strings.HasPrefix(s, "'") && needsEscape(s[1:]) {
		return s[1:]
	}
	return s
}

func needsEscape(s string) bool {
	t := strings.TrimLeft(s, "'")
	return t != "" && formulaStart(t[0])
}

// Write writes headers and rows as CSV for a spreadsheet: every cell
// through [Escape], comma-separated, CRLF line ends, and a UTF-8
// byte-order mark so Excel reads accented names as UTF-8 ([Read] skips it).
func Write(w io.Writer, headers []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("csvimport: writing CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	esc := make([]string, 0, len(headers))
	write := func(rec []string) error {
		esc = esc[:0]
		for _, s := range rec {
			esc = append(esc, Escape(s))
		}
		return cw.Write(esc)
	}
	if err := write(headers); err != nil {
		return fmt.Errorf("csvimport: writing CSV headers: %w", err)
	}
	for i, r := range rows {
		if err := write(r); err != nil {
			return fmt.Errorf("csvimport: writing CSV row %d: %w", i+2, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csvimport: writing CSV: %w", err)
	}
	return nil
}

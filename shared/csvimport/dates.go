package csvimport

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"pawfile/shared/record"
)

// DateOrder says how a file writes the day and month of a date such as
// 03/04/2024.
type DateOrder int

const (
	// UnknownOrder: no date of the file tells. [Convert] needs the person
	// to choose when [DatesOf] says so.
	UnknownOrder DateOrder = iota
	DayFirst               // 03/04/2024 is 3 April 2024
	MonthFirst             // 03/04/2024 is March 4, 2024
)

// DateFacts is what [DatesOf] found in a file's date columns.
type DateFacts struct {
	// Order is the order the dates show: some day past 12 in the first
	// place (25/03/2024) or in the second (03/25/2024). UnknownOrder when
	// none shows it, or the file has both.
	Order DateOrder
	// Ask is true when the person must choose: a date reads two ways
	// (Example) and Order is unknown.
	Ask bool
	// Mixed is true when dates show both orders: the person chooses the
	// usual one, and dates that do not fit it are kept in the notes.
	Mixed   bool
	Example string // a date that reads two ways, to ask about: "03/04/2024"
}

// DatesOf looks at every date column of t, as m maps them, for the order
// of day and month. Days and months are looked at across all of them: a
// file's dates come from one program.
func DatesOf(t *Table, m Mapping) DateFacts {
	var f DateFacts
	days, months := 0, 0
	for col, field := range m {
		if !field.isDate() || col >= len(t.Headers) {
			continue
		}
		for _, r := range t.Rows {
			for _, s := range splitDates(r.Cell(col)) {
				a, b, ok := dayMonth(s)
				switch {
				case !ok:
				case a > 12 && b <= 12:
					days++
				case b > 12 && a <= 12:
					months++
				case a != b && f.Example == "":
					f.Example = s
				}
			}
		}
	}
	switch {
	case days > 0 && months > 0:
		f.Mixed = true
		if f.Example == "" {
			f.Example = "01/02/2024"
		}
	case days > 0:
		f.Order = DayFirst
	case months > 0:
		f.Order = MonthFirst
	}
	f.Ask = f.Order == UnknownOrder && f.Example != ""
	return f
}

func (f Field) isDate() bool {
	switch f {
	case PetBirthDate, LastVisit, VaccineGiven, VaccineExpires:
		return true
	}
	return false
}

// splitDates splits a cell that may hold one date per pet.
func splitDates(cell string) []string {
	var out []string
	for _, s := range splitPetValues(strings.TrimSpace(Unescape(strings.TrimSpace(cell)))) {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// dayMonth returns the first two numbers of a numeric date written with
// the year last (03/04/2024, 3.4.24), which are its day and month in some
// order.
func dayMonth(s string) (a, b int, ok bool) {
	p := numericParts(dateOnly(s))
	if len(p) != 3 || len(p[0]) > 2 || len(p[1]) > 2 || (len(p[2]) != 2 && len(p[2]) != 4) {
		return 0, 0, false
	}
	a, _ = strconv.Atoi(p[0])
	b, _ = strconv.Atoi(p[1])
	return a, b, a >= 1 && b >= 1 && a <= 31 && b <= 31
}

// numericParts splits "03/04/2024" into its numbers, or returns nil if s
// holds anything but digits and one kind of separator (/ . - or space).
func numericParts(s string) []string {
	sep := rune(0)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '/' || r == '.' || r == '-' || r == ' ':
			if sep != 0 && sep != r {
				return nil
			}
			sep = r
		default:
			return nil
		}
	}
	if sep == 0 {
		return nil
	}
	return strings.Split(s, string(sep))
}

// dateOnly drops a time of day after a date: "2024-03-04T10:30:00Z",
// "04/03/2024 10:30", "4 Mar 2024 2:30 pm".
func dateOnly(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[4] == '-' && (s[10] == 'T' || s[10] == ' ') {
		return s[:10]
	}
	f := strings.Fields(s)
	for len(f) > 1 {
		last := strings.ToLower(f[len(f)-1])
		if !strings.Contains(last, ":") && last != "am" && last != "pm" {
			break
		}
		f = f[:len(f)-1]
	}
	return strings.Join(f, " ")
}

var monthNames = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// ParseDate reads a date as spreadsheets and booking products write it:
// ISO (2024-03-04, 2024/03/04), numeric with the year last in order
// (04/03/2024, 4.3.24, 04-03-2024), or with the month's English name (4
// March 2024, Mar 4, 2024, 4-Mar-24), with or without a time of day after
// it. A two-digit year is the latest year ending so that is not after
// today. A numeric date whose day and month could swap is read in order;
// with UnknownOrder it is read only when they are equal.
func ParseDate(s string, order DateOrder, today record.Date) (record.Date, bool) {
	s = dateOnly(s)
	if p := numericParts(s); p != nil {
		if len(p) != 3 {
			return "", false
		}
		n := make([]int, 3)
		for i, x := range p {
			if x == "" || len(x) > 4 {
				return "", false
			}
			n[i], _ = strconv.Atoi(x)
		}
		switch {
		case len(p[0]) == 4:
			return makeDate(n[0], n[1], n[2])
		case len(p[2]) != 2 && len(p[2]) != 4 || len(p[0]) > 2 || len(p[1]) > 2:
			return "", false
		}
		y := fullYear(n[2], len(p[2]), today)
		switch {
		case n[0] == n[1], order == DayFirst:
			return makeDate(y, n[1], n[0])
		case order == MonthFirst:
			return makeDate(y, n[0], n[1])
		}
		return "", false
	}
	// A month by name: its other two numbers are the day and the year, the
	// year being the one of four digits, or the last.
	var month time.Month
	var nums []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == '-' || r == '/' || r == '.'
	}) {
		if m, ok := monthNames[w]; ok && month == 0 {
			month = m
			continue
		}
		if w == "of" || w == "the" {
			continue // "the 4th of March"
		}
		w = strings.TrimRight(w, "stndrh") // 1st, 2nd, 3rd, 4th
		if w == "" || strings.TrimLeft(w, "0123456789") != "" || len(w) > 4 {
			return "", false
		}
		nums = append(nums, w)
	}
	if month == 0 || len(nums) != 2 {
		return "", false
	}
	day, year := nums[0], nums[1]
	if len(day) == 4 {
		day, year = year, day
	}
	if len(day) > 2 || len(year) != 2 && len(year) != 4 {
		return "", false
	}
	d, _ := strconv.Atoi(day)
	y, _ := strconv.Atoi(year)
	return makeDate(fullYear(y, len(year), today), int(month), d)
}

// fullYear turns a two-digit year into the latest year ending so that is
// not after today's year: 24 is 2024 in 2026, 99 is 1999.
func fullYear(y, digits int, today record.Date) int {
	if digits != 2 {
		return y
	}
	now := today.Time().Year()
	if today.Time().IsZero() {
		now = time.Now().Year()
	}
	y += now / 100 * 100
	if y > now {
		y -= 100
	}
	return y
}

func makeDate(y, m, d int) (record.Date, bool) {
	if y < record.MinYear || y > record.MaxYear || m < 1 || m > 12 || d < 1 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return "", false // 31 April
	}
	return record.DateOf(t), true
}

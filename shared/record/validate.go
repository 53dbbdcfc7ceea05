package record

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// FieldError is one problem with one field. Message starts with the field's
// label and says what to do: "phone: at most 20 characters, got 31".
type FieldError struct {
	Field   string // stored field name, e.g. "birth_date"
	Message string // e.g. "birth date: not a date (use YYYY-MM-DD)"
}

func (e FieldError) Error() string { return e.Message }

// Errors lists the problems found in a record, at most one per field, in
// field order.
type Errors []FieldError

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Message
	}
	return strings.Join(msgs, "; ")
}

// On returns the message for the field called name, or "" if it has none:
// what a form shows next to that field.
func (es Errors) On(name string) string {
	for _, e := range es {
		if e.Field == name {
			return e.Message
		}
	}
	return ""
}

// Validate checks every field of the record v (a record struct or a pointer
// to one) against its schema, then the rules that relate fields (a
// vaccination expires after it was given, a project ends after it starts).
// It returns nil or [Errors]; any other error means v is not a record.
//
// Validate checks what this version knows. A value only a newer app knows
// (an enum choice added later) fails here, so a form should report it
// without blocking edits to other fields.
func Validate(v any) error {
	s, rv, err := recordValue(v)
	if err != nil {
		return err
	}
	var errs Errors
	bad := map[string]bool{}
	for i := range s.Fields {
		f := &s.Fields[i]
		if msg := checkField(f, rv.Field(f.index).Interface()); msg != "" {
			errs = append(errs, FieldError{Field: f.Name, Message: f.Label + ": " + msg})
			bad[f.Name] = true
		}
	}
	for _, e := range crossCheck(rv.Addr().Interface()) {
		if !bad[e.Field] && !bad[e.other] {
			f, _ := s.Field(e.Field)
			errs = append(errs, FieldError{Field: e.Field, Message: f.Label + ": " + e.msg})
		}
	}
	if errs != nil {
		return errs
	}
	return nil
}

// Check returns what is wrong with x as a value of f, without the label,
// or "": what [Validate] says of that field. x has the field's Go type (a
// string for text, a []string for a list). An importer tests a value with
// it before putting it in a record, to keep what does not fit elsewhere.
func (f *Field) Check(x any) string { return checkField(f, x) }

// checkField returns what is wrong with value x of field f, without the
// label, or "".
func checkField(f *Field, x any) string {
	switch f.Kind {
	case KindText, KindEnum, KindRef, KindBlob:
		s := x.(string)
		if strings.TrimSpace(s) == "" {
			if f.Required {
				return "required"
			}
			if s == "" || f.Kind == KindText {
				return ""
			}
		}
		return checkString(f, s)
	case KindTextList, KindEnumList, KindRefList:
		return checkList(f, x.([]string))
	case KindInt:
		n := x.(int64)
		if f.Required && n == 0 {
			return "required"
		}
		return checkRange(f, n, f.Unit)
	case KindBool:
		return ""
	case KindDate:
		d := x.(Date)
		if d.IsZero() {
			if f.Required {
				return "required"
			}
			return ""
		}
		return checkDate(d)
	case KindInstant:
		i := x.(Instant)
		if i.IsZero() {
			if f.Required {
				return "required"
			}
			return ""
		}
		switch {
		case i.Zone == "":
			return "needs a time zone, such as Europe/London"
		case i.UnixMilli < minInstant || i.UnixMilli >= maxInstant:
			return fmt.Sprintf("must be between %d and %d", MinYear, MaxYear)
		}
		if _, err := LoadZone(i.Zone); err != nil {
			return fmt.Sprintf("unknown time zone %q (use a name such as Europe/London)", truncate(i.Zone, 64))
		}
		return ""
	case KindMoney:
		m := x.(Money)
		if m.IsZero() {
			if f.Required {
				return "required"
			}
			return ""
		}
		if !validCurrency(m.Currency) {
			return "use a 3-letter currency code such as GBP"
		}
		switch {
		case m.Minor < int64(f.Min) && f.Min == 0:
			return "must not be negative"
		case m.Minor < int64(f.Min), m.Minor > int64(f.Max):
			return fmt.Sprintf("must be between %d and %d %s minor units", f.Min, f.Max, m.Currency)
		}
		return ""
	}
	return ""
}

// checkString checks a non-empty string (a scalar or a list entry).
func checkString(f *Field, s string) string {
	if !utf8.ValidString(s) {
		return "contains bytes that are not text (invalid UTF-8)"
	}
	switch f.Kind {
	case KindEnum, KindEnumList:
		for _, e := range f.Enum {
			if s == e {
				return ""
			}
		}
		return "must be one of " + strings.Join(f.EnumLabels, ", ")
	case KindRef, KindRefList:
		if !ValidID(s) {
			return "not a record id (1 to 64 of a-z, 0-9, _ and -)"
		}
		return ""
	case KindBlob:
		if !validBlobRef(s) {
			return "not a blob reference (64 lowercase hex characters)"
		}
		return ""
	}
	if n := utf8.RuneCountInString(s); n > f.Max {
		return fmt.Sprintf("at most %d characters, got %d", f.Max, n)
	}
	if f.Format == "email" && !emailShape(s) {
		return "not an email address (name@example.com)"
	}
	return ""
}

func checkList(f *Field, l []string) string {
	if len(l) == 0 {
		if f.Required {
			return "required"
		}
		return ""
	}
	if len(l) > f.Items {
		return fmt.Sprintf("at most %d entries, got %d", f.Items, len(l))
	}
	for i, s := range l {
		if strings.TrimSpace(s) == "" {
			return fmt.Sprintf("entry %d is empty", i+1)
		}
		if msg := checkString(f, s); msg != "" {
			return fmt.Sprintf("entry %d: %s", i+1, msg)
		}
		for j := range i {
			if l[j] == s {
				return fmt.Sprintf("entry %d repeats entry %d", i+1, j+1)
			}
		}
	}
	return ""
}

func checkRange(f *Field, n int64, unit string) string {
	if unit != "" {
		unit = " " + unit
	}
	switch {
	case n < int64(f.Min) && f.Min == 0:
		return fmt.Sprintf("must not be negative, got %d", n)
	case n < int64(f.Min):
		return fmt.Sprintf("at least %d%s, got %d", f.Min, unit, n)
	case n > int64(f.Max):
		return fmt.Sprintf("at most %d%s, got %d", f.Max, unit, n)
	}
	return ""
}

func checkDate(d Date) string {
	if !d.Valid() {
		return "not a date (use YYYY-MM-DD)"
	}
	if y := d.Time().Year(); y < MinYear || y > MaxYear {
		return fmt.Sprintf("year must be between %d and %d", MinYear, MaxYear)
	}
	return ""
}

func validBlobRef(s string) bool {
	if len(s) != BlobRefLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// emailShape is a deliberately loose check (something@domain.tld, no
// spaces): it catches typing slips without refusing unusual real addresses.
func emailShape(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.ContainsAny(s, " \t\r\n<>,;") && !strings.Contains(domain, "@")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// MissingReason says what to write as the reason of a project whose
// status needs one, cancelled or no-show, when reason is blank; else "".
// A reason tells whoever reads the client's history later whether the
// client called ahead or simply never came. [Validate] applies it, and
// package schedule when a person changes a status.
func MissingReason(status, reason string) string {
	if strings.TrimSpace(reason) != "" {
		return ""
	}
	switch status {
	case "cancelled":
		return "say why the project is cancelled (for example: the client called, the pet is unwell)"
	case "no_show":
		return "say what happened (for example: no answer at the door, no call)"
	}
	return ""
}

// crossError is a rule relating two fields; it is reported on Field, and
// only when neither field already has a problem of its own.
type crossError struct {
	Field, other, msg string
}

func crossCheck(v any) []crossError {
	var out []crossError
	add := func(field, other, msg string) { out = append(out, crossError{field, other, msg}) }
	switch r := v.(type) {
	case *Client:
		if r.DoNotBook && strings.TrimSpace(r.DoNotBookReason) == "" {
			add("do_not_book_reason", "do_not_book", "required when do not book is set")
		}
	case *Invoice:
		if !r.Issued.IsZero() && !r.Due.IsZero() && r.Due < r.Issued {
			add("due", "issued", fmt.Sprintf("must be on or after the issue date (%s)", r.Issued))
		}
	case *Vaccination:
		if !r.Given.IsZero() && !r.Expires.IsZero() && r.Expires <= r.Given {
			add("expires", "given", fmt.Sprintf("must be after the date given (%s)", r.Given))
		}
	case *Project:
		if !r.Start.IsZero() && !r.End.IsZero() && r.End.UnixMilli <= r.Start.UnixMilli {
			add("end", "start", "must be after the start")
		}
		if msg := MissingReason(r.Status, r.StatusReason); msg != "" {
			add("status_reason", "status", msg)
		}
	case *Settings:
		if r.Currency != "" && !validCurrency(r.Currency) {
			add("currency", "currency", "use a three-letter code in capitals, such as GBP or EUR")
		}
	case *Info:
		if r.Currency != "" && !validCurrency(r.Currency) {
			add("currency", "currency", "use a three-letter code in capitals, such as GBP or EUR")
		}
	case *Payment:
		if !r.Tip.IsZero() && !r.Amount.IsZero() && r.Tip.Currency != r.Amount.Currency {
			add("tip", "amount", fmt.Sprintf("must be in the same currency as the amount (%s)", r.Amount.Currency))
		}
	case *Photo:
		if r.Project == "" && r.Pet == "" {
			add("project", "pet", "a photo belongs to a project or a pet; choose one")
		}
	}
	return out
}

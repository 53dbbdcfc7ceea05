package csvimport

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"pawfile/shared/record"
)

// Result is what [Convert] made of a table: the rows that became clients
// and the problems of the rows that did not. A row is in one or the other,
// never both, so the app can import Clients and list Problems (skip the bad
// rows), or import nothing until Problems is empty.
type Result struct {
	Clients   []Imported // good rows, in file order
	Problems  []Problem  // every problem of every bad row, in file order
	BadRows   int        // rows with at least one problem
	BlankRows int        // rows with no value in any mapped column, left out
}

// Err returns nil when every row converted, or an error that counts the bad
// rows and quotes the first problem.
func (r Result) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	rows := "1 row has"
	if r.BadRows != 1 {
		rows = fmt.Sprintf("%d rows have", r.BadRows)
	}
	return fmt.Errorf("csvimport: %s problems; fix them in the file or skip those rows (first: %s)", rows, r.Problems[0])
}

// Imported is one converted row: a valid client and its valid pets, with
// the ids the caller's function gave them.
type Imported struct {
	Row    int // the row of the file it came from (see [Row.Number])
	ID     string
	Client record.Client
	Pets   []ImportedPet
}

// ImportedPet is a pet of an imported client; Pet.Client is the client's id.
type ImportedPet struct {
	ID  string
	Pet record.Pet
}

// Problem is one thing wrong with one field of one row.
type Problem struct {
	Row     int    // as a spreadsheet numbers it, header included
	Field   string // the record field: "phones", "name"; a pet's are "pet.breed"…
	Message string // "phones: entry 1: at most 20 characters, got 31 (column C “Mobile”)"
}

func (p Problem) Error() string { return fmt.Sprintf("row %d, %s", p.Row, p.Message) }

// Check reports a mapping that cannot import anything: without a name
// every row would fail.
func (m Mapping) Check() error {
	for _, f := range m {
		if f == Name || f == FirstName || f == LastName {
			return nil
		}
	}
	return errors.New("csvimport: no column is chosen for the client's name; pick the column that holds names (or first and last names)")
}

// Convert turns the rows of t into clients and pets as m says. newID gives
// each client and pet its record id (nil means [record.NewID]). Every value
// is checked with [record.Validate]. The error is for a mapping that cannot
// work (see [Mapping.Check]); problems with rows are in the Result.
//
// Cells are trimmed, and the apostrophe [Escape] puts before a formula-like
// cell is removed, so a file Pawfile exported imports back as it was.
func Convert(t *Table, m Mapping, newID func() string) (Result, error) {
	if err := m.Check(); err != nil {
		return Result{}, err
	}
	if newID == nil {
		newID = record.NewID
	}
	c := converter{t: t, m: m, newID: newID}
	for i, f := range m {
		if f == Notes && i < len(t.Headers) {
			c.notesCols++
		}
	}
	var res Result
	for _, row := range t.Rows {
		imp, probs, blank := c.row(row)
		switch {
		case blank:
			res.BlankRows++
		case len(probs) > 0:
			res.BadRows++
			res.Problems = append(res.Problems, probs...)
		default:
			res.Clients = append(res.Clients, imp)
		}
	}
	return res, nil
}

type converter struct {
	t         *Table
	m         Mapping
	newID     func() string
	notesCols int
}

// value is one non-blank cell and the column it came from.
type value struct {
	col int
	s   string
}

func (c *converter) row(row Row) (imp Imported, probs []Problem, blank bool) {
	vals := map[Field][]value{}
	for i, f := range c.m {
		if f == Ignore || i >= len(c.t.Headers) {
			continue
		}
		if s := strings.TrimSpace(Unescape(strings.TrimSpace(row.Cell(i)))); s != "" {
			vals[f] = append(vals[f], value{i, s})
		}
	}
	if len(vals) == 0 {
		return Imported{}, nil, true
	}
	problem := func(field string, from []Field, msg string) {
		probs = append(probs, Problem{Row: row.Number, Field: field, Message: msg + c.columns(from...)})
	}

	var cl record.Client
	if v := vals[Name]; len(v) > 0 {
		cl.Name = v[0].s
	} else {
		cl.Name = strings.TrimSpace(first(vals[FirstName]) + " " + first(vals[LastName]))
	}
	for _, v := range vals[Phone] {
		for _, p := range split(v.s, "/;,\n|") {
			if sciNumber.MatchString(p) {
				problem("phones", []Field{Phone}, fmt.Sprintf("phones: %q is a number a spreadsheet rounded, not a phone number; format the column as text in the original and export again", p))
			}
			cl.Phones = appendNew(cl.Phones, p)
		}
	}
	for _, v := range vals[Email] {
		for _, e := range strings.FieldsFunc(v.s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
			cl.Emails = appendNew(cl.Emails, e)
		}
	}
	var addr []string
	for _, v := range vals[Address] {
		addr = append(addr, v.s)
	}
	cl.Address = strings.Join(addr, ", ")
	var notes []string
	for _, v := range vals[Notes] {
		if c.notesCols > 1 {
			// Several note columns ("Allergies", "Comments"): say which was which.
			notes = append(notes, c.t.Headers[v.col]+": "+v.s)
		} else {
			notes = append(notes, v.s)
		}
	}
	cl.Notes = strings.Join(notes, "\n")
	for _, v := range vals[Tags] {
		for _, tag := range split(v.s, ",;|") {
			cl.Tags = appendNew(cl.Tags, tag)
		}
	}
	if v := vals[MarketingConsent]; len(v) > 0 {
		yes, ok := parseYesNo(v[0].s)
		if !ok {
			problem("marketing_consent", []Field{MarketingConsent}, fmt.Sprintf("marketing consent: %q is not yes or no; write yes or no (or leave it blank for no)", truncate(v[0].s, 40)))
		}
		cl.MarketingConsent = yes
	}

	imp = Imported{Row: row.Number, ID: c.newID(), Client: cl}
	if err := record.Validate(&cl); err != nil {
		probs = append(probs, c.fieldProblems(row.Number, "", "", err)...)
	}

	names := splitPets(vals[PetName])
	breeds := splitPets(vals[PetBreed])
	species := splitPets(vals[PetSpecies])
	for _, extra := range []struct {
		list  []string
		field string
		f     Field
		one   string
		many  string
	}{{breeds, "pet.breed", PetBreed, "breed", "breeds"}, {species, "pet.species", PetSpecies, "species", "species"}} {
		// One value for several pets is common ("Bella, Max" and "Dog"):
		// it applies to all. Otherwise they pair up by position.
		if n := len(extra.list); n > 1 && n != len(names) || n > 0 && len(names) == 0 {
			problem(extra.field, []Field{PetName, extra.f}, fmt.Sprintf("pets: %s but %s; give one per pet, in the same order, separated by commas", count(len(names), "pet name", "pet names"), count(n, extra.one, extra.many)))
		}
	}
	for i, name := range names {
		p := record.Pet{Client: imp.ID, Name: name, Breed: pick(breeds, i)}
		if s := pick(species, i); s != "" {
			sp, ok := parseSpecies(s)
			if !ok {
				problem("pet.species", []Field{PetSpecies}, fmt.Sprintf("pet %q, species: %q is not one of %s; use one of those or leave it blank", truncate(name, 40), truncate(s, 40), speciesLabels()))
			}
			p.Species = sp
		}
		if err := record.Validate(&p); err != nil {
			probs = append(probs, c.fieldProblems(row.Number, "pet.", fmt.Sprintf("pet %q, ", truncate(name, 40)), err)...)
		}
		imp.Pets = append(imp.Pets, ImportedPet{ID: c.newID(), Pet: p})
	}
	if len(probs) > 0 {
		return Imported{}, probs, false
	}
	return imp, nil, false
}

// fieldProblems turns Validate's per-field errors into problems that also
// name the columns the value came from.
func (c *converter) fieldProblems(row int, fieldPrefix, msgPrefix string, err error) []Problem {
	var errs record.Errors
	if !errors.As(err, &errs) {
		// Not a field problem: a record type Validate does not know, which
		// is a bug here, reported rather than hidden.
		return []Problem{{Row: row, Field: fieldPrefix, Message: msgPrefix + err.Error()}}
	}
	var out []Problem
	for _, e := range errs {
		out = append(out, Problem{Row: row, Field: fieldPrefix + e.Field, Message: msgPrefix + e.Message + c.columns(sources(fieldPrefix+e.Field)...)})
	}
	return out
}

// sources lists the import fields that feed a record field.
func sources(recordField string) []Field {
	switch recordField {
	case "name":
		return []Field{Name, FirstName, LastName}
	case "phones":
		return []Field{Phone}
	case "emails":
		return []Field{Email}
	case "address":
		return []Field{Address}
	case "notes":
		return []Field{Notes}
	case "tags":
		return []Field{Tags}
	case "marketing_consent":
		return []Field{MarketingConsent}
	case "pet.name":
		return []Field{PetName}
	case "pet.breed":
		return []Field{PetBreed}
	case "pet.species":
		return []Field{PetSpecies}
	}
	return nil
}

// columns names the columns mapped to any of fs: ` (column C “Mobile”)`.
func (c *converter) columns(fs ...Field) string {
	var names []string
	for i, f := range c.m {
		if i >= len(c.t.Headers) || f == Ignore {
			continue
		}
		for _, g := range fs {
			if f == g {
				names = append(names, ColumnName(i, c.t.Headers[i]))
				break
			}
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return " (column " + names[0] + ")"
	}
	return " (columns " + strings.Join(names, ", ") + ")"
}

// ColumnName names column i (from 0) as a spreadsheet does, with its
// header: `C “Mobile”`, or `C` for a column without one.
func ColumnName(i int, header string) string {
	letters := ""
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		letters = string(rune('A'+(n-1)%26)) + letters
	}
	if header == "" {
		return letters
	}
	return letters + " “" + truncate(header, 40) + "”"
}

// sciNumber matches what a spreadsheet makes of a long phone number stored
// as a number: "4.47701E+11". The digits are gone for good, so importing it
// would keep a wrong number.
var sciNumber = regexp.MustCompile(`^[0-9]+([.,][0-9]+)?[eE]\+?[0-9]+$`)

// petSep splits "Bella and Max", "Bella & Max", "Bella, Max", "Bella / Max".
var petSep = regexp.MustCompile(`(?i)\s*(?:[,;/&+\n]|\band\b)\s*`)

func splitPets(vals []value) []string {
	var out []string
	for _, v := range vals {
		for _, s := range petSep.Split(v.s, -1) {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func split(s, seps string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// appendNew appends s unless it is already there: the same phone in the
// "Home" and "Mobile" columns is one phone (Validate refuses repeats).
func appendNew(l []string, s string) []string {
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

func first(vs []value) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0].s
}

func pick(l []string, i int) string {
	switch {
	case len(l) == 1:
		return l[0]
	case i < len(l):
		return l[i]
	}
	return ""
}

func parseYesNo(s string) (yes, ok bool) {
	switch strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(s, "-", " ")), " ")) {
	case "yes", "y", "true", "t", "1", "x", "✓", "✔", "on", "ok", "agreed", "accepted", "subscribed", "opted in", "opt in", "consented":
		return true, true
	case "no", "n", "false", "f", "0", "off", "", "declined", "unsubscribed", "opted out", "opt out", "not subscribed", "none":
		return false, true
	}
	return false, false
}

var speciesSynonyms = map[string]string{
	"canine": "dog", "puppy": "dog", "dogs": "dog", "feline": "cat", "kitten": "cat", "cats": "cat",
	"bunny": "rabbit", "rabbits": "rabbit", "cavy": "guinea_pig", "guinea_pigs": "guinea_pig",
}

func parseSpecies(s string) (string, bool) {
	k := strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == '-' || r == '_' }), "_")
	if v, ok := speciesSynonyms[k]; ok {
		k = v
	}
	f := speciesField()
	for _, e := range f.Enum {
		if e == k {
			return k, true
		}
	}
	return "", false
}

func speciesField() *record.Field {
	s, _ := record.SchemaOf(record.TypePet)
	f, _ := s.Field("species")
	return f
}

func speciesLabels() string { return strings.Join(speciesField().EnumLabels, ", ") }

// count reads "1 breed", "2 breeds", "no pet names".
func count(n int, one, many string) string {
	switch n {
	case 0:
		return "no " + many
	case 1:
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

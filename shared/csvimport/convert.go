package csvimport

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"pawfile/shared/record"
)

// Result is what [Convert] made of a table: a client for every row with a
// value in a mapped column, and every value that did not fit its field
// and was kept in notes instead.
type Result struct {
	Clients   []Imported // in file order
	Kept      []Kept     // in file order
	BlankRows int        // rows with no value in any mapped column, left out
}

// Imported is one converted row: a valid client, its pets with their
// vaccinations, and its last visits, with the ids the caller's function
// gave them.
type Imported struct {
	Row    int // the row of the file it came from (see [Row.Number])
	ID     string
	Client record.Client
	Pets   []ImportedPet
	Visits []ImportedVisit
}

// ImportedPet is a pet of an imported client; Pet.Client is the client's id.
type ImportedPet struct {
	ID           string
	Pet          record.Pet
	Vaccinations []ImportedVaccination // Vaccination.Pet is the pet's id
}

// ImportedVaccination is a vaccination of an imported pet.
type ImportedVaccination struct {
	ID          string
	Vaccination record.Vaccination
}

// ImportedVisit is a past visit: a done grooming project of the client
// and the row's pets, so that "due again" and the lapsed list count from
// it.
type ImportedVisit struct {
	ID      string
	Project record.Project
}

// Counts is how many records of each kind a [Result] holds.
type Counts struct {
	Clients, Pets, Vaccinations, Visits int
}

// Counts counts the records r would import.
func (r Result) Counts() Counts {
	n := Counts{Clients: len(r.Clients)}
	for _, c := range r.Clients {
		n.Pets += len(c.Pets)
		n.Visits += len(c.Visits)
		for _, p := range c.Pets {
			n.Vaccinations += len(p.Vaccinations)
		}
	}
	return n
}

// Kept is one value that did not fit its field. The row is imported all
// the same, and the value kept where Place says, marked as [Kept.Note]
// writes it, so nothing of the row is lost.
type Kept struct {
	Row   int    // as a spreadsheet numbers it, header included
	What  string // what the value was meant to be: "email", "birth date"
	Why   string // "not valid", "in the future"
	Value string // as the file had it
	Place Place
}

// Note is the line the notes hold: "Imported email, not valid: not-an-email".
func (k Kept) Note() string { return "Imported " + k.What + ", " + k.Why + ": " + k.Value }

// Place says where a [Kept] value is.
type Place int

// The places a value that does not fit is kept.
const (
	ClientNotes    Place = iota // a line of the client's notes
	PetNotes                    // a line of the pet's notes
	BehaviourNotes              // a line of the pet's behaviour notes, as it was
	Shortened                   // the field holds it cut to fit; the whole is a line of the client's notes
	PetShortened                // the same, in the pet's notes
	Renamed                     // no name: the client is named "No name (row N)"
	Cut                         // notes too long: cut to fit, the rest left out
)

// Problem is one kind of value that did not fit: what the import's
// summary says once, however many rows it concerns.
type Problem struct {
	What, Why string
	Place     Place
	Count     int   // values
	Rows      []int // the rows they are on, in file order, each once
}

// String reads "637 emails were not valid: kept in each client's notes".
func (p Problem) String() string {
	what, verb, each := p.What, "was", "the"
	if p.Count != 1 {
		what, verb, each = plural(p.What), "were", "each"
	}
	var where string
	switch p.Place {
	case ClientNotes:
		where = "kept in " + each + " client's notes"
	case PetNotes:
		where = "kept in " + each + " pet's notes"
	case BehaviourNotes:
		where = "kept in " + each + " pet's behaviour notes"
	case Shortened:
		where = "shortened to fit, and kept whole in " + each + " client's notes"
	case PetShortened:
		where = "shortened to fit, and kept whole in " + each + " pet's notes"
	case Renamed:
		where = "imported as “No name (row …)”: give them a name"
	case Cut:
		where = fmt.Sprintf("cut at %d characters, the rest left out", record.LongTextMax)
	}
	return fmt.Sprintf("%d %s %s %s: %s", p.Count, what, verb, p.Why, where)
}

// Problems groups r.Kept by kind, in the order each kind first appears.
func (r Result) Problems() []Problem {
	type key struct {
		what, why string
		place     Place
	}
	at := map[key]int{}
	var out []Problem
	for _, k := range r.Kept {
		kk := key{k.What, k.Why, k.Place}
		i, ok := at[kk]
		if !ok {
			i, at[kk] = len(out), len(out)
			out = append(out, Problem{What: k.What, Why: k.Why, Place: k.Place})
		}
		p := &out[i]
		p.Count++
		if n := len(p.Rows); n == 0 || p.Rows[n-1] != k.Row {
			p.Rows = append(p.Rows, k.Row)
		}
	}
	return out
}

// plural is the plural of what a Kept names: "emails", "allergies",
// "Rabies vaccination expiries".
func plural(what string) string {
	n := len(what)
	switch {
	case strings.HasSuffix(what, "species"):
		return what
	case strings.HasSuffix(what, "ss"):
		return what + "es"
	case n > 1 && what[n-1] == 'y' && !strings.ContainsRune("aeiou", rune(what[n-2])):
		return what[:n-1] + "ies"
	}
	return what + "s"
}

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

// Choices steer [Convert] beyond the mapping.
type Choices struct {
	// DateOrder reads dates such as 03/04/2024 when [DatesOf] cannot
	// tell (it asks); otherwise what DatesOf found is used.
	DateOrder DateOrder
	// Today is the day of the import: two-digit years end before it, and
	// birth dates and visits cannot be after it. Zero: today in UTC.
	Today record.Date
	// Zone is the IANA zone last visits are recorded in, at noon. Nil: UTC.
	Zone *time.Location
	// NewID gives each record its id; nil means [record.NewID].
	NewID func() string
}

// ErrDateOrder is the error of [Convert] when the file's dates read two
// ways and Choices.DateOrder does not say which.
var ErrDateOrder = errors.New("dates such as 03/04/2024 read two ways; choose whether the day or the month comes first")

// Convert turns every row of t with a value into a client, with its pets,
// their vaccinations and its last visits, as m says. A value that does not
// fit its field (an email that is not one, a birth date in the future) is
// kept in the notes instead, marked (see [Kept]): the rest of its row is
// imported all the same. Every record is valid ([record.Validate]). The
// error is for a mapping or choices that cannot work (see [Mapping.Check],
// [ErrDateOrder]).
//
// Cells are trimmed, and the apostrophe [Escape] puts before a formula-like
// cell is removed, so a file Pawfile exported imports back as it was.
func Convert(t *Table, m Mapping, ch Choices) (Result, error) {
	if err := m.Check(); err != nil {
		return Result{}, err
	}
	c := converter{t: t, m: m, order: ch.DateOrder, today: ch.Today, zone: ch.Zone, newID: ch.NewID}
	if facts := DatesOf(t, m); c.order == UnknownOrder {
		if facts.Ask {
			return Result{}, fmt.Errorf("csvimport: %w", ErrDateOrder)
		}
		c.order = facts.Order
	}
	if c.today.IsZero() {
		c.today = record.DateOf(time.Now().UTC())
	}
	if c.zone == nil {
		c.zone = time.UTC
	}
	if _, err := record.LoadZone(c.zone.String()); err != nil {
		return Result{}, fmt.Errorf("csvimport: visits cannot be recorded in this device's time zone: %w; set the device's time zone", err)
	}
	if c.newID == nil {
		c.newID = record.NewID
	}
	for i, f := range m {
		if f == Notes && i < len(t.Headers) {
			c.notesCols++
		}
	}
	var res Result
	for _, row := range t.Rows {
		imp, kept, blank, err := c.row(row)
		if err != nil {
			return Result{}, err
		}
		if blank {
			res.BlankRows++
			continue
		}
		res.Clients = append(res.Clients, imp)
		res.Kept = append(res.Kept, kept...)
	}
	return res, nil
}

type converter struct {
	t         *Table
	m         Mapping
	order     DateOrder
	today     record.Date
	zone      *time.Location
	newID     func() string
	notesCols int
}

// value is one non-blank cell and the column it came from.
type value struct {
	col int
	s   string
}

// rowState gathers one row's records and what did not fit them.
type rowState struct {
	row        int
	kept       []Kept
	clientNote []string // lines added to the client's notes
	petNote    map[int][]string
	behaviour  map[int][]string
}

// keep records that value v did not fit, and puts it where place says;
// pet is the pet's index for the pet places.
func (r *rowState) keep(what, why, v string, place Place, pet int) {
	k := Kept{Row: r.row, What: what, Why: why, Value: v, Place: place}
	r.kept = append(r.kept, k)
	switch place {
	case ClientNotes, Shortened:
		r.clientNote = append(r.clientNote, k.Note())
	case PetNotes, PetShortened:
		r.petNote[pet] = append(r.petNote[pet], k.Note())
	case BehaviourNotes:
		r.behaviour[pet] = append(r.behaviour[pet], v)
	}
}

var (
	clientSchema, _  = record.SchemaOf(record.TypeClient)
	petSchema, _     = record.SchemaOf(record.TypePet)
	projectSchema, _ = record.SchemaOf(record.TypeProject)
	fPhones          = field(clientSchema, "phones")
	fEmails          = field(clientSchema, "emails")
	fTags            = field(clientSchema, "tags")
	fName            = field(clientSchema, "name")
	fAddress         = field(clientSchema, "address")
	fPetName         = field(petSchema, "name")
	fBreed           = field(petSchema, "breed")
	fAllergies       = field(petSchema, "allergies")
)

func field(s *record.Schema, name string) *record.Field {
	f, ok := s.Field(name)
	if !ok {
		panic("csvimport: no field " + name) // a renamed field: caught by every test
	}
	return f
}

// fits says whether s fits as one entry of list field f.
func fits(f *record.Field, s string) bool { return f.Check([]string{s}) == "" }

func (c *converter) row(row Row) (imp Imported, kept []Kept, blank bool, err error) {
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
		return Imported{}, nil, true, nil
	}
	r := &rowState{row: row.Number, petNote: map[int][]string{}, behaviour: map[int][]string{}}
	imp = Imported{Row: row.Number, ID: c.newID()}
	cl := &imp.Client

	if v := vals[Name]; len(v) > 0 {
		cl.Name = v[0].s
	} else {
		cl.Name = strings.TrimSpace(first(vals[FirstName]) + " " + first(vals[LastName]))
	}
	switch {
	case cl.Name == "":
		cl.Name = fmt.Sprintf("No name (row %d)", row.Number)
		r.keep("name", "missing", "", Renamed, 0)
	case fName.Check(cl.Name) != "":
		r.keep("name", "too long", cl.Name, Shortened, 0)
		cl.Name = cut(cl.Name, fName.Max)
	}
	for _, v := range vals[Phone] {
		for _, p := range split(v.s, "/;,\n|") {
			switch {
			case sciNumber.MatchString(p):
				r.keep("phone number", "rounded by a spreadsheet", p, ClientNotes, 0)
			case !fits(fPhones, p):
				r.keep("phone number", "not valid", p, ClientNotes, 0)
			case len(cl.Phones) == fPhones.Items && !contains(cl.Phones, p):
				r.keep("phone number", fmt.Sprintf("beyond the %d a client has", fPhones.Items), p, ClientNotes, 0)
			default:
				cl.Phones = appendNew(cl.Phones, p)
			}
		}
	}
	for _, v := range vals[Email] {
		for _, e := range emails(v.s) {
			switch {
			case !fits(fEmails, e):
				r.keep("email", "not valid", e, ClientNotes, 0)
			case len(cl.Emails) == fEmails.Items && !contains(cl.Emails, e):
				r.keep("email", fmt.Sprintf("beyond the %d a client has", fEmails.Items), e, ClientNotes, 0)
			default:
				cl.Emails = appendNew(cl.Emails, e)
			}
		}
	}
	var addr []string
	for _, v := range vals[Address] {
		addr = append(addr, v.s)
	}
	if a := strings.Join(addr, ", "); fAddress.Check(a) == "" {
		cl.Address = a
	} else {
		r.keep("address", "too long", a, ClientNotes, 0)
	}
	for _, v := range vals[Tags] {
		for _, tag := range split(v.s, ",;|") {
			switch {
			case !fits(fTags, tag):
				r.keep("tag", "too long", tag, ClientNotes, 0)
			case len(cl.Tags) == fTags.Items && !contains(cl.Tags, tag):
				r.keep("tag", fmt.Sprintf("beyond the %d a client has", fTags.Items), tag, ClientNotes, 0)
			default:
				cl.Tags = appendNew(cl.Tags, tag)
			}
		}
	}
	if v := vals[MarketingConsent]; len(v) > 0 {
		yes, ok := parseYesNo(v[0].s)
		if !ok {
			// No consent unless it was given: the value stays in the notes.
			r.keep("marketing consent", "not yes or no", v[0].s, ClientNotes, 0)
		}
		cl.MarketingConsent = yes
	}

	c.pets(r, &imp, vals)
	c.visits(r, &imp, vals)

	var notes []string
	for _, v := range vals[Notes] {
		if c.notesCols > 1 {
			// Several note columns ("Allergies", "Comments"): say which was which.
			notes = append(notes, c.t.Headers[v.col]+": "+v.s)
		} else {
			notes = append(notes, v.s)
		}
	}
	cl.Notes = r.notes("note", append(notes, r.clientNote...))
	for i := range imp.Pets {
		p := &imp.Pets[i].Pet
		p.Notes = r.notes("pet note", r.petNote[i])
		p.BehaviourNotes = r.notes("behaviour note", r.behaviour[i])
	}

	// Every value was checked on its way in; this is the last guard.
	if err := record.Validate(cl); err != nil {
		return Imported{}, nil, false, invalid(row.Number, err)
	}
	for _, p := range imp.Pets {
		if err := record.Validate(&p.Pet); err != nil {
			return Imported{}, nil, false, invalid(row.Number, err)
		}
		for _, v := range p.Vaccinations {
			if err := record.Validate(&v.Vaccination); err != nil {
				return Imported{}, nil, false, invalid(row.Number, err)
			}
		}
	}
	for _, v := range imp.Visits {
		if err := record.Validate(&v.Project); err != nil {
			return Imported{}, nil, false, invalid(row.Number, err)
		}
	}
	return imp, r.kept, false, nil
}

func invalid(row int, err error) error {
	return fmt.Errorf("csvimport: row %d made a record that is not valid (%w); this is a mistake in Pawfile: please report it with the row", row, err)
}

// notes joins lines into a notes field, cut to fit.
func (r *rowState) notes(what string, lines []string) string {
	s := strings.Join(lines, "\n")
	if utf8.RuneCountInString(s) > record.LongTextMax {
		r.kept = append(r.kept, Kept{Row: r.row, What: what, Why: "too long", Value: truncate(s, 80), Place: Cut})
		s = cut(s, record.LongTextMax)
	}
	return s
}

// pets makes the row's pets and their care facts.
func (c *converter) pets(r *rowState, imp *Imported, vals map[Field][]value) {
	names := splitPets(vals[PetName])
	if len(names) == 0 {
		// Care facts with no pet to hold them stay with the client.
		for _, f := range []Field{PetBreed, PetSpecies, PetBirthDate, PetAllergies, PetBehaviour, PetInterval, VaccineGiven, VaccineExpires} {
			for _, v := range vals[f] {
				r.keep(c.what(f, v.col), "on a row with no pet name", v.s, ClientNotes, 0)
			}
		}
		return
	}
	for _, name := range names {
		p := record.Pet{Client: imp.ID, Name: name}
		if fPetName.Check(name) != "" {
			r.keep("pet name", "too long", name, PetShortened, len(imp.Pets))
			p.Name = cut(name, fPetName.Max)
		}
		imp.Pets = append(imp.Pets, ImportedPet{ID: c.newID(), Pet: p})
	}
	pets := imp.Pets
	breeds, species := splitPets(vals[PetBreed]), splitPets(vals[PetSpecies])
	for _, extra := range []struct {
		list []string
		f    Field
	}{{breeds, PetBreed}, {species, PetSpecies}} {
		// One value for several pets is common ("Bella, Max" and "Dog"):
		// it applies to all. Otherwise they pair up by position.
		if n := len(extra.list); n > 1 && n != len(names) {
			for _, v := range vals[extra.f] {
				r.keep(c.what(extra.f, v.col), "not one per pet", v.s, ClientNotes, 0)
			}
			if extra.f == PetBreed {
				breeds = nil
			} else {
				species = nil
			}
		}
	}
	for i := range pets {
		p := &pets[i].Pet
		if b := pick(breeds, i); b != "" {
			if fBreed.Check(b) == "" {
				p.Breed = b
			} else {
				r.keep("breed", "too long", b, PetNotes, i)
			}
		}
		if s := pick(species, i); s != "" {
			if sp, ok := parseSpecies(s); ok {
				p.Species = sp
			} else {
				r.keep("species", "not one of "+speciesLabels(), s, PetNotes, i)
			}
		}
	}
	// Allergies and behaviour apply to each pet of the row: an alert on a
	// pet that does not need it is safer than one missing.
	for _, v := range vals[PetAllergies] {
		for _, a := range allergies(v.s) {
			for i := range pets {
				p := &pets[i].Pet
				switch {
				case !fits(fAllergies, a):
					r.keep("allergy", "too long", a, PetNotes, i)
				case len(p.Allergies) == fAllergies.Items && !contains(p.Allergies, a):
					r.keep("allergy", fmt.Sprintf("beyond the %d a pet has", fAllergies.Items), a, PetNotes, i)
				default:
					p.Allergies = appendNew(p.Allergies, a)
				}
			}
		}
	}
	for _, v := range vals[PetBehaviour] {
		flags, rest := behaviour(v.s)
		for i := range pets {
			p := &pets[i].Pet
			for _, f := range flags {
				p.BehaviourFlags = appendNew(p.BehaviourFlags, f)
			}
			for _, s := range rest {
				r.keep("behaviour", "not among the flags", s, BehaviourNotes, i)
			}
		}
	}
	for _, v := range vals[PetInterval] {
		c.perPet(r, v, PetInterval, len(pets), true, func(i int, s string) {
			if w, ok := interval(s); ok {
				pets[i].Pet.GroomingIntervalWeeks = w
			} else {
				r.keep("grooming interval", "not a number of weeks", s, PetNotes, i)
			}
		})
	}
	for _, v := range vals[PetBirthDate] {
		c.perPet(r, v, PetBirthDate, len(pets), false, func(i int, s string) {
			if d, ok := c.pastDate(r, "birth date", s, PetNotes, i); ok && pets[i].Pet.BirthDate.IsZero() {
				pets[i].Pet.BirthDate = d
			}
		})
	}
	// Vaccinations: one per vaccine a column names, given and expiry
	// columns of the same vaccine making one record.
	for _, f := range []Field{VaccineGiven, VaccineExpires} {
		for _, v := range vals[f] {
			name := vaccineName(c.t.Headers[v.col])
			c.perPet(r, v, f, len(pets), false, func(i int, s string) {
				c.vaccination(r, &pets[i], i, name, f, s)
			})
		}
	}
}

// vaccination records date s, from a column of field f, on pet p's
// vaccination against name.
func (c *converter) vaccination(r *rowState, p *ImportedPet, i int, name string, f Field, s string) {
	what := name + " vaccination"
	var d record.Date
	var ok bool
	if f == VaccineGiven {
		what += " date"
		d, ok = c.pastDate(r, what, s, PetNotes, i)
	} else {
		what += " expiry"
		if d, ok = ParseDate(s, c.order, c.today); !ok {
			r.keep(what, "not a date", s, PetNotes, i)
		}
	}
	if !ok {
		return
	}
	var v *record.Vaccination
	for k := range p.Vaccinations {
		if strings.EqualFold(p.Vaccinations[k].Vaccination.Name, name) {
			v = &p.Vaccinations[k].Vaccination
		}
	}
	if v == nil {
		p.Vaccinations = append(p.Vaccinations, ImportedVaccination{ID: c.newID(), Vaccination: record.Vaccination{Pet: p.ID, Name: name}})
		v = &p.Vaccinations[len(p.Vaccinations)-1].Vaccination
	}
	before := *v
	if f == VaccineGiven {
		v.Given = d
	} else {
		v.Expires = d
	}
	if record.Validate(v) != nil {
		// Expiring before it was given, or a second date for one vaccine.
		*v = before
		r.keep(what, "does not fit its other date", s, PetNotes, i)
	}
}

// pastDate reads s as a date not after today, or keeps it where place says.
func (c *converter) pastDate(r *rowState, what, s string, place Place, pet int) (record.Date, bool) {
	d, ok := ParseDate(s, c.order, c.today)
	switch {
	case !ok:
		r.keep(what, "not a date", s, place, pet)
	case d > c.today:
		r.keep(what, "in the future", s, place, pet)
	default:
		return d, true
	}
	return "", false
}

// perPet hands each pet of the row its value from cell v: one per pet
// ("2019-03-04; 2021-05-06"), or, when all, one value for every pet. A
// cell that fits neither is kept in the client's notes.
func (c *converter) perPet(r *rowState, v value, f Field, pets int, all bool, each func(pet int, s string)) {
	vs := []string{v.s}
	if pets > 1 {
		vs = splitPetValues(v.s)
	}
	switch {
	case len(vs) == pets:
		for i, s := range vs {
			each(i, s)
		}
	case len(vs) == 1 && all:
		for i := range pets {
			each(i, vs[0])
		}
	default:
		r.keep(c.what(f, v.col), "not one per pet", v.s, ClientNotes, 0)
	}
}

// visits makes a done grooming for each last visit on the row: of all its
// pets, or of each pet when the cell has a date per pet.
func (c *converter) visits(r *rowState, imp *Imported, vals map[Field][]value) {
	byDay := map[record.Date][]string{}
	var days []record.Date
	add := func(d record.Date, pet string) {
		if _, ok := byDay[d]; !ok {
			days = append(days, d)
			byDay[d] = []string{}
		}
		if pet != "" && !contains(byDay[d], pet) {
			byDay[d] = append(byDay[d], pet)
		}
	}
	for _, v := range vals[LastVisit] {
		if len(imp.Pets) == 0 {
			if d, ok := c.pastDate(r, "last visit", v.s, ClientNotes, 0); ok {
				add(d, "")
			}
			continue
		}
		c.perPet(r, v, LastVisit, len(imp.Pets), true, func(i int, s string) {
			if d, ok := c.pastDate(r, "last visit", s, ClientNotes, 0); ok {
				add(d, imp.Pets[i].ID)
			}
		})
	}
	most := field(projectSchema, "pets").Items
	for _, d := range days {
		t := d.Time()
		start := record.InstantOf(time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, c.zone))
		pets := byDay[d]
		for one := true; one || len(pets) > 0; one = false { // a project holds at most 20 pets
			n := min(len(pets), most)
			imp.Visits = append(imp.Visits, ImportedVisit{ID: c.newID(), Project: record.Project{
				Client: imp.ID, Pets: pets[:n], Kind: "grooming", Title: "Grooming (imported)", Status: "done", Start: start,
			}})
			pets = pets[n:]
		}
	}
}

// what names the value of a column mapped to f, for a [Kept].
func (c *converter) what(f Field, col int) string {
	switch f {
	case PetBreed:
		return "breed"
	case PetSpecies:
		return "species"
	case PetBirthDate:
		return "birth date"
	case PetAllergies:
		return "allergy"
	case PetBehaviour:
		return "behaviour"
	case PetInterval:
		return "grooming interval"
	case LastVisit:
		return "last visit"
	case VaccineGiven:
		return vaccineName(c.t.Headers[col]) + " vaccination date"
	case VaccineExpires:
		return vaccineName(c.t.Headers[col]) + " vaccination expiry"
	}
	return string(f)
}

// emails splits a cell of addresses: "a@x.com; b@y.org", or "a@x.com
// b@y.org". A piece with spaces that is not all addresses stays whole, so
// "ann at example dot com" is kept as one value, not four.
func emails(cell string) []string {
	var out []string
	for _, piece := range split(cell, ";,\n\t") {
		words := strings.Fields(piece)
		all := len(words) > 1
		for _, w := range words {
			all = all && fits(fEmails, w)
		}
		if all {
			out = append(out, words...)
		} else {
			out = append(out, piece)
		}
	}
	return out
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
	if contains(l, s) {
		return l
	}
	return append(l, s)
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
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
	return k, contains(field(petSchema, "species").Enum, k)
}

func speciesLabels() string { return strings.Join(field(petSchema, "species").EnumLabels, ", ") }

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// cut shortens s to at most n characters, the last an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

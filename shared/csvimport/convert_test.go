package csvimport

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pawfile/shared/record"
)

func TestGuess(t *testing.T) {
	tests := []struct {
		headers []string
		want    Mapping
	}{
		{
			[]string{"Name", "Phone", "Email", "Address", "Notes"},
			Mapping{Name, Phone, Email, Address, Notes},
		},
		{
			[]string{"First Name", "Last Name", "Mobile Number", "Home Phone", "E-mail Address", "Street", "Town", "Post Code", "Comments"},
			Mapping{FirstName, LastName, Phone, Phone, Email, Address, Address, Address, Notes},
		},
		{
			[]string{"Customer", "Tel", "Dog's Name", "Breed", "Pet Type", "Accepts Email Marketing", "Tags"},
			Mapping{Name, Phone, PetName, PetBreed, PetSpecies, MarketingConsent, Tags},
		},
		{
			// Someone else's details, other dates and ids are not client fields.
			[]string{"Client ID", "Full name", "Vet Name", "Vet Phone", "Emergency contact phone", "Next appointment", "First appointment", "Created", "Owner DOB"},
			Mapping{Ignore, Name, Ignore, Ignore, Ignore, Ignore, Ignore, Ignore, Ignore},
		},
		{
			// Only the first name-like column is the client's name.
			[]string{"Owner name", "Surname", "Name", "  NEWSLETTER opt-in ", "Pet names", "Zip", ""},
			Mapping{Name, LastName, Ignore, MarketingConsent, PetName, Address, Ignore},
		},
	}
	for _, tt := range tests {
		if got := Guess(tt.headers); !slices.Equal(got, tt.want) {
			t.Errorf("Guess(%q)\n got  %q\n want %q", tt.headers, got, tt.want)
		}
	}
	for _, f := range Fields() {
		if f.Label() == "" {
			t.Errorf("%q has no label", f)
		}
	}
}

// ids returns a newID function giving "c1", "c2", … so results are predictable.
func ids() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("id%d", n) }
}

func convert(t *testing.T, csv string) Result {
	t.Helper()
	tb, err := Read(strings.NewReader(csv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Convert(tb, Guess(tb.Headers), Choices{NewID: ids(), Today: "2026-12-06", DateOrder: DayFirst})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestConvert(t *testing.T) {
	res := convert(t, "First name,Last name,Mobile,Home phone,Email,Street,Town,Postcode,Marketing,Tags,Pet name,Breed,Species,Notes\n"+
		"Ann,Lee,'+44 7700 900123,01632 960001,ann@example.com; a.lee@example.org,1 High St,Leeds,LS1 1AA,Yes,\"vip, mobile\",Bella & Max,Cockapoo,Dog,Gate code 1234\n"+
		",,,,,,,,,,,,,\n"+
		"Bo Smith,,01632 960002,01632 960002,,,,,no,,,,,\n")
	if len(res.Kept) != 0 || res.BlankRows != 1 || len(res.Clients) != 2 {
		t.Fatalf("result %+v", res)
	}
	want := Imported{
		Row: 2,
		ID:  "id1",
		Client: record.Client{
			Name:             "Ann Lee",
			Phones:           []string{"+44 7700 900123", "01632 960001"},
			Emails:           []string{"ann@example.com", "a.lee@example.org"},
			Address:          "1 High St, Leeds, LS1 1AA",
			Notes:            "Gate code 1234",
			Tags:             []string{"vip", "mobile"},
			MarketingConsent: true,
		},
		Pets: []ImportedPet{
			{ID: "id2", Pet: record.Pet{Client: "id1", Name: "Bella", Breed: "Cockapoo", Species: "dog"}},
			{ID: "id3", Pet: record.Pet{Client: "id1", Name: "Max", Breed: "Cockapoo", Species: "dog"}},
		},
	}
	if !reflect.DeepEqual(res.Clients[0], want) {
		t.Errorf("got  %+v\nwant %+v", res.Clients[0], want)
	}
	bo := res.Clients[1]
	// "Bo Smith" is in the first-name column; the same phone twice is one phone.
	if bo.Row != 4 || bo.Client.Name != "Bo Smith" || !slices.Equal(bo.Client.Phones, []string{"01632 960002"}) || len(bo.Pets) != 0 {
		t.Errorf("second client %+v", bo)
	}
}

// TestConvertKeeps: a value that does not fit its field is kept, marked,
// in the notes, and the rest of its row is imported.
func TestConvertKeeps(t *testing.T) {
	tests := []struct {
		name   string
		csv    string
		notes  string   // the first client's notes
		pet    string   // its first pet's notes
		kept   []string // every Kept, as "row N: summary line"
		client func(c Imported) bool
	}{
		{
			"phone too long",
			"Name,Mobile,Email\nAl,0123456789012345678901234567890,al@example.com\n",
			"Imported phone number, not valid: 0123456789012345678901234567890", "",
			[]string{"row 2: 1 phone number was not valid: kept in the client's notes"},
			func(c Imported) bool { return len(c.Client.Phones) == 0 && c.Client.Emails[0] == "al@example.com" },
		},
		{
			"name missing",
			"Name,Phone\n,0113\n",
			"", "",
			[]string{"row 2: 1 name was missing: imported as “No name (row …)”: give them a name"},
			func(c Imported) bool { return c.Client.Name == "No name (row 2)" && c.Client.Phones[0] == "0113" },
		},
		{
			"bad email and bad consent on one row",
			"Name,Email,Newsletter,Notes\nAl,not-an-address,maybe,Gate 12\n",
			"Gate 12\nImported email, not valid: not-an-address\nImported marketing consent, not yes or no: maybe", "",
			[]string{
				"row 2: 1 email was not valid: kept in the client's notes",
				"row 2: 1 marketing consent was not yes or no: kept in the client's notes",
			},
			func(c Imported) bool { return len(c.Client.Emails) == 0 && !c.Client.MarketingConsent },
		},
		{
			"an address in words is one value, not four",
			"Name,Email\nAl,al at example dot com; al@example.com\n",
			"Imported email, not valid: al at example dot com", "",
			[]string{"row 2: 1 email was not valid: kept in the client's notes"},
			func(c Imported) bool { return len(c.Client.Emails) == 1 },
		},
		{
			"phone a spreadsheet turned into a number",
			"Name,Phone\nAl,4.47701E+11\n",
			"Imported phone number, rounded by a spreadsheet: 4.47701E+11", "",
			[]string{"row 2: 1 phone number was rounded by a spreadsheet: kept in the client's notes"},
			nil,
		},
		{
			"pet species unknown, pet name too long",
			"Name,Pet,Species\nAl,Bella,hamster\nBo," + strings.Repeat("R", 81) + ",cat\n",
			"", "Imported species, not one of dog, cat, rabbit, guinea pig, ferret, other: hamster",
			[]string{
				"row 2: 1 species was not one of dog, cat, rabbit, guinea pig, ferret, other: kept in the pet's notes",
				"row 3: 1 pet name was too long: shortened to fit, and kept whole in the pet's notes",
			},
			func(c Imported) bool { return c.Pets[0].Pet.Name == "Bella" && c.Pets[0].Pet.Species == "" },
		},
		{
			"breeds do not pair with pets",
			"Name,Pets,Breeds\nAl,Bella and Max,\"Pug, Poodle, Lab\"\nBo,,Pug\n",
			"Imported breed, not one per pet: Pug, Poodle, Lab", "",
			[]string{
				"row 2: 1 breed was not one per pet: kept in the client's notes",
				"row 3: 1 breed was on a row with no pet name: kept in the client's notes",
			},
			func(c Imported) bool { return len(c.Pets) == 2 && c.Pets[0].Pet.Breed == "" },
		},
		{
			"care facts that do not fit",
			"Name,Pet,Birthdate,Grooming interval,Last visit,Behaviour\nAl,Rex,31/02/2020,sometimes,01/01/2030,\"Bites, likes ham\"\n",
			"Imported last visit, in the future: 01/01/2030",
			"Imported grooming interval, not a number of weeks: sometimes\nImported birth date, not a date: 31/02/2020",
			[]string{
				"row 2: 1 behaviour was not among the flags: kept in the pet's behaviour notes",
				"row 2: 1 grooming interval was not a number of weeks: kept in the pet's notes",
				"row 2: 1 birth date was not a date: kept in the pet's notes",
				"row 2: 1 last visit was in the future: kept in the client's notes",
			},
			func(c Imported) bool {
				p := c.Pets[0].Pet
				return len(c.Visits) == 0 && p.BirthDate == "" && slices.Equal(p.BehaviourFlags, []string{"bites"}) && p.BehaviourNotes == "likes ham"
			},
		},
		{
			"notes too long are cut",
			"Name,Notes\nAl," + strings.Repeat("n", 4001) + "\n",
			strings.Repeat("n", 3999) + "…", "",
			[]string{"row 2: 1 note was too long: cut at 4000 characters, the rest left out"},
			nil,
		},
		{
			"row numbers count the header, blank lines and multi-line cells",
			"Name,Notes\nAl,\"one\ntwo\"\n\nBo,ok\n," + "x\n",
			"one\ntwo", "",
			[]string{"row 5: 1 name was missing: imported as “No name (row …)”: give them a name"},
			nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convert(t, tt.csv)
			var got []string
			for _, k := range res.Kept {
				got = append(got, fmt.Sprintf("row %d: %s", k.Row, Problem{What: k.What, Why: k.Why, Place: k.Place, Count: 1}))
			}
			if !slices.Equal(got, tt.kept) {
				t.Errorf("kept\n got  %q\n want %q", got, tt.kept)
			}
			if len(res.Clients) == 0 {
				t.Fatal("no client imported")
			}
			c := res.Clients[0]
			if c.Client.Notes != tt.notes {
				t.Errorf("client notes\n got  %q\n want %q", c.Client.Notes, tt.notes)
			}
			if len(c.Pets) > 0 && c.Pets[0].Pet.Notes != tt.pet {
				t.Errorf("pet notes\n got  %q\n want %q", c.Pets[0].Pet.Notes, tt.pet)
			}
			if tt.client != nil && !tt.client(c) {
				t.Errorf("client %+v", c)
			}
		})
	}
}

func TestConvertMapping(t *testing.T) {
	tb, err := Read(strings.NewReader("Client,Phone,Dog\nAl,1,Rex\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Convert(tb, Mapping{Ignore, Phone}, Choices{}); err == nil || !strings.Contains(err.Error(), "pick the column that holds names") {
		t.Errorf("mapping without a name: %v", err)
	}
	// The person edits the mapping: the dog's name column is ignored, the
	// mapping is shorter than the table, and nil newID gives real ids.
	res, err := Convert(tb, Mapping{Name, Phone}, Choices{})
	if err != nil || len(res.Clients) != 1 || len(res.Clients[0].Pets) != 0 || !record.ValidID(res.Clients[0].ID) {
		t.Errorf("edited mapping: %+v, %v", res, err)
	}
	// A mapping longer than the table is fine too.
	if _, err := Convert(tb, Mapping{Name, Phone, PetName, Notes, Notes}, Choices{}); err != nil {
		t.Error(err)
	}
}

func TestConvertSeveralNoteColumns(t *testing.T) {
	res := convert(t, "Name,Notes,Comments\nAl,Gate code 1,Prefers mornings\nBo,,Only one\n")
	if got := res.Clients[0].Client.Notes; got != "Notes: Gate code 1\nComments: Prefers mornings" {
		t.Errorf("notes %q", got)
	}
	if got := res.Clients[1].Client.Notes; got != "Comments: Only one" {
		t.Errorf("notes %q", got)
	}
}

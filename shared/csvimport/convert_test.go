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
			// Someone else's details, dates and ids are not client fields.
			[]string{"Client ID", "Full name", "Vet Name", "Vet Phone", "Emergency contact phone", "Last visit", "First appointment", "Created"},
			Mapping{Ignore, Name, Ignore, Ignore, Ignore, Ignore, Ignore, Ignore},
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
	res, err := Convert(tb, Guess(tb.Headers), ids())
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
	if res.Err() != nil || res.BadRows != 0 || res.BlankRows != 1 || len(res.Clients) != 2 {
		t.Fatalf("result %+v, err %v", res, res.Err())
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

func TestConvertProblems(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want []string // every problem's Error(), in order
	}{
		{
			"phone too long",
			"Name,Mobile\nAl,0123456789012345678901234567890\n",
			[]string{`row 2, phones: entry 1: at most 20 characters, got 31 (column B “Mobile”)`},
		},
		{
			"name missing",
			"Name,Phone\n,0113\n",
			[]string{`row 2, name: required (column A “Name”)`},
		},
		{
			"name from first and last names missing",
			"First name,Last name,Phone\n,,0113\n",
			[]string{`row 2, name: required (columns A “First name”, B “Last name”)`},
		},
		{
			"bad email and bad consent on one row",
			"Name,Email,Newsletter\nAl,not-an-address,maybe\n",
			[]string{
				`row 2, marketing consent: "maybe" is not yes or no; write yes or no (or leave it blank for no) (column C “Newsletter”)`,
				`row 2, emails: entry 1: not an email address (name@example.com) (column B “Email”)`,
			},
		},
		{
			"phone a spreadsheet turned into a number",
			"Name,Phone\nAl,4.47701E+11\n",
			[]string{`row 2, phones: "4.47701E+11" is a number a spreadsheet rounded, not a phone number; format the column as text in the original and export again (column B “Phone”)`},
		},
		{
			"pet species unknown, pet name too long",
			"Name,Pet,Species\nAl,Bella,hamster\nBo," + strings.Repeat("R", 81) + ",cat\n",
			[]string{
				`row 2, pet "Bella", species: "hamster" is not one of dog, cat, rabbit, guinea pig, ferret, other; use one of those or leave it blank (column C “Species”)`,
				`row 3, pet "` + strings.Repeat("R", 40) + `…", name: at most 80 characters, got 81 (column B “Pet”)`,
			},
		},
		{
			"breeds do not pair with pets",
			"Name,Pets,Breeds\nAl,Bella and Max,\"Pug, Poodle, Lab\"\nBo,,Pug\n",
			[]string{
				`row 2, pets: 2 pet names but 3 breeds; give one per pet, in the same order, separated by commas (columns B “Pets”, C “Breeds”)`,
				`row 3, pets: no pet names but 1 breed; give one per pet, in the same order, separated by commas (columns B “Pets”, C “Breeds”)`,
			},
		},
		{
			"row numbers count the header, blank lines and multi-line cells",
			"Name,Notes\nAl,\"one\ntwo\"\n\nBo,ok\n," + "x\n",
			[]string{`row 5, name: required (column A “Name”)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convert(t, tt.csv)
			var got []string
			for _, p := range res.Problems {
				got = append(got, p.Error())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems\n got  %q\n want %q", got, tt.want)
			}
			// No half-converted rows: a bad row is not among the clients.
			for _, c := range res.Clients {
				for _, p := range res.Problems {
					if c.Row == p.Row {
						t.Errorf("row %d is both imported and refused", c.Row)
					}
				}
			}
			if res.Err() == nil {
				t.Error("Err() is nil with problems")
			}
		})
	}
}

func TestConvertMapping(t *testing.T) {
	tb, err := Read(strings.NewReader("Client,Phone,Dog\nAl,1,Rex\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Convert(tb, Mapping{Ignore, Phone}, nil); err == nil || !strings.Contains(err.Error(), "pick the column that holds names") {
		t.Errorf("mapping without a name: %v", err)
	}
	// The person edits the mapping: the dog's name column is ignored, the
	// mapping is shorter than the table, and nil newID gives real ids.
	res, err := Convert(tb, Mapping{Name, Phone}, nil)
	if err != nil || len(res.Clients) != 1 || len(res.Clients[0].Pets) != 0 || !record.ValidID(res.Clients[0].ID) {
		t.Errorf("edited mapping: %+v, %v", res, err)
	}
	// A mapping longer than the table is fine too.
	if _, err := Convert(tb, Mapping{Name, Phone, PetName, Notes, Notes}, nil); err != nil {
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

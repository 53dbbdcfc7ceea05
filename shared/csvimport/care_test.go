package csvimport

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pawfile/shared/record"
)

func TestParseDate(t *testing.T) {
	const today = record.Date("2026-12-06")
	tests := []struct {
		in    string
		order DateOrder
		want  record.Date // "" for not a date
	}{
		{"2024-03-04", UnknownOrder, "2024-03-04"},
		{"2024/3/4", UnknownOrder, "2024-03-04"},
		{"2024-03-04T10:30:00Z", UnknownOrder, "2024-03-04"},
		{"2024-03-04 10:30", UnknownOrder, "2024-03-04"},
		{"04/03/2024", DayFirst, "2024-03-04"},
		{"04/03/2024", MonthFirst, "2024-04-03"},
		{"04/03/2024", UnknownOrder, ""}, // reads two ways
		{"05/05/2024", UnknownOrder, "2024-05-05"},
		{"25/03/2024", MonthFirst, ""}, // no 25th month
		{"4.3.24", DayFirst, "2024-03-04"},
		{"04-03-99", DayFirst, "1999-03-04"},
		{"04 03 2026", DayFirst, "2026-03-04"},
		{"01/01/27", DayFirst, "1927-01-01"}, // not after today's year
		{"04/03/2024 2:30 pm", DayFirst, "2024-03-04"},
		{"4 March 2024", UnknownOrder, "2024-03-04"},
		{"March 4, 2024", UnknownOrder, "2024-03-04"},
		{"4-Mar-24", UnknownOrder, "2024-03-04"},
		{"Mar 4th 2024", UnknownOrder, "2024-03-04"},
		{"the 4th of March 2024", UnknownOrder, "2024-03-04"},
		{"2024 March 4", UnknownOrder, "2024-03-04"},
		{"31/02/2020", DayFirst, ""},
		{"29/02/2024", DayFirst, "2024-02-29"},
		{"29/02/2023", DayFirst, ""},
		{"00/01/2020", DayFirst, ""},
		{"01/13/2020", DayFirst, ""},
		{"1899-12-31", UnknownOrder, ""},
		{"2024-03", UnknownOrder, ""},
		{"03/2024", DayFirst, ""},
		{"4/3/2024/1", DayFirst, ""},
		{"4/3-2024", DayFirst, ""},
		{"43528", DayFirst, ""},
		{"yes", DayFirst, ""},
		{"March", DayFirst, ""},
		{"4 March", DayFirst, ""},
		{"4 Mar 2024 5", DayFirst, ""},
		{"", DayFirst, ""},
	}
	for _, tt := range tests {
		got, ok := ParseDate(tt.in, tt.order, today)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("ParseDate(%q, %v) = %q, %v; want %q", tt.in, tt.order, got, ok, tt.want)
		}
	}
}

func TestDatesOf(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want DateFacts
	}{
		{"a day past 12 first", "Name,DOB,Last visit\nAl,03/04/2020,25/11/2024\n", DateFacts{Order: DayFirst, Example: "03/04/2020"}},
		{"a day past 12 second", "Name,DOB\nAl,03/04/2020\nBo,12/31/2019\n", DateFacts{Order: MonthFirst, Example: "03/04/2020"}},
		{"every day 12 or less", "Name,DOB\nAl,03/04/2020\nBo,11/12/2019\n", DateFacts{Ask: true, Example: "03/04/2020"}},
		{"both orders", "Name,DOB\nAl,25/04/2020\nBo,11/30/2019\n", DateFacts{Ask: true, Mixed: true, Example: "01/02/2024"}},
		{"ISO and names tell nothing, ask nothing", "Name,DOB,Last visit\nAl,2020-04-03,4 March 2024\nBo,05/05/2020,\n", DateFacts{}},
		{"one date per pet", "Name,Pets,DOB\nAl,Rex & Bo,01/02/2020; 13/02/2021\n", DateFacts{Order: DayFirst, Example: "01/02/2020"}},
		{"columns not mapped to dates are not looked at", "Name,Phone\nAl,03/04/2020\n", DateFacts{}},
	}
	for _, tt := range tests {
		tb := mustRead(t, []byte(tt.csv), Options{})
		if got := DatesOf(tb, Guess(tb.Headers)); got != tt.want {
			t.Errorf("%s: DatesOf = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	// Convert asks for the order when the file cannot tell.
	tb := mustRead(t, []byte("Name,Pet,DOB\nAl,Rex,03/04/2020\n"), Options{})
	if _, err := Convert(tb, Guess(tb.Headers), Choices{}); err == nil || !strings.Contains(err.Error(), ErrDateOrder.Error()) {
		t.Errorf("Convert with dates that read two ways: %v", err)
	}
	for order, want := range map[DateOrder]record.Date{DayFirst: "2020-04-03", MonthFirst: "2020-03-04"} {
		res, err := Convert(tb, Guess(tb.Headers), Choices{DateOrder: order})
		if err != nil || res.Clients[0].Pets[0].Pet.BirthDate != want {
			t.Errorf("order %v: %+v, %v; want born %s", order, res.Clients, err, want)
		}
	}
}

func TestCareValues(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"Chicken, beef; wheat", []string{"chicken", "beef", "wheat"}},
		{"None", nil},
		{"n/a", nil},
		{"NKDA", nil},
		{"Allergic to chlorhexidine", []string{"chlorhexidine"}},
		{"oatmeal shampoo / none", []string{"oatmeal shampoo"}},
	} {
		if got := allergies(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("allergies(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in          string
		flags, rest []string
	}{
		{"Bites, nervous", []string{"bites", "anxious"}, nil},
		{"Hates the dryer; NAILS; muzzle", []string{"dryer_sensitive", "nail_sensitive", "muzzle"}, nil},
		{"dog-aggressive & escape artist", []string{"dog_aggressive", "escape_risk"}, nil},
		{"Bites, likes ham, bites", []string{"bites"}, []string{"likes ham"}},
		{"Lovely", nil, nil},
		{"sits for treats", nil, []string{"sits for treats"}},
	} {
		flags, rest := behaviour(tt.in)
		if !slices.Equal(flags, tt.flags) || !slices.Equal(rest, tt.rest) {
			t.Errorf("behaviour(%q) = %q, %q; want %q, %q", tt.in, flags, rest, tt.flags, tt.rest)
		}
	}
	for in, want := range map[string]int64{"6": 6, "6 weeks": 6, "every 8 wks": 8, "4-6 weeks": 4, "6w": 6, "2 months": 9,
		"Monthly": 4, "fortnightly": 2, "3 mths": 13, "0": 0, "105": 0, "sometimes": 0, "6 days": 0, "-2": 0} {
		got, ok := interval(in)
		if got != want && ok || ok != (want != 0) {
			t.Errorf("interval(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for header, want := range map[string]string{"Rabies expiry": "Rabies", "Kennel Cough due": "Kennel Cough", "DHPP (given)": "DHPP",
		"Vaccinations due": "Vaccination", "Last vaccination": "Vaccination", "Vaccinated until": "Vaccination", "Dog's lepto booster date": "Dog's lepto"} {
		if got := vaccineName(header); got != want {
			t.Errorf("vaccineName(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestGuessCare(t *testing.T) {
	headers := []string{"Owner", "Dog's name", "Allergies", "Behaviour notes", "Temperament", "Date of birth", "DOB", "Groom every (weeks)",
		"Grooming frequency", "Last visit", "Last groomed", "Rabies", "Kennel cough due", "Last vaccination", "Vaccinated until", "Birthday", "Next appointment"}
	want := Mapping{Name, PetName, PetAllergies, PetBehaviour, PetBehaviour, PetBirthDate, Ignore, PetInterval,
		Ignore, LastVisit, Ignore, VaccineExpires, VaccineExpires, VaccineGiven, VaccineExpires, Ignore, Ignore}
	if got := Guess(headers); !slices.Equal(got, want) {
		t.Errorf("Guess(%q)\n got  %q\n want %q", headers, got, want)
	}
}

// TestConvertCare maps each care column and checks the records it makes.
func TestConvertCare(t *testing.T) {
	zone, err := record.LoadZone("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Convert(mustRead(t, []byte(
		"Name,Pets,Allergies,Behaviour,Birthdate,Groom every,Last visit,Rabies given,Rabies expiry,Lepto due\n"+
			"Al,Rex,Chicken,\"Bites, nervous\",25/12/2019,6 weeks,01/11/2026,01/06/2026,01/06/2027,15/01/2027\n"+
			"Bo,Bella & Max,None,muzzle,01/02/2020; 03/04/2021,8,\"01/10/2026; 02/10/2026\",,,\n"+
			"Cy,Tom and Tim,wheat,,01/02/2020,monthly,15/09/2026,,,13/13/2027; 14/13/2027\n"+
			"Di,,fish,,,,01/08/2026,,,\n"), Options{}),
		Guess([]string{"Name", "Pets", "Allergies", "Behaviour", "Birthdate", "Groom every", "Last visit", "Rabies given", "Rabies expiry", "Lepto due"}),
		Choices{Today: "2026-12-06", Zone: zone, NewID: ids()})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Counts(); n != (Counts{Clients: 4, Pets: 5, Vaccinations: 2, Visits: 5}) {
		t.Errorf("counts %+v", n)
	}
	al := res.Clients[0]
	rex := al.Pets[0]
	want := record.Pet{Client: al.ID, Name: "Rex", BirthDate: "2019-12-25", BehaviourFlags: []string{"bites", "anxious"},
		Allergies: []string{"chicken"}, GroomingIntervalWeeks: 6}
	if !equalPet(rex.Pet, want) {
		t.Errorf("Rex %+v\nwant %+v", rex.Pet, want)
	}
	wantVacc := []record.Vaccination{{Pet: rex.ID, Name: "Rabies", Given: "2026-06-01", Expires: "2027-06-01"}, {Pet: rex.ID, Name: "Lepto", Expires: "2027-01-15"}}
	var gotVacc []record.Vaccination
	for _, v := range rex.Vaccinations {
		gotVacc = append(gotVacc, v.Vaccination)
	}
	if !slices.Equal(gotVacc, wantVacc) {
		t.Errorf("vaccinations %+v, want %+v", gotVacc, wantVacc)
	}
	visit := al.Visits[0].Project
	noon := time.Date(2026, 11, 1, 12, 0, 0, 0, zone)
	if visit.Status != "done" || visit.Kind != "grooming" || visit.Start != record.InstantOf(noon) || !slices.Equal(visit.Pets, []string{rex.ID}) || visit.Client != al.ID {
		t.Errorf("last visit %+v", visit)
	}
	// One date per pet pairs; "None" is no allergy; a flag applies to both.
	bo := res.Clients[1]
	if b, m := bo.Pets[0].Pet, bo.Pets[1].Pet; b.BirthDate != "2020-02-01" || m.BirthDate != "2021-04-03" || len(b.Allergies) != 0 ||
		!slices.Equal(m.BehaviourFlags, []string{"muzzle"}) || b.GroomingIntervalWeeks != 8 || m.GroomingIntervalWeeks != 8 {
		t.Errorf("Bella %+v, Max %+v", b, m)
	}
	if len(bo.Visits) != 2 || !slices.Equal(bo.Visits[0].Project.Pets, []string{bo.Pets[0].ID}) || !slices.Equal(bo.Visits[1].Project.Pets, []string{bo.Pets[1].ID}) {
		t.Errorf("Bella and Max's visits %+v", bo.Visits)
	}
	// One birth date for two pets cannot say whose: it stays with the client.
	cy := res.Clients[2]
	if cy.Pets[0].Pet.BirthDate != "" || !strings.Contains(cy.Client.Notes, "Imported birth date, not one per pet: 01/02/2020") ||
		len(cy.Visits) != 1 || len(cy.Visits[0].Project.Pets) != 2 || cy.Pets[1].Pet.GroomingIntervalWeeks != 4 ||
		!slices.Equal(cy.Pets[1].Pet.Allergies, []string{"wheat"}) {
		t.Errorf("Cy %+v", cy)
	}
	// A client without pets keeps their visit, and the allergy in notes.
	di := res.Clients[3]
	if len(di.Visits) != 1 || len(di.Visits[0].Project.Pets) != 0 || di.Client.Notes != "Imported allergy, on a row with no pet name: fish" {
		t.Errorf("Di %+v", di)
	}
	var lines []string
	for _, p := range res.Problems() {
		lines = append(lines, fmt.Sprint(p.Rows, " ", p))
	}
	wantLines := []string{
		"[4] 1 birth date was not one per pet: kept in the client's notes",
		"[4] 2 Lepto vaccination expiries were not a date: kept in each pet's notes",
		"[5] 1 allergy was on a row with no pet name: kept in the client's notes",
	}
	if !slices.Equal(lines, wantLines) {
		t.Errorf("summary\n got  %q\n want %q", lines, wantLines)
	}
}

func equalPet(a, b record.Pet) bool {
	return a.Client == b.Client && a.Name == b.Name && a.BirthDate == b.BirthDate && slices.Equal(a.BehaviourFlags, b.BehaviourFlags) &&
		slices.Equal(a.Allergies, b.Allergies) && a.GroomingIntervalWeeks == b.GroomingIntervalWeeks && a.Notes == b.Notes && a.BehaviourNotes == b.BehaviourNotes
}

// FuzzCareValues: the readers of dates and care values never panic, and
// what they return fits the record.
func FuzzCareValues(f *testing.F) {
	for _, s := range []string{"2024-03-04", "04/03/2024", "4 March 2024", "March 4, 2024", "31/02/2020", "01/01/27 10:30 pm",
		"Bites, nervous; muzzle", "Chicken, n/a", "every 6 wks", "2 months", "4-6 weeks", "01/02/2020; 03/04/2021", "the 1st of may 99"} {
		f.Add(s)
	}
	pet, _ := record.SchemaOf(record.TypePet)
	flags, _ := pet.Field("behaviour_flags")
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range []DateOrder{UnknownOrder, DayFirst, MonthFirst} {
			if d, ok := ParseDate(s, o, "2026-12-06"); ok != d.Valid() || ok && (d.Time().Year() < record.MinYear || d.Time().Year() > record.MaxYear) {
				t.Fatalf("ParseDate(%q) = %q, %v", s, d, ok)
			}
		}
		if fl, _ := behaviour(s); flags.Check(fl) != "" {
			t.Fatalf("behaviour(%q) flags %q: %s", s, fl, flags.Check(fl))
		}
		if w, ok := interval(s); ok && (w < 1 || w > 104) {
			t.Fatalf("interval(%q) = %d", s, w)
		}
		for _, a := range allergies(s) {
			if strings.TrimSpace(a) == "" {
				t.Fatalf("allergies(%q) has an empty entry", s)
			}
		}
		if n := vaccineName(s); n == "" || len([]rune(n)) > 101 {
			t.Fatalf("vaccineName(%q) = %q", s, n)
		}
		splitPetValues(s)
	})
}

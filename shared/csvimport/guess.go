package csvimport

import (
	"strings"
	"unicode"
)

// Field is what a column holds, as far as the import is concerned.
type Field string

// The fields a column can map to. Several columns may map to the same
// list-like field (phones, emails, address, notes, tags, pets): their values
// are combined in column order.
const (
	Ignore           Field = ""
	Name             Field = "name"       // the household's name as shown in the client list
	FirstName        Field = "first_name" // joined with LastName when there is no Name
	LastName         Field = "last_name"
	Phone            Field = "phone"
	Email            Field = "email"
	Address          Field = "address" // street, town, postcode…: joined with ", "
	Notes            Field = "notes"
	Tags             Field = "tags"
	MarketingConsent Field = "marketing_consent"
	PetName          Field = "pet_name" // each name creates a pet of the client
	PetBreed         Field = "pet_breed"
	PetSpecies       Field = "pet_species"
	// The pet's care facts. On a row with several pets, allergies and
	// behaviour apply to each (an alert too many is safer than one
	// missing); a birth date, interval or vaccination date pairs with the
	// pets when the cell has one per pet ("2019-03-04; 2021-05-06").
	PetBirthDate   Field = "pet_birth_date"
	PetAllergies   Field = "pet_allergies"   // each becomes an allergy alert
	PetBehaviour   Field = "pet_behaviour"   // words a flag knows become flags; the rest behaviour notes
	PetInterval    Field = "pet_interval"    // grooming interval: "6", "6 weeks", "monthly"
	LastVisit      Field = "last_visit"      // a done grooming of the row's pets, so Due and Lapsed work
	VaccineGiven   Field = "vaccine_given"   // a vaccination named by the column's header, given on the date
	VaccineExpires Field = "vaccine_expires" // … or expiring on the date
)

// Fields lists every field a column can map to, in the order a picker
// shows them (Ignore first).
func Fields() []Field {
	return []Field{Ignore, Name, FirstName, LastName, Phone, Email, Address, Notes, Tags, MarketingConsent, PetName, PetBreed, PetSpecies,
		PetBirthDate, PetAllergies, PetBehaviour, PetInterval, LastVisit, VaccineGiven, VaccineExpires}
}

// Label is what a person reads for f in the column picker.
func (f Field) Label() string {
	switch f {
	case Ignore:
		return "don't import"
	case Name:
		return "client name"
	case MarketingConsent:
		return "marketing consent (yes/no)"
	case PetName:
		return "pet name(s)"
	case PetBirthDate:
		return "pet birth date"
	case PetAllergies:
		return "pet allergies (care alerts)"
	case PetBehaviour:
		return "pet behaviour (flags)"
	case PetInterval:
		return "pet grooming interval"
	case LastVisit:
		return "last visit (a done grooming)"
	case VaccineGiven:
		return "vaccination given on"
	case VaccineExpires:
		return "vaccination expires on"
	}
	return strings.ReplaceAll(string(f), "_", " ")
}

// Mapping says which field each column of a [Table] feeds: Mapping[i] is
// column i. Columns past its end are ignored. The app shows it for the
// person to correct before [Convert].
type Mapping []Field

// Guess maps columns to fields by their headers, in English, as exports
// from booking products and hand-made spreadsheets name them. Unknown
// headers map to Ignore. Only the first column that looks like the client's
// name (or first name, last name, marketing consent, birth date, interval,
// last visit) takes that field, so a second "Name" column (a vet's, a
// pet's) is not glued onto the first.
func Guess(headers []string) Mapping {
	m := make(Mapping, len(headers))
	taken := map[Field]bool{}
	for i, h := range headers {
		f := guessOne(h)
		switch f {
		case Name, FirstName, LastName, MarketingConsent, PetBirthDate, PetInterval, LastVisit:
			if taken[f] {
				f = Ignore
			}
			taken[f] = true
		}
		m[i] = f
	}
	return m
}

// exact maps normalised headers to fields where words alone would mislead.
var exact = map[string]Field{
	"name": Name, "full name": Name, "client": Name, "client name": Name, "customer": Name,
	"customer name": Name, "owner": Name, "owner name": Name, "owners name": Name, "contact": Name,
	"contact name": Name, "display name": Name, "household": Name, "account name": Name,

	"first": FirstName, "first name": FirstName, "firstname": FirstName, "given name": FirstName,
	"forename": FirstName, "forenames": FirstName, "christian name": FirstName,

	"last": LastName, "last name": LastName, "lastname": LastName, "surname": LastName,
	"family name": LastName,

	"number": Phone, "contact number": Phone, "tel": Phone, "tel no": Phone, "cell": Phone,

	"notes": Notes, "note": Notes, "comments": Notes, "comment": Notes, "remarks": Notes,
	"memo": Notes, "description": Notes, "additional information": Notes, "info": Notes,

	"tags": Tags, "tag": Tags, "labels": Tags, "label": Tags, "groups": Tags, "group": Tags,
	"categories": Tags, "category": Tags,

	"pet": PetName, "pets": PetName, "dog": PetName, "dogs": PetName, "cat": PetName, "cats": PetName,
	"animal": PetName, "animals": PetName,

	"dob": PetBirthDate, "born": PetBirthDate, "birthday": PetBirthDate, "date of birth": PetBirthDate,
	"interval": PetInterval, "frequency": PetInterval, "every": PetInterval, "rebook every": PetInterval,
	"how often": PetInterval, "weeks between visits": PetInterval, "weeks between grooms": PetInterval,

	"breed": PetBreed, "species": PetSpecies, "animal type": PetSpecies, "pet type": PetSpecies,
	"type of pet": PetSpecies, "type of animal": PetSpecies,
}

func guessOne(header string) Field {
	h := normalise(header)
	if f, ok := exact[h]; ok {
		return f
	}
	w := map[string]bool{}
	for _, x := range strings.Fields(h) {
		w[x] = true
	}
	has := func(words ...string) bool {
		for _, x := range words {
			if w[x] {
				return true
			}
		}
		return false
	}
	switch {
	// Someone else's details: importing them as the client's would be wrong.
	case has("vet", "veterinarian", "emergency", "doctor", "insurer", "insurance"):
		return Ignore
	// The pet's care facts, before "pet" and "notes" take "Dog's allergies"
	// and "Behaviour notes".
	case has("allergy", "allergies", "allergic", "allergens", "allergen"):
		return PetAllergies
	case has("behaviour", "behavior", "behavioural", "behavioral", "temperament", "handling", "warning", "warnings", "caution"):
		return PetBehaviour
	case isVaccine(has):
		if has("given", "last", "date", "on", "administered", "vaccinated", "done") && !has("until", "due", "expiry", "expires", "expiration", "exp", "next", "valid", "renewal") {
			return VaccineGiven
		}
		return VaccineExpires
	case has("birth", "birthdate", "birthday", "dob", "born"):
		if has("owner", "client", "customer") {
			return Ignore // the person's, not the pet's
		}
		return PetBirthDate
	case has("interval", "frequency", "rebook", "cycle") || has("every") && has("weeks", "wks", "groom", "grooming", "visit", "visits"):
		return PetInterval
	case has("last", "latest", "previous", "recent") && has("visit", "visited", "groom", "groomed", "grooming", "appointment", "appt", "booking", "seen", "service", "haircut", "cut", "trim"):
		return LastVisit
	// Before email: "Accepts email marketing" is consent, not an address.
	case has("marketing", "newsletter", "newsletters", "subscribed", "subscriber", "optin") ||
		strings.Contains(h, "opt in") || strings.Contains(h, "opted in"):
		return MarketingConsent
	case has("email", "emails", "mail") || strings.Contains(h, "e mail"):
		return Email
	case has("breed", "breeds"):
		return PetBreed
	case has("species"):
		return PetSpecies
	case has("pet", "pets", "dog", "dogs", "cat", "cats", "animal", "animals", "puppy"):
		if has("type", "kind") {
			return PetSpecies
		}
		return PetName
	case has("phone", "phones", "mobile", "telephone", "tel", "cell", "cellphone", "landline", "whatsapp", "sms"):
		return Phone
	// "First visit" and "Last groomed" are not names: the bare words count
	// only beside "name".
	case has("firstname", "forename", "forenames") || has("first", "given") && has("name"):
		return FirstName
	case has("lastname", "surname") || has("last", "family") && has("name"):
		return LastName
	case has("address", "street", "town", "city", "county", "state", "postcode", "zip", "zipcode",
		"postal", "suburb", "country", "province", "line1", "line2", "village", "district") || strings.Contains(h, "post code"):
		return Address
	case has("notes", "note", "comments", "comment", "remarks", "memo"):
		return Notes
	case has("tags", "tag", "labels"):
		return Tags
	case has("name"):
		return Name
	}
	return Ignore
}

// vaccineWords name a vaccination, or a vaccine groomers ask about.
var vaccineWords = []string{"vaccination", "vaccinations", "vaccine", "vaccines", "vacc", "vaccs", "vax", "jab", "jabs",
	"booster", "boosters", "vaccinated", "rabies", "bordetella", "dhpp", "dhp", "dapp", "dappv", "da2pp", "lepto",
	"leptospirosis", "parvo", "distemper", "fvrcp", "felv", "myxo", "myxomatosis", "rhd", "rhd2", "vhd"}

func isVaccine(has func(...string) bool) bool {
	return has(vaccineWords...) || has("kennel") && has("cough")
}

// normalise lowercases a header and turns punctuation into spaces:
// "E-mail Address:" reads "e mail address", "Dog's name" reads "dogs name".
func normalise(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("'", "", "’", "").Replace(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

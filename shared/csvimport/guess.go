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
)

// Fields lists every field a column can map to, in the order a picker
// shows them (Ignore first).
func Fields() []Field {
	return []Field{Ignore, Name, FirstName, LastName, Phone, Email, Address, Notes, Tags, MarketingConsent, PetName, PetBreed, PetSpecies}
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
// name (or first name, last name, marketing consent) takes that field, so a
// second "Name" column (a vet's, a pet's) is not glued onto the first.
func Guess(headers []string) Mapping {
	m := make(Mapping, len(headers))
	taken := map[Field]bool{}
	for i, h := range headers {
		f := guessOne(h)
		switch f {
		case Name, FirstName, LastName, MarketingConsent:
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

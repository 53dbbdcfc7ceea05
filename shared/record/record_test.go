package record

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	// The tests name zones: Go's database makes them load under wasm too.
	_ "time/tzdata"
)

// fill returns a record of type t with every field set to a valid, non-zero
// value that differs from field to field, so a round trip that dropped or
// swapped a field would show.
func fill(t testing.TB, ty Type) any {
	t.Helper()
	s, _ := SchemaOf(ty)
	p, err := New(ty)
	if err != nil {
		t.Fatal(err)
	}
	rv := reflect.ValueOf(p).Elem()
	base := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	for i, f := range s.Fields {
		var x any
		switch f.Kind {
		case KindText:
			x = string([]rune(fmt.Sprintf("%d é %s", i, f.Name))[:min(f.Max, len(f.Name)+4)])
			switch {
			case f.Format == "email":
				x = "a@example.com"
			case f.Name == "currency": // the workspace's, a code
				x = "EUR"
			}
		case KindEnum:
			x = f.Enum[len(f.Enum)-1]
		case KindRef:
			x = NewID()
		case KindBlob:
			x = strings.Repeat("ab", 32)
		case KindTextList:
			x = []string{fmt.Sprintf("%s 1", f.Name), "二"}
			if f.Format == "email" {
				x = []string{"a@example.com", "b.c@example.org"}
			}
		case KindEnumList:
			x = append([]string(nil), f.Enum[:2]...)
		case KindRefList:
			x = []string{NewID(), "imported-id_7"}
		case KindInt:
			x = int64(max(f.Min, 1) + i%3)
		case KindBool:
			x = true
		case KindDate:
			x = DateOf(base.AddDate(0, 0, i))
		case KindInstant:
			loc, _ := time.LoadLocation("Europe/London")
			x = InstantOf(base.Add(time.Duration(i) * time.Hour).In(loc))
		case KindMoney:
			x = Money{Minor: 1250 + int64(i), Currency: "GBP"}
		default:
			t.Fatalf("%s.%s: no filler for kind %s", ty, f.Name, f.Kind)
		}
		rv.Field(f.index).Set(reflect.ValueOf(x))
		if rv.Field(f.index).IsZero() {
			t.Fatalf("%s.%s: filler left it zero", ty, f.Name)
		}
	}
	return p
}

func TestSchemas(t *testing.T) {
	all := Types()
	if len(all) != 17 {
		t.Fatalf("Types() has %d types, want 17", len(all))
	}
	seen := map[Type]bool{}
	for _, ty := range all {
		if seen[ty] {
			t.Errorf("%s listed twice", ty)
		}
		seen[ty] = true
		s, ok := SchemaOf(ty)
		if !ok || s.Type != ty {
			t.Fatalf("SchemaOf(%s) = %v, %v", ty, s, ok)
		}
		if !s.Class.Valid() || ty.Class() != s.Class || !ty.Valid() {
			t.Errorf("%s: class %v", ty, s.Class)
		}
		if len(s.Fields) == 0 {
			t.Errorf("%s: no fields", ty)
		}
		// Every record but a client and the workspace's own (settings,
		// its info, deletion records) belongs to a parent record; an audit entry
		// outlives the client it names.
		if (ty == TypeClient || ty == TypeSettings || ty == TypeInfo || ty == TypeDeletion || ty == TypeAuditEntry) != (s.Parent == "") {
			t.Errorf("%s: parent %q", ty, s.Parent)
		}
		if s.Parent != "" {
			pf, ok := s.Field(s.Parent)
			if !ok || pf.Kind != KindRef || !pf.Ref.Valid() {
				t.Errorf("%s: parent field %q is not a ref to a record type", ty, s.Parent)
			}
		}
		for _, f := range s.Fields {
			if f.Label == "" || strings.Contains(f.Label, "_") {
				t.Errorf("%s.%s: label %q", ty, f.Name, f.Label)
			}
			if isStringKind(f.Kind) && f.Max < 1 {
				t.Errorf("%s.%s: unbounded string", ty, f.Name)
			}
			if f.Kind.IsList() && (f.Items < 1 || f.Items > MaxListDecode) {
				t.Errorf("%s.%s: list bound %d", ty, f.Name, f.Items)
			}
			if (f.Kind == KindRef || f.Kind == KindRefList) && f.Ref != RefStaff && !f.Ref.Valid() {
				t.Errorf("%s.%s: ref to %q", ty, f.Name, f.Ref)
			}
			if len(f.Enum) != len(f.EnumLabels) {
				t.Errorf("%s.%s: enum labels", ty, f.Name)
			}
		}
		v, err := New(ty)
		if err != nil || reflect.TypeOf(v).Kind() != reflect.Pointer {
			t.Fatalf("New(%s) = %T, %v", ty, v, err)
		}
		if TypeOf(v) != ty || TypeOf(reflect.ValueOf(v).Elem().Interface()) != ty {
			t.Errorf("TypeOf(New(%s)) = %q", ty, TypeOf(v))
		}
	}
	want := map[Type]Class{
		TypeClient: ClassClient, TypeContactLog: ClassClient, TypeInvoice: ClassClient, TypeInvoiceLine: ClassClient, TypePayment: ClassClient,
		TypeAuditEntry: ClassClient,
		TypePet:        ClassCare, TypeVaccination: ClassCare, TypeWeighing: ClassCare,
		TypeProject: ClassProject, TypeTask: ClassProject, TypeMilestone: ClassProject, TypeProgressNote: ClassProject, TypePhoto: ClassProject,
		TypeInfo:     ClassProject,
		TypeSettings: ClassOwner, TypeDeletion: ClassOwner,
	}
	for ty, c := range want {
		if ty.Class() != c {
			t.Errorf("%s: class %v, want %v", ty, ty.Class(), c)
		}
	}
	if _, err := New("dog"); err == nil {
		t.Error("New(unknown) succeeded")
	}
	if TypeOf(42) != "" || TypeOf(nil) != "" {
		t.Error("TypeOf of a non-record is not empty")
	}
	if f, _ := mustSchema(TypeProject).Field("status"); f.EnumLabel("no_show") != "no-show" || f.EnumLabel("in_progress") != "in progress" || f.EnumLabel("later") != "later" {
		t.Error("enum labels")
	}
}

func mustSchema(ty Type) *Schema {
	s, ok := SchemaOf(ty)
	if !ok {
		panic(ty)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	for _, ty := range Types() {
		t.Run(string(ty), func(t *testing.T) {
			in := fill(t, ty)
			if err := Validate(in); err != nil {
				t.Fatalf("filled record does not validate: %v", err)
			}
			enc, err := Encode(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(enc) != len(mustSchema(ty).Fields) {
				t.Fatalf("encoded %d fields, schema has %d", len(enc), len(mustSchema(ty).Fields))
			}
			out, _ := New(ty)
			if err := Decode(enc, out); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(in, out) {
				t.Fatalf("round trip changed the record:\n in  %+v\n out %+v", in, out)
			}
			// By value encodes the same as by pointer, and again is byte-identical.
			again, err := Encode(reflect.ValueOf(out).Elem().Interface())
			if err != nil || !reflect.DeepEqual(enc, again) {
				t.Fatalf("re-encoding differs: %v", err)
			}

			// Clearing: a zero record encodes every field, and decoding it
			// over a filled one clears them all.
			zero, _ := New(ty)
			zenc, err := Encode(zero)
			if err != nil || len(zenc) != len(enc) {
				t.Fatalf("zero record: %d fields, %v", len(zenc), err)
			}
			if err := Decode(zenc, out); err != nil {
				t.Fatal(err)
			}
			if !reflect.ValueOf(out).Elem().IsZero() {
				t.Fatalf("decoding zero values did not clear: %+v", out)
			}
		})
	}
}

func TestUnknownFieldsIgnored(t *testing.T) {
	enc, err := Encode(&Client{Name: "Ada", Tags: []string{"vip"}})
	if err != nil {
		t.Fatal(err)
	}
	enc["loyalty_tier"] = []byte{0x63, 'g', 'o', 'l'}        // a newer app's field
	enc["favourite_things"] = []byte{0xff, 0x00, 0x13, 0x37} // even garbage: not ours to read
	var c Client
	if err := Decode(enc, &c); err != nil {
		t.Fatalf("unknown fields made Decode fail: %v", err)
	}
	if c.Name != "Ada" || len(c.Tags) != 1 {
		t.Fatalf("decoded %+v", c)
	}
	// Missing fields are left as they were.
	c2 := Client{Notes: "keep"}
	if err := Decode(map[string][]byte{"name": enc["name"]}, &c2); err != nil || c2.Notes != "keep" || c2.Name != "Ada" {
		t.Fatalf("partial decode: %+v, %v", c2, err)
	}
}

func TestWrongShapeReported(t *testing.T) {
	good, _ := Encode(&Pet{Name: "Rex", WeightGrams: 12000, Allergies: []string{"oats"}})
	fields := map[string][]byte{
		"name":         good["name"],
		"weight_grams": good["name"],                // text where an int belongs
		"allergies":    good["allergies"],           //
		"birth_date":   good["weight_grams"],        // int where a date belongs
		"client":       {0x7f, 0x61, 'a', 0xff},     // indefinite-length text
		"neutered":     append(good["neutered"], 0), // trailing byte
	}
	p := Pet{WeightGrams: 5, BirthDate: "2020-01-01"}
	err := Decode(fields, &p)
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Decode = %v, want Errors", err)
	}
	var names []string
	for _, e := range errs {
		names = append(names, e.Field)
	}
	if got := strings.Join(names, ","); got != "client,neutered,birth_date,weight_grams" {
		t.Fatalf("errors on %s; %v", got, err)
	}
	if !strings.HasPrefix(errs.On("weight_grams"), "weight: stored value is unreadable (want int)") {
		t.Errorf("message %q", errs.On("weight_grams"))
	}
	// The rest decoded; the bad fields kept their values.
	if p.Name != "Rex" || len(p.Allergies) != 1 || p.WeightGrams != 5 || p.BirthDate != "2020-01-01" {
		t.Fatalf("decoded %+v", p)
	}
}

func TestDecodeValueRejects(t *testing.T) {
	long := bytes.Repeat([]byte{'a'}, MaxCellBytes)
	tests := []struct {
		name string
		in   []byte
		into any
	}{
		{"null as text", []byte{0xf6}, new(string)},
		{"undefined as text", []byte{0xf7}, new(string)},
		{"bytes as text", []byte{0x41, 'a'}, new(string)},
		{"invalid utf-8", []byte{0x62, 0xc3, 0x28}, new(string)},
		{"non-shortest int", []byte{0x18, 0x05}, new(int64)},
		{"float as int", []byte{0xf9, 0x3c, 0x00}, new(int64)},
		{"uint over int64", []byte{0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, new(int64)},
		{"int as bool", []byte{0x01}, new(bool)},
		{"tagged text", []byte{0xc0, 0x61, 'a'}, new(string)},
		{"money with 3 elements", []byte{0x83, 0x01, 0x63, 'G', 'B', 'P', 0x01}, new(Money)},
		{"money as map", []byte{0xa1, 0x61, 'a', 0x01}, new(Money)},
		{"instant, text first", []byte{0x82, 0x61, 'a', 0x01}, new(Instant)},
		{"list of ints", []byte{0x82, 0x01, 0x02}, new([]string)},
		{"list claims 2^32 entries", []byte{0x9a, 0xff, 0xff, 0xff, 0xff}, new([]string)},
		{"list over MaxListDecode", append([]byte{0x98, MaxListDecode + 1}, bytes.Repeat([]byte{0x60}, MaxListDecode+1)...), new([]string)},
		{"text claims 4 GB", []byte{0x7a, 0xff, 0xff, 0xff, 0xff, 'a'}, new(string)},
		{"cell over MaxCellBytes", append([]byte{0x79, byte(len(long) >> 8), byte(len(long))}, long...), new(string)},
		{"nested too deep", []byte{0x81, 0x81, 0x81, 0x81, 0x81, 0x60}, new([]string)},
		{"empty input", nil, new(string)},
		{"not a field type", []byte{0x01}, new(int)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := DecodeValue(tt.in, tt.into); err == nil {
				t.Fatalf("accepted, got %#v", reflect.ValueOf(tt.into).Elem().Interface())
			}
		})
	}
}

func TestEncodeValue(t *testing.T) {
	tests := []struct {
		in   any
		want []byte
	}{
		{"", []byte{0x60}},
		{"ab", []byte{0x62, 'a', 'b'}},
		{int64(-1), []byte{0x20}},
		{true, []byte{0xf5}},
		{Date("2024-03-09"), append([]byte{0x6a}, "2024-03-09"...)},
		{[]string(nil), []byte{0x80}},
		{[]string{}, []byte{0x80}},
		{Money{}, []byte{0x82, 0x00, 0x60}},
		{Money{Minor: 1250, Currency: "GBP"}, []byte{0x82, 0x19, 0x04, 0xe2, 0x63, 'G', 'B', 'P'}},
		{Instant{UnixMilli: 1, Zone: "UTC"}, []byte{0x82, 0x01, 0x63, 'U', 'T', 'C'}},
	}
	for _, tt := range tests {
		got, err := EncodeValue(tt.in)
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("EncodeValue(%#v) = %x, %v; want %x", tt.in, got, err, tt.want)
		}
	}
	if _, err := EncodeValue("bad \xff"); err == nil {
		t.Error("invalid UTF-8 encoded")
	}
	if _, err := EncodeValue(3); err == nil {
		t.Error("int (not int64) encoded")
	}
	if _, err := Encode(&Client{Name: "\xff"}); err == nil || !strings.Contains(err.Error(), "name:") {
		t.Errorf("Encode with invalid UTF-8: %v", err)
	}
	if _, err := Encode(42); err == nil {
		t.Error("Encode(non-record) succeeded")
	}
	if err := Decode(nil, Client{}); err == nil {
		t.Error("Decode into a non-pointer succeeded")
	}
	if err := Decode(nil, (*Client)(nil)); err == nil {
		t.Error("Decode into nil succeeded")
	}
}

func TestValidateMessages(t *testing.T) {
	id := NewID()
	blob := strings.Repeat("0f", 32)
	london := Instant{UnixMilli: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC).UnixMilli(), Zone: "Europe/London"}
	later := london
	later.UnixMilli += 3600_000
	tests := []struct {
		name string
		rec  any
		want string // Errors.Error(), "" for valid
	}{
		{"valid client", Client{Name: "Ada Lovelace", Phones: []string{"+44 7700 900123"}}, ""},
		{"name required", Client{}, "name: required"},
		{"blank name", Client{Name: "  \t"}, "name: required"},
		{"name too long", Client{Name: strings.Repeat("n", 121)}, "name: at most 120 characters, got 121"},
		{"characters, not bytes", Client{Name: strings.Repeat("é", 120)}, ""},
		{"emergency phone", Client{Name: "A", EmergencyContactPhone: strings.Repeat("1", 31)}, "emergency contact phone: at most 20 characters, got 31"},
		{"phones entry", Client{Name: "A", Phones: []string{"1", strings.Repeat("1", 31)}}, "phones: entry 2: at most 20 characters, got 31"},
		{"too many phones", Client{Name: "A", Phones: strings.Split("0,1,2,3,4,5,6,7,8,9,10", ",")}, "phones: at most 10 entries, got 11"},
		{"empty entry", Client{Name: "A", Tags: []string{"vip", " "}}, "tags: entry 2 is empty"},
		{"repeated entry", Client{Name: "A", Tags: []string{"vip", "late", "vip"}}, "tags: entry 3 repeats entry 1"},
		{"email", Client{Name: "A", Emails: []string{"ada@example"}}, "emails: entry 1: not an email address (name@example.com)"},
		{"enum", Client{Name: "A", PreferredChannel: "pigeon"}, "preferred contact: must be one of phone, sms, email, whatsapp, post, no contact"},
		{"invalid utf-8", Client{Name: "A\xff"}, "name: contains bytes that are not text (invalid UTF-8)"},
		{"do not book needs a reason", Client{Name: "A", DoNotBook: true}, "do not book reason: required when do not book is set"},
		{"ref", Pet{Client: "Not An ID", Name: "Rex"}, "client: not a record id (1 to 64 of a-z, 0-9, _ and -)"},
		{"ref required", Pet{Name: "Rex"}, "client: required"},
		{"birth date", Pet{Client: id, Name: "Rex", BirthDate: "09/03/2021"}, "birth date: not a date (use YYYY-MM-DD)"},
		{"impossible date", Pet{Client: id, Name: "Rex", BirthDate: "2021-02-30"}, "birth date: not a date (use YYYY-MM-DD)"},
		{"date year", Pet{Client: id, Name: "Rex", BirthDate: "1021-02-03"}, "birth date: year must be between 1900 and 2199"},
		{"weight", Pet{Client: id, Name: "Rex", WeightGrams: 250000}, "weight: at most 200000 g, got 250000"},
		{"negative weight", Pet{Client: id, Name: "Rex", WeightGrams: -5}, "weight: must not be negative, got -5"},
		{"blob", Pet{Client: id, Name: "Rex", Photo: strings.ToUpper(blob)}, "photo: not a blob reference (64 lowercase hex characters)"},
		{"enum list", Pet{Client: id, Name: "Rex", BehaviourFlags: []string{"bites", "grumpy"}}, "behaviour flags: entry 2: must be one of bites, anxious, senior, matting, reactive, dog aggressive, noise sensitive, dryer sensitive, nail sensitive, escape risk, deaf, blind, seizures, muzzle"},
		{"several at once", Pet{Name: strings.Repeat("x", 81), VetPhone: strings.Repeat("1", 21)}, "client: required; name: at most 80 characters, got 81; vet phone: at most 20 characters, got 21"},
		{"vaccination order", Vaccination{Pet: id, Name: "Rabies", Given: "2024-05-01", Expires: "2024-05-01"}, "expires: must be after the date given (2024-05-01)"},
		{"vaccination ok", Vaccination{Pet: id, Name: "Rabies", Given: "2024-05-01", Expires: "2025-05-01", Proof: blob}, ""},
		{"cross rule skipped when a field is bad", Vaccination{Pet: id, Name: "Rabies", Given: "2024-05-01", Expires: "2023-13-01"}, "expires: not a date (use YYYY-MM-DD)"},
		{"weighing ok", Weighing{Pet: id, Date: "2024-05-01", Grams: 12500, Note: "after a long winter"}, ""},
		{"weighing of a kitten", Weighing{Pet: id, Date: "2024-05-01", Grams: 1}, ""},
		{"weighing heaviest", Weighing{Pet: id, Date: "2024-05-01", Grams: 200000}, ""},
		{"weighing required", Weighing{}, "pet: required; weighed on: required; weight: required"},
		{"weighing of no one", Weighing{Pet: "Rex!", Date: "2024-05-01", Grams: 12500}, "pet: not a record id (1 to 64 of a-z, 0-9, _ and -)"},
		{"weighing date", Weighing{Pet: id, Date: "01/05/2024", Grams: 12500}, "weighed on: not a date (use YYYY-MM-DD)"},
		{"weighing too heavy", Weighing{Pet: id, Date: "2024-05-01", Grams: 200001}, "weight: at most 200000 g, got 200001"},
		{"weighing negative", Weighing{Pet: id, Date: "2024-05-01", Grams: -500}, "weight: must not be negative, got -500"},
		{"weighing note", Weighing{Pet: id, Date: "2024-05-01", Grams: 12500, Note: strings.Repeat("n", 401)}, "note: at most 400 characters, got 401"},
		{"status", Project{Client: id, Kind: "grooming", Title: "Full groom", Status: "later"}, "status: must be one of planned, in progress, done, cancelled, no-show"},
		{"project required", Project{}, "client: required; kind: required; title: required; status: required"},
		{"project end", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "planned", Start: later, End: london}, "end: must be after the start"},
		{"project ok", Project{Client: id, Kind: "training", Title: "Puppy class", Status: "in_progress", Start: london, End: later, Pets: []string{id}, Price: Money{Minor: 4500, Currency: "GBP"}}, ""},
		{"cancelled needs a reason", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "cancelled"}, "reason: say why the project is cancelled (for example: the client called, the pet is unwell)"},
		{"blank reason", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "cancelled", StatusReason: " \t\n"}, "reason: say why the project is cancelled (for example: the client called, the pet is unwell)"},
		{"no-show needs a reason", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "no_show"}, "reason: say what happened (for example: no answer at the door, no call)"},
		{"cancelled with a reason", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "cancelled", StatusReason: "client called"}, ""},
		{"no-show with a reason", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "no_show", StatusReason: "no answer"}, ""},
		{"done needs no reason", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "done"}, ""},
		{"reason too long", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "cancelled", StatusReason: strings.Repeat("r", 401)}, "reason: at most 400 characters, got 401"},
		{"same pet twice", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "done", Pets: []string{id, id}}, "pets: entry 2 repeats entry 1"},
		{"currency", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "done", Price: Money{Minor: 4500, Currency: "gb"}}, "price: use a 3-letter currency code such as GBP"},
		{"amount without currency", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "done", Price: Money{Minor: 4500}}, "price: use a 3-letter currency code such as GBP"},
		{"negative price", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "done", Price: Money{Minor: -1, Currency: "GBP"}}, "price: must not be negative"},
		{"huge price", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "done", Price: Money{Minor: MoneyMax + 1, Currency: "GBP"}}, "price: must be between 0 and 1000000000000 GBP minor units"},
		{"zone missing", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "done", Start: Instant{UnixMilli: london.UnixMilli}}, "start: needs a time zone, such as Europe/London"},
		{"zone unknown", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "done", Start: Instant{UnixMilli: 1, Zone: "Europe/Lndon"}}, `start: unknown time zone "Europe/Lndon" (use a name such as Europe/London)`},
		{"zone Local", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "done", Start: Instant{UnixMilli: 1, Zone: "Local"}}, `start: unknown time zone "Local" (use a name such as Europe/London)`},
		{"zone path", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "done", Start: Instant{UnixMilli: 1, Zone: "../../etc/passwd"}}, `start: unknown time zone "../../etc/passwd" (use a name such as Europe/London)`},
		{"instant range", Project{Client: id, Kind: "grooming", Title: "Groom", Status: "done", Start: Instant{UnixMilli: -1 << 62, Zone: "UTC"}}, "start: must be between 1900 and 2199"},
		{"invoice due", Invoice{Client: id, Status: "issued", Issued: "2024-05-02", Due: "2024-05-01"}, "due: must be on or after the issue date (2024-05-02)"},
		{"tax rate", Invoice{Client: id, Status: "draft", TaxRate: 12000}, "tax rate: at most 10000 hundredths of a percent, got 12000"},
		{"quantity", InvoiceLine{Invoice: id, Description: "Full groom", UnitPrice: Money{Minor: 4500, Currency: "GBP"}}, "quantity: at least 1, got 0"},
		{"free line is fine", InvoiceLine{Invoice: id, Description: "Bow", Quantity: 1, UnitPrice: Money{Currency: "GBP"}}, ""},
		{"payment amount required", Payment{Invoice: id, Method: "cash"}, "amount: required"},
		{"tip currency", Payment{Invoice: id, Method: "card", Amount: Money{Minor: 4500, Currency: "GBP"}, Tip: Money{Minor: 500, Currency: "EUR"}}, "tip: must be in the same currency as the amount (GBP)"},
		{"photo parent", Photo{Kind: "before", Blob: blob}, "project: a photo belongs to a project or a pet; choose one"},
		{"photo of a pet", Photo{Pet: id, Kind: "after", Blob: blob}, ""},
		{"photo blob", Photo{Project: id, Kind: "after"}, "image: required"},
		{"imported id", Task{Project: "legacy_0042-a", Title: "Nails"}, ""},
		{"id too long", Task{Project: strings.Repeat("a", 65), Title: "Nails"}, "project: not a record id (1 to 64 of a-z, 0-9, _ and -)"},
		{"note minutes", ProgressNote{Project: id, MinutesTaken: 2000}, "time taken: at most 1440 minutes, got 2000"},
		{"contact log", ContactLog{Client: id, Channel: "call"}, "when: required; summary: required"},
		{"milestone", Milestone{Project: id, Title: "Sits on cue", Date: "2024-06-01", Reached: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.rec)
			got := ""
			if err != nil {
				var errs Errors
				if !errors.As(err, &errs) {
					t.Fatalf("Validate returned %T %v, want Errors", err, err)
				}
				got = err.Error()
			}
			if got != tt.want {
				t.Fatalf("Validate:\n got  %s\n want %s", got, tt.want)
			}
			// By value and by pointer agree.
			p := reflect.New(reflect.TypeOf(tt.rec))
			p.Elem().Set(reflect.ValueOf(tt.rec))
			if err2 := Validate(p.Interface()); fmt.Sprint(err2) != fmt.Sprint(err) {
				t.Fatalf("by pointer: %v", err2)
			}
		})
	}
	if err := Validate("not a record"); err == nil {
		t.Error("Validate(non-record) = nil")
	}
}

func TestErrorsOn(t *testing.T) {
	var errs Errors
	if !errors.As(Validate(Pet{Name: "Rex", WeightGrams: -1}), &errs) {
		t.Fatal("want Errors")
	}
	if errs.On("weight_grams") != "weight: must not be negative, got -1" || errs.On("name") != "" {
		t.Fatalf("On: %q %q", errs.On("weight_grams"), errs.On("name"))
	}
}

func TestDate(t *testing.T) {
	for _, s := range []string{"2024-02-29", "1900-01-01", "2199-12-31"} {
		d, err := ParseDate(s)
		if err != nil || d.String() != s || !d.Valid() || d.IsZero() {
			t.Errorf("ParseDate(%q) = %q, %v", s, d, err)
		}
		if DateOf(d.Time()) != d {
			t.Errorf("%s: Time and DateOf disagree", s)
		}
	}
	for _, s := range []string{"", "2023-02-29", "2024-2-01", "24-02-01", "2024-02-01T00:00:00Z", "2024/02/01", " 2024-02-01"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
		if !Date(s).Time().IsZero() {
			t.Errorf("Date(%q).Time() not zero", s)
		}
	}
	// DateOf reads the calendar date where the time is, not in UTC.
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	if d := DateOf(time.Date(2024, 3, 1, 1, 0, 0, 0, tokyo)); d != "2024-03-01" {
		t.Errorf("DateOf in Tokyo = %s", d)
	}
}

func TestInstant(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 11, 3, 1, 30, 0, 0, ny) // the hour that repeats at the end of DST
	i := InstantOf(at)
	if i.Zone != "America/New_York" || !i.Time().Equal(at) || i.Time().Location().String() != "America/New_York" {
		t.Fatalf("InstantOf = %+v, Time %v", i, i.Time())
	}
	if got := i.String(); got != "2024-11-03T01:30:00.000-04:00 America/New_York" {
		t.Errorf("String = %q", got)
	}
	if u := (Instant{UnixMilli: 5, Zone: "Nowhere/Atlantis"}).Time(); u.Location() != time.UTC {
		t.Errorf("unknown zone read in %v, want UTC", u.Location())
	}
	if !(Instant{}).IsZero() || (Instant{Zone: "UTC"}).IsZero() || (Instant{}).String() != "" {
		t.Error("IsZero")
	}
	// Zones the embedded database must know, on every platform.
	for _, z := range []string{"Europe/London", "UTC", "Etc/GMT+5", "America/Port-au-Prince", "Australia/Lord_Howe"} {
		if _, err := LoadZone(z); err != nil {
			t.Errorf("LoadZone(%q): %v", z, err)
		}
	}
	for _, z := range []string{"", "Local", "/etc/localtime", ".hidden", "Europe/London ", strings.Repeat("A", 65)} {
		if _, err := LoadZone(z); err == nil {
			t.Errorf("LoadZone(%q) accepted", z)
		}
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if len(id) != 26 || !ValidID(id) || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz234567") != "" {
			t.Fatalf("NewID() = %q", id)
		}
		if seen[id] {
			t.Fatalf("NewID repeated %q", id)
		}
		seen[id] = true
	}
	for _, s := range []string{"", "A", "a b", "a.b", "é", strings.Repeat("a", 65)} {
		if ValidID(s) {
			t.Errorf("ValidID(%q) = true", s)
		}
	}
	for _, s := range []string{"a", "0", "legacy-42_x", strings.Repeat("z", 64)} {
		if !ValidID(s) {
			t.Errorf("ValidID(%q) = false", s)
		}
	}
}

func TestParseTagRejects(t *testing.T) {
	str := reflect.TypeFor[string]()
	tests := []struct {
		tag string
		typ reflect.Type
	}{
		{"Name", str},
		{"name,bogus", str},
		{"name,max=x", str},
		{"name,max=0", str},
		{"name,enum=", str},
		{"name,enum=a|a", str},
		{"name,enum=A", str},
		{"name,ref", str},
		{"name,ref=client,enum=a", str},
		{"name,parent", str},
		{"name,min=0", str},
		{"name,items=3", str},
		{"name,format=phone", str},
		{"n,long", reflect.TypeFor[int64]()},
		{"n,min=5,max=1", reflect.TypeFor[int64]()},
		{"n", reflect.TypeFor[int]()},
		{"n,blob", reflect.TypeFor[[]string]()},
		{"n,items=0", reflect.TypeFor[[]string]()},
		{"m,max=1000000000001", reflect.TypeFor[Money]()},
	}
	for _, tt := range tests {
		if _, _, err := parseTag(tt.tag, tt.typ); err == nil {
			t.Errorf("parseTag(%q, %s) accepted", tt.tag, tt.typ)
		}
	}
}

func BenchmarkEncodeDecodeClient(b *testing.B) {
	c := &Client{Name: "Ada Lovelace", Phones: []string{"+44 7700 900123"}, Emails: []string{"ada@example.com"},
		Address: "12 St James's Square, London", PreferredChannel: "sms", Notes: strings.Repeat("Prefers mornings. ", 10),
		Tags: []string{"vip", "mobile"}, MarketingConsent: true, MarketingConsentDate: "2024-01-10"}
	for b.Loop() {
		m, err := Encode(c)
		if err != nil {
			b.Fatal(err)
		}
		var out Client
		if err := Decode(m, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBlobRefs(t *testing.T) {
	a, b := strings.Repeat("0a", 32), strings.Repeat("0b", 32)
	for _, tc := range []struct {
		name string
		v    any
		want []string
	}{
		{"pet with photo", &Pet{Name: "Rex", Photo: a}, []string{a}},
		{"pet without", Pet{Name: "Rex"}, nil},
		{"vaccination proof", &Vaccination{Name: "Rabies", Proof: b}, []string{b}},
		{"photo", &Photo{Kind: "after", Blob: a}, []string{a}},
		{"client", &Client{Name: "Ann"}, nil},
		{"not a record", "x", nil},
	} {
		if got := BlobRefs(tc.v); !slices.Equal(got, tc.want) {
			t.Errorf("%s: BlobRefs = %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, typ := range Types() {
		s, _ := SchemaOf(typ)
		want := typ == TypePet || typ == TypeVaccination || typ == TypePhoto
		if s.HasBlobs() != want {
			t.Errorf("%s: HasBlobs = %v, want %v", typ, s.HasBlobs(), want)
		}
	}
}

// A visit's feedback is two fields of the project: encoded and decoded as
// the others, bounded to the scale, and absent from a project saved
// before they existed, which still decodes.
func TestVisitFeedback(t *testing.T) {
	p := Project{Client: NewID(), Kind: "grooming", Title: "Full groom", Status: "done", Rating: 4, Feedback: "Lovely cut, a bit short on the ears"}
	enc, err := Encode(&p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc["rating"], []byte{0x04}) || len(enc["feedback"]) == 0 {
		t.Fatalf("encoded rating %x, feedback %x", enc["rating"], enc["feedback"])
	}
	var back Project
	if err := Decode(enc, &back); err != nil || back.Rating != 4 || back.Feedback != p.Feedback {
		t.Fatalf("decoded %+v, %v", back, err)
	}
	old := maps.Clone(enc)
	delete(old, "rating")
	delete(old, "feedback")
	var was Project
	if err := Decode(old, &was); err != nil || was.Rating != 0 || was.Feedback != "" || was.Title != "Full groom" {
		t.Fatalf("a project from before feedback decoded as %+v, %v", was, err)
	}
	if err := Validate(&was); err != nil {
		t.Errorf("a project without feedback does not validate: %v", err)
	}
	for rating, want := range map[int64]string{0: "", 1: "", 5: "", 6: "client's rating: ", -1: "client's rating: "} {
		q := p
		q.Rating = rating
		err := Validate(&q)
		if got := fmt.Sprint(err); (want == "") != (err == nil) || want != "" && !strings.HasPrefix(got, want) {
			t.Errorf("rating %d: %v, want %q", rating, err, want)
		}
	}
}

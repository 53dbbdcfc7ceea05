package record

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// Kind is the kind of value a field holds.
type Kind uint8

// The value kinds. The Go type of a field picks its kind (string, int64,
// bool, Date, Instant, Money, []string); tag options refine strings and
// string lists into enums, record references and blob references.
const (
	KindText     Kind = iota + 1 // string
	KindInt                      // int64
	KindBool                     // bool
	KindDate                     // Date: an ISO calendar date
	KindInstant                  // Instant: a moment and its time zone
	KindMoney                    // Money: integer minor units and a currency
	KindEnum                     // string, one of Field.Enum
	KindRef                      // string, the id of another record
	KindBlob                     // string, a blob reference (SHA-256 hex)
	KindTextList                 // []string
	KindRefList                  // []string of record ids
	KindEnumList                 // []string, each one of Field.Enum
)

var kindNames = [...]string{
	KindText: "text", KindInt: "int", KindBool: "bool", KindDate: "date",
	KindInstant: "instant", KindMoney: "money", KindEnum: "enum", KindRef: "ref",
	KindBlob: "blob", KindTextList: "text list", KindRefList: "ref list", KindEnumList: "enum list",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// IsList reports whether values of kind k are lists of strings.
func (k Kind) IsList() bool { return k == KindTextList || k == KindRefList || k == KindEnumList }

// Default bounds, used when a tag does not set its own.
const (
	DefaultTextMax = 200  // characters in a text field or list entry
	LongTextMax    = 4000 // characters in a field tagged "long" (notes)
	DefaultItems   = 20   // entries in a list
	EmailMax       = 254  // characters in an email address (RFC 5321 path limit)
	IDMax          = 64   // characters in a record id
	BlobRefLen     = 64   // hex characters in a blob reference
	// MoneyMax bounds the minor units of any amount, so that summing a
	// client's invoices can never overflow int64.
	MoneyMax = 1_000_000_000_000
)

// Schema describes one record type, derived from its struct tags.
type Schema struct {
	Type   Type
	Class  Class
	Parent string  // name of the field referring to the parent record ("" for top-level records)
	Fields []Field // in struct order, which is the order a form shows them

	goType reflect.Type
	byName map[string]int
}

// Field returns the field called name.
func (s *Schema) Field(name string) (*Field, bool) {
	i, ok := s.byName[name]
	if !ok {
		return nil, false
	}
	return &s.Fields[i], true
}

// Field describes one field of a record type.
//
// Max and Min mean, by kind: for text, enum, ref and blob, Max is the most
// characters (for lists, per entry); for int and money, Min and Max bound the
// value (money in minor units).
type Field struct {
	Name       string   // stored name, e.g. "birth_date"
	Label      string   // what a person calls it, e.g. "birth date"
	Kind       Kind     // what the value is
	Max        int      // see above
	Min        int      // int and money only
	Items      int      // lists: most entries
	Required   bool     // must be set (non-blank text, at least one entry, …)
	Enum       []string // enum kinds: the allowed stored values
	EnumLabels []string // enum kinds: what a person reads for each of Enum
	Ref        Type     // ref kinds: the type of the record referred to
	Unit       string   // int: unit shown in messages, e.g. "g"
	Format     string   // text kinds: "email" or ""

	index int // struct field index
}

// EnumLabel returns what a person reads for the enum value v ("in_progress"
// reads "in progress"); an unknown value (from a newer app) reads as itself.
func (f *Field) EnumLabel(v string) string {
	for i, e := range f.Enum {
		if e == v {
			return f.EnumLabels[i]
		}
	}
	return v
}

var (
	fieldNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	enumValueRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

	typeDate    = reflect.TypeFor[Date]()
	typeInstant = reflect.TypeFor[Instant]()
	typeMoney   = reflect.TypeFor[Money]()
)

// buildSchema reads the rec tags of struct type t. A malformed tag is a
// programmer error and panics at init, never at run time.
func buildSchema(rt Type, class Class, t reflect.Type) *Schema {
	s := &Schema{Type: rt, Class: class, goType: t, byName: map[string]int{}}
	fail := func(sf reflect.StructField, format string, args ...any) {
		panic(fmt.Sprintf("record: %s.%s: %s", t.Name(), sf.Name, fmt.Sprintf(format, args...)))
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("rec")
		if !ok {
			fail(sf, "missing rec tag")
		}
		if tag == "-" {
			continue
		}
		if !sf.IsExported() {
			fail(sf, "unexported field with a rec tag")
		}
		f, parent, err := parseTag(tag, sf.Type)
		if err != nil {
			fail(sf, "%v", err)
		}
		f.index = i
		if _, dup := s.byName[f.Name]; dup {
			fail(sf, "duplicate field name %q", f.Name)
		}
		if parent {
			if s.Parent != "" {
				fail(sf, "second parent field (first is %q)", s.Parent)
			}
			s.Parent = f.Name
		}
		s.byName[f.Name] = len(s.Fields)
		s.Fields = append(s.Fields, f)
	}
	return s
}

func parseTag(tag string, t reflect.Type) (f Field, parent bool, err error) {
	parts := strings.Split(tag, ",")
	f.Name = parts[0]
	if !fieldNameRE.MatchString(f.Name) {
		return f, false, fmt.Errorf("bad field name %q", f.Name)
	}
	var (
		enum, ref, blob, long bool
		hasMax, hasMin        bool
		enumSpec              string
	)
	for _, p := range parts[1:] {
		key, val, hasVal := strings.Cut(p, "=")
		num := func() (int, error) {
			if !hasVal {
				return 0, fmt.Errorf("%s needs a value", key)
			}
			n, err := strconv.Atoi(val)
			if err != nil {
				return 0, fmt.Errorf("%s: %v", key, err)
			}
			return n, nil
		}
		switch key {
		case "required":
			f.Required = true
		case "long":
			long = true
		case "blob":
			blob = true
		case "parent":
			parent = true
		case "ref":
			ref, f.Ref = true, Type(val)
			if !hasVal {
				return f, false, fmt.Errorf("ref needs the referred type, e.g. ref=client")
			}
		case "enum":
			enum, enumSpec = true, val
		case "label":
			f.Label = val
		case "unit":
			f.Unit = val
		case "format":
			if val != "email" {
				return f, false, fmt.Errorf("unknown format %q", val)
			}
			f.Format = val
		case "max":
			hasMax = true
			if f.Max, err = num(); err != nil {
				return f, false, err
			}
		case "min":
			hasMin = true
			if f.Min, err = num(); err != nil {
				return f, false, err
			}
		case "items":
			if f.Items, err = num(); err != nil {
				return f, false, err
			}
			if f.Items < 1 {
				return f, false, fmt.Errorf("items must be positive")
			}
		default:
			return f, false, fmt.Errorf("unknown tag option %q", key)
		}
	}
	if f.Label == "" {
		f.Label = strings.ReplaceAll(f.Name, "_", " ")
	}
	if enum {
		if err := parseEnum(&f, enumSpec); err != nil {
			return f, false, err
		}
	}
	if moreThanOne(enum, ref, blob) {
		return f, false, fmt.Errorf("enum, ref and blob exclude each other")
	}
	if parent && !ref {
		return f, false, fmt.Errorf("parent field must be a ref")
	}

	stringish := func(k Kind) {
		f.Kind = k
		switch {
		case enum:
			f.Kind = k + (KindEnum - KindText)
			f.Max = 0
			for _, e := range f.Enum {
				f.Max = max(f.Max, len(e))
			}
		case ref:
			f.Kind = k + (KindRef - KindText)
			f.Max = IDMax
		case blob:
			f.Kind, f.Max = KindBlob, BlobRefLen
		case hasMax:
		case long:
			f.Max = LongTextMax
		case f.Format == "email":
			f.Max = EmailMax
		default:
			f.Max = DefaultTextMax
		}
		if f.Max < 1 {
			err = fmt.Errorf("max must be positive")
		}
	}
	switch {
	case t.Kind() == reflect.String && t == reflect.TypeFor[string]():
		stringish(KindText)
	case t.Kind() == reflect.Slice && t.Elem() == reflect.TypeFor[string]():
		if blob {
			return f, false, fmt.Errorf("lists of blob references are not supported")
		}
		// The list kinds mirror the scalar kinds at a fixed distance.
		stringish(KindText)
		switch f.Kind {
		case KindText:
			f.Kind = KindTextList
		case KindEnum:
			f.Kind = KindEnumList
		case KindRef:
			f.Kind = KindRefList
		}
		if f.Items == 0 {
			f.Items = DefaultItems
		}
	case t == reflect.TypeFor[int64]():
		f.Kind = KindInt
		if !hasMin {
			f.Min = math.MinInt64
		}
		if !hasMax {
			f.Max = math.MaxInt64
		}
	case t == reflect.TypeFor[bool]():
		f.Kind = KindBool
	case t == typeDate:
		f.Kind = KindDate
	case t == typeInstant:
		f.Kind = KindInstant
	case t == typeMoney:
		f.Kind = KindMoney
		if !hasMin {
			f.Min = -MoneyMax
		}
		if !hasMax {
			f.Max = MoneyMax
		}
		if f.Min < -MoneyMax || f.Max > MoneyMax {
			return f, false, fmt.Errorf("money bounds beyond ±MoneyMax")
		}
	default:
		return f, false, fmt.Errorf("unsupported Go type %s", t)
	}
	if err != nil {
		return f, false, err
	}
	if (enum || ref || blob || long || f.Format != "") && !isStringKind(f.Kind) {
		return f, false, fmt.Errorf("enum, ref, blob, long and format apply to strings and string lists")
	}
	if f.Items != 0 && !f.Kind.IsList() {
		return f, false, fmt.Errorf("items applies to lists")
	}
	if hasMin && f.Kind != KindInt && f.Kind != KindMoney {
		return f, false, fmt.Errorf("min applies to int and money")
	}
	if f.Min > f.Max {
		return f, false, fmt.Errorf("min %d above max %d", f.Min, f.Max)
	}
	return f, parent, nil
}

// parseEnum reads "a|b_c|d:label for d". A value's label defaults to the
// value with underscores read as spaces.
func parseEnum(f *Field, spec string) error {
	if spec == "" {
		return fmt.Errorf("enum needs values, e.g. enum=a|b")
	}
	seen := map[string]bool{}
	for _, item := range strings.Split(spec, "|") {
		v, label, hasLabel := strings.Cut(item, ":")
		if !enumValueRE.MatchString(v) {
			return fmt.Errorf("bad enum value %q", v)
		}
		if seen[v] {
			return fmt.Errorf("duplicate enum value %q", v)
		}
		seen[v] = true
		if !hasLabel {
			label = strings.ReplaceAll(v, "_", " ")
		}
		f.Enum = append(f.Enum, v)
		f.EnumLabels = append(f.EnumLabels, label)
	}
	return nil
}

func isStringKind(k Kind) bool {
	switch k {
	case KindText, KindEnum, KindRef, KindBlob, KindTextList, KindEnumList, KindRefList:
		return true
	}
	return false
}

func moreThanOne(bs ...bool) bool {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n > 1
}

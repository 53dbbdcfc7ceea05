package record

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"

	"pawfile/shared/internal/cborhead"
)

// Limits on what Decode accepts. They are deliberately looser than the
// schema's bounds (which Validate enforces), so a newer app that raises a
// bound does not make a value unreadable here, yet tight enough that hostile
// bytes cannot make a decoder allocate much: a cell is read only if it is
// at most MaxCellBytes long, and CBOR well-formedness is checked before any
// allocation, so no string can claim more bytes than the cell holds.
const (
	MaxCellBytes  = 32 << 10 // bytes of one encoded field value
	MaxListDecode = 128      // entries of a list
)

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	eo := cbor.CoreDetEncOptions()
	// A nil and an empty list are the same value, so they encode the same.
	eo.NilContainers = cbor.NilContainerAsEmpty
	var err error
	if encMode, err = eo.EncMode(); err != nil {
		panic(err)
	}
	decMode, err = cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsForbidden,
		MaxNestedLevels:  4,
		MaxArrayElements: MaxListDecode,
		MaxMapPairs:      16, // the least the library allows; no field holds a map
		UTF8:             cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	for _, s := range byType {
		for _, f := range s.Fields {
			if f.Items > MaxListDecode {
				panic(fmt.Sprintf("record: %s.%s: items above MaxListDecode", s.Type, f.Name))
			}
		}
	}
}

// Encode returns the canonical CBOR value of every field of the record v (a
// record struct or a pointer to one), keyed by field name. Zero values are
// included: writing an empty value is how a field is cleared. Encode does
// not validate (see [Validate]); it fails only on text that is not UTF-8,
// which could not be read back, naming the field.
func Encode(v any) (map[string][]byte, error) {
	s, rv, err := recordValue(v)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(s.Fields))
	var errs Errors
	for i := range s.Fields {
		f := &s.Fields[i]
		b, err := EncodeValue(rv.Field(f.index).Interface())
		if err != nil {
			errs = append(errs, FieldError{Field: f.Name, Message: f.Label + ": " + err.Error()})
			continue
		}
		out[f.Name] = b
	}
	if errs != nil {
		return nil, errs
	}
	return out, nil
}

// Decode fills the record v (a pointer to a record struct) from encoded field
// values. Names v's type does not know are ignored: a newer app wrote them,
// and the caller keeps their bytes. Fields missing from the map are left as
// they are. A value of the wrong shape leaves its field unchanged and is
// reported in the returned [Errors], naming the field; every other field is
// still decoded.
func Decode(fields map[string][]byte, v any) error {
	return DecodeFunc(func(name string) ([]byte, bool) {
		b, ok := fields[name]
		return b, ok
	}, v)
}

// DecodeFunc is Decode from the values value returns, by field name: a
// record read field by field, without a map of them all (merge.Record.Get).
func DecodeFunc(value func(name string) ([]byte, bool), v any) error {
	s := schemaOfValue(v)
	rv := reflect.ValueOf(v)
	if s == nil || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("record: Decode needs a non-nil pointer to a record, got %T", v)
	}
	rv = rv.Elem()
	var errs Errors
	for i := range s.Fields {
		f := &s.Fields[i]
		b, ok := value(f.Name)
		if !ok {
			continue
		}
		p := reflect.New(rv.Field(f.index).Type())
		if err := DecodeValue(b, p.Interface()); err != nil {
			errs = append(errs, FieldError{Field: f.Name,
				Message: fmt.Sprintf("%s: stored value is unreadable (want %s): %v", f.Label, f.Kind, err)})
			continue
		}
		rv.Field(f.index).Set(p.Elem())
	}
	if errs != nil {
		return errs
	}
	return nil
}

// EncodeValue returns the canonical CBOR encoding of one field value: a
// string, int64, bool, Date, Instant, Money or []string.
func EncodeValue(v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			return nil, errNotUTF8
		}
	case Date:
		if !utf8.ValidString(string(x)) {
			return nil, errNotUTF8
		}
	case Instant:
		if !utf8.ValidString(x.Zone) {
			return nil, errNotUTF8
		}
	case Money:
		if !utf8.ValidString(x.Currency) {
			return nil, errNotUTF8
		}
	case []string:
		for _, e := range x {
			if !utf8.ValidString(e) {
				return nil, errNotUTF8
			}
		}
	case int64, bool:
	default:
		return nil, fmt.Errorf("record: %T is not a field value type", v)
	}
	b, err := encMode.Marshal(v)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxCellBytes {
		return nil, fmt.Errorf("too large to store (%d bytes, at most %d)", len(b), MaxCellBytes)
	}
	return b, nil
}

var errNotUTF8 = fmt.Errorf("contains bytes that are not text (invalid UTF-8)")

// DecodeValue decodes one field value into v, a pointer to a string, int64,
// bool, Date, Instant, Money or []string. It accepts only the canonical
// encoding EncodeValue produces, so a value read and written back is
// byte-identical, and it refuses values over MaxCellBytes before parsing.
// An empty list decodes as nil. On error *v is left zero.
func DecodeValue(b []byte, v any) error {
	switch v.(type) {
	case *string, *int64, *bool, *Date, *Instant, *Money, *[]string:
	default:
		return fmt.Errorf("record: %T is not a pointer to a field value type", v)
	}
	if len(b) > MaxCellBytes {
		return fmt.Errorf("value of %d bytes is over the limit of %d", len(b), MaxCellBytes)
	}
	if decodeShort(b, v) {
		return nil
	}
	return decodeReflect(b, v)
}

// decodeReflect is DecodeValue by the reflective decoder.
func decodeReflect(b []byte, v any) error {
	if err := decMode.Unmarshal(b, v); err != nil {
		reflect.ValueOf(v).Elem().SetZero()
		return err
	}
	if l, ok := v.(*[]string); ok && len(*l) == 0 {
		*l = nil
	}
	if !canonical(b, v) {
		reflect.ValueOf(v).Elem().SetZero()
		return fmt.Errorf("not in canonical form")
	}
	return nil
}

// canonical reports whether b, which decoded into v, is the one encoding
// of v's value. The rule is to encode v again and compare: it rejects
// every other form (null for a string, a longer integer encoding, an
// array with extra elements) without a case for each. The canonical
// forms of most of what records hold never come here: decodeShort takes
// them first.
func canonical(b []byte, v any) bool {
	again, err := encMode.Marshal(reflect.ValueOf(v).Elem().Interface())
	return err == nil && bytes.Equal(again, b)
}

// decodeShort decodes b into v without the reflective decoder when v is
// a text, a date, a list of texts, an integer or a boolean, most of what
// records hold, and b is in its canonical form, and reports whether it
// did. Anything else is left to decMode, which takes what decodeShort
// takes the same way (FuzzDecodeShort): the reflective decode of each
// field was a tenth of a new tablet's receiving of its clients.
func decodeShort(b []byte, v any) bool {
	switch p := v.(type) {
	case *bool:
		if len(b) != 1 || b[0] != 0xf4 && b[0] != 0xf5 {
			return false
		}
		*p = b[0] == 0xf5
		return true
	case *string:
		t, ok := wholeText(b)
		if ok {
			*p = t
		}
		return ok
	case *Date:
		return decodeShort(b, (*string)(p))
	case *[]string:
		major, n, h, ok := readHead(b)
		if !ok || major != 4 || n > MaxListDecode {
			return false
		}
		var l []string // an empty list is nil
		for b = b[h:]; n > 0; n-- {
			t, size, ok := text(b)
			if !ok {
				return false
			}
			l = append(l, t)
			b = b[size:]
		}
		if len(b) != 0 {
			return false
		}
		*p = l
		return true
	case *int64:
		major, arg, h, ok := readHead(b)
		if !ok || major > 1 || h != len(b) || arg > math.MaxInt64 {
			return false
		}
		*p = int64(arg)
		if major == 1 {
			*p = -1 - int64(arg)
		}
		return true
	}
	return false
}

// wholeText reads b as one canonical CBOR text and nothing after it.
func wholeText(b []byte) (string, bool) {
	t, size, ok := text(b)
	return t, ok && size == len(b)
}

// text reads the canonical CBOR text b begins with, and its size.
func text(b []byte) (t string, size int, ok bool) {
	major, n, h, ok := readHead(b)
	if !ok || major != 3 || uint64(len(b)-h) < n || !utf8.Valid(b[h:h+int(n)]) {
		return "", 0, false
	}
	return string(b[h : h+int(n)]), h + int(n), true
}

// readHead is cborhead.Read of a head in canonical form: the shortest for
// its argument.
func readHead(b []byte) (major byte, arg uint64, size int, ok bool) {
	major, arg, size, ok = cborhead.Read(b)
	return major, arg, size, ok && cborhead.Size(arg) == size
}

package merge

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"

	"pawfile/shared/clock"
	"pawfile/shared/record"
)

// Format is the version of the encoding written by Encode. It is bound into
// every sealed version, so a change of layout is a new number. Format 2
// added set fields (see [Item]); Decode reads format 1 too, which has none.
const Format = 2

// formatLists is the first format, before set fields: every list was one cell.
const formatLists = 1

// Bounds on a decoded record: a client record is well under a kilobyte and
// photos travel as blobs, so anything near these limits is hostile.
const (
	MaxEncoded = 64 << 10
	MaxFields  = 256
	MaxName    = 64
)

type encodedRecord struct {
	_       struct{} `cbor:",toarray"`
	Format  uint8
	Class   record.Class
	Type    record.Type
	ID      string
	Created clock.Timestamp
	Deleted clock.Timestamp
	Erased  clock.Timestamp
	Fields  map[string]encodedCell
	Sets    map[string]map[string]encodedItem
}

// encodedRecordV1 is encodedRecord in format 1.
type encodedRecordV1 struct {
	_       struct{} `cbor:",toarray"`
	Format  uint8
	Class   record.Class
	Type    record.Type
	ID      string
	Created clock.Timestamp
	Deleted clock.Timestamp
	Erased  clock.Timestamp
	Fields  map[string]encodedCell
}

type encodedItem struct {
	_       struct{} `cbor:",toarray"`
	Added   clock.Timestamp
	Removed clock.Timestamp
}

type encodedCell struct {
	_     struct{} `cbor:",toarray"`
	TS    clock.Timestamp
	Value cbor.RawMessage
}

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	if encMode, err = cbor.CoreDetEncOptions().EncMode(); err != nil {
		panic(err)
	}
	decMode, err = cbor.DecOptions{
		MaxNestedLevels:   8,
		MaxArrayElements:  MaxFields,
		MaxMapPairs:       MaxFields,
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// Encode writes r in its canonical form: two replicas holding the same
// state produce the same bytes.
func Encode(r *Record) ([]byte, error) {
	e := encodedRecord{
		Format: Format, Class: r.Key.Class, Type: r.Key.Type, ID: r.Key.ID,
		Created: r.Created, Deleted: r.Deleted, Erased: r.Erased,
		Fields: make(map[string]encodedCell, len(r.Fields)),
	}
	for name, c := range r.Fields {
		if len(c.Value) == 0 {
			return nil, fmt.Errorf("encode %s: field %q has no value", r.Key, name)
		}
		e.Fields[name] = encodedCell{TS: c.TS, Value: c.Value}
	}
	for field, items := range r.Sets {
		if len(items) == 0 {
			continue
		}
		if e.Sets == nil {
			e.Sets = map[string]map[string]encodedItem{}
		}
		m := make(map[string]encodedItem, len(items))
		for x, it := range items {
			m[x] = encodedItem{Added: it.Added, Removed: it.Removed}
		}
		e.Sets[field] = m
	}
	b, err := encMode.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", r.Key, err)
	}
	return b, nil
}

// ErrMalformed is wrapped by every error Decode returns for bad input.
var ErrMalformed = errors.New("malformed record")

// Decode reads a record written by Encode, refusing anything out of bounds.
func Decode(b []byte) (*Record, error) {
	if len(b) > MaxEncoded {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrMalformed, len(b), MaxEncoded)
	}
	e, err := decodeAnyFormat(b)
	if err != nil {
		return nil, err
	}
	switch {
	case !e.Class.Valid():
		return nil, fmt.Errorf("%w: unknown class %d", ErrMalformed, e.Class)
	case !validName(string(e.Type)):
		return nil, fmt.Errorf("%w: bad type name", ErrMalformed)
	case e.ID == "" || len(e.ID) > MaxName:
		return nil, fmt.Errorf("%w: bad record id", ErrMalformed)
	}
	r := &Record{
		Key:     Key{Class: e.Class, Type: e.Type, ID: e.ID},
		Created: e.Created, Deleted: e.Deleted, Erased: e.Erased,
		Fields: make(map[string]Cell, len(e.Fields)),
	}
	for name, c := range e.Fields {
		if !validName(name) {
			return nil, fmt.Errorf("%w: bad field name", ErrMalformed)
		}
		if len(c.Value) == 0 {
			return nil, fmt.Errorf("%w: field %q has no value", ErrMalformed, name)
		}
		r.Fields[name] = Cell{TS: c.TS, Value: []byte(c.Value)}
	}
	for field, items := range e.Sets {
		if !validName(field) {
			return nil, fmt.Errorf("%w: bad set field name", ErrMalformed)
		}
		for x, it := range items {
			if !validItem(x) {
				return nil, fmt.Errorf("%w: set field %q: bad item", ErrMalformed, field)
			}
			r.putItem(field, x, Item{Added: it.Added, Removed: it.Removed})
		}
	}
	r.normalize()
	return r, nil
}

// decodeAnyFormat reads either format: format 1 is an array of one element
// fewer, which the array's header says before anything is decoded.
func decodeAnyFormat(b []byte) (encodedRecord, error) {
	// The cells' values share one copy of b.
	e, ok := decodeFast(bytes.Clone(b))
	if ok {
		if e.Format != Format {
			return e, fmt.Errorf("%w: format %d, this app reads %d and %d", ErrMalformed, e.Format, formatLists, Format)
		}
		return e, nil
	}
	e = encodedRecord{}
	if len(b) > 0 && b[0] == 0x88 { // an array of 8: format 1
		var v1 encodedRecordV1
		if err := decMode.Unmarshal(b, &v1); err != nil {
			return e, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		if v1.Format != formatLists {
			return e, fmt.Errorf("%w: format %d in the layout of format %d", ErrMalformed, v1.Format, formatLists)
		}
		return encodedRecord{Format: v1.Format, Class: v1.Class, Type: v1.Type, ID: v1.ID,
			Created: v1.Created, Deleted: v1.Deleted, Erased: v1.Erased, Fields: v1.Fields}, nil
	}
	if err := decMode.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if e.Format != Format {
		return e, fmt.Errorf("%w: format %d, this app reads %d and %d", ErrMalformed, e.Format, formatLists, Format)
	}
	return e, nil
}

func validName(s string) bool {
	if s == "" || len(s) > MaxName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Package record is Pawfile's domain model: the one definition of every
// record type (client, pet, invoice, project, …), its fields, how each field
// value is encoded as canonical CBOR, and how a record is validated.
//
// The struct tags on the record types (types.go) are the schema. At init the
// package derives a [Schema] from them by reflection, once; everything else
// (encoding, decoding, validation, the UI's labels and choices) reads that
// schema, so a field is declared in exactly one place.
//
// A record is stored and merged field by field: [Encode] turns a record into
// one canonical CBOR value per field name and [Decode] fills a record from
// such a map. A field this version does not know (written by a newer app) is
// ignored by Decode; the merge layer keeps it as opaque bytes, so it survives
// being synced through an older tablet.
//
// A record's id is not one of its fields: it is part of the identity of each
// cell (class, type, id, field), so callers keep it beside the struct. See
// [NewID] and [ValidID].
package record

import (
	"fmt"
	"iter"
	"reflect"
)

// Type names a kind of record. The value is stored and synced, so it never
// changes once released.
type Type string

// The record types. Sub-lists (contact log entries, invoice lines, payments,
// vaccinations, weighings, tasks, milestones, notes, photos) are records of their own
// that name their parent, so entries added on two offline devices both
// survive the merge.
const (
	// Class client.
	TypeClient      Type = "client"
	TypeContactLog  Type = "contact_log"
	TypeInvoice     Type = "invoice"
	TypeInvoiceLine Type = "invoice_line"
	TypePayment     Type = "payment"
	TypeAuditEntry  Type = "audit_entry"

	// Class care.
	TypePet         Type = "pet"
	TypeVaccination Type = "vaccination"
	TypeWeighing    Type = "weighing"

	// Class project.
	TypeProject      Type = "project"
	TypeTask         Type = "task"
	TypeMilestone    Type = "milestone"
	TypeProgressNote Type = "progress_note"
	TypePhoto        Type = "photo"
	TypeInfo         Type = "workspace_info" // what staff read of the settings, one record

	// Class owner.
	TypeSettings Type = "settings" // the workspace's, one record
	TypeDeletion Type = "deletion" // a retention run's account
)

// RefStaff is the Ref of fields that name a team member (an author, an
// assigned groomer). Team members live in the workspace directory, not in
// records, so RefStaff is not a record type, but their ids have the same shape.
const RefStaff Type = "staff"

// registry lists every type with its class and Go struct, in the stable
// order [Types] returns.
var registry = []struct {
	t     Type
	class Class
	proto any
}{
	{TypeClient, ClassClient, Client{}},
	{TypeContactLog, ClassClient, ContactLog{}},
	{TypeInvoice, ClassClient, Invoice{}},
	{TypeInvoiceLine, ClassClient, InvoiceLine{}},
	{TypePayment, ClassClient, Payment{}},
	{TypeAuditEntry, ClassClient, AuditEntry{}},
	{TypePet, ClassCare, Pet{}},
	{TypeVaccination, ClassCare, Vaccination{}},
	{TypeWeighing, ClassCare, Weighing{}},
	{TypeProject, ClassProject, Project{}},
	{TypeTask, ClassProject, Task{}},
	{TypeMilestone, ClassProject, Milestone{}},
	{TypeProgressNote, ClassProject, ProgressNote{}},
	{TypePhoto, ClassProject, Photo{}},
	{TypeInfo, ClassProject, Info{}},
	{TypeSettings, ClassOwner, Settings{}},
	{TypeDeletion, ClassOwner, Deletion{}},
}

var (
	types    []Type
	byType   = map[Type]*Schema{}
	byGoType = map[reflect.Type]*Schema{}
)

func init() {
	for _, r := range registry {
		s := buildSchema(r.t, r.class, reflect.TypeOf(r.proto))
		types = append(types, r.t)
		byType[r.t] = s
		byGoType[s.goType] = s
	}
	// Ref targets can only be checked once every type is known.
	for _, s := range byType {
		for _, f := range s.Fields {
			if f.Ref != "" && f.Ref != RefStaff && byType[f.Ref] == nil {
				panic(fmt.Sprintf("record: %s.%s refers to unknown type %q", s.Type, f.Name, f.Ref))
			}
		}
	}
}

// Types returns every record type in a stable order: by class, then as
// listed in the constants. The caller may modify the returned slice.
func Types() []Type { return append([]Type(nil), types...) }

// SchemaOf returns the schema of type t. The schema is shared: do not modify it.
func SchemaOf(t Type) (*Schema, bool) {
	s, ok := byType[t]
	return s, ok
}

// Class returns the access class of t, or 0 if t is unknown.
func (t Type) Class() Class {
	if s, ok := byType[t]; ok {
		return s.Class
	}
	return 0
}

// AppendOnly reports whether records of type t are written once and
// never changed, deleted or erased: the deletion log.
func (t Type) AppendOnly() bool { return t == TypeDeletion }

// Valid reports whether t is a known record type.
func (t Type) Valid() bool { return byType[t] != nil }

// New returns a pointer to a new zero record of type t, such as *Client.
func New(t Type) (any, error) {
	s, ok := byType[t]
	if !ok {
		return nil, fmt.Errorf("record: unknown record type %q", string(t))
	}
	return reflect.New(s.goType).Interface(), nil
}

// TypeOf returns the record type of v (a record struct or a pointer to one),
// or "" if v is not a record.
func TypeOf(v any) Type {
	if s := schemaOfValue(v); s != nil {
		return s.Type
	}
	return ""
}

func schemaOfValue(v any) *Schema {
	t := reflect.TypeOf(v)
	if t == nil {
		return nil
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return byGoType[t]
}

// recordValue returns the schema of v and an addressable struct value for it.
// A struct passed by value is copied, so it can be read but writes are lost.
func recordValue(v any) (*Schema, reflect.Value, error) {
	s := schemaOfValue(v)
	if s == nil {
		return nil, reflect.Value{}, fmt.Errorf("record: %T is not a record type", v)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, reflect.Value{}, fmt.Errorf("record: nil %T", v)
		}
		return s, rv.Elem(), nil
	}
	p := reflect.New(rv.Type())
	p.Elem().Set(rv)
	return s, p.Elem(), nil
}

// BlobRefs returns the blob references the record v (a record struct or a
// pointer to one) holds: the values of its blob fields that are set. A
// device fetches the blobs a record names, and drops them with it.
func BlobRefs(v any) []string {
	s, rv, err := recordValue(v)
	if err != nil {
		return nil
	}
	var refs []string
	for i := range s.Fields {
		if f := &s.Fields[i]; f.Kind == KindBlob {
			if ref := rv.Field(f.index).String(); ref != "" {
				refs = append(refs, ref)
			}
		}
	}
	return refs
}

// BlobFields yields the names of the fields that name blobs, so that a
// record's blobs can be read without decoding the rest of it.
func (s *Schema) BlobFields() iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range s.Fields {
			if s.Fields[i].Kind == KindBlob && !yield(s.Fields[i].Name) {
				return
			}
		}
	}
}

// HasBlobs reports whether records of this type can name blobs.
func (s *Schema) HasBlobs() bool {
	for i := range s.Fields {
		if s.Fields[i].Kind == KindBlob {
			return true
		}
	}
	return false
}

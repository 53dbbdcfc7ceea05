package record

import "fmt"

// Class is the access class of a record: which key seals it and which roles
// may read it. The server knows a record's class, never its content.
type Class uint8

// The classes of DESIGN.md.
const (
	ClassClient  Class = 1 // identity, contact, consent, communication log, invoices, payments
	ClassCare    Class = 2 // each pet's care facts
	ClassProject Class = 3 // appointments, courses, jobs
	ClassOwner   Class = 4 // the workspace's settings, retention policy and deletion log: owners only
)

// Classes lists every class in a stable order.
var Classes = []Class{ClassClient, ClassCare, ClassProject, ClassOwner}

func (c Class) String() string {
	switch c {
	case ClassClient:
		return "client"
	case ClassCare:
		return "care"
	case ClassProject:
		return "project"
	case ClassOwner:
		return "owner"
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// Valid reports whether c is one of the known classes.
func (c Class) Valid() bool { return c >= ClassClient && c <= ClassOwner }

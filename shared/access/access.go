// Package access holds Pawfile's roles and what each may do with each class
// of record. The server enforces it on every message; the app uses it to
// show only what a role may see; the keys a role holds make it hold even if
// the server is bypassed.
package access

import (
	"fmt"

	"pawfile/shared/record"
)

// Role is a team member's role in a workspace.
type Role uint8

// The roles of DESIGN.md. Their numbers travel on the wire: never renumber.
const (
	Owner     Role = 1
	FrontDesk Role = 2
	Groomer   Role = 3
	Viewer    Role = 4
)

// Roles lists every role, most powerful first.
var Roles = []Role{Owner, FrontDesk, Groomer, Viewer}

// Parse reads a role's name as String writes it.
func Parse(s string) (Role, error) {
	for _, r := range Roles {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown role %q: use owner, front_desk, groomer or viewer", s)
}

func (r Role) String() string {
	switch r {
	case Owner:
		return "owner"
	case FrontDesk:
		return "front_desk"
	case Groomer:
		return "groomer"
	case Viewer:
		return "viewer"
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// Label is the role's name as a person reads it.
func (r Role) Label() string {
	switch r {
	case FrontDesk:
		return "Front desk"
	case Owner, Groomer, Viewer:
		s := r.String()
		return string(s[0]-'a'+'A') + s[1:]
	}
	return r.String()
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r >= Owner && r <= Viewer }

// CanRead reports whether r may read records of class c.
func (r Role) CanRead(c record.Class) bool {
	switch r {
	case Owner:
		return c.Valid()
	case FrontDesk, Viewer:
		return c.Valid() && c != record.ClassOwner
	case Groomer:
		return c == record.ClassCare || c == record.ClassProject
	}
	return false
}

// CanWrite reports whether r may write records of class c.
func (r Role) CanWrite(c record.Class) bool {
	return r != Viewer && r.CanRead(c)
}

// Classes returns the classes r may read, which are the keys it holds.
func (r Role) Classes() []record.Class {
	var cs []record.Class
	for _, c := range record.Classes {
		if r.CanRead(c) {
			cs = append(cs, c)
		}
	}
	return cs
}

// ManagesTeam reports whether r may manage the team, settings, retention
// and backups.
func (r Role) ManagesTeam() bool { return r == Owner }

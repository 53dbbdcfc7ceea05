package access

import (
	"testing"

	"pawfile/shared/record"
)

func TestMatrix(t *testing.T) {
	// The table of DESIGN.md, "Roles": r = read, w = read and write, - = none,
	// by class: client, care, project, owner (team, settings, retention).
	want := map[Role]string{
		Owner:     "wwww",
		FrontDesk: "www-",
		Groomer:   "-ww-",
		Viewer:    "rrr-",
	}
	for role, row := range want {
		for i, c := range record.Classes {
			exp := row[i]
			if got := role.CanRead(c); got != (exp != '-') {
				t.Errorf("%s read %s = %v, want %c", role, c, got, exp)
			}
			if got := role.CanWrite(c); got != (exp == 'w') {
				t.Errorf("%s write %s = %v, want %c", role, c, got, exp)
			}
		}
	}
	for _, role := range Roles {
		if role.ManagesTeam() != (role == Owner) {
			t.Errorf("%s manages team = %v", role, role.ManagesTeam())
		}
		if r, err := Parse(role.String()); err != nil || r != role {
			t.Errorf("Parse(%q) = %v, %v", role, r, err)
		}
	}
	if Role(0).CanRead(record.ClassCare) || Role(9).CanWrite(record.ClassProject) {
		t.Error("an unknown role has access")
	}
	if _, err := Parse("admin"); err == nil {
		t.Error("Parse accepted an unknown role")
	}
	if Groomer.Label() != "Groomer" || FrontDesk.Label() != "Front desk" {
		t.Errorf("labels: %q, %q", Groomer.Label(), FrontDesk.Label())
	}
}

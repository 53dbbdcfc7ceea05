package ui

import (
	"testing"

	"pawfile/app/session"
)

// A history line names its writer by login and device where this device
// knows them; a writer it does not know reads as a team member, never as
// a device's hex id.
func TestWhoText(t *testing.T) {
	const dev = 0x1a2b3c4d5e6f7081
	for _, c := range []struct {
		p    session.Person
		want string
	}{
		{session.Person{}, "by a team member on another device"},
		{session.Person{DeviceName: "Browser on Android"}, "by a team member on Browser on Android"},
		{session.Person{Login: "ann@example.com", DeviceName: "Browser on Android"}, "by ann@example.com on Browser on Android, device 1a2b3c4d"},
		{session.Person{Login: "desk@example.com", DeviceName: "Chrome", This: true}, "by desk@example.com on this device (Chrome, device 1a2b3c4d)"},
	} {
		if got := whoText(c.p, dev); got != c.want {
			t.Errorf("whoText(%+v) = %q, want %q", c.p, got, c.want)
		}
	}
}

//go:build !js

package session

import (
	"context"
	"strings"
	"testing"

	"pawfile/shared/access"
)

// deskAndGroomers sets up a workspace on srv: an owner, a front desk
// (its keys fetched) and two groomers, Ann and Bob. g1 and g2 are the
// groomers' ids in the order the desk numbers them.
func deskAndGroomers(t *testing.T, srv *realServer) (owner, desk, ann, bob *Session, g1, g2 string) {
	t.Helper()
	owner = srv.owner("owner@example.com")
	desk = srv.join(owner, access.FrontDesk, "desk@example.com")
	ann = srv.join(owner, access.Groomer, "ann@example.com")
	bob = srv.join(owner, access.Groomer, "bob@example.com")
	if err := desk.RefreshKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	g1, g2 = ann.MemberID(), bob.MemberID()
	if g2 < g1 {
		g1, g2 = g2, g1 // numbered in the order of their ids
	}
	return owner, desk, ann, bob, g1, g2
}

// A booking's staff on the front desk's tablet: the desk may not read the
// team's logins (the server's member list answers owners only, and no
// record its keys open names a groomer), so it names each colleague by
// the role the signed team log gives them, never by an id; the owner
// names them by login; a member who left reads as such.
func TestStaffNameOnEachRole(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner, desk, ann, bob, g1, g2 := deskAndGroomers(t, srv)
	viewer := srv.join(owner, access.Viewer, "viewer@example.com")
	if err := desk.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		owner.MemberID():                   "Owner",
		desk.MemberID():                    "desk@example.com",
		g1:                                 "Groomer 1",
		g2:                                 "Groomer 2",
		viewer.MemberID():                  "Viewer",
		"0123456789abcdef0123456789abcdef": "A team member",
	} {
		if got := desk.StaffName(id); got != want {
			t.Errorf("the desk names %s %q, want %q", id, got, want)
		}
	}

	if _, err := owner.Members(ctx); err != nil {
		t.Fatal(err)
	}
	if got := owner.StaffName(ann.MemberID()); got != "ann@example.com" {
		t.Errorf("the owner names Ann %q", got)
	}

	if err := owner.ChangeMember(ctx, member(t, owner, "bob@example.com"), 0); err != nil {
		t.Fatal(err)
	}
	if err := desk.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if got := desk.StaffName(bob.MemberID()); got != "A former team member" {
		t.Errorf("the desk names Bob, who left, %q", got)
	}
	if got := desk.StaffName(ann.MemberID()); got != "Groomer" {
		t.Errorf("the desk names Ann, the one groomer left, %q", got)
	}
	for _, s := range []*Session{owner, desk} {
		if got := s.StaffName(ann.MemberID()); strings.Contains(got, ann.MemberID()[:8]) {
			t.Errorf("%s names Ann by her id: %q", s.Login(), got)
		}
	}
}

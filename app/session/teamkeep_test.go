//go:build !js

package session

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"slices"
	"testing"

	"pawfile/shared/access"
	"pawfile/shared/record"
)

// offlineUnlock is s's device reloaded and unlocked while the server is
// unreachable.
func offlineUnlock(t *testing.T, s *Session) *Session {
	t.Helper()
	return reload(t, s, "http://127.0.0.1:1")
}

// reload is s's device reloaded with server and unlocked, its bookings
// listed: the kept team log is read by then.
func reload(t *testing.T, s *Session, server string) *Session {
	t.Helper()
	ctx := context.Background()
	s.Lock()
	again, err := New(ctx, Config{Server: server, Store: s.cfg.Store, Log: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(again.Lock)
	unlocked(t, again)
	return again
}

// A front desk that unlocks offline names its colleagues by the roles the
// signed team log gave them, as it did online: the device keeps the log it
// verified and verifies it again at unlock. A later log replaces it; a
// kept log altered, or older than the one the device last saw, names
// nobody.
func TestStaffNameOfflineUnlock(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner, desk, _, bob, g1, g2 := deskAndGroomers(t, srv)
	names := func(s *Session) map[string]string {
		return map[string]string{
			"owner": s.StaffName(owner.MemberID()), "desk": s.StaffName(desk.MemberID()),
			"g1": s.StaffName(g1), "g2": s.StaffName(g2),
		}
	}
	check := func(s *Session, what string, want map[string]string) {
		t.Helper()
		for k, got := range names(s) {
			if got != want[k] {
				t.Errorf("%s: the desk names %s %q, want %q", what, k, got, want[k])
			}
		}
	}
	check(desk, "online", map[string]string{"owner": "Owner", "desk": "desk@example.com", "g1": "Groomer 1", "g2": "Groomer 2"})
	desk = offlineUnlock(t, desk)
	check(desk, "unlocked offline", map[string]string{"owner": "Owner", "desk": "desk@example.com", "g1": "Groomer 1", "g2": "Groomer 2"})

	// Bob leaves; the desk connects, then unlocks offline again.
	st := desk.cfg.Store.(*memStore)
	older := slices.Clone(st.meta[metaTeamLog])
	if err := owner.ChangeMember(ctx, member(t, owner, "bob@example.com"), 0); err != nil {
		t.Fatal(err)
	}
	desk = reload(t, desk, srv.url)
	if err := desk.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	desk = offlineUnlock(t, desk)
	want := map[string]string{"owner": "Owner", "desk": "desk@example.com", "g1": "Groomer", "g2": "Groomer"}
	if g1 == bob.MemberID() {
		want["g1"] = "A former team member"
	} else {
		want["g2"] = "A former team member"
	}
	check(desk, "unlocked offline after Bob left", want)

	latest := slices.Clone(st.meta[metaTeamLog])
	nobody := map[string]string{"owner": "A team member", "desk": "desk@example.com", "g1": "A team member", "g2": "A team member"}
	// The log from before Bob left, put back: the device saw a later one.
	st.mu.Lock()
	st.meta[metaTeamLog] = older
	st.mu.Unlock()
	desk = offlineUnlock(t, desk)
	check(desk, "a kept log older than the one seen", nobody)

	// The latest kept log with a signature altered: it no longer checks.
	var entries [][]byte
	if err := json.Unmarshal(latest, &entries); err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	last[len(last)-1] ^= 1
	altered, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	st.meta[metaTeamLog] = altered
	st.mu.Unlock()
	desk = offlineUnlock(t, desk)
	check(desk, "an altered kept log", nobody)
}

// The front desk reads a client's history: the preferred groomer the owner
// set reads as the groomer's role, as the rest of the desk's screens name
// her, and the owner's change as a team member's, the desk knowing
// nothing of the owner's device (the signed team log names members, not
// devices).
func TestDeskHistoryNamesStaff(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	desk := srv.join(owner, access.FrontDesk, "desk@example.com")
	ann := srv.join(owner, access.Groomer, "ann@example.com")
	if err := desk.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	client := record.NewID()
	if err := owner.SaveClient(ctx, client, nil, &record.Client{Name: "Margaret Lockwood", PreferredGroomer: ann.MemberID()}); err != nil {
		t.Fatal(err)
	}
	upToDate(t, owner)
	var c record.Client
	waitFor(t, "the desk's device has the client", func() bool {
		ok, _ := desk.LoadClient(client, &c)
		return ok
	})
	h, err := desk.RecordHistory(ctx, record.TypeClient, client)
	if err != nil {
		t.Fatal(err)
	}
	var groomer *Change
	for i, ch := range h.Changes {
		if ch.Field != nil && ch.Field.Name == "preferred_groomer" {
			groomer = &h.Changes[i]
		}
	}
	if groomer == nil {
		t.Fatalf("no change of the preferred groomer in the desk's history: %+v", h.Changes)
	}
	id, _ := groomer.New.(string)
	if got := desk.RefName(record.RefStaff, id); got != "Groomer" {
		t.Errorf("the desk's history names the preferred groomer %q, want Groomer", got)
	}
	if groomer.Who != (Person{}) || groomer.Device() != owner.DeviceID() {
		t.Errorf("the owner's change reads as by %+v from device %x", groomer.Who, groomer.Device())
	}
	if got := desk.RefName(record.RefStaff, desk.MemberID()); got != "desk@example.com" {
		t.Errorf("the desk names itself %q", got)
	}
}

// The owner takes a groomer off the team, then unlocks offline: the log
// kept on the owner's device grows by the entries the owner signed, so it
// is the log the device pinned, and names the team as it now stands.
func TestOwnerOfflineUnlockAfterTeamChange(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	ann := srv.join(owner, access.Groomer, "ann@example.com")
	bob := srv.join(owner, access.Groomer, "bob@example.com")
	if err := owner.ChangeMember(ctx, member(t, owner, "bob@example.com"), 0); err != nil {
		t.Fatal(err)
	}
	owner = offlineUnlock(t, owner)
	for id, want := range map[string]string{
		owner.MemberID(): "owner@example.com", ann.MemberID(): "Groomer", bob.MemberID(): "A former team member",
	} {
		if got := owner.StaffName(id); got != want {
			t.Errorf("the owner, unlocked offline, names %s %q, want %q", id, got, want)
		}
	}
}

//go:build !js

package session

import (
	"context"
	"testing"
	"time"

	"pawfile/app/book"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/retention"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// forge seals v as record id filed under class c, with s's key of c (or,
// lacking one, a key of its own), as a hostile member's modified app
// would.
func forge(t *testing.T, s *Session, c record.Class, id string, v any) wire.Envelope {
	t.Helper()
	fields, err := record.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.RLock()
	keys, ws := cloneKeys(s.keys), s.dev.Workspace
	s.mu.RUnlock()
	clk := clock.New(s.DeviceID(), nil)
	ts := clk.Now()
	rec := merge.New(merge.Key{Class: c, Type: record.TypeOf(v), ID: id})
	rec.Create(ts)
	for name, b := range fields {
		rec.Set(name, b, ts)
	}
	plain, err := merge.Encode(rec)
	if err != nil {
		t.Fatal(err)
	}
	ck, ok := keys.Current(c)
	if !ok {
		ck = seal.ClassKey{Class: c, ID: 1, Key: seal.NewKey()}
	}
	ts = clk.Now()
	h := seal.Header{Workspace: ws, RecordKey: seal.RecordKey(keys.MAC, c, rec.Key.Type, id), TS: ts, KeyID: ck.ID, Format: merge.Format}
	return wire.Envelope{Class: c, Key: h.RecordKey, TS: ts, KeyID: ck.ID, Format: merge.Format,
		OutboxID: book.OutboxID(ts), Sealed: seal.Seal(ck.Key, h, plain)}
}

// Issue 14, item 3: a groomer and a front desk push settings that keep
// client records 1 year and erase automatically, as the workspace's
// settings of before (class project) and as the owner's (class owner).
// The server refuses the owner's class from them, and the owner's tablet
// acts only on settings of the owner class: after unlocking again it
// still keeps client records 7 years, erases nothing on its own, and its
// client of two years ago is there.
func TestStaffCannotRewriteRetention(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	groomer := srv.join(owner, access.Groomer, "groomer@example.com")
	desk := srv.join(owner, access.FrontDesk, "desk@example.com")
	olive := record.NewID()
	if err := owner.SaveClient(ctx, olive, nil, &record.Client{Name: "Olive Old"}); err != nil {
		t.Fatal(err)
	}
	twoYears := record.InstantOf(time.Now().In(localZone()).AddDate(-2, 0, 0))
	if _, err := owner.save(ctx, record.NewID(), nil, &record.ContactLog{Client: olive, When: twoYears, Channel: "call", Summary: "booked"}); err != nil {
		t.Fatal(err)
	}
	upToDate(t, owner)

	harsh := record.Settings{ClientYears: 1, ArchiveYears: 1, Automatic: true}
	forged := record.Deletion{When: record.InstantOf(time.Now().In(localZone())), Clients: 99}
	for _, s := range []*Session{groomer, desk} {
		sock := srv.raw(s)
		sock.push(forge(t, s, record.ClassProject, record.SettingsID, &harsh))
		for _, r := range sock.push(forge(t, s, record.ClassOwner, record.SettingsID, &harsh), forge(t, s, record.ClassOwner, record.NewID(), &forged)) {
			if r.Code != wire.CodeForbidden || r.Seq != 0 {
				t.Errorf("the %s pushes an owner's record: %+v, want refused as forbidden", s.Role().Label(), r)
			}
		}
	}
	if err := desk.SaveRetentionSettings(ctx, nil, RetentionSettings{Policy: retention.Policy{ClientYears: 1, ArchiveYears: 1}, Automatic: true}); err == nil {
		t.Error("the front desk's own app saved retention settings")
	}

	// What the other roles read of the settings is the owner's to write.
	if err := owner.SetBusinessName(ctx, "Pawfect Grooming"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the business name on the front desk's tablet", func() bool { return desk.BusinessName() == "Pawfect Grooming" })
	if err := desk.SetBusinessName(ctx, "Not Yours Ltd"); err == nil {
		t.Error("the front desk changed the business name")
	}
	if err := desk.SetBusinessName(ctx, "Pawfect Grooming"); err != nil {
		t.Errorf("the front desk prints under the business name as it is: %v", err)
	}

	owner.Lock()
	if err := owner.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	upToDate(t, owner)
	if rs := owner.RetentionSettings(); rs.Automatic || rs.Policy.ClientYears != 7 {
		t.Fatalf("the owner's tablet acts on %+v, want 7 years and no automatic erasure", rs)
	}
	p, err := owner.RetentionPreview(todayHere())
	if err != nil || len(p.Clients) != 0 {
		t.Fatalf("the owner's tablet would erase %+v, %v", p.Clients, err)
	}
	if ok, err := owner.LoadClient(olive, &record.Client{}); !ok || err != nil {
		t.Fatalf("the client of two years ago: %v %v", ok, err)
	}
	if ds := owner.Deletions(); len(ds) != 0 {
		t.Fatalf("the deletion log holds %+v", ds)
	}
}

// A workspace from before the owner class (and the team log): its
// settings are of the project class and its deletion log of the client
// class. The owner's
// device, once it connects, makes the owner class's key and moves both
// under it; automatic erasure, switched on by another device than this
// owner's, is not carried over. The other roles then read the business
// name from the info the owner's device publishes.
func TestOwnerClassMigration(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	groomer := srv.join(owner, access.Groomer, "groomer@example.com")
	ran := record.Deletion{When: record.InstantOf(time.Now().In(localZone())), Clients: 2, ClientRecords: 9}
	logID := record.NewID()
	before := []wire.Envelope{
		forge(t, groomer, record.ClassProject, record.SettingsID,
			&record.Settings{ClientYears: 5, ArchiveYears: 2, Automatic: true, BusinessName: "Old Name"}),
		forge(t, owner, record.ClassClient, logID, &ran),
	}
	if err := (*local)(owner).Receive(ctx, before, 0); err != nil {
		t.Fatal(err)
	}
	// The owner's keyring and the team log as they stood before: no owner
	// class, and no log yet (its device signs one first).
	owner.team.keysMu.Lock()
	old := cloneKeys(owner.keys)
	old.Keys = old.Only(record.ClassClient, record.ClassCare, record.ClassProject).Keys
	err := owner.storeKeys(ctx, old, 0, nil)
	if err == nil {
		nd := *owner.device()
		nd.TeamLen, nd.TeamHead = 0, nil
		err = owner.saveDevice(ctx, &nd, false)
	}
	owner.team.keysMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	srv.forgetTeamLog(owner.device().Workspace)
	if err := owner.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the settings moved to the owner class", func() bool {
		return owner.holds(record.ClassOwner, 1) && owner.BusinessName() == "Old Name"
	})
	if rs := owner.RetentionSettings(); rs.Policy.ClientYears != 5 || rs.Policy.ArchiveYears != 2 || rs.Automatic {
		t.Errorf("the moved settings: %+v, want 5 and 2 years, not automatic", rs)
	}
	if ds := owner.Deletions(); len(ds) != 1 || ds[0].ID != logID || ds[0].Clients != 2 || ds[0].ClientRecords != 9 {
		t.Errorf("the moved deletion log: %+v", ds)
	}
	waitFor(t, "the business name on the groomer's tablet", func() bool { return groomer.BusinessName() == "Old Name" })
}

// A front desk made owner reads the owner's settings: their device takes
// the owner class's key the owner gives them, never makes one of its own
// (it reconnects at once under its new role, and may ask for its keys
// before the owner's device has given them).
func TestPromotedOwnerGetsTheOwnersKey(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	desk := srv.join(owner, access.FrontDesk, "desk@example.com")
	if err := owner.SaveRetentionSettings(ctx, nil, RetentionSettings{Policy: retention.Policy{ClientYears: 5, ArchiveYears: 2}}); err != nil {
		t.Fatal(err)
	}
	upToDate(t, owner)
	// The role changes first; the device asks for its keys before the
	// owner's device has given them.
	m := member(t, owner, "desk@example.com")
	if err := owner.api.call(ctx, "PATCH", "/api/members/"+m.Member, owner.token(),
		account.RoleRequest{Role: account.Role(access.Owner)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := desk.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if desk.holds(record.ClassOwner, 1) {
		t.Fatal("the new owner's device made an owner key before it was given the owner's")
	}
	// The role change cleared the keys the server held for them: the
	// owner signs the change and gives access again.
	if err := owner.ChangeMember(ctx, member(t, owner, "desk@example.com"), access.Owner); err != nil {
		t.Fatal(err)
	}
	if err := owner.GiveAccess(ctx, member(t, owner, "desk@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := desk.RefreshKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if desk.Role() != access.Owner || !desk.holds(record.ClassOwner, 1) {
		t.Fatalf("the new owner's device: role %v, owner key %v (trust %q, owner holds %v)", desk.Role(), desk.holds(record.ClassOwner, 1), desk.TrustProblem(), owner.holds(record.ClassOwner, 1))
	}
	owner.mu.RLock()
	want, _ := owner.keys.Lookup(record.ClassOwner, 1)
	owner.mu.RUnlock()
	desk.mu.RLock()
	got, _ := desk.keys.Lookup(record.ClassOwner, 1)
	desk.mu.RUnlock()
	if got != want {
		t.Fatal("the new owner's device made an owner key of its own")
	}
	waitFor(t, "the owner's settings on the new owner's device", func() bool {
		return desk.RetentionSettings().Policy.ClientYears == 5
	})
}

// Settings that break the policy's rules (projects archived only after
// their client's records are erased) are not acted on: the device keeps
// the defaults and erases nothing on its own.
func TestSettingsAgainstThePolicyAreNotActedOn(t *testing.T) {
	ctx := context.Background()
	s, _ := setUp(t, "ws1", seal.NewKeyring(), 1)
	unlocked(t, s)
	for _, st := range []record.Settings{
		{ClientYears: 1, ArchiveYears: 5, Automatic: true},
		{ClientYears: 2, ArchiveYears: 3, Automatic: true},
	} {
		if _, err := s.saveAll(ctx, []write{{id: record.SettingsID, v: &st}}); err != nil {
			t.Fatal(err)
		}
		if rs := s.RetentionSettings(); rs.Automatic || rs.Policy != retention.Of(&record.Settings{}) {
			t.Errorf("settings %+v are acted on as %+v", st, rs)
		}
	}
}

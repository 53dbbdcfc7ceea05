package directory

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"pawfile/shared/access"
	"pawfile/shared/teamlog"
)

// The server keeps an owner's signed entries in order, and refuses an
// append from a member who is no owner, one to a log that grew meanwhile,
// and entries a device would refuse.
func TestTeamLog(t *testing.T) {
	d, _ := openTest(t)
	o, err := d.CreateWorkspace(t.Context(), reg("o@example.com", rnd(32)))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := d.CreateInvite(t.Context(), o.Session, access.Groomer)
	if err != nil {
		t.Fatal(err)
	}
	g, err := d.Join(t.Context(), inv.Code, reg("g@example.com", rnd(32)))
	if err != nil {
		t.Fatal(err)
	}
	_, root, _ := ed25519.GenerateKey(nil)
	st := teamlog.New(o.Workspace)
	sign := func(key ed25519.PrivateKey, e teamlog.Entry) []byte {
		e = st.Next(e)
		e.SignWith(o.Workspace, key)
		if err := st.Apply(e); err != nil {
			t.Fatal(err)
		}
		return e.Marshal()
	}
	first := sign(root, teamlog.Entry{Kind: teamlog.KindMember, Member: o.Member, Role: access.Owner, Sign: [32]byte(root.Public().(ed25519.PublicKey))})
	if err := d.AppendTeamLog(t.Context(), g.Session, 0, [][]byte{first}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a groomer appends: %v", err)
	}
	if err := d.AppendTeamLog(t.Context(), o.Session, 0, [][]byte{first}); err != nil {
		t.Fatal(err)
	}
	second := sign(root, teamlog.Entry{Kind: teamlog.KindMember, Member: g.Member, Role: access.Groomer})
	if err := d.AppendTeamLog(t.Context(), o.Session, 0, [][]byte{second}); !errors.Is(err, ErrTeamLogMoved) {
		t.Fatalf("an append to an older log: %v", err)
	}
	_, stranger, _ := ed25519.GenerateKey(nil)
	forged := st.Next(teamlog.Entry{Kind: teamlog.KindMember, Member: g.Member, Role: access.Owner})
	forged.SignWith(o.Workspace, stranger)
	if err := d.AppendTeamLog(t.Context(), o.Session, 1, [][]byte{forged.Marshal()}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an entry no owner signed: %v", err)
	}
	if err := d.AppendTeamLog(t.Context(), o.Session, 1, [][]byte{second}); err != nil {
		t.Fatal(err)
	}
	got, err := d.TeamLog(t.Context(), g.Session)
	if err != nil || len(got) != 2 {
		t.Fatalf("the log a member reads: %v %d entries", err, len(got))
	}
	if _, err := teamlog.Verify(o.Workspace, [32]byte(root.Public().(ed25519.PublicKey)), got); err != nil {
		t.Fatal(err)
	}
}

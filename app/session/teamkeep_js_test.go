//go:build js && wasm

package session

import (
	"context"
	"encoding/json"
	"testing"

	"pawfile/app/localstore"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/seal"
	"pawfile/shared/teamlog"
)

// A front desk's tablet in the browser, unlocked with no server: the team
// log it kept in IndexedDB names its colleagues by role; the same log
// with a signature altered names nobody.
func TestOfflineUnlockNamesStaffInBrowser(t *testing.T) {
	ctx := context.Background()
	owner := seal.NewKeyring()
	owner.Signer = seal.NewSigner()
	owner.Root = seal.SignerPublic(owner.Signer)
	st := teamlog.New("ws1")
	var entries [][]byte
	for _, e := range []teamlog.Entry{
		{Kind: teamlog.KindMember, Member: "m1", Role: access.Owner, Sign: owner.Root},
		{Kind: teamlog.KindMember, Member: "m2", Role: access.FrontDesk},
		{Kind: teamlog.KindMember, Member: "m3", Role: access.Groomer},
	} {
		e = st.Next(e)
		e.SignWith("ws1", owner.Signing())
		if err := st.Apply(e); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e.Marshal())
	}
	desk := keysOf(owner, access.FrontDesk)

	unlock := func(name string, kept [][]byte) *Session {
		t.Helper()
		localstore.Delete(ctx, name)
		db, err := localstore.Open(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close(); localstore.Delete(ctx, name) })
		salt, _, wrapped := passSecrets(t, "ws1", desk)
		dev, err := json.Marshal(device{Workspace: "ws1", Member: "m2", Login: "desk@example.com", Role: access.FrontDesk, Device: 2,
			Token: "t", Salt: salt, Params: account.ParamsOf(fastParams), Keys: wrapped, TeamLen: st.Len, TeamHead: st.Head[:]})
		if err != nil {
			t.Fatal(err)
		}
		log, err := json.Marshal(kept)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaDevice: dev, metaTeamLog: log}}); err != nil {
			t.Fatal(err)
		}
		s, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: db})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Lock)
		unlocked(t, s)
		return s
	}

	s := unlock("team-kept", entries)
	for id, want := range map[string]string{"m1": "Owner", "m2": "desk@example.com", "m3": "Groomer", "m4": "A team member"} {
		if got := s.StaffName(id); got != want {
			t.Errorf("the desk, unlocked offline, names %s %q, want %q", id, got, want)
		}
	}

	altered := make([][]byte, len(entries))
	for i, e := range entries {
		altered[i] = append([]byte(nil), e...)
	}
	altered[2][len(altered[2])-1] ^= 1
	s = unlock("team-altered", altered)
	if got := s.StaffName("m3"); got != "A team member" {
		t.Errorf("a kept log with an altered signature names the groomer %q", got)
	}
}

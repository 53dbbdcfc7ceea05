package teamlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"pawfile/shared/access"
	"pawfile/shared/record"
)

func newKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pub(k ed25519.PrivateKey) [32]byte { return [32]byte(k.Public().(ed25519.PublicKey)) }

// builder appends signed entries to a log, as an owner's device does.
type builder struct {
	ws      string
	state   *State
	entries [][]byte
}

func (b *builder) add(t testing.TB, key ed25519.PrivateKey, e Entry) error {
	t.Helper()
	e = b.state.Next(e)
	e.SignWith(b.ws, key)
	if err := b.state.Apply(e); err != nil {
		return err
	}
	b.entries = append(b.entries, e.Marshal())
	return nil
}

func genesis(t testing.TB, ws string) (*builder, ed25519.PrivateKey) {
	t.Helper()
	root := newKey(t)
	b := &builder{ws: ws, state: New(ws)}
	if err := b.add(t, root, Entry{Kind: KindMember, Member: "m1", Role: access.Owner, Sign: pub(root)}); err != nil {
		t.Fatal(err)
	}
	if err := b.add(t, root, Entry{Kind: KindKey, Class: record.ClassClient, Gen: 1, Commit: [32]byte{1}}); err != nil {
		t.Fatal(err)
	}
	return b, root
}

func TestLog(t *testing.T) {
	b, root := genesis(t, "ws1")
	other := newKey(t)
	// A member, then a second owner whose key another owner certifies.
	if err := b.add(t, root, Entry{Kind: KindMember, Member: "m2", Role: access.Groomer, Box: [32]byte{2}}); err != nil {
		t.Fatal(err)
	}
	if err := b.add(t, root, Entry{Kind: KindMember, Member: "m3", Role: access.Owner, Sign: pub(other)}); err != nil {
		t.Fatal(err)
	}
	if err := b.add(t, other, Entry{Kind: KindKey, Class: record.ClassCare, Gen: 2, Commit: [32]byte{3}}); err != nil {
		t.Fatal(err)
	}
	pin := b.state.Pin()
	s, err := Verify("ws1", pub(root), b.entries)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len != 5 || s.Head != b.state.Head || s.Root != pub(root) || !s.HasPin(pin) || s.Keys[KeyID{record.ClassCare, 2}] != [32]byte{3} {
		t.Fatalf("verified state: %+v", s)
	}
	if m, ok := s.Active("m2"); !ok || m.Role != access.Groomer || m.Box != [32]byte{2} {
		t.Fatalf("member m2: %+v", m)
	}
	// A joiner takes the root from the log and checks the pin.
	if s, err := Verify("ws1", [32]byte{}, b.entries); err != nil || s.Root != pub(root) {
		t.Fatalf("verify with no root: %v", err)
	}

	// The root owner removed, the second owner still signs; the removed
	// one no longer may.
	if err := b.add(t, other, Entry{Kind: KindRemove, Member: "m1"}); err != nil {
		t.Fatal(err)
	}
	if err := b.add(t, root, Entry{Kind: KindKey, Class: record.ClassCare, Gen: 3}); err == nil {
		t.Error("a removed owner signed an entry")
	}

	refused := map[string]struct {
		key ed25519.PrivateKey
		e   Entry
	}{
		"no owner's key":          {newKey(t), Entry{Kind: KindKey, Class: record.ClassClient, Gen: 77}},
		"a key stated again":      {other, Entry{Kind: KindKey, Class: record.ClassCare, Gen: 2}},
		"a signing groomer":       {other, Entry{Kind: KindMember, Member: "m2", Role: access.Groomer, Sign: [32]byte{9}}},
		"an unknown role":         {other, Entry{Kind: KindMember, Member: "m4", Role: 9}},
		"a removed member back":   {other, Entry{Kind: KindMember, Member: "m1", Role: access.Viewer}},
		"a stranger removed":      {other, Entry{Kind: KindRemove, Member: "m9"}},
		"an unknown kind":         {other, Entry{Kind: 9}},
		"an unknown class":        {other, Entry{Kind: KindKey, Class: 9, Gen: 1}},
		"a MAC key of generation": {other, Entry{Kind: KindKey, Class: MACClass, Gen: 1}},
	}
	for name, c := range refused {
		if err := b.add(t, c.key, c.e); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestVerifyRefusesForgery(t *testing.T) {
	b, root := genesis(t, "ws1")
	if err := b.add(t, root, Entry{Kind: KindMember, Member: "m2", Role: access.Groomer}); err != nil {
		t.Fatal(err)
	}
	good := b.entries

	// Another root: a log the server made from scratch.
	fake, _ := genesis(t, "ws1")
	if _, err := Verify("ws1", pub(root), fake.entries); err == nil || !strings.Contains(err.Error(), "root") {
		t.Errorf("a log of another root: %v", err)
	}
	// Another workspace's log.
	if _, err := Verify("ws2", pub(root), good); err == nil {
		t.Error("a log verified for another workspace")
	}
	// A role changed in a signed entry.
	e, _ := Unmarshal(good[2])
	e.Role = access.Owner
	if _, err := Verify("ws1", pub(root), [][]byte{good[0], good[1], e.Marshal()}); err == nil {
		t.Error("a changed entry verified")
	}
	// An entry left out, or two swapped.
	if _, err := Verify("ws1", pub(root), [][]byte{good[0], good[2]}); err == nil {
		t.Error("a log with a gap verified")
	}
	if _, err := Verify("ws1", pub(root), [][]byte{good[1], good[0]}); err == nil {
		t.Error("a reordered log verified")
	}
	// A first entry that does not make its signer an owner.
	lone := &builder{ws: "ws1", state: New("ws1")}
	k := newKey(t)
	if err := lone.add(t, k, Entry{Kind: KindMember, Member: "m1", Role: access.Owner}); err == nil {
		t.Error("a first entry without its signer's key verified")
	}
}

func TestUnmarshal(t *testing.T) {
	b, _ := genesis(t, "ws1")
	for _, raw := range b.entries {
		e, err := Unmarshal(raw)
		if err != nil || !bytes.Equal(e.Marshal(), raw) {
			t.Fatalf("round trip: %v", err)
		}
		for _, bad := range [][]byte{nil, raw[:len(raw)-1], append(append([]byte{}, raw...), 0), append([]byte{2}, raw[1:]...)} {
			if _, err := Unmarshal(bad); err == nil {
				t.Errorf("decoded %x", bad)
			}
		}
	}
}

func FuzzUnmarshal(f *testing.F) {
	b, _ := genesis(f, "ws1")
	for _, e := range b.entries {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := Unmarshal(raw)
		if err != nil {
			return
		}
		if !bytes.Equal(e.Marshal(), raw) {
			t.Fatalf("round trip: %x -> %x", raw, e.Marshal())
		}
		New("ws1").Apply(e)
	})
}

package seal

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"pawfile/shared/clock"
	"pawfile/shared/record"
)

// These vectors pin the formats: a change to the derivation, the record key
// or the sealing layout breaks every stored and synced version, so it must
// fail here first.
const (
	vecAuth   = "dfa6cffc28ec5cee053ff2f8b7acd5a0c39a3a80b8e11ec3ad433aeac2551a33"
	vecKEK    = "c335e1f6185f2cb67628463628e7a75dce844dd2a9949e63d847de6f52602c4a"
	vecRecord = "23629c7a41570bce1ea26211b6635b8e3a77d2dce6a971c52693bf3582b18d04"
	vecSealed = "000306090c0f1215181b1e2124272a2d303336393c3f4245d103d26c8360c25e2e6838c728ccc202a03402743cc3b930b4a4dcde1985aa58f7d653dcdfdefbd5abf00f0b4ae45805aa1c"
	vecPlain  = "Bella: allergic to oatmeal shampoo"
)

func vecKeys() (mac, key Key, nonce [24]byte) {
	for i := range mac {
		mac[i] = byte(i)
		key[i] = byte(255 - i)
	}
	for i := range nonce {
		nonce[i] = byte(i * 3)
	}
	return
}

func vecHeader(mac Key) Header {
	return Header{
		Workspace: "ws1", RecordKey: RecordKey(mac, record.ClassClient, record.TypeClient, "abc"),
		TS: clock.Timestamp{Wall: 1764000000000, Counter: 2, Device: 7}, KeyID: 1, Format: 1,
	}
}

func TestVectors(t *testing.T) {
	s, err := Derive([]byte("correct horse battery staple"), []byte("pawfile-salt-016"), DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(s.Auth[:]); got != vecAuth {
		t.Errorf("auth = %s, want %s", got, vecAuth)
	}
	if got := hex.EncodeToString(s.KEK[:]); got != vecKEK {
		t.Errorf("kek = %s, want %s", got, vecKEK)
	}
	mac, key, nonce := vecKeys()
	h := vecHeader(mac)
	if got := hex.EncodeToString(h.RecordKey[:]); got != vecRecord {
		t.Errorf("record key = %s, want %s", got, vecRecord)
	}
	sealed := sealWith(key, nonce, h.ad(), []byte(vecPlain))
	if got := hex.EncodeToString(sealed); got != vecSealed {
		t.Errorf("sealed = %s, want %s", got, vecSealed)
	}
	pt, err := Open(key, h, sealed)
	if err != nil || string(pt) != vecPlain {
		t.Fatalf("open = %q, %v", pt, err)
	}
}

// A passphrase yields the same secrets in memory prepared while it was
// typed, after a Prepare for other parameters, and with none.
func TestPrepare(t *testing.T) {
	pass, salt := []byte("correct horse battery staple"), []byte("pawfile-salt-016")
	other := DefaultParams
	other.Memory += 1024
	for i, prepare := range []func(){
		func() { Prepare(DefaultParams) },
		func() { Prepare(other) },
		func() {},
	} {
		prepare()
		s, err := Derive(pass, salt, DefaultParams)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(s.Auth[:]); got != vecAuth {
			t.Errorf("%d: auth = %s, want %s", i, got, vecAuth)
		}
		if got := hex.EncodeToString(s.KEK[:]); got != vecKEK {
			t.Errorf("%d: kek = %s, want %s", i, got, vecKEK)
		}
	}
	Prepare(Params{Memory: 8, Passes: 1, Lanes: 1}) // refused: too weak to derive with
}

func TestOpenRefusesMovedVersions(t *testing.T) {
	mac, key, _ := vecKeys()
	h := vecHeader(mac)
	sealed := Seal(key, h, []byte(vecPlain))
	moved := map[string]func(h *Header){
		"other workspace": func(h *Header) { h.Workspace = "ws2" },
		"other record":    func(h *Header) { h.RecordKey = RecordKey(mac, record.ClassClient, record.TypeClient, "abd") },
		"other time":      func(h *Header) { h.TS.Wall++ },
		"other author":    func(h *Header) { h.TS.Device = 8 },
		"other key id":    func(h *Header) { h.KeyID = 2 },
		"marked erased":   func(h *Header) { h.Erased = true },
		"other format":    func(h *Header) { h.Format = 2 },
	}
	for name, change := range moved {
		h2 := h
		change(&h2)
		if _, err := Open(key, h2, sealed); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: opened (%v)", name, err)
		}
	}
	other := NewKey()
	if _, err := Open(other, h, sealed); !errors.Is(err, ErrOpen) {
		t.Error("opened with another key")
	}
	damaged := bytes.Clone(sealed)
	damaged[len(damaged)-1] ^= 1
	if _, err := Open(key, h, damaged); !errors.Is(err, ErrOpen) {
		t.Error("opened damaged bytes")
	}
	if _, err := Open(key, h, sealed[:10]); !errors.Is(err, ErrOpen) {
		t.Error("opened a stub")
	}
	if bytes.Contains(sealed, []byte("Bella")) {
		t.Error("plaintext visible in the sealed bytes")
	}
	if again := Seal(key, h, []byte(vecPlain)); bytes.Equal(again, sealed) {
		t.Error("two seals of the same plaintext are equal: nonce reused")
	}
}

func TestRecordKeyIsUnambiguous(t *testing.T) {
	mac := NewKey()
	a := RecordKey(mac, record.ClassCare, "pet", "x1")
	b := RecordKey(mac, record.ClassCare, "pe", "tx1")
	c := RecordKey(mac, record.ClassProject, "pet", "x1")
	if a == b || a == c {
		t.Fatal("different records share a record key")
	}
	if RecordKey(NewKey(), record.ClassCare, "pet", "x1") == a {
		t.Fatal("record key does not depend on the MAC key")
	}
}

func TestParamsCheck(t *testing.T) {
	tests := []struct {
		p  Params
		ok bool
	}{
		{DefaultParams, true},
		{Params{Memory: 19456, Passes: 3, Lanes: 1}, true},
		{Params{Memory: 65536, Passes: 1, Lanes: 1}, true},
		{Params{Memory: 19455, Passes: 5, Lanes: 1}, false}, // below 19 MiB
		{Params{Memory: 19456, Passes: 2, Lanes: 1}, false}, // 38 MiB·passes < 46
		{Params{Memory: 47104, Passes: 0, Lanes: 1}, false},
		{Params{Memory: 47104, Passes: 1, Lanes: 0}, false},
		{Params{Memory: 2 << 20, Passes: 1, Lanes: 1}, false}, // 2 GiB
		{Params{Memory: 47104, Passes: 11, Lanes: 1}, false},
	}
	for _, tt := range tests {
		if err := tt.p.Check(); (err == nil) != tt.ok {
			t.Errorf("%+v: Check() = %v, want ok=%v", tt.p, err, tt.ok)
		}
		_, err := Derive([]byte("pw"), make([]byte, SaltSize), tt.p)
		if !tt.ok && err == nil {
			t.Errorf("%+v: Derive accepted weak parameters", tt.p)
		}
	}
	if _, err := Derive(nil, make([]byte, SaltSize), DefaultParams); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("empty passphrase: %v", err)
	}
	if _, err := Derive([]byte("pw"), make([]byte, 8), DefaultParams); err == nil {
		t.Error("short salt accepted")
	}
}

func TestWrapKeys(t *testing.T) {
	k := NewKeyring()
	kek := NewKey()
	b, err := WrapKeys(kek, "ws1", k)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnwrapKeys(kek, "ws1", b)
	if err != nil {
		t.Fatal(err)
	}
	if got.MAC != k.MAC || len(got.Keys) != len(record.Classes) {
		t.Fatalf("round trip: %+v", got)
	}
	if _, err := UnwrapKeys(NewKey(), "ws1", b); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong kek: %v", err)
	}
	if _, err := UnwrapKeys(kek, "ws2", b); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("other workspace: %v", err)
	}
}

func TestRolesKeysAndRotation(t *testing.T) {
	k := NewKeyring()
	groomer := k.Only(record.ClassCare, record.ClassProject)
	if groomer.Has(record.ClassClient) || !groomer.Has(record.ClassCare) {
		t.Fatalf("groomer keyring: %+v", groomer)
	}
	id, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	b, err := WrapTo(id.Public, "ws1", groomer)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnwrapFrom(id, "ws1", b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Has(record.ClassClient) || len(got.Keys) != 2 {
		t.Fatalf("unwrapped: %+v", got)
	}
	other, _ := NewIdentity()
	if _, err := UnwrapFrom(other, "ws1", b); !errors.Is(err, ErrNotForUs) {
		t.Errorf("another identity: %v", err)
	}
	if _, err := UnwrapFrom(id, "ws2", b); !errors.Is(err, ErrNotForUs) {
		t.Errorf("another workspace: %v", err)
	}

	old, _ := k.Current(record.ClassClient)
	next := k.Rotate(record.ClassClient)
	cur, _ := k.Current(record.ClassClient)
	if next.ID != old.ID+1 || cur != next {
		t.Fatalf("rotate: old %d next %d current %d", old.ID, next.ID, cur.ID)
	}
	if key, ok := k.Lookup(record.ClassClient, old.ID); !ok || key != old.Key {
		t.Fatal("the old generation is gone after rotation")
	}
}

// The root and the signer travel under the passphrase's key; a blob
// wrapped to a member carries no root, whatever the sender put in.
func TestAnchorsTravelSealed(t *testing.T) {
	k := NewKeyring()
	k.Signer = NewSigner()
	k.Root = SignerPublic(k.Signer)
	kek := NewKey()
	b, err := WrapKeys(kek, "ws1", k)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnwrapKeys(kek, "ws1", b)
	if err != nil || got.Root != k.Root || !bytes.Equal(got.Signer, k.Signer) || got.Signing() == nil {
		t.Fatalf("round trip: %v %+v", err, got)
	}
	id, _ := NewIdentity()
	if b, err = WrapTo(id.Public, "ws1", k); err != nil {
		t.Fatal(err)
	}
	if got, err = UnwrapFrom(id, "ws1", b); err != nil || got.Root != ([32]byte{}) || !bytes.Equal(got.Signer, k.Signer) {
		t.Fatalf("wrapped to a member: %v root %x", err, got.Root)
	}
	if k.Only(record.ClassCare).Signer != nil {
		t.Error("Only kept the signer")
	}
	ck, _ := k.Current(record.ClassCare)
	c := Commitment("ws1", ck.Class, ck.ID, ck.Key)
	if c == Commitment("ws2", ck.Class, ck.ID, ck.Key) || c == Commitment("ws1", ck.Class, ck.ID+1, ck.Key) || c == Commitment("ws1", ck.Class, ck.ID, NewKey()) {
		t.Error("a commitment ignores the workspace, the generation or the key")
	}
}

func TestFingerprint(t *testing.T) {
	var pub [32]byte
	fp := Fingerprint(pub)
	if len(fp) != 19 || fp != Fingerprint(pub) {
		t.Fatalf("fingerprint %q", fp)
	}
	pub[0] = 1
	if Fingerprint(pub) == fp {
		t.Fatal("different keys share a fingerprint")
	}
}

func FuzzOpen(f *testing.F) {
	mac, key, nonce := vecKeys()
	h := vecHeader(mac)
	f.Add(sealWith(key, nonce, h.ad(), []byte(vecPlain)))
	f.Fuzz(func(t *testing.T, b []byte) {
		if pt, err := Open(key, h, b); err == nil && len(pt)+Overhead != len(b) {
			t.Fatal("opened to a plaintext of the wrong length")
		}
	})
}

func FuzzUnwrapKeys(f *testing.F) {
	kek := NewKey()
	b, _ := WrapKeys(kek, "ws1", NewKeyring())
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		UnwrapKeys(kek, "ws1", b)
	})
}

func FuzzUnwrapFrom(f *testing.F) {
	id, _ := NewIdentity()
	b, _ := WrapTo(id.Public, "ws1", NewKeyring())
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		UnwrapFrom(id, "ws1", b)
	})
}

// FuzzKeyring checks the keyring decoder directly: the AEADs above stop
// mutated input before it reaches it.
func FuzzKeyring(f *testing.F) {
	b, _ := NewKeyring().MarshalBinary()
	f.Add(b)
	anchored := NewKeyring()
	anchored.Root, anchored.Signer = SignerPublic(NewSigner()), NewSigner()
	b, _ = anchored.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var k Keyring
		if k.UnmarshalBinary(b) != nil {
			return
		}
		again, err := k.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip: %x -> %x (%v)", b, again, err)
		}
	})
}

func TestWrapIdentity(t *testing.T) {
	id, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	kek := NewKey()
	b, err := WrapIdentity(kek, "ws1", id)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, id.Private[:]) {
		t.Fatal("the private key shows in the sealed identity")
	}
	got, err := UnwrapIdentity(kek, "ws1", b)
	if err != nil || *got != *id {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	if _, err := UnwrapIdentity(NewKey(), "ws1", b); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong kek: %v", err)
	}
	if _, err := UnwrapIdentity(kek, "ws2", b); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("other workspace: %v", err)
	}
}

func FuzzUnwrapIdentity(f *testing.F) {
	kek := NewKey()
	id, _ := NewIdentity()
	b, _ := WrapIdentity(kek, "ws1", id)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		UnwrapIdentity(kek, "ws1", b)
	})
}

// TestNoncesNeverRepeat seals past several refills of the nonce buffer:
// every nonce handed out is new.
func TestNoncesNeverRepeat(t *testing.T) {
	key := NewKey()
	seen := map[[24]byte]bool{}
	for range 2000 {
		n := [24]byte(Seal(key, Header{Workspace: "ws"}, []byte("x"))[:24])
		if seen[n] {
			t.Fatalf("nonce %x handed out twice, after %d seals", n, len(seen))
		}
		seen[n] = true
	}
}

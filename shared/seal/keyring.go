package seal

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/nacl/box"

	"pawfile/shared/record"
)

// ClassKey is one generation of a class's key.
type ClassKey struct {
	Class record.Class
	ID    uint32
	Key   Key
}

// Keyring is the set of workspace keys a member holds: the MAC key for
// record keys, and every generation of the keys of the classes its role may
// read. Old generations stay so older versions still open after a rotation.
//
// Root and Signer are the member's anchors in the team log (package
// teamlog): Root is the workspace's root signing key, pinned without
// trusting the server; Signer is the seed of an owner's ed25519 signing
// key. Both travel only sealed under the member's own passphrase key
// (WrapKeys); WrapTo leaves Root out, so a device never takes a root from
// a blob anyone could have made.
type Keyring struct {
	MAC    Key
	Keys   []ClassKey
	Root   [32]byte // zero until pinned
	Signer []byte   // ed25519 seed; nil if this member does not sign
}

// NewKeyring returns fresh keys for a new workspace: one per class.
func NewKeyring() *Keyring {
	k := &Keyring{MAC: NewKey()}
	for _, c := range record.Classes {
		k.Keys = append(k.Keys, ClassKey{Class: c, ID: 1, Key: NewKey()})
	}
	return k
}

// Current returns the newest key of class c, the one new versions are
// sealed with.
func (k *Keyring) Current(c record.Class) (ClassKey, bool) {
	var cur ClassKey
	found := false
	for _, ck := range k.Keys {
		if ck.Class == c && (!found || ck.ID > cur.ID) {
			cur, found = ck, true
		}
	}
	return cur, found
}

// Lookup returns generation id of class c's key.
func (k *Keyring) Lookup(c record.Class, id uint32) (Key, bool) {
	for _, ck := range k.Keys {
		if ck.Class == c && ck.ID == id {
			return ck.Key, true
		}
	}
	return Key{}, false
}

// Has reports whether the keyring holds any key of class c.
func (k *Keyring) Has(c record.Class) bool {
	_, ok := k.Current(c)
	return ok
}

// Only returns the part of the keyring a role reading only classes may
// hold: the MAC key and those classes' keys, no root and no signer.
func (k *Keyring) Only(classes ...record.Class) *Keyring {
	out := &Keyring{MAC: k.MAC}
	for _, ck := range k.Keys {
		if slices.Contains(classes, ck.Class) {
			out.Keys = append(out.Keys, ck)
		}
	}
	return out
}

// Rotate adds a new generation of class c's key and returns it: versions
// written after a member leaves are sealed with a key that member never had.
func (k *Keyring) Rotate(c record.Class) ClassKey {
	cur, _ := k.Current(c)
	next := ClassKey{Class: c, ID: cur.ID + 1, Key: NewKey()}
	k.Keys = append(k.Keys, next)
	return next
}

// Signing returns the owner's signing key, or nil.
func (k *Keyring) Signing() ed25519.PrivateKey {
	if len(k.Signer) != ed25519.SeedSize {
		return nil
	}
	return ed25519.NewKeyFromSeed(k.Signer)
}

// NewSigner returns a fresh ed25519 seed for Keyring.Signer.
func NewSigner() []byte {
	k := NewKey()
	return k[:]
}

// SignerPublic returns the public key of seed.
func SignerPublic(seed []byte) [32]byte {
	var out [32]byte
	if len(seed) == ed25519.SeedSize {
		copy(out[:], ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey))
	}
	return out
}

// Commitment is what the team log states of a key generation: it names the
// key without revealing it, so a device can tell an owner's key from one
// the server made.
func Commitment(workspace string, c record.Class, id uint32, key Key) [32]byte {
	b := wrapAD("pawfile key commitment v1", workspace)
	b = append(b, byte(c))
	b = binary.BigEndian.AppendUint32(b, id)
	return sha256.Sum256(append(b, key[:]...))
}

const (
	keyringFormat  = 1 // MAC and keys
	keyringFormat2 = 2 // then a flags byte, the root, the signer's seed
	maxKeys        = 255
	classKeyLen    = 1 + 4 + 32
	hasRoot        = 1
	hasSigner      = 2
)

// MarshalBinary encodes the keyring: format, MAC key, count, then class,
// id and key of each generation; with a root or a signer, format 2 adds a
// flags byte and each of them.
func (k *Keyring) MarshalBinary() ([]byte, error) {
	if len(k.Keys) > maxKeys {
		return nil, fmt.Errorf("keyring of %d keys, at most %d", len(k.Keys), maxKeys)
	}
	if k.Signer != nil && len(k.Signer) != ed25519.SeedSize {
		return nil, fmt.Errorf("keyring: signing seed of %d bytes", len(k.Signer))
	}
	var flags byte
	if k.Root != ([32]byte{}) {
		flags |= hasRoot
	}
	if k.Signer != nil {
		flags |= hasSigner
	}
	b := make([]byte, 0, 2+32+len(k.Keys)*classKeyLen+1+64)
	b = append(b, keyringFormat)
	if flags != 0 {
		b[0] = keyringFormat2
	}
	b = append(b, k.MAC[:]...)
	b = append(b, byte(len(k.Keys)))
	for _, ck := range k.Keys {
		b = append(b, byte(ck.Class))
		b = binary.BigEndian.AppendUint32(b, ck.ID)
		b = append(b, ck.Key[:]...)
	}
	if flags != 0 {
		b = append(b, flags)
	}
	if flags&hasRoot != 0 {
		b = append(b, k.Root[:]...)
	}
	if flags&hasSigner != 0 {
		b = append(b, k.Signer...)
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (k *Keyring) UnmarshalBinary(b []byte) error {
	if len(b) < 34 || (b[0] != keyringFormat && b[0] != keyringFormat2) {
		return errors.New("keyring: unknown format")
	}
	n := int(b[33])
	tail := 0
	if b[0] == keyringFormat2 {
		if len(b) < 34+n*classKeyLen+1 {
			return fmt.Errorf("keyring: %d bytes for %d keys", len(b), n)
		}
		flags := b[34+n*classKeyLen]
		if flags == 0 || flags&^(hasRoot|hasSigner) != 0 {
			return fmt.Errorf("keyring: unknown flags %d", flags)
		}
		tail = 1
		if flags&hasRoot != 0 {
			tail += 32
		}
		if flags&hasSigner != 0 {
			tail += ed25519.SeedSize
		}
	}
	if len(b) != 34+n*classKeyLen+tail {
		return fmt.Errorf("keyring: %d bytes for %d keys", len(b), n)
	}
	out := Keyring{Keys: make([]ClassKey, n)}
	if tail > 0 {
		t := b[34+n*classKeyLen:]
		flags := t[0]
		t = t[1:]
		if flags&hasRoot != 0 {
			copy(out.Root[:], t[:32])
			t = t[32:]
			if out.Root == ([32]byte{}) {
				return errors.New("keyring: a zero root")
			}
		}
		if flags&hasSigner != 0 {
			out.Signer = append([]byte(nil), t...)
		}
	}
	copy(out.MAC[:], b[1:33])
	p := b[34:]
	for i := range out.Keys {
		ck := ClassKey{Class: record.Class(p[0]), ID: binary.BigEndian.Uint32(p[1:5])}
		copy(ck.Key[:], p[5:37])
		if !ck.Class.Valid() {
			return fmt.Errorf("keyring: unknown class %d", p[0])
		}
		out.Keys[i] = ck
		p = p[classKeyLen:]
	}
	*k = out
	return nil
}

func wrapAD(label, workspace string) []byte {
	return append(binary.AppendUvarint([]byte(label), uint64(len(workspace))), workspace...)
}

// ErrWrongPassphrase is returned when wrapped keys do not open with the key
// derived from a passphrase.
var ErrWrongPassphrase = errors.New("wrong passphrase, or the stored keys are damaged")

// WrapKeys seals a keyring with the key-encryption key derived from a
// passphrase, bound to the workspace.
func WrapKeys(kek Key, workspace string, k *Keyring) ([]byte, error) {
	pt, err := k.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var nonce [chacha20poly1305.NonceSizeX]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	return sealWith(kek, nonce, wrapAD("pawfile keyring v1", workspace), pt), nil
}

// UnwrapKeys opens what WrapKeys sealed.
func UnwrapKeys(kek Key, workspace string, b []byte) (*Keyring, error) {
	pt, err := open(kek, wrapAD("pawfile keyring v1", workspace), b)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	k := new(Keyring)
	if err := k.UnmarshalBinary(pt); err != nil {
		return nil, err
	}
	return k, nil
}

// Identity is a member's X25519 key pair: the owner's device wraps the
// class keys a role allows to its public half.
type Identity struct {
	Public  [32]byte
	Private [32]byte
}

// NewIdentity returns a fresh key pair.
func NewIdentity() (*Identity, error) {
	pub, priv, err := box.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("new identity: %w", err)
	}
	return &Identity{Public: *pub, Private: *priv}, nil
}

// WrapTo seals a keyring so that only the holder of recipient's private key
// can open it, bound to the workspace. Anyone who knows recipient could
// have made such a blob: the recipient adopts its keys only as the team
// log states them, and it never carries a root.
func WrapTo(recipient [32]byte, workspace string, k *Keyring) ([]byte, error) {
	only := *k
	only.Root = [32]byte{}
	pt, err := only.MarshalBinary()
	if err != nil {
		return nil, err
	}
	// Sealed boxes carry no associated data: the binding travels inside.
	msg := append(wrapAD("pawfile keys to member v1", workspace), pt...)
	return box.SealAnonymous(nil, msg, &recipient, rand.Reader)
}

// ErrNotForUs is returned when keys wrapped to a member do not open with
// this identity or name another workspace.
var ErrNotForUs = errors.New("these keys were not wrapped for this device's identity and workspace")

// UnwrapFrom opens what WrapTo sealed for id.
func UnwrapFrom(id *Identity, workspace string, b []byte) (*Keyring, error) {
	msg, ok := box.OpenAnonymous(nil, b, &id.Public, &id.Private)
	if !ok {
		return nil, ErrNotForUs
	}
	prefix := wrapAD("pawfile keys to member v1", workspace)
	if len(msg) < len(prefix) || string(msg[:len(prefix)]) != string(prefix) {
		return nil, ErrNotForUs
	}
	k := new(Keyring)
	if err := k.UnmarshalBinary(msg[len(prefix):]); err != nil {
		return nil, err
	}
	k.Root = [32]byte{}
	return k, nil
}

// Fingerprint is a short form of a public key that two people can compare
// by reading it aloud: "ABCD EFGH JKLM NPQR".
func Fingerprint(public [32]byte) string {
	sum := sha256.Sum256(public[:])
	s := base32.StdEncoding.EncodeToString(sum[:10])
	return strings.Join([]string{s[0:4], s[4:8], s[8:12], s[12:16]}, " ")
}

// WrapIdentity seals a member's identity with the key-encryption key, so
// the device keeps its private half only in sealed form.
func WrapIdentity(kek Key, workspace string, id *Identity) ([]byte, error) {
	var nonce [chacha20poly1305.NonceSizeX]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	pt := append(id.Public[:], id.Private[:]...)
	return sealWith(kek, nonce, wrapAD("pawfile identity v1", workspace), pt), nil
}

// UnwrapIdentity opens what WrapIdentity sealed.
func UnwrapIdentity(kek Key, workspace string, b []byte) (*Identity, error) {
	pt, err := open(kek, wrapAD("pawfile identity v1", workspace), b)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	if len(pt) != 64 {
		return nil, fmt.Errorf("sealed identity of %d bytes, want 64", len(pt))
	}
	id := new(Identity)
	copy(id.Public[:], pt[:32])
	copy(id.Private[:], pt[32:])
	return id, nil
}

// Package teamlog is a workspace's signed, append-only team log: who is on
// the team with which role and public keys, who was removed, and which key
// generations exist. Devices trust keys and roles only as this log states
// them, never as the server says.
//
// Every entry is signed with ed25519 by an owner and names the hash of the
// entry before it. The first entry makes its signer, the workspace's
// creator, an owner: its public key is the root every device pins without
// asking the server (the creator's devices keep it sealed under the
// passphrase; a joiner checks the log against the pin its invite carries).
// Every later entry must be signed by an owner the log made so before it.
// The server stores the log and may withhold or delay it, but cannot forge
// an entry, change one, or drop one a device has already seen.
//
// A key generation entry holds a commitment to the key (seal.Commitment),
// never the key: a device adopts a wrapped key only if its commitment is
// in the log.
package teamlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"

	"pawfile/shared/access"
	"pawfile/shared/record"
)

// Kind is what an entry changes.
type Kind uint8

// The kinds of entry.
const (
	// KindMember adds a member or changes its role or keys.
	KindMember Kind = 1
	// KindRemove takes a member off the team.
	KindRemove Kind = 2
	// KindKey states that a key generation exists, by its commitment.
	KindKey Kind = 3
)

// MACClass is the class a KindKey entry names for the workspace's MAC
// key, which has a single generation (0).
const MACClass record.Class = 0

// Entry is one change to the team. Member, Role, Box and Sign are used by
// KindMember (Member alone by KindRemove); Class, Gen and Commit by
// KindKey.
type Entry struct {
	Seq    uint64
	Prev   [32]byte // Hash of the entry before; zero for the first
	Kind   Kind
	Member string
	Role   access.Role
	Box    [32]byte // the member's X25519 public key
	Sign   [32]byte // the member's ed25519 public key if an owner; zero if none yet
	Class  record.Class
	Gen    uint32
	Commit [32]byte
	Signer [32]byte // ed25519 public key of the owner who signed
	Sig    [64]byte
}

const (
	format    = 1
	maxMember = 64
	// MaxEntry bounds an encoded entry.
	MaxEntry = 1 + binary.MaxVarintLen64 + 32 + 1 + 1 + maxMember + 1 + 32 + 32 + 1 + 4 + 32 + 32 + 64
	// MaxEntries bounds a workspace's log.
	MaxEntries = 8000 // about 3.5 MB in JSON, under the app's 4 MB answer limit
	signLabel  = "pawfile team log v1"
)

func (e *Entry) body() []byte {
	b := make([]byte, 0, MaxEntry)
	b = append(b, format)
	b = binary.AppendUvarint(b, e.Seq)
	b = append(b, e.Prev[:]...)
	b = append(b, byte(e.Kind), byte(len(e.Member)))
	b = append(b, e.Member...)
	b = append(b, byte(e.Role))
	b = append(b, e.Box[:]...)
	b = append(b, e.Sign[:]...)
	b = append(b, byte(e.Class))
	b = binary.BigEndian.AppendUint32(b, e.Gen)
	b = append(b, e.Commit[:]...)
	return append(b, e.Signer[:]...)
}

// Marshal encodes the entry, signature included.
func (e *Entry) Marshal() []byte { return append(e.body(), e.Sig[:]...) }

// Hash is what the next entry names as Prev.
func (e *Entry) Hash() [32]byte { return sha256.Sum256(e.Marshal()) }

// message is what is signed: the body, bound to the workspace.
func (e *Entry) message(workspace string) []byte {
	b := binary.AppendUvarint([]byte(signLabel), uint64(len(workspace)))
	b = append(b, workspace...)
	return append(b, e.body()...)
}

// SignWith sets Signer and Sig with key.
func (e *Entry) SignWith(workspace string, key ed25519.PrivateKey) {
	copy(e.Signer[:], key.Public().(ed25519.PublicKey))
	copy(e.Sig[:], ed25519.Sign(key, e.message(workspace)))
}

// ErrDecode is returned for bytes that are not an entry.
var ErrDecode = errors.New("team log: damaged entry")

// Unmarshal decodes what Marshal wrote.
func Unmarshal(b []byte) (Entry, error) {
	var e Entry
	if len(b) > MaxEntry || len(b) < 2 || b[0] != format {
		return e, ErrDecode
	}
	seq, n := binary.Uvarint(b[1:])
	if n <= 0 {
		return e, ErrDecode
	}
	p := b[1+n:]
	take := func(k int) []byte {
		if len(p) < k {
			p = nil
			return nil
		}
		out := p[:k]
		p = p[k:]
		return out
	}
	e.Seq = seq
	copy(e.Prev[:], take(32))
	head := take(2)
	if head == nil {
		return e, ErrDecode
	}
	e.Kind = Kind(head[0])
	if head[1] > maxMember {
		return e, ErrDecode
	}
	e.Member = string(take(int(head[1])))
	role := take(1)
	if role == nil {
		return e, ErrDecode
	}
	e.Role = access.Role(role[0])
	copy(e.Box[:], take(32))
	copy(e.Sign[:], take(32))
	class := take(1)
	if class == nil {
		return e, ErrDecode
	}
	e.Class = record.Class(class[0])
	gen := take(4)
	if gen == nil {
		return e, ErrDecode
	}
	e.Gen = binary.BigEndian.Uint32(gen)
	copy(e.Commit[:], take(32))
	copy(e.Signer[:], take(32))
	copy(e.Sig[:], take(64))
	if p == nil || len(p) != 0 {
		return e, ErrDecode
	}
	if !bytes.Equal(e.Marshal(), b) {
		return e, ErrDecode // one encoding per entry, so one hash
	}
	return e, nil
}

// Member is a member as the log states it.
type Member struct {
	Role    access.Role
	Box     [32]byte
	Sign    [32]byte // zero if the member may not sign
	Removed bool
}

// KeyID names a key generation.
type KeyID struct {
	Class record.Class
	Gen   uint32
}

// State is the team as a verified log leaves it.
type State struct {
	Workspace string
	Root      [32]byte // the first entry's signer
	Len       uint64   // entries verified
	Head      [32]byte // Hash of the last entry
	Members   map[string]Member
	Keys      map[KeyID][32]byte // commitments
	hashes    [][32]byte
}

// New returns the state of an empty log of workspace.
func New(workspace string) *State {
	return &State{Workspace: workspace, Members: map[string]Member{}, Keys: map[KeyID][32]byte{}}
}

// Owner returns the member whose signing key is key, if an active owner.
func (s *State) Owner(key [32]byte) (string, bool) {
	if key == ([32]byte{}) {
		return "", false
	}
	for id, m := range s.Members {
		if m.Sign == key && m.Role == access.Owner && !m.Removed {
			return id, true
		}
	}
	return "", false
}

// Active returns member id if it is on the team.
func (s *State) Active(id string) (Member, bool) {
	m, ok := s.Members[id]
	return m, ok && !m.Removed
}

// Pin is a short form of the log's head, for an invite: a joiner holding
// it accepts only a log that contains this very entry, and so its whole
// history back to the root.
func (s *State) Pin() string { return pinOf(s.Head) }

func pinOf(h [32]byte) string {
	return base32.StdEncoding.EncodeToString(h[:10])
}

// HasPin reports whether pin names an entry of the log.
func (s *State) HasPin(pin string) bool {
	for _, h := range s.hashes {
		if pinOf(h) == pin {
			return true
		}
	}
	return false
}

// HashAt returns the hash of entry seq.
func (s *State) HashAt(seq uint64) ([32]byte, bool) {
	if seq >= uint64(len(s.hashes)) {
		return [32]byte{}, false
	}
	return s.hashes[seq], true
}

// Apply checks e against the state and, if it is a valid next entry,
// applies it. The first entry must be the root's own owner entry.
func (s *State) Apply(e Entry) error {
	if e.Seq != s.Len {
		return fmt.Errorf("team log: entry %d where %d comes next", e.Seq, s.Len)
	}
	if e.Prev != s.Head {
		return fmt.Errorf("team log: entry %d does not follow the entry before it", e.Seq)
	}
	if !ed25519.Verify(e.Signer[:], e.message(s.Workspace), e.Sig[:]) {
		return fmt.Errorf("team log: entry %d is not signed by the key it names", e.Seq)
	}
	if e.Seq == 0 {
		if e.Kind != KindMember || e.Role != access.Owner || e.Sign != e.Signer {
			return errors.New("team log: the first entry must make its signer an owner")
		}
		s.Root = e.Signer
	} else if _, ok := s.Owner(e.Signer); !ok {
		return fmt.Errorf("team log: entry %d is signed by a key that is no owner's", e.Seq)
	}
	switch e.Kind {
	case KindMember:
		if e.Member == "" || !e.Role.Valid() {
			return fmt.Errorf("team log: entry %d names no member or an unknown role", e.Seq)
		}
		if e.Role != access.Owner && e.Sign != ([32]byte{}) {
			return fmt.Errorf("team log: entry %d gives a signing key to a member who is no owner", e.Seq)
		}
		if old, ok := s.Members[e.Member]; ok && old.Removed {
			return fmt.Errorf("team log: entry %d brings back a removed member", e.Seq)
		}
		s.Members[e.Member] = Member{Role: e.Role, Box: e.Box, Sign: e.Sign}
	case KindRemove:
		m, ok := s.Active(e.Member)
		if !ok {
			return fmt.Errorf("team log: entry %d removes a member who is not on the team", e.Seq)
		}
		m.Removed = true
		s.Members[e.Member] = m
	case KindKey:
		if (e.Class != MACClass || e.Gen != 0) && (!e.Class.Valid() || e.Gen == 0) {
			return fmt.Errorf("team log: entry %d names an unknown key", e.Seq)
		}
		id := KeyID{e.Class, e.Gen}
		if _, ok := s.Keys[id]; ok {
			return fmt.Errorf("team log: entry %d states key %d of class %d again", e.Seq, e.Gen, e.Class)
		}
		s.Keys[id] = e.Commit
	default:
		return fmt.Errorf("team log: entry %d is of unknown kind %d", e.Seq, e.Kind)
	}
	s.Len++
	s.Head = e.Hash()
	s.hashes = append(s.hashes, s.Head)
	return nil
}

// Verify decodes and checks a whole log of workspace. If root is not zero
// the first entry must be signed by it; a zero root takes the first
// entry's signer (a joiner then checks the result's HasPin).
func Verify(workspace string, root [32]byte, entries [][]byte) (*State, error) {
	if len(entries) > MaxEntries {
		return nil, fmt.Errorf("team log of %d entries, at most %d", len(entries), MaxEntries)
	}
	s := New(workspace)
	for _, b := range entries {
		e, err := Unmarshal(b)
		if err != nil {
			return nil, err
		}
		if err := s.Apply(e); err != nil {
			return nil, err
		}
	}
	if s.Len > 0 && root != ([32]byte{}) && s.Root != root {
		return nil, errors.New("team log: its first entry is not signed by the workspace's root key this device holds")
	}
	return s, nil
}

// Next returns an entry to follow s, not yet signed.
func (s *State) Next(e Entry) Entry {
	e.Seq, e.Prev = s.Len, s.Head
	return e
}

package session

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"pawfile/shared/wire"
)

// A version from the server that this device cannot open (sealed under a
// key generation it does not hold yet, damaged, or written by a newer
// app) is set aside: quarantined, sealed as it came, in the records store
// under quarantinePrefix and its server seq. Sync moves on past it, so
// one such version never stops a device. Quarantined versions are tried
// again when new keys arrive and at each unlock; the Device screen counts
// those still set aside.
const quarantinePrefix = "q:"

// quarantineRow names a quarantined version's row: its seq in hex.
func quarantineRow(seq uint64) string {
	return quarantinePrefix + hex.EncodeToString(binary.BigEndian.AppendUint64(nil, seq))
}

// setAside quarantines v, which did not open (why), unless it is already.
func (tx *writeTx) setAside(v wire.Envelope, why error) error {
	s := tx.s
	if _, ok := s.keys.Lookup(v.Class, v.KeyID); !ok {
		tx.wantKeys = true
	}
	if _, held := s.quarantine[v.Seq]; held || v.Seq == 0 {
		return nil
	}
	s.log.Printf("a version from the server does not open; set aside: seq=%v err=%v", v.Seq, why)
	data, err := wire.MarshalEnvelope(&v)
	if err != nil {
		return err
	}
	tx.change.Records[quarantineRow(v.Seq)] = data
	tx.after = append(tx.after, func() { s.quarantine[v.Seq] = v })
	return nil
}

// opened notes that v opened: if it was set aside, it is no more.
func (tx *writeTx) opened(v wire.Envelope) {
	if _, held := tx.s.quarantine[v.Seq]; held {
		tx.release(v.Seq)
	}
}

// release drops the quarantined version seq, from storage and memory.
func (tx *writeTx) release(seq uint64) {
	s := tx.s
	tx.change.Records[quarantineRow(seq)] = nil
	tx.after = append(tx.after, func() { delete(s.quarantine, seq) })
}

// releaseErased drops the quarantined versions of the record filed under
// rk, erased: nothing of it may stay on the device.
func (tx *writeTx) releaseErased(rk wire.Key) {
	for seq, v := range tx.s.quarantine {
		if v.Key == rk {
			tx.release(seq)
		}
	}
}

// retryQuarantine tries the quarantined versions again: all of them (at
// unlock, perhaps under a newer app), or only those whose key generation
// this device now holds (when new keys arrive).
func (s *Session) retryQuarantine(ctx context.Context, all bool) error {
	s.mu.RLock()
	var vs []wire.Envelope
	for _, seq := range slices.Sorted(maps.Keys(s.quarantine)) {
		v := s.quarantine[seq]
		if _, ok := s.keys.Lookup(v.Class, v.KeyID); all || ok {
			vs = append(vs, v)
		}
	}
	s.mu.RUnlock()
	if len(vs) == 0 {
		return nil
	}
	if err := (*local)(s).Receive(ctx, vs, 0); err != nil {
		return fmt.Errorf("open the versions set aside: %w", err)
	}
	return nil
}

// loadQuarantined reads a quarantined version's row at unlock.
func (s *Session) loadQuarantined(row string, b []byte) error {
	if !strings.HasPrefix(row, quarantinePrefix) {
		return fmt.Errorf("row %q is not a version set aside", row)
	}
	v, err := wire.UnmarshalEnvelope(b)
	if err != nil {
		return fmt.Errorf("version set aside %q: %w", row, err)
	}
	s.quarantine[v.Seq] = v
	return nil
}

// Unopened is what this device holds but cannot open, which the Device
// screen shows: nothing of it is dropped quietly.
type Unopened struct {
	// Records the book holds whose stored state or fields do not open
	// (damaged, or written by a newer app).
	Records int
	// Versions from the server set aside (quarantined) until they open.
	Versions int
}

// Unopened counts what this device holds but cannot open.
func (s *Session) Unopened() Unopened {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return Unopened{}
	}
	return Unopened{Records: s.book.Unreadable(), Versions: len(s.quarantine)}
}

// Package audit makes a device's audit trail tamper-evident and checks it.
//
// Each device numbers its audit entries (record.AuditEntry) 1, 2, 3… and
// puts in each the hash of its entry before, so the entries of one device
// form a chain. An entry taken out leaves a gap in the numbers; an entry
// altered no longer matches the hash its successor carries; an entry
// written again after it was made shows in its fields' timestamps. Entries
// sync like other records and may arrive in any order: Verify sorts them.
//
// The chain proves what a device wrote to whoever holds the keys, not to a
// stranger: anyone with the client key could forge a whole chain. What it
// catches is an entry quietly removed or edited afterwards.
package audit

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"pawfile/shared/order"
	"pawfile/shared/record"
)

// idPrefix starts every audit entry's record id.
const idPrefix = "audit-"

// DeviceHex is how an entry names a device: 16 lowercase hex digits.
func DeviceHex(device uint64) string { return fmt.Sprintf("%016x", device) }

// ID is the record id of a device's entry number seq. Ids follow from
// the number, so an entry cannot be filed twice, or under another number,
// without it showing.
func ID(device uint64, seq int64) string {
	return idPrefix + DeviceHex(device) + "-" + strconv.FormatInt(seq, 10)
}

// ParseID reads an id ID made.
func ParseID(id string) (device uint64, seq int64, ok bool) {
	rest, found := strings.CutPrefix(id, idPrefix)
	dev, num, cut := strings.Cut(rest, "-")
	if !found || !cut || len(dev) != 16 {
		return 0, 0, false
	}
	d, err := strconv.ParseUint(dev, 16, 64)
	if err != nil {
		return 0, 0, false
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 1 || strconv.FormatInt(n, 10) != num {
		return 0, 0, false
	}
	return d, n, true
}

// Hash returns the hex SHA-256 of e's content: every field in its
// canonical encoding, in schema order, each name and value preceded by
// its length so no two contents hash alike. The hash covers every field
// this version knows, so record.AuditEntry's fields never change: a new
// one would change the hash of every entry written before it.
func Hash(e *record.AuditEntry) (string, error) {
	fields, err := record.Encode(e)
	if err != nil {
		return "", fmt.Errorf("hash audit entry: %w", err)
	}
	sc, _ := record.SchemaOf(record.TypeAuditEntry)
	h := sha256.New()
	for _, f := range sc.Fields {
		name := f.Name
		h.Write(binary.AppendUvarint(nil, uint64(len(name))))
		h.Write([]byte(name))
		h.Write(binary.AppendUvarint(nil, uint64(len(fields[name]))))
		h.Write(fields[name])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Link numbers e as the entry after prev (nil: the device's first) and
// puts prev's hash in it.
func Link(e, prev *record.AuditEntry) error {
	if prev == nil {
		e.Seq, e.Prev = 1, ""
		return nil
	}
	h, err := Hash(prev)
	if err != nil {
		return err
	}
	e.Seq, e.Prev = prev.Seq+1, h
	return nil
}

// Item is an audit entry as a device holds it. An entry deleted
// afterwards is not an item: its number is missing.
type Item struct {
	ID    string
	Entry *record.AuditEntry
	// Rewritten: a field was written after the entry was made.
	Rewritten bool
}

// Chain is the state of one device's chain.
type Chain struct {
	Device   string // DeviceHex
	Entries  int    // entries held
	Last     int64  // the highest number seen
	Problems []string
}

// Intact reports whether nothing is missing or altered.
func (c Chain) Intact() bool { return len(c.Problems) == 0 }

// maxProblems bounds the problems listed for one chain: past a few, the
// owner knows enough to act.
const maxProblems = 10

// add notes a problem. It is not inlined: at each of Verify's calls
// it would cost the app's download a copy.
//
//go:noinline
func (c *Chain) add(problem string) {
	switch n := len(c.Problems); {
	case n < maxProblems:
		c.Problems = append(c.Problems, problem)
	case n == maxProblems:
		c.Problems = append(c.Problems, "and more problems")
	}
}

// Verify checks the chains of every device that has entries among items,
// in any order, and returns them by device.
func Verify(items []Item) []Chain {
	type held struct {
		item *Item
		dev  uint64
		seq  int64
	}
	var hs []held
	strays := 0
	for i := range items {
		dev, seq, ok := ParseID(items[i].ID)
		if !ok || items[i].Entry == nil {
			strays++
			continue
		}
		hs = append(hs, held{&items[i], dev, seq})
	}
	// By device, then number: each device's chain in order.
	order.Sort(hs, func(a, b held) int { return cmp.Or(cmp.Compare(a.dev, b.dev), cmp.Compare(a.seq, b.seq)) })
	num := func(n int64) string { return strconv.FormatInt(n, 10) }
	var out []Chain
	var c *Chain
	var next int64
	var prevHash string
	for _, h := range hs {
		if d := DeviceHex(h.dev); c == nil || c.Device != d {
			out = append(out, Chain{Device: d})
			c, next, prevHash = &out[len(out)-1], 1, ""
		}
		c.Entries, c.Last = c.Entries+1, h.seq
		e, n := h.item.Entry, num(h.seq)
		switch {
		case h.seq == next+1:
			c.add("entry " + num(next) + " is missing")
		case h.seq > next:
			c.add("entries " + num(next) + " to " + num(h.seq-1) + " are missing")
		}
		switch {
		case e.Device != c.Device || e.Seq != h.seq:
			c.add("entry " + n + " is filed under another device or number than it names")
		case h.item.Rewritten:
			c.add("entry " + n + " was changed after it was written")
		}
		switch {
		case h.seq == 1 && e.Prev != "":
			c.add("entry 1 names an entry before it: the chain was started again")
		case h.seq == next && h.seq > 1 && e.Prev != prevHash:
			c.add("entries " + num(h.seq-1) + " and " + n + " no longer link: one of them was altered")
		}
		// An entry that cannot be hashed links to nothing.
		prevHash, _ = Hash(e)
		next = h.seq + 1
	}
	if strays > 0 {
		out = append(out, Chain{Device: "unknown", Entries: strays,
			Problems: []string{num(int64(strays)) + " entries whose id names no device: forged or damaged"}})
	}
	return out
}

package merge

import (
	"bytes"
	"slices"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"pawfile/shared/clock"
	"pawfile/shared/record"
)

func list(t *testing.T, items ...string) []byte {
	t.Helper()
	b, err := record.EncodeValue(items)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSetAdditionsOfflineBothSurvive(t *testing.T) {
	base := rec(func(r *Record) { r.Create(ts(1, 1)); r.Add("allergies", "chicken", ts(1, 1)) })
	a, b := base.Clone(), base.Clone()
	a.Add("allergies", "lavender oil", ts(5, 1))
	b.Add("allergies", "tea tree", ts(4, 2))
	for _, m := range []*Record{mergeAll(t, a, b), mergeAll(t, b, a)} {
		if got := m.Items("allergies"); !slices.Equal(got, []string{"chicken", "tea tree", "lavender oil"}) {
			t.Fatalf("allergies = %q, want all three, oldest first", got)
		}
	}
}

func TestSetRemovalWinsOnlyOverWhatItSaw(t *testing.T) {
	base := rec(func(r *Record) { r.Create(ts(1, 1)); r.Add("tags", "vip", ts(2, 1)) })
	a, b := base.Clone(), base.Clone()
	if !a.Remove("tags", "vip") {
		t.Fatal("removing a present item was refused")
	}
	b.Add("tags", "vip", ts(3, 2)) // added again elsewhere, unseen by a
	if got := mergeAll(t, a, b).Items("tags"); !slices.Equal(got, []string{"vip"}) {
		t.Fatalf("an addition the remover had not seen was lost: %q", got)
	}
	c := base.Clone()
	c.Remove("tags", "vip")
	if got := mergeAll(t, base, c, base).Items("tags"); len(got) != 0 {
		t.Fatalf("a removal came back after merging the state it removed from: %q", got)
	}
}

func TestSetReadsWholeListCells(t *testing.T) {
	// A record as an older app wrote it: the list in one cell.
	old := rec(func(r *Record) { r.Create(ts(1, 1)); r.Set("phones", list(t, "0200", "0100"), ts(2, 1)) })
	if got := old.Items("phones"); !slices.Equal(got, []string{"0200", "0100"}) {
		t.Fatalf("phones from a whole-list cell = %q, want the cell's order", got)
	}
	a := old.Clone()
	a.Add("phones", "0300", ts(5, 1))
	a.Remove("phones", "0200")
	b := old.Clone()
	b.Add("phones", "0400", ts(6, 2))
	m := mergeAll(t, a, b)
	if got := m.Items("phones"); !slices.Equal(got, []string{"0100", "0300", "0400"}) {
		t.Fatalf("phones = %q", got)
	}
	var vals []string
	if err := record.DecodeValue(m.Values()["phones"], &vals); err != nil || !slices.Equal(vals, m.Items("phones")) {
		t.Fatalf("Values gives %q (%v), want the items", vals, err)
	}
	// An older app writing the whole list later still wins over what it saw.
	m.Set("phones", list(t, "0900"), ts(9, 3))
	if got := m.Items("phones"); !slices.Equal(got, []string{"0900"}) {
		t.Fatalf("a later whole-list write gives %q", got)
	}
}

func TestSetDeleteAndRestamp(t *testing.T) {
	r := rec(func(r *Record) { r.Create(ts(1, 1)); r.Add("tags", "old", ts(2, 1)) })
	r.Delete(ts(3, 1))
	r.Create(ts(4, 1))
	if r.Add("tags", "stale", ts(2, 2)) || len(r.Items("tags")) != 0 {
		t.Fatalf("a delete kept items: %q", r.Items("tags"))
	}
	future := int64(1_000_000)
	r.Add("tags", "x", ts(future, 1))
	r.Remove("tags", "x")
	r.Add("tags", "y", ts(future+1, 1))
	next := int64(100)
	r.Restamp(ts(1000, 1), func() clock.Timestamp { next++; return ts(next, 1) })
	if it := r.Sets["tags"]["x"]; it.Added != it.Removed || it.Added.Wall != 101 || r.Sets["tags"]["y"].Added.Wall != 102 {
		t.Fatalf("restamp broke a removal or the order: %+v", r.Sets["tags"])
	}
	if got := r.Items("tags"); !slices.Equal(got, []string{"y"}) {
		t.Fatalf("after restamp: %q", got)
	}
}

func TestDecodeFormatOne(t *testing.T) {
	v1 := encodedRecordV1{Format: 1, Class: key.Class, Type: key.Type, ID: key.ID, Created: ts(1, 1),
		Fields: map[string]encodedCell{"tags": {TS: ts(2, 1), Value: list(t, "vip")}}}
	b, err := encMode.Marshal(v1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Decode(b)
	if err != nil {
		t.Fatalf("a format-1 record does not decode: %v", err)
	}
	if got := r.Items("tags"); !slices.Equal(got, []string{"vip"}) || !r.Exists() {
		t.Fatalf("format 1 read as %+v", r)
	}
	again, err := Decode(encode(t, r))
	if err != nil || !bytes.Equal(encode(t, again), encode(t, r)) {
		t.Fatalf("written back as format %d: %v", Format, err)
	}
	bad, _ := cbor.Marshal([]any{uint8(2), key.Class, key.Type, key.ID, ts(1, 1), ts(0, 0), ts(0, 0), map[string]encodedCell{}})
	if _, err := Decode(bad); err == nil {
		t.Fatal("format 2 in format 1's layout was accepted")
	}
}

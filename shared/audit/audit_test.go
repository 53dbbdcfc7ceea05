package audit

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"pawfile/shared/record"
)

// chain makes n linked entries of device, as a device writes them.
func chain(t *testing.T, device uint64, n int) []Item {
	t.Helper()
	var items []Item
	var prev *record.AuditEntry
	for i := range n {
		e := record.AuditEntry{
			Action: "open", Client: "client-1", Login: "desk@example.com",
			At:     record.InstantOf(time.Date(2026, 12, 1, 9, i, 0, 0, time.UTC)),
			Device: DeviceHex(device), DeviceName: "Browser on Linux",
		}
		if err := Link(&e, prev); err != nil {
			t.Fatal(err)
		}
		if err := record.Validate(&e); err != nil {
			t.Fatalf("entry %d: %v", e.Seq, err)
		}
		items = append(items, Item{ID: ID(device, e.Seq), Entry: &e})
		prev = &e
	}
	return items
}

func TestVerify(t *testing.T) {
	const a, b = 0x1a2b3c4d5e6f7081, 0x99
	tests := []struct {
		name  string
		items func(t *testing.T) []Item
		want  map[string]string // device → problems joined by "; ", "" if intact
	}{
		{"intact chains of two devices", func(t *testing.T) []Item {
			return append(chain(t, a, 4), chain(t, b, 2)...)
		}, map[string]string{DeviceHex(a): "", DeviceHex(b): ""}},
		{"an entry taken out", func(t *testing.T) []Item {
			items := chain(t, a, 5)
			return slices.Delete(items, 2, 3)
		}, map[string]string{DeviceHex(a): "entry 3 is missing"}},
		{"several entries taken out", func(t *testing.T) []Item {
			items := chain(t, a, 6)
			return slices.Delete(items, 1, 4)
		}, map[string]string{DeviceHex(a): "entries 2 to 4 are missing"}},
		{"the first entry taken out", func(t *testing.T) []Item {
			return chain(t, a, 3)[1:]
		}, map[string]string{DeviceHex(a): "entry 1 is missing"}},
		{"an entry altered", func(t *testing.T) []Item {
			items := chain(t, a, 3)
			items[1].Entry.Client = "client-2"
			return items
		}, map[string]string{DeviceHex(a): "entries 2 and 3 no longer link: one of them was altered"}},
		{"an entry rewritten in place", func(t *testing.T) []Item {
			items := chain(t, a, 2)
			items[1].Rewritten = true
			return items
		}, map[string]string{DeviceHex(a): "entry 2 was changed after it was written"}},
		{"an entry moved to another number", func(t *testing.T) []Item {
			items := chain(t, a, 3)
			items[2].ID = ID(a, 4)
			return items
		}, map[string]string{DeviceHex(a): "entry 3 is missing; entry 4 is filed under another device or number than it names"}},
		{"a chain started again", func(t *testing.T) []Item {
			items := chain(t, a, 2)
			items[0].Entry.Prev = strings.Repeat("0", 64)
			return items
		}, map[string]string{DeviceHex(a): "entry 1 names an entry before it: the chain was started again; entries 1 and 2 no longer link: one of them was altered"}},
		{"entries arriving out of order from sync", func(t *testing.T) []Item {
			items := append(chain(t, a, 8), chain(t, b, 5)...)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
			return items
		}, map[string]string{DeviceHex(a): "", DeviceHex(b): ""}},
		{"an id that names no device", func(t *testing.T) []Item {
			return append(chain(t, b, 1), Item{ID: "audit-nothex-1", Entry: &record.AuditEntry{}})
		}, map[string]string{DeviceHex(b): "", "unknown": "1 entries whose id names no device: forged or damaged"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chains := Verify(tt.items(t))
			got := map[string]string{}
			for _, c := range chains {
				got[c.Device] = strings.Join(c.Problems, "; ")
				if c.Intact() != (len(c.Problems) == 0) {
					t.Errorf("%s: Intact %v with problems %q", c.Device, c.Intact(), c.Problems)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("chains %v, want %v", got, tt.want)
			}
			for d, want := range tt.want {
				if got[d] != want {
					t.Errorf("device %s: problems %q, want %q", d, got[d], want)
				}
			}
		})
	}
}

func TestVerifyCountsAndBoundsProblems(t *testing.T) {
	items := chain(t, 7, 40)
	var kept []Item
	for i, it := range items {
		if i%2 == 0 {
			kept = append(kept, it)
		}
	}
	cs := Verify(kept)
	if len(cs) != 1 || cs[0].Entries != 20 || cs[0].Last != 39 {
		t.Fatalf("chains %+v", cs)
	}
	if n := len(cs[0].Problems); n != maxProblems+1 || cs[0].Problems[maxProblems] != "and more problems" {
		t.Errorf("%d problems: %q", n, cs[0].Problems)
	}
}

func TestHashCoversEveryField(t *testing.T) {
	base := *chain(t, 3, 2)[1].Entry
	h0, err := Hash(&base)
	if err != nil {
		t.Fatal(err)
	}
	changes := map[string]func(e *record.AuditEntry){
		"action":      func(e *record.AuditEntry) { e.Action = "print" },
		"client":      func(e *record.AuditEntry) { e.Client = "client-9" },
		"invoice":     func(e *record.AuditEntry) { e.Invoice = "inv-1" },
		"at":          func(e *record.AuditEntry) { e.At.UnixMilli++ },
		"member":      func(e *record.AuditEntry) { e.Member = "m1" },
		"login":       func(e *record.AuditEntry) { e.Login = "owner@example.com" },
		"device":      func(e *record.AuditEntry) { e.Device = DeviceHex(4) },
		"device_name": func(e *record.AuditEntry) { e.DeviceName = "iPad" },
		"seq":         func(e *record.AuditEntry) { e.Seq++ },
		"prev":        func(e *record.AuditEntry) { e.Prev = strings.Repeat("f", 64) },
	}
	sc, _ := record.SchemaOf(record.TypeAuditEntry)
	if len(changes) != len(sc.Fields) {
		t.Fatalf("the test changes %d fields, the schema has %d", len(changes), len(sc.Fields))
	}
	for name, change := range changes {
		e := base
		change(&e)
		h, err := Hash(&e)
		if err != nil || h == h0 || len(h) != 64 {
			t.Errorf("changing %s: hash %q (was %q), %v", name, h, h0, err)
		}
	}
}

func TestIDs(t *testing.T) {
	id := ID(0xfeed, 12)
	if !record.ValidID(id) {
		t.Fatalf("%q is not a record id", id)
	}
	if d, n, ok := ParseID(id); !ok || d != 0xfeed || n != 12 {
		t.Errorf("ParseID(%q) = %x, %d, %v", id, d, n, ok)
	}
	for _, bad := range []string{"", "audit-", "audit-00000000000000ff", "audit-00000000000000ff-0", "audit-00000000000000ff-01",
		"audit-ff-1", "client-00000000000000ff-1", "audit-00000000000000fg-1", "audit-00000000000000ff--1"} {
		if _, _, ok := ParseID(bad); ok {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
}

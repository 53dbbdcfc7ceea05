package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pawfile/shared/access"
	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

var smallShop = shopSize{Clients: 20, Pets: 30, Projects: 300, Notes: 200, Tasks: 450}

func TestShopRecordsAreValidAndCounted(t *testing.T) {
	sh, err := genShop(smallShop, shopDevice, 1)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[record.Type]int{}
	fields := 0
	for _, r := range sh.records {
		rec, err := merge.Decode(r.plain)
		if err != nil {
			t.Fatalf("%s: %v", r.key, err)
		}
		if rec.Key != r.key || !rec.Exists() {
			t.Fatalf("%s: decodes as %s (exists %v)", r.key, rec.Key, rec.Exists())
		}
		v, err := record.New(r.key.Type)
		if err != nil {
			t.Fatal(err)
		}
		if err := record.Decode(rec.Values(), v); err != nil {
			t.Fatalf("%s: %v", r.key, err)
		}
		if err := record.Validate(v); err != nil {
			t.Errorf("%s: %v", r.key, err)
		}
		counts[r.key.Type]++
		fields += len(rec.Fields)
	}
	want := map[record.Type]int{
		record.TypeClient: smallShop.Clients, record.TypePet: smallShop.Pets, record.TypeProject: smallShop.Projects,
		record.TypeProgressNote: smallShop.Notes, record.TypeTask: smallShop.Tasks,
	}
	for typ, n := range want {
		if counts[typ] != n {
			t.Errorf("%d %s records, want %d", counts[typ], typ, n)
		}
	}
	if len(sh.records) != smallShop.records() || fields != sh.fields || len(sh.projects) != smallShop.Projects {
		t.Errorf("%d records, %d fields (counted %d), %d projects", len(sh.records), fields, sh.fields, len(sh.projects))
	}
	// The full shop has 100,000 records and about ten fields each.
	if n := fiveYearShop.records(); n != 100_000 {
		t.Errorf("the five-year shop has %d records", n)
	}
	if per := float64(fields) / float64(len(sh.records)); per < 9 || per > 11 {
		t.Errorf("%.1f fields per record, want about 10", per)
	}

	again, err := genShop(smallShop, shopDevice, 1)
	if err != nil {
		t.Fatal(err)
	}
	if again.records[len(again.records)-1].key != sh.records[len(sh.records)-1].key {
		t.Error("the same seed made different records")
	}
}

func TestSealedVersionsOpen(t *testing.T) {
	sh, err := genShop(smallShop, shopDevice, 2)
	if err != nil {
		t.Fatal(err)
	}
	keys := seal.NewKeyring()
	sl := &sealer{workspace: "ws", keys: keys, clock: clock.New(shopDevice, nil)}
	envs, err := sl.sealAll(sh)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	for i, e := range envs {
		key, _ := keys.Lookup(e.Class, e.KeyID)
		plain, err := seal.Open(key, seal.Header{Workspace: "ws", RecordKey: e.Key, TS: e.TS, KeyID: e.KeyID, Format: e.Format}, e.Sealed)
		if err != nil || !bytes.Equal(plain, sh.records[i].plain) {
			t.Fatalf("version %d does not open to its record: %v", i, err)
		}
		if e.TS.Device != shopDevice || seen[e.OutboxID] {
			t.Fatalf("version %d: device %x, outbox id %d (repeated: %v)", i, e.TS.Device, e.OutboxID, seen[e.OutboxID])
		}
		seen[e.OutboxID] = true
	}
	pushes, err := batches(envs)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, p := range pushes {
		m, err := wire.Decode(p.frame)
		if err != nil {
			t.Fatal(err)
		}
		if push := m.(*wire.Push); push.ID != uint32(i+1) || len(push.Versions) != p.n || p.first != n {
			t.Fatalf("push %d: id %d, %d versions from %d", i, push.ID, p.n, p.first)
		}
		n += p.n
	}
	if n != len(envs) || len(pushes) != (len(envs)+wire.MaxBatch-1)/wire.MaxBatch {
		t.Fatalf("%d pushes of %d versions in all, for %d", len(pushes), n, len(envs))
	}
}

// TestLoadAgainstServer runs every scenario once, small, against the real
// server binary.
func TestLoadAgainstServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pawfile")
	build := exec.Command("go", "build", "-o", bin, "pawfile/server")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the server: %v\n%s", err, out)
	}
	cfg := &config{
		bin: bin, shop: smallShop, seed: 4, temp: dir, log: t.Logf,
		window:    2,
		receivers: 20, edits: 10, warmup: 2, pace: time.Millisecond,
		idleShops: 2, idleTeam: []seat{{access.Owner, 2}, {access.Groomer, 1}},
		settle: 100 * time.Millisecond,
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	results, err := bench(ctx, cfg, scenarios, 1, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
	for _, name := range []string{"BenchmarkLoadIngest\t1\t", "BenchmarkLoadBootstrap\t1\t", "BenchmarkLoadFanout20\t1\t", "BenchmarkLoadIdle6\t1\t"} {
		if !strings.Contains(out.String(), "\n"+name) {
			t.Errorf("no %q line", name)
		}
	}
	for _, s := range scenarios {
		for _, m := range results[s.name][0] {
			if !(m.value > 0) {
				t.Errorf("%s: %s is %v", s.name, m.unit, m.value)
			}
		}
	}
	var summary bytes.Buffer
	summarize(&summary, cfg, scenarios, results)
	if !strings.Contains(summary.String(), "target") {
		t.Errorf("summary without targets:\n%s", summary.String())
	}
}

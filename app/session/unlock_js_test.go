//go:build js && wasm

package session

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"pawfile/app/localstore"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

var fiveYearShop = shopSize{clients: 2000, pets: 3000, projects: 30000, notes: 20000, tasks: 45000}

// BenchmarkUnlockFiveYearShop unlocks a device whose IndexedDB holds the
// 5-year shop, in the browser: the passphrase's key derivation with the
// real parameters, reading the store, opening the records, indexing the
// clients. The target is 1 s.
func BenchmarkUnlockFiveYearShop(b *testing.B) {
	ctx := context.Background()
	name := "bench-unlock"
	localstore.Delete(ctx, name)
	db, err := localstore.Open(ctx, name)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { db.Close(); localstore.Delete(ctx, name) }()

	keys := seal.NewKeyring()
	dev := benchDevice(b, keys)
	start := time.Now()
	rows, err := shop("ws1", keys, fiveYearShop)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated and sealed %d records in %v", len(rows), time.Since(start))
	if err := db.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaDevice: dev}, Records: rows}); err != nil {
		b.Fatal(err)
	}
	rows = nil
	// The first unlock writes the index docs, as receiving the records
	// from the server would have.
	s, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: db})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Unlock(ctx, pass); err != nil {
		b.Fatal(err)
	}
	s.Lock()

	b.ResetTimer()
	for range b.N {
		s, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: db})
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := s.Unlock(ctx, pass); err != nil {
			b.Fatal(err)
		}
		unlock := time.Since(t0)
		if n := s.ClientCount(); n != fiveYearShop.clients {
			b.Fatalf("unlocked with %d clients, want %d", n, fiveYearShop.clients)
		}
		t0 = time.Now()
		hits := s.SearchClients("0770", 20)
		search := time.Since(t0)
		if len(hits) == 0 {
			b.Fatal("search found nothing")
		}
		b.ReportMetric(float64(unlock.Milliseconds()), "unlock-ms")
		b.ReportMetric(float64(search.Microseconds())/1000, "search-ms")
		b.ReportMetric(float64(s.LoadTime().Milliseconds()), "load-ms")
		s.Lock()
	}
}

// BenchmarkReceiveFiveYearShop is a new tablet's download of the 5-year
// shop once the server's pages have arrived: the session receives them a
// page (wire.MaxBatch versions) at a time, as the sync client hands them
// over, into the browser's IndexedDB. The figure: receiving was
// 47% of a 24 s sign-in.
func BenchmarkReceiveFiveYearShop(b *testing.B) {
	ctx := context.Background()
	keys := seal.NewKeyring()
	rows, err := shop("ws1", keys, fiveYearShop)
	if err != nil {
		b.Fatal(err)
	}
	vs := make([]wire.Envelope, 0, len(rows))
	for _, row := range rows {
		env, err := wire.UnmarshalEnvelope(row)
		if err != nil {
			b.Fatal(err)
		}
		env.Seq = uint64(len(vs) + 1)
		vs = append(vs, env)
	}
	rows = nil
	dev := benchDevice(b, keys)

	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		name := "bench-receive"
		localstore.Delete(ctx, name)
		db, err := localstore.Open(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaDevice: dev}}); err != nil {
			b.Fatal(err)
		}
		s, err := New(ctx, Config{Server: "http://127.0.0.1:1", Store: db})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Unlock(ctx, pass); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0, long := time.Now(), longTasks()
		for i := 0; i < len(vs); i += wire.MaxBatch {
			page := vs[i:min(i+wire.MaxBatch, len(vs))]
			if err := (*local)(s).Receive(ctx, page, page[len(page)-1].Seq); err != nil {
				b.Fatal(err)
			}
		}
		receive := time.Since(t0)
		longN, longest := long()
		b.StopTimer()
		if n := s.ClientCount(); n != fiveYearShop.clients {
			b.Fatalf("received %d clients, want %d", n, fiveYearShop.clients)
		}
		b.ReportMetric(float64(receive.Milliseconds()), "receive-ms")
		b.ReportMetric(longest, "longest-task-ms")
		b.ReportMetric(float64(longN), "long-tasks")
		s.Lock()
		db.Close()
		localstore.Delete(ctx, name)
		b.StartTimer()
	}
}

// benchDevice is the stored device record of the benchmarks' owner, its
// keys wrapped under pass.
func benchDevice(b *testing.B, keys *seal.Keyring) []byte {
	b.Helper()
	salt := seal.NewSalt()
	sec, err := seal.Derive([]byte(pass), salt, seal.DefaultParams)
	if err != nil {
		b.Fatal(err)
	}
	wrapped, err := seal.WrapKeys(sec.KEK, "ws1", keys)
	if err != nil {
		b.Fatal(err)
	}
	dev, err := json.Marshal(device{Workspace: "ws1", Member: "m1", Login: "owner@example.com", Role: access.Owner, Device: 7,
		Token: "t", Salt: salt, Params: account.ParamsOf(seal.DefaultParams), Keys: wrapped})
	if err != nil {
		b.Fatal(err)
	}
	return dev
}

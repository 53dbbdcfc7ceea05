package seal

import (
	"testing"

	"pawfile/shared/record"
)

func benchSeal(b *testing.B, size int) {
	mac, key, _ := vecKeys()
	h := vecHeader(mac)
	pt := make([]byte, size)
	b.SetBytes(int64(size))
	for b.Loop() {
		Seal(key, h, pt)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "versions/s")
}

func benchOpen(b *testing.B, size int) {
	mac, key, _ := vecKeys()
	h := vecHeader(mac)
	sealed := Seal(key, h, make([]byte, size))
	b.SetBytes(int64(size))
	for b.Loop() {
		if _, err := Open(key, h, sealed); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "versions/s")
}

// A typical client record version is about 400 bytes.
func BenchmarkSeal400(b *testing.B) { benchSeal(b, 400) }
func BenchmarkOpen400(b *testing.B) { benchOpen(b, 400) }
func BenchmarkSeal64K(b *testing.B) { benchSeal(b, 64<<10) }
func BenchmarkOpen64K(b *testing.B) { benchOpen(b, 64<<10) }

// BenchmarkDerive is one unlock at the default parameters; make bench runs
// it natively and in Chromium's wasm.
func BenchmarkDerive(b *testing.B) {
	salt := make([]byte, SaltSize)
	for b.Loop() {
		if _, err := Derive([]byte("correct horse battery staple"), salt, DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecordKey(b *testing.B) {
	mac := NewKey()
	for b.Loop() {
		RecordKey(mac, record.ClassClient, record.TypeClient, "abcdefghijklmnopqrstuvwxyz")
	}
}

package wire

import "testing"

// The benchmark batch: 1,000 versions of a typical 400-byte client record
// sealed with a 24-byte nonce and a 16-byte tag (440 bytes, random), one
// device, increasing seqs, one superseded version each.
const (
	benchVersions = 1000
	benchSealed   = 440
)

func benchBatch() *Batch {
	vs := envelopes(benchVersions, benchSealed, 42)
	return &Batch{ID: 9, Versions: vs, Next: vs[len(vs)-1].Seq, More: true}
}

// reportBatch reports versions/s and the bytes a frame spends per version
// beyond its sealed payload.
func reportBatch(b *testing.B, frame []byte) {
	b.ReportMetric(float64(b.N*benchVersions)/b.Elapsed().Seconds(), "versions/s")
	b.ReportMetric(float64(len(frame)-benchVersions*benchSealed)/benchVersions, "B-overhead/version")
	b.SetBytes(int64(len(frame)))
}

func BenchmarkEncodeBatch(b *testing.B) {
	batch := benchBatch()
	var frame []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if frame, err = Encode(batch); err != nil {
			b.Fatal(err)
		}
	}
	reportBatch(b, frame)
}

func BenchmarkDecodeBatch(b *testing.B) {
	frame, err := Encode(benchBatch())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(frame); err != nil {
			b.Fatal(err)
		}
	}
	reportBatch(b, frame)
}

// BenchmarkEncodeBatchUncompressed measures the CBOR alone, to show what
// zstd adds and saves.
func BenchmarkEncodeBatchUncompressed(b *testing.B) {
	batch := benchBatch()
	var frame []byte
	b.ReportAllocs()
	for b.Loop() {
		frame = append([]byte{Version, byte(TypeBatch), 0}, must(encMode.Marshal(batch))...)
	}
	reportBatch(b, frame)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

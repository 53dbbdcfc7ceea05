package merge

import (
	"fmt"
	"testing"

	"pawfile/shared/clock"
	"pawfile/shared/record"
)

// BenchmarkMerge merges edited records into a state of 100,000 records of
// ten fields each (one million cells) and reports cells merged per second.
func BenchmarkMerge(b *testing.B) {
	const records, fields = 100_000, 10
	names := make([]string, fields)
	for i := range names {
		names[i] = fmt.Sprintf("field_%d", i)
	}
	value := []byte{0x6a, 'S', 'o', 'm', 'e', ' ', 'v', 'a', 'l', 'u', 'e'}
	st := NewState()
	keys := make([]Key, records)
	for i := range keys {
		keys[i] = Key{Class: record.ClassClient, Type: "client", ID: fmt.Sprintf("r%07d", i)}
		r := st.Edit(keys[i])
		r.Create(clock.Timestamp{Wall: 1, Device: 1})
		for _, n := range names {
			r.Set(n, value, clock.Timestamp{Wall: 1, Device: 1})
		}
	}
	in := make([]*Record, 1024)
	for i := range in {
		r := New(keys[(i*7919)%records])
		r.Create(clock.Timestamp{Wall: 1, Device: 1})
		for _, n := range names {
			r.Set(n, value, clock.Timestamp{Wall: int64(2 + i), Device: 2})
		}
		in[i] = r
	}
	for i := 0; b.Loop(); i++ {
		if _, err := st.Apply(in[i%len(in)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*fields)/b.Elapsed().Seconds(), "cells/s")
}

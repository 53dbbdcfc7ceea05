package csvimport

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// generate returns a CSV client list of n clients in the shape booking
// products export: names, two phones, email, address parts, consent, tags,
// pets with breeds, and notes, some quoted with commas and newlines.
func generate(n int) []byte {
	rng := rand.New(rand.NewPCG(7, 11))
	first := []string{"Ann", "Bo", "Chloë", "Dev", "Erin", "Femi", "Gus", "Hana", "Iwan", "José"}
	last := []string{"Lee", "Smith", "O'Neil", "Brontë", "Patel", "Nowak", "Jones", "García"}
	pets := []string{"Bella", "Max", "Luna", "Teddy", "Milo", "Daisy", "Coco", "Alfie"}
	breeds := []string{"Cockapoo", "Shih Tzu", "Labrador", "Poodle", "Border Collie", "Bichon Frise"}
	var b bytes.Buffer
	b.WriteString("First Name,Last Name,Mobile,Home Phone,Email,Street,Town,Postcode,Email Marketing,Tags,Pet Name,Breed,Notes\r\n")
	for i := range n {
		fn, ln := first[rng.IntN(len(first))], last[rng.IntN(len(last))]
		pet, breed := pets[rng.IntN(len(pets))], breeds[rng.IntN(len(breeds))]
		if i%4 == 0 {
			pet += " & " + pets[rng.IntN(len(pets))]
		}
		notes := "Gate code 12" + fmt.Sprint(i%90)
		if i%5 == 0 {
			notes = "\"Nervous with the dryer, \"\"hand dry\"\"\nPark on the drive\""
		}
		consent := []string{"yes", "no", ""}[i%3]
		fmt.Fprintf(&b, "%s,%s,07700 9%05d,01632 9%05d,%s.%s%d@example.com,\"%d High Street\",Leeds,LS%d %dAA,%s,\"regular, mobile\",%s,%s,%s\r\n",
			fn, ln, i, i, "c", "x", i, i+1, i%28+1, i%9+1, consent, pet, breed, notes)
	}
	return b.Bytes()
}

func TestGenerated2000(t *testing.T) {
	data := generate(2000)
	tb := mustRead(t, data, Options{})
	res, err := Convert(tb, Guess(tb.Headers), Choices{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Clients) != 2000 || len(res.Kept) != 0 {
		t.Fatalf("%d clients, %v", len(res.Clients), res.Problems())
	}
	pets := 0
	for _, c := range res.Clients {
		pets += len(c.Pets)
	}
	if pets != 2500 {
		t.Errorf("%d pets, want 2500", pets)
	}
}

// BenchmarkReadConvert reads, guesses and converts a 2,000-client list and
// reports rows per second.
func BenchmarkReadConvert(b *testing.B) {
	data := generate(2000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		tb, err := Read(bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := Convert(tb, Guess(tb.Headers), Choices{})
		if err != nil || len(res.Clients) != 2000 {
			b.Fatal(err, res.Problems())
		}
	}
	b.ReportMetric(float64(b.N)*2000/b.Elapsed().Seconds(), "rows/s")
}

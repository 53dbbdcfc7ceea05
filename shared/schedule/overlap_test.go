package schedule

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"pawfile/shared/record"
)

// at is a booking on the clock of zone; start and end are "15:04" on date.
func at(t testing.TB, id string, date record.Date, start, end, zone string, staff, pets []string) Booking {
	t.Helper()
	var sh, sm, eh, em int
	if _, err := fmt.Sscanf(start+" "+end, "%d:%d %d:%d", &sh, &sm, &eh, &em); err != nil {
		t.Fatal(err)
	}
	s, e := booked(t, date, sh, sm, zone), booked(t, date, eh, em, zone)
	return Booking{ID: id, Start: s, End: e, Staff: staff, Pets: pets, Status: Planned}
}

func ids(v ...string) []string { return v }

func TestOverlaps(t *testing.T) {
	const d, lon = "2026-06-15", "Europe/London"
	type want struct {
		a, b        string
		staff, pets []string
	}
	tests := []struct {
		name     string
		bookings []Booking
		want     []want
	}{
		{"back to back: half-open, no clash", []Booking{
			at(t, "a", d, "09:00", "10:00", lon, ids("s1"), ids("p1")),
			at(t, "b", d, "10:00", "11:00", lon, ids("s1"), ids("p1")),
		}, nil},
		{"same groomer, overlapping", []Booking{
			at(t, "a", d, "09:00", "10:30", lon, ids("s1"), ids("p1")),
			at(t, "b", d, "10:00", "11:00", lon, ids("s1"), ids("p2")),
		}, []want{{"a", "b", ids("s1"), nil}}},
		{"same pet, two groomers", []Booking{
			at(t, "a", d, "09:00", "10:30", lon, ids("s1"), ids("p1")),
			at(t, "b", d, "10:00", "11:00", lon, ids("s2"), ids("p1", "p2")),
		}, []want{{"a", "b", nil, ids("p1")}}},
		{"different groomers and pets at the same time", []Booking{
			at(t, "a", d, "09:00", "10:00", lon, ids("s1"), ids("p1")),
			at(t, "b", d, "09:00", "10:00", lon, ids("s2"), ids("p2")),
		}, nil},
		{"staff and pet both shared: one conflict", []Booking{
			at(t, "b", d, "09:30", "10:00", lon, ids("s2", "s1"), ids("p2", "p1")),
			at(t, "a", d, "09:00", "12:00", lon, ids("s1", "s2", "s3"), ids("p1", "p2")),
		}, []want{{"a", "b", ids("s1", "s2"), ids("p1", "p2")}}},
		{"one long booking under three short ones", []Booking{
			at(t, "long", d, "09:00", "17:00", lon, ids("s1"), nil),
			at(t, "x", d, "09:00", "10:00", lon, ids("s1"), nil),
			at(t, "y", d, "11:00", "12:00", lon, ids("s1"), nil),
			at(t, "z", d, "16:59", "18:00", lon, ids("s1"), nil),
		}, []want{{"long", "x", ids("s1"), nil}, {"long", "y", ids("s1"), nil}, {"long", "z", ids("s1"), nil}}},
		{"cancelled, no-show and empty bookings hold no time", []Booking{
			at(t, "a", d, "09:00", "12:00", lon, ids("s1"), ids("p1")),
			withStatus(at(t, "c", d, "10:00", "11:00", lon, ids("s1"), ids("p1")), Cancelled),
			withStatus(at(t, "n", d, "10:00", "11:00", lon, ids("s1"), ids("p1")), NoShow),
			at(t, "e", d, "10:00", "10:00", lon, ids("s1"), ids("p1")),
			at(t, "r", d, "11:00", "10:00", lon, ids("s1"), ids("p1")),
		}, nil},
		{"done bookings still held their time", []Booking{
			withStatus(at(t, "a", d, "09:00", "10:00", lon, ids("s1"), nil), Done),
			at(t, "b", d, "09:30", "10:30", lon, ids("s1"), nil),
		}, []want{{"a", "b", ids("s1"), nil}}},
		{"a repeated id and an empty id name nobody twice", []Booking{
			at(t, "a", d, "09:00", "10:00", lon, ids("s1", "s1", ""), ids("p1", "p1")),
			at(t, "b", d, "09:30", "10:30", lon, ids("", "s1"), nil),
		}, []want{{"a", "b", ids("s1"), nil}}},
		// London 10:00 BST is New York 05:00 EDT: the same moment.
		{"different zones, same moment", []Booking{
			at(t, "ny", d, "05:00", "06:00", "America/New_York", ids("s1"), nil),
			at(t, "lon", d, "10:30", "11:00", lon, ids("s1"), nil),
		}, []want{{"ny", "lon", ids("s1"), nil}}},
		{"different zones, same wall time, different moments", []Booking{
			at(t, "ny", d, "10:00", "11:00", "America/New_York", ids("s1"), nil),
			at(t, "lon", d, "10:00", "11:00", lon, ids("s1"), nil),
		}, nil},
		// 01:00–02:00 happens twice in London on 2026-10-25: 01:00 BST
		// to 01:00 GMT is one hour, and 01:00 GMT to 02:00 GMT the next.
		{"the repeated hour: same wall time, one after the other", []Booking{
			{ID: "first", Start: booked(t, "2026-10-25", 1, 0, lon), End: record.Instant{UnixMilli: booked(t, "2026-10-25", 1, 0, lon).UnixMilli + 3600000, Zone: lon}, Staff: ids("s1")},
			{ID: "second", Start: record.Instant{UnixMilli: booked(t, "2026-10-25", 1, 0, lon).UnixMilli + 3600000, Zone: lon}, End: booked(t, "2026-10-25", 2, 0, lon), Staff: ids("s1")},
		}, nil},
		{"the skipped hour: 00:30–02:30 is one hour long", []Booking{
			at(t, "a", "2026-03-29", "00:30", "02:30", lon, ids("s1"), nil), // 00:30 GMT – 02:30 BST
			at(t, "b", "2026-03-29", "02:30", "03:30", lon, ids("s1"), nil),
		}, nil},
	}
	for _, tc := range tests {
		got := Overlaps(tc.bookings)
		var gotW []want
		for _, c := range got {
			gotW = append(gotW, want{c.A.ID, c.B.ID, c.Staff, c.Pets})
		}
		if !reflect.DeepEqual(gotW, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, gotW, tc.want)
		}
	}
}

// bruteOverlaps compares every pair: the obvious n² definition.
func bruteOverlaps(bs []Booking) map[[2]string][2][]string {
	out := map[[2]string][2][]string{}
	for i := range bs {
		for j := range bs {
			a, b := bs[i], bs[j]
			if i == j || !a.HoldsTime() || !b.HoldsTime() ||
				a.Start.UnixMilli > b.Start.UnixMilli || a.Start.UnixMilli == b.Start.UnixMilli && i > j ||
				!(a.Start.UnixMilli < b.End.UnixMilli && b.Start.UnixMilli < a.End.UnixMilli) {
				continue
			}
			staff, pets := shared(a.Staff, b.Staff), shared(a.Pets, b.Pets)
			if staff != nil || pets != nil {
				out[[2]string{a.ID, b.ID}] = [2][]string{staff, pets}
			}
		}
	}
	return out
}

func shared(x, y []string) []string {
	var out []string
	for _, s := range set(x) {
		if s != "" && slices.Contains(y, s) {
			out = append(out, s)
		}
	}
	return out
}

// randomBookings are n bookings over a few days in mixed zones, short and
// long, some touching, drawn from few staff and pets so that clashes are
// common.
func randomBookings(r *rand.Rand, n, staff, pets int) []Booking {
	zones := []string{"Europe/London", "America/New_York", "Australia/Sydney"}
	base := time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC).UnixMilli() // across London's change
	pick := func(max, most int) []string {
		var out []string
		for range r.IntN(most + 1) {
			out = append(out, fmt.Sprint(r.IntN(max)))
		}
		return out
	}
	bs := make([]Booking, n)
	for i := range bs {
		s := base + int64(r.IntN(3*24*4))*15*60000
		e := s + int64(r.IntN(16))*15*60000 // sometimes empty
		statuses := []string{Planned, Planned, Planned, InProgress, Done, Cancelled, NoShow, ""}
		bs[i] = Booking{
			ID:     fmt.Sprint("b", i),
			Start:  record.Instant{UnixMilli: s, Zone: zones[r.IntN(3)]},
			End:    record.Instant{UnixMilli: e, Zone: zones[r.IntN(3)]},
			Staff:  pick(staff, 3),
			Pets:   pick(pets, 2),
			Status: statuses[r.IntN(len(statuses))],
		}
	}
	return bs
}

// TestOverlapsMatchesBruteForce: the sweep finds exactly the pairs, and the
// shared staff and pets, that comparing every pair finds.
func TestOverlapsMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	total := 0
	for round := range 300 {
		bs := randomBookings(r, r.IntN(60), 1+r.IntN(6), 1+r.IntN(20))
		want := bruteOverlaps(bs)
		got := Overlaps(bs)
		if len(got) != len(want) {
			t.Fatalf("round %d: %d conflicts, brute force finds %d", round, len(got), len(want))
		}
		for k, c := range got {
			w, ok := want[[2]string{c.A.ID, c.B.ID}]
			if !ok || !slices.Equal(c.Staff, w[0]) || !slices.Equal(c.Pets, w[1]) {
				t.Fatalf("round %d: conflict %s–%s staff %v pets %v; brute force: %v %v", round, c.A.ID, c.B.ID, c.Staff, c.Pets, ok, w)
			}
			if k > 0 && c.A.Start.UnixMilli < got[k-1].A.Start.UnixMilli {
				t.Fatalf("round %d: conflicts out of order", round)
			}
		}
		total += len(got)
	}
	if total < 1000 {
		t.Errorf("only %d conflicts in all rounds: the property says little", total)
	}
}

// shopWeek is a week of a 10-staff shop: six days, 09:00–17:00, each
// groomer booked back to back with 30 to 120 minute visits, pets from a
// book of 400, and a few double bookings.
func shopWeek(b testing.TB) []Booking {
	r := rand.New(rand.NewPCG(7, 8))
	var bs []Booking
	for d := range 6 {
		date := addDays("2026-10-19", d)
		for s := range 10 {
			start := booked(b, date, 9, 0, "Europe/London").UnixMilli
			closing := booked(b, date, 17, 0, "Europe/London").UnixMilli
			for start < closing {
				length := int64(30+15*r.IntN(7)) * 60000
				bs = append(bs, Booking{
					ID:     fmt.Sprint("b", len(bs)),
					Start:  record.Instant{UnixMilli: start, Zone: "Europe/London"},
					End:    record.Instant{UnixMilli: start + length, Zone: "Europe/London"},
					Staff:  []string{fmt.Sprint("staff", s)},
					Pets:   []string{fmt.Sprint("pet", r.IntN(400))},
					Status: Planned,
				})
				if r.IntN(20) != 0 { // one in twenty overlaps the next
					start += length
				}
			}
		}
	}
	return bs
}

func BenchmarkOverlaps(b *testing.B) {
	bs := shopWeek(b)
	var n int
	for b.Loop() {
		n = len(Overlaps(bs))
	}
	b.ReportMetric(float64(len(bs)), "bookings")
	b.ReportMetric(float64(n), "conflicts")
}

// BenchmarkOverlapsBruteForce is the n² comparison, for scale.
func BenchmarkOverlapsBruteForce(b *testing.B) {
	bs := shopWeek(b)
	for b.Loop() {
		bruteOverlaps(bs)
	}
}

func withStatus(b Booking, status string) Booking {
	b.Status = status
	return b
}

package schedule

import (
	"cmp"
	"slices"

	"pawfile/shared/record"
)

// The rebooking aids. Groomers keep clients by always offering the next
// appointment and by staying in touch with those who drift away, so the
// app shows, per pet, when it was last groomed, when it is due again, and
// whether it is already booked; and for the front desk, the clients who
// have lapsed.
const (
	// LapseFactor: a pet with a grooming interval has lapsed when it has
	// not been groomed for twice that interval. Once over is a late
	// client; twice over has most likely gone elsewhere.
	LapseFactor = 2
	// DefaultLapseWeeks is the lapse threshold of a pet with no interval:
	// twice the six weeks most coats are groomed at.
	DefaultLapseWeeks = 12
)

// Visits is a pet's grooming history as the rebooking aids see it. Only
// grooming projects count ([KindGrooming]), and only those with a start.
type Visits struct {
	Last   record.Instant // start of its latest done grooming; zero if never
	Next   record.Instant // start of its next planned or in-progress grooming from today on; zero if none
	Due    record.Date    // when it is due again: Last's day plus its grooming interval; "" without either
	Lapsed bool           // Last is longer ago than its lapse threshold, and it is not booked
}

// PetVisits returns the visits of the pet with record id petID, on day
// today, from projects (any projects; those not of this pet are skipped).
// Days are counted in the zone each visit was booked in.
func PetVisits(petID string, pet record.Pet, projects []record.Project, today record.Date) Visits {
	var mine []*record.Project
	for i := range projects {
		if slices.Contains(projects[i].Pets, petID) {
			mine = append(mine, &projects[i])
		}
	}
	return visits(pet, mine, today)
}

func visits(pet record.Pet, projects []*record.Project, today record.Date) Visits {
	var v Visits
	for _, p := range projects {
		if p.Kind != KindGrooming || p.Start.IsZero() {
			continue
		}
		switch p.Status {
		case Done:
			if v.Last.IsZero() || p.Start.UnixMilli > v.Last.UnixMilli {
				v.Last = p.Start
			}
		case Planned, InProgress:
			// A planned visit left in the past (never marked done) is not
			// a booking: it would hide the pet from the lapsed list forever.
			if dateOf(p.Start) >= today && (v.Next.IsZero() || p.Start.UnixMilli < v.Next.UnixMilli) {
				v.Next = p.Start
			}
		}
	}
	if v.Last.IsZero() {
		return v
	}
	last := dateOf(v.Last)
	weeks := DefaultLapseWeeks
	if n := pet.GroomingIntervalWeeks; n >= 1 && n <= MaxRepeatWeeks {
		v.Due = addDays(last, 7*int(n))
		weeks = LapseFactor * int(n)
	}
	// "Not within the threshold": a visit exactly twelve weeks ago is
	// still within twelve weeks.
	v.Lapsed = v.Next.IsZero() && today > addDays(last, 7*weeks)
	return v
}

// dateOf is the day of i in its own zone.
func dateOf(i record.Instant) record.Date { return record.DateOf(i.Time()) }

// LapsedClient is a client who has stopped coming.
type LapsedClient struct {
	Client string
	Last   record.Instant // the latest visit of any of its pets
	Pets   []string       // its pets that have visited, in id order
}

// Lapsed returns the clients who have lapsed on day today: at least one
// of their pets has visited, none has visited within its lapse threshold,
// and none is booked. A pet neither groomed nor booked yet (new to the
// household) does not count either way. pets maps pet record ids to pets (a pet's
// Client names its client); projects are any projects.
//
// The list is most recently lapsed first: those are the clients most
// likely to come back when asked. Clients marked do not book are for the
// caller to leave out: a groomer's role cannot read client records, and
// the list needs only care and project records.
func Lapsed(pets map[string]record.Pet, projects []record.Project, today record.Date) []LapsedClient {
	byPet := map[string][]*record.Project{}
	for i := range projects {
		for _, id := range set(projects[i].Pets) {
			if _, ok := pets[id]; ok {
				byPet[id] = append(byPet[id], &projects[i])
			}
		}
	}
	type state struct {
		LapsedClient
		current bool
	}
	clients := map[string]*state{}
	for id, pet := range pets {
		v := visits(pet, byPet[id], today)
		if v.Last.IsZero() && v.Next.IsZero() {
			continue
		}
		c := clients[pet.Client]
		if c == nil {
			c = &state{LapsedClient: LapsedClient{Client: pet.Client}}
			clients[pet.Client] = c
		}
		if !v.Lapsed {
			c.current = true
		}
		if !v.Last.IsZero() {
			c.Pets = append(c.Pets, id)
			if c.Last.IsZero() || v.Last.UnixMilli > c.Last.UnixMilli {
				c.Last = v.Last
			}
		}
	}
	var lapsed []LapsedClient
	for _, c := range clients {
		if !c.current {
			slices.Sort(c.Pets)
			lapsed = append(lapsed, c.LapsedClient)
		}
	}
	sorted := order(len(lapsed), func(j, k int) int {
		x, y := &lapsed[j], &lapsed[k]
		return cmp.Or(cmp.Compare(y.Last.UnixMilli, x.Last.UnixMilli), cmp.Compare(x.Client, y.Client))
	})
	var out []LapsedClient
	for _, j := range sorted {
		out = append(out, lapsed[j])
	}
	return out
}

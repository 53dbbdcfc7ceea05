package main

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	// The shops live in named zones, which load even where the system has no zoneinfo files.
	_ "time/tzdata"

	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// shopSize is how many records of each type the generator writes.
type shopSize struct {
	Clients, Pets, Projects, Notes, Tasks int
}

// fiveYearShop is issue 3's data set: a busy salon's five years, 100,000
// records and 1,011,000 fields (every record carries every field of its
// type, as record.Encode writes them).
var fiveYearShop = shopSize{Clients: 2000, Pets: 3000, Projects: 30000, Notes: 20000, Tasks: 45000}

func (s shopSize) records() int { return s.Clients + s.Pets + s.Projects + s.Notes + s.Tasks }

// shopRecord is one record of the shop as a device holds it before sealing:
// its key and its replicated state in merge's encoding.
type shopRecord struct {
	key   merge.Key
	plain []byte
}

// shop is a generated data set.
type shop struct {
	records  []shopRecord
	fields   int
	projects []int // indexes of the project records, oldest first
}

// shopYears is the history the generator spreads the records over.
const shopYears = 5

// genShop writes a shop of size s, with every field timestamped by device
// as if it had been typed in over the five years to now. The same seed
// gives the same ids, text and numbers; dates follow the clock.
func genShop(s shopSize, device uint64, seed uint64) (*shop, error) {
	g := &generator{
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		end:   time.Now().Add(-time.Hour).Truncate(time.Minute),
		shop:  &shop{records: make([]shopRecord, 0, s.records())},
		zone:  mustZone("Europe/London"),
		staff: make([]string, 6),
	}
	g.start = g.end.AddDate(-shopYears, 0, 0)
	g.clock = clock.New(device, func() time.Time { return g.now })
	for i := range g.staff {
		g.staff[i] = g.id()
	}
	if err := g.run(s); err != nil {
		return nil, err
	}
	return g.shop, nil
}

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded: every IANA name loads
	}
	return l
}

type generator struct {
	rng        *rand.Rand
	start, end time.Time
	now        time.Time // what the device's clock reads while "typing"
	clock      *clock.Clock
	zone       *time.Location
	staff      []string
	shop       *shop
}

type client struct {
	id   string
	pets []string
}

// run writes the shop in date order, as it grew: each client signs up
// with its pets, and each project comes with its notes and tasks, for a
// client who had signed up by then.
func (g *generator) run(s shopSize) error {
	if s.Clients < 1 || s.Pets < s.Clients || s.Projects < 1 {
		return fmt.Errorf("shop of %+v: want at least one client, a pet per client and a project", s)
	}
	span := g.end.Sub(g.start)
	at := func(i, n int) time.Time { return g.start.Add(span * time.Duration(i) / time.Duration(n)) }
	// Every client brings one pet; the rest go to clients chosen at
	// random, so households have one to several pets.
	pets := make([]int, s.Clients)
	for i := range pets {
		pets[i] = 1
	}
	for range s.Pets - s.Clients {
		pets[g.rng.IntN(len(pets))]++
	}
	clients := make([]client, 0, s.Clients)
	signUp := func(by time.Time) error {
		for i := len(clients); i < s.Clients && !at(i, s.Clients).After(by); i++ {
			g.now = at(i, s.Clients)
			c := client{id: g.id()}
			if err := g.add(c.id, g.client()); err != nil {
				return err
			}
			for range pets[i] {
				id := g.id()
				if err := g.add(id, g.pet(c.id)); err != nil {
					return err
				}
				c.pets = append(c.pets, id)
			}
			clients = append(clients, c)
		}
		return nil
	}
	for i := range s.Projects {
		if err := signUp(at(i, s.Projects)); err != nil {
			return err
		}
		g.now = at(i, s.Projects)
		// Notes and tasks are spread evenly: project i gets those whose
		// share of the total its index reaches.
		notes := (i+1)*s.Notes/s.Projects - i*s.Notes/s.Projects
		tasks := (i+1)*s.Tasks/s.Projects - i*s.Tasks/s.Projects
		if err := g.addProject(clients[g.rng.IntN(len(clients))], notes, tasks); err != nil {
			return err
		}
	}
	return signUp(g.end)
}

// add encodes v as record id's state, every field written at one tick of
// the device's clock, like a form saved in the app.
func (g *generator) add(id string, v any) error {
	typ := record.TypeOf(v)
	fields, err := record.Encode(v)
	if err != nil {
		return fmt.Errorf("generate %s: %w", typ, err)
	}
	r := merge.New(merge.Key{Class: typ.Class(), Type: typ, ID: id})
	ts := g.clock.Now()
	r.Create(ts)
	for name, value := range fields {
		r.Set(name, value, ts)
	}
	plain, err := merge.Encode(r)
	if err != nil {
		return fmt.Errorf("generate %s: %w", typ, err)
	}
	if typ == record.TypeProject {
		g.shop.projects = append(g.shop.projects, len(g.shop.records))
	}
	g.shop.records = append(g.shop.records, shopRecord{key: r.Key, plain: plain})
	g.shop.fields += len(fields)
	return nil
}

func (g *generator) addProject(c client, notes, tasks int) error {
	id := g.id()
	pet := c.pets[g.rng.IntN(len(c.pets))]
	p := g.project(c.id, pet, notes > 0)
	if err := g.add(id, p); err != nil {
		return err
	}
	for range notes {
		if err := g.add(g.id(), g.note(id, pet, p.AssignedStaff[0], p.Start)); err != nil {
			return err
		}
	}
	for i := range tasks {
		if err := g.add(g.id(), g.task(id, i, p.Start)); err != nil {
			return err
		}
	}
	return nil
}

// id returns a record id of the shape record.NewID makes, from the seed.
func (g *generator) id() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	var b [26]byte
	for i := range b {
		b[i] = alphabet[g.rng.IntN(len(alphabet))]
	}
	return string(b[:])
}

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// chance reports true with probability p.
func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// some returns up to n distinct entries of list, often none.
func (g *generator) some(list []string, n int) []string {
	var out []string
	for range g.rng.IntN(n + 1) {
		if s := g.pick(list); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// sentences returns between lo and hi sentences of list, joined.
func (g *generator) sentences(list []string, lo, hi int) string {
	n := lo + g.rng.IntN(hi-lo+1)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.pick(list)
	}
	return strings.Join(parts, " ")
}

func (g *generator) phone() string {
	return fmt.Sprintf("07700 9%05d", g.rng.IntN(100000))
}

func (g *generator) date(t time.Time) record.Date { return record.DateOf(t.In(g.zone)) }

func (g *generator) instant(t time.Time) record.Instant { return record.InstantOf(t.In(g.zone)) }

func (g *generator) gbp(lo, hi int) record.Money {
	return record.Money{Minor: int64(lo+g.rng.IntN(hi-lo+1)) * 100, Currency: "GBP"}
}

func (g *generator) client() *record.Client {
	first, last := g.pick(firstNames), g.pick(lastNames)
	c := &record.Client{
		Name:             first + " " + last,
		Phones:           []string{g.phone()},
		Emails:           []string{strings.ToLower(first+"."+last) + fmt.Sprintf("%d@example.com", g.rng.IntN(100))},
		Address:          fmt.Sprintf("%d %s, %s", 1+g.rng.IntN(200), g.pick(streets), g.pick(towns)),
		PreferredChannel: g.pick([]string{"phone", "sms", "sms", "email", "whatsapp"}),
		PreferredGroomer: g.pick(g.staff),
		Tags:             g.some(clientTags, 2),
		PhotoConsent:     g.chance(0.6),
	}
	if g.chance(0.3) {
		c.Phones = append(c.Phones, g.phone())
	}
	if g.chance(0.4) {
		c.EmergencyContactName = g.pick(firstNames) + " " + last
		c.EmergencyContactPhone = g.phone()
	}
	if g.chance(0.5) {
		c.Preferences = g.sentences(clientPreferences, 1, 2)
	}
	if g.chance(0.3) {
		c.Notes = g.sentences(clientNotes, 1, 3)
	}
	if g.chance(0.5) {
		c.MarketingConsent = true
		c.MarketingConsentDate = g.date(g.now)
	}
	if c.PhotoConsent {
		c.PhotoConsentDate = g.date(g.now)
	}
	if g.chance(0.01) {
		c.DoNotBook, c.DoNotBookReason = true, "Repeated no-shows; pay upfront before booking again."
	}
	return c
}

func (g *generator) pet(client string) *record.Pet {
	p := &record.Pet{
		Client:                client,
		Name:                  g.pick(petNames),
		Species:               "dog",
		Breed:                 g.pick(dogBreeds),
		Sex:                   g.pick([]string{"female", "male"}),
		Neutered:              g.chance(0.7),
		BirthDate:             g.date(g.now.AddDate(-1-g.rng.IntN(12), -g.rng.IntN(12), 0)),
		WeightGrams:           int64(2000 + g.rng.IntN(38000)),
		Coat:                  g.pick(coats),
		Colour:                g.pick(colours),
		BehaviourFlags:        g.some([]string{"anxious", "senior", "matting", "reactive", "noise_sensitive", "dryer_sensitive", "nail_sensitive"}, 2),
		Allergies:             g.some(allergies, 1),
		MedicalConditions:     g.some(conditions, 1),
		VetName:               g.pick(vets),
		VetPhone:              fmt.Sprintf("01632 %06d", g.rng.IntN(1000000)),
		GroomingIntervalWeeks: int64(4 + 2*g.rng.IntN(5)),
		PreferredStyle:        g.pick(styles),
		PreferredBlade:        g.pick(blades),
		PreferredShampoo:      g.pick(shampoos),
	}
	if g.chance(0.15) {
		p.Species, p.Breed = "cat", g.pick(catBreeds)
		p.WeightGrams = int64(2500 + g.rng.IntN(4000))
	}
	if len(p.MedicalConditions) > 0 {
		p.Medications = g.some(medications, 1)
	}
	if g.chance(0.5) {
		var b [32]byte
		for i := range b {
			b[i] = byte(g.rng.Uint32())
		}
		p.Photo = hex.EncodeToString(b[:])
	}
	if len(p.BehaviourFlags) > 0 {
		p.BehaviourNotes = g.sentences(behaviourNotes, 1, 2)
	}
	if g.chance(0.6) {
		p.GroomingPreferences = g.sentences(groomingPreferences, 1, 3)
	}
	if g.chance(0.2) {
		p.Notes = g.sentences(clientNotes, 1, 2)
	}
	return p
}

func (g *generator) project(client, pet string, done bool) *record.Project {
	start := g.now.Add(time.Duration(g.rng.IntN(14*24)) * time.Hour).Truncate(15 * time.Minute)
	kind, title, minutes := "grooming", g.pick(groomingTitles), 60+30*g.rng.IntN(4)
	if g.chance(0.08) {
		kind, title, minutes = "training", g.pick(trainingTitles), 60
	}
	p := &record.Project{
		Client:        client,
		Pets:          []string{pet},
		Kind:          kind,
		Title:         title,
		Status:        "done",
		Start:         g.instant(start),
		End:           g.instant(start.Add(time.Duration(minutes) * time.Minute)),
		AssignedStaff: []string{g.pick(g.staff)},
		Price:         g.gbp(35, 95),
	}
	if g.chance(0.3) {
		p.Scope = g.sentences(groomingPreferences, 1, 2)
	}
	if g.chance(0.4) {
		p.RepeatWeeks = int64(4 + 2*g.rng.IntN(4))
	}
	switch {
	case done:
		p.Outcome = g.sentences(outcomes, 1, 2)
	case g.now.After(g.end.AddDate(0, 0, -30)):
		p.Status = g.pick([]string{"planned", "planned", "in_progress"})
	default:
		p.Status = g.pick([]string{"cancelled", "no_show", "done"})
		if p.Status != "done" {
			p.StatusReason = g.pick(cancelReasons)
		}
	}
	return p
}

func (g *generator) note(project, pet, author string, when record.Instant) *record.ProgressNote {
	n := &record.ProgressNote{
		Project:      project,
		Pet:          pet,
		When:         when,
		Author:       author,
		Text:         g.sentences(visitNotes, 2, 5),
		Condition:    g.pick(conditionsOnArrival),
		Blades:       g.pick(blades),
		Combs:        g.pick(combs),
		Style:        g.pick(styles),
		Products:     g.pick(shampoos) + ", " + g.pick(products),
		MinutesTaken: int64(45 + 5*g.rng.IntN(20)),
	}
	if g.chance(0.5) {
		n.Behaviour = g.pick(behaviourNotes)
	}
	if g.chance(0.03) {
		n.Incidents = g.pick(incidents)
	}
	return n
}

func (g *generator) task(project string, i int, start record.Instant) *record.Task {
	return &record.Task{
		Project:  project,
		Position: int64(i),
		Title:    g.pick(taskTitles),
		Due:      g.date(time.UnixMilli(start.UnixMilli)),
		Done:     g.chance(0.8),
	}
}

// sealer seals record states into versions as a device does (app/book's
// sealLocked): the whole state, under the current key of its class, bound
// to the workspace, record key, timestamp, key id and format.
type sealer struct {
	workspace string
	keys      *seal.Keyring
	clock     *clock.Clock
}

// seal returns the version of state plain of record key, superseding the
// server's versions supersedes.
func (s *sealer) seal(key merge.Key, plain []byte, supersedes []uint64) (wire.Envelope, error) {
	ck, ok := s.keys.Current(key.Class)
	if !ok {
		return wire.Envelope{}, fmt.Errorf("seal %s: no key for class %s", key, key.Class)
	}
	ts := s.clock.Now()
	h := seal.Header{Workspace: s.workspace, RecordKey: seal.RecordKey(s.keys.MAC, key.Class, key.Type, key.ID),
		TS: ts, KeyID: ck.ID, Format: merge.Format}
	return wire.Envelope{
		Class: key.Class, Key: h.RecordKey, TS: ts, KeyID: ck.ID, Format: merge.Format,
		OutboxID: outboxID(ts), Supersedes: supersedes, Sealed: seal.Seal(ck.Key, h, plain),
	}, nil
}

// sealAll seals every record of the shop, in order.
func (s *sealer) sealAll(sh *shop) ([]wire.Envelope, error) {
	out := make([]wire.Envelope, len(sh.records))
	for i, r := range sh.records {
		var err error
		if out[i], err = s.seal(r.key, r.plain, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// outboxID is app/book.OutboxID: the server's idempotency key for a
// version, from its timestamp (the server may not import the app).
func outboxID(ts clock.Timestamp) uint64 {
	return uint64(ts.Wall)<<20 | uint64(ts.Counter&(1<<20-1))
}

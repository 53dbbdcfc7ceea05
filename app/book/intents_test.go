package book

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// The intents property: devices run form sessions on shared records (open
// a record, which takes the screen's base; receive other devices' changes;
// edit a few fields; save, sometimes offline, sometimes after a reload
// that brings the form back from its draft). Once every version has
// reached every device, each field holds the latest edit a person made to
// it, and each list holds exactly the items the people's edits leave there.

// intentDevice is one tablet in the simulation.
type intentDevice struct {
	n       int
	book    *Book
	clock   *clock.Clock
	cursor  int             // how much of the server's log it has pulled
	offline bool            // its saves wait in outbox
	outbox  []intentVersion // versions saved while offline
	known   map[int]bool    // the intended edits its book holds, by number
	forms   map[string]*intentForm
}

// intentForm is an open client form: what it showed when opened (its
// base) and what the person has typed since.
type intentForm struct {
	Base   record.Client
	Edited record.Client
}

type intentVersion struct {
	env   wire.Envelope
	known map[int]bool // the intended edits the version's state holds
}

// intent is one edit a person made: a field set to a value, or a list item
// added or removed.
type intent struct {
	n     int
	id    string
	field string
	value string
	add   bool
	seen  int // a removal: the latest addition of the item its device held
}

type intentSim struct {
	t       *testing.T
	rng     *rand.Rand
	now     time.Time
	devices []*intentDevice
	log     []intentVersion // the server: every version, in arrival order
	intents []intent
	ids     []string
	steps   int
}

func (s *intentSim) physical() time.Time { return s.now }

func newIntentSim(t *testing.T, seed uint64, devices int) *intentSim {
	s := &intentSim{t: t, rng: rand.New(rand.NewPCG(seed, 7)), now: time.UnixMilli(1_800_000_000_000)}
	keys := seal.NewKeyring()
	for i := range devices {
		c := clock.New(uint64(i+1), s.physical)
		s.devices = append(s.devices, &intentDevice{n: i, book: New("ws1", keys, c), clock: c, known: map[int]bool{}, forms: map[string]*intentForm{}})
	}
	first := s.devices[0]
	for range 2 {
		id := record.NewID()
		c := &record.Client{Name: "Client " + id[:4], Phones: []string{"0100"}, Tags: []string{"regular"}}
		env, ok, err := first.book.Save(id, nil, c)
		if err != nil || !ok {
			t.Fatalf("create client: ok=%v err=%v", ok, err)
		}
		s.log = append(s.log, intentVersion{env: env, known: map[int]bool{}})
		s.ids = append(s.ids, id)
	}
	for _, d := range s.devices {
		s.pull(d, len(s.log))
	}
	return s
}

// tick moves simulated time on, so every save is later than the one
// before: the latest edit is the latest save.
func (s *intentSim) tick() { s.now = s.now.Add(time.Millisecond) }

func (s *intentSim) pull(d *intentDevice, upTo int) {
	for ; d.cursor < upTo; d.cursor++ {
		v := s.log[d.cursor]
		if _, _, err := d.book.Apply(v.env); err != nil {
			s.t.Fatalf("device %d applies version %d: %v", d.n, d.cursor, err)
		}
		for n := range v.known {
			d.known[n] = true
		}
	}
}

func (s *intentSim) push(d *intentDevice) {
	s.log = append(s.log, d.outbox...)
	d.outbox = nil
}

// open takes the form's base from the device's book, as a screen does.
func (s *intentSim) open(d *intentDevice, id string) {
	var c record.Client
	if ok, err := d.book.Load(id, &c); err != nil || !ok {
		s.t.Fatalf("device %d opens %s: ok=%v err=%v", d.n, id, ok, err)
	}
	d.forms[id] = &intentForm{Base: c, Edited: cloneClient(c)}
}

func cloneClient(c record.Client) record.Client {
	c.Phones, c.Emails, c.Tags = slices.Clone(c.Phones), slices.Clone(c.Emails), slices.Clone(c.Tags)
	return c
}

// edit changes one field of an open form, noting the intent.
func (s *intentSim) edit(d *intentDevice, id string) {
	f := d.forms[id]
	s.steps++
	v := fmt.Sprintf("v%d", s.steps)
	switch s.rng.IntN(5) {
	case 0:
		f.Edited.Name = "Name " + v
	case 1:
		f.Edited.Notes = "Notes " + v
	case 2:
		f.Edited.Address = "Address " + v
	case 3:
		f.Edited.Tags = s.editList(f.Edited.Tags, v)
	case 4:
		f.Edited.Phones = s.editList(f.Edited.Phones, "07"+v[1:])
	}
}

// editList adds an item, or removes one of the few item names lists share
// so that additions and removals of one item meet.
func (s *intentSim) editList(l []string, fresh string) []string {
	shared := []string{"regular", "mobile", "vip"}
	if s.rng.IntN(3) == 0 && len(l) > 0 {
		return slices.Delete(slices.Clone(l), 0, 1)
	}
	if s.rng.IntN(2) == 0 {
		fresh = shared[s.rng.IntN(len(shared))]
	}
	if len(fresh) > 8 && s.rng.IntN(2) == 0 {
		fresh = fresh[:8]
	}
	if slices.Contains(l, fresh) || len(l) >= 8 {
		return slices.Delete(slices.Clone(l), len(l)-1, len(l))
	}
	return append(slices.Clone(l), fresh)
}

// save saves a form and records what the person changed in it: the
// fields that differ from its base.
func (s *intentSim) save(d *intentDevice, id string) {
	f := d.forms[id]
	delete(d.forms, id)
	s.tick()
	env, ok, err := d.book.Save(id, &f.Base, &f.Edited)
	if err != nil {
		s.t.Fatalf("device %d saves %s: %v", d.n, id, err)
	}
	b, e := f.Base, f.Edited
	note := func(in intent) {
		in.n, in.id = len(s.intents), id
		s.intents = append(s.intents, in)
		d.known[in.n] = true
	}
	for _, sc := range []struct{ name, base, edited string }{
		{"name", b.Name, e.Name}, {"notes", b.Notes, e.Notes}, {"address", b.Address, e.Address},
	} {
		if sc.base != sc.edited {
			note(intent{field: sc.name, value: sc.edited})
		}
	}
	for _, l := range []struct {
		name         string
		base, edited []string
	}{{"tags", b.Tags, e.Tags}, {"phones", b.Phones, e.Phones}} {
		for _, x := range l.edited {
			if !slices.Contains(l.base, x) {
				note(intent{field: l.name, value: x, add: true})
			}
		}
		for _, x := range l.base {
			if !slices.Contains(l.edited, x) {
				note(intent{field: l.name, value: x, seen: s.latestAdd(d, id, l.name, x)})
			}
		}
	}
	if !ok {
		return
	}
	known := map[int]bool{}
	for n := range d.known {
		known[n] = true
	}
	v := intentVersion{env: env, known: known}
	if d.offline {
		d.outbox = append(d.outbox, v)
	} else {
		s.log = append(s.log, v)
	}
}

// latestAdd is the number of the latest addition of item x the device
// holds, or -1: what a removal of x removes.
func (s *intentSim) latestAdd(d *intentDevice, id, field, x string) int {
	latest := -1
	for _, in := range s.intents {
		if d.known[in.n] && in.id == id && in.field == field && in.add && in.value == x {
			latest = max(latest, in.n)
		}
	}
	return latest
}

// reload brings a device back as a reload does: a new book from its
// stored states, and its open forms from their drafts (JSON).
func (s *intentSim) reload(d *intentDevice) {
	nb := New("ws1", d.book.keys, d.clock)
	for _, id := range s.ids {
		env, err := d.book.State(keyOf(record.TypeClient, id))
		if err != nil {
			s.t.Fatalf("device %d state of %s: %v", d.n, id, err)
		}
		data, err := wire.MarshalEnvelope(&env)
		if err != nil {
			s.t.Fatal(err)
		}
		if err := nb.AddSealed(env.Key, data); err != nil {
			s.t.Fatal(err)
		}
	}
	d.book = nb
	for id, f := range d.forms {
		b, err := json.Marshal(f)
		if err != nil {
			s.t.Fatal(err)
		}
		var back intentForm
		if err := json.Unmarshal(b, &back); err != nil {
			s.t.Fatal(err)
		}
		d.forms[id] = &back
	}
}

func (s *intentSim) step() {
	d := s.devices[s.rng.IntN(len(s.devices))]
	id := s.ids[s.rng.IntN(len(s.ids))]
	switch r := s.rng.IntN(20); {
	case r < 4:
		if !d.offline {
			s.pull(d, d.cursor+s.rng.IntN(len(s.log)-d.cursor+1))
		}
	case r < 6:
		if _, open := d.forms[id]; !open {
			s.open(d, id)
		}
	case r < 12:
		if _, open := d.forms[id]; open {
			s.edit(d, id)
		}
	case r < 16:
		if _, open := d.forms[id]; open {
			s.save(d, id)
		}
	case r < 17:
		s.reload(d)
	case r < 19:
		d.offline = !d.offline
		if !d.offline {
			s.push(d)
		}
	default:
		s.tick()
	}
}

// check delivers everything everywhere and compares each device's records
// with what the intents say.
func (s *intentSim) check() {
	for _, d := range s.devices {
		for id := range d.forms {
			s.save(d, id)
		}
		d.offline = false
		s.push(d)
	}
	for _, d := range s.devices {
		s.pull(d, len(s.log))
	}
	for _, id := range s.ids {
		want := s.want(id)
		for _, d := range s.devices {
			var got record.Client
			if ok, err := d.book.Load(id, &got); err != nil || !ok {
				s.t.Fatalf("device %d loads %s: ok=%v err=%v", d.n, id, ok, err)
			}
			if msg := s.compare(want, got); msg != "" {
				s.t.Fatalf("device %d, client %s: %s", d.n, id, msg)
			}
		}
	}
}

// want is client id as the intents leave it: each field as its latest
// edit set it, each list with the items whose latest addition no removal
// had seen.
func (s *intentSim) want(id string) map[string]any {
	want := map[string]any{}
	adds := map[string]int{}    // field/item: latest addition
	removed := map[string]int{} // field/item: latest addition a removal had seen
	lists := map[string][]string{"tags": {"regular"}, "phones": {"0100"}}
	for _, in := range s.intents {
		if in.id != id {
			continue
		}
		k := in.field + "/" + in.value
		switch {
		case in.field != "tags" && in.field != "phones":
			want[in.field] = in.value
		case in.add:
			adds[k] = in.n
			if !slices.Contains(lists[in.field], in.value) {
				lists[in.field] = append(lists[in.field], in.value)
			}
		default:
			if _, ok := removed[k]; !ok || in.seen > removed[k] {
				removed[k] = in.seen
			}
			if !slices.Contains(lists[in.field], in.value) {
				lists[in.field] = append(lists[in.field], in.value)
			}
		}
	}
	for field, items := range lists {
		var keep []string
		for _, x := range items {
			k := field + "/" + x
			add, added := adds[k]
			if !added && (x == "regular" || x == "0100") {
				add = -1 // in the record from the start
			}
			seen, wasRemoved := removed[k]
			if (added || add == -1) && (!wasRemoved || add > seen) {
				keep = append(keep, x)
			}
		}
		slices.Sort(keep)
		want[field] = keep
	}
	return want
}

func (s *intentSim) compare(want map[string]any, got record.Client) string {
	gotFields := map[string]any{"name": got.Name, "notes": got.Notes, "address": got.Address}
	for field, w := range want {
		switch w := w.(type) {
		case string:
			if gotFields[field] != w {
				return fmt.Sprintf("%s is %q, the latest edit set %q (an intended edit was lost)", field, gotFields[field], w)
			}
		case []string:
			g := slices.Clone(map[string][]string{"tags": got.Tags, "phones": got.Phones}[field])
			slices.Sort(g)
			if !slices.Equal(g, w) {
				return fmt.Sprintf("%s holds %q, the edits leave %q", field, g, w)
			}
		}
	}
	return ""
}

func TestIntentsSurvive(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			s := newIntentSim(t, seed, 4)
			for range 3000 {
				s.step()
			}
			s.check()
			if len(s.intents) < 150 {
				t.Fatalf("only %d intended edits: the simulation hardly edits", len(s.intents))
			}
		})
	}
}

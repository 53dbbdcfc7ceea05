package session

import (
	"fmt"
	"math/rand/v2"
	"time"

	"pawfile/app/book"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// shopSize is the "5-year shop": 2,000 clients, 3,000 pets and
// 30,000 projects with their notes and tasks, about 100,000 records.
type shopSize struct{ clients, pets, projects, notes, tasks int }

// shop seals a generated shop's records as the server would hand them
// over: one version per record, keyed as the local store keys rows.
func shop(ws string, keys *seal.Keyring, n shopSize) (map[string][]byte, error) {
	r := rand.New(rand.NewPCG(1, 2))
	bk := book.New(ws, keys, clock.New(99, nil))
	rows := make(map[string][]byte, n.clients+n.pets+n.projects+n.notes+n.tasks)
	put := func(id string, v any) error {
		env, _, err := bk.Save(id, nil, v)
		if err != nil {
			return fmt.Errorf("shop: %T: %w", v, err)
		}
		b, err := wire.MarshalEnvelope(&env)
		if err != nil {
			return err
		}
		rows[rowKey(env.Key)] = b
		return nil
	}
	first := []string{"Margaret", "Arjun", "Chloé", "Sam", "Priya", "Tom", "Aoife", "Kwame", "Lena", "Oscar"}
	last := []string{"Lockwood", "Patel", "Dubois", "Okafor", "Smith", "Nowak", "García", "Byrne", "Kim", "Jones"}
	petNames := []string{"Bella", "Max", "Luna", "Charlie", "Daisy", "Milo", "Poppy", "Teddy", "Rosie", "Bear"}
	base := time.Date(2021, 1, 4, 9, 0, 0, 0, time.UTC)
	clients := make([]string, n.clients)
	for i := range clients {
		clients[i] = record.NewID()
		c := record.Client{
			Name:   first[r.IntN(len(first))] + " " + last[r.IntN(len(last))],
			Phones: []string{fmt.Sprintf("07700 9%05d", i)}, Emails: []string{fmt.Sprintf("client%d@example.com", i)},
			Address: fmt.Sprintf("%d High Street, Anytown", i), PreferredChannel: "sms",
			Preferences: "Short on the body, teddy face.", Notes: "Prefers mornings; gate code 1234.",
			Tags: []string{"regular"}, MarketingConsent: true, MarketingConsentDate: "2021-01-04",
		}
		if err := put(clients[i], &c); err != nil {
			return nil, err
		}
	}
	pets := make([]string, n.pets)
	for i := range pets {
		pets[i] = record.NewID()
		p := record.Pet{Client: clients[i%n.clients], Name: petNames[r.IntN(len(petNames))], Species: "dog", Breed: "Cockapoo",
			Sex: "female", BirthDate: "2019-05-01", Coat: "curly", Colour: "apricot", Allergies: []string{"chicken"},
			VetName: "Anytown Vets", VetPhone: "01632 960000"}
		if err := put(pets[i], &p); err != nil {
			return nil, err
		}
	}
	projects := make([]string, n.projects)
	for i := range projects {
		projects[i] = record.NewID()
		start := base.Add(time.Duration(i) * 87 * time.Minute)
		p := record.Project{Client: clients[i%n.clients], Pets: []string{pets[i%n.pets]}, Kind: "grooming", Title: "Full groom",
			Scope: "Bath, dry, clip, nails, ears.", Status: "done", Start: record.InstantOf(start), End: record.InstantOf(start.Add(90 * time.Minute)),
			AssignedStaff: []string{"staff1"}, Price: record.Money{Minor: 4500, Currency: "GBP"}, Outcome: "Good; booked again in six weeks."}
		if err := put(projects[i], &p); err != nil {
			return nil, err
		}
	}
	for i := range n.notes {
		note := record.ProgressNote{Project: projects[i%n.projects], Pet: pets[i%n.pets], Text: "Matting behind the ears, clipped out.",
			Condition: "Some matting", Blades: "7F", Combs: "1/2 inch", Style: "Teddy", Products: "Oatmeal shampoo"}
		if err := put(record.NewID(), &note); err != nil {
			return nil, err
		}
	}
	for i := range n.tasks {
		task := record.Task{Project: projects[i%n.projects], Position: int64(i % 3), Title: "Nails", Done: true}
		if err := put(record.NewID(), &task); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

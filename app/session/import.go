package session

import (
	"context"
	"errors"
	"fmt"

	"pawfile/shared/csvimport"
)

// importChunk is how many clients ImportClients seals between progress
// reports: about a tenth of a second of sealing in a tablet's browser, so
// a progress bar moves smoothly and the page never looks frozen.
const importChunk = 100

var errLockedDuringImport = errors.New("the app locked during the import, so nothing was imported: unlock and import the file again")

// ImportTotals counts what an import saved.
type ImportTotals = csvimport.Counts

// ImportClients saves clients converted from a CSV file by
// csvimport.Convert, with their pets, the pets' vaccinations and the
// clients' past visits, in one local transaction: either all of them are
// on this device and queued for sync, or none is. Their index docs are
// written with them, so search, the lapsed list and the vaccinations due
// know them at once.
//
// It seals a chunk of clients at a time and calls progress(done, total)
// after each, with the session's lock released, so that the screens stay
// live; in a browser, progress should yield (wait for the next frame) so
// that the page paints. done == total before the final write, which takes
// a moment of its own.
func (s *Session) ImportClients(ctx context.Context, clients []csvimport.Imported, progress func(done, total int)) (ImportTotals, error) {
	var tot ImportTotals
	err := s.commit(ctx, func(tx *writeTx) error {
		for start := 0; start < len(clients); start += importChunk {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("import stopped; nothing was imported: %w", err)
			}
			for _, c := range clients[start:min(start+importChunk, len(clients))] {
				if _, err := tx.save(c.ID, &c.Client); err != nil {
					return fmt.Errorf("row %d: %w; nothing was imported", c.Row, err)
				}
				tot.Clients++
				for _, p := range c.Pets {
					if _, err := tx.save(p.ID, &p.Pet); err != nil {
						return fmt.Errorf("row %d, pet %q: %w; nothing was imported", c.Row, p.Pet.Name, err)
					}
					tot.Pets++
					for _, v := range p.Vaccinations {
						if _, err := tx.save(v.ID, &v.Vaccination); err != nil {
							return fmt.Errorf("row %d, pet %q, vaccination %q: %w; nothing was imported", c.Row, p.Pet.Name, v.Vaccination.Name, err)
						}
						tot.Vaccinations++
					}
				}
				for _, v := range c.Visits {
					if _, err := tx.save(v.ID, &v.Project); err != nil {
						return fmt.Errorf("row %d, last visit: %w; nothing was imported", c.Row, err)
					}
					tot.Visits++
				}
			}
			if progress != nil {
				done := min(start+importChunk, len(clients))
				if err := tx.unlocked(func() { progress(done, len(clients)) }); err != nil {
					return errLockedDuringImport
				}
			}
		}
		return nil
	})
	if errors.Is(err, errLockedDuringImport) {
		return ImportTotals{}, err
	}
	if err != nil {
		return ImportTotals{}, fmt.Errorf("nothing was imported: %w", err)
	}
	s.sent()
	return tot, nil
}

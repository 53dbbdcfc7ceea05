// Package search finds clients as a person types: by name, phone, email,
// tag or pet name, over the whole client book held in memory.
package search

import (
	"strings"
	"unicode"

	"pawfile/shared/order"
)

// Doc is what a client is found by.
type Doc struct {
	Name   string
	Phones []string
	Emails []string
	Tags   []string
	Pets   []string
}

// Hit is one client found.
type Hit struct {
	ID    string
	Name  string
	score int
}

type entry struct {
	id, name string
	key      string   // the folded name, which First sorts by
	words    []string // folded words of name, pets, tags and emails
	digits   []string // phone numbers, digits only
}

// Index holds the documents searched. It is not safe for concurrent use.
type Index struct {
	entries []entry
	pos     map[string]int
}

// New returns an empty index.
func New() *Index { return &Index{pos: map[string]int{}} }

// Len returns how many documents the index holds.
func (ix *Index) Len() int { return len(ix.entries) }

// Put adds or replaces the document of id.
func (ix *Index) Put(id string, d Doc) {
	e := entry{id: id, name: d.Name, key: fold(d.Name)}
	add := func(s string) {
		for w := range strings.FieldsFuncSeq(fold(s), isSeparator) {
			e.words = append(e.words, w)
		}
	}
	add(d.Name)
	for _, list := range [][]string{d.Pets, d.Tags, d.Emails} {
		for _, s := range list {
			add(s)
		}
	}
	for _, p := range d.Phones {
		if ds := digits(p); ds != "" {
			e.digits = append(e.digits, ds)
		}
	}
	if i, ok := ix.pos[id]; ok {
		ix.entries[i] = e
		return
	}
	ix.pos[id] = len(ix.entries)
	ix.entries = append(ix.entries, e)
}

// Remove drops the document of id.
func (ix *Index) Remove(id string) {
	i, ok := ix.pos[id]
	if !ok {
		return
	}
	last := len(ix.entries) - 1
	ix.entries[i] = ix.entries[last]
	ix.pos[ix.entries[i].id] = i
	ix.entries = ix.entries[:last]
	delete(ix.pos, id)
}

// Search returns up to limit clients matching every word of q, best first:
// a word matches the start of a name, pet, tag or email word, or any part
// of a phone number. An empty query finds nothing.
func (ix *Index) Search(q string, limit int) []Hit {
	terms := strings.FieldsFunc(fold(q), isSeparator)
	if len(terms) == 0 {
		return nil
	}
	var hits []Hit
	for i := range ix.entries {
		if score, ok := ix.entries[i].match(terms); ok {
			hits = append(hits, Hit{ID: ix.entries[i].id, Name: ix.entries[i].name, score: score})
		}
	}
	order.Sort(hits, func(a, b Hit) int {
		if a.score != b.score {
			return b.score - a.score
		}
		return strings.Compare(a.Name, b.Name)
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

// First returns up to limit clients in name order: the list shown before
// anything is typed.
func (ix *Index) First(limit int) []Hit {
	// The names are folded once, by Put: folding in the comparator made
	// every refresh of a 2,000-client list fold 40,000 names.
	sorted := make([]*entry, len(ix.entries))
	for i := range ix.entries {
		sorted[i] = &ix.entries[i]
	}
	order.Sort(sorted, func(a, b *entry) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	sorted = sorted[:min(limit, len(sorted))]
	hits := make([]Hit, len(sorted))
	for i, e := range sorted {
		hits[i] = Hit{ID: e.id, Name: e.name}
	}
	return hits
}

func (e *entry) match(terms []string) (int, bool) {
	score := 0
	for _, t := range terms {
		s := e.matchTerm(t)
		if s == 0 {
			return 0, false
		}
		score += s
	}
	return score, true
}

// matchTerm scores one query word: the first word of the name beats a later
// one, a whole word beats a prefix.
func (e *entry) matchTerm(t string) int {
	best := 0
	for i, w := range e.words {
		if !strings.HasPrefix(w, t) {
			continue
		}
		s := 2
		if len(w) == len(t) {
			s = 3
		}
		if i == 0 {
			s += 2
		}
		best = max(best, s)
	}
	if best == 0 && len(t) >= 3 && isDigits(t) {
		for _, d := range e.digits {
			if strings.Contains(d, t) {
				return 1
			}
		}
	}
	return best
}

func isSeparator(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isDigits(s string) bool { return s != "" && digits(s) == s }

package ui

import (
	"slices"
	"testing"

	"pawfile/shared/record"
)

func TestFollow(t *testing.T) {
	base := record.Client{Name: "Margaret", Phones: []string{"0100"}, Notes: "old", Address: "1 Lane"}
	form := base
	form.Notes = "mine"             // changed here only... and elsewhere too, below
	form.Tags = []string{"regular"} // changed here only
	form.Address = "2 Road"         // changed here and, to the same, elsewhere
	now := base
	now.Phones = []string{"0200"} // changed elsewhere only
	now.Notes = "theirs"
	now.Address = "2 Road"

	updated, clashes := follow(&base, &form, &now)
	if !slices.Equal(form.Phones, []string{"0200"}) || !slices.Equal(base.Phones, []string{"0200"}) {
		t.Errorf("a field not touched here did not follow: form %q base %q", form.Phones, base.Phones)
	}
	if len(updated) != 1 || updated[0].Name != "phones" {
		t.Errorf("updated = %v, want phones", updated)
	}
	if form.Notes != "mine" || base.Notes != "old" {
		t.Errorf("a field changed on both was overwritten: form %q base %q", form.Notes, base.Notes)
	}
	if len(clashes) != 1 || clashes[0].field.Name != "notes" || clashes[0].text() != "theirs" {
		t.Fatalf("clashes = %+v, want notes changed to theirs", clashes)
	}
	if base.Address != "2 Road" || !slices.Equal(form.Tags, []string{"regular"}) || len(base.Tags) != 0 {
		t.Errorf("base %+v form %+v: the same change is no clash, and a change made here stays", base, form)
	}
}

// TestConflictText: a clash over a price or a number reads as the
// person typed it, not "another value".
func TestConflictText(t *testing.T) {
	base := record.Project{Title: "Groom"}
	now := record.Project{Title: "Groom", Price: record.Money{Minor: 5000, Currency: "GBP"}, RepeatWeeks: 6}
	form := base
	form.Price, form.RepeatWeeks = record.Money{Minor: 4500, Currency: "GBP"}, 4
	_, clashes := follow(&base, &form, &now)
	got := map[string]string{}
	for _, c := range clashes {
		got[c.field.Name] = c.text()
	}
	if got["price"] != "50.00" || got["repeat_weeks"] != "6" {
		t.Errorf("clash texts = %v, want price 50.00 and repeat 6", got)
	}
}

// TestClashOfLine: a clash over one invoice line's field is named by the
// line, and settling it takes that line's value, not another line's
// clash over the same field.
func TestClashOfLine(t *testing.T) {
	base := record.InvoiceLine{Description: "Full groom", Quantity: 1, UnitPrice: record.Money{Minor: 4250, Currency: "GBP"}}
	now, mine := base, base
	now.UnitPrice.Minor, mine.UnitPrice.Minor = 5000, 4500
	_, clashes := follow(&base, &mine, &now)
	if len(clashes) != 1 {
		t.Fatalf("clashes = %+v, want the unit price", clashes)
	}
	clashes[0].part, clashes[0].where = "line1", "line 1"
	other := conflict{field: clashes[0].field, part: "line2", where: "line 2"}
	var err error
	if other.theirs, err = record.EncodeValue(record.Money{Minor: 6000, Currency: "GBP"}); err != nil {
		t.Fatal(err)
	}
	clashes = append(clashes, other)
	if got := clashes[1].key(); got != "line2/unit_price" {
		t.Errorf("key = %q, want line2/unit_price", got)
	}
	if got := clashes[0].label(); got != "line 1 unit price" {
		t.Errorf("label = %q, want line 1 unit price", got)
	}
	resolveClash(clashes, "line1/unit_price", true, &base, &mine)
	if base.UnitPrice.Minor != 5000 || mine.UnitPrice.Minor != 4500 {
		t.Errorf("keeping line 1's own: base %d, form %d; want line 1's theirs 5000 as the base and 4500 kept",
			base.UnitPrice.Minor, mine.UnitPrice.Minor)
	}
}

// Package loyalty is the workspace's loyalty rule, "every Nth groom at P%
// off": which of a client's visits earns the discount, how far a client
// is from the next one, and the discount itself, worked out in minor
// units by package billing as an invoice's tax is.
//
// The rule counts a client's done groomings (any of their pets; a
// cancelled or no-show visit, or a training course, is not a groom), in
// the order they started, since the last one that was rewarded: a visit
// whose invoice carries the loyalty discount. A visit earns the discount
// when it is at least the Nth since the last reward, so a visit invoiced
// without it (billed before the rule existed, or by hand) passes the
// reward on to the next rather than losing it; and when the owner
// changes the rule, the new N counts from the last reward, whatever the
// old N was.
package loyalty

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"pawfile/shared/billing"
	"pawfile/shared/order"
	"pawfile/shared/record"
	"pawfile/shared/schedule"
)

// The rule's bounds: a reward at least every second groom, at most every
// hundredth; 1% to 100% off.
const (
	MinEvery = 2
	MaxEvery = 100
)

// ReasonPrefix starts the discount reason of an invoice the rule
// discounted: it marks the visit rewarded.
const ReasonPrefix = "Loyalty: "

// Rule is the owner's loyalty rule: every Every-th groom at PercentOff
// percent off. Every 0 is no rule.
type Rule struct {
	Every      int64
	PercentOff int64
}

// On reports whether the workspace has a loyalty rule.
func (r Rule) On() bool { return r.Every != 0 }

// Check refuses a rule outside the bounds, saying what to change.
func (r Rule) Check() error {
	if !r.On() {
		return nil
	}
	var errs []error
	if r.Every < MinEvery || r.Every > MaxEvery {
		errs = append(errs, fmt.Errorf("every %d grooms: reward every %d to %d grooms (0: no loyalty discount)", r.Every, MinEvery, MaxEvery))
	}
	if r.PercentOff < 1 || r.PercentOff > 100 {
		errs = append(errs, fmt.Errorf("%d%% off: give a discount from 1%% to 100%%", r.PercentOff))
	}
	return errors.Join(errs...)
}

// Visit is one of a client's projects as the rule sees it.
type Visit struct {
	ID       string
	Kind     string         // only grooming counts
	Status   string         // only done counts
	Start    record.Instant // the order; a visit with no start is not counted
	Rewarded bool           // its invoice carries the loyalty discount
}

// counts reports whether v is a groom the rule counts.
func counts(v Visit) bool {
	return v.Kind == schedule.KindGrooming && v.Status == schedule.Done && !v.Start.IsZero()
}

// sorted returns the counted visits in the order they started.
func sorted(visits []Visit) []Visit {
	var out []Visit
	for _, v := range visits {
		if counts(v) {
			out = append(out, v)
		}
	}
	order.Sort(out, func(a, b Visit) int {
		return cmp.Or(cmp.Compare(a.Start.UnixMilli, b.Start.UnixMilli), strings.Compare(a.ID, b.ID))
	})
	return out
}

// Standing is how far a client is along the rule.
type Standing struct {
	Rule  Rule
	Count int64 // done grooms since the last rewarded one
}

// Progress returns the client's standing under r, from all their visits.
func Progress(r Rule, visits []Visit) Standing {
	st := Standing{Rule: r}
	for _, v := range sorted(visits) {
		st.Count++
		if v.Rewarded {
			st.Count = 0
		}
	}
	return st
}

// Text says the standing as the client's card shows it: "4 of 6 grooms
// — the 6th is 20% off". "" with no rule.
func (st Standing) Text() string {
	r := st.Rule
	if !r.On() {
		return ""
	}
	off := strconv.FormatInt(r.PercentOff, 10) + "% off"
	if st.Count > r.Every {
		return strconv.FormatInt(st.Count, 10) + " grooms since the last loyalty discount — the next one invoiced is " + off
	}
	return strconv.FormatInt(st.Count, 10) + " of " + strconv.FormatInt(r.Every, 10) + " grooms — the " + Ordinal(r.Every) + " is " + off
}

// Qualifies reports whether the visit with id earns the discount under
// r, and which groom since the last reward it is (1 for the first). The
// visits are all the client's; those after id do not matter.
func Qualifies(r Rule, visits []Visit, id string) (int64, bool) {
	if !r.On() {
		return 0, false
	}
	var n int64
	for _, v := range sorted(visits) {
		n++
		if v.ID == id {
			return n, n >= r.Every
		}
		if v.Rewarded {
			n = 0
		}
	}
	return 0, false // not a done groom
}

// Discount is the rule's discount on a visit's price, rounded to the
// minor unit by billing.Percent, with the reason the invoice shows:
// "Loyalty: 6th groom, 20% off". nth is the visit's count from Qualifies.
func (r Rule) Discount(price record.Money, nth int64) (record.Money, string, error) {
	if err := r.Check(); err != nil {
		return record.Money{}, "", err
	}
	minor, err := billing.Percent(price.Minor, r.PercentOff*100)
	if err != nil {
		return record.Money{}, "", fmt.Errorf("loyalty discount on %s: %w", price.Decimal(), err)
	}
	reason := ReasonPrefix + Ordinal(nth) + " groom, " + strconv.FormatInt(r.PercentOff, 10) + "% off"
	return record.Money{Minor: minor, Currency: price.Currency}, reason, nil
}

// Ordinal writes n as people count: 1st, 2nd, 3rd, 4th, 11th, 21st.
func Ordinal(n int64) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.FormatInt(n, 10) + suffix
}

package session

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"pawfile/shared/loyalty"
	"pawfile/shared/record"
)

// Loyalty: the owner's rule (package loyalty), kept in the workspace's
// settings and, for the other roles that bill, in the info published with
// them; a client's standing for their card; and the discount that
// InvoiceProject puts on the invoice of a visit that earns it.

// LoyaltyRule is the workspace's loyalty rule as this device reads it.
// A rule that breaks the bounds (a record from a newer app, or forged)
// is no rule: no invoice is discounted by it.
func (s *Session) LoyaltyRule() loyalty.Rule {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.loyaltyLocked()
}

func (s *Session) loyaltyLocked() loyalty.Rule {
	st := s.workspaceSettingsLocked()
	r := loyalty.Rule{Every: st.LoyaltyEvery, PercentOff: st.LoyaltyPercent}
	if r.Check() != nil {
		return loyalty.Rule{}
	}
	return r
}

// SaveLoyaltyRule saves the workspace's loyalty rule, changed from base:
// the rule as the screen showed it (see SaveClient). Only the owner may.
func (s *Session) SaveLoyaltyRule(ctx context.Context, base *loyalty.Rule, r loyalty.Rule) error {
	if !s.Role().ManagesTeam() {
		return errors.New("only the owner sets the loyalty discount: ask them")
	}
	if err := r.Check(); err != nil {
		return err
	}
	if !r.On() {
		r.PercentOff = 0
	}
	set := func(st *record.Settings, r loyalty.Rule) { st.LoyaltyEvery, st.LoyaltyPercent = r.Every, r.PercentOff }
	if err := saveSetting(s, ctx, base, r, set); err != nil {
		return fmt.Errorf("save the loyalty discount: %w", err)
	}
	return nil
}

// LoyaltyOf is client's standing under the workspace's rule: the done
// grooms since the last discounted one. Its Rule is off when there is no
// rule.
func (s *Session) LoyaltyOf(client string) loyalty.Standing {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return loyalty.Standing{}
	}
	r := s.loyaltyLocked()
	if !r.On() {
		return loyalty.Standing{}
	}
	return loyalty.Progress(r, s.visitsLocked(client))
}

// visitsLocked lists client's projects as the rule counts them, each
// marked rewarded when an invoice for it, not void, carries the loyalty
// discount.
func (s *Session) visitsLocked(client string) []loyalty.Visit {
	rewarded := map[string]bool{}
	for id, d := range s.invoiceDocs {
		if d.Client != client || d.Status == "void" {
			continue
		}
		var inv record.Invoice
		if s.loadLocked(id, &inv) && inv.Project != "" && strings.HasPrefix(inv.DiscountReason, loyalty.ReasonPrefix) {
			rewarded[inv.Project] = true
		}
	}
	var out []loyalty.Visit
	for id, d := range s.projectDocs {
		if d.Client != client {
			continue
		}
		p := projectOf(d)
		out = append(out, loyalty.Visit{ID: id, Kind: p.Kind, Status: p.Status, Start: p.Start, Rewarded: rewarded[id]})
	}
	return out
}

// loyaltyDiscount is the discount, and its reason, that the workspace's
// rule gives project id of client at price; zero and "" when the visit
// does not earn it.
func (s *Session) loyaltyDiscount(client, id string, price record.Money) (record.Money, string, error) {
	s.mu.RLock()
	r := s.loyaltyLocked()
	var visits []loyalty.Visit
	if r.On() && s.book != nil {
		visits = s.visitsLocked(client)
	}
	s.mu.RUnlock()
	nth, ok := loyalty.Qualifies(r, visits, id)
	if !ok {
		return record.Money{}, "", nil
	}
	return r.Discount(price, nth)
}

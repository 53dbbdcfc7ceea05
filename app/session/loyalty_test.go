//go:build !js

package session

import (
	"context"
	"testing"

	"pawfile/shared/access"
	"pawfile/shared/loyalty"
	"pawfile/shared/record"
	"pawfile/shared/schedule"
)

// Issue 17: the owner sets "every 6th groom at 20% off"; the front desk's
// tablet reads it from the workspace's info, may not change it, counts
// Ann's done grooms (not her cancelled or no-show visits), and the
// invoice of her 6th carries the discount and why; the count then starts
// again.
func TestLoyaltyOnTheDesksInvoice(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	desk := srv.join(owner, access.FrontDesk, "desk@example.com")
	six := loyalty.Rule{Every: 6, PercentOff: 20}
	if err := owner.SaveLoyaltyRule(ctx, nil, loyalty.Rule{Every: 1, PercentOff: 20}); err == nil {
		t.Error("a reward every groom was saved")
	}
	if err := owner.SaveLoyaltyRule(ctx, nil, six); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the rule on the front desk's tablet", func() bool { return desk.LoyaltyRule() == six })
	if err := desk.SaveLoyaltyRule(ctx, &six, loyalty.Rule{Every: 2, PercentOff: 100}); err == nil {
		t.Error("the front desk changed the loyalty rule")
	}

	ann, bella := household(t, desk, "Ann", record.Pet{Name: "Bella"})
	visit := func(day record.Date, status string) string {
		t.Helper()
		p := groom(ann, bella, at(t, day, 10, 0), at(t, day, 12, 0))
		p.Status = status
		if status != schedule.Done {
			p.StatusReason = "the client called"
		}
		id := record.NewID()
		if _, err := desk.SaveProject(ctx, id, nil, &p); err != nil {
			t.Fatal(err)
		}
		return id
	}
	var done []string
	for i, day := range []record.Date{"2026-01-05", "2026-02-16", "2026-03-30", "2026-05-11", "2026-06-22"} {
		done = append(done, visit(day, schedule.Done))
		if i == 2 {
			visit("2026-04-20", schedule.Cancelled)
			visit("2026-04-27", schedule.NoShow)
		}
	}
	if st := desk.LoyaltyOf(ann); st.Count != 5 || st.Text() != "5 of 6 grooms — the 6th is 20% off" {
		t.Errorf("Ann's standing after 5 grooms = %d %q", st.Count, st.Text())
	}
	inv, err := desk.InvoiceProject(ctx, done[4], "2026-06-22")
	if err != nil {
		t.Fatal(err)
	}
	if v, _, _ := desk.LoadInvoice(inv); v.Record.Discount.Minor != 0 || v.Record.DiscountReason != "" {
		t.Errorf("the 5th groom's invoice has a discount: %+v", v.Record)
	}

	sixth := visit("2026-08-03", schedule.Done)
	inv, err = desk.InvoiceProject(ctx, sixth, "2026-08-03")
	if err != nil {
		t.Fatal(err)
	}
	v, ok, err := desk.LoadInvoice(inv)
	if err != nil || !ok {
		t.Fatalf("LoadInvoice: %v %v", ok, err)
	}
	// 20% of £45.00 is £9.00: £36.00 to pay.
	if v.Record.Discount != gbp(900) || v.Record.DiscountReason != "Loyalty: 6th groom, 20% off" || v.Totals.Total != 3600 {
		t.Errorf("the 6th groom's invoice: %+v, totals %+v", v.Record, v.Totals)
	}
	if st := desk.LoyaltyOf(ann); st.Count != 0 {
		t.Errorf("Ann's count after her discount = %d, want 0", st.Count)
	}
	seventh := visit("2026-09-14", schedule.Done)
	if inv, err := desk.InvoiceProject(ctx, seventh, "2026-09-14"); err != nil {
		t.Fatal(err)
	} else if v, _, _ := desk.LoadInvoice(inv); v.Record.Discount.Minor != 0 {
		t.Errorf("the groom after the discount has one too: %+v", v.Record)
	}
	if st := desk.LoyaltyOf(ann); st.Count != 1 {
		t.Errorf("Ann's count after one more groom = %d, want 1", st.Count)
	}

	// No rule: no discount, no standing.
	if err := owner.SaveLoyaltyRule(ctx, &six, loyalty.Rule{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "no rule on the front desk's tablet", func() bool { return !desk.LoyaltyRule().On() })
	if st := desk.LoyaltyOf(ann); st.Text() != "" {
		t.Errorf("with no rule, Ann's card says %q", st.Text())
	}
}

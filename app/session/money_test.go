//go:build !js

package session

import (
	"context"
	"testing"

	"pawfile/shared/access"
	"pawfile/shared/record"
)

// Issue 17: the owner sets the workspace's currency and number style; a
// currency that is not a code is refused; the front desk's device reads
// both (new invoices in that currency) and may not change them.
func TestMoneySettings(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	desk := srv.join(owner, access.FrontDesk, "desk@example.com")
	if got := owner.Currency(); got != DefaultCurrency {
		t.Fatalf("a new workspace's currency = %q, want %q", got, DefaultCurrency)
	}
	if err := owner.SetMoney(ctx, nil, Money{Currency: "euro"}); err == nil {
		t.Error("a currency named \"euro\" was saved")
	}
	if err := owner.SetMoney(ctx, nil, Money{Currency: "EUR", NumberStyle: "dots"}); err == nil {
		t.Error("an unknown number style was saved")
	}
	want := Money{Currency: "EUR", NumberStyle: "comma"}
	if err := owner.SetMoney(ctx, nil, want); err != nil {
		t.Fatal(err)
	}
	if got := owner.Money(); got != want {
		t.Errorf("owner's money settings = %+v, want %+v", got, want)
	}
	waitFor(t, "the currency on the front desk's tablet", func() bool { return desk.Money() == want })
	ann := record.NewID()
	if err := desk.SaveClient(ctx, ann, nil, &record.Client{Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	if _, cur := desk.NewInvoice(ann, "2026-04-10"); cur != "EUR" {
		t.Errorf("the desk's new invoice is in %q, want EUR", cur)
	}
	shown := desk.Money()
	if err := desk.SetMoney(ctx, &shown, Money{Currency: "USD"}); err == nil {
		t.Error("the front desk changed the currency")
	}
	if got := desk.Money(); got != want {
		t.Errorf("desk's money settings after its refused change = %+v", got)
	}
}

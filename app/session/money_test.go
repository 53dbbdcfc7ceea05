//go:build !js

package session

import (
	"context"
	"errors"
	"testing"

	"pawfile/shared/access"
	"pawfile/shared/record"
	"pawfile/shared/seal"
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

// Money is read at every amount a screen shows, so the session keeps it
// between changes of the book (issue 16). What the owner saves on this
// device, and what arrives from another, must show at once: a save here
// does not tell the screens (no s.changed), so only the session can know
// to read the settings again.
func TestMoneyFollowsTheBook(t *testing.T) {
	ctx := context.Background()
	keys := seal.NewKeyring()
	s, st := setUp(t, "ws1", keys, 1)
	other, _ := setUp(t, "ws1", keys, 2) // the owner's second tablet
	unlocked(t, s)
	unlocked(t, other)

	was := s.Money() // read, and kept, before the change
	euro := Money{Currency: "EUR", NumberStyle: "comma"}
	if err := s.SetMoney(ctx, &was, euro); err != nil {
		t.Fatal(err)
	}
	if got := s.Money(); got != euro {
		t.Errorf("Money() right after the owner saved %+v = %+v", euro, got)
	}
	dollar := Money{Currency: "USD", NumberStyle: "point"}
	if err := s.SetMoney(ctx, &euro, dollar); err != nil {
		t.Fatal(err)
	}
	if got := s.Money(); got != dollar {
		t.Errorf("Money() right after the second save of %+v = %+v", dollar, got)
	}

	// A save the device's storage refuses is taken back: so is Money.
	st.mu.Lock()
	st.failCommit = errors.New("QuotaExceededError")
	st.mu.Unlock()
	if err := s.SetMoney(ctx, &dollar, euro); err == nil {
		t.Fatal("a save into full storage went through")
	}
	if got := s.Money(); got != dollar {
		t.Errorf("Money() after a save that storage refused = %+v, want %+v", got, dollar)
	}
	st.mu.Lock()
	st.failCommit = nil
	st.mu.Unlock()

	// The other tablet, which read the defaults, receives the change.
	if got := other.Money(); got != (Money{}) {
		t.Fatalf("the other tablet's Money() before it received anything = %+v", got)
	}
	vs, _, err := (*local)(s).Outbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := range vs {
		vs[i].Seq = uint64(i + 1)
	}
	if err := (*local)(other).Receive(ctx, vs, 0); err != nil {
		t.Fatal(err)
	}
	if got := other.Money(); got != dollar {
		t.Errorf("the other tablet's Money() right after it received %+v = %+v", dollar, got)
	}
}

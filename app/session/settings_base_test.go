//go:build !js

package session

import (
	"context"
	"testing"

	"pawfile/shared/loyalty"
	"pawfile/shared/remind"
)

// The Business settings screen left open on the owner's first tablet
// while the second changes the settings: each of the first's saves passes
// what the screen showed as its base, so it writes only what was changed
// there and never puts its stale values back over the second's.
func TestStaleSettingsScreenWritesOnlyItsChange(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	first := srv.owner("owner@example.com")
	second := srv.signIn("owner@example.com")
	money, rule, ts := first.Money(), first.LoyaltyRule(), first.ReminderTemplates() // as the first's screen opened

	six := loyalty.Rule{Every: 6, PercentOff: 20}
	if err := second.SaveLoyaltyRule(ctx, &rule, six); err != nil {
		t.Fatal(err)
	}
	if err := second.SetMoney(ctx, &money, Money{Currency: "EUR", NumberStyle: "comma"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second tablet's settings on the first", func() bool {
		return first.LoyaltyRule() == six && first.Money().Currency == "EUR"
	})

	// Saved from the screen as it opened: the style, and one message.
	if err := first.SetMoney(ctx, &money, Money{Currency: money.Currency, NumberStyle: "space"}); err != nil {
		t.Fatal(err)
	}
	mine := ReminderTemplates{remind.Appointment: "See you tomorrow at {time}, {client}!", remind.DueAgain: ts[remind.DueAgain], remind.Vaccination: ts[remind.Vaccination]}
	if err := first.SaveReminderTemplates(ctx, &ts, mine); err != nil {
		t.Fatal(err)
	}
	if err := first.SaveLoyaltyRule(ctx, &rule, rule); err != nil {
		t.Fatal(err)
	}
	want := Money{Currency: "EUR", NumberStyle: "space"}
	for _, s := range []*Session{first, second} {
		upToDate(t, s)
	}
	waitFor(t, "the first tablet's saves on the second", func() bool {
		return second.ReminderTemplates()[remind.Appointment] == mine[remind.Appointment] && second.Money() == want
	})
	for _, s := range []*Session{first, second} {
		if got := s.Money(); got != want {
			t.Errorf("%s money = %+v, want %+v", s.cfg.DeviceName, got, want)
		}
		if got := s.LoyaltyRule(); got != six {
			t.Errorf("%s loyalty rule = %+v, want %+v (the stale screen put its own back)", s.cfg.DeviceName, got, six)
		}
	}
}

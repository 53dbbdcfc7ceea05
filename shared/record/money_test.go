package record

import (
	"math"
	"testing"
)

func TestMoneyDecimal(t *testing.T) {
	for _, c := range []struct {
		m    Money
		want string
	}{
		{Money{Minor: 1250, Currency: "GBP"}, "12.50"},
		{Money{Minor: 5, Currency: "EUR"}, "0.05"},
		{Money{Minor: -5, Currency: "EUR"}, "-0.05"},
		{Money{Minor: 0, Currency: "GBP"}, "0.00"},
		{Money{Minor: 100, Currency: "USD"}, "1.00"},
		{Money{Minor: 1250, Currency: "JPY"}, "1250"},
		{Money{Minor: 1250, Currency: "KWD"}, "1.250"},
		{Money{Minor: 7, Currency: "BHD"}, "0.007"},
		{Money{Minor: 12345, Currency: "ZZZ"}, "123.45"}, // unknown: two places
		{Money{Minor: math.MaxInt64, Currency: "GBP"}, "92233720368547758.07"},
		{Money{Minor: math.MinInt64, Currency: "GBP"}, "-92233720368547758.08"},
	} {
		if got := c.m.Decimal(); got != c.want {
			t.Errorf("%d %s: Decimal() = %q, want %q", c.m.Minor, c.m.Currency, got, c.want)
		}
	}
}

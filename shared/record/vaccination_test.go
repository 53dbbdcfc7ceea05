package record

import "testing"

func TestDueOn(t *testing.T) {
	for _, tc := range []struct {
		expires, today Date
		want           Due
	}{
		{"2026-11-30", "2026-12-01", DueExpired},
		{"2026-12-01", "2026-12-01", DueSoon}, // valid today, due now
		{"2026-12-31", "2026-12-01", DueSoon}, // 30 days ahead
		{"2027-01-01", "2026-12-01", DueCurrent},
		{"2024-02-29", "2024-03-01", DueExpired}, // leap day
		{"", "2026-12-01", DueUnknown},
		{"31/12/2026", "2026-12-01", DueUnknown}, // what a person typed
		{"2026-12-31", "", DueUnknown},
	} {
		if got := DueOn(tc.expires, tc.today); got != tc.want {
			t.Errorf("DueOn(%q, %q) = %v, want %v", tc.expires, tc.today, got, tc.want)
		}
	}
}

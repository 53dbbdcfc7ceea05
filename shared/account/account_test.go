package account

import (
	"encoding/json"
	"strings"
	"testing"

	"pawfile/shared/access"
)

func TestDeviceIDJSON(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    DeviceID
		wantErr string
	}{
		{in: `"00000000000000ff"`, want: 255},
		{in: `"ffffffffffffffff"`, want: 1<<64 - 1},
		{in: `"ff"`, want: 255},
		{in: `""`, wantErr: "16 hex digits"},
		{in: `"0000000000000000f"`, wantErr: "16 hex digits"},
		{in: `"xyz"`, wantErr: "16 hex digits"},
		{in: `255`, wantErr: "must be a string"},
	} {
		var got DeviceID
		err := json.Unmarshal([]byte(tc.in), &got)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Unmarshal(%s) = %v, %v; want error containing %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		out, _ := json.Marshal(got)
		var back DeviceID
		if err := json.Unmarshal(out, &back); err != nil || back != got || len(out) != 18 {
			t.Errorf("round trip of %v: %s → %v, %v", got, out, back, err)
		}
	}
}

func TestRoleJSON(t *testing.T) {
	for _, r := range []access.Role{access.Owner, access.FrontDesk, access.Groomer, access.Viewer} {
		out, err := json.Marshal(Role(r))
		if err != nil {
			t.Fatal(err)
		}
		var back Role
		if err := json.Unmarshal(out, &back); err != nil || access.Role(back) != r {
			t.Errorf("round trip of %v: %s → %v, %v", r, out, back, err)
		}
	}
	var r Role
	for _, bad := range []string{`"admin"`, `3`, `null`} {
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
}

func TestParamsRoundTrip(t *testing.T) {
	p := Params{Memory: 47104, Passes: 1, Lanes: 1}
	if got := ParamsOf(p.Seal()); got != p {
		t.Errorf("ParamsOf(Seal()) = %+v, want %+v", got, p)
	}
}

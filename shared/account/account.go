// Package account holds the bodies of the server's account API (sign-up,
// login, invites, members, keys) as JSON, defined once for the server and
// the app.
package account

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"pawfile/shared/access"
	"pawfile/shared/seal"
)

// DeviceID is a device id in JSON: 16 lower-case hex digits in a string.
type DeviceID uint64

// MarshalJSON writes the id as a hex string.
func (id DeviceID) MarshalJSON() ([]byte, error) {
	return []byte(`"` + id.String() + `"`), nil
}

// UnmarshalJSON reads 1 to 16 hex digits in a string.
func (id *DeviceID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("a device id must be a string of 16 hex digits")
	}
	v, err := ParseDeviceID(s)
	if err != nil {
		return err
	}
	*id = v
	return nil
}

func (id DeviceID) String() string { return fmt.Sprintf("%016x", uint64(id)) }

// ParseDeviceID reads a device id as String writes it.
func ParseDeviceID(s string) (DeviceID, error) {
	if len(s) == 0 || len(s) > 16 {
		return 0, fmt.Errorf("device id %q must be 16 hex digits", s)
	}
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("device id %q must be 16 hex digits", s)
	}
	return DeviceID(v), nil
}

// Role is a role in JSON, by name.
type Role access.Role

// MarshalJSON writes the role's name.
func (r Role) MarshalJSON() ([]byte, error) { return json.Marshal(access.Role(r).String()) }

// UnmarshalJSON reads a role's name.
func (r *Role) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("a role must be a string: owner, front_desk, groomer or viewer")
	}
	v, err := access.Parse(s)
	if err != nil {
		return err
	}
	*r = Role(v)
	return nil
}

// Params is seal.Params in JSON.
type Params struct {
	Memory uint32 `json:"memory"` // KiB
	Passes uint32 `json:"passes"`
	Lanes  uint8  `json:"lanes"`
}

// Seal returns the parameters for package seal.
func (p Params) Seal() seal.Params {
	return seal.Params{Memory: p.Memory, Passes: p.Passes, Lanes: p.Lanes}
}

// ParamsOf returns p in JSON form.
func ParamsOf(p seal.Params) Params {
	return Params{Memory: p.Memory, Passes: p.Passes, Lanes: p.Lanes}
}

// Request and reply bodies. Field names are the API: never rename.

// CreateWorkspaceRequest is the body of POST /api/workspaces.
type CreateWorkspaceRequest struct {
	Login      string   `json:"login"`
	Salt       []byte   `json:"salt"`
	Params     Params   `json:"params"`
	Auth       []byte   `json:"auth"`
	Keys       []byte   `json:"keys"`
	PublicKey  []byte   `json:"public_key"`
	DeviceID   DeviceID `json:"device_id"`
	DeviceName string   `json:"device_name"`
	// SignupCode is the sign-up code, from the setup link or typed, of a
	// server that asks for one.
	SignupCode string `json:"signup_code,omitempty"`
}

// GrantReply answers POST /api/workspaces, /api/join and /api/login.
// Keys and KeysForMember are sent by /api/login only.
type GrantReply struct {
	Workspace     string   `json:"workspace"`
	Member        string   `json:"member"`
	Role          Role     `json:"role"`
	Device        DeviceID `json:"device"`
	DeviceToken   string   `json:"device_token"`
	Keys          []byte   `json:"keys,omitempty"`
	KeysForMember []byte   `json:"keys_for_member,omitempty"`
}

// LoginParamsReply answers GET /api/login?login=...
type LoginParamsReply struct {
	Salt   []byte `json:"salt"`
	Params Params `json:"params"`
}

// LoginRequest is the body of POST /api/login.
type LoginRequest struct {
	Login      string   `json:"login"`
	Auth       []byte   `json:"auth"`
	DeviceID   DeviceID `json:"device_id"`
	DeviceName string   `json:"device_name"`
}

// InviteRequest is the body of POST /api/invites.
type InviteRequest struct {
	Role Role `json:"role"`
}

// InviteReply answers POST /api/invites.
type InviteReply struct {
	Code    string    `json:"code"`
	Role    Role      `json:"role"`
	Expires time.Time `json:"expires"`
}

// KeyGenerationsRequest is the body of POST /api/keys/generations: the
// key generations an owner's device holds or is about to seal with, by
// class number and generation id. Never keys.
type KeyGenerationsRequest struct {
	Generations []KeyGeneration `json:"generations"`
}

// KeyGeneration names one generation of a class's key.
type KeyGeneration struct {
	Class uint8  `json:"class"`
	ID    uint32 `json:"id"`
}

// PendingInviteReply is one invite of GET /api/invites: not used yet and
// not expired. ID names it in DELETE /api/invites/{id}; CreatedBy is the
// member who made it.
type PendingInviteReply struct {
	ID        string    `json:"id"`
	Role      Role      `json:"role"`
	CreatedBy string    `json:"created_by"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
}

// JoinRequest is the body of POST /api/join.
type JoinRequest struct {
	Code       string   `json:"code"`
	Login      string   `json:"login"`
	Salt       []byte   `json:"salt"`
	Params     Params   `json:"params"`
	Auth       []byte   `json:"auth"`
	PublicKey  []byte   `json:"public_key"`
	Keys       []byte   `json:"keys,omitempty"`
	DeviceID   DeviceID `json:"device_id"`
	DeviceName string   `json:"device_name"`
}

// DeviceReply is a device in GET /api/members and GET /api/me.
type DeviceReply struct {
	ID       DeviceID  `json:"id"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	Revoked  bool      `json:"revoked"`
}

// MemberReply is a member in GET /api/members and PATCH /api/members/{id}.
// HasKeys tells whether an owner's device has uploaded keys_for_member for
// the member's current role; the owner's app computes a fingerprint from
// PublicKey itself (one computed by the server would prove nothing).
type MemberReply struct {
	Member    string        `json:"member"`
	Login     string        `json:"login"`
	Role      Role          `json:"role"`
	PublicKey []byte        `json:"public_key"`
	Status    string        `json:"status"`
	HasKeys   bool          `json:"has_keys"`
	Created   time.Time     `json:"created"`
	Devices   []DeviceReply `json:"devices"`
}

// MeReply answers GET /api/me.
type MeReply struct {
	Workspace     string        `json:"workspace"`
	Member        string        `json:"member"`
	Login         string        `json:"login"`
	Role          Role          `json:"role"`
	Device        DeviceID      `json:"device"`
	Keys          []byte        `json:"keys"`
	KeysForMember []byte        `json:"keys_for_member"`
	Devices       []DeviceReply `json:"devices"`
}

// KeysForMemberRequest is the body of PUT /api/members/{id}/keys.
type KeysForMemberRequest struct {
	KeysForMember []byte `json:"keys_for_member"`
}

// KeysRequest is the body of PUT /api/me/keys.
type KeysRequest struct {
	Keys []byte `json:"keys"`
}

// RoleRequest is the body of PATCH /api/members/{id}.
type RoleRequest struct {
	Role Role `json:"role"`
}

// TeamLogReply answers GET /api/team: the signed team log, oldest entry
// first (package teamlog).
type TeamLogReply struct {
	Entries [][]byte `json:"entries"`
}

// TeamLogRequest is the body of POST /api/team: entries to append to a log
// of From entries.
type TeamLogRequest struct {
	From    uint64   `json:"from"`
	Entries [][]byte `json:"entries"`
}

// TeamLogMoved is the code of the refusal of an append to a log that grew
// meanwhile.
const TeamLogMoved = "team_log_moved"

// ErrorReply is the body of every error answer: a message a person can act
// on, and a stable code a program can.
type ErrorReply struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

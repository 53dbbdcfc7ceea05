package directory

import (
	"errors"
	"fmt"
	"time"
)

// Errors the directory returns. Their messages are shown to people, so
// each says what to do next. Callers tell them apart with errors.Is.
var (
	// ErrUnauthorized: the device token is unknown (never issued, replaced
	// by a newer login of the same device, or malformed).
	ErrUnauthorized = errors.New("this device is not signed in: sign in again")
	// ErrRemoved: the token's member was removed from the workspace. It
	// wraps ErrUnauthorized.
	ErrRemoved = fmt.Errorf("%w (your account was removed from the workspace: ask the owner for a new invite)", ErrUnauthorized)
	// ErrRevoked: the device was revoked by the owner or its member. Its
	// token never works again, and its id cannot be registered again.
	ErrRevoked = errors.New("this device was revoked: ask the owner to check the team's devices, then sign in again as a new device")
	// ErrBadLogin: unknown login or wrong secret (deliberately the same).
	ErrBadLogin = errors.New("the login or passphrase is wrong: check both and try again")
	// ErrThrottled is matched by *ThrottledError.
	ErrThrottled = errors.New("too many failed sign-ins")
	// ErrForbidden: the session's role may not do this.
	ErrForbidden = errors.New("only the workspace owner may do this: ask the owner")
	// ErrNotFound: no such member or device in the session's workspace.
	ErrNotFound = errors.New("no such member or device in this workspace: reload the team list")
	// ErrSamePassphrase: another active member has the same login and
	// passphrase, so one sign-in would open two accounts.
	ErrSamePassphrase = errors.New("choose a different passphrase: this login and passphrase together already sign in to another account")
	// ErrSignupNeeded: the server asks for a sign-up code to create a
	// workspace, and none was given.
	ErrSignupNeeded = errors.New("this server asks for a sign-up code to create a workspace: open the setup link or enter the code whoever runs the server gave you (they make one with: pawfile signup-code). To join an existing workspace, ask its owner for an invite instead")
	// ErrSignupUnknown: no sign-up code is this one.
	ErrSignupUnknown = errors.New("this sign-up code is not valid: check it, or ask whoever runs the server for a new one (pawfile signup-code)")
	// ErrSignupUsed: the sign-up code already created a workspace.
	ErrSignupUsed = errors.New("this sign-up code was already used: sign in to the workspace it created, or ask whoever runs the server for a new one")
	// ErrSignupExpired: the sign-up code is older than SignupTTL.
	ErrSignupExpired = errors.New("this sign-up code has expired: ask whoever runs the server for a new one (pawfile signup-code)")
	// ErrDeviceTaken: the device id belongs to another member.
	ErrDeviceTaken = errors.New("this device id belongs to another account: the app should pick a new device id and retry")
	// ErrTooManyDevices: the member has MaxDevices active devices.
	ErrTooManyDevices = fmt.Errorf("this account has %d active devices, the most allowed: revoke one you no longer use", MaxDevices)
	// ErrInviteUnknown: no invite has this code.
	ErrInviteUnknown = errors.New("this invite code is not valid: check it, or ask the owner for a new one")
	// ErrInviteExpired: the invite is older than InviteTTL.
	ErrInviteExpired = errors.New("this invite has expired: ask the owner for a new one")
	// ErrInviteUsed: the invite was already used.
	ErrInviteUsed = errors.New("this invite was already used: ask the owner for a new one")
	// ErrLastOwner: the change would leave the workspace without an owner.
	ErrLastOwner = errors.New("the workspace needs at least one owner: make another member owner first")
	// ErrInvalid is matched by every *InputError.
	ErrInvalid = errors.New("invalid input")
	// ErrWeakParams: the KDF parameters fail seal.Params.Check. It is also
	// an *InputError (errors.Is(err, ErrInvalid) holds).
	ErrWeakParams = errors.New("the key-derivation parameters are too weak or malformed")
)

// InputError is a field a device sent that the directory refuses.
type InputError struct {
	Field   string // the JSON field name
	Problem string // what is wrong and what to do
	Err     error  // optional cause (ErrWeakParams)
}

func (e *InputError) Error() string { return e.Field + ": " + e.Problem }

// Is makes every InputError match ErrInvalid.
func (e *InputError) Is(target error) bool { return target == ErrInvalid }

func (e *InputError) Unwrap() error { return e.Err }

// ThrottledError refuses a login after too many failures.
type ThrottledError struct {
	Until time.Time     // when the login may be tried again
	Wait  time.Duration // from the refusal to Until
	// signup: refused a new workspace, not a sign-in.
	signup bool
}

func (e *ThrottledError) Error() string {
	wait := fmt.Sprintf("%d seconds", int((e.Wait+time.Second-1)/time.Second))
	if e.Wait > time.Minute {
		wait = fmt.Sprintf("%d minutes", int((e.Wait+time.Minute-1)/time.Minute))
	}
	if e.signup {
		return "too many new workspaces from here: wait " + wait + " and try again"
	}
	return "too many failed sign-ins from here: wait " + wait + " and try again, or ask the owner to check your login"
}

// Is makes a ThrottledError match ErrThrottled.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

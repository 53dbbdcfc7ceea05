package directory

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"pawfile/server/peer"
)

// Who may create a workspace is the operator's choice (Signup). A server
// that asks for codes refuses a new workspace without a single-use
// sign-up code from NewSignupCode (the pawfile signup-code command, or the
// setup link the server prints while it has no workspace). An open server
// (a hosted service) takes anyone, at most Signup.PerHour new workspaces
// an hour from one address. Either way the code or the limit is checked
// before anything else about the new workspace, so a stranger without a
// code learns nothing from the answer.

// Signup is the server's sign-up policy. The zero value is open with no
// limit, which tests use; the server binary asks for codes unless told
// otherwise (pawfile -signup).
type Signup struct {
	// RequireCode refuses a new workspace without a sign-up code.
	RequireCode bool
	// PerHour bounds the workspaces one address may try to create an
	// hour on an open server; 0 is no limit.
	PerHour int
}

// SignupTTL is how long a sign-up code stays valid.
const SignupTTL = 7 * 24 * time.Hour

// WithSignup sets the sign-up policy.
func WithSignup(s Signup) Option {
	return func(d *Directory) { d.signup = s }
}

type signupRec struct {
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Workspace string    `json:"ws,omitempty"` // the workspace it created
	UsedAt    time.Time `json:"used_at,omitzero"`
}

func signupHash(code string) []byte {
	h := sha256.Sum256([]byte("pawfile signup\x00" + normalizeCode(code)))
	return h[:]
}

// SignupRequired reports whether creating a workspace needs a sign-up code.
func (d *Directory) SignupRequired() bool { return d.signup.RequireCode }

// NewSignupCode makes a single-use code that lets one new workspace be
// created within SignupTTL. The server keeps only its hash.
func (d *Directory) NewSignupCode(ctx context.Context) (string, time.Time, error) {
	code := randomCode()
	now := d.now().UTC()
	rec := signupRec{Created: now, Expires: now.Add(SignupTTL)}
	err := d.update(ctx, func(b *buckets) error {
		if err := putJSON(b.signups, signupHash(code), rec); err != nil {
			return err
		}
		return b.record(d.event(ctx, SignupCodeMade, Session{}, ""))
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("make a sign-up code: %w", err)
	}
	return code, rec.Expires, nil
}

// HasWorkspaces reports whether any workspace exists: the server prints a
// setup link while none does.
func (d *Directory) HasWorkspaces(ctx context.Context) (bool, error) {
	var any bool
	err := d.view(ctx, func(b *buckets) error {
		k, _ := b.workspaces.Cursor().First()
		any = k != nil
		return nil
	})
	return any, err
}

// signupCode returns the unused, unexpired sign-up code under key.
func (b *buckets) signupCode(key []byte, now time.Time) (*signupRec, error) {
	var rec signupRec
	ok, err := getJSON(b.signups, key, &rec)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, ErrSignupUnknown
	case rec.Workspace != "":
		return nil, ErrSignupUsed
	case !now.Before(rec.Expires):
		return nil, ErrSignupExpired
	}
	return &rec, nil
}

// admit checks that r may create a workspace under the sign-up policy,
// before the costly hash: its code on a server that asks for one, its
// address's count on an open one.
func (d *Directory) admit(ctx context.Context, r Registration) error {
	if !d.signup.RequireCode {
		return d.signups.allow(remoteOf(ctx), d.signup.PerHour, d.now())
	}
	if r.SignupCode == "" {
		return ErrSignupNeeded
	}
	return d.view(ctx, func(b *buckets) error {
		_, err := b.signupCode(signupHash(r.SignupCode), d.now())
		return err
	})
}

// useSignup spends r's code on workspace ws, inside the transaction that
// creates it.
func (d *Directory) useSignup(b *buckets, r Registration, ws string, now time.Time) error {
	if !d.signup.RequireCode {
		return nil
	}
	key := signupHash(r.SignupCode)
	rec, err := b.signupCode(key, now)
	if err != nil {
		return err
	}
	rec.Workspace, rec.UsedAt = ws, now
	return putJSON(b.signups, key, rec)
}

// signupLimiter counts the workspaces each address tries to create on an
// open server.
type signupLimiter struct {
	mu    sync.Mutex
	by    map[string]*rate.Limiter
	clean time.Time
}

// allow takes one of remote's perHour tries at now, or refuses with a
// *ThrottledError saying how long to wait.
func (l *signupLimiter) allow(remote string, perHour int, now time.Time) error {
	if perHour <= 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.by == nil {
		l.by = map[string]*rate.Limiter{}
	}
	// Forget addresses whose tries have all come back, once an hour.
	if now.Sub(l.clean) >= time.Hour {
		for k, lim := range l.by {
			if lim.TokensAt(now) >= float64(perHour) {
				delete(l.by, k)
			}
		}
		l.clean = now
	}
	if len(l.by) >= maxTracked {
		clear(l.by) // bounded memory whatever an attacker sends
	}
	key := peer.Key(remote)
	lim, ok := l.by[key]
	if !ok {
		lim = rate.NewLimiter(rate.Every(time.Hour/time.Duration(perHour)), perHour)
		l.by[key] = lim
	}
	res := lim.ReserveN(now, 1)
	if wait := res.DelayFrom(now); wait > 0 {
		res.CancelAt(now)
		return &ThrottledError{Until: now.Add(wait), Wait: wait, signup: true}
	}
	return nil
}

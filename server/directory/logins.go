package directory

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"

	"pawfile/shared/seal"
)

// Logins may repeat across workspaces, so that creating a workspace or
// joining one never answers "this login is taken", which would tell a
// stranger which logins exist. What keeps sign-in unambiguous:
//
//   - every member with a login derives their secrets with the same KDF
//     salt and parameters, the ones GET /api/login gives for it (an
//     existing member's, or for a login no one has yet the stable fake
//     salt and default parameters it already showed): registration refuses
//     any other, alike whether the login is taken or free;
//   - members registered since then have their auth secret hashed with a
//     salt derived from the login, so one Argon2id run checks a passphrase
//     against all of them; a member from before (a random salt, at most
//     one per login) takes a second run, which is made whoever holds the
//     login, so the time taken tells nothing either;
//   - the same login with the same passphrase twice is refused
//     (ErrSamePassphrase): that tells only someone who could sign in with
//     it anyway.
//
// The first active member with a login is indexed in logins, the others in
// loginmore.

// authSaltOf is the auth salt of members registered with login.
func (d *Directory) authSaltOf(login string) []byte {
	m := hmac.New(sha256.New, d.secret)
	m.Write([]byte("pawfile auth salt\x00"))
	m.Write([]byte(login))
	return m.Sum(nil)[:authSaltLen]
}

// withLogin returns the active members with login.
func (b *buckets) withLogin(login string) ([]*memberRec, error) {
	var out []*memberRec
	first, err := b.byLogin(login)
	if err != nil {
		return nil, err
	}
	if first != nil {
		out = append(out, first)
	}
	prefix := []byte(login + "\x00")
	c := b.loginMore.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		m, err := b.member(string(k[len(prefix):]))
		if err != nil {
			return nil, err
		}
		if m.Status == Active {
			out = append(out, m)
		}
	}
	return out, nil
}

// kdfOf returns the KDF salt and parameters of login: those of its
// members, or for a login no one has the fake ones LoginParams shows.
func (d *Directory) kdfOf(ms []*memberRec, login string) ([]byte, seal.Params) {
	if len(ms) > 0 {
		return ms[0].Salt, ms[0].Params.params()
	}
	return d.fakeSalt(login), seal.DefaultParams
}

// passHashes are an auth secret hashed for the members of one login.
type passHashes struct {
	salt, hash []byte // with authSaltOf(login)
	older      string // the member with a salt of its own, or ""
	olderHash  []byte // with that member's salt
}

// hashFor hashes auth for the members ms of login: always two Argon2id
// runs (see above).
func (d *Directory) hashFor(ctx context.Context, login string, auth []byte, ms []*memberRec) (passHashes, error) {
	h := passHashes{salt: d.authSaltOf(login)}
	olderSalt := dummySalt
	for _, m := range ms {
		if !bytes.Equal(m.AuthSalt, h.salt) {
			h.older, olderSalt = m.ID, m.AuthSalt
			break
		}
	}
	var err error
	if h.hash, err = d.hashAuth(ctx, auth, h.salt); err != nil {
		return h, err
	}
	h.olderHash, err = d.hashAuth(ctx, auth, olderSalt)
	return h, err
}

// match returns the member of ms whose auth secret h is, or nil.
func (h passHashes) match(ms []*memberRec) *memberRec {
	for _, m := range ms {
		want := h.hash
		if !bytes.Equal(m.AuthSalt, h.salt) {
			if m.ID != h.older {
				continue
			}
			want = h.olderHash
		}
		if equalHash(m.AuthHash, want) {
			return m
		}
	}
	return nil
}

// checkKDF refuses a registration whose salt or parameters are not its
// login's.
func (d *Directory) checkKDF(ms []*memberRec, r Registration) error {
	salt, p := d.kdfOf(ms, r.Login)
	if !bytes.Equal(r.Salt, salt) || r.Params != p {
		return &InputError{Field: "salt", Problem: "must be the salt and parameters GET /api/login gives for this login: update the app"}
	}
	return nil
}

// prepare checks registration r against its login's members and hashes
// its auth secret, before the write transaction.
func (d *Directory) prepare(ctx context.Context, r Registration) (passHashes, error) {
	var ms []*memberRec
	err := d.view(ctx, func(b *buckets) error {
		var err error
		ms, err = b.withLogin(r.Login)
		return err
	})
	if err != nil {
		return passHashes{}, err
	}
	if err := d.checkKDF(ms, r); err != nil {
		return passHashes{}, err
	}
	return d.hashFor(ctx, r.Login, r.Auth, ms)
}

// admitLogin checks, inside the write transaction, that r may still take
// its login: same KDF, and no member with the same passphrase.
func (d *Directory) admitLogin(b *buckets, r Registration, h passHashes) error {
	ms, err := b.withLogin(r.Login)
	if err != nil {
		return err
	}
	if err := d.checkKDF(ms, r); err != nil {
		return err
	}
	if h.match(ms) != nil {
		return ErrSamePassphrase
	}
	return nil
}

// indexLogin adds active member m to the login indexes.
func (b *buckets) indexLogin(m *memberRec) error {
	if b.logins.Get([]byte(m.Login)) == nil {
		return b.logins.Put([]byte(m.Login), []byte(m.ID))
	}
	return b.loginMore.Put([]byte(m.Login+"\x00"+m.ID), nil)
}

// unindexLogin takes member m out of the login indexes.
func (b *buckets) unindexLogin(m *memberRec) error {
	if id := b.logins.Get([]byte(m.Login)); id != nil && string(id) == m.ID {
		return b.logins.Delete([]byte(m.Login))
	}
	return b.loginMore.Delete([]byte(m.Login + "\x00" + m.ID))
}

// loginHeld reports whether an active member has login (a restore refuses
// it: the restored member's salt would not be the login's).
func (b *buckets) loginHeld(login string) (bool, error) {
	ms, err := b.withLogin(login)
	return len(ms) > 0, err
}

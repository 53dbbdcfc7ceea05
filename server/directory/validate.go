package directory

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"pawfile/shared/seal"
)

// Sizes of what devices register.
const (
	// SaltLen is the length of the KDF salt a device registers. It is fixed
	// so the fake salt of an unknown login cannot be told from a real one.
	SaltLen = seal.SaltSize
	// PublicKeyLen is the length of an X25519 public key.
	PublicKeyLen = 32
	// MinAuth and MaxAuth bound the auth secret a device sends.
	MinAuth, MaxAuth = 16, 64
	// MinLogin and MaxLogin bound a login in bytes, after normalizing.
	MinLogin, MaxLogin = 3, 254
	// MaxDeviceName bounds a device's name in characters.
	MaxDeviceName = 64
)

// NormalizeLogin returns login as the server stores and compares it:
// trimmed and lower-cased.
func NormalizeLogin(login string) string {
	return strings.ToLower(strings.TrimSpace(login))
}

func checkLogin(login string) (string, error) {
	l := NormalizeLogin(login)
	if len(l) < MinLogin || len(l) > MaxLogin {
		return "", &InputError{Field: "login", Problem: "must be 3 to 254 characters long: choose another login"}
	}
	if !utf8.ValidString(l) || strings.ContainsFunc(l, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "", &InputError{Field: "login", Problem: "must not contain spaces or control characters: choose another login, such as your e-mail address"}
	}
	return l, nil
}

func checkAuth(auth []byte) error {
	if len(auth) < MinAuth || len(auth) > MaxAuth {
		return &InputError{Field: "auth", Problem: "must be a derived secret of 16 to 64 bytes: update the app"}
	}
	return nil
}

func checkParams(p seal.Params) error {
	if err := p.Check(); err != nil {
		return &InputError{Field: "params", Problem: err.Error() + ": update the app", Err: ErrWeakParams}
	}
	return nil
}

func checkBlob(field string, b []byte, required bool) error {
	if len(b) > MaxBlob {
		return &InputError{Field: field, Problem: "is larger than 64 KiB: update the app"}
	}
	if required && len(b) == 0 {
		return &InputError{Field: field, Problem: "is missing: update the app"}
	}
	return nil
}

func checkDevice(dev DeviceInfo) (DeviceInfo, error) {
	if dev.ID == 0 {
		return dev, &InputError{Field: "device_id", Problem: "must be a random non-zero id: update the app"}
	}
	name := strings.TrimSpace(dev.Name)
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return dev, &InputError{Field: "device_name", Problem: "must not contain control characters: rename the device"}
	}
	if utf8.RuneCountInString(name) > MaxDeviceName {
		return dev, &InputError{Field: "device_name", Problem: "must be at most 64 characters: choose a shorter name"}
	}
	if name == "" {
		name = "Unnamed device"
	}
	dev.Name = name
	return dev, nil
}

// checkRegistration validates r and returns its normalized login and device.
func checkRegistration(r *Registration, keysRequired bool) error {
	l, err := checkLogin(r.Login)
	if err != nil {
		return err
	}
	r.Login = l
	if len(r.Salt) != SaltLen {
		return &InputError{Field: "salt", Problem: fmt.Sprintf("must be %d random bytes: update the app", SaltLen)}
	}
	if err := checkParams(r.Params); err != nil {
		return err
	}
	if err := checkAuth(r.Auth); err != nil {
		return err
	}
	if len(r.PublicKey) != PublicKeyLen {
		return &InputError{Field: "public_key", Problem: "must be a 32-byte X25519 public key: update the app"}
	}
	if err := checkBlob("keys", r.Keys, keysRequired); err != nil {
		return err
	}
	r.Device, err = checkDevice(r.Device)
	return err
}

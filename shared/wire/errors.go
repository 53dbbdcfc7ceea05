package wire

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"pawfile/shared/clock"
)

// Code says why a request or a single pushed version was refused. It
// travels in Error and Result.
type Code uint16

// Codes. Their numbers travel on the wire and are stored by apps: never
// renumber or reuse one, only add. An app that meets a code it does not
// know treats it as CodeInternal.
const (
	CodeOK               Code = 0  // accepted (Result only)
	CodeBadMessage       Code = 1  // a frame or message that does not decode
	CodeUnsupportedProto Code = 2  // the other side speaks another protocol version
	CodeUnauthorized     Code = 3  // no valid Hello: unknown device, bad token
	CodeForbidden        Code = 4  // a class outside the role, or another workspace
	CodeSkew             Code = 5  // a timestamp too far ahead of the server's time
	CodeErased           Code = 6  // the record key was erased: the version is discarded
	CodeTooLarge         Code = 7  // a frame, batch, chunk or blob over its limit
	CodeRateLimited      Code = 8  // slow down; Error.RetryMs says for how long
	CodeNotFound         Code = 9  // no such blob
	CodeInternal         Code = 10 // the server failed; retrying later is safe
	CodeRevoked          Code = 11 // the device's access was revoked
	CodeInvalid          Code = 12 // well-formed, but a value out of bounds or inconsistent
	CodeFull             Code = 13 // the workspace's storage is at its quota: keep it and retry later
)

var codeNames = [...]string{
	CodeOK:               "ok",
	CodeBadMessage:       "bad-message",
	CodeUnsupportedProto: "unsupported-proto",
	CodeUnauthorized:     "unauthorized",
	CodeForbidden:        "forbidden",
	CodeSkew:             "skew",
	CodeErased:           "erased",
	CodeTooLarge:         "too-large",
	CodeRateLimited:      "rate-limited",
	CodeNotFound:         "not-found",
	CodeInternal:         "internal",
	CodeRevoked:          "revoked",
	CodeInvalid:          "invalid",
	CodeFull:             "storage-full",
}

// codeTexts are the default messages for a person, written for the
// groomer holding the tablet rather than for an engineer.
var codeTexts = [...]string{
	CodeOK:               "Saved.",
	CodeBadMessage:       "The server could not read what this device sent. Update the app; if it keeps happening, report it.",
	CodeUnsupportedProto: "This version of the app does not match the server. Update the app.",
	CodeUnauthorized:     "This device is not signed in to the workspace. Sign in again.",
	CodeForbidden:        "Your role does not allow this. Ask the workspace owner.",
	CodeSkew:             "This device's clock is too far ahead. Check its date and time settings.",
	CodeErased:           "This record was erased, so the change was discarded.",
	CodeTooLarge:         "This is larger than the server accepts.",
	CodeRateLimited:      "Too many requests at once. Syncing will resume shortly.",
	CodeNotFound:         "The server does not have this file.",
	CodeInternal:         "The server had a problem. Syncing will retry by itself.",
	CodeRevoked:          "This device's access was revoked by the workspace owner.",
	CodeInvalid:          "The server refused what this device sent. Update the app; if it keeps happening, report it.",
	CodeFull:             "The workspace's storage on the server is full: ask the owner to make room (erase records and photos no longer needed) or to have the server's quota raised. Changes and photos wait on this device and are sent once there is room.",
}

func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("code(%d)", uint16(c))
}

// Text returns the default message for a person about c.
func (c Code) Text() string {
	if int(c) < len(codeTexts) {
		return codeTexts[c]
	}
	return codeTexts[CodeInternal]
}

// ProtocolError is a frame or message that breaks the protocol: what Decode
// returns for bytes it refuses, and Encode for a message it will not send.
type ProtocolError struct {
	Code Code
	Err  error // what is wrong, for a person
}

func (e *ProtocolError) Error() string { return e.Err.Error() }
func (e *ProtocolError) Unwrap() error { return e.Err }

func protocolError(code Code, format string, args ...any) *ProtocolError {
	return &ProtocolError{Code: code, Err: fmt.Errorf(format, args...)}
}

// wrap adds context to a *ProtocolError, keeping its code.
func wrap(err error, format string, args ...any) error {
	code := CodeOf(err)
	return &ProtocolError{Code: code, Err: fmt.Errorf(format+": %w", append(args, err)...)}
}

// CodeOf returns the Code for err: CodeOK for nil, the code of a
// *ProtocolError or an *Error, CodeSkew for a clock skew (clock.ErrSkew),
// and CodeInternal for anything else.
func CodeOf(err error) Code {
	if err == nil {
		return CodeOK
	}
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return pe.Code
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, clock.ErrSkew) {
		return CodeSkew
	}
	return CodeInternal
}

// ErrorFor returns the Error to send for err in answer to request id. Its
// message is err's text, except for CodeInternal, whose details stay in the
// server's log and which gets Code.Text().
func ErrorFor(id uint32, err error) *Error {
	code := CodeOf(err)
	if code == CodeOK {
		code = CodeInternal
	}
	msg := code.Text()
	if code != CodeInternal {
		msg = truncate(err.Error(), MaxText)
	}
	e := &Error{ID: id, Code: code, Message: msg}
	var peer *Error
	if errors.As(err, &peer) {
		e.RetryMs = peer.RetryMs
	}
	return e
}

// truncate cuts s to at most max bytes without splitting a character, and
// replaces invalid UTF-8, so the result always passes validation.
func truncate(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

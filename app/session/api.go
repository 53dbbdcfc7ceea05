package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"pawfile/shared/account"
)

// APIError is a refusal from the server's account API, with its message
// for a person and its stable code.
type APIError struct {
	Status int
	Code   string
	Msg    string
}

func (e *APIError) Error() string { return e.Msg }

// ErrOffline is returned when the server cannot be reached.
var ErrOffline = errors.New("cannot reach the Pawfile server: check the signal or Wi-Fi and try again")

// api calls the server's account API.
type api struct {
	base string // e.g. http://localhost:8080
}

func (a *api) call(ctx context.Context, method, path, token string, in, out any) error {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		body = b
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	header := map[string]string{}
	if in != nil {
		header["Content-Type"] = "application/json"
	}
	if token != "" {
		header["Authorization"] = "Bearer " + token
	}
	status, data, err := fetch(ctx, method, a.base+path, header, body, 4<<20)
	if err != nil {
		return ErrOffline
	}
	if status >= 300 {
		var e account.ErrorReply
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			return &APIError{Status: status, Msg: fmt.Sprintf("the server answered %d: try again in a minute", status)}
		}
		return &APIError{Status: status, Code: e.Code, Msg: e.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return nil
}

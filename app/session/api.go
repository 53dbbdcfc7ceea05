package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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
	base   string // e.g. http://localhost:8080
	client *http.Client
}

func (a *api) call(ctx context.Context, method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return ErrOffline
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return ErrOffline
	}
	if resp.StatusCode >= 300 {
		var e account.ErrorReply
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			return &APIError{Status: resp.StatusCode, Msg: fmt.Sprintf("the server answered %s: try again in a minute", resp.Status)}
		}
		return &APIError{Status: resp.StatusCode, Code: e.Code, Msg: e.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return nil
}

//go:build !(js && wasm)

package session

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// fetch makes one request to the server with net/http: natively, for the
// tests that run the session outside a browser.
func fetch(ctx context.Context, method, url string, header map[string]string, body []byte, limit int) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return 0, nil, err
	}
	if len(data) > limit {
		return 0, nil, fmt.Errorf("%s %s: the answer is over %d bytes", method, url, limit)
	}
	return resp.StatusCode, data, nil
}

//go:build js && wasm

package session

import (
	"context"

	"pawfile/app/browser"
)

// fetch makes one request to the server with the browser's fetch.
func fetch(ctx context.Context, method, url string, header map[string]string, body []byte, limit int) (int, []byte, error) {
	return browser.Fetch(ctx, method, url, header, body, limit)
}

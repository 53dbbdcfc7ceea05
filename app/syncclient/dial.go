//go:build !js

package syncclient

import (
	"context"
	"net/http"

	"github.com/coder/websocket"
)

// dial opens the socket. Outside a browser the Origin header is ours to
// set, and the server checks it.
func dial(ctx context.Context, url, origin string) (*websocket.Conn, error) {
	var opts websocket.DialOptions
	if origin != "" {
		opts.HTTPHeader = http.Header{"Origin": {origin}}
	}
	ws, _, err := websocket.Dial(ctx, url, &opts)
	return ws, err
}

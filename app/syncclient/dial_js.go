//go:build js

package syncclient

import (
	"context"

	"github.com/coder/websocket"
)

// dial opens the socket. A browser sends the page's Origin itself.
func dial(ctx context.Context, url, _ string) (*websocket.Conn, error) {
	ws, _, err := websocket.Dial(ctx, url, nil)
	return ws, err
}

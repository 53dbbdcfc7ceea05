//go:build js && wasm

package browser

import (
	"context"
	"strings"
	"syscall/js"
	"testing"
)

// The test runner serves the page and wasm_exec.js from 127.0.0.1.
func TestFetch(t *testing.T) {
	ctx := context.Background()
	status, data, err := Fetch(ctx, "GET", "/wasm_exec.js", nil, nil, 1<<20)
	if err != nil || status != 200 || !strings.Contains(string(data), "Go") {
		t.Fatalf("GET wasm_exec.js: %d, %d bytes, %v", status, len(data), err)
	}
	if status, _, err := Fetch(ctx, "GET", "/wasm_exec.js", map[string]string{"Authorization": "Bearer x"}, nil, 1<<20); err != nil || status != 200 {
		t.Errorf("GET with a header: %d, %v", status, err)
	}
	if _, _, err := Fetch(ctx, "GET", "/wasm_exec.js", nil, nil, 10); err == nil {
		t.Error("an answer over the limit was accepted")
	}
	if _, _, err := Fetch(ctx, "GET", "http://127.0.0.1:1/", nil, nil, 100); err == nil {
		t.Error("a refused connection gave no error")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := Fetch(cancelled, "POST", "/wasm_exec.js", nil, []byte("{}"), 1<<20); err == nil {
		t.Error("a cancelled request gave no error")
	}
}

func TestTryAndError(t *testing.T) {
	err := Try(func() { js.Global().Call("eval", `throw new RangeError("too far")`) })
	if err == nil || err.Error() != "RangeError: too far" {
		t.Errorf("Try: %v, want RangeError: too far", err)
	}
	if _, err := Await(context.Background(), js.Global().Get("Promise").Call("reject", "nope")); err == nil || err.Error() != "nope" {
		t.Errorf("Await of a rejected promise: %v", err)
	}
}

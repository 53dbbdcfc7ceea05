//go:build js && wasm

// Package browser calls the browser's JavaScript the way Go code needs
// it: exceptions become errors, promises are awaited with a context, and
// fetch sends a request without Go's net/http client (whose fallback
// transport, TLS and HTTP/2 would add about 4.8 MB to the wasm).
package browser

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
)

// Try runs f, turning a JavaScript exception thrown by a syscall/js call
// (which syscall/js raises as a panic) into an error.
func Try(f func()) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if jerr, ok := r.(js.Error); ok {
			err = Error(jerr.Value)
			return
		}
		err = fmt.Errorf("%v", r)
	}()
	f()
	return nil
}

// Error turns a JavaScript error value (usually a DOMException) into a
// Go error reading "Name: message".
func Error(v js.Value) error {
	if v.Type() != js.TypeObject {
		if v.IsUndefined() || v.IsNull() {
			return errors.New("unknown JavaScript error")
		}
		return errors.New(v.String())
	}
	name, msg := v.Get("name"), v.Get("message")
	switch {
	case name.Type() == js.TypeString && msg.Type() == js.TypeString && msg.String() != "":
		return fmt.Errorf("%s: %s", name.String(), msg.String())
	case name.Type() == js.TypeString:
		return errors.New(name.String())
	default:
		s := "unknown JavaScript error"
		_ = Try(func() { s = v.Call("toString").String() })
		return errors.New(s)
	}
}

// Await waits for a JavaScript promise to settle.
func Await(ctx context.Context, p js.Value) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- settled{v: v}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- settled{err: Error(v)}
		return nil
	})
	if err := Try(func() { p.Call("then", onOK, onErr) }); err != nil {
		onOK.Release()
		onErr.Release()
		return js.Value{}, err
	}
	select {
	case s := <-ch:
		onOK.Release()
		onErr.Release()
		return s.v, s.err
	case <-ctx.Done():
		// The promise may still settle: release the callbacks only then.
		go func() {
			<-ch
			onOK.Release()
			onErr.Release()
		}()
		return js.Value{}, ctx.Err()
	}
}

// Fetch sends a request with the browser's fetch and returns the status
// and at most limit bytes of the answer. An error means no answer came
// (offline, refused, or ctx ended, which aborts the request).
func Fetch(ctx context.Context, method, url string, header map[string]string, body []byte, limit int) (int, []byte, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	abort := js.Global().Get("AbortController").New()
	go func() {
		<-ctx.Done()
		_ = Try(func() { abort.Call("abort") })
	}()
	init := map[string]any{"method": method, "signal": abort.Get("signal")}
	h := map[string]any{}
	for k, v := range header {
		h[k] = v
	}
	init["headers"] = h
	if body != nil {
		b := js.Global().Get("Uint8Array").New(len(body))
		js.CopyBytesToJS(b, body)
		init["body"] = b
	}
	var p js.Value
	if err := Try(func() { p = js.Global().Call("fetch", url, init) }); err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	resp, err := Await(ctx, p)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	buf, err := Await(ctx, resp.Call("arrayBuffer"))
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: read the answer: %w", method, url, err)
	}
	arr := js.Global().Get("Uint8Array").New(buf)
	if arr.Length() > limit {
		return 0, nil, fmt.Errorf("%s %s: the answer is over %d bytes", method, url, limit)
	}
	data := make([]byte, arr.Length())
	js.CopyBytesToGo(data, arr)
	return resp.Get("status").Int(), data, nil
}

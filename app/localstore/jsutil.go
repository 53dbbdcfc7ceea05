//go:build js && wasm

package localstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"syscall/js"

	"pawfile/app/browser"
)

// JavaScript built-ins used for the bulk reads.
var (
	jsUint8Array   = js.Global().Get("Uint8Array")
	jsFloat64Array = js.Global().Get("Float64Array")
	jsObject       = js.Global().Get("Object")
	jsReflect      = js.Global().Get("Reflect")
	jsKeyRange     = js.Global().Get("IDBKeyRange")
	// jsCall is Function.prototype.call. Passed as the map function of
	// Float64Array.from with a getter as its this-argument, it applies the
	// getter to every element without calling back into Go.
	jsCall = js.Global().Get("Function").Get("prototype").Get("call")
	// jsByteLength is the byteLength getter shared by all typed arrays; it
	// throws a TypeError for anything that is not a typed array.
	jsByteLength = jsObject.Call("getOwnPropertyDescriptor",
		jsObject.Call("getPrototypeOf", jsUint8Array.Get("prototype")), "byteLength").Get("get")
)

// getGlobal reads a property of the global object that may throw when
// read (indexedDB does in some sandboxed frames). It goes through
// Reflect.get because js.Value.Get cannot survive a throwing getter: the
// exception escapes past the Go program instead of becoming a panic.
func getGlobal(name string) (v js.Value, err error) {
	err = browser.Try(func() { v = jsReflect.Call("get", js.Global(), name) })
	return v, err
}

// bytesToJS copies b into a new Uint8Array with a buffer of its own (a
// view into a larger buffer would make IndexedDB clone the whole buffer).
func bytesToJS(b []byte) js.Value {
	u := jsUint8Array.New(len(b))
	if len(b) > 0 {
		js.CopyBytesToJS(u, b)
	}
	return u
}

// bytesFromJS copies a stored Uint8Array into Go. ok is false if v is
// undefined (no such key).
func bytesFromJS(v js.Value) (b []byte, ok bool, err error) {
	if v.IsUndefined() {
		return nil, false, nil
	}
	if !v.InstanceOf(jsUint8Array) {
		return nil, false, fmt.Errorf("stored value is a %s, not bytes", v.Type())
	}
	b = make([]byte, v.Get("byteLength").Int())
	js.CopyBytesToGo(b, v)
	return b, true, nil
}

// float64sFromTyped copies a Float64Array into Go.
func float64sFromTyped(f64 js.Value) []float64 {
	n := f64.Get("length").Int()
	if n == 0 {
		return nil
	}
	raw := make([]byte, 8*n)
	js.CopyBytesToGo(raw, jsUint8Array.New(f64.Get("buffer"), f64.Get("byteOffset"), 8*n))
	out := make([]float64, n)
	for i := range out {
		// Typed arrays use the platform's byte order, little-endian
		// wherever browsers run WebAssembly.
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return out
}

// byteLengths returns the byteLength of every typed array in arr, with a
// constant number of calls into JavaScript. It fails if an element is not
// a typed array.
func byteLengths(arr js.Value) ([]int, error) {
	var f64 js.Value
	if err := browser.Try(func() { f64 = jsFloat64Array.Call("from", arr, jsCall, jsByteLength) }); err != nil {
		return nil, fmt.Errorf("stored value is not bytes: %w", err)
	}
	fs := float64sFromTyped(f64)
	out := make([]int, len(fs))
	for i, f := range fs {
		out[i] = int(f)
	}
	return out, nil
}

// valuesFromJS copies an array of Uint8Arrays (a getAll result) into Go,
// into one backing array: two calls per value, plus a constant number.
// Every returned slice has its capacity capped at its length, so appending
// to one never touches its neighbour.
func valuesFromJS(arr js.Value) ([][]byte, error) {
	lens, err := byteLengths(arr)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, n := range lens {
		total += n
	}
	all := make([]byte, total)
	out := make([][]byte, len(lens))
	// CopyBytesToGo panics if a value is another kind of typed array.
	err = browser.Try(func() {
		off := 0
		for i, n := range lens {
			b := all[off : off+n : off+n]
			if n > 0 {
				js.CopyBytesToGo(b, arr.Index(i))
			}
			out[i] = b
			off += n
		}
	})
	if err != nil {
		return nil, fmt.Errorf("stored value is not a Uint8Array: %w", err)
	}
	return out, nil
}

// stringsFromJS converts an array of strings (a getAllKeys result) into
// Go, one call per string: it is used for the few keys of segments.
func stringsFromJS(arr js.Value) ([]string, error) {
	out := make([]string, arr.Length())
	for i := range out {
		k := arr.Index(i)
		if k.Type() != js.TypeString {
			return nil, fmt.Errorf("key %d is a %s, not a string", i, k.Type())
		}
		out[i] = k.String()
	}
	return out, nil
}

// awaitRequest waits for a raw IDBRequest to succeed or fail.
func awaitRequest(ctx context.Context, req js.Value) error {
	ch := make(chan error, 2)
	onSuccess := js.FuncOf(func(js.Value, []js.Value) any {
		ch <- nil
		return nil
	})
	onError := js.FuncOf(func(js.Value, []js.Value) any {
		ch <- browser.Error(req.Get("error"))
		return nil
	})
	req.Call("addEventListener", "success", onSuccess)
	req.Call("addEventListener", "error", onError)
	defer func() {
		req.Call("removeEventListener", "success", onSuccess)
		req.Call("removeEventListener", "error", onError)
		onSuccess.Release()
		onError.Release()
	}()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// awaitTxn waits for a raw IDBTransaction to finish. It returns nil once
// the transaction has completed, the transaction's error if it aborted,
// or ctx's error (after aborting it) if ctx ends first.
func awaitTxn(ctx context.Context, txn js.Value) error {
	ch := make(chan error, 2)
	onComplete := js.FuncOf(func(js.Value, []js.Value) any {
		ch <- nil
		return nil
	})
	onAbort := js.FuncOf(func(js.Value, []js.Value) any {
		err := errors.New("AbortError: the transaction was aborted")
		if e := txn.Get("error"); e.Truthy() {
			err = browser.Error(e)
		}
		ch <- err
		return nil
	})
	txn.Call("addEventListener", "complete", onComplete)
	txn.Call("addEventListener", "abort", onAbort)
	defer func() {
		txn.Call("removeEventListener", "complete", onComplete)
		txn.Call("removeEventListener", "abort", onAbort)
		onComplete.Release()
		onAbort.Release()
	}()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		_ = browser.Try(func() { txn.Call("abort") })
		return ctx.Err()
	}
}

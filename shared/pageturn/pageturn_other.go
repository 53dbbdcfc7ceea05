//go:build !(js && wasm)

package pageturn

// Turn returns at once: outside a browser no page waits for the thread.
func Turn() {}

//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func run() {
	fmt.Fprintln(os.Stderr, "the Pawfile app runs in a browser: build it with GOOS=js GOARCH=wasm (make build), then run the server")
	os.Exit(2)
}

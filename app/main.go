// Command app is the Pawfile progressive web app. Built with GOOS=js
// GOARCH=wasm it becomes web/app.wasm, which the server serves; natively
// it only compiles, so that its packages are vetted and tested without a
// browser.
package main

func main() { run() }

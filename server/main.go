// Command pawfile is the Pawfile server: it serves the app and keeps the
// workspace's sealed records for backup and sync.
//
//	pawfile [-addr 127.0.0.1:8080] [-data ./data]    serve (pawfile -h lists every flag:
//	                                                  TLS, -domain, -metrics-addr, -log json…)
//	pawfile backup -out FILE [-data DIR] [-addr ADDR] consistent backup of a running server
//	pawfile restore -in FILE -data DIR                restore a backup onto a stopped server
//	pawfile restore-workspace [-data DIR] FILE        restore one workspace from its owner's backup onto a stopped server
//	pawfile check [-data DIR]                         integrity check of a stopped server's database
//	pawfile compress-app [-web DIR]                   Brotli-compress web/app.wasm once per build
package main

import (
	"fmt"
	"os"
)

// version is set at build time (make build) from git.
var version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pawfile:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			return serve(args[1:])
		case "backup":
			return backupCmd(args[1:])
		case "restore":
			return restoreCmd(args[1:])
		case "restore-workspace":
			return restoreWorkspaceCmd(args[1:])
		case "check":
			return checkCmd(args[1:])
		case "compress-app":
			return compressCmd(args[1:])
		case "version":
			fmt.Println(version)
			return nil
		}
	}
	return serve(args)
}

// Package web is Relay's browser app: the TypeScript + Preact sources built
// by Vite into dist/, and the Go side that embeds that build and serves it.
//
// A binary built before `npm run build` still compiles (dist/ holds a
// placeholder) and serves a page that says how to build the app. This
// package knows nothing of tenants or sessions: the HTTP server decides what
// to serve and passes the boot data in. It must not import httpapi or app.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Build returns the embedded build.
func Build() *App {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees dist exists
	}
	return New(sub)
}

// Package socket is Relay's realtime application: what the topics of the
// Phoenix socket mean, who may join them, how a rejoining client catches up
// without gaps or duplicates, typing notices, presence, and revoking a
// socket's topics when its user loses access. It implements phoenix.Handler
// on top of app (every send goes through the same use case as HTTP), the
// realtime hub and presence tracker.
//
// socket imports app, realtime and phoenix; it never touches the store or
// the bus directly, and nothing but server (the wiring) imports it.
package socket

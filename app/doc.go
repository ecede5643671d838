// Package app holds Relay's use cases: sign up, log in, authenticate a
// request, change branding, invite, accept, manage members and tokens. It is
// the only place that combines policy, the store and other services; HTTP and
// the socket are thin transports over it.
//
// app imports the root relay package, policy and small internal helpers. It
// never imports a transport (httpapi, cmd) or a storage implementation: it
// declares the Store interface it needs (store.go) and is handed one.
package app

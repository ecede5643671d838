// Package policy makes every permission decision in Relay, as plain functions
// of the actor, the action and what the action targets. Nothing else decides
// who may do what: app calls Check before every use case that needs it, and
// the whole matrix is covered by one table test (policy_test.go).
//
// Policy decides permission only. Invariants that depend on stored state
// (a workspace keeps at least one owner) are enforced by the store inside
// the transaction that would break them, so concurrent requests cannot race
// past them.
//
// policy imports only the root relay package.
package policy

package app_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/store"
)

// The store implements every interface app declares; the wiring passes a
// *store.DB as the composite Store.
var (
	_ app.Store          = (*store.DB)(nil)
	_ app.MessagingStore = (*store.DB)(nil)
	_ app.AuditStore     = (*store.DB)(nil)
	_ app.StatsStore     = (*store.DB)(nil)
	_ app.CustomerStore  = (*store.DB)(nil)
	_ app.TicketStore    = (*store.DB)(nil)
	_ app.ConnectorStore = (*store.DB)(nil)
	_ app.WebhookStore   = (*store.DB)(nil)
)

// TestAuditStoreAppendOnly pins the contract: the audit store offers
// appending and listing, nothing else (store.DB is pinned likewise in
// package store).
func TestAuditStoreAppendOnly(t *testing.T) {
	var methods []string
	it := reflect.TypeFor[app.AuditStore]()
	for i := range it.NumMethod() {
		methods = append(methods, it.Method(i).Name)
	}
	slices.Sort(methods)
	if want := []string{"AppendAudit", "ListAudit"}; !slices.Equal(methods, want) {
		t.Errorf("app.AuditStore methods = %v, want %v", methods, want)
	}
}

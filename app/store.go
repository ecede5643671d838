package app

import (
	"context"
)

// Store is the persistence app needs. Package store implements it for SQLite
// and PostgreSQL; one conformance suite runs against both.
//
// Contract for every method:
//   - each call is one transaction: it happens entirely or not at all;
//   - every method touching tenant data takes the workspace id explicitly and
//     never reads or changes another workspace's rows;
//   - "not found" is a *relay.Error with code ENOTFOUND, a unique violation is
//     ECONFLICT (classified by driver error code, never by message text);
//   - times are stored with microsecond precision in UTC.
//
// Store is the composite the wiring passes to New: the union of the narrow
// interfaces each service declares and is handed (AccountStore,
// MessagingStore, TicketStore, StatsStore, CustomerStore, AuditStore,
// ConnectorStore with WebhookStore, SearchStore). A new service declares its own and
// adds it here.
type Store interface {
	AccountStore
	MessagingStore
	AuditStore
	StatsStore
	CustomerStore
	TicketStore
	ConnectorStore
	SearchStore
	Ping(ctx context.Context) error
}

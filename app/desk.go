package app

import (
	"time"
)

// Desk owns the support desk: tickets, their lifecycle and messages,
// customers, the dashboard's stats and live figures, and reading the audit
// log (desk_*.go). It uses Accounts, Messaging and Webhooks.
type Desk struct {
	*kernel
	store    deskStore
	accounts *Accounts
	msg      *Messaging
	webhooks *Webhooks
	live     LiveTracker
	stats    *statsDebouncer
}

func newDesk(k *kernel, st deskStore, accounts *Accounts, msg *Messaging, webhooks *Webhooks, live LiveTracker, debounce time.Duration) *Desk {
	if live == nil {
		live = NewLiveCounter()
	}
	if debounce <= 0 {
		debounce = DefaultStatsDebounce
	}
	return &Desk{kernel: k, store: st, accounts: accounts, msg: msg, webhooks: webhooks, live: live,
		stats: newStatsDebouncer(debounce)}
}

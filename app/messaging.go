package app

// Messaging owns conversation: channels and their members, messages,
// threads, reactions, read state, statuses, catch-up, the sequencer that
// orders every channel's writes, and the events sockets observe
// (messaging_*.go). It uses no other service.
type Messaging struct {
	*kernel
	store messagingStore
	seq   *sequencer
}

func newMessaging(k *kernel, st messagingStore, shards int) *Messaging {
	m := &Messaging{kernel: k, store: st}
	m.seq = newSequencer(m, shards)
	return m
}

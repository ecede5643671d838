package app

// QueuedPosts is how many operations wait in the sequencer's queues, so a
// test can know a batch has gathered before letting the sequencer on.
func (a *App) QueuedPosts() int {
	n := 0
	for _, ch := range a.Messaging.seq.shards {
		n += len(ch)
	}
	return n
}

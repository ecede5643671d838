package realtime

import "time"

// DiffTimer makes the tracker schedule the end of each diff window with
// after instead of time.AfterFunc, so a test fires it when it chooses and
// knows when no window is pending.
func DiffTimer(after func(d time.Duration, f func())) PresenceOption {
	return func(p *Presence) { p.after = after }
}

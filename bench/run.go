package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// channelState is one benchmark channel.
type channelState struct {
	id          string
	topic       string
	subscribers int
	acked       atomic.Int64 // messages accepted into it
}

// user is a workspace member the tool created.
type user struct {
	id, token string
}

// runner is the state of one Run.
type runner struct {
	cfg    Config
	ctx    context.Context // the whole run, setup to teardown
	api    *api
	wsURL  *url.URL
	origin time.Time
	sub    string // the workspace's subdomain
	wsID   string
	owner  user
	users  []user

	channels []*channelState
	subs     []*sock
	idle     []*sock
	senders  []*sender
	allMu    sync.Mutex
	all      []*sock // every socket opened, for heartbeats and teardown

	measureFrom atomic.Int64 // run-clock ns: samples sent before this are warm-up
	acked       atomic.Int64
	errs        errorCounts
	drops       errorCounts
	pid         int

	logMu sync.Mutex
}

// now is the run's clock: monotonic time since the run started.
func (r *runner) now() time.Duration { return time.Since(r.origin) }

func (r *runner) logf(format string, args ...any) {
	if r.cfg.Log == nil {
		return
	}
	r.logMu.Lock()
	defer r.logMu.Unlock()
	fmt.Fprintf(r.cfg.Log, "bench: %6.1fs  "+format+"\n", append([]any{r.now().Seconds()}, args...)...)
}

// Run performs one bench run against a running server and returns its
// report. It returns an error only when the run could not happen (bad
// configuration, setup failed); errors during the measured window are
// counted in the report. It never runs longer than the setup timeout plus
// warm-up, duration, drain and teardown timeouts.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	base, err := cfg.validate(ctx)
	if err != nil {
		return nil, err
	}
	limit := cfg.SetupTimeout + cfg.Warmup + cfg.Duration + cfg.DrainTimeout + cfg.TeardownTimeout
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	r := &runner{cfg: cfg, ctx: ctx, origin: time.Now()}
	r.api = &api{base: base, baseDomain: cfg.BaseDomain, metricsTok: cfg.MetricsToken, spread: cfg.SpreadSourceIPs,
		client: &http.Client{Transport: newTransport(nil, 2*cfg.SetupConcurrency), Timeout: 60 * time.Second}}
	defer r.api.client.CloseIdleConnections()
	ws := *base
	ws.Scheme = map[string]string{"http": "ws", "https": "wss"}[base.Scheme]
	ws.Path = "/socket/websocket"
	r.wsURL = &ws
	r.pid = cfg.ServerPID
	if r.pid == 0 && isLoopbackHost(base.Hostname()) {
		r.pid, _ = findListener(portOf(base))
	}

	rep := &Report{Config: cfg, ServerPID: r.pid}
	rep.Server.PID = r.pid
	defer r.teardown(rep)

	setupCtx, setupCancel := context.WithTimeout(ctx, cfg.SetupTimeout)
	defer setupCancel()
	t0 := time.Now()
	if err := r.setup(setupCtx, rep); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	rep.Setup.Seconds = time.Since(t0).Seconds()
	r.logf("setup done in %.1fs: %d users, %d channels, %d subscriber, %d sender, %d idle sockets",
		rep.Setup.Seconds, len(r.users), len(r.channels), len(r.subs), len(r.senders), len(r.idle))

	if len(r.senders) > 0 {
		r.traffic(rep)
	} else if cfg.Idle > 0 {
		r.hold(rep)
	}
	return rep, nil
}

func isLoopbackHost(h string) bool {
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// setup signs up, creates users and channels, and opens the sockets.
func (r *runner) setup(ctx context.Context, rep *Report) error {
	var b [4]byte
	_, _ = rand.Read(b[:])
	r.sub = "bench-" + hex.EncodeToString(b[:])
	owner, err := r.api.signup(ctx, r.sub)
	if err != nil {
		return err
	}
	r.wsID = owner.Workspace.ID
	r.owner = user{id: owner.User.ID, token: owner.Token}
	rep.Workspace = r.sub
	r.logf("signed up workspace %s (id %s)", r.sub, r.wsID)
	if err := r.api.unlimitMessages(ctx, r.sub, r.owner.token); err != nil {
		return err
	}
	rep.Setup.MessageRateLimit = "off"
	r.logf("turned the per-user message rate limit off for %s: the run measures the server, not the limit", r.sub)

	if err := r.createUsers(ctx); err != nil {
		return err
	}
	rep.Setup.Users = len(r.users)
	if err := r.createChannels(ctx); err != nil {
		return err
	}
	rep.Setup.Channels = len(r.channels)

	if r.cfg.Idle > 0 {
		if err := r.openIdle(ctx, rep); err != nil {
			return err
		}
	}
	rep.Server.RSSBeforeKiB = r.rss()
	if err := r.openSubscribers(ctx); err != nil {
		return err
	}
	if err := r.openSenders(ctx); err != nil {
		return err
	}
	rep.Setup.Sockets = len(r.all)
	return nil
}

// parallel runs fn(i) for i in [0, n) with at most conc at once, and
// returns the first error (the rest are not started).
func parallel(ctx context.Context, n, conc int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		next  atomic.Int64
	)
	for w := 0; w < min(conc, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}

// createUsers makes Users users: the owner, then invitations accepted in
// parallel. Accepting costs the server a password hash (~50 ms, a few at
// once), which is why sockets share users instead of each having its own:
// a socket is what costs the server memory and fan-out work, and it costs
// the same whoever's token opened it.
func (r *runner) createUsers(ctx context.Context) error {
	n := r.cfg.Users - 1
	users := make([]user, n)
	var done atomic.Int64
	err := parallel(ctx, n, r.cfg.SetupConcurrency, func(ctx context.Context, i int) error {
		email := "u" + strconv.Itoa(i+1) + "@" + r.sub + ".bench.test"
		tok, err := r.api.invite(ctx, r.sub, r.owner.token, email)
		if err != nil {
			return err
		}
		res, err := r.api.accept(ctx, r.sub, tok, "Bench user "+strconv.Itoa(i+1))
		if err != nil {
			return err
		}
		users[i] = user{id: res.User.ID, token: res.Token}
		if d := done.Add(1); d%100 == 0 {
			r.logf("users: %d/%d", d, n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.users = append([]user{r.owner}, users...)
	return nil
}

// createChannels makes Channels public channels with every user a member
// (senders must be members to post; subscribers of a public channel need
// not be, but a member's socket is the common case).
func (r *runner) createChannels(ctx context.Context) error {
	ids := make([]string, 0, len(r.users)-1)
	for _, u := range r.users[1:] {
		ids = append(ids, u.id)
	}
	r.channels = make([]*channelState, r.cfg.Channels)
	return parallel(ctx, r.cfg.Channels, r.cfg.SetupConcurrency, func(ctx context.Context, i int) error {
		id, err := r.api.createChannel(ctx, r.sub, r.owner.token, "bench-"+strconv.Itoa(i), ids)
		if err != nil {
			return err
		}
		r.channels[i] = &channelState{id: id, topic: "channel:" + id}
		return nil
	})
}

func (r *runner) userFor(i int) user { return r.users[i%len(r.users)] }

func (r *runner) keep(s *sock) {
	r.allMu.Lock()
	r.all = append(r.all, s)
	r.allMu.Unlock()
}

// openSockets opens n sockets of role rl in parallel; join(i, s) joins
// what socket i needs.
func (r *runner) openSockets(ctx context.Context, what string, n int, rl role, join func(ctx context.Context, i int, s *sock) error) ([]*sock, error) {
	out := make([]*sock, n)
	var done atomic.Int64
	step := max(100, n/10)
	err := parallel(ctx, n, r.cfg.DialConcurrency, func(ctx context.Context, i int) error {
		s, err := r.dial(ctx, r.userFor(i).token, rl)
		if err != nil {
			return fmt.Errorf("%s socket %d: %w", what, i, err)
		}
		r.keep(s)
		out[i] = s
		if err := join(ctx, i, s); err != nil {
			return fmt.Errorf("%s socket %d: %w", what, i, err)
		}
		if d := done.Add(1); d%int64(step) == 0 {
			r.logf("%s sockets: %d/%d", what, d, n)
		}
		return nil
	})
	return out, err
}

func (r *runner) openSubscribers(ctx context.Context) error {
	n := r.cfg.Channels * r.cfg.Subscribers
	subs, err := r.openSockets(ctx, "subscriber", n, roleSubscriber, func(ctx context.Context, i int, s *sock) error {
		c := r.channels[i/r.cfg.Subscribers]
		_, err := s.join(ctx, c.topic, "{}")
		return err
	})
	if err != nil {
		return err
	}
	for i := range subs {
		r.channels[i/r.cfg.Subscribers].subscribers++
	}
	r.subs = subs
	return nil
}

// targetsOf returns the channels sender j posts to: with at least as many
// channels as senders, channels j, j+P, j+2P…; otherwise channel j mod C.
func (r *runner) targetsOf(j int) []target {
	var out []target
	if len(r.channels) >= r.cfg.Senders {
		for c := j; c < len(r.channels); c += r.cfg.Senders {
			out = append(out, target{idx: c, id: r.channels[c].id, topic: r.channels[c].topic})
		}
	} else {
		c := j % len(r.channels)
		out = append(out, target{idx: c, id: r.channels[c].id, topic: r.channels[c].topic})
	}
	return out
}

func (r *runner) openSenders(ctx context.Context) error {
	n := r.cfg.Senders
	r.senders = make([]*sender, n)
	for j := range n {
		u := r.userFor(j)
		s := &sender{r: r, idx: j, token: u.token, targets: r.targetsOf(j), window: make(chan struct{}, r.cfg.Inflight)}
		for range r.cfg.Inflight {
			s.window <- struct{}{}
		}
		if r.cfg.Via == "http" {
			s.http = &http.Client{Transport: newTransport(nil, r.cfg.Inflight), Timeout: 30 * time.Second}
		}
		r.senders[j] = s
	}
	if r.cfg.Via == "http" {
		return nil
	}
	_, err := r.openSockets(ctx, "sender", n, roleSender, func(ctx context.Context, j int, so *sock) error {
		s := r.senders[j]
		s.sock = so
		for k := range s.targets {
			ref, err := so.join(ctx, s.targets[k].topic, "{}")
			if err != nil {
				return err
			}
			s.targets[k].joinRef = ref
		}
		return nil
	})
	return err
}

// openIdle opens the idle sockets in two halves and measures the server's
// RSS before, between and after, each time once the server has gone quiet
// (presence diffs delivered) and its RSS has settled. The second half's
// growth is the marginal cost of a socket, free of setup's leftovers (heap
// the password hashes freed, which the first sockets may reuse).
func (r *runner) openIdle(ctx context.Context, rep *Report) error {
	id := &IdleReport{Sockets: r.cfg.Idle, Topic: r.cfg.IdleTopic}
	rep.Idle = id
	id.RSSBeforeKiB = r.settledRSS(ctx)
	var memHalf goMem
	memOK := false
	cpu0 := r.serverCPU()
	t0 := time.Now()
	half := r.cfg.Idle / 2
	var frames int64
	for _, n := range []int{half, r.cfg.Idle - half} {
		if n == 0 {
			continue
		}
		offset := len(r.idle)
		socks, err := r.openSockets(ctx, "idle", n, roleIdle, func(ctx context.Context, i int, s *sock) error {
			switch r.cfg.IdleTopic {
			case "workspace":
				_, err := s.join(ctx, "workspace:"+r.wsID, "{}")
				return err
			case "user":
				_, err := s.join(ctx, "user:"+r.userFor(offset+i).id, "{}")
				return err
			}
			return nil
		})
		r.idle = append(r.idle, socks...)
		if err != nil {
			return err
		}
		id.OpenSeconds += time.Since(t0).Seconds()
		r.logf("%d idle sockets open; waiting for the server to go quiet", len(r.idle))
		t1 := time.Now()
		frames = r.quiet(ctx, r.idle)
		id.SettleSeconds += time.Since(t1).Seconds()
		if len(r.idle) == half {
			id.RSSHalfKiB = r.settledRSS(ctx)
			memHalf, memOK = r.api.metrics(ctx)
		}
		t0 = time.Now()
	}
	id.RSSAfterKiB = r.settledRSS(ctx)
	if mem1, ok := r.api.metrics(ctx); ok && memOK {
		n := float64(len(r.idle) - half)
		id.GoMemPerSocketKiB = ((mem1.HeapInuse + mem1.StackInuse) - (memHalf.HeapInuse + memHalf.StackInuse)) / n / 1024
		id.StackPerSocketKiB = (mem1.StackInuse - memHalf.StackInuse) / n / 1024
		id.GoroutinesPerSocket = (mem1.Goroutines - memHalf.Goroutines) / n
	}
	id.FramesReceived = frames
	if cpu1 := r.serverCPU(); cpu0 >= 0 && cpu1 >= 0 {
		id.ServerCPUSeconds = cpu1 - cpu0
	}
	if id.RSSBeforeKiB > 0 && id.RSSAfterKiB > 0 {
		id.RSSPerSocketKiB = float64(id.RSSAfterKiB-id.RSSBeforeKiB) / float64(len(r.idle))
	}
	if half > 0 && id.RSSHalfKiB > 0 && id.RSSAfterKiB > 0 {
		id.RSSPerSocketSecondHalfKiB = float64(id.RSSAfterKiB-id.RSSHalfKiB) / float64(len(r.idle)-half)
	}
	return nil
}

// quiet waits until the sockets have received nothing for a second (or
// ctx ends) and returns how many frames they received in all.
func (r *runner) quiet(ctx context.Context, socks []*sock) int64 {
	count := func() int64 {
		var n int64
		for _, s := range socks {
			n += s.frames.Load()
		}
		return n
	}
	last, since := count(), time.Now()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return last
		case <-tick.C:
		}
		if n := count(); n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= time.Second {
			return n
		}
	}
}

// heartbeats keeps every socket alive (the server drops sockets silent for
// 60 s) until stop is closed.
func (r *runner) heartbeats(stop <-chan struct{}) {
	t := time.NewTicker(20 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		r.allMu.Lock()
		all := append([]*sock(nil), r.all...)
		r.allMu.Unlock()
		for _, s := range all {
			_ = s.heartbeat()
		}
	}
}

// hold keeps idle sockets open for the duration (no traffic), counting drops.
func (r *runner) hold(rep *Report) {
	stop := make(chan struct{})
	go r.heartbeats(stop)
	defer close(stop)
	r.logf("holding %d idle sockets for %s", len(r.idle), r.cfg.Duration)
	cpu0 := r.serverCPU()
	select {
	case <-time.After(r.cfg.Duration):
	case <-r.ctx.Done():
	}
	rep.Server.RSSAfterKiB = r.rss()
	if cpu1 := r.serverCPU(); cpu0 >= 0 && cpu1 >= 0 {
		rep.Server.CPUSeconds = cpu1 - cpu0
	}
	rep.Window.Seconds = r.cfg.Duration.Seconds()
}

// counters is a snapshot of the running totals.
type counters struct {
	at                       time.Duration
	sent, acked, deliv, echo int64
	serverCPU, toolCPU       float64
}

func (r *runner) snapshot() counters {
	c := counters{at: r.now(), acked: r.acked.Load(), serverCPU: r.serverCPU()}
	c.toolCPU, _ = readCPU("self")
	for _, s := range r.senders {
		c.sent += s.sent.Load()
		if s.sock != nil {
			c.echo += s.sock.echoes.Load()
		}
	}
	for _, s := range r.subs {
		c.deliv += s.deliveries.Load()
	}
	return c
}

// traffic sends for warm-up plus duration, then drains.
func (r *runner) traffic(rep *Report) {
	stop := make(chan struct{})
	go r.heartbeats(stop)
	defer close(stop)

	sendCtx, stopSending := context.WithCancel(r.ctx)
	defer stopSending()
	r.measureFrom.Store(int64(r.now() + r.cfg.Warmup))
	var wg sync.WaitGroup
	for _, s := range r.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.sock != nil {
				s.runSocket(sendCtx)
			} else {
				s.runHTTP(sendCtx)
			}
		}()
	}
	r.logf("sending: %d senders via %s, rate %s, inflight %d, %d-byte bodies, for %s (+%s warm-up)",
		len(r.senders), r.cfg.Via, rateText(r.cfg.Rate), r.cfg.Inflight, r.cfg.Size, r.cfg.Duration, r.cfg.Warmup)
	sleep(r.ctx, r.cfg.Warmup)
	start := r.snapshot()
	r.progress(r.cfg.Duration)
	end := r.snapshot()
	stopSending()
	rep.Server.RSSAfterKiB = r.rss()

	// Drain: wait for every ack, and for every delivery of what was accepted.
	drainStart := time.Now()
	dctx, cancel := context.WithTimeout(r.ctx, r.cfg.DrainTimeout)
	defer cancel()
	wg.Wait() // HTTP workers finish their request in flight
	for {
		if r.pendingAcks() == 0 && r.deliveredAll() {
			break
		}
		if dctx.Err() != nil {
			break
		}
		sleep(dctx, 20*time.Millisecond)
	}
	rep.Drain.Seconds = time.Since(drainStart).Seconds()
	final := r.snapshot()

	w := (end.at - start.at).Seconds()
	rep.Window.Seconds = w
	rep.Window.Sent = end.sent - start.sent
	rep.Window.Accepted = end.acked - start.acked
	rep.Window.Deliveries = end.deliv - start.deliv
	rep.Window.Echoes = end.echo - start.echo
	rep.Window.AcceptedPerSec = float64(rep.Window.Accepted) / w
	rep.Window.DeliveriesPerSec = float64(rep.Window.Deliveries) / w
	rep.Window.EchoesPerSec = float64(rep.Window.Echoes) / w
	if end.serverCPU >= 0 && start.serverCPU >= 0 {
		rep.Server.CPUSeconds = end.serverCPU - start.serverCPU
		rep.Server.CPUPercent = 100 * rep.Server.CPUSeconds / w
	}
	rep.Tool.CPUSeconds = end.toolCPU - start.toolCPU
	rep.Tool.CPUPercent = 100 * rep.Tool.CPUSeconds / w

	rep.Totals.Sent = final.sent
	rep.Totals.Accepted = final.acked
	rep.Totals.Deliveries = final.deliv
	rep.Totals.Echoes = final.echo
	rep.Totals.ExpectedDeliveries = r.expectedDeliveries()
	rep.Totals.MissingDeliveries = max(0, rep.Totals.ExpectedDeliveries-final.deliv)
	rep.Totals.Unacked = int64(r.pendingAcks())
}

func rateText(rate float64) string {
	if rate <= 0 {
		return "max"
	}
	return strconv.FormatFloat(rate, 'f', -1, 64) + "/s per sender"
}

// progress waits d, logging the rates every few seconds.
func (r *runner) progress(d time.Duration) {
	end := time.Now().Add(d)
	prev := r.snapshot()
	for time.Now().Before(end) && r.ctx.Err() == nil {
		sleep(r.ctx, min(5*time.Second, time.Until(end)))
		cur := r.snapshot()
		secs := (cur.at - prev.at).Seconds()
		if secs > 0 {
			r.logf("accepted %.0f/s, deliveries %.0f/s", float64(cur.acked-prev.acked)/secs, float64(cur.deliv-prev.deliv)/secs)
		}
		prev = cur
	}
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (r *runner) pendingAcks() int {
	n := 0
	for _, s := range r.senders {
		if s.sock != nil {
			n += s.sock.pendingCount()
		}
	}
	return n
}

func (r *runner) expectedDeliveries() int64 {
	var n int64
	for _, c := range r.channels {
		n += c.acked.Load() * int64(c.subscribers)
	}
	return n
}

func (r *runner) deliveredAll() bool {
	var got int64
	for _, s := range r.subs {
		got += s.deliveries.Load()
	}
	return got >= r.expectedDeliveries()
}

// rss returns the server's RSS in KiB, or 0 when it cannot be read.
func (r *runner) rss() int64 {
	if r.pid <= 0 {
		return 0
	}
	v, err := readRSS(r.pid)
	if err != nil {
		return 0
	}
	return v
}

// settledRSS waits (up to 60 s) until the server's RSS has moved by at
// most 0.2 % (or 256 KiB) in each of three consecutive seconds, and returns
// it. Go returns freed memory to the system gradually (the password hashes
// of setup leave tens of MiB to give back), so an unsettled reading would
// charge or credit sockets with it.
func (r *runner) settledRSS(ctx context.Context) int64 {
	prev := r.rss()
	if prev == 0 {
		return 0
	}
	stable := 0
	for range 60 {
		sleep(ctx, time.Second)
		if ctx.Err() != nil {
			return prev
		}
		cur := r.rss()
		d := cur - prev
		if d < 0 {
			d = -d
		}
		if d <= max(256, prev/500) {
			stable++
		} else {
			stable = 0
		}
		prev = cur
		if stable >= 3 {
			break
		}
	}
	return prev
}

// serverCPU returns the server's CPU seconds so far, or -1.
func (r *runner) serverCPU() float64 {
	if r.pid <= 0 {
		return -1
	}
	v, err := readCPU(strconv.Itoa(r.pid))
	if err != nil {
		return -1
	}
	return v
}

// teardown closes every socket and connection, merges the statistics the
// reader goroutines kept, and (if asked) deletes the workspace.
func (r *runner) teardown(rep *Report) {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.TeardownTimeout)
	defer cancel()
	r.allMu.Lock()
	all := append([]*sock(nil), r.all...)
	r.allMu.Unlock()
	_ = parallel(ctx, len(all), 64, func(ctx context.Context, i int) error {
		all[i].close()
		return nil
	})
	var lat, ack Histogram
	stuck := 0
	for _, s := range all {
		select {
		case <-s.done:
			lat.Merge(&s.hist)
			ack.Merge(&s.ackHist)
		case <-ctx.Done():
			stuck++
		}
	}
	for _, s := range r.senders {
		if s.http != nil {
			s.httpMu.Lock()
			ack.Merge(&s.httpAck)
			s.httpMu.Unlock()
			s.http.CloseIdleConnections()
		}
	}
	if stuck > 0 {
		r.errs.add("teardown_stuck", strconv.Itoa(stuck)+" socket readers did not stop")
	}
	rep.DeliveryLatency = lat.Summary()
	rep.AckLatency = ack.Summary()
	if r.cfg.DeleteWorkspace && r.owner.token != "" {
		if err := r.api.deleteWorkspace(ctx, r.sub, r.owner.token); err != nil {
			r.errs.add("delete_workspace", err.Error())
		}
	}
	rep.Errors, rep.ErrorExamples = r.errs.snapshot()
	rep.Drops, rep.DropExamples = r.drops.snapshot()
	for _, n := range rep.Drops {
		rep.SocketDrops += n
	}
	r.logf("closed %d sockets", len(all))
}

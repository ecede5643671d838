package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// target is a channel a sender posts to.
type target struct {
	idx     int // index in runner.channels
	id      string
	topic   string
	joinRef string // socket senders
}

// sender posts messages, over its socket or over HTTP keep-alive, at most
// Config.Inflight at a time, paced to Config.Rate when it is not zero.
type sender struct {
	r       *runner
	idx     int
	token   string
	sock    *sock // Via "socket"
	targets []target
	window  chan struct{} // a token per push allowed in flight
	http    *http.Client  // Via "http"

	sent    atomic.Int64
	n       atomic.Uint64 // client_msg_id counter
	httpMu  sync.Mutex
	httpAck Histogram // send → 201 (HTTP workers merge into it)
}

// acked is called once per push answered.
func (s *sender) acked(chIdx int, ok bool, kind, example string) {
	if ok {
		s.r.acked.Add(1)
		s.r.channels[chIdx].acked.Add(1)
	} else {
		s.r.errs.add("send_"+kind, example)
	}
	select {
	case s.window <- struct{}{}:
	default:
	}
}

// permits returns a channel that yields one value per send the pace allows,
// closed when ctx ends. With no rate it never blocks.
func (s *sender) permits(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		if s.r.cfg.Rate <= 0 {
			for {
				select {
				case ch <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
		}
		interval := time.Duration(float64(time.Second) / s.r.cfg.Rate)
		// Stagger the senders so their sends do not all land at once.
		start := time.Now().Add(time.Duration(s.idx) * interval / time.Duration(max(1, s.r.cfg.Senders)))
		var issued int64
		for {
			due := int64(time.Since(start)/interval) + 1
			if due-issued > int64(time.Second/interval)+1 {
				issued = due - 1 // more than a second behind: do not burst to catch up
			}
			if issued >= due {
				wait := time.Until(start.Add(time.Duration(issued) * interval))
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return
				}
				continue
			}
			select {
			case ch <- struct{}{}:
				issued++
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

func (s *sender) clientMsgID() string {
	return "b" + strconv.Itoa(s.idx) + "-" + strconv.FormatUint(s.n.Add(1), 10)
}

// runSocket sends over the socket until ctx ends.
func (s *sender) runSocket(ctx context.Context) {
	permits := s.permits(ctx)
	var buf, payload []byte
	for k := 0; ; k++ {
		select {
		case <-s.window:
		case <-ctx.Done():
			return
		}
		if _, ok := <-permits; !ok {
			return
		}
		tg := &s.targets[k%len(s.targets)]
		ref := s.sock.nextRef()
		now := s.r.now()
		payload = sendPayload(payload[:0], makeBody(now, s.r.cfg.Size), s.clientMsgID())
		buf = appendPush(buf[:0], tg.joinRef, ref, tg.topic, "message:send", payload)
		s.sock.mu.Lock()
		s.sock.pending[ref] = replyWait{sent: now, sender: s, chIdx: tg.idx}
		s.sock.mu.Unlock()
		if err := s.sock.write(buf); err != nil {
			s.sock.mu.Lock()
			delete(s.sock.pending, ref)
			s.sock.mu.Unlock()
			s.r.errs.add("send_write", err.Error())
			return // the socket is gone; its drop is counted by the reader
		}
		s.sent.Add(1)
	}
}

// runHTTP sends with Inflight workers, each one POST at a time over its
// keep-alive connection, until ctx ends.
func (s *sender) runHTTP(ctx context.Context) {
	permits := s.permits(ctx)
	var wg sync.WaitGroup
	var k atomic.Int64
	for w := 0; w < s.r.cfg.Inflight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var h Histogram
			defer func() {
				s.httpMu.Lock()
				s.httpAck.Merge(&h)
				s.httpMu.Unlock()
			}()
			var payload []byte
			for {
				if _, ok := <-permits; !ok {
					return
				}
				tg := &s.targets[int(k.Add(1)-1)%len(s.targets)]
				now := s.r.now()
				payload = sendPayload(payload[:0], makeBody(now, s.r.cfg.Size), s.clientMsgID())
				s.sent.Add(1)
				// The run's context, not ctx: a request in flight when
				// sending stops is answered during the drain.
				ok, kind, example := s.post(s.r.ctx, tg, payload)
				if ok && now >= time.Duration(s.r.measureFrom.Load()) {
					h.Record(s.r.now() - now)
				}
				s.acked(tg.idx, ok, kind, example)
			}
		}()
	}
	wg.Wait()
}

func (s *sender) post(ctx context.Context, tg *target, payload []byte) (ok bool, kind, example string) {
	u := *s.r.api.base
	u.Path = "/api/v1/channels/" + tg.id + "/messages"
	req, err := http.NewRequestWithContext(ctx, "POST", u.String(), bytes.NewReader(payload))
	if err != nil {
		return false, "request", err.Error()
	}
	req.Host = s.r.api.host(s.r.sub)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.http.Do(req)
	if err != nil {
		return false, "http_transport", err.Error()
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return false, "http_" + strconv.Itoa(resp.StatusCode), fmt.Sprintf("%.200s", body)
	}
	return true, "", ""
}

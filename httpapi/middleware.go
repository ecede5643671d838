package httpapi

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/relayhq/relay"
)

// CookieName is the session cookie. It is host-only (no Domain attribute),
// so a workspace's cookie never reaches another workspace's host.
const CookieName = "relay_session"

var (
	errNoWorkspace = relay.Errorf(relay.ENOTFOUND, "No workspace at this address: check the subdomain.")
	errApexOnly    = relay.Errorf(relay.ENOTFOUND, "This endpoint is served on the main domain, not on a workspace's address.")
	errNoAuth      = relay.Errorf(relay.EUNAUTHORIZED, "Sign in to continue.")
)

// wrap applies a route's host, body, CSRF and authentication rules, then
// runs its handler and renders any error.
func (s *Server) wrap(rt route) http.Handler {
	limit := rt.maxBody
	if limit == 0 {
		limit = maxJSONBody
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := s.prepare(w, r, rt); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := rt.h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// prepare resolves the tenant and the actor into r's context.
func (s *Server) prepare(w http.ResponseWriter, r *http.Request, rt route) error {
	*r = *r.WithContext(relay.NewContextWithClientIP(r.Context(), s.clientIP(r))) // for the audit log
	apex, sub := s.splitHost(r.Host)
	switch rt.host {
	case onApex:
		if !apex {
			return errApexOnly
		}
	case onWorkspace, onAny:
		if sub == "" {
			if rt.host == onWorkspace {
				return errNoWorkspace
			}
			break
		}
		ws, err := s.app.Accounts.WorkspaceBySubdomain(r.Context(), sub)
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			if rt.host == onWorkspace {
				return errNoWorkspace
			}
			break
		} else if err != nil {
			return err
		}
		*r = *r.WithContext(relay.NewContextWithWorkspace(r.Context(), ws))
	}

	// Credentials: a bearer header wins; otherwise the session cookie. An
	// Authorization header of another scheme (say Basic, from a proxy in
	// front of a staging site) is not ours: public routes ignore it, and
	// routes that need a login explain what they expect.
	token, viaCookie, foreignScheme := "", false, false
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) != "" {
			token = strings.TrimSpace(tok)
		} else {
			foreignScheme = true
		}
	}
	if token == "" {
		if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
			token, viaCookie = c.Value, true
		}
	}

	// Browsers carry cookies (and ambient credentials) on cross-site
	// requests; a bearer header proves the caller is not a forged form.
	if token == "" || viaCookie {
		if err := s.cop.Check(r); err != nil {
			return errCrossOrigin
		}
	}

	ws := relay.WorkspaceFromContext(r.Context())
	if rt.auth == authNone || ws == nil {
		if rt.auth == authRequired {
			return errNoAuth
		}
		// Public routes still learn who is calling when they can, but a
		// stale cookie must never block a public page.
		if token != "" && ws != nil {
			if actor, err := s.app.Accounts.Authenticate(r.Context(), ws, token, viaCookie); err == nil {
				*r = *r.WithContext(relay.NewContextWithActor(r.Context(), actor))
			}
		}
		return nil
	}
	if token == "" {
		if foreignScheme {
			return relay.Errorf(relay.EUNAUTHORIZED, "The Authorization header must be \"Bearer <token>\".")
		}
		return errNoAuth
	}
	actor, err := s.app.Accounts.Authenticate(r.Context(), ws, token, viaCookie)
	if err != nil {
		if viaCookie && relay.ErrorCode(err) == relay.EUNAUTHORIZED {
			s.clearCookie(w, r)
		}
		return err
	}
	*r = *r.WithContext(relay.NewContextWithActor(r.Context(), actor))
	return nil
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (flush, hijack).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection to the WebSocket upgrade (gorilla asserts
// http.Hijacker directly rather than using a ResponseController).
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.status = http.StatusSwitchingProtocols
	}
	return c, rw, err
}

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// nosniff is the X-Content-Type-Options value observe puts on every
// response. Header.Set would allocate a new slice per request; nothing
// appends to or edits this one in place (Set and Del replace it).
var nosniff = []string{"nosniff"}

// observe gives every request an id, recovers panics, logs one line and
// records metrics by route pattern (never by raw path: ids would explode
// the label space).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !requestIDRE.MatchString(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		// Every response, JSON, error, image, file or page, is only what
		// its Content-Type says: no browser may sniff it into HTML or
		// script. Set here once, so handlers do not repeat it; the value
		// is shared, not allocated per request.
		w.Header()["X-Content-Type-Options"] = nosniff
		r = r.WithContext(relay.NewContextWithRequestID(r.Context(), id))
		sw := &statusWriter{ResponseWriter: w}
		if s.metrics != nil {
			s.metrics.inflight.Inc()
			defer s.metrics.inflight.Dec()
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()), "request_id", id)
				if sw.status == 0 {
					s.writeError(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			pattern := r.Pattern // set by the mux on this very request
			if pattern == "" || pattern == "/" {
				pattern = "unmatched"
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			d := time.Since(start)
			if s.metrics != nil {
				s.metrics.observe(r.Method, pattern, sw.status, d)
			}
			lvl := s.log.Info
			if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
				lvl = s.log.Debug
			}
			lvl("request", "request_id", id, "method", r.Method, "route", pattern, "host", r.Host,
				"status", sw.status, "bytes", sw.bytes, "duration_ms", float64(d.Microseconds())/1000, "ip", s.clientIP(r))
		}()
		next.ServeHTTP(sw, r)
	})
}

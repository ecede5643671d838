package httpapi

import (
	"net"
	"net/http"
	"strings"
)

// splitHost classifies the request's Host: the apex (base domain), a
// workspace subdomain (returned), or neither. The port is ignored.
func (s *Server) splitHost(host string) (apex bool, sub string) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == s.baseDomain {
		return true, ""
	}
	if rest, ok := strings.CutSuffix(host, "."+s.baseDomain); ok && rest != "" && !strings.Contains(rest, ".") {
		return false, rest
	}
	return false, ""
}

// clientIP is the caller's address for rate limits and logs. Behind a
// trusted proxy it is the last hop the proxy recorded in X-Forwarded-For.
func (s *Server) clientIP(r *http.Request) string {
	if s.trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secure reports whether the request came over TLS (directly or, when
// trusted, through the proxy), which makes cookies Secure.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || (s.trustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

// origin returns the scheme://host[:port] the client used, for links.
func (s *Server) origin(r *http.Request) string {
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// siteURL is the address of the apex (sub == "") or of a workspace as the
// client reaches this server: the request's scheme and port with the
// configured base domain, so links never echo an arbitrary Host back.
func (s *Server) siteURL(r *http.Request, sub string) string {
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	host := s.baseDomain
	if sub != "" {
		host = sub + "." + host
	}
	if _, port, err := net.SplitHostPort(r.Host); err == nil && port != "" {
		host = net.JoinHostPort(host, port)
	}
	return scheme + "://" + host
}

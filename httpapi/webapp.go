package httpapi

import (
	"net"
	"net/http"
	"strings"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/web"
)

// serverPrefixes are the paths the server owns; everything else that is
// read with GET belongs to the web app.
var serverPrefixes = []string{"/api/", "/socket/", "/hooks/", "/assets/"}

var serverPaths = map[string]bool{"/api": true, "/socket": true, "/hooks": true,
	"/healthz": true, "/readyz": true, "/metrics": true}

func serverPath(p string) bool {
	if serverPaths[p] {
		return true
	}
	for _, prefix := range serverPrefixes {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// shell serves the app's index.html with the boot data of this host: the
// apex gets the public pages, a workspace host its branded app. An unknown
// subdomain still gets the app (which says so and links to "find your
// workspace"), with status 404.
func (s *Server) shell(w http.ResponseWriter, r *http.Request) error {
	apex, sub := s.splitHost(r.Host)
	b := web.Boot{Host: "workspace", BaseURL: s.siteURL(r, "")}
	status := http.StatusOK
	switch {
	case apex:
		b.Host = "apex"
	case sub != "":
		if ws := workspace(r); ws != nil {
			b.Workspace = ws
		} else {
			status = http.StatusNotFound
		}
	default:
		if wantsHTML(r) {
			s.unknownHostPage(w, r)
			return nil
		}
		return relay.Errorf(relay.ENOTFOUND, "Unknown host: this server answers on %s and its subdomains.", s.baseDomain)
	}
	s.web.ServeShell(w, r, status, b)
	return nil
}

// asset serves the build's fingerprinted files.
func (s *Server) asset(w http.ResponseWriter, r *http.Request) error {
	if !s.web.ServeFile(w, r) {
		return errNoRoute
	}
	return nil
}

// unknownHostPage answers a browser that reached the server by another
// name than the base domain — typically http://127.0.0.1:8080 when the base
// domain is localhost. A loopback address is redirected to the same path on
// the base domain when that is localhost (the same machine, by name);
// otherwise a short page links to the base domain, since redirecting a
// client that came by a LAN address or another name to "localhost" would
// send it to its own machine.
func (s *Server) unknownHostPage(w http.ResponseWriter, r *http.Request) {
	site := s.siteURL(r, "")
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil && ip.IsLoopback() && s.baseDomain == "localhost" {
		http.Redirect(w, r, site+r.URL.RequestURI(), http.StatusFound)
		return
	}
	writePage(w, http.StatusNotFound, pageData{Title: "Relay is not at this address",
		Text: "This server answers on " + s.baseDomain + " and its subdomains. Open it there:", Link: site})
}

package httpapi

import (
	"net/http"

	"github.com/relayhq/relay"
)

// LINEHooks serves LINE's webhooks (connectors/line.Connector): it checks
// the signature, answers, and queues the events itself.
type LINEHooks interface {
	// ServeHook serves the webhook of a workspace's own LINE bot.
	ServeHook(w http.ResponseWriter, r *http.Request, connectorID relay.ID)
	// ServeSharedHook serves the webhook of the operator's shared LINE bot.
	ServeSharedHook(w http.ResponseWriter, r *http.Request)
}

// maxLINEBody bounds a LINE webhook body (LINE's are a few KiB).
const maxLINEBody = 1 << 20

// lineRoutes lists the routes of the line part of the connectors. LINE
// calls them: no session, any host; the X-Line-Signature header is the
// credential (docs/connectors.md, "LINE").
func (s *Server) lineRoutes() []route {
	return []route{
		{method: "POST", path: "/hooks/line/shared", host: onAny, auth: authNone, maxBody: maxLINEBody, h: s.lineSharedHook},
		{method: "POST", path: "/hooks/line/{connector_id}", host: onAny, auth: authNone, maxBody: maxLINEBody, h: s.lineHook},
	}
}

var errNoLINE = relay.Errorf(relay.ENOTFOUND, "No LINE connector with this id.")

func (s *Server) lineHook(w http.ResponseWriter, r *http.Request) error {
	if s.line == nil {
		return errNoLINE
	}
	id, err := relay.ParseID(r.PathValue("connector_id"))
	if err != nil {
		return errNoLINE
	}
	s.line.ServeHook(w, r, id)
	return nil
}

func (s *Server) lineSharedHook(w http.ResponseWriter, r *http.Request) error {
	if s.line == nil {
		return relay.Errorf(relay.ENOTFOUND, "No shared LINE bot is configured.")
	}
	s.line.ServeSharedHook(w, r)
	return nil
}

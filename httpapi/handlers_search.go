package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
)

// search is GET /api/v1/search (docs/api.md, "Search").
func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	req := app.SearchRequest{Q: q.Get("q"), Kind: q.Get("kind"), Sort: q.Get("sort"), Cursor: q.Get("cursor")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return relay.Errorf(relay.EINVALID, "limit must be a number.")
		}
		if n < 1 {
			return relay.Errorf(relay.EINVALID, "limit must be between 1 and 50.")
		}
		req.Limit = n
	}
	if tz := q.Get("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil || len(tz) > 64 || tz == "Local" {
			return relay.Errorf(relay.EINVALID, "tz must be an IANA time zone such as Asia/Tokyo.")
		}
		req.Loc = loc
	}
	res, err := s.app.Search.Search(r.Context(), actor(r), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

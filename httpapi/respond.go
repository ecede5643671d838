package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/strictjson"
)

// statusFor is the one table from error codes to HTTP statuses.
var statusFor = map[string]int{
	relay.EINVALID:      http.StatusBadRequest,
	relay.EUNAUTHORIZED: http.StatusUnauthorized,
	relay.EFORBIDDEN:    http.StatusForbidden,
	relay.ENOTFOUND:     http.StatusNotFound,
	relay.EMETHOD:       http.StatusMethodNotAllowed,
	relay.ECONFLICT:     http.StatusConflict,
	relay.EGONE:         http.StatusGone,
	relay.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	relay.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	relay.ERATELIMITED:  http.StatusTooManyRequests,
	relay.EUNAVAILABLE:  http.StatusServiceUnavailable,
	relay.EINTERNAL:     http.StatusInternalServerError,
}

// defaultRetryAfter is the Retry-After, in seconds, of an unavailable error
// that does not name one.
const defaultRetryAfter = 5

var (
	errNoRoute     = relay.Errorf(relay.ENOTFOUND, "No such endpoint.")
	errCrossOrigin = relay.Errorf(relay.EFORBIDDEN, "Cross-origin request refused.")
)

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers with the JSON error shape. Only internal errors (and,
// as warnings, unavailable ones) are logged with detail; the message to the
// caller never carries it. A positive RetryAfter becomes Retry-After (429
// rate limits, 503 outages).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := relay.ErrorCode(err), relay.ErrorMessage(err)
	switch code {
	case relay.EINTERNAL:
		s.log.ErrorContext(r.Context(), "internal error", "err", err, "method", r.Method, "path", r.URL.Path,
			"request_id", relay.RequestIDFromContext(r.Context()))
	case relay.EUNAVAILABLE: // an outage, not a bug: the cause, once per request
		s.log.WarnContext(r.Context(), "unavailable", "err", err, "method", r.Method, "path", r.URL.Path,
			"request_id", relay.RequestIDFromContext(r.Context()))
	}
	var e *relay.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	} else if code == relay.EUNAVAILABLE {
		// Every 503 says when to come back, whoever raised it.
		w.Header().Set("Retry-After", strconv.Itoa(defaultRetryAfter))
	}
	var body errorBody
	body.Error.Code, body.Error.Message = code, msg
	writeJSON(w, statusFor[code], body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads one JSON object from the body into v, strictly: unknown
// fields, wrong types, trailing data, keys named twice in one object (at any
// depth) and oversize bodies are clear errors.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body) // bounded by the route's MaxBytesReader
	if err != nil {
		return jsonError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		if err == nil {
			return relay.Errorf(relay.EINVALID, "The body must hold a single JSON object.")
		}
		return jsonError(err)
	}
	if err := strictjson.CheckDuplicateKeys(body); err != nil {
		return duplicateKeyError(err)
	}
	return nil
}

// duplicateKeyError names the key an object holds twice, and where.
func duplicateKeyError(err error) error {
	var dup *strictjson.DuplicateKeyError
	if !errors.As(err, &dup) {
		return relay.Errorf(relay.EINVALID, "The body could not be read as JSON.")
	}
	if dup.Path == "" {
		return relay.Errorf(relay.EINVALID, "Duplicate key %q: each key may appear only once in an object.", dup.Key)
	}
	return relay.Errorf(relay.EINVALID, "Duplicate key %q in %s: each key may appear only once in an object.", dup.Key, dup.Path)
}

func jsonError(err error) error {
	var (
		syntax  *json.SyntaxError
		typ     *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
		relayed *relay.Error
	)
	switch {
	case errors.As(err, &tooBig):
		return relay.Errorf(relay.ETOOLARGE, "The request body is too large (limit %d bytes).", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return relay.Errorf(relay.EINVALID, "A JSON body is required.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return relay.Errorf(relay.EINVALID, "The JSON body is incomplete.")
	case errors.As(err, &syntax):
		return relay.Errorf(relay.EINVALID, "The body is not valid JSON (at byte %d).", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return relay.Errorf(relay.EINVALID, "The field %q must be a %s.", typ.Field, jsonKind(typ.Type.Kind().String()))
		}
		return relay.Errorf(relay.EINVALID, "The body must be a JSON object.")
	case errors.As(err, &relayed):
		return relayed
	}
	// json reports unknown fields as a plain error: `json: unknown field "x"`.
	var msg string
	if _, scanErr := fmt.Sscanf(err.Error(), "json: unknown field %q", &msg); scanErr == nil {
		return relay.Errorf(relay.EINVALID, "Unknown field %q.", msg)
	}
	return relay.Errorf(relay.EINVALID, "The body could not be read as JSON.")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	}
	return "number"
}

// pathID parses an {id}-style path value.
func pathID(r *http.Request, name string) (relay.ID, error) {
	id, err := relay.ParseID(r.PathValue(name))
	if err != nil {
		return 0, relay.Errorf(relay.ENOTFOUND, "Not found.")
	}
	return id, nil
}

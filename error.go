package relay

import (
	"errors"
	"fmt"
)

// Error codes. Transports map each code to a status in one table
// (httpapi.statusFor) and never invent codes of their own.
const (
	EINVALID      = "invalid"            // the input is malformed or breaks a rule (400)
	EUNAUTHORIZED = "unauthenticated"    // no valid session or token (401)
	EFORBIDDEN    = "forbidden"          // authenticated, but not allowed (403)
	ENOTFOUND     = "not_found"          // no such thing here, or not visible to the caller (404)
	EMETHOD       = "method_not_allowed" // the path exists, the method does not (405)
	ECONFLICT     = "conflict"           // clashes with existing state, e.g. a taken subdomain (409)
	EGONE         = "gone"               // existed, but is used up or expired, e.g. an invitation (410)
	ETOOLARGE     = "too_large"          // a body or field over its size limit (413)
	EUNSUPPORTED  = "unsupported_media"  // content of a type we do not take (415)
	ERATELIMITED  = "rate_limited"       // too many attempts; retry later (429)
	EUNAVAILABLE  = "unavailable"        // a dependency is down (503)
	EINTERNAL     = "internal"           // a bug or an unexpected failure (500)
)

// Error is the one application error. Code is for machines, Message for people:
// it is shown to the caller as is, so it never carries internal detail.
type Error struct {
	Code    string
	Message string
	// RetryAfter, when positive, tells a rate-limited caller how many seconds to wait.
	RetryAfter int
}

func (e *Error) Error() string {
	return fmt.Sprintf("relay error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// or a generic message for any other error, so internal detail never leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

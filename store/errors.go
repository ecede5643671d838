package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/relayhq/relay"
)

// violation is the kind of integrity constraint a statement broke.
type violation int

const (
	noViolation violation = iota
	uniqueViolation
	primaryKeyViolation
	foreignKeyViolation
	checkViolation
	notNullViolation
)

// PostgreSQL SQLSTATE codes of integrity constraint violations.
const (
	pgNotNull    = "23502"
	pgForeignKey = "23503"
	pgUnique     = "23505"
	pgCheck      = "23514"
)

// violationOf classifies err by its driver code, never by message text.
func violationOf(err error) violation {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case pgUnique:
			// PostgreSQL reports primary keys as unique violations; the
			// constraint name tells them apart. Our primary keys keep
			// PostgreSQL's default names, <table>_pkey.
			if isPrimaryKeyName(pgErr.ConstraintName) {
				return primaryKeyViolation
			}
			return uniqueViolation
		case pgForeignKey:
			return foreignKeyViolation
		case pgCheck:
			return checkViolation
		case pgNotNull:
			return notNullViolation
		}
		return noViolation
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return uniqueViolation
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_ROWID:
			return primaryKeyViolation
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKeyViolation
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return checkViolation
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return notNullViolation
		}
	}
	return noViolation
}

// unreachable reports whether err says the database cannot be reached,
// rather than that a statement failed: PostgreSQL refusing or dropping the
// connection (SQLSTATE class 08, 57P01 admin shutdown, 57P02 crash
// shutdown, 57P03 cannot connect now), pgx failing to connect or losing the
// connection before anything was sent, a network error, database/sql giving
// up on a bad connection, a deadline passing while waiting for one, or
// SQLite unable to open its file or still busy after its busy timeout.
// Classified by driver codes and types, never by message text.
func unreachable(err error) bool {
	// Whatever stopped pgx connecting (a refused dial, or the server's
	// FATAL "not accepting connections", 55000, carried inside) is an
	// outage: check it before the server's code.
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	var netErr *net.OpError
	var sqErr *sqlite.Error
	switch {
	case errors.As(err, &netErr):
		return true
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &sqErr):
		switch sqErr.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_CANTOPEN:
			return true
		}
		return false
	}
	// pgx marks failures that happened before the statement reached the
	// server (a closed or broken connection) as safe to retry.
	return pgconn.SafeToRetry(err)
}

// msgUnavailable is what callers are told while the database is down.
const msgUnavailable = "The database is unavailable right now; please try again shortly."

// unavailableRetryAfter is the Retry-After, in seconds, of an outage error.
const unavailableRetryAfter = 5

// unavailableError is a failure to reach the database: relay.ErrorCode sees
// EUNAVAILABLE (so HTTP answers 503 with Retry-After and socket replies say
// unavailable), while the driver's error stays in the chain for logs.
type unavailableError struct {
	coded *relay.Error
	cause error
}

func (e *unavailableError) Error() string   { return "database unavailable: " + e.cause.Error() }
func (e *unavailableError) Unwrap() []error { return []error{e.coded, e.cause} }

// unavailable returns err as an EUNAVAILABLE error when it says the
// database cannot be reached, and err unchanged otherwise (nil, an error
// that already carries a code, or a failure of the statement itself).
func unavailable(err error) error {
	var coded *relay.Error
	if err == nil || errors.As(err, &coded) || !unreachable(err) {
		return err
	}
	return &unavailableError{coded: &relay.Error{Code: relay.EUNAVAILABLE, Message: msgUnavailable,
		RetryAfter: unavailableRetryAfter}, cause: err}
}

func isPrimaryKeyName(name string) bool {
	const suffix = "_pkey"
	return len(name) > len(suffix) && name[len(name)-len(suffix):] == suffix
}

// on maps constraint violations of one statement to the errors a caller
// should see. A violation missing from the map is reported as internal.
type on map[violation]*relay.Error

// classify turns a failed statement's error into a *relay.Error when its
// violation is listed in m, and wraps it with op otherwise.
func classify(op string, err error, m on) error {
	if e := m[violationOf(err)]; e != nil {
		return e
	}
	return unavailable(fmt.Errorf("%s: %w", op, err))
}

// notFound turns sql.ErrNoRows into ENOTFOUND with msg and wraps other errors with op.
func notFound(op string, err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return relay.Errorf(relay.ENOTFOUND, "%s", msg)
	}
	return unavailable(fmt.Errorf("%s: %w", op, err))
}

func conflict(msg string) *relay.Error { return relay.Errorf(relay.ECONFLICT, "%s", msg) }
func missing(msg string) *relay.Error  { return relay.Errorf(relay.ENOTFOUND, "%s", msg) }
func invalid(msg string) *relay.Error  { return relay.Errorf(relay.EINVALID, "%s", msg) }

// Messages shown to people. They name the clash, never the constraint.
const (
	msgWorkspaceNotFound = "Workspace not found."
	msgUserNotFound      = "User not found."
	msgMemberNotFound    = "That user is not a member of this workspace."
	msgSessionNotFound   = "Session not found."
	msgTokenNotFound     = "Token not found."
	msgInviteNotFound    = "Invitation not found."
	msgSubdomainTaken    = "That subdomain is taken."
	msgEmailTaken        = "An account with that email already exists."
	msgAlreadyMember     = "That user is already a member of this workspace."
	msgTokenTaken        = "That token is already in use."
	msgIDTaken           = "That id is already in use; please try again."
	msgLastOwner         = "A workspace must keep at least one owner."
	msgCustomerDesk      = "Customers cannot be given the support desk; make them a member first."
	msgInviteUsed        = "This invitation was already used."
	msgInviteExpired     = "This invitation has expired."
	msgBadRole           = "That is not a valid role."
	msgBadKind           = "That is not a valid kind of session."
	msgUnauthenticated   = "Please sign in again: the session is missing, expired or not valid here."

	msgChannelNotFound     = "Channel not found."
	msgChannelMemberAbsent = "That user is not a member of this channel."
	msgChannelNameTaken    = "A channel with that name already exists."
	msgDMExists            = "A conversation with these people already exists."
	msgDMKeyMissing        = "A direct conversation needs the key of its members."
	msgBadChannel          = "That is not a valid channel."
	msgDMNotDefault        = "A direct conversation cannot be a default channel."
	msgMessageNotFound     = "Message not found."
	msgParentNotFound      = "The message this replies to was not found."
	msgParentElsewhere     = "A reply must be in the same channel as the message it replies to."
	msgReplyToReply        = "Replies cannot have replies of their own: reply to the thread's first message."
	msgMessageDeleted      = "That message was deleted."
	msgBadMessage          = "That is not a valid message."
	msgBadEmoji            = "That is not a valid reaction."
	msgBadHistoryQuery     = "Give at most one of before, after and around, each a positive seq."
	msgBadPresence         = "That is not a valid presence."
)

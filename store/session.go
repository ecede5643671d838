package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/relayhq/relay"
)

const sessionColumns = `id, workspace_id, user_id, kind, name, token_hash, created_at, last_used_at, expires_at`

// A session's last_used_at column is NOT NULL: 0 stores "never used" (an API
// token nobody has presented yet), which reads back as nil.
func lastUsedMicros(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return micros(*t)
}

func lastUsedPtr(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := fromMicros(us)
	return &t
}

func scanSession(row interface{ Scan(...any) error }) (*relay.Session, error) {
	var s relay.Session
	var created, lastUsed int64
	var expires sql.NullInt64
	if err := row.Scan(&s.ID, &s.WorkspaceID, &s.UserID, &s.Kind, &s.Name, &s.TokenHash,
		&created, &lastUsed, &expires); err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastUsedAt, s.ExpiresAt = fromMicros(created), lastUsedPtr(lastUsed), timePtr(expires)
	return &s, nil
}

// insertSession stores s. The database refuses a session whose user is not
// a member of its workspace (ENOTFOUND).
func insertSession(ctx context.Context, tx *sql.Tx, s *relay.Session) error {
	s.CreatedAt, s.LastUsedAt, s.ExpiresAt = normal(s.CreatedAt), normalPtr(s.LastUsedAt), normalPtr(s.ExpiresAt)
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.ID, s.WorkspaceID, s.UserID, s.Kind, s.Name, s.TokenHash,
		micros(s.CreatedAt), lastUsedMicros(s.LastUsedAt), nullMicros(s.ExpiresAt))
	if err != nil {
		return classify("insert session", err, on{
			uniqueViolation:     conflict(msgTokenTaken),
			primaryKeyViolation: conflict(msgIDTaken),
			foreignKeyViolation: missing(msgMemberNotFound),
			checkViolation:      invalid(msgBadKind),
		})
	}
	return nil
}

// CreateSession stores a session or API token (s.Kind says which). ENOTFOUND
// if s.UserID is not a member of s.WorkspaceID; ECONFLICT if the token hash
// is already stored.
func (db *DB) CreateSession(ctx context.Context, s *relay.Session) error {
	return db.update(ctx, "create session", func(tx *sql.Tx) error {
		return insertSession(ctx, tx, s)
	})
}

// Authenticate finds the session or token with this hash in this workspace,
// unexpired at now, together with its user and membership. Anything else
// (unknown hash, other workspace, expired, membership gone) is EUNAUTHORIZED.
func (db *DB) Authenticate(ctx context.Context, workspaceID relay.ID, tokenHash []byte, now time.Time) (*relay.Session, *relay.User, *relay.Membership, error) {
	var s relay.Session
	var u relay.User
	var m relay.Membership
	var sCreated, sLastUsed, uCreated, mCreated int64
	var sExpires sql.NullInt64
	// The join on memberships is the membership check: a session whose
	// member was removed has no row (and the foreign key removes it anyway).
	err := db.read.QueryRowContext(ctx, `SELECT
			s.id, s.workspace_id, s.user_id, s.kind, s.name, s.token_hash,
			s.created_at, s.last_used_at, s.expires_at,
			u.id, u.email, u.display_name, u.avatar_url, u.password_hash, u.superadmin, u.created_at,
			m.workspace_id, m.user_id, m.role, m.desk, m.created_at
		FROM sessions s
		JOIN memberships m ON m.workspace_id = s.workspace_id AND m.user_id = s.user_id
		JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.workspace_id = $2
			AND (s.expires_at IS NULL OR s.expires_at > $3)`,
		tokenHash, workspaceID, micros(now)).Scan(
		&s.ID, &s.WorkspaceID, &s.UserID, &s.Kind, &s.Name, &s.TokenHash,
		&sCreated, &sLastUsed, &sExpires,
		&u.ID, &u.Email, &u.DisplayName, &u.AvatarURL, &u.PasswordHash, &u.Superadmin, &uCreated,
		&m.WorkspaceID, &m.UserID, &m.Role, &m.Desk, &mCreated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, fmt.Errorf("authenticate: %w", relay.Errorf(relay.EUNAUTHORIZED, "%s", msgUnauthenticated))
	} else if err != nil {
		return nil, nil, nil, unavailable(fmt.Errorf("authenticate: %w", err))
	}
	s.CreatedAt, s.LastUsedAt, s.ExpiresAt = fromMicros(sCreated), lastUsedPtr(sLastUsed), timePtr(sExpires)
	u.CreatedAt = fromMicros(uCreated)
	m.CreatedAt = fromMicros(mCreated)
	return &s, &u, &m, nil
}

// TouchSession records a use: last_used_at, and expires_at when non-nil.
// ENOTFOUND if the workspace has no such session (it was deleted meanwhile).
func (db *DB) TouchSession(ctx context.Context, workspaceID, sessionID relay.ID, lastUsed time.Time, expiresAt *time.Time) error {
	return db.update(ctx, "touch session", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions
			SET last_used_at = $3, expires_at = COALESCE($4, expires_at)
			WHERE workspace_id = $1 AND id = $2`,
			workspaceID, sessionID, micros(lastUsed), nullMicros(expiresAt))
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			return missing(msgSessionNotFound)
		}
		return nil
	})
}

// DeleteSession removes one session or token of the workspace; deleting a
// missing one is not an error (logout is idempotent).
func (db *DB) DeleteSession(ctx context.Context, workspaceID, sessionID relay.ID) error {
	return db.update(ctx, "delete session", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE workspace_id = $1 AND id = $2`,
			workspaceID, sessionID); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		return nil
	})
}

// ListTokens returns the user's API tokens (kind "api") in the workspace,
// newest first; never nil.
func (db *DB) ListTokens(ctx context.Context, workspaceID, userID relay.ID) ([]relay.Session, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE workspace_id = $1 AND user_id = $2 AND kind = $3
		ORDER BY created_at DESC, id DESC`, workspaceID, userID, relay.TokenAPI)
	if err != nil {
		return nil, unavailable(fmt.Errorf("list tokens: %w", err))
	}
	defer rows.Close()
	tokens := []relay.Session{}
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		tokens = append(tokens, *s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return tokens, nil
}

// DeleteToken revokes one of the user's API tokens; ENOTFOUND if it is not
// theirs, not an API token, or not in this workspace.
func (db *DB) DeleteToken(ctx context.Context, workspaceID, userID, tokenID relay.ID) error {
	return db.update(ctx, "delete token", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions
			WHERE workspace_id = $1 AND user_id = $2 AND id = $3 AND kind = $4`,
			workspaceID, userID, tokenID, relay.TokenAPI)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			return missing(msgTokenNotFound)
		}
		return nil
	})
}

// CreateHandoff stores the hash of a sign-up hand-off code for a member of
// the workspace, valid until expiresAt.
func (db *DB) CreateHandoff(ctx context.Context, workspaceID, userID relay.ID, codeHash []byte, expiresAt time.Time) error {
	return db.update(ctx, "create handoff", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO handoffs (code_hash, workspace_id, user_id, expires_at)
			VALUES ($1, $2, $3, $4)`, codeHash, workspaceID, userID, micros(expiresAt))
		if err != nil {
			return classify("insert handoff", err, on{
				primaryKeyViolation: conflict(msgTokenTaken),
				uniqueViolation:     conflict(msgTokenTaken),
				foreignKeyViolation: missing(msgMemberNotFound),
			})
		}
		return nil
	})
}

// ExchangeHandoff consumes a hand-off code of the workspace that is still
// valid at now and, in the same transaction, stores s as a new session of
// the code's user (s.UserID is set here). An unknown, used, expired or
// foreign code is EUNAUTHORIZED; a code can be exchanged once.
func (db *DB) ExchangeHandoff(ctx context.Context, workspaceID relay.ID, codeHash []byte, now time.Time, s *relay.Session) error {
	return db.update(ctx, "exchange handoff", func(tx *sql.Tx) error {
		var userID relay.ID
		err := tx.QueryRowContext(ctx, `DELETE FROM handoffs
			WHERE code_hash = $1 AND workspace_id = $2 AND expires_at > $3
			RETURNING user_id`, codeHash, workspaceID, micros(now)).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return relay.Errorf(relay.EUNAUTHORIZED, "This sign-in link has expired or was already used; sign in with your email and password.")
		} else if err != nil {
			return fmt.Errorf("delete handoff: %w", err)
		}
		s.UserID, s.WorkspaceID = userID, workspaceID
		return insertSession(ctx, tx, s)
	})
}

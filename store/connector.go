package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/relayhq/relay"
)

const (
	msgConnectorNotFound       = "Connector not found."
	msgContactNotFound         = "Contact not found."
	msgExternalTaken           = "That outside account is already connected to a workspace."
	msgJoinCodeTaken           = "That join code is already in use; please try again."
	msgBadConnector            = "That is not a valid connector."
	msgBadContact              = "That is not a valid contact."
	msgExternalMessageNotFound = "No message is linked to that outside message."
	msgNotDeliveredThere       = "That message has no copy there (yet)."
)

// encodeConfig stores a connector's or conversation's settings as a JSON
// object: "{}" for none.
func encodeConfig(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, err := json.Marshal(m)
	if err != nil { // a map of strings always encodes
		panic(fmt.Sprintf("encode config: %v", err))
	}
	return string(b)
}

// decodeConfig reads what encodeConfig wrote; never nil, so callers may
// set keys on what they read.
func decodeConfig(s string) (map[string]string, error) {
	m := map[string]string{}
	if s == "" || s == "{}" {
		return m, nil
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	if m == nil { // "null"
		m = map[string]string{}
	}
	return m, nil
}

// nullBytes stores optional bytes: NULL for none.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

const connectorColumns = `id, workspace_id, type, name, model, status, last_error, last_error_at,
	external_id, join_code, config, secrets, created_by, created_at, updated_at`

func scanConnector(row interface{ Scan(...any) error }) (*relay.Connector, error) {
	var c relay.Connector
	var lastErrorAt sql.NullInt64
	var created, updated int64
	var config string
	if err := row.Scan(&c.ID, &c.WorkspaceID, &c.Type, &c.Name, &c.Model, &c.Status, &c.LastError, &lastErrorAt,
		&c.ExternalID, &c.JoinCode, &config, &c.Secrets, &c.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	var err error
	if c.Config, err = decodeConfig(config); err != nil {
		return nil, err
	}
	if len(c.Secrets) == 0 {
		c.Secrets = nil
	}
	c.LastErrorAt = timePtr(lastErrorAt)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

// connectorWhere reads one connector by a WHERE clause, or ENOTFOUND.
func (db *DB) connectorWhere(ctx context.Context, q querier, where string, args ...any) (*relay.Connector, error) {
	c, err := scanConnector(q.QueryRowContext(ctx, `SELECT `+connectorColumns+` FROM connectors WHERE `+where, args...))
	if err != nil {
		return nil, notFound("connector", err, msgConnectorNotFound)
	}
	return c, nil
}

// connectorTaken reports which unique key of c another connector holds,
// as the error to return, or nil. Checked before writing so the message
// names the clash; the unique indexes still decide under a race.
func connectorTaken(ctx context.Context, tx *sql.Tx, c *relay.Connector) error {
	var n int
	if c.ExternalID != "" {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM connectors WHERE type = $1 AND external_id = $2 AND id <> $3`,
			c.Type, c.ExternalID, c.ID).Scan(&n); err != nil {
			return fmt.Errorf("check external id: %w", err)
		} else if n > 0 {
			return conflict(msgExternalTaken)
		}
	}
	if c.JoinCode != "" {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM connectors WHERE join_code = $1 AND id <> $2`,
			c.JoinCode, c.ID).Scan(&n); err != nil {
			return fmt.Errorf("check join code: %w", err)
		} else if n > 0 {
			return conflict(msgJoinCodeTaken)
		}
	}
	return nil
}

// connectorViolations maps what writing a connector may break.
var connectorViolations = on{
	uniqueViolation:     conflict(msgExternalTaken),
	primaryKeyViolation: conflict(msgIDTaken),
	foreignKeyViolation: missing(msgWorkspaceNotFound),
	checkViolation:      invalid(msgBadConnector),
}

// CreateConnector implements app.ConnectorStore. An empty status is
// active; c's times are normalised (UpdatedAt defaults to CreatedAt) and a
// nil Config becomes an empty map, as they read back.
func (db *DB) CreateConnector(ctx context.Context, c *relay.Connector) error {
	if c.Status == "" {
		c.Status = relay.ConnectorActive
	}
	if c.Config == nil {
		c.Config = map[string]string{}
	}
	c.CreatedAt = normal(c.CreatedAt)
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	c.UpdatedAt, c.LastErrorAt = normal(c.UpdatedAt), normalPtr(c.LastErrorAt)
	return db.update(ctx, "create connector", func(tx *sql.Tx) error {
		if err := connectorTaken(ctx, tx, c); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO connectors (id, workspace_id, type, name, model, status, last_error,
				last_error_at, external_id, join_code, config, secrets, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			c.ID, c.WorkspaceID, c.Type, c.Name, c.Model, c.Status, c.LastError, nullMicros(c.LastErrorAt),
			c.ExternalID, c.JoinCode, encodeConfig(c.Config), nullBytes(c.Secrets), c.CreatedBy,
			micros(c.CreatedAt), micros(c.UpdatedAt))
		if err != nil {
			return classify("insert", err, connectorViolations)
		}
		return nil
	})
}

// Connectors implements app.ConnectorStore.
func (db *DB) Connectors(ctx context.Context, workspaceID relay.ID) ([]relay.Connector, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+connectorColumns+` FROM connectors
		WHERE workspace_id = $1 ORDER BY created_at, id`, workspaceID)
	if err != nil {
		return nil, unavailable(fmt.Errorf("connectors: %w", err))
	}
	defer rows.Close()
	out := []relay.Connector{}
	for rows.Next() {
		c, err := scanConnector(rows)
		if err != nil {
			return nil, fmt.Errorf("connectors: %w", err)
		}
		out = append(out, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("connectors: %w", err)
	}
	return out, nil
}

// Connector implements app.ConnectorStore.
func (db *DB) Connector(ctx context.Context, workspaceID, id relay.ID) (*relay.Connector, error) {
	return db.connectorWhere(ctx, db.read, `workspace_id = $1 AND id = $2`, workspaceID, id)
}

// ConnectorForHook implements app.ConnectorStore.
func (db *DB) ConnectorForHook(ctx context.Context, id relay.ID) (*relay.Connector, error) {
	return db.connectorWhere(ctx, db.read, `id = $1`, id)
}

// ConnectorByExternal implements app.ConnectorStore.
func (db *DB) ConnectorByExternal(ctx context.Context, typ, externalID string) (*relay.Connector, error) {
	if externalID == "" {
		return nil, missing(msgConnectorNotFound)
	}
	return db.connectorWhere(ctx, db.read, `type = $1 AND external_id = $2`, typ, externalID)
}

// ConnectorByJoinCode implements app.ConnectorStore.
func (db *DB) ConnectorByJoinCode(ctx context.Context, code string) (*relay.Connector, error) {
	if code == "" {
		return nil, missing(msgConnectorNotFound)
	}
	return db.connectorWhere(ctx, db.read, `join_code = $1 AND type = 'line' AND model = 'shared'`, code)
}

// UpdateConnector implements app.ConnectorStore. updated_at is set to
// c.UpdatedAt (the caller's now), or the current time when it is zero.
func (db *DB) UpdateConnector(ctx context.Context, c *relay.Connector) error {
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = time.Now()
	}
	if c.Config == nil {
		c.Config = map[string]string{}
	}
	c.UpdatedAt, c.LastErrorAt = normal(c.UpdatedAt), normalPtr(c.LastErrorAt)
	return db.update(ctx, "update connector", func(tx *sql.Tx) error {
		if err := connectorTaken(ctx, tx, c); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE connectors SET name = $3, model = $4, status = $5, last_error = $6,
				last_error_at = $7, external_id = $8, join_code = $9, config = $10, secrets = $11, updated_at = $12
			WHERE workspace_id = $1 AND id = $2`,
			c.WorkspaceID, c.ID, c.Name, c.Model, c.Status, c.LastError, nullMicros(c.LastErrorAt),
			c.ExternalID, c.JoinCode, encodeConfig(c.Config), nullBytes(c.Secrets), micros(c.UpdatedAt))
		if err != nil {
			return classify("update", err, connectorViolations)
		}
		return oneRow(res, msgConnectorNotFound)
	})
}

// SetConnectorHealth implements app.ConnectorStore. A healthy outcome on a
// connector that is not in error (the usual case, once per delivery) only
// reads: it takes no write lock.
func (db *DB) SetConnectorHealth(ctx context.Context, workspaceID, id relay.ID, errText string, at time.Time) error {
	if errText == "" {
		var status string
		err := db.read.QueryRowContext(ctx, `SELECT status FROM connectors WHERE workspace_id = $1 AND id = $2`,
			workspaceID, id).Scan(&status)
		if err != nil {
			return notFound("connector health", err, msgConnectorNotFound)
		}
		if status != relay.ConnectorError {
			return nil
		}
	}
	return db.update(ctx, "connector health", func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		if errText == "" {
			// last_error stays: it is the last one, shown with its time.
			res, err = tx.ExecContext(ctx, `UPDATE connectors SET status = CASE WHEN status = 'error' THEN 'active' ELSE status END
				WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE connectors SET status = CASE WHEN status = 'disabled' THEN status ELSE 'error' END,
					last_error = $3, last_error_at = $4
				WHERE workspace_id = $1 AND id = $2`, workspaceID, id, errText, micros(at))
		}
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		return oneRow(res, msgConnectorNotFound)
	})
}

// DeleteConnector implements app.ConnectorStore: the foreign keys cascade
// to contacts, conversations, message links, hook events and outbox rows.
func (db *DB) DeleteConnector(ctx context.Context, workspaceID, id relay.ID) error {
	return db.update(ctx, "delete connector", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM connectors WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		return oneRow(res, msgConnectorNotFound)
	})
}

// checkConnector fails with ENOTFOUND unless the workspace has the connector.
func checkConnector(ctx context.Context, q querier, workspaceID, id relay.ID) error {
	var found relay.ID
	err := q.QueryRowContext(ctx, `SELECT id FROM connectors WHERE workspace_id = $1 AND id = $2`, workspaceID, id).Scan(&found)
	if err != nil {
		return notFound("find connector", err, msgConnectorNotFound)
	}
	return nil
}

const contactColumns = `id, workspace_id, connector_id, external_id, name, avatar_url, state, created_at, updated_at`

func scanContact(row interface{ Scan(...any) error }) (*relay.Contact, error) {
	var c relay.Contact
	var created, updated int64
	if err := row.Scan(&c.ID, &c.WorkspaceID, &c.ConnectorID, &c.ExternalID, &c.Name, &c.AvatarURL, &c.State,
		&created, &updated); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

// UpsertContact implements app.ConnectorStore. The time of the change is
// c.UpdatedAt, else c.CreatedAt, else the current time; an empty state
// keeps the stored one (a new contact is active). A connector of another
// workspace is ENOTFOUND, even when it has a contact with that outside id.
func (db *DB) UpsertContact(ctx context.Context, c *relay.Contact) (*relay.Contact, error) {
	if c == nil || c.ExternalID == "" || c.ID <= 0 {
		return nil, fmt.Errorf("upsert contact: %w", invalid(msgBadContact))
	}
	now := c.UpdatedAt
	if now.IsZero() {
		now = c.CreatedAt
	}
	if now.IsZero() {
		now = time.Now()
	}
	created := c.CreatedAt
	if created.IsZero() {
		created = now
	}
	var out *relay.Contact
	err := db.update(ctx, "upsert contact", func(tx *sql.Tx) (err error) {
		out, err = scanContact(tx.QueryRowContext(ctx, `INSERT INTO contacts (id, workspace_id, connector_id, external_id,
				name, avatar_url, state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 = '' THEN 'active' ELSE $7 END, $8, $9)
			ON CONFLICT (connector_id, external_id) DO UPDATE SET
				name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE contacts.name END,
				avatar_url = CASE WHEN excluded.avatar_url <> '' THEN excluded.avatar_url ELSE contacts.avatar_url END,
				state = CASE WHEN $7 = '' THEN contacts.state ELSE excluded.state END,
				updated_at = excluded.updated_at
			WHERE contacts.workspace_id = excluded.workspace_id
			RETURNING `+contactColumns,
			c.ID, c.WorkspaceID, c.ConnectorID, c.ExternalID, c.Name, c.AvatarURL, c.State, micros(created), micros(now)))
		if errors.Is(err, sql.ErrNoRows) {
			return missing(msgConnectorNotFound) // the outside id is known under another workspace's connector
		}
		if err != nil {
			return classify("upsert", err, on{
				primaryKeyViolation: conflict(msgIDTaken),
				foreignKeyViolation: missing(msgConnectorNotFound),
				checkViolation:      invalid(msgBadContact),
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ContactByExternal implements app.ConnectorStore.
func (db *DB) ContactByExternal(ctx context.Context, connectorID relay.ID, externalID string) (*relay.Contact, error) {
	c, err := scanContact(db.read.QueryRowContext(ctx, `SELECT `+contactColumns+` FROM contacts
		WHERE connector_id = $1 AND external_id = $2`, connectorID, externalID))
	if err != nil {
		return nil, notFound("contact", err, msgContactNotFound)
	}
	return c, nil
}

// LinkedContact implements app.ConnectorStore.
func (db *DB) LinkedContact(ctx context.Context, typ, model, externalID string) (*relay.Contact, error) {
	c, err := scanContact(db.read.QueryRowContext(ctx, `SELECT ct.id, ct.workspace_id, ct.connector_id, ct.external_id,
			ct.name, ct.avatar_url, ct.state, ct.created_at, ct.updated_at
		FROM contacts ct JOIN connectors c ON c.id = ct.connector_id
		WHERE ct.external_id = $1 AND c.type = $2 AND c.model = $3
		ORDER BY ct.updated_at DESC, ct.id DESC LIMIT 1`, externalID, typ, model))
	if err != nil {
		return nil, notFound("linked contact", err, msgContactNotFound)
	}
	return c, nil
}

// Contacts implements app.ConnectorStore: the connector's contacts, oldest
// first; a connector of another workspace is ENOTFOUND.
func (db *DB) Contacts(ctx context.Context, workspaceID, connectorID relay.ID) ([]relay.Contact, error) {
	out := []relay.Contact{}
	err := db.view(ctx, "contacts", func(tx *sql.Tx) error {
		if err := checkConnector(ctx, tx, workspaceID, connectorID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+contactColumns+` FROM contacts
			WHERE workspace_id = $1 AND connector_id = $2 ORDER BY created_at, id`, workspaceID, connectorID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanContact(rows)
			if err != nil {
				return err
			}
			out = append(out, *c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MarkHookEvent implements app.ConnectorStore.
func (db *DB) MarkHookEvent(ctx context.Context, connectorID relay.ID, eventID string, now time.Time) (bool, error) {
	var fresh bool
	err := db.update(ctx, "mark hook event", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO hook_events (connector_id, event_id, received_at) VALUES ($1, $2, $3)
			ON CONFLICT (connector_id, event_id) DO NOTHING`, connectorID, eventID, micros(now))
		if err != nil {
			return classify("insert", err, on{foreignKeyViolation: missing(msgConnectorNotFound)})
		}
		n, err := rowsAffected(res)
		fresh = n == 1
		return err
	})
	return fresh, err
}

// PurgeHookEvents implements app.ConnectorStore.
func (db *DB) PurgeHookEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.update(ctx, "purge hook events", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM hook_events WHERE received_at < $1`, micros(before))
		if err != nil {
			return err
		}
		n, err = rowsAffected(res)
		return err
	})
	return n, err
}

// PurgeDelivered implements app.ConnectorStore: delivered outbox rows and
// webhook delivery-log entries older than before go; dead and waiting
// rows stay.
func (db *DB) PurgeDelivered(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.update(ctx, "purge delivered", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE state = 'delivered' AND updated_at < $1`, micros(before))
		if err != nil {
			return err
		}
		if n, err = rowsAffected(res); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE created_at < $1`, micros(before))
		if err != nil {
			return err
		}
		m, err := rowsAffected(res)
		n += m
		return err
	})
	return n, err
}

// LinkExternalMessage implements app.ConnectorStore. A connector or
// message not in the workspace is ENOTFOUND.
func (db *DB) LinkExternalMessage(ctx context.Context, workspaceID, connectorID relay.ID, externalID string, messageID relay.ID, now time.Time) error {
	if externalID == "" {
		return fmt.Errorf("link external message: %w", invalid(msgBadMessage))
	}
	return db.update(ctx, "link external message", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO external_messages (workspace_id, connector_id, external_id, message_id, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (connector_id, external_id) DO NOTHING`,
			workspaceID, connectorID, externalID, messageID, micros(now))
		if err != nil {
			// Either the connector or the message is not the workspace's
			// (asked outside tx: PostgreSQL has aborted it).
			if violationOf(err) == foreignKeyViolation {
				if err := checkConnector(ctx, db.read, workspaceID, connectorID); err != nil {
					return err
				}
				return missing(msgMessageNotFound)
			}
			return fmt.Errorf("insert: %w", err)
		}
		return nil
	})
}

// MessageByExternal implements app.ConnectorStore.
func (db *DB) MessageByExternal(ctx context.Context, workspaceID, connectorID relay.ID, externalID string) (relay.ID, error) {
	var id relay.ID
	err := db.read.QueryRowContext(ctx, `SELECT message_id FROM external_messages
		WHERE workspace_id = $1 AND connector_id = $2 AND external_id = $3`, workspaceID, connectorID, externalID).Scan(&id)
	if err != nil {
		return 0, notFound("message by external id", err, msgExternalMessageNotFound)
	}
	return id, nil
}

// ExternalIDOf implements app.ConnectorStore. Should a message have
// several copies through one connector, the first is returned.
func (db *DB) ExternalIDOf(ctx context.Context, workspaceID, connectorID, messageID relay.ID) (string, error) {
	var id string
	err := db.read.QueryRowContext(ctx, `SELECT external_id FROM external_messages
		WHERE message_id = $1 AND workspace_id = $2 AND connector_id = $3
		ORDER BY created_at, external_id LIMIT 1`, messageID, workspaceID, connectorID).Scan(&id)
	if err != nil {
		return "", notFound("external id", err, msgNotDeliveredThere)
	}
	return id, nil
}

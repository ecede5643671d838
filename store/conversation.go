package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/relayhq/relay"
)

const (
	msgConversationNotFound = "Conversation not found."
	msgBadConversation      = "That is not a valid conversation."
)

const conversationColumns = `id, workspace_id, connector_id, channel_id, key, name, contact_id, config, secrets, created_at`

func scanConversation(row interface{ Scan(...any) error }) (*relay.Conversation, error) {
	var c relay.Conversation
	var contact sql.NullInt64
	var config string
	var created int64
	if err := row.Scan(&c.ID, &c.WorkspaceID, &c.ConnectorID, &c.ChannelID, &c.Key, &c.Name, &contact, &config,
		&c.Secrets, &created); err != nil {
		return nil, err
	}
	if contact.Valid {
		id := relay.ID(contact.Int64)
		c.ContactID = &id
	}
	var err error
	if c.Config, err = decodeConfig(config); err != nil {
		return nil, err
	}
	if len(c.Secrets) == 0 {
		c.Secrets = nil
	}
	c.CreatedAt = fromMicros(created)
	return &c, nil
}

// queryConversations reads the conversations a WHERE clause selects, oldest first.
func queryConversations(ctx context.Context, q querier, where string, args ...any) ([]relay.Conversation, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE `+where+`
		ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []relay.Conversation{}
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// ConversationByKey implements app.ConnectorStore.
func (db *DB) ConversationByKey(ctx context.Context, connectorID relay.ID, key string) (*relay.Conversation, error) {
	c, err := scanConversation(db.read.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE connector_id = $1 AND key = $2`, connectorID, key))
	if err != nil {
		return nil, notFound("conversation", err, msgConversationNotFound)
	}
	return c, nil
}

// CreateConversation implements app.ConnectorStore. Callers racing to
// create the same conversation are serialised by a lock on the connector
// row (PostgreSQL; SQLite's one writer serialises them anyway), so exactly
// one creates it and its channel, and the others read it back. The lock
// does not block the key-share locks that inserting contacts or outbox
// rows of the connector take. conv's times are normalised and a nil Config
// becomes an empty map; ch, when given, is made kind external in conv's
// workspace, and conv.ChannelID is set to it.
func (db *DB) CreateConversation(ctx context.Context, conv *relay.Conversation, ch *relay.Channel, members []relay.ID) (*relay.Conversation, bool, error) {
	if conv == nil || conv.ID <= 0 || conv.Key == "" {
		return nil, false, fmt.Errorf("create conversation: %w", invalid(msgBadConversation))
	}
	var stored *relay.Conversation
	err := db.update(ctx, "create conversation", func(tx *sql.Tx) error {
		var id relay.ID
		err := tx.QueryRowContext(ctx, `SELECT id FROM connectors WHERE workspace_id = $1 AND id = $2`+db.forNoKeyUpdate,
			conv.WorkspaceID, conv.ConnectorID).Scan(&id)
		if err != nil {
			return notFound("lock connector", err, msgConnectorNotFound)
		}
		stored, err = scanConversation(tx.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations
			WHERE connector_id = $1 AND key = $2`, conv.ConnectorID, conv.Key))
		if err == nil {
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find: %w", err)
		}
		if ch != nil {
			ch.Kind, ch.WorkspaceID = relay.ChannelExternal, conv.WorkspaceID
			if err := db.insertChannel(ctx, tx, ch, members, false); err != nil {
				return err
			}
			conv.ChannelID = ch.ID
		}
		if conv.Config == nil {
			conv.Config = map[string]string{}
		}
		conv.CreatedAt = normal(conv.CreatedAt)
		var contact any
		if conv.ContactID != nil {
			contact = *conv.ContactID
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO conversations (id, workspace_id, connector_id, channel_id, key, name,
				contact_id, config, secrets, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			conv.ID, conv.WorkspaceID, conv.ConnectorID, conv.ChannelID, conv.Key, conv.Name,
			contact, encodeConfig(conv.Config), nullBytes(conv.Secrets), micros(conv.CreatedAt))
		if err != nil {
			return classify("insert", err, on{
				primaryKeyViolation: conflict(msgIDTaken),
				uniqueViolation:     conflict(msgIDTaken),
				foreignKeyViolation: missing(msgChannelNotFound), // the connector is locked above
			})
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if stored != nil {
		return stored, false, nil
	}
	return conv, true, nil
}

// Conversations implements app.ConnectorStore: oldest first; a connector
// of another workspace is ENOTFOUND.
func (db *DB) Conversations(ctx context.Context, workspaceID, connectorID relay.ID) ([]relay.Conversation, error) {
	var out []relay.Conversation
	err := db.view(ctx, "conversations", func(tx *sql.Tx) (err error) {
		if err := checkConnector(ctx, tx, workspaceID, connectorID); err != nil {
			return err
		}
		out, err = queryConversations(ctx, tx, `workspace_id = $1 AND connector_id = $2`, workspaceID, connectorID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ChannelConversations implements app.ConnectorStore: oldest first; a
// channel of another workspace is ENOTFOUND.
func (db *DB) ChannelConversations(ctx context.Context, workspaceID, channelID relay.ID) ([]relay.Conversation, error) {
	var out []relay.Conversation
	err := db.view(ctx, "channel conversations", func(tx *sql.Tx) (err error) {
		if err := channelExists(ctx, tx, workspaceID, channelID); err != nil {
			return err
		}
		out, err = queryConversations(ctx, tx, `workspace_id = $1 AND channel_id = $2`, workspaceID, channelID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteConversation implements app.ConnectorStore. Its pending outbox
// rows go with it (the foreign key cascades).
func (db *DB) DeleteConversation(ctx context.Context, workspaceID, id relay.ID) error {
	return db.update(ctx, "delete conversation", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM conversations WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		return oneRow(res, msgConversationNotFound)
	})
}

// UpdateConversation implements app.ConnectorStore.
func (db *DB) UpdateConversation(ctx context.Context, conv *relay.Conversation) error {
	if conv.Config == nil {
		conv.Config = map[string]string{}
	}
	return db.update(ctx, "update conversation", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE conversations SET name = $3, config = $4, secrets = $5
			WHERE workspace_id = $1 AND id = $2`,
			conv.WorkspaceID, conv.ID, conv.Name, encodeConfig(conv.Config), nullBytes(conv.Secrets))
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		return oneRow(res, msgConversationNotFound)
	})
}

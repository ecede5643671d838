package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/relayhq/relay"
)

const (
	msgAttachmentNotFound = "Attachment not found."
	msgBadAttachment      = "That is not a valid attachment."
)

// storedAttachment is how a message's attachment is kept in its JSON
// array: a plain number for the id (relay.ID's JSON form refuses 0, and
// links such as locations have no stored file), empty fields left out.
type storedAttachment struct {
	ID          int64  `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
	URL         string `json:"url,omitempty"`
	Kind        string `json:"kind,omitempty"`
}

// encodeAttachments stores a message's attachments as a JSON array: "[]"
// for none.
func encodeAttachments(atts []relay.Attachment) string {
	if len(atts) == 0 {
		return "[]"
	}
	stored := make([]storedAttachment, len(atts))
	for i, a := range atts {
		stored[i] = storedAttachment{int64(a.ID), a.Name, a.ContentType, a.Size, a.URL, a.Kind}
	}
	b, err := json.Marshal(stored)
	if err != nil { // plain structs always encode
		panic(fmt.Sprintf("encode attachments: %v", err))
	}
	return string(b)
}

// decodeAttachments reads what encodeAttachments wrote; never nil.
func decodeAttachments(s string) ([]relay.Attachment, error) {
	if s == "" || s == "[]" {
		return []relay.Attachment{}, nil
	}
	var stored []storedAttachment
	if err := json.Unmarshal([]byte(s), &stored); err != nil {
		return nil, fmt.Errorf("decode attachments: %w", err)
	}
	atts := make([]relay.Attachment, len(stored))
	for i, a := range stored {
		atts[i] = relay.Attachment{ID: relay.ID(a.ID), Name: a.Name, ContentType: a.ContentType, Size: a.Size,
			URL: a.URL, Kind: a.Kind}
	}
	return atts, nil
}

// CreateAttachment implements app.ConnectorStore: it records the file's
// metadata (the bytes are in the file store) for the channel, which must be
// in the workspace (ENOTFOUND otherwise).
func (db *DB) CreateAttachment(ctx context.Context, workspaceID, channelID relay.ID, att *relay.Attachment, now time.Time) error {
	if att == nil || att.ID <= 0 || att.Size < 0 {
		return fmt.Errorf("create attachment: %w", invalid(msgBadAttachment))
	}
	return db.update(ctx, "create attachment", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO attachments (id, workspace_id, channel_id, name, content_type, size, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			att.ID, workspaceID, channelID, att.Name, att.ContentType, att.Size, micros(now))
		if err != nil {
			return classify("insert", err, on{
				primaryKeyViolation: conflict(msgIDTaken),
				foreignKeyViolation: missing(msgChannelNotFound),
			})
		}
		return nil
	})
}

// Attachment implements app.ConnectorStore. URL and Kind are not stored
// here (they live on the message): the caller derives the URL.
func (db *DB) Attachment(ctx context.Context, workspaceID, id relay.ID) (*relay.Attachment, relay.ID, error) {
	var att relay.Attachment
	var channelID relay.ID
	err := db.read.QueryRowContext(ctx, `SELECT id, channel_id, name, content_type, size FROM attachments
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id).
		Scan(&att.ID, &channelID, &att.Name, &att.ContentType, &att.Size)
	if err != nil {
		return nil, 0, notFound("attachment", err, msgAttachmentNotFound)
	}
	return &att, channelID, nil
}

package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/relayhq/relay"
)

// PostMessages stores a batch of messages, of any channels and workspaces,
// in one transaction (see app.MessagingStore for the rules). The cost is a
// fixed number of statements per batch, not per message: the batch's
// channels are locked in one statement (ascending id, so concurrent batches
// cannot deadlock), seq, change and timeline positions are assigned in
// memory from the locked counters, messages and mentions are written with
// multi-row INSERTs, and each channel's counters, each thread parent and
// each author's read cursor are written once per batch. The outbox rows the
// new messages call for (relay.Bridged, relay.Announced) are written in the
// same transaction, with at most three more reads per batch (see enqueue),
// and each result says whether its message got some (Queued).
//
// The caller's messages are not modified: each result holds a copy as
// stored (seq, change, times normalised, the author's current name and
// avatar for users, empty Reactions, ReplyUsers and Mentions lists). A
// channel not in the message's workspace is ENOTFOUND, and so is a thread
// parent not in it; a parent in another channel, or a reply, is EINVALID.
func (db *DB) PostMessages(ctx context.Context, msgs []*relay.Message) ([]relay.PostResult, error) {
	for _, m := range msgs {
		if err := checkNew(m); err != nil {
			return nil, fmt.Errorf("post messages: %w", err)
		}
	}
	if len(msgs) == 0 {
		return []relay.PostResult{}, nil
	}
	var results []relay.PostResult
	err := db.update(ctx, "post messages", func(tx *sql.Tx) (err error) {
		b := &batch{
			db:       db,
			tx:       tx,
			q:        db.cached(tx),
			channels: map[relay.ID]*channelState{},
			stored:   map[relay.ID]*relay.Message{},
			byClient: map[clientKey]*relay.Message{},
			fresh:    map[relay.ID]*relay.Message{},
			cursors:  map[memberKey]cursor{},
			queued:   map[relay.ID]bool{},
		}
		results, err = b.post(ctx, msgs)
		return err
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// checkNew refuses what no database state could make valid.
func checkNew(m *relay.Message) error {
	switch {
	case m == nil || m.ID <= 0 || m.Author.ID < 0:
		return invalid(msgBadMessage)
	case m.WorkspaceID <= 0 || m.ChannelID <= 0:
		return missing(msgChannelNotFound)
	case m.ParentID != nil && *m.ParentID <= 0:
		return missing(msgParentNotFound)
	}
	switch m.Author.Kind {
	case relay.AuthorUser, relay.AuthorContact, relay.AuthorBot, relay.AuthorSystem:
		return nil
	}
	return invalid(msgBadMessage)
}

// channelState is a channel of the batch, locked until the transaction ends.
type channelState struct {
	workspaceID                       relay.ID
	name                              string
	kind                              relay.ChannelKind
	lastSeq, lastChange, visibleCount int64
	activeAt                          int64
	changed                           bool
}

type clientKey struct {
	channelID, authorID relay.ID
	clientMsgID         string
}

type memberKey struct{ channelID, userID relay.ID }

// cursor is a read cursor: a seq and the visible count at it.
type cursor struct{ seq, visible int64 }

// newRow is a message to insert with its timeline position (nil: none).
type newRow struct {
	m          *relay.Message
	visiblePos any
}

// batch is the state of one PostMessages transaction.
type batch struct {
	db       *DB
	tx       *sql.Tx
	q        *wtx // tx, with statements prepared once each on SQLite
	channels map[relay.ID]*channelState
	stored   map[relay.ID]*relay.Message // messages read from the database (duplicates, parents)
	byClient map[clientKey]*relay.Message
	fresh    map[relay.ID]*relay.Message // messages of this batch, by id
	rows     []newRow
	mentions [][]any
	parents  []*relay.Message // stored parents whose thread counters changed
	cursors  map[memberKey]cursor
	queued   map[relay.ID]bool // new messages that got outbox rows (enqueue)
}

func (b *batch) post(ctx context.Context, in []*relay.Message) ([]relay.PostResult, error) {
	msgs := make([]*relay.Message, len(in))
	for i, m := range in {
		c := *m
		msgs[i] = &c
	}
	if err := b.lockChannels(ctx, msgs); err != nil {
		return nil, err
	}
	if err := b.loadDuplicates(ctx, msgs); err != nil {
		return nil, err
	}
	if err := b.loadParents(ctx, msgs); err != nil {
		return nil, err
	}
	if err := b.loadAuthors(ctx, msgs); err != nil {
		return nil, err
	}
	results := make([]relay.PostResult, len(msgs))
	for i, m := range msgs {
		r, err := b.place(m)
		if err != nil {
			return nil, err
		}
		results[i] = r
	}
	if err := b.write(ctx); err != nil {
		return nil, err
	}
	if err := b.enqueue(ctx); err != nil {
		return nil, err
	}
	for i := range results {
		results[i].Queued = !results[i].Existing && b.queued[results[i].Message.ID]
	}
	return results, nil
}

// lockChannels reads and locks the batch's channels in ascending id order
// and checks that each message's channel is in its workspace.
func (b *batch) lockChannels(ctx context.Context, msgs []*relay.Message) error {
	var ids []relay.ID
	for _, m := range msgs {
		ids = append(ids, m.ChannelID)
	}
	ids = distinctIDs(ids)
	slices.Sort(ids)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), b.db.inListSize())]
		ids = ids[len(chunk):]
		rows, err := b.q.QueryContext(ctx, `SELECT id, workspace_id, name, kind, last_seq, last_change, visible_count, active_at
			FROM channels WHERE id IN (`+placeholders(1, len(chunk))+`) ORDER BY id`+b.db.forNoKeyUpdate, idArgs(chunk)...)
		if err != nil {
			return fmt.Errorf("lock channels: %w", err)
		}
		for rows.Next() {
			var id relay.ID
			var c channelState
			if err := rows.Scan(&id, &c.workspaceID, &c.name, &c.kind, &c.lastSeq, &c.lastChange, &c.visibleCount, &c.activeAt); err != nil {
				rows.Close()
				return fmt.Errorf("lock channels: %w", err)
			}
			b.channels[id] = &c
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("lock channels: %w", err)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("lock channels: %w", err)
		}
	}
	for _, m := range msgs {
		if c := b.channels[m.ChannelID]; c == nil || c.workspaceID != m.WorkspaceID {
			return missing(msgChannelNotFound)
		}
	}
	return nil
}

// loadDuplicates reads the stored messages with the (channel, author,
// client_msg_id) of any message of the batch. It finds their ids through the
// partial unique index first (the index covers the query), then reads the
// few it finds in full.
func (b *batch) loadDuplicates(ctx context.Context, msgs []*relay.Message) error {
	var keys [][]any
	seen := map[clientKey]bool{}
	for _, m := range msgs {
		k := clientKey{m.ChannelID, m.Author.ID, m.ClientMsgID}
		if m.ClientMsgID != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, []any{k.channelID, k.authorID, k.clientMsgID})
		}
	}
	// One point lookup per key, joined by UNION ALL: each is an index probe
	// whatever plan the engine caches. (An OR of the keys made SQLite scan
	// the whole index; a join with a VALUES list got PostgreSQL a cached
	// generic plan that slowed down as the table grew.)
	ids, err := b.db.queryRows(ctx, b.q, func(n int) string {
		probes := make([]string, n)
		for i := range n {
			probes[i] = fmt.Sprintf(`SELECT id FROM messages
				WHERE channel_id = $%d AND author_id = $%d AND client_msg_id = $%d AND client_msg_id <> ''`, 3*i+1, 3*i+2, 3*i+3)
		}
		return strings.Join(probes, " UNION ALL ")
	}, keys)
	if err != nil || len(ids) == 0 {
		return err
	}
	found, err := b.messages(ctx, ids)
	if err != nil {
		return fmt.Errorf("read duplicates: %w", err)
	}
	for _, m := range found {
		b.byClient[clientKey{m.ChannelID, m.Author.ID, m.ClientMsgID}] = m
	}
	return nil
}

// loadParents reads the thread parents that are not in the batch itself.
func (b *batch) loadParents(ctx context.Context, msgs []*relay.Message) error {
	batchIDs := make(map[relay.ID]bool, len(msgs))
	for _, m := range msgs {
		batchIDs[m.ID] = true
	}
	var ids []relay.ID
	for _, m := range msgs {
		if p := m.ParentID; p != nil && !batchIDs[*p] && b.stored[*p] == nil {
			ids = append(ids, *p)
		}
	}
	if _, err := b.messages(ctx, distinctIDs(ids)); err != nil {
		return fmt.Errorf("find parents: %w", err)
	}
	return nil
}

// messages reads stored messages by id (any workspace: callers check) and
// keeps each once in b.stored, so a message both duplicated and replied to
// in one batch is one struct. It returns those it found.
func (b *batch) messages(ctx context.Context, ids []relay.ID) ([]*relay.Message, error) {
	var out []*relay.Message
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), b.db.inListSize())]
		ids = ids[len(chunk):]
		found, err := b.db.queryMessages(ctx, b.q, selectMessages+` WHERE m.id IN (`+placeholders(1, len(chunk))+`)`, idArgs(chunk)...)
		if err != nil {
			return nil, err
		}
		for i := range found {
			m := &found[i]
			if s := b.stored[m.ID]; s != nil {
				m = s
			}
			b.stored[m.ID] = m
			out = append(out, m)
		}
	}
	return out, nil
}

// loadAuthors sets users' current display name and avatar as the author's.
func (b *batch) loadAuthors(ctx context.Context, msgs []*relay.Message) error {
	var ids []relay.ID
	for _, m := range msgs {
		if m.Author.Kind == relay.AuthorUser {
			ids = append(ids, m.Author.ID)
		}
	}
	ids = distinctIDs(ids)
	type profile struct{ name, avatar string }
	users := map[relay.ID]profile{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), b.db.inListSize())]
		ids = ids[len(chunk):]
		rows, err := b.q.QueryContext(ctx, `SELECT id, display_name, avatar_url FROM users
			WHERE id IN (`+placeholders(1, len(chunk))+`)`, idArgs(chunk)...)
		if err != nil {
			return fmt.Errorf("authors: %w", err)
		}
		for rows.Next() {
			var id relay.ID
			var p profile
			if err := rows.Scan(&id, &p.name, &p.avatar); err != nil {
				rows.Close()
				return fmt.Errorf("authors: %w", err)
			}
			users[id] = p
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("authors: %w", err)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("authors: %w", err)
		}
	}
	for _, m := range msgs {
		if p, ok := users[m.Author.ID]; ok && m.Author.Kind == relay.AuthorUser {
			m.Author.DisplayName, m.Author.AvatarURL = p.name, p.avatar
		}
	}
	return nil
}

// place gives one message its place in its channel, in memory.
func (b *batch) place(m *relay.Message) (relay.PostResult, error) {
	if m.ClientMsgID != "" {
		k := clientKey{m.ChannelID, m.Author.ID, m.ClientMsgID}
		if dup := b.byClient[k]; dup != nil {
			return relay.PostResult{Message: dup, Existing: true}, nil
		}
		b.byClient[k] = m
	}
	var parent *relay.Message
	if m.ParentID != nil {
		if parent = b.fresh[*m.ParentID]; parent == nil {
			parent = b.stored[*m.ParentID]
		}
		switch {
		case parent == nil || parent.WorkspaceID != m.WorkspaceID:
			return relay.PostResult{}, missing(msgParentNotFound)
		case parent.ChannelID != m.ChannelID:
			return relay.PostResult{}, invalid(msgParentElsewhere)
		case parent.ParentID != nil:
			return relay.PostResult{}, invalid(msgReplyToReply)
		}
	} else {
		m.Broadcast = false
	}

	c := b.channels[m.ChannelID]
	c.changed = true
	c.lastSeq++
	c.lastChange++
	m.Seq, m.Change = c.lastSeq, c.lastChange
	m.CreatedAt = normal(m.CreatedAt)
	m.ReplyCount, m.LastReplyAt, m.ReplyUsers = 0, nil, []relay.ID{}
	m.EditedAt, m.DeletedAt, m.Reactions = nil, nil, []relay.Reaction{}
	m.Mentions = distinctIDs(m.Mentions)
	m.Attachments = slices.Clone(m.Attachments)
	if m.Attachments == nil {
		m.Attachments = []relay.Attachment{}
	}
	m.Deliveries = nil
	c.activeAt = max(c.activeAt, micros(m.CreatedAt))
	row := newRow{m: m}
	if m.Visible() {
		c.visibleCount++
		row.visiblePos = c.visibleCount
	}
	b.rows = append(b.rows, row)
	b.fresh[m.ID] = m
	b.mentions = mentionRows(b.mentions, m.WorkspaceID, m.ChannelID, m.ID, m.Seq, m.Author.ID, m.Mentions, m.MentionAll)
	if m.Author.Kind == relay.AuthorUser || m.Author.Kind == relay.AuthorBot {
		b.cursors[memberKey{m.ChannelID, m.Author.ID}] = cursor{m.Seq, c.visibleCount}
	}

	res := relay.PostResult{Message: m}
	if parent != nil {
		parent.ReplyCount++
		if parent.LastReplyAt == nil || m.CreatedAt.After(*parent.LastReplyAt) {
			at := m.CreatedAt
			parent.LastReplyAt = &at
		}
		if !slices.Contains(parent.ReplyUsers, m.Author.ID) {
			parent.ReplyUsers = append(slices.Clip(parent.ReplyUsers), m.Author.ID)
		}
		c.lastChange++
		parent.Change = c.lastChange
		// A parent of this batch is inserted with its final counters; a
		// stored one is updated once, after the batch.
		if b.fresh[parent.ID] == nil && !slices.Contains(b.parents, parent) {
			b.parents = append(b.parents, parent)
		}
		res.Parent = cloneMessage(parent)
	}
	return res, nil
}

var messageInsertCols = []string{"id", "workspace_id", "channel_id", "seq", "change", "visible_pos",
	"author_id", "author_kind", "author_name", "author_avatar", "source", "body", "parent_id", "broadcast",
	"reply_count", "last_reply_at", "reply_users", "client_msg_id", "internal", "created_at",
	"mention_ids", "mention_all", "attachments"}

// write stores what place decided: messages and mentions in multi-row
// INSERTs, then each stored parent, channel and read cursor once.
func (b *batch) write(ctx context.Context) error {
	rows := make([][]any, len(b.rows))
	for i, r := range b.rows {
		m := r.m
		var parent any
		if m.ParentID != nil {
			parent = *m.ParentID
		}
		rows[i] = []any{m.ID, m.WorkspaceID, m.ChannelID, m.Seq, m.Change, r.visiblePos,
			m.Author.ID, m.Author.Kind, m.Author.DisplayName, m.Author.AvatarURL, m.Source, m.Body, parent, m.Broadcast,
			m.ReplyCount, nullMicros(m.LastReplyAt), encodeIDs(m.ReplyUsers), m.ClientMsgID, m.Internal, micros(m.CreatedAt),
			encodeIDs(m.Mentions), m.MentionAll, encodeAttachments(m.Attachments)}
	}
	if err := b.db.insertRows(ctx, b.q, "messages", messageInsertCols, rows); err != nil {
		return classify("insert messages", err, on{
			primaryKeyViolation: conflict(msgIDTaken),
			uniqueViolation:     conflict(msgIDTaken),
			foreignKeyViolation: missing(msgChannelNotFound),
			checkViolation:      invalid(msgBadMessage),
		})
	}
	if err := b.db.insertRows(ctx, b.q, "mentions", mentionCols, b.mentions); err != nil {
		return fmt.Errorf("insert mentions: %w", err)
	}
	for _, p := range b.parents {
		if _, err := b.q.ExecContext(ctx, `UPDATE messages SET reply_count = $2, last_reply_at = $3,
				reply_users = $4, change = $5 WHERE id = $1`,
			p.ID, p.ReplyCount, nullMicros(p.LastReplyAt), encodeIDs(p.ReplyUsers), p.Change); err != nil {
			return fmt.Errorf("update parent: %w", err)
		}
	}
	ids := make([]relay.ID, 0, len(b.channels))
	for id, c := range b.channels {
		if c.changed {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	keys := make([]memberKey, 0, len(b.cursors))
	for k := range b.cursors {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b memberKey) int {
		return cmp.Or(cmp.Compare(a.channelID, b.channelID), cmp.Compare(a.userID, b.userID))
	})
	if b.db.engine == EnginePostgres {
		return b.writeCountersPostgres(ctx, ids, keys)
	}
	// SQLite: one cached statement per row; execution is in-process and cheap.
	for _, id := range ids {
		c := b.channels[id]
		if _, err := b.q.ExecContext(ctx, `UPDATE channels SET last_seq = $2, last_change = $3,
				visible_count = $4, active_at = $5 WHERE id = $1`,
			id, c.lastSeq, c.lastChange, c.visibleCount, c.activeAt); err != nil {
			return fmt.Errorf("update channel: %w", err)
		}
	}
	for _, k := range keys {
		cur := b.cursors[k]
		if _, err := b.q.ExecContext(ctx, `UPDATE channel_members SET last_read_seq = $3, read_visible = $4
				WHERE channel_id = $1 AND user_id = $2 AND last_read_seq < $3`,
			k.channelID, k.userID, cur.seq, cur.visible); err != nil {
			return fmt.Errorf("move author's cursor: %w", err)
		}
	}
	return nil
}

// writeCountersPostgres updates every channel of the batch in one statement
// and every author's cursor in another: a round trip each, whatever the
// batch holds (one per row cost a round trip per message when a batch
// spans many channels).
func (b *batch) writeCountersPostgres(ctx context.Context, ids []relay.ID, keys []memberKey) error {
	if len(ids) > 0 {
		n := len(ids)
		id, seq, change, visible, active := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		for i, cid := range ids {
			c := b.channels[cid]
			id[i], seq[i], change[i], visible[i], active[i] = int64(cid), c.lastSeq, c.lastChange, c.visibleCount, c.activeAt
		}
		if _, err := b.tx.ExecContext(ctx, `UPDATE channels AS c SET last_seq = v.seq, last_change = v.change,
				visible_count = v.visible, active_at = v.active
			FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::bigint[]) AS seq, unnest($3::bigint[]) AS change,
				unnest($4::bigint[]) AS visible, unnest($5::bigint[]) AS active) AS v
			WHERE c.id = v.id`, id, seq, change, visible, active); err != nil {
			return fmt.Errorf("update channels: %w", err)
		}
	}
	if len(keys) > 0 {
		n := len(keys)
		ch, user, seq, visible := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		for i, k := range keys {
			cur := b.cursors[k]
			ch[i], user[i], seq[i], visible[i] = int64(k.channelID), int64(k.userID), cur.seq, cur.visible
		}
		if _, err := b.tx.ExecContext(ctx, `UPDATE channel_members AS cm SET last_read_seq = v.seq, read_visible = v.visible
			FROM (SELECT unnest($1::bigint[]) AS channel_id, unnest($2::bigint[]) AS user_id,
				unnest($3::bigint[]) AS seq, unnest($4::bigint[]) AS visible) AS v
			WHERE cm.channel_id = v.channel_id AND cm.user_id = v.user_id AND cm.last_read_seq < v.seq`,
			ch, user, seq, visible); err != nil {
			return fmt.Errorf("move authors' cursors: %w", err)
		}
	}
	return nil
}

// cloneMessage returns a deep copy of m.
func cloneMessage(m *relay.Message) *relay.Message {
	c := *m
	if m.ParentID != nil {
		id := *m.ParentID
		c.ParentID = &id
	}
	c.LastReplyAt, c.EditedAt, c.DeletedAt = normalPtr(m.LastReplyAt), normalPtr(m.EditedAt), normalPtr(m.DeletedAt)
	c.ReplyUsers = slices.Clone(m.ReplyUsers)
	c.Mentions = slices.Clone(m.Mentions)
	c.Attachments = slices.Clone(m.Attachments)
	c.Reactions = make([]relay.Reaction, len(m.Reactions))
	for i, r := range m.Reactions {
		c.Reactions[i] = relay.Reaction{Emoji: r.Emoji, Count: r.Count, Users: slices.Clone(r.Users)}
	}
	return &c
}

package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/strictjson"
)

// MaxIncomingBody bounds the body of POST /hooks/in/{token}.
const MaxIncomingBody = 64 << 10

// Incoming is what an incoming webhook posts: the text, and optionally the
// name and picture the message shows instead of the webhook's.
type Incoming struct {
	Text      string `json:"text"`
	Username  string `json:"username,omitempty"`
	AvatarURL string `json:"avatar_url,omitempty"`
}

// ParseIncoming reads an incoming webhook's body strictly: one JSON object
// with text (required, at most relay.MaxMessageRunes characters), and
// optional username (at most 80 characters) and avatar_url (an http(s) URL);
// unknown fields and keys named twice are refused. Errors are *relay.Error (EINVALID, or
// ETOOLARGE for an oversized body or text).
func ParseIncoming(body []byte) (Incoming, error) {
	var in Incoming
	if len(body) > MaxIncomingBody {
		return in, relay.Errorf(relay.ETOOLARGE, "The request body is too large (limit %d bytes).", MaxIncomingBody)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return in, relay.Errorf(relay.EINVALID, "A JSON body is required: {\"text\": \"…\"}.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return Incoming{}, decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Incoming{}, relay.Errorf(relay.EINVALID, "The body must hold a single JSON object.")
	}
	var dup *strictjson.DuplicateKeyError
	if errors.As(strictjson.CheckDuplicateKeys(body), &dup) {
		return Incoming{}, relay.Errorf(relay.EINVALID, "Duplicate key %q: each key may appear only once in an object.", dup.Key)
	}
	switch {
	case strings.TrimFunc(in.Text, unicode.IsSpace) == "":
		return Incoming{}, relay.Errorf(relay.EINVALID, "text is required.")
	case utf8.RuneCountInString(in.Text) > relay.MaxMessageRunes:
		return Incoming{}, relay.Errorf(relay.ETOOLARGE, "text may be at most %d characters.", relay.MaxMessageRunes)
	case strings.ContainsRune(in.Text, 0):
		return Incoming{}, relay.Errorf(relay.EINVALID, "text contains a NUL character.")
	}
	if in.Username = strings.TrimSpace(in.Username); in.Username != "" {
		var err error
		if in.Username, err = relay.NormalizeName("username", in.Username, 80); err != nil {
			return Incoming{}, err
		}
	}
	in.AvatarURL = strings.TrimSpace(in.AvatarURL)
	if in.AvatarURL != "" {
		u, err := url.Parse(in.AvatarURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(in.AvatarURL) > 2048 {
			return Incoming{}, relay.Errorf(relay.EINVALID, "avatar_url must be an http:// or https:// URL of at most 2048 characters.")
		}
	}
	return in, nil
}

func decodeError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return relay.Errorf(relay.EINVALID, "The JSON body is incomplete.")
	case errors.As(err, &syntax):
		return relay.Errorf(relay.EINVALID, "The body is not valid JSON (at byte %d).", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return relay.Errorf(relay.EINVALID, "The field %q must be a string.", typ.Field)
		}
		return relay.Errorf(relay.EINVALID, "The body must be a JSON object.")
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return relay.Errorf(relay.EINVALID, "Unknown field %s: an incoming webhook takes text, username and avatar_url.", f)
	}
	return relay.Errorf(relay.EINVALID, "The body could not be read as JSON.")
}

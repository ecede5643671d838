// Package strictjson finds what encoding/json lets through but a strict JSON
// API refuses: an object that names the same key twice. encoding/json keeps
// the last value silently, so two readers of one body (a proxy that logs the
// first, the server that acts on the last) could disagree about what it says.
//
// It imports nothing of Relay; httpapi, socket and connectors/webhook call
// it after decoding, and turn its error into their own messages.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// DuplicateKeyError reports the first key found twice in one object.
type DuplicateKeyError struct {
	Key string // the key as decoded (escapes resolved)
	// Path locates the object holding the key, in the form
	// attachments[0].meta; "" is the top-level value.
	Path string
}

func (e *DuplicateKeyError) Error() string {
	if e.Path == "" {
		return "strictjson: duplicate key " + strconv.Quote(e.Key)
	}
	return "strictjson: duplicate key " + strconv.Quote(e.Key) + " in " + e.Path
}

// frame is one open object or array.
type frame struct {
	object    bool
	expectKey bool                // object: the next string token is a key
	keys      map[string]struct{} // object: the keys seen so far
	key       string              // object: the key whose value is being read
	index     int                 // array: the index of the value being read
	seg       string              // how the parent names this value
}

// CheckDuplicateKeys returns a *DuplicateKeyError for the first object in
// data, at any depth, that names a key twice (after unescaping, so "a" and
// "\u0061" are the same key), and nil otherwise. Keys are compared exactly:
// "a" and "A" are different keys. It reads the first JSON value of data
// only, and is meant for data that already decoded without error: a syntax
// error ends the check with nil, leaving the decoder to report it.
func CheckDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // no float parsing: only the structure matters
	var stack []*frame
	done := func() { // a value finished: the enclosing container moves on
		if len(stack) == 0 {
			return
		}
		top := stack[len(stack)-1]
		if top.object {
			top.expectKey = true
		} else {
			top.index++
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return nil // not ours to report
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil
			}
			done()
			continue
		}
		if top != nil && top.object && top.expectKey {
			key, _ := tok.(string)
			if _, seen := top.keys[key]; seen {
				return &DuplicateKeyError{Key: key, Path: path(stack)}
			}
			if top.keys == nil {
				top.keys = make(map[string]struct{}, 8)
			}
			top.keys[key] = struct{}{}
			top.key, top.expectKey = key, false
			continue
		}
		if d, ok := tok.(json.Delim); ok { // '{' or '['
			f := &frame{object: d == '{', expectKey: d == '{'}
			if top != nil {
				if top.object {
					f.seg = segment(top.key)
				} else {
					f.seg = "[" + strconv.Itoa(top.index) + "]"
				}
			}
			stack = append(stack, f)
			continue
		}
		if top == nil {
			return nil // a scalar at the top: no objects at all
		}
		done()
	}
}

// segment names key in a path: .name for plain keys, ["odd key"] otherwise.
func segment(key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return "." + key
	}
	return "[" + strconv.Quote(key) + "]"
}

func path(stack []*frame) string {
	var b strings.Builder
	for _, f := range stack {
		b.WriteString(f.seg)
	}
	return strings.TrimPrefix(b.String(), ".")
}

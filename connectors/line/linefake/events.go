package linefake

import (
	"encoding/json"
	"maps"
)

// Destination is the bot user id webhook bodies are addressed to.
const Destination = "Uf00dfeedf00dfeedf00dfeedf00dfeed"

// Source is where an event happened, in LINE's webhook shape.
type Source map[string]any

// User is a one-to-one chat with a user.
func User(userID string) Source { return Source{"type": "user", "userId": userID} }

// Group is a group chat; userID is who acted ("" when LINE leaves it out).
func Group(groupID, userID string) Source {
	s := Source{"type": "group", "groupId": groupID}
	if userID != "" {
		s["userId"] = userID
	}
	return s
}

// Room is a multi-person chat.
func Room(roomID, userID string) Source {
	s := Source{"type": "room", "roomId": roomID}
	if userID != "" {
		s["userId"] = userID
	}
	return s
}

// Event is one webhook event, in LINE's shape.
type Event map[string]any

func event(typ string, src Source, eventID string) Event {
	return Event{"type": typ, "mode": "active", "timestamp": int64(1700000000000), "source": map[string]any(src),
		"webhookEventId": eventID, "deliveryContext": map[string]any{"isRedelivery": false}}
}

// ReplyToken is the reply token the builders give an event.
func ReplyToken(eventID string) string { return "rt-" + eventID }

func message(src Source, eventID string, msg map[string]any) Event {
	e := event("message", src, eventID)
	e["replyToken"] = ReplyToken(eventID)
	e["message"] = msg
	return e
}

// Text is a text message event.
func Text(src Source, eventID, messageID, text string) Event {
	return message(src, eventID, map[string]any{"type": "text", "id": messageID, "quoteToken": "q" + messageID, "text": text})
}

// Sticker is a sticker message event.
func Sticker(src Source, eventID, messageID, packageID, stickerID string) Event {
	return message(src, eventID, map[string]any{"type": "sticker", "id": messageID, "quoteToken": "q" + messageID,
		"packageId": packageID, "stickerId": stickerID, "stickerResourceType": "STATIC", "keywords": []string{"Hello"}})
}

// Image is an image message event whose content LINE hosts (fetched with
// the content API).
func Image(src Source, eventID, messageID string) Event {
	return message(src, eventID, map[string]any{"type": "image", "id": messageID, "quoteToken": "q" + messageID,
		"contentProvider": map[string]any{"type": "line"}})
}

// ExternalImage is an image message event whose content is elsewhere.
func ExternalImage(src Source, eventID, messageID, url string) Event {
	return message(src, eventID, map[string]any{"type": "image", "id": messageID, "quoteToken": "q" + messageID,
		"contentProvider": map[string]any{"type": "external", "originalContentUrl": url, "previewImageUrl": url}})
}

// Video is a video message event.
func Video(src Source, eventID, messageID string) Event {
	return message(src, eventID, map[string]any{"type": "video", "id": messageID, "quoteToken": "q" + messageID,
		"duration": 6000, "contentProvider": map[string]any{"type": "line"}})
}

// Audio is an audio message event.
func Audio(src Source, eventID, messageID string) Event {
	return message(src, eventID, map[string]any{"type": "audio", "id": messageID, "duration": 3000,
		"contentProvider": map[string]any{"type": "line"}})
}

// File is a file message event.
func File(src Source, eventID, messageID, fileName string, size int) Event {
	return message(src, eventID, map[string]any{"type": "file", "id": messageID, "fileName": fileName, "fileSize": size})
}

// Location is a location message event.
func Location(src Source, eventID, messageID, title, address string, lat, lng float64) Event {
	return message(src, eventID, map[string]any{"type": "location", "id": messageID, "title": title,
		"address": address, "latitude": lat, "longitude": lng})
}

// Follow is a follow event (the user added the bot as a friend or unblocked it).
func Follow(src Source, eventID string) Event {
	e := event("follow", src, eventID)
	e["replyToken"] = ReplyToken(eventID)
	e["follow"] = map[string]any{"isUnblocked": false}
	return e
}

// Unfollow is an unfollow event (the user blocked the bot).
func Unfollow(src Source, eventID string) Event { return event("unfollow", src, eventID) }

// Join is the bot being added to a group or room.
func Join(src Source, eventID string) Event {
	e := event("join", src, eventID)
	e["replyToken"] = ReplyToken(eventID)
	return e
}

// Leave is the bot being removed from a group.
func Leave(src Source, eventID string) Event { return event("leave", src, eventID) }

// Unsend is a user unsending a message.
func Unsend(src Source, eventID, messageID string) Event {
	e := event("unsend", src, eventID)
	e["unsend"] = map[string]any{"messageId": messageID}
	return e
}

// Redelivered is e as LINE redelivers it.
func (e Event) Redelivered() Event {
	c := maps.Clone(e)
	c["deliveryContext"] = map[string]any{"isRedelivery": true}
	return c
}

// Body is a webhook body carrying events.
func Body(events ...Event) []byte {
	if events == nil {
		events = []Event{}
	}
	b, err := json.Marshal(map[string]any{"destination": Destination, "events": events})
	if err != nil {
		panic(err)
	}
	return b
}

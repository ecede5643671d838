package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/jpeg" // register decoders for DecodeConfig
	_ "image/png"
	"net/http"
	"strings"

	_ "golang.org/x/image/webp"

	"github.com/relayhq/relay"
)

// MaxImageBytes is the largest uploaded image (logo, avatar) accepted.
const MaxImageBytes = 1 << 20

// MaxImageSide is the largest width or height of an uploaded image, in pixels.
const MaxImageSide = 4096

// The logo limits are the image limits; the names stay for callers.
const (
	MaxLogoBytes = MaxImageBytes
	MaxLogoSide  = MaxImageSide
)

var imageTypes = map[string]string{"image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp"}

// uploadedImage is an image that passed checkImage.
type uploadedImage struct {
	contentType string // sniffed, never the client's claim
	version     string // from the content hash: changes with the bytes
}

// checkImage vets an uploaded image: at most MaxImageBytes, a PNG, JPEG or
// WebP by its bytes (the client's Content-Type is never trusted) whose
// header decodes as that format, 1 to MaxImageSide pixels a side. what
// names the image in messages ("logo", "avatar").
func checkImage(what string, data []byte) (*uploadedImage, error) {
	a := "A"
	if what != "" && strings.ContainsRune("aeiou", rune(what[0])) {
		a = "An"
	}
	if len(data) > MaxImageBytes {
		return nil, relay.Errorf(relay.ETOOLARGE, "%s %s may be at most 1 MiB.", a, what)
	}
	if len(data) == 0 {
		return nil, relay.Errorf(relay.EINVALID, "The %s is empty: send the image bytes as the request body.", what)
	}
	ctype := http.DetectContentType(data)
	format, ok := imageTypes[ctype]
	if !ok {
		return nil, relay.Errorf(relay.EUNSUPPORTED, "%s %s must be a PNG, JPEG or WebP image.", a, what)
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || got != format {
		return nil, relay.Errorf(relay.EUNSUPPORTED, "The %s is not a readable %s image.", what, format)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide {
		return nil, relay.Errorf(relay.EINVALID, "%s %s must be between 1 and %d pixels on each side.", a, what, MaxImageSide)
	}
	sum := sha256.Sum256(data)
	return &uploadedImage{contentType: ctype, version: hex.EncodeToString(sum[:8])}, nil
}

// replaceFile records a newly stored file with save (a store update) and
// keeps the file store in step: the new file (key, already Put) is removed
// if save fails, the old one once save succeeded. what names the file in
// logs. An empty key records a removal.
func (a *Accounts) replaceFile(ctx context.Context, what, key, old string, save func() error) error {
	if err := save(); err != nil {
		if key != "" && key != old {
			_ = a.files.Delete(ctx, key)
		}
		return err
	}
	if old != "" && old != key {
		if err := a.files.Delete(ctx, old); err != nil {
			a.log.WarnContext(ctx, "delete old "+what, "key", old, "err", err)
		}
	}
	return nil
}

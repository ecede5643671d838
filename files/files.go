// Package files stores uploaded files (logos now; attachments later) behind
// a small interface, with a local-disk implementation for the embedded
// default. An S3-compatible implementation can satisfy the same interface.
package files

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/relayhq/relay"
)

// Store keeps blobs by key. Keys are slash-separated names of
// [A-Za-z0-9._-] segments, chosen by the application, never by users.
type Store interface {
	Put(ctx context.Context, key string, data []byte) error
	Get(ctx context.Context, key string) ([]byte, error) // ENOTFOUND when absent
	Delete(ctx context.Context, key string) error        // absent is not an error
}

// Disk stores files under a root folder.
type Disk struct{ Root string }

var _ Store = (*Disk)(nil)

// NewDisk returns a disk store rooted at dir, creating it if needed.
func NewDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	return &Disk{Root: dir}, nil
}

var keyRE = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$`)

func (d *Disk) path(key string) (string, error) {
	if !keyRE.MatchString(key) || len(key) > 512 {
		return "", fmt.Errorf("files: bad key %q", key)
	}
	return filepath.Join(d.Root, filepath.FromSlash(key)), nil
}

// Put writes data atomically: a reader sees the old file or the new one.
func (d *Disk) Put(ctx context.Context, key string, data []byte) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("files: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("files: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("files: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("files: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("files: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("files: %w", err)
	}
	return nil
}

// Get reads a whole file.
func (d *Disk) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, relay.Errorf(relay.ENOTFOUND, "File not found.")
	}
	return b, err
}

// Delete removes a file; a missing one is fine.
func (d *Disk) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("files: %w", err)
	}
	return nil
}

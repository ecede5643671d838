package files

import (
	"context"
	"testing"

	"github.com/relayhq/relay"
)

func TestDisk(t *testing.T) {
	ctx := context.Background()
	d, err := NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "workspaces/1/logo-v1", []byte("png")); err != nil {
		t.Fatal(err)
	}
	got, err := d.Get(ctx, "workspaces/1/logo-v1")
	if err != nil || string(got) != "png" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := d.Put(ctx, "workspaces/1/logo-v1", []byte("png2")); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Get(ctx, "workspaces/1/logo-v1"); string(got) != "png2" {
		t.Fatalf("overwrite: got %q", got)
	}
	if err := d.Delete(ctx, "workspaces/1/logo-v1"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, "workspaces/1/logo-v1"); relay.ErrorCode(err) != relay.ENOTFOUND {
		t.Fatalf("after delete: %v", err)
	}
	if err := d.Delete(ctx, "workspaces/1/logo-v1"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	for _, bad := range []string{"", "../x", "a/../../x", "/abs", "a//b", ".hidden", "a\\b"} {
		if err := d.Put(ctx, bad, nil); err == nil {
			t.Errorf("Put(%q) accepted", bad)
		}
	}
}

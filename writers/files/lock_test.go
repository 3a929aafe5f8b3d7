package files

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	var busy *BusyError
	if _, err := Lock(dir); !errors.As(err, &busy) || !strings.HasPrefix(err.Error(), dir+": ") {
		t.Errorf("second Lock: %v, want a *BusyError naming %s", err, dir)
	}
	unlock()
	unlock, err = Lock(dir)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock()
	if err := os.Symlink(filepath.Join(t.TempDir(), "x"), filepath.Join(t.TempDir(), "l")); err != nil {
		t.Skip("no symbolic links here")
	}
	linked := t.TempDir()
	target := filepath.Join(t.TempDir(), "target")
	if err := os.Symlink(target, filepath.Join(linked, LockName)); err != nil {
		t.Fatal(err)
	}
	var le *LinkError
	if _, err := Lock(linked); !errors.As(err, &le) {
		t.Errorf("Lock with a linked lock file: %v, want a *LinkError", err)
	}
	if _, err := os.Lstat(target); err == nil {
		t.Error("the link's target was created")
	}
}

//go:build windows

package pipeline

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockFile holds an exclusive lock on path (created when missing) until
// the function returned is called; the system releases it when the
// process dies. It fails with errLedgerBusy when another process holds it.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	ol := new(windows.Overlapped)
	err = windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if err != nil {
		f.Close()
		if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
			return nil, errLedgerBusy
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}

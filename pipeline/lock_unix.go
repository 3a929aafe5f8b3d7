//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package pipeline

import (
	"errors"
	"os"
	"syscall"
)

// lockFile holds an exclusive lock on path (created when missing) until
// the function returned is called; the system releases it when the
// process dies, even by kill -9. It fails with errLedgerBusy when another
// process holds it.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLedgerBusy
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}

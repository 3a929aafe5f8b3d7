//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package pipeline

import (
	"errors"
	"fmt"
	"os"
)

// lockFile creates path, which must not exist, and removes it when the
// function returned is called. A run killed leaves it: it names the
// process, to be removed by hand once that process is gone.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%w (or a run that was killed left %s: remove it if no run is going on)", errLedgerBusy, path)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "%d\n", os.Getpid())
	f.Close()
	return func() { _ = os.Remove(path) }, nil
}

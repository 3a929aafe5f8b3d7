//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package files

import "os"

// LockFile only creates the lock file where the OS offers no advisory lock
// stbulk uses: runs in one folder are not kept apart there.
func LockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return func() { _ = f.Close() }, nil
}

package files

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LockName is the lock file a run keeps in its folder while it runs.
const LockName = ".stbulk.lock"

// BusyError refuses a run in a folder another run is using.
type BusyError struct{ Dir string }

func (e *BusyError) Error() string {
	return fmt.Sprintf("%s: another stbulk run is using this folder (it holds the lock %s): wait for it to end, or choose another folder", e.Dir, LockName)
}

// Lock takes the lock of the folder dir, which exists, for the duration of
// a run: an advisory lock of the OS on dir/.stbulk.lock (flock on unix, a
// file opened without sharing on Windows), which the OS releases when the
// process ends, even when killed. A folder locked by another run, of this
// process or another, is a *BusyError. The lock file stays after unlock:
// it is empty of meaning once no process holds it. A lock file that is a
// symbolic link is refused.
func Lock(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, LockName)
	if err := RefuseLink(path); err != nil {
		return nil, err
	}
	release, err := LockFile(path)
	if errors.Is(err, ErrLocked) {
		return nil, &BusyError{Dir: dir}
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return release, nil
}

// ErrLocked is the error of LockFile when another process, or another
// run of this one, holds the lock.
var ErrLocked = errors.New("locked by another run")

// RefuseLink fails when path is a symbolic link: stbulk never writes
// through one. A missing path is no error.
func RefuseLink(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return &LinkError{Path: path}
	}
	return nil
}

// LinkError refuses to write through a symbolic link in a run's folder.
type LinkError struct{ Path string }

func (e *LinkError) Error() string {
	return e.Path + ": is a symbolic link: stbulk does not write through links in its folders; remove the link"
}

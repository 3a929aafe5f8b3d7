//go:build windows

package files

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// errSharingViolation is ERROR_SHARING_VIOLATION: another handle has the
// file open without sharing.
const errSharingViolation = syscall.Errno(32)

// LockFile holds an exclusive lock (LockFileEx) on path, created when
// missing, until the function returned is called; the OS releases it when
// the process ends. It fails with ErrLocked when another holds it.
func LockFile(path string) (func(), error) {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil, syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if errors.Is(err, errSharingViolation) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(h), path)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\r\n"), 0)
	}
	return func() { _ = f.Close() }, nil
}

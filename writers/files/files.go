// Package files holds the file-system helpers the writers, the pipeline
// and the command share: the folder of a run's reports (RunDir,
// EnsureDir), files written atomically (WriteJSON, CreateTemp and Finish),
// files created only when new (CreateNew), and names safe on every OS
// (SafeName, Unique, Template).
package files

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteJSON writes v to path as indented JSON (two spaces, HTML characters
// not escaped, a final newline), atomically: the text goes to a temporary
// file in the same folder, which is synced and then renamed to path, so
// path holds either its former content or all of v, never a part. An
// existing file is replaced; a symbolic link at path is refused (a
// *LinkError). The file is made 0o644.
func WriteJSON(path string, v any) (err error) {
	if err := RefuseLink(path); err != nil {
		return err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tmp, err := CreateTemp(path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			err = fmt.Errorf("%s: %w", path, err)
		}
	}()
	if _, err = tmp.Write(b.Bytes()); err != nil {
		return err
	}
	if err = Finish(tmp); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// CreateTemp creates the temporary file that is to become path: a new
// file in the folder of path (so that renaming it to path is atomic),
// named "." + the base name of path + a random part + ".tmp". The error
// names path. A symbolic link at path is refused (a *LinkError): the file
// would replace the link, not write where it leads, but a link in a folder
// of stbulk is not one of its files. Once the file is written, Finish it,
// then rename it to path; to give up, close and remove it.
func CreateTemp(path string) (*os.File, error) {
	if err := RefuseLink(path); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Finish makes a temporary file written in full ready to be renamed into
// place: it is made 0o644, synced to disk and closed. It is closed even
// when it fails.
func Finish(f *os.File) error {
	if err := f.Chmod(0o644); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// CreateNew creates path for writing, with mode 0o644, and fails if
// something is at path already: that error names path, says it already
// exists and matches fs.ErrExist; a symbolic link at path is a *LinkError;
// other errors are the *fs.PathError of the os package.
func CreateNew(path string) (*os.File, error) {
	if err := RefuseLink(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, existsError(path)
	}
	return f, err
}

// existsError is the error of CreateNew when its path is taken.
type existsError string

func (e existsError) Error() string { return string(e) + ": already exists" }

func (e existsError) Is(target error) bool { return target == fs.ErrExist }

// Wrap returns err naming path: err itself when it is an *fs.PathError for
// path (as the os package returns), else "path: err" wrapping err. A nil
// err gives nil.
func Wrap(path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}

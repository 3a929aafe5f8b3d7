package writers

// Report files. A run writes its reports into one folder: RunDir makes a
// new one, EnsureDir checks one the user named. Each report writer creates
// its file and fails if the file exists, so a run never overwrites the
// reports of another. Report writers are not safe for concurrent use: one
// goroutine adds rows, or the caller serializes.
//
// CSV reports (errors and success files) are UTF-8 with a byte order mark,
// so that Excel shows accents right when the file is double-clicked; our
// CSV reader drops the mark, which also wins over any encoding a mapping
// file forces. Records end with LF, as encoding/csv writes them: Excel,
// LibreOffice and our reader all read LF, and every cell is written byte
// for byte, whereas encoding/csv's CRLF mode drops a lone CR inside a cell.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// utf8BOM starts every CSV report.
const utf8BOM = "\uFEFF"

// runDirLayout is the name of a run folder: the run's start time, to the
// second, with no characters Windows refuses in file names.
const runDirLayout = "2006-01-02T150405"

// maxRunDirs bounds the suffixes RunDir tries for runs started in the same
// second.
const maxRunDirs = 1000

// SummaryName is the file a run's summary is written to; EnsureDir refuses a
// folder that holds one.
const SummaryName = "summary.json"

// RunDir creates a new folder for a run's reports under base (created if
// need be): base/2006-01-02T150405 from now, as given (the caller picks the
// time zone). If that folder exists, for a run started in the same second,
// it tries the name with -2, -3 and so on appended. Folders are made 0o755.
func RunDir(base string, now time.Time) (string, error) {
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", fmt.Errorf("report folder: %w", err)
	}
	name := filepath.Join(base, now.Format(runDirLayout))
	for i := 1; i <= maxRunDirs; i++ {
		dir := name
		if i > 1 {
			dir = name + "-" + strconv.Itoa(i)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("report folder: %w", err)
		}
	}
	return "", fmt.Errorf("%s: %d run folders already exist for this second", name, maxRunDirs)
}

// EnsureDir prepares a report folder the user named: it is created (0o755,
// parents too) when missing. An existing folder is accepted, empty or not,
// unless it holds a summary.json: those are the reports of an earlier run,
// which are never overwritten. A path that is a file is refused.
func EnsureDir(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(path, 0o755); err != nil {
			return fmt.Errorf("report folder: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("report folder: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("%s: is a file, not a folder: reports need a folder", path)
	}
	_, err = os.Lstat(filepath.Join(path, SummaryName))
	switch {
	case err == nil:
		return fmt.Errorf("%s: holds the reports of an earlier run (%s): choose another folder, or move those reports away; they are never overwritten", path, SummaryName)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("report folder: %w", err)
	}
	return nil
}

// createNew creates path for writing, failing if it exists.
func createNew(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s: already exists: reports are never overwritten", path)
	}
	return f, err // a *fs.PathError names the file
}

// fileErr makes sure err names path: errors from the os package already do.
func fileErr(path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}

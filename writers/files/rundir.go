package files

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// runDirLayout is the name of a run folder: the run's start time, to the
// second, with no characters Windows refuses in file names.
const runDirLayout = "2006-01-02T150405"

// maxRunDirs bounds the suffixes RunDir tries for runs started in the same
// second.
const maxRunDirs = 1000

// SummaryName is the file a run's summary is written to; EnsureDir refuses
// a folder that holds one.
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
// unless it holds a summary.json (SummaryName): those are the reports of an
// earlier run, which are never overwritten. A path that is a file is
// refused.
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

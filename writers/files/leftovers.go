package files

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// leftover matches the names of the temporary files stbulk writes in its
// folders, which a killed run leaves behind: those of CreateTemp for its
// reports, spreadsheets and state ("." + a .json, .csv or .xlsx name + "."
// + the random number of os.CreateTemp + ".tmp") and those of the writers'
// Folder (".stbulk-" + 26 characters of crypto/rand.Text + ".tmp").
var leftover = regexp.MustCompile(`^(\..+\.(json|csv|xlsx)\.[0-9]{1,10}|\.stbulk-[A-Z2-7]{26})\.tmp$`)

// RemoveLeftovers removes from dir and its subfolders the temporary files
// a run of stbulk left there when it was killed. Call it holding the
// folder's Lock: no other run is writing them then. Only regular files
// whose names are those stbulk gives its temporary files are removed;
// links are not followed. It returns the files it could not remove, or
// the folders it could not read, as errors naming them.
func RemoveLeftovers(dir string) error {
	var errs []error
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			if d != nil && d.IsDir() && path != dir {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !leftover.MatchString(d.Name()) {
			return nil
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		return nil
	})
	return errors.Join(errs...)
}

package pipeline

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/stbulk/stbulk/writers"
)

// exportState is the state of incremental runs, per export mapping.
type exportState struct {
	// Owner is the export mapping the folder serves (its absolute path),
	// set by the first export into it.
	Owner   string                 `json:"owner,omitempty"`
	Exports map[string]*exportMark `json:"exports"`
}

type exportMark struct {
	Mapping string `json:"mapping"`
	Export  string `json:"export"`
	// LastSuccess is the start of the last run that ended without a
	// failure: every change before it has been exported.
	LastSuccess time.Time `json:"last_success_start"`
}

// FolderTakenError refuses an export into a folder that serves another
// export mapping.
type FolderTakenError struct{ Dir, Owner string }

func (e *FolderTakenError) Error() string {
	return fmt.Sprintf("%s holds the export of %s: choose another --out (an output folder serves one export mapping)", e.Dir, e.Owner)
}

func loadExportState(dir string) (*exportState, error) {
	st := &exportState{Exports: map[string]*exportMark{}}
	p := filepath.Join(dir, stateDir, stateFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("%s: not a state file of stbulk export (%v): remove it to export everything again", p, err)
	}
	if st.Exports == nil {
		st.Exports = map[string]*exportMark{}
	}
	return st, nil
}

// row is one row of a sheet, by field.
type row map[string]writers.Cell

// record is what one exported item writes: its row of the main sheet and
// its rows of the other sheets. Key identifies it across runs.
type record struct {
	Key   string           `json:"key"`
	Rows  map[string][]row `json:"rows"`
	Files []string         `json:"files,omitempty"` // photos and PDFs written for it
}

func newRecord(key string) *record { return &record{Key: key, Rows: map[string][]row{}} }

func (r *record) add(sheet string, rw row) { r.Rows[sheet] = append(r.Rows[sheet], rw) }

// compareKeys orders records by key, numbers by value; keys of the same
// value ("7", "07") by their text.
func compareKeys(a, b string) int {
	ta, na := splitKey(a)
	tb, nb := splitKey(b)
	if c := cmp.Compare(ta, tb); c != 0 {
		return c
	}
	ia, ea := strconv.ParseInt(na, 10, 64)
	ib, eb := strconv.ParseInt(nb, 10, 64)
	switch {
	case ea == nil && eb == nil:
		if c := cmp.Compare(ia, ib); c != 0 {
			return c
		}
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	return cmp.Compare(na, nb)
}

func splitKey(k string) (string, string) {
	if i := strings.IndexByte(k, ':'); i >= 0 {
		return k[:i], k[i+1:]
	}
	return "", k
}

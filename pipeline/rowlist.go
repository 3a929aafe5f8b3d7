package pipeline

import (
	"os"
	"path/filepath"

	"github.com/stbulk/stbulk/writers"
)

// RowList lists rows that would not be sent, from any number of mappings:
// what `stbulk validate` writes. Each line is the mapping file, the input,
// _row and _error; CSV or XLSX by the path's extension, as an errors file.
// Add and Close must be called from one goroutine at a time.
type RowList struct{ f *writers.ErrorsFile }

// CreateRowList creates the list at path, and its folder if missing. The
// file must not exist (an error wrapping fs.ErrExist when it does): a list
// is never overwritten.
func CreateRowList(path string) (*RowList, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := writers.NewErrors(path, []string{"mapping", "input"})
	if err != nil {
		return nil, err
	}
	return &RowList{f: f}, nil
}

// Path is the list's file.
func (l *RowList) Path() string { return l.f.Path() }

// Add lists one row of an input of mapping m.
func (l *RowList) Add(m *Mapping, input string, row int, reason string) error {
	return l.f.Add(row, []string{m.File, input}, reason)
}

// Close writes what is buffered: the list is then complete.
func (l *RowList) Close() error { return l.f.Close() }

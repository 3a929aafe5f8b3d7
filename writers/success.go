package writers

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/stbulk/stbulk/writers/files"
)

// The columns a success file adds after the input's.
const (
	OutcomeColumn = "_outcome"
	KeyColumn     = "_key"
	IDColumn      = "_id"
)

// SuccessFile lists the rows that are in Synchroteam as the input has
// them, as Data Loader's success files do: the input's columns, then _row
// (the source row number), _outcome (sent, created, updated, unchanged),
// _key (the upsert key the row carries, such as "myId=C001") and _id (what
// the API returned). An input column already named like one of those is
// left out, as in the errors file. Like the errors file it is UTF-8 with a
// byte order mark, records ending in LF, fields quoted only when needed.
// Add and Close must be called from one goroutine at a time.
type SuccessFile struct {
	path   string
	w      *csv.Writer
	f      *os.File
	keep   []int // the input's columns written, by index
	n      int
	closed bool
	rec    []string
}

// NewSuccess creates the success file path, which must not exist, and
// writes its header, the input's header followed by the added columns: a
// run that sends nothing leaves the header alone.
func NewSuccess(path string, header []string) (*SuccessFile, error) {
	f, err := createReport(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f, 64<<10) // also the csv.Writer's buffer
	_, _ = buf.WriteString(utf8BOM)
	s := &SuccessFile{path: path, f: f, w: csv.NewWriter(buf)}
	added := []string{RowColumn, OutcomeColumn, KeyColumn, IDColumn}
	for i, h := range header {
		if !slices.Contains(added, strings.TrimSpace(h)) {
			s.keep = append(s.keep, i)
			s.rec = append(s.rec, h)
		}
	}
	if err := s.w.Write(append(s.rec, added...)); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, files.Wrap(path, err)
	}
	return s, nil
}

// Path returns the file's path.
func (s *SuccessFile) Path() string { return s.path }

// Add writes one row: its cells, aligned with the header given to
// NewSuccess (missing trailing cells are empty), its number, outcome, key
// and id.
func (s *SuccessFile) Add(row int, cells []string, outcome, key, id string) error {
	if s.closed {
		return fmt.Errorf("%s: row %d: the success file is closed", s.path, row)
	}
	s.rec = s.rec[:0]
	for _, i := range s.keep {
		c := ""
		if i < len(cells) {
			c = cells[i]
		}
		s.rec = append(s.rec, c)
	}
	s.rec = append(s.rec, strconv.Itoa(row), outcome, key, id)
	if err := s.w.Write(s.rec); err != nil {
		return fmt.Errorf("%s: row %d: %w", s.path, row, err)
	}
	s.n++
	return nil
}

// Count returns the number of rows added.
func (s *SuccessFile) Count() int { return s.n }

// Close writes what is buffered and closes the file. Calling it again does
// nothing.
func (s *SuccessFile) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.w.Flush()
	err := s.w.Error()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return files.Wrap(s.path, err)
}

package writers

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"

	"github.com/gocarina/gocsv"

	"github.com/stbulk/stbulk/writers/files"
)

// successRow is one line of a success file.
type successRow struct {
	Row int    `csv:"_row"`
	Key string `csv:"key"`
	ID  string `csv:"id"`
}

// SuccessFile lists the rows that were sent, one CSV record each: _row
// (the source row number), key (the upsert key the row carries, such as
// "myId=C001") and id (what the API returned). Like the errors file it is
// UTF-8 with a byte order mark, records ending in LF, fields quoted only
// when needed. Add and Close must be called from one goroutine at a time.
type SuccessFile struct {
	path   string
	w      *gocsv.SafeCSVWriter
	f      *os.File
	n      int
	closed bool
	one    [1]successRow
}

// NewSuccess creates the success file path, which must not exist, and
// writes its header: a run that sends nothing leaves the header alone.
func NewSuccess(path string) (*SuccessFile, error) {
	f, err := createReport(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f, 64<<10) // also the csv.Writer's buffer
	_, _ = buf.WriteString(utf8BOM)
	s := &SuccessFile{path: path, f: f, w: gocsv.NewSafeCSVWriter(csv.NewWriter(buf))}
	if err := gocsv.MarshalCSV([]successRow{}, s.w); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, files.Wrap(path, err)
	}
	return s, nil
}

// Path returns the file's path.
func (s *SuccessFile) Path() string { return s.path }

// Add writes one row that was sent.
func (s *SuccessFile) Add(row int, key, id string) error {
	if s.closed {
		return fmt.Errorf("%s: row %d: the success file is closed", s.path, row)
	}
	s.one[0] = successRow{Row: row, Key: key, ID: id}
	if err := gocsv.MarshalCSVWithoutHeaders(s.one[:], s.w); err != nil {
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

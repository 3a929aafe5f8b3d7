package writers

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"

	"github.com/gocarina/gocsv"

	"github.com/stbulk/stbulk/writers/files"
)

// VerifyLine is one line of a verification: a field of a row not as it
// was sent, a record not found, or a row that could not be checked.
type VerifyLine struct {
	Mapping string // the mapping file
	Row     int    // the input's row number
	Key     string // the key the record is read by: "myId=C001"
	Field   string // the API field, "(record)" for the record itself, "" for a row not checked
	Sent    string
	Found   string
}

// safeText is a text cell of a CSV report: one a spreadsheet could take
// for a formula gets a single quote in front, as in the exports (values
// read back from the API are not to be trusted).
type safeText string

// MarshalCSV is gocsv's converter.
func (s safeText) MarshalCSV() (string, error) { return neutralise(string(s)), nil }

type verifyRow struct {
	Mapping safeText `csv:"mapping"`
	Row     int      `csv:"_row"`
	Key     safeText `csv:"key"`
	Field   safeText `csv:"field"`
	Sent    safeText `csv:"sent"`
	Found   safeText `csv:"found"`
}

// VerifyFile is verify.csv: one VerifyLine a record, UTF-8 with a byte
// order mark, records ending in LF, text neutralised against formula
// injection. Add and Close must be called from one goroutine at a time.
type VerifyFile struct {
	path   string
	f      *os.File
	w      *gocsv.SafeCSVWriter
	n      int
	closed bool
	one    [1]verifyRow
}

// NewVerifyFile creates path, which must not exist, with its header.
func NewVerifyFile(path string) (*VerifyFile, error) {
	f, err := createReport(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f, 64<<10) // also the csv.Writer's buffer
	_, _ = buf.WriteString(utf8BOM)
	v := &VerifyFile{path: path, f: f, w: gocsv.NewSafeCSVWriter(csv.NewWriter(buf))}
	if err := gocsv.MarshalCSV([]verifyRow{}, v.w); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, files.Wrap(path, err)
	}
	return v, nil
}

// Path returns the file's path.
func (v *VerifyFile) Path() string { return v.path }

// Add writes one line.
func (v *VerifyFile) Add(l VerifyLine) error {
	if v.closed {
		return fmt.Errorf("%s: row %d: the file is closed", v.path, l.Row)
	}
	v.one[0] = verifyRow{safeText(l.Mapping), l.Row, safeText(l.Key), safeText(l.Field), safeText(l.Sent), safeText(l.Found)}
	if err := gocsv.MarshalCSVWithoutHeaders(v.one[:], v.w); err != nil {
		return fmt.Errorf("%s: row %d: %w", v.path, l.Row, err)
	}
	v.n++
	return nil
}

// Count returns the number of lines added.
func (v *VerifyFile) Count() int { return v.n }

// Close writes what is buffered and closes the file. Calling it again does
// nothing.
func (v *VerifyFile) Close() error {
	if v.closed {
		return nil
	}
	v.closed = true
	v.w.Flush()
	err := v.w.Error()
	if cerr := v.f.Close(); err == nil {
		err = cerr
	}
	return files.Wrap(v.path, err)
}

// Abort closes and removes the file.
func (v *VerifyFile) Abort() {
	if !v.closed {
		v.closed = true
		_ = v.f.Close()
		_ = os.Remove(v.path)
	}
}

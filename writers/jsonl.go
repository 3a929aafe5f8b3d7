package writers

import (
	"bufio"
	"fmt"
	"os"

	"github.com/stbulk/stbulk/writers/files"
)

// JSONLines writes one compact JSON value per line (JSON Lines), such as
// the payloads of a dry run. HTML characters are not escaped, so "<" and
// "&" stay readable; non-ASCII text is written as UTF-8. Add and Close must
// be called from one goroutine at a time.
type JSONLines struct {
	path   string
	f      *os.File
	buf    *bufio.Writer
	line   []byte // the line being encoded, reused
	n      int
	closed bool
}

// NewJSONLines creates the file path, which must not exist.
func NewJSONLines(path string) (*JSONLines, error) {
	f, err := createReport(path)
	if err != nil {
		return nil, err
	}
	return &JSONLines{path: path, f: f, buf: bufio.NewWriterSize(f, 64<<10)}, nil
}

// Path returns the file's path.
func (j *JSONLines) Path() string { return j.path }

// Add writes v, as encoding/json encodes it (see AppendJSON), on a line of
// its own. A value that cannot be encoded is an error naming the line, and
// nothing is written.
func (j *JSONLines) Add(v any) error {
	if j.closed {
		return fmt.Errorf("%s: the file is closed", j.path)
	}
	line, err := AppendJSON(j.line[:0], v)
	if err != nil {
		return fmt.Errorf("%s:%d: %w", j.path, j.n+1, err)
	}
	j.line = line
	return j.AddEncoded(line)
}

// AddEncoded writes line, one JSON value as AppendJSON encodes it, and a
// newline.
func (j *JSONLines) AddEncoded(line []byte) error {
	if j.closed {
		return fmt.Errorf("%s: the file is closed", j.path)
	}
	_, err := j.buf.Write(line)
	if err == nil {
		err = j.buf.WriteByte('\n')
	}
	if err != nil {
		return fmt.Errorf("%s:%d: %w", j.path, j.n+1, err)
	}
	j.n++
	return nil
}

// Count returns the number of lines written.
func (j *JSONLines) Count() int { return j.n }

// Close writes what is buffered and closes the file. Calling it again does
// nothing.
func (j *JSONLines) Close() error {
	if j.closed {
		return nil
	}
	j.closed = true
	err := j.buf.Flush()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	return files.Wrap(j.path, err)
}

package writers

// Report files. A run writes its reports into one folder (files.RunDir
// makes a new one, files.EnsureDir checks one the user named). Each report
// writer creates its file and fails if the file exists, so a run never
// overwrites the reports of another. Report writers are not safe for
// concurrent use: one goroutine adds rows, or the caller serializes.
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

	"github.com/stbulk/stbulk/writers/files"
)

// utf8BOM starts every CSV report.
const utf8BOM = "\uFEFF"

// createReport creates the report file path for writing, failing if it
// exists: reports are never overwritten.
func createReport(path string) (*os.File, error) {
	f, err := files.CreateNew(path)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%w: reports are never overwritten", err)
	}
	return f, err
}

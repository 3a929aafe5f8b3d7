package readers

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
)

// RowsHinter is a Source that knows, or can guess cheaply, how many data
// rows it holds: XLSX sources, from the sheet's dimension.
type RowsHinter interface {
	RowsHint() (rows int, ok bool)
}

// CountCSVRows counts the data rows of a CSV file quickly, for a progress
// bar: one pass over its bytes, counting the records that are not blank
// (a newline inside a quoted field does not end a record) after the
// header row (headerRow as CSVOptions.HeaderRow; an Excel "sep=" first
// line is not a record). It reads ASCII-compatible encodings only (UTF-8,
// Windows-1252, ISO-8859-*): not UTF-16. It is a hint, not the reader's
// count: a ragged or lazily quoted file may count otherwise. It stops with
// ctx.Err() when ctx ends.
func CountCSVRows(ctx context.Context, path string, headerRow int) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256<<10)
	buf := make([]byte, 256<<10)
	records := 0
	quoted := false
	closed := false // a quote just closed a quoted field: a quote next is an escaped one
	start := true   // at the start of a field: a quote here opens a quoted field
	blank := true   // the current record holds nothing but spaces so far
	first := true   // in the file's first line
	sep := false    // the first line is an Excel "sep=" line
	line := make([]byte, 0, 8)
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n, rerr := r.Read(buf)
		chunk := buf[:n]
		if first && n > 0 && len(line) < 8 {
			line = append(line, chunk[:min(len(chunk), 8-len(line))]...)
			if l := bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")); len(l) >= 4 {
				sep = bytes.EqualFold(l[:4], []byte("sep="))
			}
		}
		for _, b := range chunk {
			if quoted {
				if b == '"' {
					quoted, closed = false, true
				}
				continue
			}
			switch {
			case b == '"' && (start || closed):
				// A field's opening quote, or the second of a doubled one.
				quoted, closed, start, blank = true, false, false, false
				continue
			case b == '\n':
				if first {
					first = false
					if sep {
						blank, start, closed = true, true, false
						continue
					}
				}
				if !blank {
					records++
				}
				blank = true
			case b == ',' || b == ';' || b == '\t' || b == '|':
				// A delimiter (the file's is one of these, or a character in
				// an unquoted field, which opens no quoted field after it as
				// a rule).
				blank = false
				start, closed = true, false
				continue
			case b != '\r' && b != ' ':
				blank = false
			}
			start = b == '\n'
			closed = false
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, rerr
		}
	}
	if !blank && !(first && sep) {
		records++
	}
	return max(records-max(headerRow, 1), 0), nil
}

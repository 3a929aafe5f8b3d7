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
	blank := true // the current record holds nothing but spaces so far
	first := true // in the file's first line
	sep := false  // the first line is an Excel "sep=" line
	line := make([]byte, 0, 8)
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n, rerr := r.Read(buf)
		chunk := buf[:n]
		if first && n > 0 {
			line = append(line, chunk[:min(len(chunk), 8-len(line))]...)
			chunk2 := bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
			if len(chunk2) >= 4 {
				sep = bytes.EqualFold(chunk2[:4], []byte("sep="))
			}
		}
		for _, b := range chunk {
			switch {
			case b == '"':
				quoted = !quoted
				blank = false
			case quoted:
			case b == '\n':
				if first {
					first = false
					if sep {
						blank = true
						continue
					}
				}
				if !blank {
					records++
				}
				blank = true
			case b != '\r' && b != ' ' && b != '\t':
				blank = false
			}
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

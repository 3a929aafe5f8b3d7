package readers

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// Row is one data row of a source.
type Row struct {
	// Num is the 1-based row number as a spreadsheet shows the file. For
	// XLSX it is the sheet's row number. For CSV it is the record's row:
	// one row per record, however many lines its quoted fields span, and
	// one per blank line; that is the line where the record starts, less
	// the line breaks inside the quoted fields of the records above it
	// (title rows and the header included).
	Num int
	// Cells holds one value per header column; missing trailing cells are "".
	Cells []string
	// Kinds holds the kind of each of Cells as the workbook typed it, when
	// the source was asked for them (XLSXOptions.CellKinds); nil otherwise,
	// and always for CSV, whose cells are all text.
	Kinds []CellKind
}

// Source streams the data rows of a file; memory stays flat whatever the
// file's size.
type Source interface {
	// Header returns the column names as in the file, BOM stripped and
	// trimmed of surrounding spaces. It is empty for an empty file or sheet
	// (nothing at or after the header row), which then has no rows either.
	Header() []string
	// Next returns the next data row, io.EOF after the last one, or a
	// *RowError for a bad row: the caller records it and calls Next again.
	// Any other error is fatal for the source.
	Next() (Row, error)
	// Close releases the file.
	Close() error
}

// RowError reports a row that could not be read. Reading goes on with the
// next row.
type RowError struct {
	File   string // the path or name the source was opened with
	Row    int    // Row.Num of the bad row
	Column string // column name or cell reference, when known
	Err    error
	// Cells holds what could be read of the row, one per header column, so
	// that a report can show the row as it was (nil when nothing could be
	// read, as for an unclosed quote).
	Cells []string
	// Kinds holds the kinds of Cells, as Row.Kinds does.
	Kinds []CellKind
}

func (e *RowError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("%s:%d: column %s: %v", e.File, e.Row, e.Column, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Row, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }

// Dialect reports what a CSV source detected or was told, for logs.
// CSV sources implement interface{ Dialect() Dialect }.
type Dialect struct {
	Delimiter rune
	Encoding  string
	BOM       bool
}

// Open opens path by its extension: .csv, .txt and .tsv are read as CSV
// (with csv's options; a .tsv file's delimiter is TAB unless given), .xlsx
// and .xlsm as XLSX (with xlsx's options).
func Open(path string, csv CSVOptions, xlsx XLSXOptions) (Source, error) {
	return OpenContext(context.Background(), path, csv, xlsx)
}

// OpenContext is Open with a context that stops a long opening (a
// workbook's shared strings, the search for its header): the error then
// wraps ctx.Err(). Reading rows does not look at ctx.
func OpenContext(ctx context.Context, path string, csv CSVOptions, xlsx XLSXOptions) (Source, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".tsv":
		if csv.Delimiter == 0 {
			csv.Delimiter = '\t'
		}
		return OpenCSV(path, csv)
	case ".csv", ".txt":
		return OpenCSV(path, csv)
	case ".xlsx", ".xlsm":
		return OpenXLSXContext(ctx, path, xlsx)
	case ".xls":
		return nil, fmt.Errorf("%s: the old binary Excel format (.xls) is not supported: save it as .xlsx or .csv", path)
	default:
		return nil, fmt.Errorf("%s: unknown file type %q: expected .csv, .txt, .tsv, .xlsx or .xlsm", path, ext)
	}
}

// columns maps a source's header to the columns it exposes: the named ones.
// A column without a name is left out; a data row holding a value in it is
// a *RowError, so a column is only dropped when it is empty in every row.
type columns struct {
	names []string // exposed names, in file order
	index []int    // index[k] is the file column of names[k]
	named []bool   // named[i] tells whether file column i has a name
}

// newColumns trims the names and checks that no two are the same. label
// names file column i (0-based) in messages.
func newColumns(name string, raw []string, label func(i int) string) (columns, error) {
	c := columns{named: make([]bool, len(raw))}
	var problems []string
	seen := make(map[string]int, len(raw))
	for i, s := range raw {
		if i == 0 {
			s = strings.TrimPrefix(s, "\uFEFF")
		}
		n := strings.TrimSpace(s)
		if n == "" {
			continue
		}
		if j, ok := seen[n]; ok {
			problems = append(problems, fmt.Sprintf("column %s and %s are both named %q", label(j), label(i), n))
			continue
		}
		seen[n] = i
		c.names = append(c.names, n)
		c.index = append(c.index, i)
		c.named[i] = true
	}
	if len(problems) > 0 {
		return columns{}, fmt.Errorf("%s: header: %s", name, strings.Join(problems, "; "))
	}
	return c, nil
}

// unnamed returns the first file column that has no name but holds a value
// in rec, or -1.
func (c columns) unnamed(rec []string) int {
	for i, v := range rec {
		if (i >= len(c.named) || !c.named[i]) && strings.TrimSpace(v) != "" {
			return i
		}
	}
	return -1
}

// cells picks the exposed columns out of rec; missing ones are "".
func (c columns) cells(rec []string) []string { return pick(c, rec) }

// pick picks the exposed columns out of rec, the cells of a record or
// their kinds; missing ones are the zero value ("", CellText).
func pick[T any](c columns, rec []T) []T {
	out := make([]T, len(c.index))
	for k, i := range c.index {
		if i < len(rec) {
			out[k] = rec[i]
		}
	}
	return out
}

// blank reports whether every cell is empty or only spaces.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

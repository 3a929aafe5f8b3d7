package scaffold

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/stbulk/stbulk/readers"
)

// Sampling limits: the rows read under each candidate header, and the
// header rows tried (title rows above the header).
const (
	SampleRows    = 300
	maxHeaderRows = 15
)

// Table is what was read of a file: how, its header, and a sample of its
// rows, read as import reads them.
type Table struct {
	Path      string
	Workbook  bool
	Dialect   readers.Dialect // CSV: the delimiter and encoding found
	Sheet     string          // workbook: the sheet read
	Sheets    []string        // workbook: every sheet
	HeaderRow int             // the header_row to write (1-based)
	Header    []string
	Rows      [][]string // sampled data rows, cells per header column
	Bad       int        // sampled rows the reader refused
	More      bool       // the file has rows past the sample
	NonASCII  bool       // the sample holds text beyond ASCII
}

// Read samples a file: for a CSV file its encoding and delimiter are
// detected by readers.Open; the header is the best-looking row among the
// first lines (title rows above it are skipped); in a workbook the sheet
// is sheet, or else the one with the most data under a detected header.
func Read(path, sheet string) (*Table, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".xlsx" && ext != ".xlsm" {
		if sheet != "" {
			return nil, fmt.Errorf("%s: --sheet applies to workbooks (.xlsx, .xlsm)", path)
		}
		return readBest(path, func(k int) (readers.Source, error) {
			return readers.Open(path, readers.CSVOptions{HeaderRow: k}, readers.XLSXOptions{})
		})
	}
	names, err := sheetNames(path)
	if err != nil {
		return nil, err
	}
	var best *Table
	var firstErr error
	for i, name := range names {
		if sheet != "" && !strings.EqualFold(sheet, name) {
			continue
		}
		t, err := readBest(path, func(k int) (readers.Source, error) {
			return readers.Open(path, readers.CSVOptions{}, readers.XLSXOptions{SheetIndex: i + 1, HeaderRow: k})
		})
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		t.Workbook, t.Sheet, t.Sheets = true, name, names
		if best == nil || t.data() > best.data() {
			best = t
		}
	}
	switch {
	case best != nil:
		return best, nil
	case sheet != "" && firstErr == nil:
		return nil, fmt.Errorf("%s: no sheet named %q; the sheets are %s", path, sheet, strings.Join(names, ", "))
	case firstErr != nil:
		return nil, firstErr
	}
	return nil, fmt.Errorf("%s: the workbook has no worksheet", path)
}

// sheetNames lists a workbook's sheets.
func sheetNames(path string) (names []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: not a readable workbook: %v", path, p)
		}
	}()
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable workbook: %w", path, err)
	}
	defer f.Close()
	return f.GetSheetList(), nil
}

// data is the number of non-empty cells sampled under the header.
func (t *Table) data() int {
	n := 0
	for _, r := range t.Rows {
		for _, c := range r {
			if strings.TrimSpace(c) != "" {
				n++
			}
		}
	}
	return n
}

// readBest opens the source with header rows 1, 2, ... and keeps the one
// whose header looks best (see headerScore).
func readBest(path string, open func(headerRow int) (readers.Source, error)) (*Table, error) {
	var best *Table
	bestScore := -1.0
	var prev *Table
	var firstErr error
	for k := 1; k <= maxHeaderRows; k++ {
		t, err := sample(path, open, k)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if len(t.Header) == 0 {
			break // past the end of the file
		}
		if prev != nil && sameTable(prev, t) {
			// The same header, found from a row further down: blank lines
			// before it. Keep the row closest to it.
			if best == prev {
				best = t
			}
			prev = t
			continue
		}
		prev = t
		if s := headerScore(t.Header, t.Rows, t.Bad); s > bestScore {
			best, bestScore = t, s
		}
	}
	if best == nil {
		if firstErr != nil {
			return nil, firstErr
		}
		return nil, fmt.Errorf("%s: no header found: the file is empty", path)
	}
	return best, nil
}

func sameTable(a, b *Table) bool {
	return strings.Join(a.Header, "\x00") == strings.Join(b.Header, "\x00") && len(a.Rows) == len(b.Rows) && a.Bad == b.Bad
}

// sample reads the header at or after headerRow and up to SampleRows rows.
func sample(path string, open func(int) (readers.Source, error), headerRow int) (*Table, error) {
	src, err := open(headerRow)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	t := &Table{Path: path, HeaderRow: headerRow, Header: src.Header()}
	for len(t.Rows)+t.Bad < SampleRows {
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		var re *readers.RowError
		if errors.As(err, &re) {
			t.Bad++
			continue
		}
		if err != nil {
			return nil, err
		}
		t.Rows = append(t.Rows, row.Cells)
	}
	if len(t.Rows)+t.Bad >= SampleRows {
		if _, err := src.Next(); err != io.EOF {
			t.More = true
		}
	}
	if d, ok := src.(interface{ Dialect() readers.Dialect }); ok {
		t.Dialect = d.Dialect()
	}
	t.NonASCII = nonASCII(t.Header) || slicesAny(t.Rows, nonASCII)
	return t, nil
}

func slicesAny(rows [][]string, f func([]string) bool) bool {
	for _, r := range rows {
		if f(r) {
			return true
		}
	}
	return false
}

func nonASCII(cells []string) bool {
	for _, c := range cells {
		for _, r := range c {
			if r > unicode.MaxASCII {
				return true
			}
		}
	}
	return false
}

// headerScore says how much a header looks like one: many named columns
// that read as labels (text, not numbers, dates or addresses), over rows
// that the reader splits into as many cells.
func headerScore(header []string, rows [][]string, bad int) float64 {
	if len(header) == 0 {
		return 0
	}
	labels := 0
	for _, h := range header {
		if isLabel(h) {
			labels++
		}
	}
	frac := float64(labels) / float64(len(header))
	fit := 1.0
	if n := len(rows) + bad; n > 0 {
		fit = float64(len(rows)) / float64(n)
	} else {
		fit = 0.5
	}
	// A column full of values under a header cell that is also a value
	// (a data row taken for the header) weighs less than a named one.
	return float64(labels) * frac * fit
}

// isLabel tells whether a cell reads as a column name: it holds a letter,
// is not too long, and is not a number, a date, an e-mail address or a URL.
func isLabel(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len([]rune(s)) > 60 || strings.Contains(s, "@") || strings.Contains(s, "://") {
		return false
	}
	letters, digits := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		}
	}
	return letters > 0 && digits <= letters
}

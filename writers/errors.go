package writers

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/stbulk/stbulk/writers/files"
)

// The columns an errors file adds after the input's own.
const (
	RowColumn   = "_row"
	ErrorColumn = "_error"
)

// ErrorsSheet is the name of an XLSX errors file's sheet unless the reader
// options name one.
const ErrorsSheet = "Errors"

// maxFillerSheets bounds the hidden sheets written before the errors sheet
// for an XLSX sheet index.
const maxFillerSheets = 255

// ErrorsFile holds the rows of a run that were not sent: each with its
// original cells, then _row (the source row number) and _error (the
// reason), and nothing else, so that it can be fixed and imported again with
// the same mapping file. Add and Close must be called from one goroutine
// at a time.
type ErrorsFile struct {
	path   string
	keep   []int // keep[k] is the input column of the file's column k
	width  int   // columns of the input header
	out    errorsSink
	cells  []string   // the record being written
	types  []CellType // the types of its cells, nil when all are text
	n      int
	closed bool
}

// errorsSink writes the records of one file format.
type errorsSink interface {
	// write adds one record: the kept cells, then the row number and the
	// reason (the header record has a name in their place: num < 0).
	// types, nil or as long as cells, are the cells' types.
	write(cells []string, types []CellType, num int, reason string) error
	close() error
	abort()
}

// ErrorsOption changes how an errors file is laid out.
type ErrorsOption func(*Layout)

// Layout is how the input of an errors file was read, so far as the errors
// file follows it: the reader options of the mapping file for the format
// of the errors file (CSV or XLSX). The fields of the other format are
// ignored.
type Layout struct {
	// HeaderRow is the 1-based row of the header as the readers count it,
	// 1 when 0; the rows before it are left empty (in CSV, an empty line
	// each).
	HeaderRow int

	// Delimiter separates the fields of a CSV file: ',' when 0, TAB when 0
	// and the path ends in .tsv.
	Delimiter rune
	// Quote is the quoting character of a CSV file: 0 or '"', the only one
	// written.
	Quote rune

	// Sheet is the name of the XLSX sheet: Errors when "".
	Sheet string
	// SheetIndex is the 1-based position of the XLSX sheet, an alternative
	// to Sheet: with n, the sheet comes after n-1 empty hidden ones.
	SheetIndex int
}

// ReadableWith lays the errors file out as its input was read, so that
// readers.Open with the options l is taken from (those of the mapping
// file) reads it back:
//
//   - CSV: fields are separated by l.Delimiter, ',' when 0. To keep the
//     delimiter detection found in the input, pass the source's
//     Dialect().Delimiter: detection finds it again in the errors file.
//     The encoding is always UTF-8 with a byte order mark, which wins over
//     the encoding a mapping forces. Only '"' quotes.
//   - The header is on l.HeaderRow (1 when 0); the lines or rows before it
//     are left empty.
//   - XLSX: the sheet is named l.Sheet (Errors when ""); with
//     l.SheetIndex n, it is the n-th sheet, after n-1 empty hidden ones.
func ReadableWith(l Layout) ErrorsOption {
	return func(dst *Layout) { *dst = l }
}

// NewErrors creates the errors file path, which must not exist: CSV when
// path ends in .csv (or .txt, or .tsv for TAB-separated), XLSX when it ends
// in .xlsx, as readers.Open reads them. The header is the input's, as the source gave
// it; its columns named _row or _error, from an errors file imported
// again, are left out, and _row and _error are added at the end, so that
// failing again does not grow the columns. The header is written at once: a
// run without errors leaves an errors file holding only the header.
//
// CSV: UTF-8 with a byte order mark, records ending in LF, fields quoted
// only when needed. XLSX: one sheet (see ReadableWith); every cell of the
// input's columns and of _error is a text cell formatted as Text (@), so
// "00123" or "1,50" stay as typed, even once edited in Excel, unless
// AddTyped gives it another type; _row is a number. (XML cannot hold
// control characters other than TAB, LF and CR: excelize writes them as
// U+FFFD. Excel does not let one type them.)
func NewErrors(path string, header []string, opts ...ErrorsOption) (*ErrorsFile, error) {
	var l Layout
	for _, o := range opts {
		o(&l)
	}
	e := &ErrorsFile{path: path, width: len(header)}
	names := make([]string, 0, len(header)+2)
	for i, h := range header {
		if n := strings.TrimSpace(h); n == RowColumn || n == ErrorColumn {
			continue
		}
		e.keep = append(e.keep, i)
		names = append(names, h)
	}

	var err error
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv", ".txt", ".tsv":
		if l.Delimiter == 0 && ext == ".tsv" {
			l.Delimiter = '\t'
		}
		e.out, err = newCSVErrors(path, l)
	case ".xlsx":
		e.out, err = newXLSXErrors(path, l, len(names))
	default:
		return nil, fmt.Errorf("%s: unknown file type %q for an errors file: expected .csv, .txt, .tsv or .xlsx", path, ext)
	}
	if err != nil {
		return nil, err
	}
	if err := e.out.write(names, nil, -1, ""); err != nil {
		e.out.abort()
		return nil, files.Wrap(path, err)
	}
	return e, nil
}

// Path returns the file's path.
func (e *ErrorsFile) Path() string { return e.path }

// Add writes a row that was not sent: its cells, aligned with the header
// given to NewErrors (missing trailing cells are empty), without those of
// the _row and _error columns, then num and reason. num must be the source
// row number (1 or more): it is what _row tells a reader. Every cell is
// text.
func (e *ErrorsFile) Add(num int, cells []string, reason string) error {
	return e.AddTyped(num, cells, nil, reason)
}

// AddTyped is Add with the type of each cell, aligned with cells (nil, or
// missing ones, are text), as the input workbook typed them. An XLSX
// errors file writes each cell with its type, so that the same mapping
// reads the row back as it read it from the input: a number as a number,
// a boolean as a boolean, a date or time as its serial number with a date
// or time format, text as text. A cell whose text is not of its type
// (a number that does not parse) is written as text. A CSV errors file
// ignores types.
func (e *ErrorsFile) AddTyped(num int, cells []string, types []CellType, reason string) error {
	if e.closed {
		return fmt.Errorf("%s: row %d: the errors file is closed", e.path, num)
	}
	if num < 1 {
		return fmt.Errorf("%s: row number %d: reports need the source row number", e.path, num)
	}
	if len(cells) > e.width {
		return fmt.Errorf("%s: row %d has %d cells, but the header has %d columns", e.path, num, len(cells), e.width)
	}
	e.cells, e.types = e.cells[:0], e.types[:0]
	for _, i := range e.keep {
		c := ""
		if i < len(cells) {
			c = cells[i]
		}
		e.cells = append(e.cells, c)
		if types != nil {
			t := CellText
			if i < len(types) {
				t = types[i]
			}
			e.types = append(e.types, t)
		}
	}
	var ts []CellType
	if types != nil {
		ts = e.types
	}
	if err := e.out.write(e.cells, ts, num, reason); err != nil {
		return fmt.Errorf("%s: row %d: %w", e.path, num, err)
	}
	e.n++
	return nil
}

// Count returns the number of rows added.
func (e *ErrorsFile) Count() int { return e.n }

// Close writes what is buffered and closes the file, which is then
// complete. Calling it again does nothing.
func (e *ErrorsFile) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	return files.Wrap(e.path, e.out.close())
}

// csvErrors writes an errors file as CSV.
type csvErrors struct {
	f   *os.File
	w   *csv.Writer
	rec []string
}

func newCSVErrors(path string, o Layout) (*csvErrors, error) {
	d := o.Delimiter
	if d == 0 {
		d = ','
	}
	if d == '"' || d == '\r' || d == '\n' || d == utf8.RuneError || !utf8.ValidRune(d) {
		return nil, fmt.Errorf("%s: %q cannot be a delimiter", path, d)
	}
	if o.Quote != 0 && o.Quote != '"' {
		return nil, fmt.Errorf("%s: quote character %q is not supported: only '\"' is", path, o.Quote)
	}
	if o.HeaderRow < 0 {
		return nil, fmt.Errorf("%s: header row %d: rows are numbered from 1", path, o.HeaderRow)
	}
	f, err := createReport(path)
	if err != nil {
		return nil, err
	}
	// csv.NewWriter keeps a *bufio.Writer of 4 KiB or more as its buffer.
	buf := bufio.NewWriterSize(f, 64<<10)
	_, _ = buf.WriteString(utf8BOM)
	for range o.HeaderRow - 1 {
		_ = buf.WriteByte('\n')
	}
	c := &csvErrors{f: f, w: csv.NewWriter(buf)}
	c.w.Comma = d
	return c, nil
}

func (c *csvErrors) write(cells []string, _ []CellType, num int, reason string) error {
	c.rec = append(append(c.rec[:0], cells...), RowColumn, ErrorColumn)
	if num >= 0 {
		c.rec[len(cells)] = strconv.Itoa(num)
		c.rec[len(cells)+1] = reason
	}
	return c.w.Write(c.rec)
}

func (c *csvErrors) close() error {
	c.w.Flush() // c.buf is the csv.Writer's buffer: it is flushed too
	err := c.w.Error()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (c *csvErrors) abort() {
	_ = c.f.Close()
	_ = os.Remove(c.f.Name())
}

// xlsxErrors writes an errors file as XLSX, streamed: rows go to a
// temporary file past a few megabytes, and the workbook is zipped into the
// file on close.
type xlsxErrors struct {
	out    *os.File
	book   *excelize.File
	sheet  *excelize.StreamWriter
	name   string
	text   int // the style id of text cells
	header int // the style id of the header's cells: bold text
	reason int // the style id of the _error column: text, wrapped
	typed  typedStyles
	first  int // the sheet row of the header
	row    int // the sheet row of the next record
	width  int // columns, _row and _error included
	rec    []any
}

// Widths of an errors sheet's columns, in characters: the input's columns
// by their header, _row narrow, _error wide (its text wraps).
const (
	errorsMinWidth    = 10
	errorsMaxWidth    = 40
	errorsRowWidth    = 8
	errorsReasonWidth = 80
)

func newXLSXErrors(path string, o Layout, width int) (_ *xlsxErrors, err error) {
	switch {
	case o.Sheet != "" && o.SheetIndex != 0:
		return nil, fmt.Errorf("%s: give a sheet name or a sheet index, not both", path)
	case o.SheetIndex < 0 || o.SheetIndex > maxFillerSheets+1:
		return nil, fmt.Errorf("%s: sheet index %d: expected 1 to %d", path, o.SheetIndex, maxFillerSheets+1)
	case o.HeaderRow < 0 || o.HeaderRow > excelize.TotalRows:
		return nil, fmt.Errorf("%s: header row %d: expected 1 to %d", path, o.HeaderRow, excelize.TotalRows)
	case width+2 > excelize.MaxColumns:
		return nil, fmt.Errorf("%s: %d columns with _row and _error: a sheet holds %d at most", path, width+2, excelize.MaxColumns)
	}
	name := o.Sheet
	if name == "" {
		name = ErrorsSheet
	}
	x := &xlsxErrors{book: excelize.NewFile(), name: name, first: max(o.HeaderRow, 1), row: max(o.HeaderRow, 1), width: width + 2}
	defer func() {
		if err != nil {
			_ = x.book.Close()
			if x.out != nil {
				_ = x.out.Close()
				_ = os.Remove(path)
			}
		}
	}()
	if err := x.layout(name, o.SheetIndex); err != nil {
		return nil, fmt.Errorf("%s: sheet %q: %w", path, name, err)
	}
	if x.sheet, err = x.book.NewStreamWriter(name); err != nil {
		return nil, files.Wrap(path, err)
	}
	if x.text, err = x.book.NewStyle(&excelize.Style{NumFmt: 49}); err != nil { // 49 is "@", Text
		return nil, files.Wrap(path, err)
	}
	if x.header, err = x.book.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, files.Wrap(path, err)
	}
	if x.reason, err = x.book.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}); err != nil {
		return nil, files.Wrap(path, err)
	}
	if x.typed, err = newTypedStyles(x.book); err != nil {
		return nil, files.Wrap(path, err)
	}
	if width > 0 {
		if err := x.sheet.SetColStyle(1, width, x.text); err != nil {
			return nil, files.Wrap(path, err)
		}
	}
	if err := x.sheet.SetColStyle(width+2, width+2, x.reason); err != nil {
		return nil, files.Wrap(path, err)
	}
	// The header's row stays in view, as in the exports.
	top, err := excelize.CoordinatesToCellName(1, x.first+1)
	if err != nil {
		return nil, files.Wrap(path, err)
	}
	if err := x.sheet.SetPanes(&excelize.Panes{Freeze: true, YSplit: x.first, TopLeftCell: top, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}}}); err != nil {
		return nil, files.Wrap(path, err)
	}
	if x.out, err = createReport(path); err != nil {
		return nil, err
	}
	return x, nil
}

// layout names the workbook's sheets: name is the sheet at position index
// (1 when 0), after hidden empty ones.
func (x *xlsxErrors) layout(name string, index int) error {
	const first = "Sheet1" // the sheet of a new workbook
	if index <= 1 {
		if name == first {
			return nil
		}
		return x.book.SetSheetName(first, name)
	}
	fillers := make([]string, index-1)
	for i := range fillers {
		fillers[i] = "empty" + strconv.Itoa(i+1)
	}
	if err := x.book.SetSheetName(first, fillers[0]); err != nil {
		return err
	}
	for _, s := range fillers[1:] {
		if _, err := x.book.NewSheet(s); err != nil {
			return err
		}
	}
	i, err := x.book.NewSheet(name)
	if err != nil {
		return err
	}
	x.book.SetActiveSheet(i)
	for _, s := range fillers {
		if err := x.book.SetSheetVisible(s, false); err != nil {
			return err
		}
	}
	return nil
}

func (x *xlsxErrors) write(cells []string, types []CellType, num int, reason string) error {
	x.rec = x.rec[:0]
	if num < 0 {
		// The header: bold, and the column widths from it, which the
		// stream writer takes before the first row only.
		for i, c := range cells {
			w := float64(min(max(utf8.RuneCountInString(c)+4, errorsMinWidth), errorsMaxWidth))
			if err := x.sheet.SetColWidth(i+1, i+1, w); err != nil {
				return err
			}
			x.rec = append(x.rec, excelize.Cell{StyleID: x.header, Value: c})
		}
		if err := x.sheet.SetColWidth(len(cells)+1, len(cells)+1, errorsRowWidth); err != nil {
			return err
		}
		if err := x.sheet.SetColWidth(len(cells)+2, len(cells)+2, errorsReasonWidth); err != nil {
			return err
		}
		x.rec = append(x.rec, excelize.Cell{StyleID: x.header, Value: RowColumn}, excelize.Cell{StyleID: x.header, Value: ErrorColumn})
	} else {
		for i, c := range cells {
			if i < len(types) && types[i] != CellText {
				x.rec = append(x.rec, x.typed.cell(c, types[i]))
				continue
			}
			x.rec = append(x.rec, c)
		}
		x.rec = append(x.rec, num, excelize.Cell{StyleID: x.reason, Value: reason})
	}
	if x.row > excelize.TotalRows {
		return fmt.Errorf("a sheet holds %d rows at most", excelize.TotalRows)
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	if err := x.sheet.SetRow(cell, x.rec); err != nil {
		return err
	}
	x.row++
	return nil
}

func (x *xlsxErrors) close() error {
	// An autofilter over the header and the rows, set on the worksheet
	// before the stream writer writes it at Flush.
	last, err := excelize.CoordinatesToCellName(x.width, max(x.row-1, x.first))
	if err == nil {
		first, _ := excelize.CoordinatesToCellName(1, x.first)
		err = x.book.AutoFilter(x.name, first+":"+last, nil)
	}
	if err == nil {
		err = x.sheet.Flush()
	}
	if err == nil {
		w := bufio.NewWriterSize(x.out, 64<<10)
		if err = x.book.Write(w); err == nil {
			err = w.Flush()
		}
	}
	if cerr := x.out.Close(); err == nil {
		err = cerr
	}
	if cerr := x.book.Close(); err == nil {
		err = cerr
	}
	return err
}

func (x *xlsxErrors) abort() {
	_ = x.book.Close()
	_ = x.out.Close()
	_ = os.Remove(x.out.Name())
}

package writers

// Spreadsheet exports. A Workbook writes tables for people to open in a
// spreadsheet program: one XLSX file holding several sheets, or CSV files,
// one a sheet. Numbers are numeric cells and dates real date cells; in XLSX
// the header row is bold, frozen and carries an autofilter, and column
// widths follow the content.
//
// Text cells are neutralised against formula injection (OWASP, "CSV
// Injection"), so that no spreadsheet program ever reads as a formula a
// text that starts with TAB or CR, or with =, +, -, @ or their full-width
// forms (＝ ＋ － ＠) after any white space. In CSV, which a
// spreadsheet parses field by field, such a text gets a single quote in
// front. In XLSX, text cells are string cells, which are never evaluated;
// such a text keeps its value (a phone number +33 4 78 42 10 11 reads back
// as it came, and can be imported again) and its cell carries the
// quotePrefix style, the mark Excel itself sets on a text typed after a
// quote: the cell stays text even once edited. Number and date cells are
// not touched: NumberCell(-5) is written -5.
//
// Files are written to temporary files in the folder of the export and
// renamed into place by Close: an export that fails or is aborted leaves no
// half-written file, and a file it replaces stays as it was until the new
// one is complete.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind is the type of a spreadsheet cell.
type Kind int

// The kinds of cells. A Kind other than these is taken as KindText.
const (
	KindText     Kind = iota
	KindNumber        // a float64
	KindDate          // a calendar day (time part ignored)
	KindDateTime      // a day and a time
	KindMoney         // an amount (float64): two decimals, thousands separators, the workbook's currency
	KindPercent       // a rate held as a fraction (float64): 0.1 is shown 10 %
)

// Cell is one value of a table. The zero Cell is an empty text cell.
//
// Times are written as the wall-clock time they hold, in their own
// location: no time zone conversion takes place.
type Cell struct {
	Kind   Kind      `json:"k,omitempty"`
	Text   string    `json:"s,omitempty"` // KindText
	Number float64   `json:"n,omitempty"` // KindNumber, KindMoney, KindPercent
	Time   time.Time `json:"t,omitzero"`  // KindDate, KindDateTime
}

// TextCell returns a text cell.
func TextCell(s string) Cell { return Cell{Kind: KindText, Text: s} }

// NumberCell returns a number cell. NaN and infinities, which a spreadsheet
// cannot hold as numbers, are written as the text NaN, +Inf or -Inf
// (neutralised like any text: '+Inf, '-Inf).
func NumberCell(f float64) Cell { return Cell{Kind: KindNumber, Number: f} }

// MoneyCell returns an amount cell. XLSX shows it with two decimals,
// thousands separators and the workbook's currency (TableFormat.Currency);
// CSV writes it with two decimals, the decimal separator of the format
// and no thousands separator ("1234,50"). NaN and infinities are written
// as NumberCell writes them.
func MoneyCell(f float64) Cell { return Cell{Kind: KindMoney, Number: f} }

// PercentCell returns a rate cell holding the fraction f: PercentCell(0.1)
// is 10 %. XLSX stores 0.1 with a percent format (10%, 5.5%); CSV, which
// has no formats, writes the number of percent: 10, 5,5. NaN and
// infinities are written as NumberCell writes them.
func PercentCell(f float64) Cell { return Cell{Kind: KindPercent, Number: f} }

// DateCell returns a date cell: the calendar day of t, as t's location
// sees it. A zero t is an empty cell.
func DateCell(t time.Time) Cell { return Cell{Kind: KindDate, Time: t} }

// DateTimeCell returns a date and time cell: the wall-clock time of t in its
// location. A zero t is an empty cell.
func DateTimeCell(t time.Time) Cell { return Cell{Kind: KindDateTime, Time: t} }

// The plain renderings of dates and date-times, used by String.
const (
	plainDate     = "2006-01-02"
	plainDateTime = "2006-01-02 15:04:05"
)

// IsEmpty reports whether c holds nothing: an empty text, or a zero time for
// dates. A number cell is never empty.
func (c Cell) IsEmpty() bool {
	switch c.Kind {
	case KindNumber, KindMoney, KindPercent:
		return false
	case KindDate, KindDateTime:
		return c.Time.IsZero()
	default:
		return c.Text == ""
	}
}

// String returns a plain rendering of c: text as is, numbers as
// strconv.FormatFloat(f, 'f', -1, 64) gives them ("213.65", "NaN", "+Inf"),
// amounts with two decimals ("139.40"), rates as their number of percent
// followed by % ("10%", "50.3%"), dates as 2006-01-02, date-times as
// 2006-01-02 15:04:05; an empty date is "".
func (c Cell) String() string {
	switch c.Kind {
	case KindNumber:
		return strconv.FormatFloat(c.Number, 'f', -1, 64)
	case KindMoney:
		if !finite(c.Number) {
			return strconv.FormatFloat(c.Number, 'f', -1, 64)
		}
		return strconv.FormatFloat(c.Number, 'f', 2, 64)
	case KindPercent:
		if !finite(c.Number) {
			return strconv.FormatFloat(c.Number, 'f', -1, 64)
		}
		return percentText(c.Number) + "%"
	case KindDate:
		if c.Time.IsZero() {
			return ""
		}
		return c.Time.Format(plainDate)
	case KindDateTime:
		if c.Time.IsZero() {
			return ""
		}
		return c.Time.Format(plainDateTime)
	default:
		return c.Text
	}
}

// Column is a column of a sheet.
type Column struct {
	Header string
	// Kind is the column's usual kind: it sets the column's number format
	// (XLSX: date, amount and rate columns are formatted as such, also for
	// cells typed in later) and the width guess. Cells may still differ: each cell is
	// written as its own kind (an unreadable number is kept as text).
	Kind Kind
}

// TableFormat says how a workbook is written. The CSV fields apply to CSV
// only.
type TableFormat struct {
	CSV            bool   // CSV files instead of one XLSX
	Delimiter      rune   // CSV: ',' when 0
	Decimal        rune   // CSV: decimal separator of numbers, '.' when 0 (',' for French accounting software)
	BOM            bool   // CSV: start with a UTF-8 byte order mark (Excel reads accents right)
	DateLayout     string // CSV: Go layout of KindDate cells, "2006-01-02" when ""
	DateTimeLayout string // CSV: Go layout of KindDateTime cells, "2006-01-02 15:04:05" when ""

	// FormatDate, when set, writes the KindDate cells of CSV files in place
	// of DateLayout; it is given the day at midnight, in the cell's
	// location. FormatDateTime does the same for KindDateTime cells, in
	// place of DateTimeLayout. What they return is neutralised as text is.
	FormatDate     func(time.Time) string
	FormatDateTime func(time.Time) string

	// Currency is the ISO 4217 code (EUR, USD…) of KindMoney cells, shown
	// in their XLSX number format (1,234.50 €; $1,234.50; 1,234.50 CHF);
	// "" for amounts without a currency. CSV files do not show it.
	Currency string
}

// Workbook writes the sheets of one export, one after another. A Workbook
// is not safe for concurrent use.
//
// XLSX: every sheet is in the one file given to CreateWorkbook. A workbook
// closed with no sheet holds one empty sheet named Sheet1, since an XLSX
// file needs one. XML 1.0 cannot hold most control characters (all below
// U+0020 but TAB, LF and CR) nor U+FFFE and U+FFFF: they are dropped from
// text cells and headers (and become _ in sheet names); bytes that are not
// UTF-8 become U+FFFD. Excel holds 32767 characters in a cell: longer texts
// are cut.
//
// CSV: the first sheet is the file given to CreateWorkbook, each further
// sheet a file beside it (see Sheet). A workbook closed with no sheet
// leaves an empty file. Text is written byte for byte (but for the
// neutralising quote); records end with LF.
type Workbook struct {
	path   string
	out    tableWriter
	state  workbookState
	err    error // the first failure that leaves the workbook unusable
	sheets []*Sheet
	files  []string // after Close
}

type workbookState int

const (
	workbookOpen workbookState = iota
	workbookClosed
	workbookAborted
)

// tableWriter writes the sheets of a workbook in one file format, to
// temporary files until close.
type tableWriter interface {
	// limits returns the most columns and rows (header included) a sheet
	// holds, 0 for no limit.
	limits() (cols, rows int)
	// sheet starts the pos-th sheet of the workbook (from 1), named name,
	// with columns cols, whose headers make its first row.
	sheet(name string, cols []Column, pos int) (sheetWriter, error)
	// close puts the files in place and returns them, in the order of the
	// sheets; on failure the caller aborts.
	close() ([]string, error)
	// abort removes the temporary files not yet in place.
	abort()
}

// sheetWriter writes the rows of one sheet.
type sheetWriter interface {
	name() string // as the workbook shows it
	path() string // the file the sheet goes to, for errors
	// write adds cells, no more than the sheet has columns, as sheet row
	// row: the rows come in order, from 2.
	write(row int, cells []Cell) error
	// end writes what is buffered: the sheet takes no more rows.
	end() error
}

// CreateWorkbook starts an export to path: an XLSX file, or with f.CSV, CSV
// files. Nothing is at path until Close. It fails when the folder of path
// cannot take a file, and for CSV when the delimiter or the decimal
// separator is unusable or both are the same character.
func CreateWorkbook(path string, f TableFormat) (*Workbook, error) {
	var (
		out tableWriter
		err error
	)
	if f.CSV {
		out, err = newCSVTable(path, f)
	} else {
		out, err = newXLSXTable(path, f.Currency)
	}
	if err != nil {
		return nil, err
	}
	return &Workbook{path: path, out: out}, nil
}

// usable returns why the workbook cannot be written to, if it cannot.
func (w *Workbook) usable() error {
	switch {
	case w.state == workbookClosed:
		return fmt.Errorf("%s: the workbook is closed", w.path)
	case w.state == workbookAborted:
		return fmt.Errorf("%s: the workbook was aborted", w.path)
	}
	return w.err
}

// fail records err as the failure that stops the workbook and returns it.
func (w *Workbook) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return err
}

// Sheet ends the previous sheet (if any) and starts a new one with the given
// columns, whose headers make its first row.
//
// XLSX: a sheet named name in the file at path. The name is made one Excel
// accepts: characters Excel refuses (: \ / ? * [ ] and control characters)
// become _, an apostrophe becomes ’ (U+2019), an empty name becomes
// Sheet<n> (n its position), the name is cut to 31 characters, and a name
// already taken (case-insensitively; Excel reserves History) gets " (2)",
// " (3)"… A sheet has at most 16384 columns.
//
// CSV: the first sheet is the file at path; each further sheet is a file
// beside it named <path without .csv>-<name>.csv, where name is the sheet
// name in lower case with every run of characters other than letters,
// digits, - and _ made one -, cut to 50 characters ("sheet<n>" when
// nothing is left); a name already taken gets -2, -3…
func (w *Workbook) Sheet(name string, cols []Column) (*Sheet, error) {
	if err := w.usable(); err != nil {
		return nil, err
	}
	if maxCols, _ := w.out.limits(); maxCols > 0 && len(cols) > maxCols {
		return nil, fmt.Errorf("%s: sheet %q: %d columns: a sheet holds %d at most", w.path, name, len(cols), maxCols)
	}
	if err := w.endSheet(); err != nil {
		return nil, err
	}
	s := &Sheet{w: w, name: name, cols: append([]Column(nil), cols...), row: 1}
	out, err := w.out.sheet(s.name, s.cols, len(w.sheets)+1)
	if err != nil {
		return nil, w.fail(err)
	}
	s.out = out
	w.sheets = append(w.sheets, s)
	return s, nil
}

// endSheet finishes the sheet being written, if any.
func (w *Workbook) endSheet() error {
	if len(w.sheets) == 0 {
		return nil
	}
	s := w.sheets[len(w.sheets)-1]
	if s.done {
		return nil
	}
	s.done = true
	if err := s.out.end(); err != nil {
		return w.fail(err)
	}
	return nil
}

// Close finishes the workbook and puts its file(s) in place: each
// temporary file is flushed to disk, made 0o644 and renamed to its final
// path, replacing any file there. On failure the temporary files are
// removed (with several CSV files, those already renamed stay) and the
// error names the file. Close a second time is an error.
func (w *Workbook) Close() (err error) {
	if err := w.usable(); err != nil {
		if w.state == workbookOpen {
			w.Abort()
		}
		return err
	}
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	if err := w.endSheet(); err != nil {
		return err
	}
	files, err := w.out.close()
	if err != nil {
		return w.fail(err)
	}
	w.state, w.files = workbookClosed, files
	return nil
}

// Files returns the files the workbook wrote, in the order of the sheets
// (one for XLSX); nil until Close succeeds.
func (w *Workbook) Files() []string {
	return append([]string(nil), w.files...)
}

// Abort removes the temporary files and leaves whatever was at the
// workbook's paths as it was; the workbook cannot be used afterwards. It
// does nothing after a successful Close, or a second time.
func (w *Workbook) Abort() {
	if w.state != workbookOpen {
		return
	}
	w.state = workbookAborted
	w.out.abort()
}

// Sheet is one sheet of a workbook, being written. It takes rows until the
// workbook starts another sheet or is closed.
type Sheet struct {
	w    *Workbook
	name string   // as given
	cols []Column // copied
	row  int      // the sheet row last written; the header is row 1
	done bool
	out  sheetWriter
}

// Name returns the sheet's name: in the workbook for XLSX, as given for CSV.
func (s *Sheet) Name() string { return s.out.name() }

// Write adds one row. A row with more cells than the sheet has columns is
// refused with an error naming the sheet; a shorter row is padded with
// empty cells. An XLSX sheet holds 1048576 rows, header included.
func (s *Sheet) Write(cells []Cell) error {
	w := s.w
	if err := w.usable(); err != nil {
		return err
	}
	if s.done {
		return fmt.Errorf("%s: sheet %q is finished: a later sheet was started", s.out.path(), s.name)
	}
	row := s.row + 1
	if len(cells) > len(s.cols) {
		return fmt.Errorf("%s: sheet %q: row %d: %d cells, but the sheet has %d columns", s.out.path(), s.name, row, len(cells), len(s.cols))
	}
	if _, maxRows := w.out.limits(); maxRows > 0 && row > maxRows {
		return fmt.Errorf("%s: sheet %q: row %d: a sheet holds %d rows at most", s.out.path(), s.name, row, maxRows)
	}
	if err := s.out.write(row, cells); err != nil {
		return w.fail(fmt.Errorf("%s: sheet %q: row %d: %w", s.out.path(), s.name, row, err))
	}
	s.row = row
	return nil
}

// finite reports whether f is neither NaN nor an infinity.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// percentText returns the number of percent of the fraction f, with at
// most six decimals and no trailing zeros: 0.503 is "50.3".
func percentText(f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// neutralise puts a single quote before a text a spreadsheet could take
// for a formula.
func neutralise(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// formulaLike reports whether a spreadsheet could take s for a formula: it
// starts with TAB or CR, or its first character after any white space
// (spaces, newlines, no-break spaces) is =, +, -, @ or their full-width
// forms ＝ ＋ － ＠, which some spreadsheet programs read as the same.
func formulaLike(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '\t' || s[0] == '\r' {
		return true
	}
	i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) })
	if i < 0 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return strings.ContainsRune("=+-@\uff1d\uff0b\uff0d\uff20", r)
}

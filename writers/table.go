package writers

// Spreadsheet exports. A Workbook writes tables for people to open in a
// spreadsheet program: one XLSX file holding several sheets, or CSV files,
// one a sheet. Numbers are numeric cells and dates real date cells; in XLSX
// the header row is bold, frozen and carries an autofilter, and column
// widths follow the content.
//
// Text cells are neutralised against formula injection (OWASP, "CSV
// Injection"), so that no spreadsheet program ever reads a text that
// starts with =, +, -, @, TAB or CR as a formula. In CSV, which a
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
	"bufio"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Kind is the type of a spreadsheet cell.
type Kind int

// The kinds of cells. A Kind other than these is taken as KindText.
const (
	KindText     Kind = iota
	KindNumber        // a float64
	KindDate          // a calendar day (time part ignored)
	KindDateTime      // a day and a time
)

// Cell is one value of a table. The zero Cell is an empty text cell.
//
// Times are written as the wall-clock time they hold, in their own
// location: no time zone conversion takes place.
type Cell struct {
	Kind   Kind      `json:"k,omitempty"`
	Text   string    `json:"s,omitempty"` // KindText
	Number float64   `json:"n,omitempty"` // KindNumber
	Time   time.Time `json:"t,omitzero"`  // KindDate, KindDateTime
}

// TextCell returns a text cell.
func TextCell(s string) Cell { return Cell{Kind: KindText, Text: s} }

// NumberCell returns a number cell. NaN and infinities, which a spreadsheet
// cannot hold as numbers, are written as the text NaN, +Inf or -Inf
// (neutralised like any text: '+Inf, '-Inf).
func NumberCell(f float64) Cell { return Cell{Kind: KindNumber, Number: f} }

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
	case KindNumber:
		return false
	case KindDate, KindDateTime:
		return c.Time.IsZero()
	default:
		return c.Text == ""
	}
}

// String returns a plain rendering of c: text as is, numbers as
// strconv.FormatFloat(f, 'f', -1, 64) gives them ("213.65", "NaN", "+Inf"),
// dates as 2006-01-02, date-times as 2006-01-02 15:04:05; an empty date is
// "".
func (c Cell) String() string {
	switch c.Kind {
	case KindNumber:
		return strconv.FormatFloat(c.Number, 'f', -1, 64)
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
	// (XLSX: date columns are formatted as dates, also for cells typed in
	// later) and the width guess. Cells may still differ: each cell is
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
}

// XLSX limits and layout.
const (
	maxSheetName  = 31  // UTF-16 units in a sheet name
	widthRows     = 200 // rows buffered to size the columns
	minColWidth   = 8
	maxColWidth   = 60
	cellPadding   = 2 // characters added to the widest cell of a column
	headerPadding = 4 // characters added to a header: bold, and the filter button
	xlsxDate      = "yyyy-mm-dd"
	xlsxDateTime  = "yyyy-mm-dd hh:mm"
	generalFormat = "General"
)

// The widths of date cells as xlsxDate and xlsxDateTime show them.
const (
	dateWidth     = len("2006-01-02")
	dateTimeWidth = len("2006-01-02 15:04")
)

// The days an XLSX date cell can hold, in the 1900 date system: others are
// written as text.
var (
	firstXLSXDay = time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)
	endXLSXDays  = time.Date(10000, time.January, 1, 0, 0, 0, 0, time.UTC)
)

// newBookSheet is the sheet of a new excelize workbook.
const newBookSheet = "Sheet1"

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
	format TableFormat // defaults filled in
	state  workbookState
	err    error // the first failure that leaves the workbook unusable
	sheets []*Sheet
	names  []string // the sheet names (XLSX) or file names (CSV) taken
	files  []string // after Close

	// XLSX
	book   *excelize.File
	out    *os.File // the temporary file of the workbook
	styles xlsxStyles

	// CSV: the temporary files, one a sheet; the first is created with
	// the workbook.
	parts []csvPart
}

type workbookState int

const (
	workbookOpen workbookState = iota
	workbookClosed
	workbookAborted
)

// csvPart is one CSV file of a workbook.
type csvPart struct {
	path string   // where it goes
	tmp  *os.File // where it is written
}

// xlsxStyles are the style ids of a workbook's cells.
type xlsxStyles struct {
	header       int
	date         int
	dateTime     int
	general      int // numbers in a column formatted otherwise
	quoted       int // texts a spreadsheet could read as formulas: quotePrefix
	quotedHeader int
}

// CreateWorkbook starts an export to path: an XLSX file, or with f.CSV, CSV
// files. Nothing is at path until Close. It fails when the folder of path
// cannot take a file, and for CSV when the delimiter or the decimal
// separator is unusable or both are the same character.
func CreateWorkbook(path string, f TableFormat) (*Workbook, error) {
	if f.CSV {
		if f.Delimiter == 0 {
			f.Delimiter = ','
		}
		if f.Decimal == 0 {
			f.Decimal = '.'
		}
		if f.DateLayout == "" {
			f.DateLayout = plainDate
		}
		if f.DateTimeLayout == "" {
			f.DateTimeLayout = plainDateTime
		}
		if !csvSeparator(f.Delimiter) {
			return nil, fmt.Errorf("%s: delimiter %q cannot separate CSV fields", path, f.Delimiter)
		}
		if !csvSeparator(f.Decimal) || unicode.IsDigit(f.Decimal) || f.Decimal == '-' {
			return nil, fmt.Errorf("%s: %q cannot be a decimal separator", path, f.Decimal)
		}
		if f.Decimal == f.Delimiter {
			return nil, fmt.Errorf("%s: the decimal separator and the delimiter are both %q: numbers would be cut in two", path, f.Delimiter)
		}
	}
	w := &Workbook{path: path, format: f}
	tmp, err := tableTempFile(path)
	if err != nil {
		return nil, err
	}
	if f.CSV {
		w.parts = []csvPart{{path: path, tmp: tmp}}
		return w, nil
	}
	w.out = tmp
	w.book = excelize.NewFile()
	if err := w.newStyles(); err != nil {
		w.Abort()
		return nil, fileErr(path, err)
	}
	return w, nil
}

// csvSeparator reports whether encoding/csv can use r between fields.
func csvSeparator(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && r != utf8.RuneError && utf8.ValidRune(r)
}

// tableTempFile creates the temporary file that becomes path at Close.
func tableTempFile(path string) (*os.File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

func (w *Workbook) newStyles() (err error) {
	date, dateTime, general := xlsxDate, xlsxDateTime, generalFormat
	if w.styles.header, err = w.book.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	if w.styles.date, err = w.book.NewStyle(&excelize.Style{CustomNumFmt: &date}); err != nil {
		return err
	}
	if w.styles.dateTime, err = w.book.NewStyle(&excelize.Style{CustomNumFmt: &dateTime}); err != nil {
		return err
	}
	if w.styles.general, err = w.book.NewStyle(&excelize.Style{CustomNumFmt: &general}); err != nil {
		return err
	}
	// The text format (49, "@"), with quotePrefix set on its cell format:
	// excelize's Style has no field for it, its style sheet has.
	if w.styles.quoted, err = w.book.NewStyle(&excelize.Style{NumFmt: 49}); err != nil {
		return err
	}
	if w.styles.quotedHeader, err = w.book.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	for _, id := range []int{w.styles.quoted, w.styles.quotedHeader} {
		if st := w.book.Styles; st == nil || st.CellXfs == nil || id >= len(st.CellXfs.Xf) {
			return fmt.Errorf("%s: no cell format %d for quoted texts", w.path, id)
		}
		quote := true
		w.book.Styles.CellXfs.Xf[id].QuotePrefix = &quote
	}
	return nil
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
	if !w.format.CSV && len(cols) > excelize.MaxColumns {
		return nil, fmt.Errorf("%s: sheet %q: %d columns: a sheet holds %d at most", w.path, name, len(cols), excelize.MaxColumns)
	}
	if err := w.endSheet(); err != nil {
		return nil, err
	}
	s := &Sheet{w: w, name: name, cols: append([]Column(nil), cols...), row: 1}
	var err error
	if w.format.CSV {
		err = w.startCSV(s)
	} else {
		err = w.startXLSX(s)
	}
	if err != nil {
		return nil, w.fail(err)
	}
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
	var err error
	if w.format.CSV {
		err = s.endCSV()
	} else {
		err = s.endXLSX()
	}
	if err != nil {
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
	if w.format.CSV {
		return w.closeCSV()
	}
	return w.closeXLSX()
}

func (w *Workbook) closeXLSX() error {
	buf := bufio.NewWriterSize(w.out, 64<<10)
	err := w.book.Write(buf)
	if err == nil {
		err = buf.Flush()
	}
	if cerr := w.book.Close(); err == nil {
		err = cerr // the stream writers' own temporary files
	}
	w.book = nil
	if err == nil {
		err = finishTemp(w.out)
	}
	if err == nil {
		err = os.Rename(w.out.Name(), w.path)
	}
	if err != nil {
		return w.fail(fmt.Errorf("%s: %w", w.path, err))
	}
	w.out = nil
	w.state, w.files = workbookClosed, []string{w.path}
	return nil
}

func (w *Workbook) closeCSV() error {
	for _, p := range w.parts {
		if err := finishTemp(p.tmp); err != nil {
			return w.fail(fmt.Errorf("%s: %w", p.path, err))
		}
	}
	files := make([]string, 0, len(w.parts))
	for len(w.parts) > 0 {
		p := w.parts[0]
		if err := os.Rename(p.tmp.Name(), p.path); err != nil {
			return w.fail(fmt.Errorf("%s: %w", p.path, err))
		}
		files = append(files, p.path)
		w.parts = w.parts[1:]
	}
	w.state, w.files = workbookClosed, files
	return nil
}

// finishTemp makes a written temporary file ready to be renamed into place.
func finishTemp(f *os.File) error {
	if err := f.Chmod(0o644); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
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
	if w.book != nil {
		_ = w.book.Close()
	}
	if w.out != nil {
		_ = w.out.Close()
		_ = os.Remove(w.out.Name())
		w.out = nil
	}
	for _, p := range w.parts {
		_ = p.tmp.Close()
		_ = os.Remove(p.tmp.Name())
	}
	w.parts = nil
}

// Sheet is one sheet of a workbook, being written. It takes rows until the
// workbook starts another sheet or is closed.
type Sheet struct {
	w    *Workbook
	name string   // as given
	cols []Column // copied
	row  int      // the sheet row last written; the header is row 1
	done bool

	// XLSX
	xname     string // the sheet's name in the workbook
	stream    *excelize.StreamWriter
	streaming bool     // the header and the buffered rows are written
	pending   [][]Cell // the first rows, buffered to size the columns
	vals      []any

	// CSV
	file string // the file the sheet goes to
	buf  *bufio.Writer
	csv  *csv.Writer
	rec  []string
}

// Name returns the sheet's name: in the workbook for XLSX, as given for CSV.
func (s *Sheet) Name() string {
	if s.xname != "" {
		return s.xname
	}
	return s.name
}

// Write adds one row. A row with more cells than the sheet has columns is
// refused with an error naming the sheet; a shorter row is padded with
// empty cells. An XLSX sheet holds 1048576 rows, header included.
func (s *Sheet) Write(cells []Cell) error {
	w := s.w
	if err := w.usable(); err != nil {
		return err
	}
	if s.done {
		return fmt.Errorf("%s: sheet %q is finished: a later sheet was started", s.where(), s.name)
	}
	row := s.row + 1
	if len(cells) > len(s.cols) {
		return fmt.Errorf("%s: sheet %q: row %d: %d cells, but the sheet has %d columns", s.where(), s.name, row, len(cells), len(s.cols))
	}
	if !w.format.CSV && row > excelize.TotalRows {
		return fmt.Errorf("%s: sheet %q: row %d: a sheet holds %d rows at most", s.where(), s.name, row, excelize.TotalRows)
	}
	var err error
	switch {
	case w.format.CSV:
		err = s.writeCSV(cells)
	case !s.streaming:
		p := make([]Cell, len(s.cols))
		copy(p, cells)
		s.pending = append(s.pending, p)
		if len(s.pending) >= widthRows {
			err = s.startStreaming()
		}
	default:
		err = s.writeXLSX(row, cells)
	}
	if err != nil {
		return w.fail(fmt.Errorf("%s: sheet %q: row %d: %w", s.where(), s.name, row, err))
	}
	s.row = row
	return nil
}

// where returns the file a sheet goes to, for errors.
func (s *Sheet) where() string {
	if s.file != "" {
		return s.file
	}
	return s.w.path
}

// neutralise puts a single quote before a text a spreadsheet could take
// for a formula.
func neutralise(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// formulaLike reports whether a spreadsheet could take s for a formula.
func formulaLike(s string) bool {
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// xmlChar reports whether XML 1.0 can hold r.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= utf8.MaxRune
}

// xmlText drops from s the characters XML 1.0 cannot hold, and makes bytes
// that are not UTF-8 U+FFFD.
func xmlText(s string) string {
	clean := true
	for i, r := range s {
		if !xmlChar(r) || r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			b.WriteRune(utf8.RuneError)
		case xmlChar(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ---- XLSX

func (w *Workbook) startXLSX(s *Sheet) error {
	s.xname = uniqueSheetName(s.name, len(w.sheets)+1, w.names)
	var err error
	if len(w.sheets) == 0 {
		err = w.book.SetSheetName(newBookSheet, s.xname)
	} else {
		_, err = w.book.NewSheet(s.xname)
	}
	if err == nil {
		s.stream, err = w.book.NewStreamWriter(s.xname)
	}
	if err != nil {
		return fmt.Errorf("%s: sheet %q: %w", w.path, s.xname, err)
	}
	w.names = append(w.names, s.xname)
	return nil
}

// reservedSheetNames are names Excel keeps for itself.
var reservedSheetNames = []string{"History"}

// uniqueSheetName makes name a sheet name Excel accepts and that is not in
// taken; pos is the sheet's position, from 1.
func uniqueSheetName(name string, pos int, taken []string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(name[i:], "\uFFFD"):
			b.WriteRune('_')
		case r == '\'':
			b.WriteRune('’')
		case strings.ContainsRune(`:\/?*[]`, r), unicode.IsControl(r), !xmlChar(r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	base := b.String()
	if strings.TrimSpace(base) == "" {
		base = "Sheet" + strconv.Itoa(pos)
	}
	free := func(n string) bool {
		for _, t := range reservedSheetNames {
			if strings.EqualFold(n, t) {
				return false
			}
		}
		for _, t := range taken {
			if strings.EqualFold(n, t) {
				return false
			}
		}
		return true
	}
	if n := cutUTF16(base, maxSheetName); free(n) {
		return n
	}
	for i := 2; ; i++ {
		suffix := " (" + strconv.Itoa(i) + ")"
		if n := cutUTF16(base, maxSheetName-len(suffix)) + suffix; free(n) {
			return n
		}
	}
}

// cutUTF16 returns the longest start of s that holds at most n UTF-16 units
// (Excel counts the length of a sheet name in those).
func cutUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		u := 1
		if r > 0xFFFF {
			u = 2
		}
		if units+u > n {
			return s[:i]
		}
		units += u
	}
	return s
}

// startStreaming sets the sheet's layout from the header and the buffered
// rows, then writes them: the stream writer takes column widths and panes
// before the first row only.
func (s *Sheet) startStreaming() error {
	s.streaming = true
	w, sw := s.w, s.stream
	n := len(s.cols)
	widths := make([]float64, n)
	for i := range widths {
		widths[i] = s.width(i)
	}
	// The <cols> element must list columns in order: excelize puts the
	// columns last set first, so runs of alike columns are set from the
	// last one. (Each call costs excelize time in the columns already set:
	// a run is set at once.)
	for hi := n - 1; hi >= 0; {
		lo, st := hi, s.colStyle(hi)
		for lo > 0 && widths[lo-1] == widths[hi] && s.colStyle(lo-1) == st {
			lo--
		}
		if st != 0 {
			if err := sw.SetColStyle(lo+1, hi+1, st); err != nil {
				return err
			}
		}
		if err := sw.SetColWidth(lo+1, hi+1, widths[hi]); err != nil {
			return err
		}
		hi = lo - 1
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze:      true,
		YSplit:      1,
		TopLeftCell: "A2",
		ActivePane:  "bottomLeft",
		Selection:   []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	header := make([]any, n)
	for i, c := range s.cols {
		if h := xmlText(c.Header); h != "" {
			style := w.styles.header
			if formulaLike(h) {
				style = w.styles.quotedHeader
			}
			header[i] = excelize.Cell{StyleID: style, Value: h}
		}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	pending := s.pending
	s.pending = nil
	for k, cells := range pending {
		if err := s.writeXLSX(k+2, cells); err != nil {
			return err
		}
	}
	return nil
}

// colStyle returns the style of column i, 0 for none.
func (s *Sheet) colStyle(i int) int {
	switch s.cols[i].Kind {
	case KindDate:
		return s.w.styles.date
	case KindDateTime:
		return s.w.styles.dateTime
	}
	return 0
}

// width returns the width of column i, from its header, its kind and the
// buffered rows.
func (s *Sheet) width(i int) float64 {
	c := s.cols[i]
	chars := 0
	switch c.Kind {
	case KindDate:
		chars = dateWidth
	case KindDateTime:
		chars = dateTimeWidth
	}
	for _, row := range s.pending {
		chars = max(chars, xlsxWidth(row[i]))
	}
	chars += cellPadding
	chars = max(chars, longestLine(neutralise(xmlText(c.Header)))+headerPadding)
	return float64(min(max(chars, minColWidth), maxColWidth))
}

// xlsxWidth returns the characters c shows in XLSX.
func xlsxWidth(c Cell) int {
	v, _ := xlsxCellValue(c)
	switch v := v.(type) {
	case string:
		return longestLine(v)
	case float64:
		return len(strconv.FormatFloat(v, 'f', -1, 64))
	case time.Time:
		if c.Kind == KindDate {
			return dateWidth
		}
		return dateTimeWidth
	}
	return 0
}

// longestLine returns the characters in the longest line of s.
func longestLine(s string) int {
	n := 0
	for line := range strings.SplitSeq(s, "\n") {
		n = max(n, utf8.RuneCountInString(line))
	}
	return n
}

// xlsxCellValue returns what the stream writer is given for c: a string, a
// float64, a time.Time (in UTC, holding c's wall-clock time), or nil for an
// empty cell; and whether it is a number or a date written as one.
func xlsxCellValue(c Cell) (any, bool) {
	switch c.Kind {
	case KindNumber:
		if math.IsNaN(c.Number) || math.IsInf(c.Number, 0) {
			return c.String(), false
		}
		return c.Number, true
	case KindDate, KindDateTime:
		if c.Time.IsZero() {
			return nil, false
		}
		y, m, d := c.Time.Date()
		var t time.Time
		if c.Kind == KindDate {
			t = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		} else {
			hh, mm, ss := c.Time.Clock()
			t = time.Date(y, m, d, hh, mm, ss, c.Time.Nanosecond(), time.UTC)
		}
		if t.Before(firstXLSXDay) || !t.Before(endXLSXDays) {
			return c.String(), false
		}
		return t, true
	default:
		if v := xmlText(c.Text); v != "" {
			return v, false
		}
		return nil, false
	}
}

// writeXLSX writes one row of cells at sheet row row.
func (s *Sheet) writeXLSX(row int, cells []Cell) error {
	if cap(s.vals) < len(s.cols) {
		s.vals = make([]any, len(s.cols))
	}
	vals := s.vals[:len(s.cols)]
	clear(vals)
	st := s.w.styles
	for i, c := range cells {
		v, num := xlsxCellValue(c)
		if v == nil {
			continue
		}
		cell := excelize.Cell{Value: v}
		switch {
		case num && c.Kind == KindDate:
			cell.StyleID = st.date
		case num && c.Kind == KindDateTime:
			cell.StyleID = st.dateTime
		case num && s.colStyle(i) != 0:
			cell.StyleID = st.general // not the date format of its column
		case !num && formulaLike(v.(string)):
			cell.StyleID = st.quoted
		}
		vals[i] = cell
	}
	ref, err := excelize.CoordinatesToCellName(1, row)
	if err != nil {
		return err
	}
	return s.stream.SetRow(ref, vals)
}

// endXLSX writes what is buffered, sets the autofilter over the header and
// the rows, and flushes the sheet.
func (s *Sheet) endXLSX() error {
	if !s.streaming {
		if err := s.startStreaming(); err != nil {
			return fmt.Errorf("%s: sheet %q: %w", s.w.path, s.name, err)
		}
	}
	if n := len(s.cols); n > 0 {
		last, err := excelize.CoordinatesToCellName(n, s.row)
		if err == nil {
			// The stream writer writes the worksheet's autoFilter element
			// at Flush: the autofilter is set on the worksheet before.
			err = s.w.book.AutoFilter(s.xname, "A1:"+last, nil)
		}
		if err != nil {
			return fmt.Errorf("%s: sheet %q: autofilter: %w", s.w.path, s.name, err)
		}
	}
	if err := s.stream.Flush(); err != nil {
		return fmt.Errorf("%s: sheet %q: %w", s.w.path, s.name, err)
	}
	return nil
}

// ---- CSV

// maxFileName bounds the part of a CSV file name taken from a sheet name.
const maxFileName = 50

func (w *Workbook) startCSV(s *Sheet) error {
	if len(w.sheets) == 0 {
		s.file = w.path
		w.names = append(w.names, "")
	} else {
		s.file = w.sheetFile(s.name, len(w.sheets)+1)
		tmp, err := tableTempFile(s.file)
		if err != nil {
			return err
		}
		w.parts = append(w.parts, csvPart{path: s.file, tmp: tmp})
	}
	s.buf = bufio.NewWriterSize(w.parts[len(w.parts)-1].tmp, 64<<10)
	s.csv = csv.NewWriter(s.buf)
	s.csv.Comma = w.format.Delimiter
	if w.format.BOM {
		if _, err := s.buf.WriteString(utf8BOM); err != nil {
			return fileErr(s.file, err)
		}
	}
	s.rec = s.rec[:0]
	for _, c := range s.cols {
		s.rec = append(s.rec, neutralise(c.Header))
	}
	if err := s.csv.Write(s.rec); err != nil {
		return fmt.Errorf("%s: sheet %q: header: %w", s.file, s.name, err)
	}
	return nil
}

// sheetFile returns the file of a further CSV sheet, and takes its name.
func (w *Workbook) sheetFile(name string, pos int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-') {
			dash = true
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteRune(r)
	}
	base := strings.Trim(b.String(), "-")
	if utf8.RuneCountInString(base) > maxFileName {
		base = strings.TrimRight(string([]rune(base)[:maxFileName]), "-")
	}
	if base == "" {
		base = "sheet" + strconv.Itoa(pos)
	}
	n := base
	for i := 2; slices.Contains(w.names, n); i++ {
		n = base + "-" + strconv.Itoa(i)
	}
	w.names = append(w.names, n)
	stem := w.path
	if ext := filepath.Ext(stem); strings.EqualFold(ext, ".csv") {
		stem = strings.TrimSuffix(stem, ext)
	}
	return stem + "-" + n + ".csv"
}

// csvField returns the text of c in a CSV file.
func (w *Workbook) csvField(c Cell) string {
	f := w.format
	switch c.Kind {
	case KindNumber:
		s := c.String()
		if math.IsNaN(c.Number) || math.IsInf(c.Number, 0) {
			return neutralise(s)
		}
		if f.Decimal != '.' {
			s = strings.Replace(s, ".", string(f.Decimal), 1)
		}
		return s
	case KindDate:
		if c.Time.IsZero() {
			return ""
		}
		y, m, d := c.Time.Date()
		t := time.Date(y, m, d, 0, 0, 0, 0, c.Time.Location())
		if f.FormatDate != nil {
			return neutralise(f.FormatDate(t))
		}
		return neutralise(t.Format(f.DateLayout))
	case KindDateTime:
		if c.Time.IsZero() {
			return ""
		}
		if f.FormatDateTime != nil {
			return neutralise(f.FormatDateTime(c.Time))
		}
		return neutralise(c.Time.Format(f.DateTimeLayout))
	default:
		return neutralise(c.Text)
	}
}

func (s *Sheet) writeCSV(cells []Cell) error {
	s.rec = s.rec[:0]
	for _, c := range cells {
		s.rec = append(s.rec, s.w.csvField(c))
	}
	for len(s.rec) < len(s.cols) {
		s.rec = append(s.rec, "")
	}
	return s.csv.Write(s.rec)
}

// endCSV flushes the sheet's records to its temporary file.
func (s *Sheet) endCSV() error {
	s.csv.Flush()
	err := s.csv.Error()
	if err == nil {
		err = s.buf.Flush()
	}
	if err != nil {
		return fmt.Errorf("%s: sheet %q: %w", s.file, s.name, err)
	}
	return nil
}

package writers

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/stbulk/stbulk/writers/files"
)

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
	moneyFormat   = "#,##0.00"
	percentWhole  = "0%"        // a whole number of percent: 10%
	percentFrac   = "0.0#####%" // with decimals: 5.5%, 50.3%
)

// currencyFormats are the number formats of amounts in the currencies
// written with a symbol; an amount in another currency is followed by its
// code: 1,234.50 CHF.
var currencyFormats = map[string]string{
	"EUR": moneyFormat + ` "€"`,
	"USD": `"$"` + moneyFormat,
	"GBP": `"£"` + moneyFormat,
}

// MoneyFormat returns the XLSX number format of amounts in currency (an
// ISO 4217 code, "" for none).
func MoneyFormat(currency string) string {
	if currency == "" {
		return moneyFormat
	}
	if f, ok := currencyFormats[currency]; ok {
		return f
	}
	return moneyFormat + ` "` + strings.ReplaceAll(currency, `"`, "") + `"`
}

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

// xlsxTable writes a workbook as one XLSX file.
type xlsxTable struct {
	path     string
	book     *excelize.File
	out      *os.File // the temporary file of the workbook
	styles   xlsxStyles
	names    []string // the sheet names taken
	currency string   // of KindMoney cells
}

// xlsxStyles are the style ids of a workbook's cells.
type xlsxStyles struct {
	header       int
	date         int
	dateTime     int
	general      int // numbers in a column formatted otherwise
	quoted       int // texts a spreadsheet could read as formulas: quotePrefix
	quotedHeader int
	money        int
	percentWhole int
	percentFrac  int
}

// newXLSXTable starts an XLSX workbook to path, in a temporary file.
func newXLSXTable(path, currency string) (*xlsxTable, error) {
	tmp, err := files.CreateTemp(path)
	if err != nil {
		return nil, err
	}
	t := &xlsxTable{path: path, out: tmp, book: excelize.NewFile(), currency: currency}
	if err := t.newStyles(); err != nil {
		t.abort()
		return nil, files.Wrap(path, err)
	}
	return t, nil
}

func (t *xlsxTable) newStyles() (err error) {
	date, dateTime, general := xlsxDate, xlsxDateTime, generalFormat
	if t.styles.header, err = t.book.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	if t.styles.date, err = t.book.NewStyle(&excelize.Style{CustomNumFmt: &date}); err != nil {
		return err
	}
	if t.styles.dateTime, err = t.book.NewStyle(&excelize.Style{CustomNumFmt: &dateTime}); err != nil {
		return err
	}
	if t.styles.general, err = t.book.NewStyle(&excelize.Style{CustomNumFmt: &general}); err != nil {
		return err
	}
	for _, f := range []struct {
		id     *int
		format string
	}{{&t.styles.money, MoneyFormat(t.currency)}, {&t.styles.percentWhole, percentWhole}, {&t.styles.percentFrac, percentFrac}} {
		format := f.format
		if *f.id, err = t.book.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
			return err
		}
	}
	// The text format (49, "@"), with quotePrefix set on its cell format:
	// excelize's Style has no field for it, its style sheet has.
	if t.styles.quoted, err = t.book.NewStyle(&excelize.Style{NumFmt: 49}); err != nil {
		return err
	}
	if t.styles.quotedHeader, err = t.book.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	for _, id := range []int{t.styles.quoted, t.styles.quotedHeader} {
		if st := t.book.Styles; st == nil || st.CellXfs == nil || id >= len(st.CellXfs.Xf) {
			return fmt.Errorf("%s: no cell format %d for quoted texts", t.path, id)
		}
		quote := true
		t.book.Styles.CellXfs.Xf[id].QuotePrefix = &quote
	}
	return nil
}

func (t *xlsxTable) limits() (cols, rows int) {
	return excelize.MaxColumns, excelize.TotalRows
}

func (t *xlsxTable) sheet(name string, cols []Column, pos int) (sheetWriter, error) {
	s := &xlsxSheet{t: t, given: name, cols: cols, row: 1}
	s.xname = uniqueSheetName(name, pos, t.names)
	var err error
	if pos == 1 {
		err = t.book.SetSheetName(newBookSheet, s.xname)
	} else {
		_, err = t.book.NewSheet(s.xname)
	}
	if err == nil {
		s.stream, err = t.book.NewStreamWriter(s.xname)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: sheet %q: %w", t.path, s.xname, err)
	}
	t.names = append(t.names, s.xname)
	return s, nil
}

func (t *xlsxTable) close() ([]string, error) {
	buf := bufio.NewWriterSize(t.out, 64<<10)
	// excelize's Write builds the whole zip in memory (WriteToBuffer)
	// before copying it out: its zip writer, set here, writes to the file
	// instead, and the buffer excelize copies is left empty.
	zw := &fileZip{}
	t.book.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw.Writer = zip.NewWriter(buf)
		return zw
	})
	_, err := t.book.WriteTo(io.Discard)
	if err == nil {
		err = buf.Flush()
	}
	if err == nil {
		err = zw.patchLarge(t.out)
	}
	if cerr := t.book.Close(); err == nil {
		err = cerr // the stream writers' own temporary files
	}
	t.book = nil
	if err == nil {
		err = files.Finish(t.out)
	}
	if err == nil {
		err = os.Rename(t.out.Name(), t.path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.path, err)
	}
	t.out = nil
	return []string{t.path}, nil
}

func (t *xlsxTable) abort() {
	if t.book != nil {
		_ = t.book.Close()
	}
	if t.out != nil {
		_ = t.out.Close()
		_ = os.Remove(t.out.Name())
		t.out = nil
	}
}

// xlsxSheet is one sheet of an XLSX workbook, being written.
type xlsxSheet struct {
	t         *xlsxTable
	given     string   // the name given to Workbook.Sheet
	xname     string   // the sheet's name in the workbook
	cols      []Column // the Sheet's
	row       int      // the sheet row last written; the header is row 1
	stream    *excelize.StreamWriter
	streaming bool     // the header and the buffered rows are written
	pending   [][]Cell // the first rows, buffered to size the columns
	vals      []any
}

func (s *xlsxSheet) name() string { return s.xname }

func (s *xlsxSheet) path() string { return s.t.path }

// write buffers the first rows, to size the columns from them, then
// streams the rows.
func (s *xlsxSheet) write(row int, cells []Cell) error {
	if s.streaming {
		if err := s.writeRow(row, cells); err != nil {
			return err
		}
	} else {
		p := make([]Cell, len(s.cols))
		copy(p, cells)
		s.pending = append(s.pending, p)
		if len(s.pending) >= widthRows {
			if err := s.startStreaming(); err != nil {
				return err
			}
		}
	}
	s.row = row
	return nil
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
func (s *xlsxSheet) startStreaming() error {
	s.streaming = true
	sw := s.stream
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
			style := s.t.styles.header
			if formulaLike(h) {
				style = s.t.styles.quotedHeader
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
		if err := s.writeRow(k+2, cells); err != nil {
			return err
		}
	}
	return nil
}

// colStyle returns the style of column i, 0 for none.
func (s *xlsxSheet) colStyle(i int) int {
	switch s.cols[i].Kind {
	case KindDate:
		return s.t.styles.date
	case KindDateTime:
		return s.t.styles.dateTime
	case KindMoney:
		return s.t.styles.money
	case KindPercent:
		return s.t.styles.percentWhole
	}
	return 0
}

// width returns the width of column i, from its header, its kind and the
// buffered rows.
func (s *xlsxSheet) width(i int) float64 {
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
		switch c.Kind {
		case KindMoney:
			n := len(strconv.FormatFloat(v, 'f', 2, 64))
			return n + (n-4)/3 + 4 // thousands separators, a currency
		case KindPercent:
			return len(percentText(v)) + 1
		}
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
	case KindNumber, KindMoney, KindPercent:
		if !finite(c.Number) {
			return strconv.FormatFloat(c.Number, 'f', -1, 64), false
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

// writeRow writes one row of cells at sheet row row.
func (s *xlsxSheet) writeRow(row int, cells []Cell) error {
	if cap(s.vals) < len(s.cols) {
		s.vals = make([]any, len(s.cols))
	}
	vals := s.vals[:len(s.cols)]
	clear(vals)
	st := s.t.styles
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
		case num && c.Kind == KindMoney:
			cell.StyleID = st.money
		case num && c.Kind == KindPercent && strings.Contains(percentText(c.Number), "."):
			cell.StyleID = st.percentFrac
		case num && c.Kind == KindPercent:
			cell.StyleID = st.percentWhole
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

// end writes what is buffered, sets the autofilter over the header and the
// rows, and flushes the sheet.
func (s *xlsxSheet) end() error {
	if !s.streaming {
		if err := s.startStreaming(); err != nil {
			return fmt.Errorf("%s: sheet %q: %w", s.t.path, s.given, err)
		}
	}
	if n := len(s.cols); n > 0 {
		last, err := excelize.CoordinatesToCellName(n, s.row)
		if err == nil {
			// The stream writer writes the worksheet's autoFilter element
			// at Flush: the autofilter is set on the worksheet before.
			err = s.t.book.AutoFilter(s.xname, "A1:"+last, nil)
		}
		if err != nil {
			return fmt.Errorf("%s: sheet %q: autofilter: %w", s.t.path, s.given, err)
		}
	}
	if err := s.stream.Flush(); err != nil {
		return fmt.Errorf("%s: sheet %q: %w", s.t.path, s.given, err)
	}
	return nil
}

// fileZip is the zip writer of a workbook, writing to its file. It notes
// the entries of more than 4 GiB, whose local headers patchLarge marks as
// ZIP64 (version 45) once the file is written, as excelize does to the
// zip it builds itself: Excel refuses such an entry otherwise.
type fileZip struct {
	*zip.Writer
	entry *zipCount
	large []string
}

// zipCount counts the bytes written to a zip entry.
type zipCount struct {
	w    io.Writer
	name string
	n    int64
}

func (e *zipCount) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	e.n += int64(n)
	return n, err
}

func (z *fileZip) Create(name string) (io.Writer, error) {
	z.noteLarge()
	w, err := z.Writer.Create(name)
	if err != nil {
		return nil, err
	}
	z.entry = &zipCount{w: w, name: name}
	return z.entry, nil
}

func (z *fileZip) Close() error {
	z.noteLarge()
	return z.Writer.Close()
}

func (z *fileZip) noteLarge() {
	if z.entry != nil && z.entry.n > math.MaxUint32 {
		z.large = append(z.large, z.entry.name)
	}
	z.entry = nil
}

// patchLarge sets the version of the local headers of the large entries
// of the zip written to f to 45.
func (z *fileZip) patchLarge(f *os.File) error {
	if len(z.large) == 0 {
		return nil
	}
	st, err := f.Stat()
	if err != nil {
		return err
	}
	r, err := zip.NewReader(f, st.Size())
	if err != nil {
		return err
	}
	for _, e := range r.File {
		if !slices.Contains(z.large, e.Name) {
			continue
		}
		data, err := e.DataOffset()
		if err != nil {
			return err
		}
		// The local header: 30 bytes, the name, no extra field (archive/zip
		// writes none there for an entry of unknown size).
		off := data - 30 - int64(len(e.Name))
		head := make([]byte, 30+len(e.Name))
		if off < 0 {
			return fmt.Errorf("zip entry %s: no local header before its data", e.Name)
		}
		if _, err := f.ReadAt(head, off); err != nil {
			return err
		}
		if binary.LittleEndian.Uint32(head) != 0x04034b50 || string(head[30:]) != e.Name {
			return fmt.Errorf("zip entry %s: no local header before its data", e.Name)
		}
		binary.LittleEndian.PutUint16(head[4:6], 45)
		if _, err := f.WriteAt(head[4:6], off+4); err != nil {
			return err
		}
	}
	return nil
}

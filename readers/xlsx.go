package readers

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// XLSXOptions tells which sheet to read and where its header is.
type XLSXOptions struct {
	// Sheet is the name of the sheet to read (case-insensitive, as in
	// Excel); "" reads the first visible worksheet, skipping chart sheets.
	Sheet string
	// SheetIndex is the 1-based position of the sheet in the workbook, an
	// alternative to Sheet.
	SheetIndex int
	// HeaderRow is the 1-based sheet row where the header is, 1 when 0: the
	// header is the first row at or after it that is not empty. Rows before
	// it are skipped whatever they hold.
	HeaderRow int
	// Limits bound a row's cells and bytes and the shared strings; zero
	// fields take the defaults.
	Limits Limits
	// CellKinds asks for the kind of each cell (Row.Kinds, RowError.Kinds):
	// what a writer needs to give the cells their types again. Rows cost a
	// little more to read with it.
	CellKinds bool
}

// xlsxUnzipLimit is the most a workbook's parts may unpack to together, as
// its zip declares them, so that a zip bomb is an error rather than time
// lost. Memory does not depend on it: the worksheet is streamed, and the
// shared strings past xlsxSSTMemory go to a temporary file.
const xlsxUnzipLimit = 1 << 30

type xlsxSource struct {
	name  string
	sheet string
	part  string // the worksheet's part, for messages
	book  *workbook
	rc    io.ReadCloser
	async *asyncReader
	rows  *sheetRows
	sst   *sharedStrings
	vals  cellValues
	cols  columns
	rec   []string
	num   int // sheet row number of the last row read
	// typed: CellKinds was asked; recKinds are then the kinds of rec.
	typed    bool
	recKinds []CellKind
	// headerNum is the sheet row number of the header, 0 when there is none.
	headerNum int
}

// OpenXLSX opens an Excel workbook and streams one sheet's rows. Values are
// the cells' cached values (formulas are not recalculated). Numbers are
// given in plain decimal without float noise (15 significant digits, as
// Excel keeps), whatever their display format, except formats made only of
// zeros such as "00000", which keep their leading zeros. Cells whose format
// is a date or time read as "2006-01-02", "2006-01-02 15:04:05",
// "15:04:05", or "[h]:mm:ss" for elapsed times. A merged range holds its
// value in its top-left cell only; its other cells read as "". Empty rows
// are skipped (Row.Num keeps the sheet's numbering) and so are columns
// right of the last header name, unless a data row has a value there, which
// is a *RowError; the same goes for a column whose header cell is empty.
// Two columns with the same name are an error. opts.Limits bound rows,
// cells and shared strings (see Limits).
func OpenXLSX(path string, opts XLSXOptions) (Source, error) {
	return OpenXLSXContext(context.Background(), path, opts)
}

// OpenXLSXContext is OpenXLSX with a context that stops the opening (the
// loading of the shared strings, the check of the sheet, the search for the
// header): it then returns an error wrapping ctx.Err(). Next does not look
// at ctx: each call reads one row.
func OpenXLSXContext(ctx context.Context, path string, opts XLSXOptions) (Source, error) {
	return openXLSXContext(ctx, path, opts, xlsxUnzipLimit, xlsxSSTMemory)
}

func openXLSX(path string, opts XLSXOptions, unzipLimit, sstMemory int64) (Source, error) {
	return openXLSXContext(context.Background(), path, opts, unzipLimit, sstMemory)
}

func openXLSXContext(ctx context.Context, path string, opts XLSXOptions, unzipLimit, sstMemory int64) (src Source, err error) {
	s, err := openSheet(ctx, path, opts, unzipLimit, sstMemory)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			src, err = nil, fmt.Errorf("%s: sheet %q: unreadable after row %d: %v", path, s.sheet, s.num, p)
		}
		if err != nil {
			_ = s.Close()
		}
	}()
	if err := s.readHeader(max(opts.HeaderRow, 1)); err != nil {
		return nil, err
	}
	s.rows.sc.ctx = nil
	return s, nil
}

// openSheet opens the sheet opts choose, up to its first row.
func openSheet(ctx context.Context, path string, opts XLSXOptions, unzipLimit, sstMemory int64) (src *xlsxSource, err error) {
	headerRow := opts.HeaderRow
	if headerRow < 0 {
		return nil, fmt.Errorf("%s: header row %d: rows are numbered from 1", path, headerRow)
	}
	if opts.Sheet != "" && opts.SheetIndex != 0 {
		return nil, fmt.Errorf("%s: give a sheet name or a sheet index, not both", path)
	}
	s := &xlsxSource{name: path, typed: opts.CellKinds}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: not a readable workbook: %v", path, p)
		}
		if err != nil {
			_ = s.Close()
		}
	}()
	if s.book, err = openWorkbook(path, unzipLimit); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f := s.book.f
	if s.sheet, err = chooseSheet(f, opts); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.part, err = s.book.sheetPart(s.sheet); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sheetFile, sstFile := s.book.part(s.part), s.book.sharedStringsPart()
	lim := opts.Limits.withDefaults()
	s.vals.styles = prepareStyles(f)
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		s.vals.date1904 = *props.Date1904
	}
	s.vals.oracle = &excelOracle{f: f, sheet: s.sheet, part: s.part}
	if err := s.loadParts(ctx, sheetFile, sstFile, lim, sstMemory); err != nil {
		return nil, err
	}
	if s.rc, err = sheetFile.Open(); err != nil {
		return nil, fmt.Errorf("%s: the workbook is damaged: part %s: %w", path, sheetFile.Name, err)
	}
	s.async = newAsyncReader(s.rc)
	s.rows = newSheetRows(s.async, lim)
	s.rows.sc.ctx = ctx
	return s, nil
}

// loadParts loads the shared strings while another goroutine reads the
// worksheet through once, so that the zip reader checks its checksum: a
// damaged sheet is refused before any row is given.
func (s *xlsxSource) loadParts(ctx context.Context, sheet, sst *zip.File, lim Limits, sstMemory int64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	checked := make(chan error, 1)
	go func() { checked <- checkPart(ctx, sheet) }()
	var err error
	if sst != nil {
		err = s.loadSharedStrings(ctx, sst, lim, sstMemory)
	}
	if err != nil {
		cancel()
		<-checked
		return err
	}
	if err := <-checked; err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		return fmt.Errorf("%s: the workbook is damaged: part %s: %w", s.name, sheet.Name, err)
	}
	return nil
}

func (s *xlsxSource) loadSharedStrings(ctx context.Context, zf *zip.File, lim Limits, sstMemory int64) error {
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("%s: the workbook is damaged: part %s: %w", s.name, zf.Name, err)
	}
	defer rc.Close()
	s.sst, err = loadSharedStrings(ctx, rc, zf.Name, lim, sstMemory)
	var le *limitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &le) && le.whole:
		return fmt.Errorf("%s: %w", s.name, err)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", s.name, ctx.Err())
	case errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: the workbook is damaged: part %s: %w", s.name, zf.Name, err)
	}
	return fmt.Errorf("%s: %s: %w", s.name, zf.Name, err)
}

// chooseSheet returns the name of the sheet opts designate.
func chooseSheet(f *excelize.File, opts XLSXOptions) (string, error) {
	list := f.GetSheetList()
	if len(list) == 0 {
		return "", errors.New("the workbook has no sheet")
	}
	charts := chartSheets(f)
	switch {
	case opts.Sheet != "":
		for _, name := range list {
			if strings.EqualFold(name, opts.Sheet) {
				if charts[name] {
					return "", fmt.Errorf("sheet %q is a chart sheet, it holds no cells", name)
				}
				return name, nil
			}
		}
		return "", fmt.Errorf("no sheet named %q; the sheets are %s", opts.Sheet, quoteAll(list))
	case opts.SheetIndex != 0:
		if opts.SheetIndex < 1 || opts.SheetIndex > len(list) {
			return "", fmt.Errorf("no sheet %d: the workbook has %d (%s)", opts.SheetIndex, len(list), quoteAll(list))
		}
		name := list[opts.SheetIndex-1]
		if charts[name] {
			return "", fmt.Errorf("sheet %d (%q) is a chart sheet, it holds no cells", opts.SheetIndex, name)
		}
		return name, nil
	}
	hidden := map[string]bool{}
	if f.WorkBook != nil {
		for _, s := range f.WorkBook.Sheets.Sheet {
			hidden[s.Name] = s.State == "hidden" || s.State == "veryHidden"
		}
	}
	first := ""
	for _, name := range list {
		if charts[name] {
			continue
		}
		if !hidden[name] {
			return name, nil
		}
		if first == "" {
			first = name
		}
	}
	if first == "" {
		return "", fmt.Errorf("the workbook has no worksheet, only chart sheets (%s)", quoteAll(list))
	}
	return first, nil
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func readRels(f *excelize.File, name string) (xmlRels, bool) {
	var rels xmlRels
	v, ok := f.Pkg.Load(name)
	if !ok {
		return rels, false
	}
	b, ok := v.([]byte)
	if !ok || xml.Unmarshal(b, &rels) != nil {
		return rels, false
	}
	return rels, true
}

// chartSheets returns the names of the chart sheets, found by the type of
// the workbook's relationship to each sheet.
func chartSheets(f *excelize.File) map[string]bool {
	charts := map[string]bool{}
	if f.WorkBook == nil {
		return charts
	}
	wbPath := "xl/workbook.xml"
	if root, ok := readRels(f, "_rels/.rels"); ok {
		for _, r := range root.Rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = strings.TrimPrefix(r.Target, "/")
			}
		}
	}
	rels, ok := readRels(f, path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels"))
	if !ok {
		return charts
	}
	types := make(map[string]string, len(rels.Rels))
	for _, r := range rels.Rels {
		types[r.ID] = r.Type
	}
	for _, s := range f.WorkBook.Sheets.Sheet {
		if strings.HasSuffix(types[s.ID], "/chartsheet") {
			charts[s.Name] = true
		}
	}
	return charts
}

func (s *xlsxSource) readHeader(headerRow int) error {
	for {
		num, prob, err := s.rows.next(headerRow)
		if errors.Is(err, io.EOF) {
			return nil // an empty sheet: no header, no rows
		}
		if err != nil {
			return s.fatal(err)
		}
		s.num = num
		if num < headerRow {
			continue
		}
		cells, cprob := s.record(num)
		if prob == nil {
			prob = cprob
		}
		if prob != nil {
			return fmt.Errorf("%s:%d: sheet %q: header: %v", s.name, num, s.sheet, prob.err)
		}
		if blank(cells) {
			continue
		}
		cols, err := newColumns(fmt.Sprintf("%s: sheet %q", s.name, s.sheet), cells, columnName)
		if err != nil {
			return err
		}
		s.cols = cols
		s.headerNum = num
		return nil
	}
}

// RowsHint is how many data rows the sheet's dimension says follow the
// header: a hint for a progress bar (blank rows count, a writer may leave
// the dimension out or get it wrong). ok is false without a dimension.
func (s *xlsxSource) RowsHint() (rows int, ok bool) {
	if s.rows == nil || s.rows.lastRow == 0 || s.headerNum == 0 {
		return 0, false
	}
	return max(s.rows.lastRow-s.headerNum, 0), true
}

// fatal is an error that ends the reading of the sheet.
func (s *xlsxSource) fatal(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	return fmt.Errorf("%s: sheet %q: after row %d: %s: %w", s.name, s.sheet, s.num, s.part, err)
}

// record turns the row just read into its cells' text, placed as excelize
// placed them: a cell at its column, or after the cells before it when its
// column is taken; cells without text (and without formula) take no place.
// A cell that cannot be read is a problem; its text is "".
func (s *xlsxSource) record(num int) ([]string, *rowProblem) {
	rec, kinds := s.rec[:0], s.recKinds[:0]
	var prob *rowProblem
	for i := range s.rows.cells {
		c := &s.rows.cells[i]
		val, err := s.value(c)
		if err != nil && prob == nil {
			prob = &rowProblem{col: c.col, err: fmt.Errorf("cell %s%d %w", columnName(c.col-1), num, err)}
		}
		if val == "" && !c.formula {
			continue
		}
		for len(rec)+1 < c.col {
			rec = append(rec, "")
		}
		rec = append(rec, val)
		if s.typed {
			for len(kinds)+1 < len(rec) {
				kinds = append(kinds, CellText)
			}
			kinds = append(kinds, s.kindOf(c, val))
		}
	}
	s.rec, s.recKinds = rec, kinds
	return rec, prob
}

// value is the text of a cell.
func (s *xlsxSource) value(c *rawCell) (string, error) {
	if c.noValue {
		return "", nil
	}
	if c.over {
		return "", s.rows.fieldTooLong()
	}
	text := s.rows.text
	v := text[c.v.from:c.v.to]
	switch c.typ {
	case cellShared:
		if len(v) == 0 {
			return s.vals.text(c.style, ""), nil
		}
		i, err := strconv.Atoi(string(bytes.TrimSpace(v)))
		if err != nil || i < 0 {
			return "", fmt.Errorf("refers to shared string %q, which is not a string's number", v)
		}
		if s.sst == nil || i >= s.sst.n {
			n := 0
			if s.sst != nil {
				n = s.sst.n
			}
			return "", fmt.Errorf("refers to shared string %d, but the workbook has %d", i, n)
		}
		str, long, err := s.sst.get(i)
		if err != nil {
			return "", err
		}
		if long {
			return "", &limitError{what: fmt.Sprintf("holds more than %s of text", byteSize(int64(s.sst.limit))), key: "field_bytes"}
		}
		return s.vals.text(c.style, cellString(str)), nil
	case cellStr:
		return cellString(v), nil
	case cellInline:
		if c.hasIS {
			return s.vals.text(c.style, cellString(bstrDecode(text[c.is.from:c.is.to]))), nil
		}
		return s.vals.text(c.style, cellString(v)), nil
	case cellBool:
		return s.vals.boolean(c.style, cellString(v)), nil
	case cellDate:
		return s.vals.date(c.style, cellString(v)), nil
	}
	return s.vals.numeric(c.style, cellString(v)), nil
}

// cellString is b as text, invalid UTF-8 replaced.
func cellString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// columnName returns the letters of column i (0-based).
func columnName(i int) string {
	col, _ := excelize.ColumnNumberToName(i + 1)
	return col
}

// kinds are the kinds of the exposed cells of the row just read, or nil
// when they were not asked for.
func (s *xlsxSource) kinds() []CellKind {
	if !s.typed {
		return nil
	}
	return pick(s.cols, s.recKinds)
}

func (s *xlsxSource) Header() []string { return s.cols.names }

func (s *xlsxSource) Next() (row Row, err error) {
	defer func() {
		if p := recover(); p != nil {
			row, err = Row{}, fmt.Errorf("%s: sheet %q: unreadable after row %d: %v", s.name, s.sheet, s.num, p)
		}
	}()
	if s.rows == nil {
		return Row{}, fmt.Errorf("%s: the workbook is closed", s.name)
	}
	for {
		num, prob, err := s.rows.next(0)
		if errors.Is(err, io.EOF) {
			return Row{}, io.EOF
		}
		if err != nil {
			return Row{}, s.fatal(err)
		}
		s.num = num
		cells, cprob := s.record(num)
		if prob == nil {
			prob = cprob
		}
		if prob != nil {
			re := &RowError{File: s.name, Row: num, Err: prob.err, Cells: s.cols.cells(cells), Kinds: s.kinds()}
			if prob.col > 0 {
				re.Column = columnName(prob.col - 1)
			}
			return Row{}, re
		}
		if blank(cells) {
			continue
		}
		if i := s.cols.unnamed(cells); i >= 0 {
			col := columnName(i)
			return Row{}, &RowError{File: s.name, Row: s.num, Column: col, Cells: s.cols.cells(cells), Kinds: s.kinds(),
				Err: fmt.Errorf("cell %s%d holds %q but column %s has no name in the header", col, s.num, cells[i], col)}
		}
		return Row{Num: s.num, Cells: s.cols.cells(cells), Kinds: s.kinds()}, nil
	}
}

func (s *xlsxSource) Close() error {
	var err error
	keep := func(e error) {
		if err == nil {
			err = e
		}
	}
	if s.async != nil {
		keep(s.async.Close()) // before rc, which it reads
		s.async = nil
	}
	if s.rc != nil {
		keep(s.rc.Close())
		s.rc = nil
	}
	if s.sst != nil {
		keep(s.sst.close())
		s.sst = nil
	}
	if s.book != nil {
		keep(s.book.close())
		s.book = nil
	}
	s.rows = nil
	return err
}

// byteSize writes n bytes in the largest binary unit it is a whole number
// of, else in bytes.
func byteSize(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

package readers

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

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
}

// Limits on what a workbook may unpack to, so that a zip bomb is an error
// rather than a full disk or memory. Parts bigger than xlsxSpillSize (a
// worksheet, the shared strings) are unpacked to a temporary file and read
// from there, which keeps memory flat.
const (
	xlsxUnzipLimit = 1 << 30  // all parts together, unpacked
	xlsxSpillSize  = 16 << 20 // largest part held in memory
)

type xlsxSource struct {
	name  string
	sheet string
	f     *excelize.File
	rows  *excelize.Rows
	cols  columns
	num   int // sheet row number of the last row read
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
// Two columns with the same name are an error.
func OpenXLSX(path string, opts XLSXOptions) (Source, error) {
	return openXLSX(path, opts, xlsxUnzipLimit, xlsxSpillSize)
}

func openXLSX(path string, opts XLSXOptions, unzipLimit, spillSize int64) (src Source, err error) {
	headerRow := opts.HeaderRow
	if headerRow < 0 {
		return nil, fmt.Errorf("%s: header row %d: rows are numbered from 1", path, headerRow)
	}
	if headerRow == 0 {
		headerRow = 1
	}
	if opts.Sheet != "" && opts.SheetIndex != 0 {
		return nil, fmt.Errorf("%s: give a sheet name or a sheet index, not both", path)
	}
	var f *excelize.File
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: not a readable workbook: %v", path, p)
		}
		if err != nil && f != nil {
			_ = f.Close()
		}
	}()
	if err := checkZip(path, unzipLimit); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f, err = excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: unzipLimit, UnzipXMLSizeLimit: spillSize})
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable workbook: %w", path, err)
	}
	sheet, err := chooseSheet(f, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	prepareStyles(f)
	rows, err := f.Rows(sheet)
	if err != nil {
		if errors.As(err, new(excelize.ErrSheetNotExist)) {
			return nil, fmt.Errorf("%s: the workbook is damaged: sheet %q is listed but its cells cannot be found", path, sheet)
		}
		return nil, fmt.Errorf("%s: sheet %q: %w", path, sheet, err)
	}
	s := &xlsxSource{name: path, sheet: sheet, f: f, rows: rows}
	if err := s.readHeader(headerRow); err != nil {
		_ = rows.Close()
		return nil, err
	}
	return s, nil
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

type xmlRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
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
	for s.rows.Next() {
		s.num++
		if s.num < headerRow {
			continue
		}
		cells, err := s.rows.Columns()
		if err != nil {
			return fmt.Errorf("%s:%d: sheet %q: header: %w", s.name, s.num, s.sheet, err)
		}
		if blank(cells) {
			continue
		}
		cols, err := newColumns(fmt.Sprintf("%s: sheet %q", s.name, s.sheet), cells, columnName)
		if err != nil {
			return err
		}
		s.cols = cols
		return nil
	}
	if err := s.rows.Error(); err != nil {
		return fmt.Errorf("%s: sheet %q: %w", s.name, s.sheet, err)
	}
	return nil // an empty sheet: no header, no rows
}

// columnName returns the letters of column i (0-based).
func columnName(i int) string {
	col, _ := excelize.ColumnNumberToName(i + 1)
	return col
}

func (s *xlsxSource) Header() []string { return s.cols.names }

func (s *xlsxSource) Next() (row Row, err error) {
	defer func() {
		if p := recover(); p != nil {
			row, err = Row{}, fmt.Errorf("%s: sheet %q: unreadable after row %d: %v", s.name, s.sheet, s.num, p)
		}
	}()
	for {
		if !s.rows.Next() {
			if err := s.rows.Error(); err != nil {
				return Row{}, fmt.Errorf("%s: sheet %q: %w", s.name, s.sheet, err)
			}
			return Row{}, io.EOF
		}
		s.num++
		cells, err := s.rows.Columns()
		if err != nil {
			return Row{}, &RowError{File: s.name, Row: s.num, Err: err}
		}
		if blank(cells) {
			continue
		}
		if i := s.cols.unnamed(cells); i >= 0 {
			col := columnName(i)
			return Row{}, &RowError{File: s.name, Row: s.num, Column: col, Cells: s.cols.cells(cells),
				Err: fmt.Errorf("cell %s%d holds %q but column %s has no name in the header", col, s.num, cells[i], col)}
		}
		return Row{Num: s.num, Cells: s.cols.cells(cells)}, nil
	}
}

func (s *xlsxSource) Close() error {
	if s.f == nil {
		return nil
	}
	err := s.rows.Close()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	return err
}

// checkZip reads a workbook's zip directory and every part once, before
// excelize opens it: the sizes the directory declares must add up to at
// most limit (excelize checks them one part at a time, unpacking parts to
// temporary files on the way), and each part must unpack to the size and
// checksum it declares (excelize ignores a part longer than declared, and
// would read a damaged sheet in part without a word).
func checkZip(path string, limit int64) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("not a readable workbook: %w", err)
	}
	defer zr.Close()
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(limit) {
			return fmt.Errorf("not a readable workbook: it unpacks to more than %s (a damaged file, or one made to fill the disk)", byteSize(limit))
		}
	}
	for _, f := range zr.File {
		if err := checkPart(f); err != nil {
			return fmt.Errorf("the workbook is damaged: part %s: %w", f.Name, err)
		}
	}
	return nil
}

func checkPart(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
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

package writers

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stbulk/stbulk/writers/files"
)

// maxFileName bounds the part of a CSV file name taken from a sheet name.
const maxFileName = 50

// csvTable writes a workbook as CSV files, one a sheet.
type csvTable struct {
	path   string
	format TableFormat // defaults filled in
	// parts are the temporary files, one a sheet; the first is created
	// with the workbook.
	parts []csvPart
	names []string // the file names taken
}

// csvPart is one CSV file of a workbook.
type csvPart struct {
	path string   // where it goes
	tmp  *os.File // where it is written
}

// newCSVTable starts a CSV workbook to path: it checks f, fills in its
// defaults and creates the temporary file of the first sheet.
func newCSVTable(path string, f TableFormat) (*csvTable, error) {
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
	tmp, err := files.CreateTemp(path)
	if err != nil {
		return nil, err
	}
	return &csvTable{path: path, format: f, parts: []csvPart{{path: path, tmp: tmp}}}, nil
}

// csvSeparator reports whether encoding/csv can use r between fields.
func csvSeparator(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && r != utf8.RuneError && utf8.ValidRune(r)
}

// limits: a CSV file holds any number of columns and rows.
func (t *csvTable) limits() (cols, rows int) { return 0, 0 }

func (t *csvTable) sheet(name string, cols []Column, pos int) (sheetWriter, error) {
	s := &csvSheet{t: t, given: name, cols: len(cols)}
	if pos == 1 {
		s.file = t.path
		t.names = append(t.names, "")
	} else {
		s.file = t.sheetPath(name, pos)
		tmp, err := files.CreateTemp(s.file)
		if err != nil {
			return nil, err
		}
		t.parts = append(t.parts, csvPart{path: s.file, tmp: tmp})
	}
	s.buf = bufio.NewWriterSize(t.parts[len(t.parts)-1].tmp, 64<<10)
	s.csv = csv.NewWriter(s.buf)
	s.csv.Comma = t.format.Delimiter
	if t.format.BOM {
		if _, err := s.buf.WriteString(utf8BOM); err != nil {
			return nil, files.Wrap(s.file, err)
		}
	}
	for _, c := range cols {
		s.rec = append(s.rec, neutralise(c.Header))
	}
	if err := s.csv.Write(s.rec); err != nil {
		return nil, fmt.Errorf("%s: sheet %q: header: %w", s.file, name, err)
	}
	return s, nil
}

// sheetPath returns the file of a further CSV sheet, and takes its name.
func (t *csvTable) sheetPath(name string, pos int) string {
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
	for i := 2; slices.Contains(t.names, n); i++ {
		n = base + "-" + strconv.Itoa(i)
	}
	t.names = append(t.names, n)
	stem := t.path
	if ext := filepath.Ext(stem); strings.EqualFold(ext, ".csv") {
		stem = strings.TrimSuffix(stem, ext)
	}
	return stem + "-" + n + ".csv"
}

func (t *csvTable) close() ([]string, error) {
	for _, p := range t.parts {
		if err := files.Finish(p.tmp); err != nil {
			return nil, fmt.Errorf("%s: %w", p.path, err)
		}
	}
	paths := make([]string, 0, len(t.parts))
	for len(t.parts) > 0 {
		p := t.parts[0]
		if err := os.Rename(p.tmp.Name(), p.path); err != nil {
			return nil, fmt.Errorf("%s: %w", p.path, err)
		}
		paths = append(paths, p.path)
		t.parts = t.parts[1:]
	}
	return paths, nil
}

func (t *csvTable) abort() {
	for _, p := range t.parts {
		_ = p.tmp.Close()
		_ = os.Remove(p.tmp.Name())
	}
	t.parts = nil
}

// csvSheet is one sheet of a CSV workbook, being written.
type csvSheet struct {
	t     *csvTable
	given string // the name given to Workbook.Sheet
	cols  int    // the sheet's columns: shorter rows are padded
	file  string // the file the sheet goes to
	buf   *bufio.Writer
	csv   *csv.Writer
	rec   []string
}

func (s *csvSheet) name() string { return s.given }

func (s *csvSheet) path() string { return s.file }

func (s *csvSheet) write(_ int, cells []Cell) error {
	s.rec = s.rec[:0]
	for _, c := range cells {
		s.rec = append(s.rec, s.t.field(c))
	}
	for len(s.rec) < s.cols {
		s.rec = append(s.rec, "")
	}
	return s.csv.Write(s.rec)
}

// end flushes the sheet's records to its temporary file.
func (s *csvSheet) end() error {
	s.csv.Flush()
	err := s.csv.Error()
	if err == nil {
		err = s.buf.Flush()
	}
	if err != nil {
		return fmt.Errorf("%s: sheet %q: %w", s.file, s.given, err)
	}
	return nil
}

// field returns the text of c in a CSV file.
func (t *csvTable) field(c Cell) string {
	f := t.format
	switch c.Kind {
	case KindNumber, KindMoney, KindPercent:
		if !finite(c.Number) {
			return neutralise(strconv.FormatFloat(c.Number, 'f', -1, 64))
		}
		var s string
		switch c.Kind {
		case KindMoney:
			s = strconv.FormatFloat(c.Number, 'f', 2, 64)
		case KindPercent:
			s = percentText(c.Number)
		default:
			s = c.String()
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

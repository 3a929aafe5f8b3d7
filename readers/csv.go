package readers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CSVOptions tells how to read a CSV file. The zero value detects
// everything.
type CSVOptions struct {
	// Delimiter separates fields; 0 detects one of , ; TAB | from the first
	// 64 KiB: the one that splits the header into more than one field and
	// the most rows into as many fields as the header. An Excel "sep=;"
	// first line names it.
	Delimiter rune
	// Encoding is "" or "auto" to detect, or one of "utf-8", "utf-16",
	// "utf-16le", "utf-16be", "windows-1252", "iso-8859-1", "iso-8859-15"
	// (any other IANA name is accepted too, such as "macintosh"). A byte
	// order mark always wins.
	Encoding string
	// Quote is the quoting character; 0 means '"', the only one supported.
	Quote rune
	// LazyQuotes accepts a quote inside an unquoted field and a lone quote
	// inside a quoted field, as encoding/csv's option of that name. Off, such
	// a row is a *RowError. On, a quoted field that is never closed runs to
	// the end of the file and is one (ragged) row.
	LazyQuotes bool
	// HeaderRow is the 1-based row where the header is, 1 when 0, counted
	// as Row.Num counts: one row per record and one per blank line. The
	// header is the first record at or after it that is not blank. Rows
	// before it are skipped whatever they hold.
	HeaderRow int
	// Limits bound a row's fields and bytes; zero fields take the defaults.
	Limits Limits
}

type csvSource struct {
	name   string
	closer io.Closer
	r      records
	dec    *decoding
	delim  rune
	cols   columns
	width  int // fields in the header record, named or not
	limits Limits
	last   int // row number of the last record read
}

// records reads CSV records with their row numbers as a spreadsheet shows
// the file: one row per record, however many lines its quoted fields
// span, and one per blank line.
type records struct {
	r *csv.Reader
	// breaks counts the line breaks inside the quoted fields of the records
	// read so far, each one a line that is no row of its own.
	breaks int
	// bound, when set, keeps the parser from reading far past the start of
	// the record it is on; newReader then makes the parser that goes on
	// after a record too long, and base counts the lines before its first.
	bound     *rowBound
	newReader func() *csv.Reader
	base      int
}

// errSkipped is a record skipped for being longer than the limit.
var errSkipped = errors.New("skipped")

// read returns the next record and its row number: the line where it
// starts, less the line breaks inside the quoted fields of the records
// above it. A record encoding/csv cannot parse comes with its row number
// and a *csv.ParseError; it is one row, from the line where it starts to
// the line where the parser stopped.
//
// A record longer than the bound allows is skipped: read returns its row
// and errSkipped, or errRowTooLong when where it ends cannot be told.
func (rs *records) read() (rec []string, row int, err error) {
	if rs.bound != nil {
		rs.bound.mark(rs.r.InputOffset())
	}
	rec, err = rs.r.Read()
	if errors.Is(err, errRowTooLong) && rs.bound != nil {
		sk, err := rs.bound.skip()
		if err != nil {
			return nil, 0, err
		}
		row = sk.line - rs.breaks
		rs.breaks += sk.breaks
		rs.base = sk.after
		rs.r = rs.newReader()
		return nil, row, errSkipped
	}
	if err == nil {
		line, _ := rs.r.FieldPos(0)
		row = rs.base + line - rs.breaks
		// encoding/csv gives each line break inside a quoted field as one
		// "\n", CRLF included, and a "\n" in a field is never anything else.
		for _, f := range rec {
			rs.breaks += strings.Count(f, "\n")
		}
		return rec, row, nil
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		row = rs.base + pe.StartLine - rs.breaks
		rs.breaks += max(pe.Line-pe.StartLine, 0)
	}
	return rec, row, err
}

// OpenCSV opens a CSV file; see NewCSV.
func OpenCSV(path string, opts CSVOptions) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	s, err := newCSV(f, path, opts)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	s.closer = f
	return s, nil
}

// NewCSV reads CSV text from r, naming it name in errors. It reads the
// header at once: the first record at or after row HeaderRow that is not
// blank. Two columns with the same name are an error. A column with no name
// is left out of Header and Cells; a row holding a value in it is a
// *RowError. Every data row must have as many fields as the header record:
// a row with more or fewer is a *RowError, and so is a row with a quote
// encoding/csv cannot parse. Blank lines and rows whose cells are all empty
// or spaces are skipped.
func NewCSV(r io.Reader, name string, opts CSVOptions) (Source, error) {
	s, err := newCSV(r, name, opts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func newCSV(r io.Reader, name string, opts CSVOptions) (*csvSource, error) {
	if opts.Quote != 0 && opts.Quote != '"' {
		return nil, fmt.Errorf("%s: quote character %q is not supported: only '\"' is", name, opts.Quote)
	}
	if d := opts.Delimiter; d != 0 && (d == '"' || d == '\r' || d == '\n' || d == utf8.RuneError || !utf8.ValidRune(d)) {
		return nil, fmt.Errorf("%s: %q cannot be a delimiter", name, d)
	}
	headerRow := opts.HeaderRow
	if headerRow < 0 {
		return nil, fmt.Errorf("%s: header row %d: rows are numbered from 1", name, headerRow)
	}
	if headerRow == 0 {
		headerRow = 1
	}

	dec, err := decode(bufio.NewReaderSize(r, sniffSize), opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	text := bufio.NewReaderSize(dec.r, sniffSize)
	peek, err := text.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var in io.Reader = text
	if bytes.IndexByte(peek, '\n') < 0 && bytes.IndexByte(peek, '\r') >= 0 {
		// Classic Mac line ends: a lone CR ends each line.
		in = crReader{text}
		peek = bytes.ReplaceAll(peek, []byte{'\r'}, []byte{'\n'})
	}
	delim := opts.Delimiter
	if d, ok := sepLine(peek); ok {
		// Excel's "sep=;" first line names the delimiter; it is no record.
		if delim == 0 {
			delim = d
		}
		headerRow = max(headerRow, 2)
	}
	if delim == 0 {
		delim = sniffDelimiter(peek, len(peek) < sniffSize, headerRow)
	}

	limits := opts.Limits.withDefaults()
	bound := &rowBound{r: in, limit: int64(limits.RowBytes), lazy: opts.LazyQuotes}
	if delim < utf8.RuneSelf {
		bound.delim = byte(delim)
	}
	newReader := func() *csv.Reader {
		cr := csv.NewReader(bound)
		cr.Comma = delim
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		cr.LazyQuotes = opts.LazyQuotes
		return cr
	}
	s := &csvSource{name: name, r: records{r: newReader(), bound: bound, newReader: newReader}, dec: dec, delim: delim, limits: limits}
	if err := s.readHeader(headerRow); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *csvSource) readHeader(headerRow int) error {
	for {
		rec, row, err := s.r.read()
		var pe *csv.ParseError
		switch {
		case err == io.EOF:
			return nil // an empty file: no header, no rows
		case errors.As(err, &pe):
			if row < headerRow {
				continue
			}
			return fmt.Errorf("%s:%d: header: %w", s.name, row, parseError(pe))
		case errors.Is(err, errSkipped) && row < headerRow:
			continue
		case errors.Is(err, errSkipped):
			return fmt.Errorf("%s:%d: header: %s", s.name, row, s.longRow())
		case errors.Is(err, errRowTooLong):
			return fmt.Errorf("%s: %s", s.name, s.tooLong())
		case err != nil:
			return fmt.Errorf("%s: %w", s.name, err)
		}
		s.last = row
		if row < headerRow {
			continue
		}
		if err := s.checkSize(rec); err != nil {
			return fmt.Errorf("%s:%d: header: %w", s.name, row, err)
		}
		if blank(rec) {
			continue
		}
		cols, err := newColumns(s.name, rec, func(i int) string { return strconv.Itoa(i + 1) })
		if err != nil {
			return err
		}
		s.cols, s.width = cols, len(rec)
		return nil
	}
}

func (s *csvSource) Header() []string { return s.cols.names }

// Dialect reports the delimiter and encoding in use. An auto-detected
// UTF-8 file reports windows-1252 once bytes that are not UTF-8 showed it
// to be one.
func (s *csvSource) Dialect() Dialect {
	enc := s.dec.encoding
	if s.dec.fallback != nil && s.dec.fallback.switched() {
		enc = "windows-1252"
	}
	return Dialect{Delimiter: s.delim, Encoding: enc, BOM: s.dec.bom}
}

func (s *csvSource) Next() (Row, error) {
	for {
		rec, row, err := s.r.read()
		if err != nil {
			if err == io.EOF {
				return Row{}, io.EOF
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				s.last = row
				return Row{}, &RowError{File: s.name, Row: row, Err: parseError(pe)}
			}
			if errors.Is(err, errSkipped) {
				s.last = row
				return Row{}, &RowError{File: s.name, Row: row, Err: errors.New(s.longRow())}
			}
			if errors.Is(err, errRowTooLong) {
				return Row{}, fmt.Errorf("%s: %s", s.name, s.tooLong())
			}
			return Row{}, fmt.Errorf("%s: %w", s.name, err)
		}
		s.last = row
		if err := s.checkSize(rec); err != nil {
			// Cells are left out when there are too many to show: the row
			// is in the file, and the error says where.
			re := &RowError{File: s.name, Row: row, Err: err}
			if len(rec) <= s.limits.FieldsPerRow {
				re.Cells = s.cols.cells(s.fit(rec))
				var fe *fieldSizeError
				if errors.As(err, &fe) && fe.index < len(s.cols.named) && s.cols.named[fe.index] {
					re.Column, fe.named = s.columnOf(fe.index), true
				}
			}
			return Row{}, re
		}
		if blank(rec) {
			continue
		}
		if len(rec) != s.width {
			msg := fmt.Sprintf("%d fields, but the header has %d", len(rec), s.width)
			if len(rec) > s.width {
				msg += fmt.Sprintf(" (extra: %s)", shorten(strings.Join(rec[s.width:], string(s.delim)), 200))
			}
			return Row{}, &RowError{File: s.name, Row: row, Err: errors.New(msg), Cells: s.cols.cells(s.fit(rec))}
		}
		if i := s.cols.unnamed(rec); i >= 0 {
			return Row{}, &RowError{File: s.name, Row: row, Cells: s.cols.cells(rec),
				Err: fmt.Errorf("field %d holds %q but its column has no name in the header", i+1, rec[i])}
		}
		cells := s.cols.cells(rec)
		if s.dec.strict {
			for i, c := range cells {
				if !utf8.ValidString(c) {
					return Row{}, &RowError{File: s.name, Row: row, Column: s.cols.names[i], Cells: cells,
						Err: errors.New("not valid UTF-8: is the file in windows-1252 or another encoding?")}
				}
			}
		}
		return Row{Num: row, Cells: cells}, nil
	}
}

// fit returns rec cut or padded to the header's width.
func (s *csvSource) fit(rec []string) []string {
	if len(rec) == s.width {
		return rec
	}
	fit := make([]string, s.width)
	copy(fit, rec)
	return fit
}

// columnOf names file column i by its header name.
func (s *csvSource) columnOf(i int) string {
	for k, j := range s.cols.index {
		if j == i {
			return s.cols.names[k]
		}
	}
	return strconv.Itoa(i + 1)
}

// checkSize holds a record to the limits on fields per row and bytes per
// field.
func (s *csvSource) checkSize(rec []string) error {
	if len(rec) > s.limits.FieldsPerRow {
		return fmt.Errorf("%d fields, more than the limit of %d a row (limits: fields_per_row in the mapping raises it)", len(rec), s.limits.FieldsPerRow)
	}
	for i, f := range rec {
		if len(f) > s.limits.FieldBytes {
			return &fieldSizeError{index: i, size: len(f), limit: s.limits.FieldBytes}
		}
	}
	return nil
}

// longRow describes a row skipped for being too long.
func (s *csvSource) longRow() string {
	return fmt.Sprintf("the row is longer than %s (limits: row_bytes in the mapping raises it)", byteSize(int64(s.limits.RowBytes)))
}

// tooLong describes a record that ran past the limit on a row's bytes and
// could not be skipped.
func (s *csvSource) tooLong() string {
	where := "the first row"
	if s.last > 0 {
		where = fmt.Sprintf("the row after row %d", s.last)
	}
	return fmt.Sprintf("%s is longer than %s (limits: row_bytes in the mapping raises it); reading stopped there, since where that row ends cannot be told safely", where, byteSize(int64(s.limits.RowBytes)))
}

// fieldSizeError is a field longer than the limit on a field's bytes.
// named says the error is reported with the name of its column.
type fieldSizeError struct {
	index, size, limit int
	named              bool
}

func (e *fieldSizeError) Error() string {
	msg := fmt.Sprintf("%d bytes, more than the limit of %s (limits: field_bytes in the mapping raises it)", e.size, byteSize(int64(e.limit)))
	if e.named {
		return "the value is " + msg
	}
	return fmt.Sprintf("field %d holds %s", e.index+1, msg)
}

// shorten quotes s, cut to about n bytes with the count of what was left
// out.
func shorten(s string, n int) string {
	if len(s) <= n {
		return strconv.Quote(s)
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… and %d bytes more", s[:cut], len(s)-cut)
}

func (s *csvSource) Close() error {
	if s.closer == nil {
		return nil
	}
	c := s.closer
	s.closer = nil
	return c.Close()
}

// parseError rewords encoding/csv's quote errors; the result wraps them.
func parseError(pe *csv.ParseError) error {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Errorf("%w at position %d of line %d: quote the whole field and double the quotes inside it", pe.Err, pe.Column, pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine:
		return fmt.Errorf("the quoted field that starts here is not closed properly (the parser stopped on line %d, position %d): %w", pe.Line, pe.Column, pe.Err)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Errorf("%w at position %d", pe.Err, pe.Column)
	}
	return pe.Err
}

// sepLine recognises Excel's delimiter line, "sep=;", as the first line.
func sepLine(text []byte) (rune, bool) {
	line, _, _ := bytes.Cut(text, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(line) < 5 || !bytes.EqualFold(line[:4], []byte("sep=")) {
		return 0, false
	}
	d, size := utf8.DecodeRune(line[4:])
	if 4+size != len(line) || d == '"' || d == utf8.RuneError {
		return 0, false
	}
	return d, true
}

// crReader turns every CR into LF, for files whose lines end with a lone CR.
type crReader struct{ r io.Reader }

func (c crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// delimiters are the candidates of detection, preferred in this order on a tie.
var delimiters = []rune{',', ';', '\t', '|'}

// sniffDelimiter picks the candidate that splits the header record into more
// than one field and the largest share of the following records into as many
// fields. sample is the start of the text; complete says it is all of it.
func sniffDelimiter(sample []byte, complete bool, headerRow int) rune {
	if !complete {
		if i := bytes.LastIndexByte(sample, '\n'); i >= 0 {
			sample = sample[:i+1]
		}
	}
	best, bestScore := ',', -1.0
	for _, d := range delimiters {
		if !bytes.ContainsRune(sample, d) {
			continue
		}
		cr := csv.NewReader(bytes.NewReader(sample))
		cr.Comma = d
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		cr.ReuseRecord = true
		rs := records{r: cr}
		header, same, rows := 0, 0, 0
		for rows < 500 {
			rec, row, err := rs.read()
			if err != nil {
				break
			}
			if row < headerRow {
				continue
			}
			switch {
			case header == 0:
				header = len(rec)
			case blank(rec):
			default:
				rows++
				if len(rec) == header {
					same++
				}
			}
		}
		if header < 2 {
			continue
		}
		score := 1.0
		if rows > 0 {
			score = float64(same) / float64(rows)
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

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
}

// records reads CSV records with their row numbers as a spreadsheet shows
// the file: one row per record, however many lines its quoted fields
// span, and one per blank line.
type records struct {
	r *csv.Reader
	// breaks counts the line breaks inside the quoted fields of the records
	// read so far, each one a line that is no row of its own.
	breaks int
}

// read returns the next record and its row number: the line where it
// starts, less the line breaks inside the quoted fields of the records
// above it. A record encoding/csv cannot parse comes with its row number
// and a *csv.ParseError; it is one row, from the line where it starts to
// the line where the parser stopped.
func (rs *records) read() (rec []string, row int, err error) {
	rec, err = rs.r.Read()
	if err == nil {
		line, _ := rs.r.FieldPos(0)
		row = line - rs.breaks
		// encoding/csv gives each line break inside a quoted field as one
		// "\n", CRLF included, and a "\n" in a field is never anything else.
		for _, f := range rec {
			rs.breaks += strings.Count(f, "\n")
		}
		return rec, row, nil
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		row = pe.StartLine - rs.breaks
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

	cr := csv.NewReader(in)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = opts.LazyQuotes
	s := &csvSource{name: name, r: records{r: cr}, dec: dec, delim: delim}
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
		case err != nil:
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if row < headerRow || blank(rec) {
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
				return Row{}, &RowError{File: s.name, Row: row, Err: parseError(pe)}
			}
			return Row{}, fmt.Errorf("%s: %w", s.name, err)
		}
		if blank(rec) {
			continue
		}
		if len(rec) != s.width {
			fit := make([]string, s.width)
			copy(fit, rec)
			msg := fmt.Sprintf("%d fields, but the header has %d", len(rec), s.width)
			if len(rec) > s.width {
				msg += fmt.Sprintf(" (extra: %q)", strings.Join(rec[s.width:], string(s.delim)))
			}
			return Row{}, &RowError{File: s.name, Row: row, Err: errors.New(msg), Cells: s.cols.cells(fit)}
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

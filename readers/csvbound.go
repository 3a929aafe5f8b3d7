package readers

import (
	"bytes"
	"errors"
	"io"
)

// A CSV record longer than Limits.RowBytes is not parsed: encoding/csv
// would hold all of it, and a line of commas costs it some 40 bytes of
// memory a byte. rowBound feeds the parser and stops it once the record it
// is on runs past the limit; then skip finds where that record ends, by
// the rules encoding/csv follows, without holding it, and reading goes on
// with the next record.

// errRowTooLong stops the parser when a record runs past the limit on a
// row's bytes.
var errRowTooLong = errors.New("row too long")

// rowBoundSlack covers the text encoding/csv reads ahead of the record it
// is on: it reads through a bufio.Reader of the default size, 4 KiB.
const rowBoundSlack = 4 << 10

// rowBound gives the parser text until the record it is on runs more than
// limit bytes (plus the parser's read-ahead) past where it started.
type rowBound struct {
	r     io.Reader
	limit int64
	delim byte // the delimiter, when it is one byte: only then can a record be skipped
	lazy  bool // encoding/csv's LazyQuotes

	fed     int64  // bytes given to the parser
	start   int64  // offset of the record being read
	kept    []byte // the bytes given from keptAt on, to find a skipped record's end
	keptAt  int64
	lines   int    // line ends before keptAt
	pending []byte // bytes read past a skipped record, given next
}

// mark tells where the record about to be read starts.
func (b *rowBound) mark(offset int64) {
	b.start = offset
	if n := int(offset - b.keptAt); n > 0 && n <= len(b.kept) {
		b.lines += bytes.Count(b.kept[:n], []byte{'\n'})
		b.kept = b.kept[:copy(b.kept, b.kept[n:])]
		b.keptAt = offset
	}
}

func (b *rowBound) Read(p []byte) (int, error) {
	room := b.start + b.limit + rowBoundSlack - b.fed
	if room <= 0 {
		return 0, errRowTooLong
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	var n int
	var err error
	if len(b.pending) > 0 {
		n = copy(p, b.pending)
		b.pending = b.pending[n:]
	} else {
		n, err = b.r.Read(p)
	}
	b.fed += int64(n)
	b.kept = append(b.kept, p[:n]...)
	return n, err
}

// skipped is a record skipped for being too long.
type skipped struct {
	line   int // the line where it starts, from 1
	breaks int // the line ends inside it, each a line that is no row
	after  int // line ends up to the end of it
}

// skip reads on to the end of the record the parser was stopped in and
// reports where it was. It fails when that end cannot be told: a
// delimiter of several bytes.
func (b *rowBound) skip() (skipped, error) {
	if b.delim == 0 {
		return skipped{}, errRowTooLong
	}
	m := csvMachine{delim: b.delim, lazy: b.lazy}
	// Blank lines before the record are no part of it.
	rec := b.kept[:int(b.fed-b.keptAt)]
	blank := 0
	for {
		switch {
		case bytes.HasPrefix(rec, []byte{'\n'}):
			rec = rec[1:]
		case bytes.HasPrefix(rec, []byte("\r\n")):
			rec = rec[2:]
		default:
			goto counted
		}
		blank++
	}
counted:
	s := skipped{line: b.lines + blank + 1}
	if m.scan(rec) >= 0 {
		return skipped{}, errRowTooLong // the record ends within what the parser had: not ours to skip
	}
	ends := bytes.Count(rec, []byte{'\n'})
	buf := make([]byte, 32<<10)
	for {
		n, err := b.r.Read(buf)
		chunk := buf[:n]
		if i := m.scan(chunk); i >= 0 {
			ends += bytes.Count(chunk[:i+1], []byte{'\n'})
			b.pending = append(b.pending[:0], chunk[i+1:]...)
			s.breaks = ends - 1
			break
		}
		ends += bytes.Count(chunk, []byte{'\n'})
		if err == io.EOF {
			s.breaks = ends
			break
		}
		if err != nil {
			return skipped{}, err
		}
	}
	s.after = b.lines + blank + ends
	b.lines, b.kept, b.keptAt = s.after, b.kept[:0], 0
	b.fed, b.start = 0, 0
	return s, nil
}

// csvMachine follows encoding/csv's reading of a record, byte by byte, to
// find where the record ends.
type csvMachine struct {
	delim byte
	lazy  bool
	state int
}

const (
	atField   = iota // at the start of a field
	inPlain          // in an unquoted field
	inQuotes         // in a quoted field
	atQuote          // just after a quote in a quoted field
	atQuoteCR        // after a quote and a CR in a quoted field
	toLineEnd        // after a quote error: encoding/csv drops the rest of the line
)

// scan reads p on and returns the index of the line end that ends the
// record, or -1 when the record goes on past p.
func (m *csvMachine) scan(p []byte) int {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch m.state {
		case atField, inPlain:
			switch {
			case c == '\n':
				m.state = atField
				return i
			case c == m.delim:
				m.state = atField
			case c == '"' && m.state == atField:
				m.state = inQuotes
			case c == '"' && !m.lazy:
				m.state = toLineEnd // a bare quote
			default:
				m.state = inPlain
			}
		case inQuotes:
			if c == '"' {
				m.state = atQuote
			}
		case atQuote:
			switch {
			case c == '"':
				m.state = inQuotes // a doubled quote
			case c == m.delim:
				m.state = atField
			case c == '\n':
				m.state = atField
				return i
			case c == '\r':
				m.state = atQuoteCR
			case m.lazy:
				m.state = inQuotes
				i-- // the quote was text; read c again as such
			default:
				m.state = toLineEnd
				i--
			}
		case atQuoteCR:
			if c == '\n' {
				m.state = atField
				return i
			}
			m.state = inQuotes
			if !m.lazy {
				m.state = toLineEnd
			}
			i--
		case toLineEnd:
			if c == '\n' {
				m.state = atField
				return i
			}
		}
	}
	return -1
}

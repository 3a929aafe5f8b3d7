package readers

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// excelRows and excelColumns are the size of an Excel sheet.
const (
	excelRows    = 1 << 20
	excelColumns = 1 << 14
)

// sheetRows reads the rows of a worksheet part, one <row> at a time, into
// raw cells: position, type, style and text. Memory holds one row, bounded
// by the limits.
type sheetRows struct {
	sc      *xmlScanner
	lim     Limits
	num     int // number of the last row read
	started bool
	done    bool
	top     int // depth of <sheetData>
	// lastRow is the last row of the sheet's <dimension ref="A1:O19">, 0
	// when the sheet has none: a hint, which Excel keeps and other
	// writers may leave out or get wrong.
	lastRow int

	cells []rawCell
	text  []byte // the text of the row's cells
}

type rawCell struct {
	col     int // 1-based column
	typ     cellType
	style   int
	noValue bool // its style could not be read: excelize then read nothing of it
	formula bool
	hasIS   bool // it has an inline string, <is>
	v, is   span // the text of its <v> and of its <is>, in sheetRows.text
	over    bool // a text is longer than FieldBytes
}

type span struct{ from, to int }

// rowProblem is a row that passed a limit or holds a cell reference that
// is not one: a row error. col is the cell's column when one is to blame.
type rowProblem struct {
	col int
	err error
}

func newSheetRows(r io.Reader, lim Limits) *sheetRows {
	return &sheetRows{sc: newXMLScanner(r, lim.XMLDepth), lim: lim}
}

// next reads the next row that is in the sheet: its number, and its
// cells unless the number is below skipBelow. It returns io.EOF after the last row. A problem leaves
// the row's cells as far as they could be read.
func (sr *sheetRows) next(skipBelow int) (num int, prob *rowProblem, err error) {
	sc := sr.sc
	if !sr.started {
		sr.started = true
		if err := sr.findSheetData(); err != nil {
			return 0, nil, err
		}
	}
	for !sr.done {
		start, err := sc.next()
		if err != nil {
			return 0, nil, sc.eofInside(err)
		}
		if !start {
			if sc.depth() < sr.top {
				sr.done = true
			}
			continue
		}
		if !sc.is("row") || sc.depth() != sr.top+1 && !(sc.empty && sc.depth() == sr.top) {
			if err := sc.skip(); err != nil {
				return 0, nil, err
			}
			continue
		}
		num = sr.num + 1
		if v, ok := sc.attr("r"); ok {
			if n, err := strconv.Atoi(string(v)); err == nil && n > sr.num {
				num = n
			}
		}
		if num > excelRows {
			return 0, nil, fmt.Errorf("row %d: a sheet has %d rows at most", num, excelRows)
		}
		sr.num = num
		sr.cells, sr.text = sr.cells[:0], sr.text[:0]
		if num < skipBelow {
			return num, nil, sc.skip()
		}
		prob, err := sr.readCells()
		return num, prob, err
	}
	return 0, nil, io.EOF
}

// findSheetData reads up to <sheetData>; a sheet without one has no rows.
func (sr *sheetRows) findSheetData() error {
	for {
		start, err := sr.sc.next()
		if err == io.EOF {
			sr.done = true
			return nil
		}
		if err != nil {
			return err
		}
		if start && sr.sc.is("dimension") {
			if v, ok := sr.sc.attr("ref"); ok {
				sr.lastRow = refLastRow(v)
			}
		}
		if start && sr.sc.is("sheetData") {
			sr.top = sr.sc.depth()
			sr.done = sr.sc.empty
			return nil
		}
	}
}

// readCells reads the cells of the row just started, up to its end tag.
// The first problem found is the row's; past one that makes the rest of
// the row unreadable (too many cells, too many bytes, a cell reference
// that is not one), cells are skipped.
func (sr *sheetRows) readCells() (*rowProblem, error) {
	sc := sr.sc
	if sc.empty {
		return nil, nil
	}
	top := sc.depth()
	from := sc.offset()
	col := 0
	var prob *rowProblem
	stop := false
	problem := func(p *rowProblem, fatal bool) {
		if prob == nil {
			prob = p
		}
		stop = stop || fatal
	}
	for {
		start, err := sc.next()
		if err != nil {
			return nil, sc.eofInside(err)
		}
		if !start {
			if sc.depth() < top {
				if !stop && sc.offset()-from > int64(sr.lim.RowBytes) {
					problem(sr.tooLong(), true)
				}
				return prob, nil
			}
			continue
		}
		if stop || !sc.is("c") || sc.depth() > top+1 {
			if err := sc.skip(); err != nil {
				return nil, err
			}
			continue
		}
		col++
		c := rawCell{col: col}
		if ref, ok := sc.attr("r"); ok {
			n, ok := refColumn(ref)
			if !ok {
				problem(&rowProblem{err: fmt.Errorf("cell reference %q is not a cell of a sheet", ref)}, true)
				if err := sc.skip(); err != nil {
					return nil, err
				}
				continue
			}
			c.col, col = n, n
		}
		if len(sr.cells) >= sr.lim.FieldsPerRow || c.col > sr.lim.FieldsPerRow {
			problem(&rowProblem{err: &limitError{what: fmt.Sprintf("the row has more than %d cells", sr.lim.FieldsPerRow), key: "fields_per_row"}}, true)
			if err := sc.skip(); err != nil {
				return nil, err
			}
			continue
		}
		if err := sr.readCell(&c); err != nil {
			return nil, err
		}
		sr.cells = append(sr.cells, c)
		if c.over {
			problem(&rowProblem{col: c.col, err: fmt.Errorf("cell %s%d %w", columnName(c.col-1), sr.num, sr.fieldTooLong())}, false)
		}
		if sc.offset()-from > int64(sr.lim.RowBytes) {
			problem(sr.tooLong(), true)
		}
	}
}

func (sr *sheetRows) fieldTooLong() error {
	return &limitError{what: fmt.Sprintf("holds more than %s of text", byteSize(int64(sr.lim.FieldBytes))), key: "field_bytes"}
}

func (sr *sheetRows) tooLong() *rowProblem {
	return &rowProblem{err: &limitError{what: fmt.Sprintf("the row's XML takes more than %s", byteSize(int64(sr.lim.RowBytes))), key: "row_bytes"}}
}

// readCell reads the attributes and content of the <c> just started.
func (sr *sheetRows) readCell(c *rawCell) error {
	sc := sr.sc
	if t, ok := sc.attr("t"); ok {
		c.typ = parseCellType(t)
	}
	if s, ok := sc.attr("s"); ok {
		n, err := strconv.ParseInt(string(s), 10, 64)
		c.noValue = err != nil
		c.style = int(max(min(n, 1<<31), -1))
	}
	if sc.empty {
		return nil
	}
	top := sc.depth()
	for {
		start, err := sc.next()
		if err != nil {
			return sc.eofInside(err)
		}
		if !start {
			if sc.depth() < top {
				return nil
			}
			continue
		}
		if sc.depth() > top+1 || c.noValue {
			if err := sc.skip(); err != nil {
				return err
			}
			continue
		}
		// Of two <v> or two <is>, excelize keeps the last.
		from := len(sr.text)
		over := false
		switch {
		case sc.is("v"):
			sr.text, over, err = sc.text(sr.text, sr.lim.FieldBytes)
			c.v = span{from, len(sr.text)}
		case sc.is("is"):
			c.hasIS = true
			sr.text, err = richText(sc, sr.text, sr.lim.FieldBytes+1)
			if len(sr.text)-from > sr.lim.FieldBytes {
				sr.text, over = sr.text[:from+sr.lim.FieldBytes], true
			}
			c.is = span{from, len(sr.text)}
		case sc.is("f"):
			c.formula = true
			err = sc.skip()
		default:
			err = sc.skip()
		}
		if err != nil {
			return err
		}
		c.over = c.over || over
	}
}

// refColumn returns the column of a cell reference such as "B12", checking
// it as excelize does: one to three letters, then a row number of the
// sheet ("$" signs allowed).
func refColumn(ref []byte) (int, bool) {
	i, col := 0, 0
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a') + 1
		if col > excelColumns {
			return 0, false
		}
	}
	if col == 0 {
		return 0, false
	}
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	row, err := strconv.Atoi(string(ref[i:]))
	if err != nil || row < 1 || row > excelRows {
		return 0, false
	}
	return col, true
}

// refLastRow is the last row of a dimension ref ("A1:O19" → 19), 0 when
// it is not a range: "A1" is what Excel writes for an empty sheet and
// streaming writers (excelize's) for a sheet they did not measure.
func refLastRow(ref []byte) int {
	i := bytes.LastIndexByte(ref, ':')
	if i < 0 {
		return 0
	}
	ref = ref[i+1:]
	i = 0
	for i < len(ref) && (ref[i] >= 'A' && ref[i] <= 'Z' || ref[i] >= 'a' && ref[i] <= 'z' || ref[i] == '$') {
		i++
	}
	n, err := strconv.Atoi(string(ref[i:]))
	if err != nil || n < 1 || n > excelRows {
		return 0
	}
	return n
}

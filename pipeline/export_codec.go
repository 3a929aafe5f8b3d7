package pipeline

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/stbulk/stbulk/writers"
)

// The spill file holds the records read by a run in a binary form that
// is quick to write and to read back a sheet at a time (the records file,
// for later runs, is JSON):
//
//	record: key, files (count, then each), sheets (count, then each: its
//	        name, then the length of its rows and its rows)
//	rows:   count, then each: cells (count, then each: field name, flags,
//	        then the kind, text, number and time the flags announce)
//
// Counts and lengths are uvarints, strings a uvarint length and their
// bytes, numbers the 8 bytes of their IEEE 754 bits, times as
// time.Time.MarshalBinary writes them (a length byte first).

// Flags of a spilled cell: which of its fields are set.
const (
	spillKind = 1 << iota
	spillText
	spillNumber
	spillTime
)

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendRecord appends the spilled form of r to b.
func appendRecord(b []byte, r *record) ([]byte, error) {
	b = appendString(b, r.Key)
	b = binary.AppendUvarint(b, uint64(len(r.Files)))
	for _, f := range r.Files {
		b = appendString(b, f)
	}
	sheets := make([]string, 0, len(r.Rows))
	for name := range r.Rows {
		sheets = append(sheets, name)
	}
	slices.Sort(sheets)
	b = binary.AppendUvarint(b, uint64(len(sheets)))
	var rows []byte
	for _, name := range sheets {
		var err error
		if rows, err = appendRows(rows[:0], r.Rows[name]); err != nil {
			return nil, fmt.Errorf("record %s: sheet %s: %w", r.Key, name, err)
		}
		b = appendString(b, name)
		b = binary.AppendUvarint(b, uint64(len(rows)))
		b = append(b, rows...)
	}
	return b, nil
}

func appendRows(b []byte, rows []row) ([]byte, error) {
	b = binary.AppendUvarint(b, uint64(len(rows)))
	for _, rw := range rows {
		b = binary.AppendUvarint(b, uint64(len(rw)))
		for _, field := range sortedFields(rw) {
			c := rw[field]
			b = appendString(b, field)
			var flags byte
			if c.Kind != 0 {
				flags |= spillKind
			}
			if c.Text != "" {
				flags |= spillText
			}
			if c.Number != 0 {
				flags |= spillNumber
			}
			if !c.Time.IsZero() {
				flags |= spillTime
			}
			b = append(b, flags)
			if flags&spillKind != 0 {
				b = binary.AppendVarint(b, int64(c.Kind))
			}
			if flags&spillText != 0 {
				b = appendString(b, c.Text)
			}
			if flags&spillNumber != 0 {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.Number))
			}
			if flags&spillTime != 0 {
				t, err := c.Time.MarshalBinary()
				if err != nil {
					return nil, fmt.Errorf("%s: %w", field, err)
				}
				b = append(b, byte(len(t)))
				b = append(b, t...)
			}
		}
	}
	return b, nil
}

// sortedFields lists the fields of a row in order, so that the same
// record is always spilled the same.
func sortedFields(rw row) []string {
	fields := make([]string, 0, len(rw))
	for f := range rw {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	return fields
}

// spillReader reads spilled records. Field names, which repeat from row to
// row, are kept once.
type spillReader struct {
	b     []byte
	names map[string]string
}

var errSpill = errors.New("the spill file is damaged")

func (r *spillReader) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		return 0, errSpill
	}
	r.b = r.b[n:]
	return v, nil
}

func (r *spillReader) bytes() ([]byte, error) {
	n, err := r.uvarint()
	if err != nil || n > uint64(len(r.b)) {
		return nil, errSpill
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s, nil
}

func (r *spillReader) string() (string, error) {
	b, err := r.bytes()
	return string(b), err
}

// name reads a field name, kept once.
func (r *spillReader) name() (string, error) {
	b, err := r.bytes()
	if err != nil {
		return "", err
	}
	if s, ok := r.names[string(b)]; ok {
		return s, nil
	}
	s := string(b)
	r.names[s] = s
	return s, nil
}

// spilledRecord is a spilled record read back but for its rows: each
// sheet's, undecoded.
type spilledRecord struct {
	key    string
	files  []string
	sheets map[string][]byte
}

func (r *spillReader) record(b []byte) (*spilledRecord, error) {
	r.b = b
	out := &spilledRecord{sheets: map[string][]byte{}}
	var err error
	if out.key, err = r.string(); err != nil {
		return nil, err
	}
	n, err := r.uvarint()
	if err != nil || n > uint64(len(r.b)) {
		return nil, errSpill
	}
	for range n {
		f, err := r.string()
		if err != nil {
			return nil, err
		}
		out.files = append(out.files, f)
	}
	if n, err = r.uvarint(); err != nil || n > uint64(len(r.b)) {
		return nil, errSpill
	}
	for range n {
		name, err := r.name()
		if err != nil {
			return nil, err
		}
		rows, err := r.bytes()
		if err != nil {
			return nil, err
		}
		out.sheets[name] = rows
	}
	if len(r.b) != 0 {
		return nil, errSpill
	}
	return out, nil
}

// rows decodes the rows of a sheet of a spilled record.
func (r *spillReader) rows(b []byte) ([]row, error) {
	if b == nil {
		return nil, nil
	}
	r.b = b
	n, err := r.uvarint()
	if err != nil || n > uint64(len(r.b)) {
		return nil, errSpill
	}
	rows := make([]row, n)
	for i := range rows {
		cells, err := r.uvarint()
		if err != nil || cells > uint64(len(r.b)) {
			return nil, errSpill
		}
		rw := make(row, cells)
		for range cells {
			field, err := r.name()
			if err != nil {
				return nil, err
			}
			if rw[field], err = r.cell(); err != nil {
				return nil, err
			}
		}
		rows[i] = rw
	}
	if len(r.b) != 0 {
		return nil, errSpill
	}
	return rows, nil
}

func (r *spillReader) cell() (writers.Cell, error) {
	var c writers.Cell
	if len(r.b) == 0 {
		return c, errSpill
	}
	flags := r.b[0]
	r.b = r.b[1:]
	if flags&spillKind != 0 {
		k, n := binary.Varint(r.b)
		if n <= 0 {
			return c, errSpill
		}
		c.Kind, r.b = writers.Kind(k), r.b[n:]
	}
	if flags&spillText != 0 {
		s, err := r.string()
		if err != nil {
			return c, err
		}
		c.Text = s
	}
	if flags&spillNumber != 0 {
		if len(r.b) < 8 {
			return c, errSpill
		}
		c.Number, r.b = math.Float64frombits(binary.LittleEndian.Uint64(r.b)), r.b[8:]
	}
	if flags&spillTime != 0 {
		if len(r.b) == 0 || int(r.b[0]) >= len(r.b) {
			return c, errSpill
		}
		n := int(r.b[0])
		var t time.Time
		if err := t.UnmarshalBinary(r.b[1 : 1+n]); err != nil {
			return c, errSpill
		}
		c.Time, r.b = t, r.b[1+n:]
	}
	return c, nil
}

package pipeline

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/stbulk/stbulk/readers"
)

// Duplicates says what a run does with the rows of one input that write
// the same record as another row of it (a mapping's duplicates:).
type Duplicates int

// The ways of treating duplicates.
const (
	// DuplicatesError rejects the rows whose record an earlier row
	// writes; the first one is sent.
	DuplicatesError Duplicates = iota
	// DuplicatesFirst sends the first row of each record; the later ones
	// are counted duplicates and not sent.
	DuplicatesFirst
	// DuplicatesLast sends the last row of each record; the earlier ones
	// are counted duplicates and not sent. The input is read twice.
	DuplicatesLast
)

var duplicatesNames = []string{"error", "first", "last"}

func (d Duplicates) String() string {
	if int(d) < len(duplicatesNames) {
		return duplicatesNames[d]
	}
	return "unknown"
}

// dupIndex finds the rows of one input that write a record another row
// writes. It holds the record names (Entity.Identities, folded) and row
// numbers only, never payloads: its memory grows with the records of the
// input, a few dozen bytes each. It is used by the reader alone.
type dupIndex struct {
	policy Duplicates
	// fold compares keys without regard to case (every entity with keys;
	// an attachment's label holds a file path, compared as written).
	fold bool
	// rows is the row that first wrote each record; with DuplicatesLast,
	// the row that last writes it (from a first reading of the input).
	rows *rowIndex
	key  []byte // the name of a record, being folded
}

func newDupIndex(policy Duplicates, fold bool) *dupIndex {
	return &dupIndex{policy: policy, fold: fold, rows: newRowIndex()}
}

// name is how a record is known in the index: id, folded to lower case
// (as strings.ToLower) when keys compare without regard to case. It is
// valid until the next call.
func (x *dupIndex) name(id string) []byte {
	x.key = x.key[:0]
	if !x.fold {
		return append(x.key, id...)
	}
	for i := 0; i < len(id); i++ {
		if id[i] >= utf8.RuneSelf {
			return append(x.key, strings.ToLower(id)...)
		}
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		x.key = append(x.key, c)
	}
	return x.key
}

// note records, for DuplicatesLast, that row writes the records ids: the
// last row noted for a record is the one kept.
func (x *dupIndex) note(row int, ids []string) {
	for _, id := range ids {
		x.rows.Put(x.name(id), row)
	}
}

// check tells whether row, writing the records ids, is a duplicate, and
// why: which record, and which row has it too. A row that is not a
// duplicate is remembered (but for DuplicatesLast, which knows every row
// from note).
func (x *dupIndex) check(row int, ids []string) (string, bool) {
	if len(ids) == 1 && x.policy != DuplicatesLast {
		// One record, remembered unless another row has it: one look.
		if other, seen := x.rows.Add(x.name(ids[0]), row); seen && other != row {
			return x.why(ids[0], other), true
		}
		return "", false
	}
	for _, id := range ids {
		other, seen := x.rows.Get(x.name(id))
		if !seen || other == row {
			continue
		}
		return x.why(id, other), true
	}
	if x.policy != DuplicatesLast {
		for _, id := range ids {
			x.rows.Put(x.name(id), row)
		}
	}
	return "", false
}

// why says that row other has record id too.
func (x *dupIndex) why(id string, other int) string {
	switch x.policy {
	case DuplicatesFirst:
		return fmt.Sprintf("duplicate key %s: row %d is kept (duplicates: first)", id, other)
	case DuplicatesLast:
		return fmt.Sprintf("duplicate key %s: row %d is kept (duplicates: last)", id, other)
	}
	return fmt.Sprintf("duplicate key %s: also row %d", id, other)
}

// identities are the records a row writes, for the duplicate index: p is
// what Build gave, valid tells whether the row passed Build and Prepare.
// A row whose fields failed still names its key when that field was
// read: two rows naming one record are duplicates whichever of them is
// valid. An entity without keys is named by its Label, which only a valid
// row gives whole.
func (m *Mapping) identities(p Payload, valid bool) []string {
	if p == nil || !valid && len(m.Entity.Keys) == 0 {
		return nil
	}
	return m.Entity.Identities(p)
}

// indexDuplicates returns the duplicate index of a mapping's input. For
// duplicates: last, it first reads the input through (a second reader of
// the same file) to note the last row of each record, building each row
// as the run does; it stops early when the run stops.
func (r *runner) indexDuplicates(o *opened) (*dupIndex, error) {
	m := o.m
	x := newDupIndex(m.Duplicates, len(m.Entity.Keys) > 0)
	if m.Duplicates != DuplicatesLast {
		return x, nil
	}
	ctx := r.stop.reading
	src, err := readers.OpenContext(ctx, o.input, m.CSV, m.XLSX)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	mp := newMapper(m, src)
	defer mp.stop() // before src is closed
	for ctx.Err() == nil {
		mr, err := mp.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if mr.rowErr != nil || mr.matchErr != nil || !mr.match {
			continue // an unreadable or filtered row writes nothing
		}
		x.note(mr.row.Num, mr.ids)
	}
	return x, nil
}

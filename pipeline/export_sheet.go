package pipeline

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// writeSpreadsheet writes the sheets of the records, in their order (by
// key), and returns the rows written per sheet. Records are read back from
// the store: a first pass finds the columns of sheets whose fields come
// from the data, and sums the derived sheets; then each sheet is written
// in a pass of its own.
func (e *exporter) writeSpreadsheet(refs []recordRef) (map[string]int, error) {
	m := e.m
	finders := map[*SheetSpec]*columnFinder{}
	derived := map[*SheetSpec]accumulator{}
	needs := map[string]bool{} // the sheets the first pass reads
	for _, s := range m.Sheets {
		switch {
		case s.def.derive != nil && !s.Omit:
			derived[s] = s.def.derive.sum()
			needs[s.def.derive.from] = true
		case !s.Omit && len(s.def.dynamic) > 0:
			finders[s] = &columnFinder{s: s, found: map[string][]string{}, seen: map[string]bool{}}
			needs[s.Name] = true
		}
	}
	if len(needs) > 0 {
		err := e.eachRows(refs, func(r recordRef, rowsOf func(string) ([]row, error)) error {
			for s, f := range finders {
				rows, err := rowsOf(s.Name)
				if err != nil {
					return err
				}
				f.add(rows)
			}
			for s, d := range derived {
				rows, err := rowsOf(s.def.derive.from)
				if err != nil {
					return err
				}
				d.add(r.key, rows)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	target := filepath.Join(e.folder.Root(), filepath.FromSlash(m.Spreadsheet))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return nil, err
	}
	wb, err := writers.CreateWorkbook(target, m.Format)
	if err != nil {
		return nil, err
	}
	defer wb.Abort()
	counts := map[string]int{}
	for _, s := range m.Sheets {
		if s.Omit {
			continue
		}
		cols := s.resolve(finders[s])
		header := make([]writers.Column, len(cols))
		for i, c := range cols {
			header[i] = writers.Column{Header: c.Header, Kind: c.Kind}
		}
		sh, err := wb.Sheet(s.Name, header)
		if err != nil {
			return nil, err
		}
		cells := make([]writers.Cell, len(cols))
		write := func(rw row) error {
			for i, c := range cols {
				cells[i] = c.cell(rw[c.Field])
			}
			if label, ok := rw[totalLabel]; ok {
				for i := range cells {
					if cells[i].IsEmpty() {
						cells[i] = label
						break
					}
				}
			}
			return sh.Write(cells)
		}
		var totals accumulator
		if s.def.totals != nil && !m.Format.CSV {
			totals = s.def.totals()
		}
		writeRows := func(key string, rows []row) error {
			for _, rw := range rows {
				if err := write(rw); err != nil {
					return err
				}
				counts[s.Name]++
			}
			if totals != nil {
				totals.add(key, rows)
			}
			return nil
		}
		if d := derived[s]; d != nil {
			err = writeRows("", d.rows())
		} else {
			err = e.eachRows(refs, func(r recordRef, rowsOf func(string) ([]row, error)) error {
				rows, err := rowsOf(s.Name)
				if err != nil {
					return err
				}
				return writeRows(r.key, rows)
			})
		}
		if err != nil {
			return nil, err
		}
		if totals != nil {
			for _, rw := range totals.rows() {
				if err := write(rw); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := wb.Close(); err != nil {
		return nil, err
	}
	for _, f := range wb.Files() {
		rel, err := filepath.Rel(e.folder.Root(), f)
		if err != nil {
			return nil, err
		}
		if err := e.folder.Record(filepath.ToSlash(rel)); err != nil {
			return nil, err
		}
	}
	return counts, nil
}

// eachRows reads the records back one at a time, in order, and calls fn
// with each and the function that decodes its rows of a sheet.
func (e *exporter) eachRows(refs []recordRef, fn func(r recordRef, rowsOf func(sheet string) ([]row, error)) error) error {
	for _, r := range refs {
		sr, err := e.store.load(r)
		if err != nil {
			return err
		}
		if err := fn(r, func(sheet string) ([]row, error) { return e.store.rows(sr, sheet) }); err != nil {
			return err
		}
	}
	return nil
}

// columnFinder finds the fields of a sheet that come from the data
// (customFieldValues.*, report.*), in the order resolve lists them: by
// record, in the order the records are written; within a row, by name.
type columnFinder struct {
	s     *SheetSpec
	found map[string][]string // dynamic prefix → field names
	seen  map[string]bool
}

// add notes the fields of one record's rows of the sheet.
func (f *columnFinder) add(rows []row) {
	var names []string
	for _, rw := range rows {
		for _, p := range f.s.def.dynamic {
			names = names[:0]
			for k := range rw {
				if strings.HasPrefix(k, p) && !f.seen[k] {
					names = append(names, k)
				}
			}
			sort.Strings(names)
			for _, k := range names {
				f.seen[k] = true
				f.found[p] = append(f.found[p], k)
			}
		}
	}
}

// resolve returns the sheet's columns: the configured ones with their
// wildcards (customFieldValues.*, report.*) expanded to the fields found
// (none without a finder), or every field, those found in the data last.
func (s *SheetSpec) resolve(found *columnFinder) []ColumnSpec {
	dyn := func(p string) []ColumnSpec {
		if found == nil {
			return nil
		}
		var out []ColumnSpec
		for _, k := range found.found[p] {
			out = append(out, ColumnSpec{Field: k, Header: k[len(p):], Kind: writers.KindText})
		}
		return out
	}
	if s.Columns == nil {
		var out []ColumnSpec
		for _, f := range s.def.fields {
			out = append(out, ColumnSpec{Field: f.name, Header: f.name, Kind: f.kind})
		}
		for _, p := range s.def.dynamic {
			out = append(out, dyn(p)...)
		}
		return out
	}
	var out []ColumnSpec
	for _, c := range s.Columns {
		if p, ok := strings.CutSuffix(c.Field, "*"); ok {
			for _, d := range s.def.dynamic {
				if strings.EqualFold(p, d) {
					out = append(out, dyn(d)...)
				}
			}
			continue
		}
		// A field is matched without regard to case, as in the mapping.
		c.Field = s.def.canonical(c.Field)
		out = append(out, c)
	}
	return out
}

// cell converts a value to the column's kind when the mapping gave one.
func (c ColumnSpec) cell(v writers.Cell) writers.Cell {
	if !c.kindOf || v.Kind == c.Kind || v.IsEmpty() {
		return v
	}
	switch c.Kind {
	case writers.KindText:
		return writers.TextCell(v.String())
	case writers.KindDate, writers.KindDateTime:
		if v.Kind == writers.KindDate || v.Kind == writers.KindDateTime {
			v.Kind = c.Kind
			return v
		}
		if t, err := synchroteam.ParseTime(v.Text); err == nil {
			v = writers.DateTimeCell(t)
			v.Kind = c.Kind
		}
	case writers.KindNumber, writers.KindMoney, writers.KindPercent:
		f, ok := cellNumber(v)
		if !ok {
			return v
		}
		// A rate is a fraction (0.1) and a number of percent a number
		// (10): converting from one to the other keeps what it means.
		switch {
		case c.Kind == writers.KindPercent && v.Kind != writers.KindPercent:
			f /= 100
		case c.Kind != writers.KindPercent && v.Kind == writers.KindPercent:
			f *= 100
		}
		return writers.Cell{Kind: c.Kind, Number: f}
	}
	return v
}

// cellNumber reads the number a cell holds: its value, or its text read as
// a decimal ("50,30"); a text ending in % ("10 %") is a number of percent.
func cellNumber(v writers.Cell) (float64, bool) {
	switch v.Kind {
	case writers.KindNumber, writers.KindMoney, writers.KindPercent:
		return v.Number, true
	case writers.KindText:
		s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v.Text), "%"))
		n, err := synchroteam.ParseNumber(s)
		if err != nil {
			return 0, false
		}
		return n.Float64()
	}
	return 0, false
}

package pipeline

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// writeSpreadsheet writes the sheets of the records, sorted by key, and
// returns the rows written per sheet.
func (e *exporter) writeSpreadsheet(recs map[string]*record) (map[string]int, error) {
	m := e.m
	sorted := sortedRecords(recs)
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
		cols := s.resolve(sorted)
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
		rows := sheetRows(s, sorted)
		for _, rw := range rows {
			if err := write(rw); err != nil {
				return nil, err
			}
			counts[s.Name]++
		}
		if s.def.totals != nil && !m.Format.CSV {
			for _, rw := range s.def.totals(rows) {
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

// sheetRows returns the rows of a sheet: the records', in order, or those
// its definition derives from them.
func sheetRows(s *SheetSpec, sorted []*record) []row {
	if s.def.derive != nil {
		return s.def.derive(sorted)
	}
	var rows []row
	for _, r := range sorted {
		rows = append(rows, r.Rows[s.Name]...)
	}
	return rows
}

// resolve returns the sheet's columns for these records: the configured
// ones with their wildcards (customFieldValues.*, report.*) expanded, or
// every field, those found in the data last.
func (s *SheetSpec) resolve(recs []*record) []ColumnSpec {
	found := map[string][]string{} // dynamic prefix → field names, in order of appearance
	seen := map[string]bool{}
	for _, r := range recs {
		for _, rw := range r.Rows[s.Name] {
			for _, p := range s.def.dynamic {
				var names []string
				for k := range rw {
					if strings.HasPrefix(k, p) && !seen[k] {
						names = append(names, k)
					}
				}
				sort.Strings(names)
				for _, k := range names {
					seen[k] = true
					found[p] = append(found[p], k)
				}
			}
		}
	}
	dyn := func(p string) []ColumnSpec {
		var out []ColumnSpec
		for _, k := range found[p] {
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

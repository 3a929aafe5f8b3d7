package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/synchroteam/catalog"
	"github.com/stbulk/stbulk/transforms"
)

// Bind checks the mapping against a source's header: every column it names
// exists, and its expressions compile over the header's columns. It reads
// the files of its lookups (see Lookup). Columns whose name starts with "_"
// (the _row and _error of an errors file) are not data and cannot be
// mapped.
func (m *Mapping) Bind(source string, header []string) error {
	return m.bind(context.Background(), source, header)
}

// bind is Bind with a context that stops the reading of lookup files.
func (m *Mapping) bind(ctx context.Context, source string, header []string) error {
	if len(header) == 0 {
		// Every column would be missing: say why once.
		return Problems{{File: m.File, Line: m.fieldsLine, Col: m.fieldsCol, Msg: source + " has no header row (the file is empty)"}}
	}
	var ps Problems
	cols := make([]string, 0, len(header))
	for _, h := range header {
		if !strings.HasPrefix(h, "_") {
			cols = append(cols, h)
		}
	}
	// Expressions get the whole header (the row's cells are indexed by
	// it); there _row is the row number, never an errors file's column.
	for _, r := range m.Fields {
		switch {
		case r.Column != "":
			i := columnIndex(header, r.Column)
			if i < 0 {
				ps = append(ps, Problem{File: m.File, Line: r.Line, Col: r.Col, Msg: notInHeader(r.Column, source, cols)})
			}
			r.colIndex = i
		case r.Expr != nil:
			if err := r.Expr.compile(header, false); err != nil {
				ps = append(ps, r.Expr.problem(m.File, err))
			}
		}
	}
	if m.Where != nil {
		if err := m.Where.compile(header, true); err != nil {
			ps = append(ps, m.Where.problem(m.File, err))
		}
	}
	ps = append(ps, m.bindLookups(ctx, source, header, cols)...)
	return ps.Err()
}

// columnIndex finds a column by exact name, then without regard to case and
// surrounding spaces.
func columnIndex(header []string, name string) int {
	for i, h := range header {
		if h == name {
			return i
		}
	}
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(name)) {
			return i
		}
	}
	return -1
}

// notInHeader says that a column is not among the columns of a file, with
// the closest name or else the list of them.
func notInHeader(name, file string, columns []string) string {
	msg := fmt.Sprintf("column %q is not in %s", name, file)
	if s := transforms.Suggest(name, columns); s != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + "; its columns: " + quoteList(columns)
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// FieldError is what is wrong with one field of one row.
type FieldError struct {
	Field  string // API field name
	Column string // source column, when the field comes from one
	Lookup string // the lookup, when the field comes from one: SiteCode=S-099 in sites.csv
	Err    error
}

func (e FieldError) Error() string {
	switch {
	case e.Lookup != "":
		return fmt.Sprintf("%s (lookup %s): %v", e.Field, e.Lookup, e.Err)
	case e.Column != "":
		return fmt.Sprintf("%s (column %s): %v", e.Field, e.Column, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Field, e.Err)
}

// RowErrors are every field error of one row, reported together.
type RowErrors []FieldError

func (es RowErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Payload is what one row becomes: the API fields with their values, nested
// for dotted fields, custom fields as customFieldValues.
type Payload map[string]any

// Build turns a row into its payload. A row that fails any field gets every
// field error at once, as RowErrors, with the payload of the fields that
// did not fail (its keys tell the row's children that it failed). Empty values are left out of the
// payload, so that an update never blanks a field by accident.
func (m *Mapping) Build(row readers.Row) (Payload, error) {
	// Room for a key per field: nested and custom fields take fewer.
	p := make(Payload, len(m.Fields))
	var errs RowErrors
	for _, r := range m.Fields {
		v, err := r.value(row)
		if err == nil {
			v, err = r.Transforms.Apply(v)
		}
		if err == nil {
			err = r.Checks.Check(v)
		}
		if err == nil && hasNUL(v) {
			// A key holding NUL is refused (no other value holds one).
			err = m.Entity.CheckKey(r.Target.Name, v.String())
		}
		if err == nil && !v.IsEmpty() {
			err = p.set(r.Target, v, m.files)
		}
		if err != nil {
			fe := FieldError{Field: r.Target.Name, Column: r.Column, Err: err}
			if r.Lookup != nil {
				fe.Lookup = r.Lookup.describe(row)
			}
			errs = append(errs, fe)
		}
	}
	if len(errs) > 0 {
		return p, errs
	}
	return p, nil
}

// hasNUL reports whether a text, or an item of a list, holds a NUL.
func hasNUL(v transforms.Value) bool {
	if !v.IsList() {
		return strings.IndexByte(v.String(), 0) >= 0
	}
	for _, it := range v.Items() {
		if strings.IndexByte(it, 0) >= 0 {
			return true
		}
	}
	return false
}

func (r *FieldRule) value(row readers.Row) (transforms.Value, error) {
	switch {
	case r.Const != nil:
		return transforms.Text(*r.Const), nil
	case r.Expr != nil:
		return r.Expr.eval(row)
	case r.Lookup != nil:
		return r.Lookup.get(row)
	case r.colIndex >= 0 && r.colIndex < len(row.Cells):
		return transforms.Text(row.Cells[r.colIndex]), nil
	}
	return transforms.Value{}, nil
}

// set stores a value in the payload, converted to the field's kind.
func (p Payload) set(f catalog.Field, v transforms.Value, files *fileFolder) error {
	var val any
	var err error
	if f.Kind == catalog.KindFile {
		val, err = files.file(v.String())
	} else {
		val, err = convert(f, v)
	}
	if err != nil {
		return err
	}
	if cf, ok := catalog.CustomFieldName(f.Name); ok {
		list, _ := p["customFieldValues"].([]map[string]any)
		p["customFieldValues"] = append(list, map[string]any{"name": cf, "value": val})
		return nil
	}
	parent, leaf, nested := strings.Cut(f.Name, ".")
	if !nested {
		p[f.Name] = val
		return nil
	}
	obj, _ := p[parent].(map[string]any)
	if obj == nil {
		obj = map[string]any{}
		p[parent] = obj
	}
	obj[leaf] = val
	return nil
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$`)

// convert turns a transformed value into what the API expects for a
// field's kind. Numbers keep every digit written; a field's Min and Max
// bound them.
func convert(f catalog.Field, v transforms.Value) (any, error) {
	k := f.Kind
	if k == catalog.KindList {
		if v.IsList() {
			return v.Items(), nil
		}
		return []string{strings.TrimSpace(v.String())}, nil
	}
	if v.IsList() {
		return nil, fmt.Errorf("a list (%s) where the API expects a single %s: add a join transform", v.String(), k)
	}
	s := strings.TrimSpace(v.String())
	switch k {
	case catalog.KindNumber:
		text := s
		if !canonicalDecimal(s) {
			n, err := synchroteam.ParseNumber(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not a number (add a number transform for thousands separators)", s)
			}
			text = n.Text()
		}
		if err := inRange(f, s, text); err != nil {
			return nil, err
		}
		return json.Number(text), nil
	case catalog.KindInteger:
		i, err := strconv.ParseInt(s, 10, 64)
		if errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("%q is beyond the 64-bit range of whole numbers", s)
		}
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", s)
		}
		return i, nil
	case catalog.KindBool:
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not true or false (add a bool transform for yes/no, oui/non, 1/0, x)", s)
	case catalog.KindDate, catalog.KindDateTime:
		// Only ISO dates are taken as they are: 03/04/2026 is the 3rd of
		// April in Lyon and March the 4th in Boston, so the mapping says which.
		t, err := synchroteam.ParseTime(s)
		if err != nil || !isoDate.MatchString(s) {
			return nil, fmt.Errorf("%q is not an ISO date (yyyy-mm-dd [hh:mm[:ss]]): add a date transform with the file's layout, e.g. {date: dd/MM/yyyy}", s)
		}
		if k == catalog.KindDate {
			return t.Format(synchroteam.DateLayout), nil
		}
		return t.Format(synchroteam.TimeLayout), nil
	}
	return v.String(), nil
}

// canonicalDecimal reports whether s is a number as the number transform
// writes it, short enough to be finite: an optional "-", digits without a
// leading zero (but for "0" itself), and an optional fraction. Such a text
// is its own synchroteam.Number Text, so it is not read again.
func canonicalDecimal(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	if s == "" || len(s) > 32 {
		return false
	}
	ip, fp, dot := strings.Cut(s, ".")
	if ip == "" || len(ip) > 1 && ip[0] == '0' || dot && fp == "" {
		return false
	}
	return allDigits(ip) && allDigits(fp)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// inRange checks a number (s, written canonically as text) against its
// field's bounds. The value read as a float decides, unless it equals a
// bound, where its exact text does.
func inRange(f catalog.Field, s, text string) error {
	if f.Min == "" && f.Max == "" {
		return nil
	}
	v, _ := strconv.ParseFloat(text, 64)
	below := func(a string, fa float64, b string, fb float64) bool { // a < b
		if fa != fb {
			return fa < fb
		}
		ra, ok1 := new(big.Rat).SetString(a)
		rb, ok2 := new(big.Rat).SetString(b)
		return ok1 && ok2 && ra.Cmp(rb) < 0
	}
	bound := func(b string) float64 {
		f, _ := strconv.ParseFloat(b, 64)
		return f
	}
	if (f.Min != "" && below(text, v, f.Min, bound(f.Min))) || (f.Max != "" && below(f.Max, bound(f.Max), text, v)) {
		return fmt.Errorf("%q is out of range: %s to %s", s, f.Min, f.Max)
	}
	return nil
}

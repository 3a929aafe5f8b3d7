package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/stbulk/stbulk/pipeline/internal/mapfile"
	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/transforms"
)

// MaxLookupSize is the most text a lookup keeps in memory: 64 MiB of keys
// and values (the other columns of its file are not kept).
const MaxLookupSize = 64 << 20

// maxLookupProblems is the most problems reported for one lookup file's
// rows (unreadable rows, keys given twice); a last one counts the others.
const maxLookupProblems = 5

// Lookup takes a field's value from another file by key: the row's key (a
// column of the row, or an expression over it) is looked up in the Key
// column of File, and the field's value is the Value column of the row
// found. The file is read once, when the mapping is bound (see Bind), and
// only its keys and values are kept.
//
// Keys compare trimmed (as the trim transform trims), and with regard to
// case unless IgnoreCase. Rows of the file with an empty key are ignored;
// two rows with the same key must have the same value.
type Lookup struct {
	File       string // the lookup file, resolved against the mapping file's folder
	Key        string // its column holding the keys
	Value      string // its column holding the values
	Column     string // the row's column giving the key (exactly one of Column, Expr is set)
	Expr       *Expr
	IgnoreCase bool
	// Optional gives an empty value for a key not found, instead of an
	// error: the field has a default:, which fills it.
	Optional bool
	CSV      readers.CSVOptions
	XLSX     readers.XLSXOptions

	at       lookupPlaces
	trim     transforms.Transform
	colIndex int          // Column's index in the bound header
	table    *lookupTable // read by Bind
}

// place is where something is in the mapping file.
type place struct{ line, col int }

func placeOf(n *yaml.Node) place { return place{n.Line, n.Column} }

// lookupPlaces locate a lookup's problems: the values of its keys.
type lookupPlaces struct{ file, key, value, match place }

// lookupTable is a lookup file read: each key with its value.
type lookupTable struct {
	name    string // the file's name, for row errors
	sum     string // the file's SHA-256: a resumed run must read the same file
	entries map[string]lookupEntry
}

type lookupEntry struct {
	value string
	row   int // the row of the file that gave it
}

// tableKey tells lookups that read the same table: one of a mapping's
// lookups reads it, the others share it.
type tableKey struct {
	file       string
	csv        readers.CSVOptions
	xlsx       readers.XLSXOptions
	key, value string
	ignoreCase bool
}

var lookupKeys = []string{"file", "key", "value", "match", "ignore_case", "csv", "xlsx"}

// lookup reads the lookup: rule of a field (k its key node, n its value);
// field names the field in problems. It returns nil when n is not a
// mapping.
func (l *loader) lookup(field string, k, n *yaml.Node) *Lookup {
	n = mapfile.Deref(n)
	kv := l.Pairs(n, field+" lookup", lookupKeys)
	if n.Kind != yaml.MappingNode {
		return nil
	}
	trim, _ := transforms.New("trim", nil)
	lk := &Lookup{trim: trim, colIndex: -1}
	need := func(key, what string) (string, place, bool) {
		p, ok := kv[key]
		if !ok {
			l.Add(k, "%s: the lookup needs %q: %s", field, key+":", what)
			return "", place{}, false
		}
		s, ok := l.Scalar(p[1], "lookup "+key)
		if ok && strings.TrimSpace(s) == "" {
			l.Add(p[1], "%s: lookup %s is empty", field, key)
			ok = false
		}
		return s, placeOf(mapfile.Deref(p[1])), ok
	}
	if s, at, ok := need("file", "the CSV or XLSX file to look values up in, relative to the mapping file"); ok {
		if !filepath.IsAbs(s) {
			s = filepath.Join(filepath.Dir(l.m.File), s)
		}
		lk.File, lk.at.file = s, at
	}
	if s, at, ok := need("key", "the lookup file's column holding the keys"); ok {
		lk.Key, lk.at.key = s, at
	}
	if s, at, ok := need("value", "the lookup file's column holding the values"); ok {
		lk.Value, lk.at.value = s, at
	}
	if p, ok := kv["match"]; ok {
		l.lookupMatch(field, lk, p[1])
	} else {
		l.Add(k, "%s: the lookup needs \"match:\": the input's column (or {expr: ...}) giving the key to look up", field)
	}
	if p, ok := kv["ignore_case"]; ok {
		switch mapfile.Deref(p[1]).Value {
		case "true":
			lk.IgnoreCase = true
		case "false":
		default:
			l.Add(p[1], "lookup ignore_case must be true or false, got %s", mapfile.Describe(mapfile.Deref(p[1])))
		}
	}
	if p, ok := kv["csv"]; ok {
		l.csv(p[1], &lk.CSV)
	}
	if p, ok := kv["xlsx"]; ok {
		l.xlsx(p[1], &lk.XLSX)
	}
	return lk
}

// lookupMatch reads a lookup's match: a column name, {column: name} or
// {expr: ...}.
func (l *loader) lookupMatch(field string, lk *Lookup, n *yaml.Node) {
	n = mapfile.Deref(n)
	lk.at.match = placeOf(n)
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		lk.Column = n.Value
		if strings.TrimSpace(n.Value) == "" {
			l.Add(n, "%s: lookup match: empty column name", field)
		}
		return
	}
	kv := l.Pairs(n, "lookup match", []string{"column", "expr"})
	if n.Kind != yaml.MappingNode {
		return
	}
	if p, ok := kv["column"]; ok {
		if s, ok := l.Scalar(p[1], "lookup match column"); ok {
			lk.Column = s
			lk.at.match = placeOf(mapfile.Deref(p[1]))
		}
	}
	if p, ok := kv["expr"]; ok {
		if _, ok := l.Scalar(p[1], "lookup match expr"); ok {
			lk.Expr = l.newExpr(mapfile.Deref(p[1]))
		}
	}
	if len(kv) != 1 {
		l.Add(n, "%s: lookup match takes one of column or expr (got %d)", field, len(kv))
	}
}

// bindLookups binds the keys of the mapping's lookups to the source's
// header (cols: its data columns) and reads their files; lookups of the
// same file, columns and options share one table.
func (m *Mapping) bindLookups(ctx context.Context, source string, header, cols []string) Problems {
	var ps Problems
	tables := map[tableKey]*lookupTable{}
	for _, r := range m.Fields {
		lk := r.Lookup
		if lk == nil {
			continue
		}
		switch {
		case lk.Expr != nil:
			if err := lk.Expr.compile(header, false); err != nil {
				ps = append(ps, lk.Expr.problem(m.File, err))
			}
		case lk.Column != "":
			lk.colIndex = columnIndex(header, lk.Column)
			if lk.colIndex < 0 {
				ps = append(ps, m.problemAt(lk.at.match, "lookup match: %s", notInHeader(lk.Column, source, cols)))
			}
		}
		k := tableKey{lk.File, lk.CSV, lk.XLSX, lk.Key, lk.Value, lk.IgnoreCase}
		t, read := tables[k]
		if !read {
			var tps Problems
			t, tps = m.readLookup(ctx, lk)
			ps = append(ps, tps...)
			tables[k] = t
		}
		lk.table = t
	}
	return ps
}

func (m *Mapping) problemAt(at place, format string, args ...any) Problem {
	return Problem{File: m.File, Line: at.line, Col: at.col, Msg: fmt.Sprintf(format, args...)}
}

// readLookup reads a lookup's file into a table: nil, with the problems,
// when the file cannot be read whole, lacks a column or gives a key two
// values.
func (m *Mapping) readLookup(ctx context.Context, lk *Lookup) (*lookupTable, Problems) {
	src, err := readers.OpenContext(ctx, lk.File, lk.CSV, lk.XLSX)
	if err != nil {
		msg := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			msg = lk.File + ": " + pe.Err.Error()
		}
		return nil, Problems{m.problemAt(lk.at.file, "cannot read the lookup file %s", msg)}
	}
	defer src.Close()
	header := src.Header()
	if len(header) == 0 {
		return nil, Problems{m.problemAt(lk.at.file, "the lookup file %s has no header row (the file is empty)", lk.File)}
	}
	var ps Problems
	ki, vi := columnIndex(header, lk.Key), columnIndex(header, lk.Value)
	if ki < 0 {
		ps = append(ps, m.problemAt(lk.at.key, "lookup key: %s", notInHeader(lk.Key, lk.File, header)))
	}
	if vi < 0 {
		ps = append(ps, m.problemAt(lk.at.value, "lookup value: %s", notInHeader(lk.Value, lk.File, header)))
	}
	if len(ps) > 0 {
		return nil, ps
	}
	t := &lookupTable{name: filepath.Base(lk.File), entries: map[string]lookupEntry{}}
	var rowProblems []string
	more, size := 0, 0
	report := func(format string, args ...any) {
		if len(rowProblems) < maxLookupProblems {
			rowProblems = append(rowProblems, fmt.Sprintf(format, args...))
		} else {
			more++
		}
	}
	for {
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *readers.RowError
			if !errors.As(err, &re) {
				ps = append(ps, m.problemAt(lk.at.file, "the lookup file %s cannot be read further: %v", lk.File, err))
				break
			}
			report("the lookup file has a row it cannot read: %v", err)
			continue
		}
		key := lk.norm(row.Cells[ki])
		if key == "" {
			continue
		}
		value := row.Cells[vi]
		if prev, dup := t.entries[key]; dup {
			if lk.trimmed(prev.value) != lk.trimmed(value) {
				report("%s rows %d and %d both have %s %s, with %s %q and %q: a lookup needs one value per key",
					t.name, prev.row, row.Num, header[ki], keyText(lk.trimmed(row.Cells[ki])), header[vi], prev.value, value)
			}
			continue
		}
		if size += len(key) + len(value); size > MaxLookupSize {
			ps = append(ps, m.problemAt(lk.at.file, "the lookup file %s holds more than %d MiB of keys and values, the most a lookup keeps in memory",
				lk.File, MaxLookupSize>>20))
			break
		}
		// Clone: a cell may share its memory with the rest of its row.
		t.entries[strings.Clone(key)] = lookupEntry{value: strings.Clone(value), row: row.Num}
	}
	for _, msg := range rowProblems {
		ps = append(ps, m.problemAt(lk.at.file, "%s", msg))
	}
	if more > 0 {
		ps = append(ps, m.problemAt(lk.at.file, "… and %d more problems in the lookup file %s", more, t.name))
	}
	if len(ps) == 0 {
		if _, t.sum, err = fileIdentity(lk.File); err != nil {
			ps = append(ps, m.problemAt(lk.at.file, "cannot read the lookup file %s", pathError(err)))
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return t, nil
}

// lookupSums are the SHA-256 of the files the mapping's lookups read, in
// the order of its fields, once bound.
func (m *Mapping) lookupSums() []string {
	var sums []string
	for _, r := range m.Fields {
		if r.Lookup != nil && r.Lookup.table != nil {
			sums = append(sums, r.Lookup.table.sum)
		}
	}
	return sums
}

// trimmed is s trimmed as the trim transform trims.
func (lk *Lookup) trimmed(s string) string {
	v, _ := lk.trim.Apply(transforms.Text(s))
	return v.String()
}

// norm is the form in which keys compare.
func (lk *Lookup) norm(s string) string {
	s = lk.trimmed(s)
	if lk.IgnoreCase {
		s = strings.ToLower(s)
	}
	return s
}

// key is the row's key, trimmed.
func (lk *Lookup) key(row readers.Row) (string, error) {
	var v transforms.Value
	switch {
	case lk.Expr != nil:
		var err error
		if v, err = lk.Expr.eval(row); err != nil {
			return "", err
		}
		if v.IsList() {
			return "", fmt.Errorf("the key is a list (%s): join it, or take one item", v.String())
		}
	case lk.colIndex >= 0 && lk.colIndex < len(row.Cells):
		v = transforms.Text(row.Cells[lk.colIndex])
	}
	return lk.trimmed(v.String()), nil
}

// get looks the row's key up. An empty key gives an empty value; a key not
// found is an error unless the lookup is Optional.
func (lk *Lookup) get(row readers.Row) (transforms.Value, error) {
	if lk.table == nil {
		return transforms.Value{}, errors.New("the lookup file was not read: the mapping is not bound to a source")
	}
	k, err := lk.key(row)
	if err != nil || k == "" {
		return transforms.Value{}, err
	}
	if lk.IgnoreCase {
		k = strings.ToLower(k)
	}
	e, ok := lk.table.entries[k]
	if !ok {
		if lk.Optional {
			return transforms.Value{}, nil
		}
		return transforms.Value{}, errors.New("not found")
	}
	return transforms.Text(e.value), nil
}

// describe says which lookup a row's field came from, for its errors:
// SiteCode=S-099 in sites.csv.
func (lk *Lookup) describe(row readers.Row) string {
	name := filepath.Base(lk.File)
	k, err := lk.key(row)
	if err != nil {
		return fmt.Sprintf("%s in %s", lk.Key, name)
	}
	return fmt.Sprintf("%s=%s in %s", lk.Key, keyText(k), name)
}

// keyText writes a key as it is, or quoted when it is empty or holds
// spaces, quotes or other characters that would make it hard to read.
func keyText(k string) string {
	if k == "" || strings.ContainsFunc(k, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r) || strings.ContainsRune(`"'=()`, r)
	}) {
		return strconv.Quote(k)
	}
	return k
}

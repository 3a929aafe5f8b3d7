package pipeline

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/stbulk/stbulk/pipeline/internal/mapfile"
	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam/catalog"
	"github.com/stbulk/stbulk/transforms"
)

// Mapping is a loaded and checked mapping file: which entity to import,
// from which source, and how each API field is made from a row.
type Mapping struct {
	File   string          // the mapping file, as given
	Entity *catalog.Entity // what is imported
	Source string          // the input, resolved against the mapping file's folder ("" when none is named)
	CSV    readers.CSVOptions
	XLSX   readers.XLSXOptions
	// Limits bound what a row of the source, and of its lookup tables, may
	// hold (limits:); zero fields take readers.DefaultLimits.
	Limits    readers.Limits
	Where     *Expr // optional row filter
	Fields    []*FieldRule
	BatchSize int // rows per request for batched entities
	// Duplicates is what is done with rows that write the same record as
	// another row of the input (duplicates:).
	Duplicates Duplicates
	// FilesDir is the folder of the files that fields of kind file name
	// (files:, resolved against the mapping file's folder); "" for the
	// input's folder. FileTypes are the extensions sent besides images and
	// PDFs (file_types:).
	FilesDir  string
	FileTypes []string
	files     *fileFolder // open during a run
	// planned is what the last Plan of this mapping found for each row it
	// would send (create, update, unchanged): a Run that follows names
	// its rows' outcomes in the success file from it.
	planned map[int]string

	fieldsLine, fieldsCol int // where "fields:" is
}

// Expr is an expression of the mapping file, compiled when the source's
// header is known (see Bind).
type Expr struct {
	Src    string
	Line   int // where the expression's text starts in the mapping file
	Col    int
	at     mapfile.Pos        // where the runes of Src are in the file
	filter *transforms.Filter // a where: condition
	value  *transforms.Expr   // an expr: field
}

// newExpr reads an expression, located in the file, and checks what can
// be checked before its columns are known: its syntax and its functions
// (Bind checks its columns against the source's header).
func (l *loader) newExpr(n *yaml.Node) *Expr {
	at := l.Locate(n)
	e := &Expr{Src: n.Value, Line: at.Line, Col: at.Col, at: at}
	if err := transforms.CheckSyntax(e.Src); err != nil {
		l.AddProblem(e.problem(l.m.File, err))
	}
	return e
}

func (e *Expr) compile(header []string, condition bool) error {
	var err error
	if condition {
		e.filter, err = transforms.NewFilter(e.Src, header)
	} else {
		e.value, err = transforms.NewExpr(e.Src, header)
	}
	return err
}

// problem locates a compile error inside the mapping file.
func (e *Expr) problem(file string, err error) Problem {
	p := Problem{File: file, Line: e.Line, Col: e.Col, Msg: err.Error()}
	var ee *transforms.ExprError
	if errors.As(err, &ee) {
		p.Msg = ee.Msg
		p.Line, p.Col = e.at.At(ee.Line, ee.Column)
	}
	p.Msg = "expression: " + p.Msg
	return p
}

func (e *Expr) eval(row readers.Row) (transforms.Value, error) {
	return e.value.Eval(row.Cells, row.Num)
}

// Match reports whether a row passes the where: filter.
func (m *Mapping) Match(row readers.Row) (bool, error) {
	if m.Where == nil {
		return true, nil
	}
	return m.Where.filter.Match(row.Cells, row.Num)
}

// FieldRule says how one API field is made from a row: from a column, a
// constant, an expression or a lookup in another file, then transforms,
// then checks.
type FieldRule struct {
	Target     catalog.Field
	Column     string // source column (exactly one of Column, Const, Expr, Lookup is set)
	Const      *string
	Expr       *Expr
	Lookup     *Lookup
	Transforms transforms.Chain
	Checks     transforms.Checks
	Line, Col  int // where the field is declared
	colIndex   int // the column's index in the bound header
}

// DefaultBatchSize is the rows per request of the entities sent in batches.
const DefaultBatchSize = 100

// Load reads and checks a mapping file. Every problem of the file is
// reported at once, as Problems (file:line:col: message).
func Load(path string) (*Mapping, error) {
	data, err := mapfile.Read(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse checks a mapping file's content; path names it in problems and
// anchors its relative source path.
func Parse(path string, data []byte) (*Mapping, error) {
	f, root, err := mapfile.Parse(path, data, "version, import and fields")
	if err != nil {
		return nil, err
	}
	l := &loader{File: f, m: &Mapping{File: path}}
	l.top(root)
	if err := f.Result(); err != nil {
		return nil, err
	}
	return l.m, nil
}

// loader checks an import mapping file into a Mapping.
type loader struct {
	*mapfile.File
	m *Mapping
	// e is the entity the file is checked against: the one it imports or,
	// when that name is unknown, the one it is closest to, so that a
	// misspelt entity does not hide the other mistakes of its fields. nil
	// when there is neither.
	e *catalog.Entity
}

var topKeys = []string{"version", "description", "import", "source", "csv", "xlsx", "limits", "where", "duplicates", "fields", "batch_size", "files", "file_types"}

func (l *loader) top(root *yaml.Node) {
	kv, ok := l.Header(root, "the mapping file", topKeys, "export")
	if !ok {
		return
	}
	if p, ok := kv["import"]; !ok {
		l.Add(root, "missing \"import:\" (one of %s)", strings.Join(catalog.Names(), ", "))
	} else if name, ok := l.Scalar(p[1], "import"); ok {
		if e, found := catalog.Lookup(name); found {
			l.m.Entity, l.e = e, e
		} else {
			msg := fmt.Sprintf("unknown entity %q: import one of %s", name, strings.Join(catalog.Names(), ", "))
			if s := transforms.Suggest(name, catalog.Names()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
				l.e, _ = catalog.Lookup(s)
			}
			l.Add(p[1], "%s", msg)
		}
	}
	if p, ok := kv["source"]; ok {
		if s, ok := l.Scalar(p[1], "source"); ok {
			if !filepath.IsAbs(s) {
				s = filepath.Join(filepath.Dir(l.m.File), s)
			}
			l.m.Source = s
		}
	}
	if p, ok := kv["csv"]; ok {
		l.csv(p[1], &l.m.CSV)
	}
	if p, ok := kv["xlsx"]; ok {
		l.xlsx(p[1], &l.m.XLSX)
	}
	if p, ok := kv["where"]; ok {
		if _, ok := l.Scalar(p[1], "where"); ok {
			l.m.Where = l.newExpr(p[1])
		}
	}
	if p, ok := kv["duplicates"]; ok {
		l.duplicates(p[1])
	}
	l.m.BatchSize = DefaultBatchSize
	if p, ok := kv["batch_size"]; ok {
		if l.e != nil && l.e.Batch == nil {
			l.Add(p[0], "batch_size applies to %s, which are sent in batches; %s rows are sent one by one",
				strings.Join(catalog.Batched(), " and "), l.e.Name)
		} else if v, ok := l.Integer(p[1], "batch_size", 1); ok {
			l.m.BatchSize = v
		}
	}
	l.fileOptions(kv)
	if p, ok := kv["limits"]; ok {
		l.limits(p[1], &l.m.Limits)
	}
	p, ok := kv["fields"]
	if !ok {
		l.Add(root, "missing \"fields:\": the API fields to fill, each from a column, a value or an expression")
		return
	}
	l.m.fieldsLine, l.m.fieldsCol = p[0].Line, p[0].Column
	l.fields(p[1])
	l.m.applyLimits()
}

// limits reads limits: into o. Counts are whole numbers; sizes are bytes,
// written as a number or with a unit ("512 KiB", "4 MiB").
func (l *loader) limits(n *yaml.Node, o *readers.Limits) {
	kv := l.Pairs(n, "limits", []string{"fields_per_row", "field_bytes", "row_bytes", "shared_strings", "shared_string_bytes", "xml_depth"})
	count := func(key string, dst *int) {
		if p, ok := kv[key]; ok {
			if v, ok := l.Integer(p[1], "limits "+key, 1); ok {
				*dst = v
			}
		}
	}
	size := func(key string, dst func(int64)) {
		p, ok := kv[key]
		if !ok {
			return
		}
		s, ok := l.Scalar(p[1], "limits "+key)
		if !ok {
			return
		}
		v, err := readers.ParseSize(s)
		if err != nil {
			l.Add(p[1], "limits %s: %v", key, err)
			return
		}
		dst(v)
	}
	count("fields_per_row", &o.FieldsPerRow)
	count("shared_strings", &o.SharedStrings)
	count("xml_depth", &o.XMLDepth)
	size("field_bytes", func(v int64) { o.FieldBytes = int(min(v, 1<<40)) })
	size("row_bytes", func(v int64) { o.RowBytes = int(min(v, 1<<40)) })
	size("shared_string_bytes", func(v int64) { o.SharedStringBytes = v })
}

// applyLimits gives the mapping's limits to its source and to the tables
// its lookups read.
func (m *Mapping) applyLimits() {
	m.CSV.Limits, m.XLSX.Limits = m.Limits, m.Limits
	for _, f := range m.Fields {
		if f.Lookup != nil {
			f.Lookup.CSV.Limits, f.Lookup.XLSX.Limits = m.Limits, m.Limits
		}
	}
}

// duplicates reads what is done with rows writing the same record as
// another row of the input.
func (l *loader) duplicates(n *yaml.Node) {
	s, ok := l.Scalar(n, "duplicates")
	if !ok {
		return
	}
	for i, name := range duplicatesNames {
		if s == name {
			l.m.Duplicates = Duplicates(i)
			return
		}
	}
	msg := fmt.Sprintf("duplicates %q: use %s", s, strings.Join(duplicatesNames, ", "))
	if g := transforms.Suggest(s, duplicatesNames); g != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", g)
	}
	l.Add(n, "%s", msg)
}

// csv reads csv: options into o.
func (l *loader) csv(n *yaml.Node, o *readers.CSVOptions) {
	kv := l.Pairs(n, "csv", []string{"delimiter", "encoding", "quote", "lazy_quotes", "header_row"})
	if p, ok := kv["delimiter"]; ok {
		if s, ok := l.Scalar(p[1], "csv delimiter"); ok {
			switch s {
			case "auto", "":
			case ",", ";", "|", "\t", "tab", `\t`:
				if s == "tab" || s == `\t` {
					s = "\t"
				}
				o.Delimiter, _ = utf8.DecodeRuneInString(s)
			default:
				l.Add(p[1], "csv delimiter %q: use auto, \",\", \";\", \"|\" or tab", s)
			}
		}
	}
	if p, ok := kv["encoding"]; ok {
		if s, ok := l.Scalar(p[1], "csv encoding"); ok {
			enc := strings.ToLower(s)
			if !slices.Contains(csvEncodings, enc) {
				l.Add(p[1], "csv encoding %q: use one of %s", s, strings.Join(csvEncodings, ", "))
			} else if enc != "auto" {
				o.Encoding = enc
			}
		}
	}
	if p, ok := kv["quote"]; ok {
		// Fields are quoted with " (RFC 4180); files that use " loosely
		// inside unquoted fields are read with lazy_quotes.
		if s, ok := l.Scalar(p[1], "csv quote"); ok && s != `"` {
			l.Add(p[1], "csv quote %q: only \" is supported; for stray quotes inside fields use lazy_quotes: true", s)
		}
	}
	if p, ok := kv["lazy_quotes"]; ok {
		if s, ok := l.Scalar(p[1], "csv lazy_quotes"); ok {
			switch s {
			case "true":
				o.LazyQuotes = true
			case "false":
			default:
				l.Add(p[1], "csv lazy_quotes must be true or false, got %q", s)
			}
		}
	}
	if p, ok := kv["header_row"]; ok {
		if v, ok := l.Integer(p[1], "csv header_row", 1); ok {
			o.HeaderRow = v
		}
	}
}

var csvEncodings = []string{"auto", "utf-8", "utf-16", "utf-16le", "utf-16be", "windows-1252", "iso-8859-1", "iso-8859-15"}

// xlsx reads xlsx: options into o.
func (l *loader) xlsx(n *yaml.Node, o *readers.XLSXOptions) {
	kv := l.Pairs(n, "xlsx", []string{"sheet", "header_row"})
	if p, ok := kv["sheet"]; ok {
		if s, ok := l.Scalar(p[1], "xlsx sheet"); ok {
			if p[1].Tag == "!!int" {
				if i, err := strconv.Atoi(s); err == nil && i >= 1 {
					o.SheetIndex = i
				} else {
					l.Add(p[1], "xlsx sheet index must be 1 or more, got %s", s)
				}
			} else {
				o.Sheet = s
			}
		}
	}
	if p, ok := kv["header_row"]; ok {
		if v, ok := l.Integer(p[1], "xlsx header_row", 1); ok {
			o.HeaderRow = v
		}
	}
}

var fieldKeys = []string{"column", "value", "expr", "lookup", "required", "default", "transform", "check"}

func (l *loader) fields(n *yaml.Node) {
	n = mapfile.Deref(n)
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		l.Add(n, "fields must be a mapping of API field names to columns or rules, got %s", mapfile.Describe(n))
		return
	}
	e := l.e
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := mapfile.Deref(n.Content[i]), mapfile.Deref(n.Content[i+1])
		rule := &FieldRule{Line: k.Line, Col: k.Column, colIndex: -1}
		if e != nil {
			f, ok := e.Field(k.Value)
			if !ok {
				msg := fmt.Sprintf("%s has no field %q", e.Name, k.Value)
				if s := transforms.Suggest(k.Value, fieldCandidates(e)); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				} else {
					msg += "; fields: " + strings.Join(e.FieldNames(), ", ")
				}
				l.Add(k, "%s", msg)
			} else {
				if prev, dup := seen[strings.ToLower(f.Name)]; dup {
					l.Add(k, "field %q is mapped twice (also as %q at line %d)", f.Name, prev.Value, prev.Line)
				}
				seen[strings.ToLower(f.Name)] = k
				rule.Target = f
			}
		} else {
			if prev, dup := seen[strings.ToLower(k.Value)]; dup {
				l.Add(k, "field %q is mapped twice (also as %q at line %d)", k.Value, prev.Value, prev.Line)
			}
			seen[strings.ToLower(k.Value)] = k
		}
		l.field(rule, v)
		l.m.Fields = append(l.m.Fields, rule)
	}
	if e == nil {
		return
	}
	l.checkKeys(n, seen)
}

// fieldCandidates are the names a misspelt field is compared with.
func fieldCandidates(e *catalog.Entity) []string {
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Name)
		names = append(names, f.Aliases...)
	}
	return names
}

// checkKeys requires an upsert key (so that a retried or re-imported row
// updates instead of creating a duplicate) and the entity's required fields.
func (l *loader) checkKeys(n *yaml.Node, seen map[string]*yaml.Node) {
	e := l.e
	keyed := false
	for _, k := range e.Keys {
		if seen[strings.ToLower(k)] != nil {
			keyed = true
		}
	}
	if !keyed && len(e.Keys) > 0 {
		l.Add(n, "no upsert key is mapped for %s: map one of %s, so that a row sent again updates its record instead of creating a duplicate",
			e.Name, strings.Join(e.Keys, ", "))
	}
	if e.Batch != nil {
		for _, r := range e.Required {
			if seen[strings.ToLower(r)] == nil {
				l.Add(n, "%s needs the field %q", e.Name, r)
			}
		}
	}
}

func (l *loader) field(rule *FieldRule, v *yaml.Node) {
	v = mapfile.Deref(v)
	name := rule.Target.Name
	if name == "" {
		name = "this field"
	}
	if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
		rule.Column = v.Value
		if v.Value == "" {
			l.Add(v, "%s: empty column name", name)
		}
		return
	}
	kv := l.Pairs(v, "field "+name, fieldKeys)
	if v.Kind != yaml.MappingNode {
		return
	}
	sources := 0
	if p, ok := kv["column"]; ok {
		if s, ok := l.Scalar(p[1], "column"); ok {
			rule.Column = s
		}
		sources++
	}
	if p, ok := kv["value"]; ok {
		if s, ok := l.Scalar(p[1], "value"); ok {
			rule.Const = &s
		}
		sources++
	}
	if p, ok := kv["expr"]; ok {
		if _, ok := l.Scalar(p[1], "expr"); ok {
			rule.Expr = l.newExpr(p[1])
		}
		sources++
	}
	if p, ok := kv["lookup"]; ok {
		rule.Lookup = l.lookup(name, p[0], p[1])
		if rule.Lookup != nil {
			_, rule.Lookup.Optional = kv["default"]
		}
		sources++
	}
	if sources != 1 {
		l.Add(v, "%s: give exactly one of column, value, expr or lookup (got %d)", name, sources)
	}
	if p, ok := kv["transform"]; ok {
		rule.Transforms = l.transforms(p[1])
	}
	if p, ok := kv["default"]; ok {
		if s, ok := l.Scalar(p[1], "default"); ok {
			t, err := transforms.New("default", s)
			if err != nil {
				l.Add(p[1], "%v", err)
			} else {
				rule.Transforms = append(rule.Transforms, t)
			}
		}
	}
	if p, ok := kv["required"]; ok {
		switch p[1].Value {
		case "true":
			c, _ := transforms.NewCheck("required", nil)
			rule.Checks = append(rule.Checks, c)
		case "false":
		default:
			l.Add(p[1], "required must be true or false, got %s", mapfile.Describe(p[1]))
		}
	}
	if p, ok := kv["check"]; ok {
		rule.Checks = append(rule.Checks, l.checks(p[1])...)
	}
}

func (l *loader) transforms(n *yaml.Node) transforms.Chain {
	var chain transforms.Chain
	for _, t := range l.Steps(n, "transform", func(name string, arg any) (any, error) { return transforms.New(name, arg) }) {
		chain = append(chain, t.(transforms.Transform))
	}
	return chain
}

func (l *loader) checks(n *yaml.Node) transforms.Checks {
	var checks transforms.Checks
	for _, c := range l.Steps(n, "check", func(name string, arg any) (any, error) { return transforms.NewCheck(name, arg) }) {
		checks = append(checks, c.(transforms.Check))
	}
	return checks
}

// fileOptions reads files: and file_types:, which only entities with a
// field of kind file take.
func (l *loader) fileOptions(kv map[string][2]*yaml.Node) {
	for _, key := range []string{"files", "file_types"} {
		if p, ok := kv[key]; ok && l.e != nil && !hasFileField(l.e) {
			var takers []string
			for _, e := range catalog.All() {
				if hasFileField(e) {
					takers = append(takers, e.Name)
				}
			}
			l.Add(p[0], "%s applies to %s, which send files; %s rows send none", key, strings.Join(takers, " and "), l.e.Name)
			delete(kv, key)
		}
	}
	if p, ok := kv["files"]; ok {
		if s, ok := l.Scalar(p[1], "files"); ok {
			if !filepath.IsAbs(s) {
				s = filepath.Join(filepath.Dir(l.m.File), s)
			}
			l.m.FilesDir = s
		}
	}
	if p, ok := kv["file_types"]; ok {
		n := mapfile.Deref(p[1])
		items := []*yaml.Node{n}
		if n.Kind == yaml.SequenceNode {
			items = n.Content
		}
		for _, it := range items {
			if s, ok := l.Scalar(it, "file_types"); ok {
				ext := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "."))
				if ext == "" || strings.ContainsAny(ext, `./\ `) {
					l.Add(it, "file_types: %q is not a file extension (write pdf, docx, csv...)", s)
					continue
				}
				l.m.FileTypes = append(l.m.FileTypes, ext)
			}
		}
	}
}

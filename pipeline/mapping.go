// Package pipeline loads mapping files and runs imports: it is the only
// package that knows readers, transforms, writers and the API client.
package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/transforms"
)

// Mapping is a loaded and checked mapping file: which entity to import,
// from which source, and how each API field is made from a row.
type Mapping struct {
	File      string              // the mapping file, as given
	Entity    *synchroteam.Entity // what is imported
	Source    string              // the input, resolved against the mapping file's folder ("" when none is named)
	CSV       readers.CSVOptions
	XLSX      readers.XLSXOptions
	Where     *Expr // optional row filter
	Fields    []*FieldRule
	BatchSize int // rows per request for batched entities

	fieldsLine, fieldsCol int // where "fields:" is
}

// Expr is an expression of the mapping file, compiled when the source's
// header is known (see Bind).
type Expr struct {
	Src    string
	Line   int // where the expression's text starts in the mapping file
	Col    int
	segs   []segment          // where the runes of Src are in the file; nil: only Line and Col are known
	filter *transforms.Filter // a where: condition
	value  *transforms.Expr   // an expr: field
}

// segment is a run of Src's runes that stand side by side on one line of
// the mapping file: Src's rune off is at line:col.
type segment struct{ off, line, col, width int } // width: the line's length in runes

// newExpr locates an expression's text in the file: after its anchor and
// tag, past the opening quote, and for block scalars (| and >) on the lines
// after the indicator, at the content's indentation.
func (l *loader) newExpr(n *yaml.Node) *Expr {
	e := &Expr{Src: n.Value, Line: n.Line, Col: n.Column}
	line, col := l.text.skipProperties(n.Line, n.Column)
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		e.Line, e.Col, e.segs = l.text.blockScalar(line, n.Value, n.Style&yaml.LiteralStyle != 0)
	case n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
		e.Line, e.Col = line, col+1 // past the opening quote
		e.segs = []segment{{0, e.Line, e.Col, l.text.width(e.Line)}}
	default:
		e.Line, e.Col = line, col
		e.segs = l.text.plainScalar(line, col, n.Value)
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
		p.Line, p.Col = e.position(ee.Line, ee.Column)
	}
	p.Msg = "expression: " + p.Msg
	return p
}

// position maps a 1-based line and column of Src into the file. A column
// past the end of its line is brought back to the line's last character.
func (e *Expr) position(line, col int) (int, int) {
	if len(e.segs) == 0 || line < 1 || col < 1 {
		return e.Line, e.Col
	}
	off, l, c := 0, 1, 1
	for _, r := range e.Src {
		if l == line && c == col {
			break
		}
		off++
		if r == '\n' {
			if l == line { // col is past the end of its line
				off--
				break
			}
			l, c = l+1, 1
		} else {
			c++
		}
	}
	s := e.segs[0]
	for _, t := range e.segs[1:] {
		if t.off > off {
			break
		}
		s = t
	}
	fl, fc := s.line, s.col+off-s.off
	if s.width > 0 && fc > s.width {
		fc = s.width
	}
	return fl, max(fc, 1)
}

// source is the mapping file's text, split in lines, to locate what the
// YAML nodes do not say exactly (the text of block scalars).
type source struct {
	lines []string // without their line ends
}

// newSource splits data at YAML's line breaks: CR LF, LF, CR, NEL, LS and
// PS.
func newSource(data []byte) *source {
	var lines []string
	s := string(data)
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\r', '\n', '\u0085', '\u2028', '\u2029':
			lines = append(lines, s[start:i])
			if r == '\r' && strings.HasPrefix(s[i+1:], "\n") {
				size++
			}
			start = i + size
		}
		i += size
	}
	return &source{lines: append(lines, s[start:])}
}

// line returns the 1-based line n, "" past the end.
func (s *source) line(n int) string {
	if s == nil || n < 1 || n > len(s.lines) {
		return ""
	}
	return s.lines[n-1]
}

// width is line n's length in runes.
func (s *source) width(n int) int { return utf8.RuneCountInString(s.line(n)) }

// from returns line n from the 1-based rune column col.
func (s *source) from(n, col int) string {
	ln := s.line(n)
	for i := range ln {
		if col <= 1 {
			return ln[i:]
		}
		col--
	}
	return ""
}

// skipProperties steps over a node's anchor (&a) and tag (!t), and the
// spaces, comments and line ends after them, to the node's own text.
func (s *source) skipProperties(line, col int) (int, int) {
	if s == nil {
		return line, col
	}
	for line <= len(s.lines) {
		rest := s.from(line, col)
		trimmed := strings.TrimLeft(rest, " \t")
		col += utf8.RuneCountInString(rest) - utf8.RuneCountInString(trimmed)
		switch {
		case trimmed == "" || trimmed[0] == '#':
			line, col = line+1, 1
		case trimmed[0] == '&' || trimmed[0] == '!':
			tok, _, _ := strings.Cut(trimmed, " ")
			tok, _, _ = strings.Cut(tok, "\t")
			col += utf8.RuneCountInString(tok)
		default:
			return line, col
		}
	}
	return line, col
}

// blockScalar locates the content of a | or > scalar whose indicator is on
// line: it starts on the next line, at its indentation. Each line of a
// literal scalar is a segment; the lines of a folded one, joined by single
// spaces, are segments when the folding is that simple, else only the start
// is known.
func (s *source) blockScalar(line int, value string, literal bool) (int, int, []segment) {
	first := line + 1
	vlines := strings.Split(strings.TrimRight(value, "\n"), "\n")
	// The indentation: the first line with text, less its spaces that are
	// part of the value.
	indent := -1
	for k, v := range vlines {
		if strings.TrimSpace(v) == "" {
			continue
		}
		fl := s.line(first + k)
		if !literal {
			fl = s.line(s.firstText(first))
		}
		lead := len(fl) - len(strings.TrimLeft(fl, " "))
		indent = lead - (len(v) - len(strings.TrimLeft(v, " ")))
		if !literal {
			return s.folded(first, indent, value)
		}
		break
	}
	if indent < 0 {
		return first, 1, nil
	}
	var segs []segment
	off := 0
	for k, v := range vlines {
		n := first + k
		fl := s.line(n)
		if v != "" && (len(fl) < indent || fl[indent:] != v) {
			// Not the text expected: report the start only.
			return first, indent + 1, nil
		}
		segs = append(segs, segment{off, n, indent + 1, s.width(n)})
		off += utf8.RuneCountInString(v) + 1
	}
	return first, indent + 1, segs
}

// firstText is the first line from n that is not blank.
// tabIndented returns the first line from n on (1-based) whose indentation
// holds a tab, 0 when none.
func (s *source) tabIndented(n int) int {
	for i := max(n, 1); i <= len(s.lines); i++ {
		line := s.line(i)
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		if strings.Contains(indent, "\t") {
			return i
		}
	}
	return 0
}

func (s *source) firstText(n int) int {
	for n < len(s.lines) && strings.TrimSpace(s.line(n)) == "" {
		n++
	}
	return n
}

// folded maps a > scalar whose lines are joined by single spaces (no blank
// or more indented line) line by line; otherwise it gives the first content
// line at its indentation.
func (s *source) folded(first, indent int, value string) (int, int, []segment) {
	start := s.firstText(first)
	want := strings.TrimRight(value, "\n")
	if indent < 0 || strings.Contains(want, "\n") || strings.HasPrefix(want, " ") {
		return start, max(indent, 0) + 1, nil
	}
	var segs []segment
	var parts []string
	off, size := 0, -1 // size: the bytes of parts joined
	for n := start; n <= len(s.lines) && size < len(want); n++ {
		fl := s.line(n)
		if len(fl) < indent || strings.TrimSpace(fl[:indent]) != "" {
			break
		}
		t := fl[indent:]
		segs = append(segs, segment{off, n, indent + 1, s.width(n)})
		parts = append(parts, t)
		off += utf8.RuneCountInString(t) + 1
		size += len(t) + 1
	}
	if size == len(want) && strings.Join(parts, " ") == want {
		return start, indent + 1, segs
	}
	return start, indent + 1, nil
}

// plainScalar maps a plain scalar on one line, or on several lines joined
// by single spaces; else only its start is known.
func (s *source) plainScalar(line, col int, value string) []segment {
	if s == nil {
		return []segment{{0, line, col, 0}}
	}
	rest := s.from(line, col)
	if strings.HasPrefix(rest, value) {
		return []segment{{0, line, col, s.width(line)}}
	}
	segs := []segment{{0, line, col, s.width(line)}}
	parts := []string{strings.TrimSpace(rest)}
	off := utf8.RuneCountInString(parts[0]) + 1
	size := len(parts[0]) // the bytes of parts joined
	for n := line + 1; n <= len(s.lines) && size < len(value); n++ {
		fl := s.line(n)
		t := strings.TrimSpace(fl)
		lead := len(fl) - len(strings.TrimLeft(fl, " \t"))
		segs = append(segs, segment{off, n, lead + 1, s.width(n)})
		parts = append(parts, t)
		off += utf8.RuneCountInString(t) + 1
		size += len(t) + 1
	}
	if size == len(value) && strings.Join(parts, " ") == value {
		return segs
	}
	return []segment{{0, line, col, s.width(line)}}
}

func (e *Expr) eval(row readers.Row) (transforms.Value, error) {
	return e.value.Eval(row.Cells)
}

// Match reports whether a row passes the where: filter.
func (m *Mapping) Match(row readers.Row) (bool, error) {
	if m.Where == nil {
		return true, nil
	}
	return m.Where.filter.Match(row.Cells)
}

// FieldRule says how one API field is made from a row: from a column, a
// constant or an expression, then transforms, then checks.
type FieldRule struct {
	Target     synchroteam.Field
	Column     string // source column (exactly one of Column, Const, Expr is set)
	Const      *string
	Expr       *Expr
	Transforms transforms.Chain
	Checks     transforms.Checks
	Line, Col  int // where the field is declared
	colIndex   int // the column's index in the bound header
}

// DefaultBatchSize is the rows per request of part_price and inventory.
const DefaultBatchSize = 100

// Load reads and checks a mapping file. Every problem of the file is
// reported at once, as Problems (file:line:col: message).
func Load(path string) (*Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Problems{{File: path, Msg: "cannot read the mapping file: " + unwrapPathError(err)}}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxMappingSize {
		return nil, Problems{tooBig(path, fi.Size())}
	}
	// Read one byte more than allowed, to tell a file that is too big.
	data, err := io.ReadAll(io.LimitReader(f, MaxMappingSize+1))
	if err != nil {
		return nil, Problems{{File: path, Msg: "cannot read the mapping file: " + unwrapPathError(err)}}
	}
	return Parse(path, data)
}

// MaxMappingSize is the largest mapping file read: 1 MiB.
const MaxMappingSize = 1 << 20

// maxProblems is the most problems reported for one mapping file.
const maxProblems = 50

func tooBig(path string, size int64) Problem {
	what := fmt.Sprintf("%.1f MiB", float64(size)/(1<<20))
	if size == MaxMappingSize+1 {
		what = "over 1 MiB"
	}
	return Problem{File: path, Msg: fmt.Sprintf("the mapping file is %s (%d bytes): is this a data file? a mapping file is YAML of a few KB", what, size)}
}

func unwrapPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse checks a mapping file's content; path names it in problems and
// anchors its relative source path.
func Parse(path string, data []byte) (*Mapping, error) {
	l, root, err := newLoader(path, data, "version, import and fields")
	if err != nil {
		return nil, err
	}
	l.top(root)
	if err := l.result(); err != nil {
		return nil, err
	}
	return l.m, nil
}

// newLoader reads a mapping file's YAML (import or export) and returns a
// loader for it and the document's root. needs says what an empty file
// lacks.
func newLoader(path string, data []byte, needs string) (*loader, *yaml.Node, error) {
	if len(data) > MaxMappingSize {
		return nil, nil, Problems{tooBig(path, int64(len(data)))}
	}
	if !utf8.Valid(data) {
		line, col := notUTF8At(data)
		return nil, nil, Problems{{File: path, Line: line, Col: col, Msg: "the mapping file is not UTF-8 text: save it as UTF-8"}}
	}
	l := &loader{file: path, m: &Mapping{File: path}, text: newSource(data)}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, Problems{l.yamlProblem(err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil, Problems{{File: path, Msg: "the mapping file is empty; it needs at least " + needs}}
	}
	if p, ok := l.checkAliases(doc.Content[0]); !ok {
		return nil, nil, Problems{p}
	}
	return l, doc.Content[0], nil
}

// result returns the problems found, sorted, at most maxProblems of them;
// nil when there are none.
func (l *loader) result() error {
	if len(l.problems) == 0 {
		return nil
	}
	ps := l.problems.sorted()
	if len(ps) > maxProblems {
		more := len(ps) - maxProblems
		ps = append(ps[:maxProblems:maxProblems], Problem{File: l.file, Msg: fmt.Sprintf("… and %d more problems", more)})
	}
	return ps
}

// maxAliased bounds the nodes a mapping file reaches through aliases
// (*name), counted as often as they are reached: a few KB of YAML can
// otherwise stand for billions of nodes.
const maxAliased = 10000

// checkAliases walks the document as its aliases expand it, and refuses
// one that expands too much or holds an anchor inside itself, before the
// loader reads values through aliases.
func (l *loader) checkAliases(root *yaml.Node) (Problem, bool) {
	aliased := 0
	open := map[*yaml.Node]bool{}
	var bad *Problem
	var walk func(n *yaml.Node, viaAlias bool) bool
	walk = func(n *yaml.Node, viaAlias bool) bool {
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil || open[n.Alias] {
				bad = &Problem{File: l.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("YAML: anchor %q is used inside itself", n.Value)}
				return false
			}
			open[n.Alias] = true
			ok := walk(n.Alias, true)
			delete(open, n.Alias)
			return ok
		}
		if viaAlias {
			if aliased++; aliased > maxAliased {
				bad = &Problem{File: l.file, Line: n.Line, Col: n.Column,
					Msg: fmt.Sprintf("YAML: the aliases (*name) of the mapping file stand for more than %d values", maxAliased)}
				return false
			}
		}
		if n.Anchor != "" {
			open[n] = true
			defer delete(open, n)
		}
		for _, c := range n.Content {
			if !walk(c, viaAlias) {
				return false
			}
		}
		return true
	}
	if walk(root, false) {
		return Problem{}, true
	}
	return *bad, false
}

// deref returns the node an alias (*name) stands for.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

var (
	yamlLine      = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// notUTF8At returns the line and column (in bytes, 1-based) of the first
// byte of data that is not UTF-8.
func notUTF8At(data []byte) (int, int) {
	line, col := 1, 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		data = data[size:]
	}
	return line, col
}

func (l *loader) yamlProblem(err error) Problem {
	msg := err.Error()
	if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		// The parser does not say where: the first *name used before any
		// &name is.
		p := Problem{File: l.file, Msg: fmt.Sprintf("YAML: unknown anchor %q: define it with &%s before using *%s", m[1], m[1], m[1])}
		p.Line, p.Col = l.text.findAlias(m[1])
		return p
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		// The YAML parser's own errors ("did not find expected ...") give
		// the 0-based line of the construct left open; scanner errors are
		// 1-based already.
		if strings.HasPrefix(m[2], "did not find expected") {
			line++
		}
		// A tab in the indentation is reported on the line before it.
		if strings.HasPrefix(m[2], "found a tab character") {
			if n := l.text.tabIndented(line); n > 0 {
				return Problem{File: l.file, Line: n, Col: 1, Msg: "YAML: " + m[2] + ": indent with spaces"}
			}
		}
		return Problem{File: l.file, Line: line, Msg: "YAML: " + m[2]}
	}
	return Problem{File: l.file, Msg: "YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

type loader struct {
	file     string
	text     *source
	m        *Mapping
	problems Problems
}

func (l *loader) add(n *yaml.Node, format string, args ...any) {
	p := Problem{File: l.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	l.problems = append(l.problems, p)
}

// pairs returns the key/value nodes of a mapping node, reporting keys that
// are not in known (with a suggestion) and keys given twice.
func (l *loader) pairs(n *yaml.Node, what string, known []string) map[string][2]*yaml.Node {
	out := map[string][2]*yaml.Node{}
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		l.add(n, "%s must be a mapping of keys to values, got %s", what, kindName(n))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if known != nil && !slices.Contains(known, k.Value) {
			msg := fmt.Sprintf("unknown key %q in %s", k.Value, what)
			if s := transforms.Suggest(k.Value, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (keys: " + strings.Join(known, ", ") + ")"
			}
			l.add(k, "%s", msg)
			continue
		}
		if prev, dup := out[k.Value]; dup {
			l.add(k, "%q is given twice in %s (first at line %d)", k.Value, what, prev[0].Line)
			continue
		}
		out[k.Value] = [2]*yaml.Node{k, v}
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		if r := []rune(n.Value); len(r) > 40 {
			return fmt.Sprintf("%q…", string(r[:40]))
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "something else"
}

func (l *loader) scalar(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.add(n, "%s must be a single value, got %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (l *loader) integer(n *yaml.Node, what string, min int) (int, bool) {
	s, ok := l.scalar(n, what)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < min {
		l.add(n, "%s must be a whole number of at least %d, got %q", what, min, s)
		return 0, false
	}
	return v, true
}

var topKeys = []string{"version", "description", "import", "source", "csv", "xlsx", "where", "fields", "batch_size"}

// header checks what import and export mapping files share: the root is a
// mapping of known keys, not a file of the other kind (other: its key and
// command), with version 1. It returns the keys, or false when the file
// cannot be read further.
func (l *loader) header(root *yaml.Node, what string, known []string, other string) (map[string][2]*yaml.Node, bool) {
	if r := deref(root); r.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(r.Content); i += 2 {
			if k := deref(r.Content[i]); k.Value == other {
				l.add(k, "this is an %s mapping file: run it with stbulk %s", other, other)
				return nil, false
			}
		}
	}
	kv := l.pairs(root, what, known)
	if deref(root).Kind != yaml.MappingNode {
		return nil, false
	}
	if p, ok := kv["version"]; !ok {
		l.add(root, "missing \"version: 1\"")
	} else if v, ok := l.scalar(p[1], "version"); ok && v != "1" {
		l.add(p[1], "version %q is not supported: this stbulk reads version 1", v)
	}
	if p, ok := kv["description"]; ok {
		l.scalar(p[1], "description")
	}
	return kv, true
}

func (l *loader) top(root *yaml.Node) {
	kv, ok := l.header(root, "the mapping file", topKeys, "export")
	if !ok {
		return
	}
	if p, ok := kv["import"]; !ok {
		l.add(root, "missing \"import:\" (one of %s)", strings.Join(synchroteam.Entities(), ", "))
	} else if name, ok := l.scalar(p[1], "import"); ok {
		if e, found := synchroteam.LookupEntity(name); found {
			l.m.Entity = e
		} else {
			msg := fmt.Sprintf("unknown entity %q: import one of %s", name, strings.Join(synchroteam.Entities(), ", "))
			if s := transforms.Suggest(name, synchroteam.Entities()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			l.add(p[1], "%s", msg)
		}
	}
	if p, ok := kv["source"]; ok {
		if s, ok := l.scalar(p[1], "source"); ok {
			if !filepath.IsAbs(s) {
				s = filepath.Join(filepath.Dir(l.file), s)
			}
			l.m.Source = s
		}
	}
	if p, ok := kv["csv"]; ok {
		l.csv(p[1])
	}
	if p, ok := kv["xlsx"]; ok {
		l.xlsx(p[1])
	}
	if p, ok := kv["where"]; ok {
		if _, ok := l.scalar(p[1], "where"); ok {
			l.m.Where = l.newExpr(p[1])
		}
	}
	l.m.BatchSize = DefaultBatchSize
	if p, ok := kv["batch_size"]; ok {
		if l.m.Entity != nil && !l.m.Entity.Batch {
			l.add(p[0], "batch_size applies to part_price and inventory, which are sent in batches; %s rows are sent one by one", l.m.Entity.Name)
		} else if v, ok := l.integer(p[1], "batch_size", 1); ok {
			l.m.BatchSize = v
		}
	}
	p, ok := kv["fields"]
	if !ok {
		l.add(root, "missing \"fields:\": the API fields to fill, each from a column, a value or an expression")
		return
	}
	l.m.fieldsLine, l.m.fieldsCol = p[0].Line, p[0].Column
	l.fields(p[1])
}

func (l *loader) csv(n *yaml.Node) {
	kv := l.pairs(n, "csv", []string{"delimiter", "encoding", "quote", "lazy_quotes", "header_row"})
	if p, ok := kv["delimiter"]; ok {
		if s, ok := l.scalar(p[1], "csv delimiter"); ok {
			switch s {
			case "auto", "":
			case ",", ";", "|", "\t", "tab", `\t`:
				if s == "tab" || s == `\t` {
					s = "\t"
				}
				l.m.CSV.Delimiter, _ = utf8.DecodeRuneInString(s)
			default:
				l.add(p[1], "csv delimiter %q: use auto, \",\", \";\", \"|\" or tab", s)
			}
		}
	}
	if p, ok := kv["encoding"]; ok {
		if s, ok := l.scalar(p[1], "csv encoding"); ok {
			enc := strings.ToLower(s)
			if !slices.Contains(csvEncodings, enc) {
				l.add(p[1], "csv encoding %q: use one of %s", s, strings.Join(csvEncodings, ", "))
			} else if enc != "auto" {
				l.m.CSV.Encoding = enc
			}
		}
	}
	if p, ok := kv["quote"]; ok {
		// Fields are quoted with " (RFC 4180); files that use " loosely
		// inside unquoted fields are read with lazy_quotes.
		if s, ok := l.scalar(p[1], "csv quote"); ok && s != `"` {
			l.add(p[1], "csv quote %q: only \" is supported; for stray quotes inside fields use lazy_quotes: true", s)
		}
	}
	if p, ok := kv["lazy_quotes"]; ok {
		if s, ok := l.scalar(p[1], "csv lazy_quotes"); ok {
			switch s {
			case "true":
				l.m.CSV.LazyQuotes = true
			case "false":
			default:
				l.add(p[1], "csv lazy_quotes must be true or false, got %q", s)
			}
		}
	}
	if p, ok := kv["header_row"]; ok {
		if v, ok := l.integer(p[1], "csv header_row", 1); ok {
			l.m.CSV.HeaderRow = v
		}
	}
}

var csvEncodings = []string{"auto", "utf-8", "utf-16", "utf-16le", "utf-16be", "windows-1252", "iso-8859-1", "iso-8859-15"}

func (l *loader) xlsx(n *yaml.Node) {
	kv := l.pairs(n, "xlsx", []string{"sheet", "header_row"})
	if p, ok := kv["sheet"]; ok {
		if s, ok := l.scalar(p[1], "xlsx sheet"); ok {
			if p[1].Tag == "!!int" {
				if i, err := strconv.Atoi(s); err == nil && i >= 1 {
					l.m.XLSX.SheetIndex = i
				} else {
					l.add(p[1], "xlsx sheet index must be 1 or more, got %s", s)
				}
			} else {
				l.m.XLSX.Sheet = s
			}
		}
	}
	if p, ok := kv["header_row"]; ok {
		if v, ok := l.integer(p[1], "xlsx header_row", 1); ok {
			l.m.XLSX.HeaderRow = v
		}
	}
}

var fieldKeys = []string{"column", "value", "expr", "required", "default", "transform", "check"}

func (l *loader) fields(n *yaml.Node) {
	n = deref(n)
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		l.add(n, "fields must be a mapping of API field names to columns or rules, got %s", kindName(n))
		return
	}
	e := l.m.Entity
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
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
				l.add(k, "%s", msg)
			} else {
				if prev, dup := seen[strings.ToLower(f.Name)]; dup {
					l.add(k, "field %q is mapped twice (also as %q at line %d)", f.Name, prev.Value, prev.Line)
				}
				seen[strings.ToLower(f.Name)] = k
				rule.Target = f
			}
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
func fieldCandidates(e *synchroteam.Entity) []string {
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
	e := l.m.Entity
	keyed := false
	for _, k := range e.Keys {
		if seen[strings.ToLower(k)] != nil {
			keyed = true
		}
	}
	if !keyed {
		l.add(n, "no upsert key is mapped for %s: map one of %s, so that a row sent again updates its record instead of creating a duplicate",
			e.Name, strings.Join(e.Keys, ", "))
	}
	if e.Batch {
		for _, r := range e.Required {
			if seen[strings.ToLower(r)] == nil {
				l.add(n, "%s needs the field %q", e.Name, r)
			}
		}
	}
}

func (l *loader) field(rule *FieldRule, v *yaml.Node) {
	v = deref(v)
	name := rule.Target.Name
	if name == "" {
		name = "this field"
	}
	if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
		rule.Column = v.Value
		if v.Value == "" {
			l.add(v, "%s: empty column name", name)
		}
		return
	}
	kv := l.pairs(v, "field "+name, fieldKeys)
	if v.Kind != yaml.MappingNode {
		return
	}
	sources := 0
	if p, ok := kv["column"]; ok {
		if s, ok := l.scalar(p[1], "column"); ok {
			rule.Column = s
		}
		sources++
	}
	if p, ok := kv["value"]; ok {
		if s, ok := l.scalar(p[1], "value"); ok {
			rule.Const = &s
		}
		sources++
	}
	if p, ok := kv["expr"]; ok {
		if _, ok := l.scalar(p[1], "expr"); ok {
			rule.Expr = l.newExpr(p[1])
		}
		sources++
	}
	if sources != 1 {
		l.add(v, "%s: give exactly one of column, value or expr (got %d)", name, sources)
	}
	if p, ok := kv["transform"]; ok {
		rule.Transforms = l.transforms(p[1])
	}
	if p, ok := kv["default"]; ok {
		if s, ok := l.scalar(p[1], "default"); ok {
			t, err := transforms.New("default", s)
			if err != nil {
				l.add(p[1], "%v", err)
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
			l.add(p[1], "required must be true or false, got %s", kindName(p[1]))
		}
	}
	if p, ok := kv["check"]; ok {
		rule.Checks = append(rule.Checks, l.checks(p[1])...)
	}
}

// steps reads a transform or check list: a name, a list of names and
// one-key mappings ({split: ";"}), or one such mapping alone.
func (l *loader) steps(n *yaml.Node, what string, build func(name string, arg any) (any, error)) []any {
	n = deref(n)
	var items []*yaml.Node
	switch n.Kind {
	case yaml.SequenceNode:
		items = n.Content
	case yaml.ScalarNode, yaml.MappingNode:
		items = []*yaml.Node{n}
	default:
		l.add(n, "%s must be a name, a {name: argument} or a list of them", what)
		return nil
	}
	var out []any
	for _, it := range items {
		it = deref(it)
		var name string
		var arg any
		var argNode *yaml.Node
		switch it.Kind {
		case yaml.ScalarNode:
			name = it.Value
		case yaml.MappingNode:
			if len(it.Content) != 2 {
				l.add(it, "each %s is written {name: argument}, one name per item", what)
				continue
			}
			name, argNode = deref(it.Content[0]).Value, deref(it.Content[1])
			if err := argNode.Decode(&arg); err != nil {
				l.add(argNode, "%s %s: %v", what, name, err)
				continue
			}
		default:
			l.add(it, "each %s is a name or {name: argument}, got %s", what, kindName(it))
			continue
		}
		v, err := build(name, arg)
		if err != nil {
			l.add(argPos(it, argNode, err), "%v", err)
			continue
		}
		out = append(out, v)
	}
	return out
}

// argPos finds the node an *ArgError is about: the option of a mapping
// argument, the item of a list argument, or the argument itself.
func argPos(item, arg *yaml.Node, err error) *yaml.Node {
	var ae *transforms.ArgError
	if arg == nil || !errors.As(err, &ae) {
		if item.Kind == yaml.MappingNode {
			return item.Content[0]
		}
		return item
	}
	if ae.Key != "" && arg.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(arg.Content); i += 2 {
			if deref(arg.Content[i]).Value == ae.Key {
				opt := deref(arg.Content[i+1])
				if ae.Index >= 0 && opt.Kind == yaml.SequenceNode && ae.Index < len(opt.Content) {
					return deref(opt.Content[ae.Index])
				}
				return opt
			}
		}
	}
	if ae.Index >= 0 && arg.Kind == yaml.SequenceNode && ae.Index < len(arg.Content) {
		return deref(arg.Content[ae.Index])
	}
	return arg
}

func (l *loader) transforms(n *yaml.Node) transforms.Chain {
	var chain transforms.Chain
	for _, t := range l.steps(n, "transform", func(name string, arg any) (any, error) { return transforms.New(name, arg) }) {
		chain = append(chain, t.(transforms.Transform))
	}
	return chain
}

func (l *loader) checks(n *yaml.Node) transforms.Checks {
	var checks transforms.Checks
	for _, c := range l.steps(n, "check", func(name string, arg any) (any, error) { return transforms.NewCheck(name, arg) }) {
		checks = append(checks, c.(transforms.Check))
	}
	return checks
}

// findAlias finds the first *name used before &name defines it, as a
// 1-based line and column; 0, 0 when it is not found. Comments are skipped;
// quoted text is not told apart.
func (s *source) findAlias(name string) (int, int) {
	token := regexp.MustCompile(`([&*])` + regexp.QuoteMeta(name) + `(?:$|[\s,\]}])`)
	for i, ln := range s.lines {
		if c := strings.Index(ln, " #"); c >= 0 {
			ln = ln[:c]
		}
		if strings.HasPrefix(ln, "#") {
			continue
		}
		for _, m := range token.FindAllStringSubmatchIndex(ln, -1) {
			if ln[m[2]] == '&' {
				return 0, 0 // defined first: the parser meant something else
			}
			return i + 1, utf8.RuneCountInString(ln[:m[2]]) + 1
		}
	}
	return 0, 0
}

package mapfile

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Pos locates a scalar's text in the mapping file: where it starts and,
// when the file holds it plainly enough, where each of its runes is, so
// that a position inside the text (an expression's error) can be given in
// the file.
type Pos struct {
	Line, Col int // where the text starts
	text      string
	segs      []segment // nil: only Line and Col are known
}

// segment is a run of the text's runes that stand side by side on one line
// of the mapping file: the text's rune off is at line:col.
type segment struct{ off, line, col, width int } // width: the line's length in runes

// Locate finds a scalar's text in the file: after its anchor and tag, past
// the opening quote, and for block scalars (| and >) on the lines after the
// indicator, at the content's indentation.
func (f *File) Locate(n *yaml.Node) Pos {
	s := f.text
	p := Pos{Line: n.Line, Col: n.Column, text: n.Value}
	line, col := s.skipProperties(n.Line, n.Column)
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		p.Line, p.Col, p.segs = s.blockScalar(line, n.Value, n.Style&yaml.LiteralStyle != 0)
	case n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
		p.Line, p.Col = line, col+1 // past the opening quote
		p.segs = []segment{{0, p.Line, p.Col, s.width(p.Line)}}
	default:
		p.Line, p.Col = line, col
		p.segs = s.plainScalar(line, col, n.Value)
	}
	return p
}

// At maps a 1-based line and column of the text into the file. A column
// past the end of its line is brought back to the line's last character.
func (p Pos) At(line, col int) (int, int) {
	if len(p.segs) == 0 || line < 1 || col < 1 {
		return p.Line, p.Col
	}
	off, l, c := 0, 1, 1
	for _, r := range p.text {
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
	s := p.segs[0]
	for _, t := range p.segs[1:] {
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

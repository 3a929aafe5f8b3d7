package transforms

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/transform"
)

// Transform changes a value on its way from a cell to a payload field.
// A Transform is safe for concurrent use. When it cannot convert a value it
// returns an error that names the transform and quotes the value, e.g.
// `number: "12abc" is not a number (unexpected "a")`.
type Transform interface {
	Apply(Value) (Value, error)
}

// Chain applies transforms in order, stopping at the first error.
type Chain []Transform

// Apply runs v through every transform of the chain.
func (c Chain) Apply(v Value) (Value, error) {
	var err error
	for _, t := range c {
		if tt, ok := t.(textTransform); ok && !v.list {
			// What Apply does with a text, without its detour.
			var s string
			if s, err = tt.f(v.text); err != nil {
				return Value{}, err
			}
			v = Text(s)
			continue
		}
		if v, err = t.Apply(v); err != nil {
			return Value{}, err
		}
	}
	return v, nil
}

// transformNames lists the names New accepts, for suggestions.
var transformNames = []string{
	"trim", "lower", "upper", "title", "squash", "default", "replace", "split",
	"join", "map", "number", "integer", "bool", "date",
}

// TransformNames returns the names New accepts, sorted.
func TransformNames() []string { return slices.Sorted(slices.Values(transformNames)) }

// New builds the transform called name from its argument as decoded from
// YAML: nil when the transform is written alone (`transform: [trim]`), or
// a string, number, bool, list ([]any) or map (map[string]any or
// map[any]any). The argument shape of each transform is described in the
// package documentation. Errors about the argument are *ArgError values.
func New(name string, arg any) (Transform, error) {
	switch name {
	case "trim":
		return textFunc(name, arg, trimSpace)
	case "lower":
		return textFunc(name, arg, strings.ToLower)
	case "upper":
		return textFunc(name, arg, strings.ToUpper)
	case "squash":
		return textFunc(name, arg, squash)
	case "title":
		return newTitle(arg)
	case "default":
		return newDefault(arg)
	case "replace":
		return newReplace(arg)
	case "split":
		return newSplit(arg)
	case "join":
		return newJoin(arg)
	case "map":
		return newMap(arg)
	case "number":
		return newNumber(name, arg)
	case "integer":
		return newNumber(name, arg)
	case "bool":
		return newBool(arg)
	case "date":
		return newDate(arg)
	}
	msg := fmt.Sprintf("unknown transform %q", name)
	if s := Suggest(name, transformNames); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return nil, fmt.Errorf("%s; transforms are %s", msg, strings.Join(TransformNames(), ", "))
}

// textTransform applies a function to a text or to each item of a list.
type textTransform struct {
	f func(string) (string, error)
}

func (t textTransform) Apply(v Value) (Value, error) { return v.mapText(t.f) }

func noArg(name string, arg any) error {
	if arg == nil {
		return nil
	}
	if b, ok := arg.(bool); ok && b {
		return nil
	}
	return argErr(name, "", "takes no argument, got %s", describe(arg))
}

func textFunc(name string, arg any, f func(string) string) (Transform, error) {
	if err := noArg(name, arg); err != nil {
		return nil, err
	}
	return textTransform{func(s string) (string, error) { return f(s), nil }}, nil
}

// isSpace reports white space, including non-breaking spaces, and the
// zero-width characters that legacy exports leave around values.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' || r == '\u2060'
}

func trimSpace(s string) string { return strings.TrimFunc(s, isSpace) }

func isBlank(s string) bool { return trimSpace(s) == "" }

// squash trims s and replaces each run of white space inside it by one space.
func squash(s string) string {
	if squashed(s) {
		return s
	}
	return squashRuns(s)
}

// squashRuns is squash for any text: each character but white space is
// written as it is (an invalid byte as U+FFFD), each run of white space
// between them as one space.
func squashRuns(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if isSpace(r) {
			space = true
			i += size
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(r)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// squashed reports whether squash leaves s as it is: valid UTF-8 whose
// only white space is single U+0020 spaces between other characters.
func squashed(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	space := false
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b == ' ' {
				if space {
					return false
				}
				space = true
			} else if b < ' ' {
				return false // white space, or a control character squash keeps: no matter
			} else {
				space = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || isSpace(r) {
			return false
		}
		space = false
		i += size
	}
	return true
}

// titleCaser title-cases text; a cases.Caser is stateful, so each goroutine
// takes its own from the pool, with a buffer for the result.
type titleCaser struct{ pool sync.Pool }

type titleState struct {
	c        cases.Caser
	src, dst []byte
}

func newTitleCaser(tag language.Tag) *titleCaser {
	t := &titleCaser{}
	t.pool.New = func() any {
		return &titleState{c: cases.Title(tag), src: make([]byte, 0, 128), dst: make([]byte, 0, 256)}
	}
	return t
}

// String returns s title-cased, as cases.Caser.String does, allocating only
// the result, and only when it differs from s.
func (t *titleCaser) String(s string) string {
	st := t.pool.Get().(*titleState)
	defer t.pool.Put(st)
	st.src = append(st.src[:0], s...)
	// transform.Append allocates when dst has no room left: it has.
	out, _, err := transform.Append(st.c, st.dst[:0:cap(st.dst)], st.src)
	if err != nil {
		return st.c.String(s)
	}
	st.dst = out[:0]
	if string(out) == s {
		return s
	}
	return string(out)
}

func newTitle(arg any) (Transform, error) {
	tag := language.Und
	if arg != nil {
		if b, ok := arg.(bool); !ok || !b {
			s, ok := arg.(string)
			if !ok {
				return nil, argErr("title", "", "the argument is a language such as \"fr\", got %s", kindOf(arg))
			}
			t, err := language.Parse(s)
			if err != nil {
				return nil, argErr("title", "", "unknown language %q", s)
			}
			tag = t
		}
	}
	c := newTitleCaser(tag)
	return textTransform{func(s string) (string, error) { return c.String(s), nil }}, nil
}

type defaultTransform struct{ value string }

func (d defaultTransform) Apply(v Value) (Value, error) {
	if v.IsEmpty() {
		if v.IsList() {
			return List([]string{d.value}), nil
		}
		return Text(d.value), nil
	}
	return v, nil
}

func newDefault(arg any) (Transform, error) {
	s, ok := scalar(arg)
	if !ok {
		return nil, argErr("default", "", "the argument is the value to use when the cell is empty, got %s", kindOf(arg))
	}
	return defaultTransform{s}, nil
}

func newReplace(arg any) (Transform, error) {
	o, ok := asOptions("replace", arg)
	if !ok {
		return nil, argErr("replace", "", `the argument is a map {pattern: "...", with: "..."}, got %s`, kindOf(arg))
	}
	if err := o.check("pattern", "with"); err != nil {
		return nil, err
	}
	pat, ok, err := o.str("pattern")
	if err != nil {
		return nil, err
	}
	if !ok || pat == "" {
		return nil, argErr("replace", "", "pattern is missing")
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, argErr("replace", "pattern", "bad pattern %q: %v", pat, regexpReason(err))
	}
	with, _, err := o.str("with")
	if err != nil {
		return nil, err
	}
	return textTransform{func(s string) (string, error) { return re.ReplaceAllString(s, with), nil }}, nil
}

// regexpReason strips the "error parsing regexp: " prefix, which only
// repeats what the caller says.
func regexpReason(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

type splitTransform struct{ sep string }

func (t splitTransform) Apply(v Value) (Value, error) {
	var out []string
	if !v.IsList() && v.text != "" {
		out = make([]string, 0, strings.Count(v.text, t.sep)+1)
	}
	for _, s := range v.Items() {
		for part := range strings.SplitSeq(s, t.sep) {
			if part = trimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	if len(out) == 0 {
		out = nil // as without the room made above
	}
	return List(out), nil
}

func newSplit(arg any) (Transform, error) {
	s, ok := arg.(string)
	if !ok || s == "" {
		return nil, argErr("split", "", "the argument is the separator, such as \";\", got %s", describe(arg))
	}
	return splitTransform{s}, nil
}

type joinTransform struct{ sep string }

func (t joinTransform) Apply(v Value) (Value, error) {
	if !v.IsList() {
		return v, nil
	}
	var b strings.Builder
	for _, it := range v.items {
		if isBlank(it) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(t.sep)
		}
		b.WriteString(it)
	}
	return Text(b.String()), nil
}

func newJoin(arg any) (Transform, error) {
	s, ok := arg.(string)
	if !ok {
		return nil, argErr("join", "", "the argument is the separator, such as \", \", got %s", describe(arg))
	}
	return joinTransform{s}, nil
}

type mapTransform struct {
	table      map[string]string
	keys       []string // sorted, for error messages
	ignoreCase bool
	strict     bool
	def        *string
}

func (m *mapTransform) lookup(s string) (string, error) {
	key := trimSpace(s)
	if m.ignoreCase {
		key = strings.ToLower(key)
	}
	if v, ok := m.table[key]; ok {
		return v, nil
	}
	switch {
	case key == "":
		return s, nil
	case m.def != nil:
		return *m.def, nil
	case m.strict:
		return "", fmt.Errorf("map: %q is not in the table (%s)", s, knownKeys(m.keys))
	}
	return s, nil
}

func knownKeys(keys []string) string {
	const show = 5
	q := make([]string, 0, show)
	for _, k := range keys[:min(show, len(keys))] {
		q = append(q, strconv.Quote(k))
	}
	s := "known: " + strings.Join(q, ", ")
	if len(keys) > show {
		s += fmt.Sprintf(", … %d in all", len(keys))
	}
	return s
}

func (m *mapTransform) Apply(v Value) (Value, error) { return v.mapText(m.lookup) }

func newMap(arg any) (Transform, error) {
	o, ok := asOptions("map", arg)
	if !ok {
		return nil, argErr("map", "", "the argument is a table {from: to, ...} or {values: {...}, strict: true}, got %s", kindOf(arg))
	}
	m := &mapTransform{}
	table := o.m
	keyOf := func(k string) string { return k } // ArgError.Key for a table entry
	if o.has("values") {
		keyOf = func(string) string { return "values" }
		if err := o.check("values", "strict", "default", "ignore_case"); err != nil {
			return nil, err
		}
		t, ok := asOptions("map", o.m["values"])
		if !ok {
			return nil, argErr("map", "values", "values must be a table {from: to, ...}, got %s", kindOf(o.m["values"]))
		}
		table = t.m
		var err error
		if m.strict, err = o.boolean("strict"); err != nil {
			return nil, err
		}
		if m.ignoreCase, err = o.boolean("ignore_case"); err != nil {
			return nil, err
		}
		if d, ok, err := o.str("default"); err != nil {
			return nil, err
		} else if ok {
			m.def = &d
		}
		if m.strict && m.def != nil {
			return nil, argErr("map", "default", "strict and default cannot be used together")
		}
	}
	m.table = make(map[string]string, len(table))
	for _, k := range slices.Sorted(maps.Keys(table)) {
		v := table[k]
		s, ok := scalar(v)
		if v == nil {
			s, ok = "", true
		}
		if !ok {
			return nil, argErr("map", keyOf(k), "the value for %q must be a text, got %s", k, kindOf(v))
		}
		key := k
		if m.ignoreCase {
			key = strings.ToLower(k)
		}
		if _, dup := m.table[key]; dup {
			return nil, argErr("map", keyOf(k), "%q appears twice when case is ignored", k)
		}
		m.table[key] = s
		m.keys = append(m.keys, k)
	}
	slices.Sort(m.keys)
	return m, nil
}

func itemError(i int, err error) error { return fmt.Errorf("item %d: %w", i+1, err) }

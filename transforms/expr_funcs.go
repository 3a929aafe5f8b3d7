package transforms

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/expr-lang/expr"
	"golang.org/x/text/language"
)

// functionOptions declares the helper functions of expressions. Some
// replace expr's builtins of the same name (trim, date, replace, join,
// concat) so that expressions behave like the named transforms.
func functionOptions() []expr.Option {
	title := newTitleCaser(language.Und)
	var regexps, layouts cache
	return []expr.Option{
		expr.Function("trim", func(a ...any) (any, error) { return trimSpace(a[0].(string)), nil },
			new(func(string) string)),
		expr.Function("title", func(a ...any) (any, error) { return title.String(a[0].(string)), nil },
			new(func(string) string)),
		expr.Function("squash", func(a ...any) (any, error) { return squash(a[0].(string)), nil },
			new(func(string) string)),
		expr.Function("concat", func(a ...any) (any, error) { return joinParts("", a) },
			new(func(...any) string)),
		expr.Function("join", exprJoin, new(func(...any) string)),
		expr.Function("coalesce", func(a ...any) (any, error) {
			for _, v := range a {
				s, err := resultText(v)
				if err != nil {
					return nil, fmt.Errorf("coalesce: %w", err)
				}
				if !isBlank(s) {
					return s, nil
				}
			}
			return "", nil
		}, new(func(...any) string)),
		expr.Function("number", func(a ...any) (any, error) {
			var f numberFormat
			if len(a) == 2 {
				var err error
				if f, err = numberOptions("number", a[1].(string), true, "", false); err != nil {
					return nil, err
				}
			}
			s := a[0].(string)
			n, err := parseNumber(s, f)
			if err != nil {
				return nil, fmt.Errorf("number: %w", err)
			}
			if n == "" {
				return nil, fmt.Errorf("number: the value is empty")
			}
			return strconv.ParseFloat(n, 64)
		}, new(func(string) float64), new(func(string, string) float64)),
		expr.Function("date", func(a ...any) (any, error) {
			s := a[0].(string)
			if isBlank(s) {
				return "", nil
			}
			t := &dateTransform{in: time.UTC, out: apiLayout, iso: isoDateLayouts}
			for _, l := range a[1:] {
				c, err := layouts.get(l.(string), func(s string) (any, error) { return compileLayout(s) })
				if err != nil {
					return nil, fmt.Errorf("date: %w", err)
				}
				t.layouts = append(t.layouts, c.(*dateLayout))
			}
			return t.convert(s)
		}, new(func(string, ...string) string)),
		expr.Function("replace", func(a ...any) (any, error) {
			re, err := regexps.get(a[1].(string), func(s string) (any, error) {
				re, err := regexp.Compile(s)
				if err != nil {
					return nil, fmt.Errorf("bad pattern %q: %s", s, regexpReason(err))
				}
				return re, nil
			})
			if err != nil {
				return nil, fmt.Errorf("replace: %w", err)
			}
			return re.(*regexp.Regexp).ReplaceAllString(a[0].(string), a[2].(string)), nil
		}, new(func(string, string, string) string)),
	}
}

// exprJoin is join(sep, parts...): the non-blank parts (texts, numbers or
// lists) joined with sep. join(list, sep), expr's own form, also works.
func exprJoin(a ...any) (any, error) {
	if len(a) == 0 {
		return "", nil
	}
	sep, ok := a[0].(string)
	if !ok {
		if len(a) != 2 {
			return nil, fmt.Errorf("join: the first argument is the separator, as in join(\", \", A, B)")
		}
		if sep, ok = a[1].(string); !ok {
			return nil, fmt.Errorf("join: the separator must be a text")
		}
		return joinParts(sep, a[:1])
	}
	return joinParts(sep, a[1:])
}

func joinParts(sep string, parts []any) (string, error) {
	var b strings.Builder
	var add func(v any) error
	add = func(v any) error {
		switch x := v.(type) {
		case []any:
			for _, it := range x {
				if err := add(it); err != nil {
					return err
				}
			}
			return nil
		case []string:
			for _, it := range x {
				if err := add(it); err != nil {
					return err
				}
			}
			return nil
		}
		s, err := resultText(v)
		if err != nil {
			return err
		}
		if isBlank(s) {
			return nil
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
		return nil
	}
	for _, p := range parts {
		if err := add(p); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// cache keeps compiled regular expressions and layouts of expressions. The
// arguments are nearly always constants; past maxCached entries, values are
// compiled on each call rather than kept.
type cache struct {
	m sync.Map
	n atomic.Int32
}

const maxCached = 64

func (c *cache) get(key string, build func(string) (any, error)) (any, error) {
	if v, ok := c.m.Load(key); ok {
		return v, nil
	}
	v, err := build(key)
	if err != nil {
		return nil, err
	}
	if c.n.Add(1) <= maxCached {
		c.m.Store(key, v)
	}
	return v, nil
}

// Layouts compiled once; they are never modified.
var (
	apiLayout      = mustLayout(APIDateLayout)
	isoDateLayouts = func() []*dateLayout {
		out := make([]*dateLayout, len(isoLayouts))
		for i, s := range isoLayouts {
			out[i] = mustLayout(s)
		}
		return out
	}()
)

func mustLayout(s string) *dateLayout {
	l, err := compileLayout(s)
	if err != nil {
		panic(err)
	}
	return l
}

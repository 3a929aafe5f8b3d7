package scaffold

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/stbulk/stbulk/synchroteam/catalog"
	"github.com/stbulk/stbulk/transforms"
)

// Step is one transform or check as the mapping file writes it: a name and
// its argument (nil, a string, or a map of strings).
type Step struct {
	Name string
	Arg  any
}

// transform builds the step with the transforms package, which is the
// authority on what a mapping may say.
func (s Step) transform() (transforms.Transform, error) { return transforms.New(s.Name, s.Arg) }

func (s Step) check() (transforms.Check, error) { return transforms.NewCheck(s.Name, s.Arg) }

// Rule is how one field is made from its column.
type Rule struct {
	Transforms []Step
	Checks     []Step
	Required   bool
	Evidence   []string // what the sample showed, for the comment
}

// values returns the non-blank cells of column c.
func values(rows [][]string, c int) []string {
	var out []string
	for _, r := range rows {
		if c < len(r) && strings.TrimSpace(r[c]) != "" {
			out = append(out, r[c])
		}
	}
	return out
}

// passing counts the values that the chain then the checks accept, and
// returns the first one refused.
func passing(steps, checks []Step, vals []string) (int, string) {
	var chain transforms.Chain
	for _, s := range steps {
		t, err := s.transform()
		if err != nil {
			return 0, ""
		}
		chain = append(chain, t)
	}
	var cs transforms.Checks
	for _, s := range checks {
		c, err := s.check()
		if err != nil {
			return 0, ""
		}
		cs = append(cs, c)
	}
	ok, bad := 0, ""
	for _, v := range vals {
		out, err := chain.Apply(transforms.Text(v))
		if err == nil {
			err = cs.Check(out)
		}
		if err == nil {
			ok++
		} else if bad == "" {
			bad = v
		}
	}
	return ok, bad
}

// ofSample says "19 of 20 sampled values" (non-blank ones).
func ofSample(ok, n int) string {
	if ok == n {
		return fmt.Sprintf("all %d sampled values", n)
	}
	return fmt.Sprintf("%d of %d sampled values", ok, n)
}

func refused(bad string) string {
	if bad == "" {
		return ""
	}
	return fmt.Sprintf(" (not %q)", clip(bad, 40))
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

var (
	emailLike  = regexp.MustCompile(`^\s*[^@\s]+@[^@\s]+\s*$`)
	digitsOnly = regexp.MustCompile(`^\s*[0-9]+\s*$`)
	codeLike   = regexp.MustCompile(`^\s*[\p{L}\p{N}][\p{L}\p{N}._/-]*\s*$`)
)

func share(vals []string, re *regexp.Regexp) int {
	n := 0
	for _, v := range vals {
		if re.MatchString(v) {
			n++
		}
	}
	return n
}

// dateLayouts are the layouts tried on dates, most usual first; Java
// letters as the date transform reads them.
var dateLayouts = []string{
	"dd/MM/yyyy", "dd/MM/yyyy HH:mm", "dd/MM/yyyy HH:mm:ss", "MM/dd/yyyy", "MM/dd/yyyy HH:mm",
	"dd.MM.yyyy", "dd.MM.yyyy HH:mm", "dd-MM-yyyy", "dd-MM-yyyy HH:mm", "yyyy/MM/dd", "dd/MM/yy", "dd.MM.yy",
	"yyyyMMdd", "d MMM yyyy",
}

// inferDate finds the date layout the values read with; ISO needs none.
func inferDate(vals []string) (Step, int, string, bool) {
	if len(vals) == 0 {
		return Step{}, 0, "", false
	}
	iso := Step{Name: "date"}
	if ok, _ := passing([]Step{iso}, nil, vals); ok == len(vals) {
		return iso, ok, "ISO", true
	}
	best, bestOK, bestLayout := Step{}, 0, ""
	for _, l := range dateLayouts {
		s := Step{Name: "date", Arg: l}
		if ok, _ := passing([]Step{s}, nil, vals); ok > bestOK {
			best, bestOK, bestLayout = s, ok, l
		}
	}
	if bestOK*10 < len(vals)*8 {
		return Step{}, 0, "", false
	}
	return best, bestOK, bestLayout, true
}

// inferNumber finds the number transform that reads the most values:
// decimal comma or point, thousands separators.
func inferNumber(name string, vals []string) (Step, int, string) {
	comma, point := 0, 0
	for _, v := range vals {
		if strings.Contains(v, ",") {
			comma++
		}
		if strings.Contains(v, ".") {
			point++
		}
	}
	dec := func(d string) Step { return Step{name, map[string]any{"decimal": d}} }
	first, second := dec("."), dec(",")
	if comma > point {
		first, second = second, first
	}
	plain := Step{name, nil}
	if comma == 0 && point == 0 {
		first, second, plain = plain, first, second
	}
	cands := []Step{first, second, plain,
		{name, map[string]any{"decimal": ",", "thousands": " "}},
		{name, map[string]any{"decimal": ",", "thousands": "."}},
		{name, map[string]any{"decimal": ".", "thousands": ","}},
	}
	best, bestOK := cands[0], -1
	for _, s := range cands {
		if ok, _ := passing([]Step{s}, nil, vals); ok > bestOK {
			best, bestOK = s, ok
		}
	}
	return best, bestOK, describeNumber(best)
}

func describeNumber(s Step) string {
	m, _ := s.Arg.(map[string]any)
	var parts []string
	switch m["decimal"] {
	case ",":
		parts = append(parts, "decimal comma")
	case ".":
		parts = append(parts, "decimal point")
	}
	if t, ok := m["thousands"].(string); ok {
		parts = append(parts, fmt.Sprintf("%q between thousands", t))
	}
	if len(parts) == 0 {
		return "numbers"
	}
	return "numbers with " + strings.Join(parts, " and ")
}

// listSeparator is the separator most values of a list column hold.
func listSeparator(vals []string) (string, int) {
	best, bestN := "", 0
	for _, sep := range []string{";", "|", ",", "/"} {
		n := 0
		for _, v := range vals {
			if strings.Contains(v, sep) {
				n++
			}
		}
		if n > bestN {
			best, bestN = sep, n
		}
	}
	return best, bestN
}

// infer makes the rule of field f from the sampled values of its column.
func infer(f catalog.Field, vals []string) Rule {
	var r Rule
	n := len(vals)
	if n == 0 {
		r.Transforms = []Step{{Name: "trim"}}
		r.Evidence = append(r.Evidence, "no value in the sample")
		return r
	}
	switch f.Kind {
	case catalog.KindNumber, catalog.KindInteger:
		name := "number"
		if f.Kind == catalog.KindInteger {
			name = "integer"
		}
		s, ok, what := inferNumber(name, vals)
		_, bad := passing([]Step{s}, nil, vals)
		r.Transforms = []Step{s}
		r.Evidence = append(r.Evidence, fmt.Sprintf("%s read as %s%s", ofSample(ok, n), what, refused(bad)))
	case catalog.KindBool:
		s := Step{Name: "bool"}
		ok, bad := passing([]Step{s}, nil, vals)
		r.Transforms = []Step{s}
		r.Evidence = append(r.Evidence, fmt.Sprintf("%s read as yes/no%s", ofSample(ok, n), refused(bad)))
	case catalog.KindList:
		sep, k := listSeparator(vals)
		if sep == "" {
			r.Transforms = []Step{{Name: "trim"}}
			r.Evidence = append(r.Evidence, fmt.Sprintf("one item per cell in %s", ofSample(n, n)))
		} else {
			r.Transforms = []Step{{Name: "split", Arg: sep}}
			r.Evidence = append(r.Evidence, fmt.Sprintf("%q separates the items of %d of %d sampled values", sep, k, n))
		}
	case catalog.KindDate, catalog.KindDateTime:
		if s, ok, layout, found := inferDate(vals); found {
			_, bad := passing([]Step{s}, nil, vals)
			if layout == "ISO" {
				r.Evidence = append(r.Evidence, fmt.Sprintf("%s are ISO dates: no transform", ofSample(ok, n)))
			} else {
				r.Transforms = []Step{s}
				r.Evidence = append(r.Evidence, fmt.Sprintf("%s read as %s%s", ofSample(ok, n), layout, refused(bad)))
			}
		} else {
			r.Transforms = []Step{{Name: "trim"}}
			r.Evidence = append(r.Evidence, "no date layout reads most sampled values: add a date transform")
		}
	default:
		r = inferText(f, vals)
	}
	return r
}

// inferText is the rule of a text field: e-mail addresses lowered and
// checked, codes trimmed, free text squashed when it holds line breaks or
// runs of spaces.
func inferText(f catalog.Field, vals []string) Rule {
	var r Rule
	n := len(vals)
	if strings.Contains(strings.ToLower(f.Name), "email") || share(vals, emailLike)*10 >= n*8 {
		r.Transforms = []Step{{Name: "trim"}, {Name: "lower"}}
		r.Checks = []Step{{Name: "email"}}
		ok, bad := passing(r.Transforms, r.Checks, vals)
		r.Evidence = append(r.Evidence, fmt.Sprintf("%s are e-mail addresses%s", ofSample(ok, n), refused(bad)))
		return r
	}
	messy := false
	for _, v := range vals {
		if strings.ContainsAny(v, "\r\n\t") || strings.Contains(v, "  ") {
			messy = true
		}
	}
	if messy && f.Kind != catalog.KindID && f.Kind != catalog.KindFile {
		r.Transforms = []Step{{Name: "squash"}}
		r.Evidence = append(r.Evidence, "line breaks or runs of spaces in the sample: squashed into single spaces")
	} else {
		r.Transforms = []Step{{Name: "trim"}}
	}
	if zeros := leadingZeros(vals); zeros > 0 {
		r.Evidence = append(r.Evidence, fmt.Sprintf("%d sampled values start with 0: kept as text, no number transform", zeros))
	}
	return r
}

func leadingZeros(vals []string) int {
	n := 0
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if len(v) > 1 && v[0] == '0' && digitsOnly.MatchString(v) {
			n++
		}
	}
	return n
}

// describe says what the values of an unmapped column look like, and the
// rule that would read them in a custom field, when one does.
func describe(vals []string) (string, []Step) {
	n := len(vals)
	if n == 0 {
		return "empty in the sample", nil
	}
	if s, ok, layout, found := inferDate(vals); found {
		if layout == "ISO" {
			return fmt.Sprintf("ISO dates (%s)", ofSample(ok, n)), nil
		}
		arg := map[string]any{"layout": layout, "output": "yyyy-MM-dd"}
		_ = s
		return fmt.Sprintf("%s dates (%s)", layout, ofSample(ok, n)), []Step{{Name: "date", Arg: arg}}
	}
	if ok, _ := passing([]Step{{Name: "bool"}}, nil, vals); ok == n {
		return fmt.Sprintf("yes/no values (%s)", ofSample(ok, n)), nil
	}
	if z := leadingZeros(vals); z > 0 {
		return fmt.Sprintf("codes with leading zeros (%d of %d): keep them as text", z, n), nil
	}
	if s, ok, what := inferNumber("number", vals); ok == n {
		return fmt.Sprintf("%s (%s)", what, ofSample(ok, n)), []Step{s}
	}
	if share(vals, emailLike) == n {
		return "e-mail addresses", nil
	}
	distinct := map[string]bool{}
	for _, v := range vals {
		distinct[strings.TrimSpace(v)] = true
	}
	if len(distinct) <= 12 && n >= 2*len(distinct) {
		keys := make([]string, 0, len(distinct))
		for k := range distinct {
			keys = append(keys, clip(k, 20))
		}
		sort.Strings(keys)
		return fmt.Sprintf("%d distinct values: %s", len(keys), strings.Join(keys, ", ")), nil
	}
	return "text", nil
}

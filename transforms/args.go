package transforms

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// ArgError reports a bad argument given to a transform or a check, so that a
// mapping loader can point at the offending YAML node: Key names the option
// inside a map argument ("" when the whole argument is at fault; for an
// entry of map's table, the entry's key in the short form and "values" in
// the long form) and Index is the position inside a list argument, either
// the argument itself or the option named by Key (-1 when it does not apply).
type ArgError struct {
	Name  string // transform or check name, e.g. "number"
	Key   string // option name, e.g. "decimal"; "" for the whole argument
	Index int    // 0-based position in a list argument, or -1
	Msg   string // what is wrong, e.g. `decimal separator must be "," or ".", got ";"`
}

// Error returns "name: msg".
func (e *ArgError) Error() string { return e.Name + ": " + e.Msg }

func argErr(name, key string, format string, a ...any) *ArgError {
	return &ArgError{Name: name, Key: key, Index: -1, Msg: fmt.Sprintf(format, a...)}
}

// options reads a map argument, remembering which keys were read so that
// unknown keys can be reported with a suggestion.
type options struct {
	name string
	m    map[string]any
}

// asOptions converts a decoded YAML map. YAML decoders produce either
// map[string]any or map[any]any.
func asOptions(name string, arg any) (*options, bool) {
	switch a := arg.(type) {
	case map[string]any:
		return &options{name: name, m: a}, true
	case map[any]any:
		m := make(map[string]any, len(a))
		for k, v := range a {
			m[scalarText(k)] = v
		}
		return &options{name: name, m: m}, true
	}
	return nil, false
}

// check reports the first key (in sorted order) that is not one of valid.
func (o *options) check(valid ...string) error {
	for _, k := range slices.Sorted(maps.Keys(o.m)) {
		if slices.Contains(valid, k) {
			continue
		}
		msg := fmt.Sprintf("unknown option %q (options: %s)", k, strings.Join(valid, ", "))
		if s := Suggest(k, valid); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return &ArgError{Name: o.name, Key: k, Index: -1, Msg: msg}
	}
	return nil
}

func (o *options) has(key string) bool { _, ok := o.m[key]; return ok }

func (o *options) str(key string) (string, bool, error) {
	v, ok := o.m[key]
	if !ok || v == nil {
		return "", false, nil
	}
	s, ok := scalar(v)
	if !ok {
		return "", false, argErr(o.name, key, "%s must be a text, got %s", key, kindOf(v))
	}
	return s, true, nil
}

func (o *options) boolean(key string) (bool, error) {
	v, ok := o.m[key]
	if !ok || v == nil {
		return false, nil
	}
	b, ok := asBool(v)
	if !ok {
		return false, argErr(o.name, key, "%s must be true or false, got %s", key, describe(v))
	}
	return b, nil
}

func (o *options) list(key string) ([]string, bool, error) {
	v, ok := o.m[key]
	if !ok || v == nil {
		return nil, false, nil
	}
	l, err := stringList(o.name, key, v)
	return l, true, err
}

// stringList accepts a list of scalars, or a single scalar as a one-item list.
func stringList(name, key string, v any) ([]string, error) {
	if s, ok := scalar(v); ok {
		return []string{s}, nil
	}
	l, ok := v.([]any)
	if !ok {
		if ss, ok := v.([]string); ok {
			return ss, nil
		}
		return nil, argErr(name, key, "want a list of texts, got %s", kindOf(v))
	}
	out := make([]string, len(l))
	for i, it := range l {
		s, ok := scalar(it)
		if !ok {
			return nil, &ArgError{Name: name, Key: key, Index: i, Msg: fmt.Sprintf("item %d must be a text, got %s", i+1, kindOf(it))}
		}
		out[i] = s
	}
	return out, nil
}

// scalar converts a decoded YAML scalar to its text.
func scalar(v any) (string, bool) {
	switch v.(type) {
	case string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return scalarText(v), true
	}
	return "", false
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func asBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint:
		return float64(x), true
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case string:
		n, err := parseNumber(x, numberFormat{})
		if err != nil || n == "" {
			return 0, false
		}
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case string:
		return "a text"
	case bool:
		return "a boolean"
	case []any, []string:
		return "a list"
	case map[string]any, map[any]any:
		return "a map"
	}
	if _, ok := asFloat(v); ok {
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

func describe(v any) string {
	if s, ok := scalar(v); ok {
		return strconv.Quote(s)
	}
	return kindOf(v)
}

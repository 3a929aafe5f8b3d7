package transforms

import (
	"fmt"
	"strings"
)

// Default words of the bool transform, compared without regard to case.
var (
	defaultTrueWords  = []string{"true", "yes", "y", "oui", "o", "si", "sí", "vrai", "1", "x", "on"}
	defaultFalseWords = []string{"false", "no", "n", "non", "faux", "0", "off"}
)

type boolTransform struct {
	words map[string]string // lower-cased word → "true" / "false"
	empty string            // what an empty cell becomes: "", "true" or "false"
	hint  string            // the accepted words, for errors
}

func (t *boolTransform) convert(s string) (string, error) {
	w := strings.ToLower(trimSpace(s))
	if w == "" {
		return t.empty, nil
	}
	if b, ok := t.words[w]; ok {
		return b, nil
	}
	return "", fmt.Errorf("bool: %q is not a yes/no value (%s)", s, t.hint)
}

func (t *boolTransform) Apply(v Value) (Value, error) { return v.mapText(t.convert) }

// newBool builds bool. The argument is nil or a map
// {true_values: [...], false_values: [...], empty: false}.
func newBool(arg any) (Transform, error) {
	tw, fw := defaultTrueWords, defaultFalseWords
	t := &boolTransform{}
	if arg != nil {
		o, ok := asOptions("bool", arg)
		if !ok {
			return nil, argErr("bool", "", "the argument is a map {true_values: [...], false_values: [...], empty: false}, got %s", kindOf(arg))
		}
		if err := o.check("true_values", "false_values", "empty"); err != nil {
			return nil, err
		}
		if l, ok, err := o.list("true_values"); err != nil {
			return nil, err
		} else if ok {
			tw = l
		}
		if l, ok, err := o.list("false_values"); err != nil {
			return nil, err
		} else if ok {
			fw = l
		}
		if v, ok := o.m["empty"]; ok && v != nil {
			b, ok := asBool(v)
			if !ok {
				return nil, argErr("bool", "empty", "empty must be true or false, got %s", describe(v))
			}
			t.empty = fmt.Sprint(b)
		}
	}
	t.words = make(map[string]string, len(tw)+len(fw))
	for _, w := range tw {
		t.words[strings.ToLower(trimSpace(w))] = "true"
	}
	for _, w := range fw {
		k := strings.ToLower(trimSpace(w))
		if t.words[k] == "true" {
			return nil, argErr("bool", "false_values", "%q is both a true and a false value", w)
		}
		t.words[k] = "false"
	}
	t.hint = "true: " + strings.Join(tw, ", ") + "; false: " + strings.Join(fw, ", ")
	return t, nil
}

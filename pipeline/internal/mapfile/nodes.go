package mapfile

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stbulk/stbulk/transforms"
)

// Add reports a problem at a node (at the whole file when n is nil).
func (f *File) Add(n *yaml.Node, format string, args ...any) {
	p := Problem{File: f.path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	f.problems = append(f.problems, p)
}

// AddProblem reports a problem located by its caller (inside a scalar's
// text, say).
func (f *File) AddProblem(p Problem) {
	p.File = f.path
	f.problems = append(f.problems, p)
}

// Pairs returns the key/value nodes of a mapping node by key, reporting
// keys that are not in known (with a suggestion) and keys given twice; what
// names the mapping in problems. A nil known accepts every key.
func (f *File) Pairs(n *yaml.Node, what string, known []string) map[string][2]*yaml.Node {
	out := map[string][2]*yaml.Node{}
	n = Deref(n)
	if n.Kind != yaml.MappingNode {
		f.Add(n, "%s must be a mapping of keys to values, got %s", what, Describe(n))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := Deref(n.Content[i]), Deref(n.Content[i+1])
		if known != nil && !slices.Contains(known, k.Value) {
			msg := fmt.Sprintf("unknown key %q in %s", k.Value, what)
			if s := transforms.Suggest(k.Value, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (keys: " + strings.Join(known, ", ") + ")"
			}
			f.Add(k, "%s", msg)
			continue
		}
		if prev, dup := out[k.Value]; dup {
			f.Add(k, "%q is given twice in %s (first at line %d)", k.Value, what, prev[0].Line)
			continue
		}
		out[k.Value] = [2]*yaml.Node{k, v}
	}
	return out
}

// Scalar returns a node's single value, reporting anything else.
func (f *File) Scalar(n *yaml.Node, what string) (string, bool) {
	n = Deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		f.Add(n, "%s must be a single value, got %s", what, Describe(n))
		return "", false
	}
	return n.Value, true
}

// Integer returns a node's whole number of at least min, reporting
// anything else.
func (f *File) Integer(n *yaml.Node, what string, min int) (int, bool) {
	s, ok := f.Scalar(n, what)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < min {
		f.Add(n, "%s must be a whole number of at least %d, got %q", what, min, s)
		return 0, false
	}
	return v, true
}

// Header checks what import and export mapping files share: the root is a
// mapping of known keys, not a file of the other kind (other: its key and
// command), with version 1. It returns the keys, or false when the file
// cannot be read further.
func (f *File) Header(root *yaml.Node, what string, known []string, other string) (map[string][2]*yaml.Node, bool) {
	if r := Deref(root); r.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(r.Content); i += 2 {
			if k := Deref(r.Content[i]); k.Value == other {
				f.Add(k, "this is an %s mapping file: run it with stbulk %s", other, other)
				return nil, false
			}
		}
	}
	kv := f.Pairs(root, what, known)
	if Deref(root).Kind != yaml.MappingNode {
		return nil, false
	}
	if p, ok := kv["version"]; !ok {
		f.Add(root, "missing \"version: 1\"")
	} else if v, ok := f.Scalar(p[1], "version"); ok && v != "1" {
		f.Add(p[1], "version %q is not supported: this stbulk reads version 1", v)
	}
	if p, ok := kv["description"]; ok {
		f.Scalar(p[1], "description")
	}
	return kv, true
}

// Steps reads a transform or check list: a name, a list of names and
// one-key mappings ({split: ";"}), or one such mapping alone. build makes
// each step; its errors are reported at the step, or at the part of the
// argument a *transforms.ArgError names.
func (f *File) Steps(n *yaml.Node, what string, build func(name string, arg any) (any, error)) []any {
	n = Deref(n)
	var items []*yaml.Node
	switch n.Kind {
	case yaml.SequenceNode:
		items = n.Content
	case yaml.ScalarNode, yaml.MappingNode:
		items = []*yaml.Node{n}
	default:
		f.Add(n, "%s must be a name, a {name: argument} or a list of them", what)
		return nil
	}
	var out []any
	for _, it := range items {
		it = Deref(it)
		var name string
		var arg any
		var argNode *yaml.Node
		switch it.Kind {
		case yaml.ScalarNode:
			name = it.Value
		case yaml.MappingNode:
			if len(it.Content) != 2 {
				f.Add(it, "each %s is written {name: argument}, one name per item", what)
				continue
			}
			name, argNode = Deref(it.Content[0]).Value, Deref(it.Content[1])
			if err := argNode.Decode(&arg); err != nil {
				f.Add(argNode, "%s %s: %v", what, name, err)
				continue
			}
		default:
			f.Add(it, "each %s is a name or {name: argument}, got %s", what, Describe(it))
			continue
		}
		v, err := build(name, arg)
		if err != nil {
			f.Add(argPos(it, argNode, err), "%v", err)
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
			if Deref(arg.Content[i]).Value == ae.Key {
				opt := Deref(arg.Content[i+1])
				if ae.Index >= 0 && opt.Kind == yaml.SequenceNode && ae.Index < len(opt.Content) {
					return Deref(opt.Content[ae.Index])
				}
				return opt
			}
		}
	}
	if ae.Index >= 0 && arg.Kind == yaml.SequenceNode && ae.Index < len(arg.Content) {
		return Deref(arg.Content[ae.Index])
	}
	return arg
}

// Deref returns the node an alias (*name) stands for.
func Deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// Describe names what a node is, for problems: "a mapping", "a list",
// "nothing", or its value quoted (cut at 40 characters).
func Describe(n *yaml.Node) string {
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

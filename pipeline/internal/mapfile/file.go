// Package mapfile reads stbulk's mapping files, import and export alike:
// it bounds their size, requires UTF-8, locates YAML errors, bounds what
// aliases expand to, checks the version header and tells an import mapping
// from an export one. It gives the checks of both kinds of mapping files
// their primitives (a value of a key, a single value, a whole number, a
// list of steps), each reporting its mistakes as a Problem located at a
// line and column, and it locates positions inside a scalar's text for
// expression errors.
package mapfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxSize is the largest mapping file read: 1 MiB.
const MaxSize = 1 << 20

// MaxProblems is the most problems reported for one mapping file.
const MaxProblems = 50

// maxAliased bounds the nodes a mapping file reaches through aliases
// (*name), counted as often as they are reached: a few KB of YAML can
// otherwise stand for billions of nodes.
const maxAliased = 10000

// File is a mapping file being checked: its text, to locate positions,
// and the problems found so far.
type File struct {
	path     string
	text     *source
	problems Problems
}

// Read reads a mapping file of at most MaxSize bytes; a file that cannot
// be read or is bigger is a Problems error.
func Read(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Problems{{File: path, Msg: "cannot read the mapping file: " + unwrapPathError(err)}}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxSize {
		return nil, Problems{tooBig(path, fi.Size())}
	}
	// Read one byte more than allowed, to tell a file that is too big.
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, Problems{{File: path, Msg: "cannot read the mapping file: " + unwrapPathError(err)}}
	}
	return data, nil
}

// Parse reads a mapping file's YAML and returns the File to check it with
// and the document's root; path names the file in problems, needs says what
// an empty file lacks. A file that is too big, not UTF-8, not YAML, empty
// or whose aliases expand too much is a Problems error.
func Parse(path string, data []byte, needs string) (*File, *yaml.Node, error) {
	if len(data) > MaxSize {
		return nil, nil, Problems{tooBig(path, int64(len(data)))}
	}
	if !utf8.Valid(data) {
		line, col := notUTF8At(data)
		return nil, nil, Problems{{File: path, Line: line, Col: col, Msg: "the mapping file is not UTF-8 text: save it as UTF-8"}}
	}
	f := &File{path: path, text: newSource(data)}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, Problems{f.yamlProblem(err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil, Problems{{File: path, Msg: "the mapping file is empty; it needs at least " + needs}}
	}
	if p, ok := f.checkAliases(doc.Content[0]); !ok {
		return nil, nil, Problems{p}
	}
	return f, doc.Content[0], nil
}

// Result returns the problems found, sorted, at most MaxProblems of them;
// nil when there are none.
func (f *File) Result() error {
	if len(f.problems) == 0 {
		return nil
	}
	ps := f.problems.Sorted()
	if len(ps) > MaxProblems {
		more := len(ps) - MaxProblems
		ps = append(ps[:MaxProblems:MaxProblems], Problem{File: f.path, Msg: fmt.Sprintf("… and %d more problems", more)})
	}
	return ps
}

// Declares reports whether data is YAML whose root is a mapping holding
// key, without checking anything else: it tells an import mapping file
// ("import:") from an export one ("export:") before either is loaded.
func Declares(data []byte, key string) bool {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return false
	}
	root := Deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if Deref(root.Content[i]).Value == key {
			return true
		}
	}
	return false
}

func tooBig(path string, size int64) Problem {
	what := fmt.Sprintf("%.1f MiB", float64(size)/(1<<20))
	if size == MaxSize+1 {
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

// checkAliases walks the document as its aliases expand it, and refuses
// one that expands too much or holds an anchor inside itself, before values
// are read through aliases.
func (f *File) checkAliases(root *yaml.Node) (Problem, bool) {
	aliased := 0
	open := map[*yaml.Node]bool{}
	var bad *Problem
	var walk func(n *yaml.Node, viaAlias bool) bool
	walk = func(n *yaml.Node, viaAlias bool) bool {
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil || open[n.Alias] {
				bad = &Problem{File: f.path, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("YAML: anchor %q is used inside itself", n.Value)}
				return false
			}
			open[n.Alias] = true
			ok := walk(n.Alias, true)
			delete(open, n.Alias)
			return ok
		}
		if viaAlias {
			if aliased++; aliased > maxAliased {
				bad = &Problem{File: f.path, Line: n.Line, Col: n.Column,
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

var (
	yamlLine      = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// yamlProblem locates an error of the YAML parser.
func (f *File) yamlProblem(err error) Problem {
	msg := err.Error()
	if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		// The parser does not say where: the first *name used before any
		// &name is.
		p := Problem{File: f.path, Msg: fmt.Sprintf("YAML: unknown anchor %q: define it with &%s before using *%s", m[1], m[1], m[1])}
		p.Line, p.Col = f.text.findAlias(m[1])
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
			if n := f.text.tabIndented(line); n > 0 {
				return Problem{File: f.path, Line: n, Col: 1, Msg: "YAML: " + m[2] + ": indent with spaces"}
			}
		}
		return Problem{File: f.path, Line: line, Msg: "YAML: " + m[2]}
	}
	return Problem{File: f.path, Msg: "YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

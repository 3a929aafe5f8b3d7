package mapfile

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzLocate reads arbitrary mapping files and locates positions inside
// every scalar: it must never panic, and a position is within the file (a
// line at most one past its last, a column ≥ 1).
func FuzzLocate(f *testing.F) {
	for _, s := range []string{
		"e: A + B\n",
		"e: \"A + B\"\n",
		"e: !!str &a\n  A +\n  B\n",
		"e: |\n  A +\n    B\n",
		"e: >-\n  A +\n  B\n",
		"e: >\n  A +\n\n    B\n",
		"a: [x, 'y', \"z\"]\r\nb: {c: d}\u2028",
	} {
		f.Add([]byte(s), 1, 3)
	}
	f.Fuzz(func(t *testing.T, data []byte, line, col int) {
		file, root, err := Parse("m.yaml", data, "something")
		if err != nil {
			return
		}
		last := len(file.text.lines) + 1
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.ScalarNode {
				p := file.Locate(n)
				for _, in := range [][2]int{{line, col}, {1, 1}, {1, len(n.Value) + 1}} {
					if l, c := p.At(in[0], in[1]); l < 1 || l > last || c < 1 {
						t.Fatalf("At(%d, %d) of %q = %d:%d: want a line from 1 to %d, a column ≥ 1", in[0], in[1], n.Value, l, c, last)
					}
				}
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(root)
	})
}

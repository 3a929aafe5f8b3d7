package mapfile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// exprNode parses src and returns the File and the value of its key "e".
func exprNode(t *testing.T, src string) (*File, *yaml.Node) {
	t.Helper()
	f, root, err := Parse("m.yaml", []byte(src), "e")
	if err != nil {
		t.Fatal(err)
	}
	kv := f.Pairs(root, "the test file", nil)
	p, ok := kv["e"]
	if !ok {
		t.Fatalf("no key e in %q", src)
	}
	return f, Deref(p[1])
}

func TestLocate(t *testing.T) {
	t.Parallel()
	type at struct{ Line, Col int }
	tests := []struct {
		name  string
		src   string
		start at
		// positions in the scalar's text → where they are in the file
		in, want []at
	}{
		{"plain", "x: 1\ne: A + B\n", at{2, 4},
			[]at{{1, 1}, {1, 5}, {1, 99}}, []at{{2, 4}, {2, 8}, {2, 8}}},
		{"double quoted", "e: \"A + B\"\n", at{1, 5},
			[]at{{1, 1}, {1, 5}}, []at{{1, 5}, {1, 9}}},
		{"single quoted", "e: 'A + B'\n", at{1, 5},
			[]at{{1, 5}}, []at{{1, 9}}},
		{"anchor and tag", "e: !!str &a\n  A + B\n", at{2, 3},
			[]at{{1, 5}}, []at{{2, 7}}},
		{"plain on two lines", "e: A +\n  B\n", at{1, 4},
			[]at{{1, 1}, {1, 5}}, []at{{1, 4}, {2, 3}}},
		{"literal", "e: |\n  A +\n    B\n", at{2, 3},
			[]at{{1, 1}, {2, 3}, {2, 9}}, []at{{2, 3}, {3, 5}, {3, 5}}},
		{"folded", "e: >-\n  A +\n  B\n", at{2, 3},
			[]at{{1, 1}, {1, 5}}, []at{{2, 3}, {3, 3}}},
		{"folded, not a simple join", "e: >\n  A +\n\n    B\n", at{2, 3},
			[]at{{3, 5}}, []at{{2, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, n := exprNode(t, tt.src)
			p := f.Locate(n)
			if got := (at{p.Line, p.Col}); got != tt.start {
				t.Errorf("start %v, want %v", got, tt.start)
			}
			var got []at
			for _, in := range tt.in {
				l, c := p.At(in.Line, in.Col)
				got = append(got, at{l, c})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("At (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewSourceSplitsAtYAMLLineBreaks(t *testing.T) {
	t.Parallel()
	s := newSource([]byte("a\r\nb\rc\nd\u0085e\u2028f\u2029g"))
	want := []string{"a", "b", "c", "d", "e", "f", "g"}
	if diff := cmp.Diff(want, s.lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if s.line(0) != "" || s.line(8) != "" || s.width(4) != 1 {
		t.Errorf("line(0) %q, line(8) %q, width(4) %d", s.line(0), s.line(8), s.width(4))
	}
}

func TestFindAlias(t *testing.T) {
	t.Parallel()
	s := newSource([]byte("a: x # *n\nb: [1, *n]\nc: &n 2\n"))
	if l, c := s.findAlias("n"); l != 2 || c != 8 {
		t.Errorf("findAlias = %d:%d, want 2:8", l, c)
	}
	s = newSource([]byte("a: &n 1\nb: *n\n"))
	if l, c := s.findAlias("n"); l != 0 || c != 0 {
		t.Errorf("findAlias of a defined anchor = %d:%d, want 0:0", l, c)
	}
}

func TestNotUTF8At(t *testing.T) {
	t.Parallel()
	if l, c := notUTF8At([]byte("ab\ncé\xffd")); l != 2 || c != 3 {
		t.Errorf("notUTF8At = %d:%d, want 2:3", l, c)
	}
}

package mapfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/transforms"
)

func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want Problems", err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.Error())
	}
	return out
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "m.yaml: the mapping file is empty; it needs at least version and more"},
		{"comments only", "# nothing\n", "m.yaml: the mapping file is empty; it needs at least version and more"},
		{"not UTF-8", "a: 1\nb: caf\xe9\n", "m.yaml:2:7: the mapping file is not UTF-8 text: save it as UTF-8"},
		{"too big", strings.Repeat("#", MaxSize+1), "m.yaml: the mapping file is over 1 MiB (1048577 bytes): is this a data file? a mapping file is YAML of a few KB"},
		{"left open", "a: 1\nb: [c\n", "m.yaml:2: YAML: did not find expected ',' or ']'"},
		{"tab", "a:\n  b: 1\n\tc: 2\n", "m.yaml:3:1: YAML: found a tab character that violates indentation: indent with spaces"},
		{"unknown anchor", "a: 1\nb: *x\n", `m.yaml:2:4: YAML: unknown anchor "x": define it with &x before using *x`},
		{"inside itself", "a: &a\n  b: *a\n", `m.yaml:2:6: YAML: anchor "a" is used inside itself`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, root, err := Parse("m.yaml", []byte(tt.src), "version and more")
			if f != nil || root != nil {
				t.Errorf("got a file and a root with the error")
			}
			if diff := cmp.Diff([]string{tt.want}, problemsOf(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.yaml")
	_, err := Read(missing)
	if diff := cmp.Diff([]string{missing + ": cannot read the mapping file: no such file or directory"}, problemsOf(t, err)); diff != "" {
		t.Errorf("missing file (-want +got):\n%s", diff)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, MaxSize*3/2), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Read(big)
	want := fmt.Sprintf("%s: the mapping file is 1.5 MiB (%d bytes): is this a data file? a mapping file is YAML of a few KB", big, MaxSize*3/2)
	if diff := cmp.Diff([]string{want}, problemsOf(t, err)); diff != "" {
		t.Errorf("big file (-want +got):\n%s", diff)
	}
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := Read(good); err != nil || string(b) != "version: 1\n" {
		t.Errorf("Read = %q, %v", b, err)
	}
}

func TestHeader(t *testing.T) {
	t.Parallel()
	known := []string{"version", "description", "import", "fields"}
	tests := []struct {
		name, src string
		ok        bool
		want      []string
	}{
		{"good", "version: 1\nimport: x\n", true, nil},
		{"other kind", "version: 1\nexport: jobs\n", false, []string{"m.yaml:2:1: this is an export mapping file: run it with stbulk export"}},
		{"not a mapping", "- a\n", false, []string{`m.yaml:1:1: the file must be a mapping of keys to values, got a list`}},
		{"version", "version: 2\nimprt: x\nimport: y\nimport: z\ndescription: [a]\n", true, []string{
			`m.yaml:1:10: version "2" is not supported: this stbulk reads version 1`,
			`m.yaml:2:1: unknown key "imprt" in the file (did you mean "import"?)`,
			`m.yaml:4:1: "import" is given twice in the file (first at line 3)`,
			`m.yaml:5:14: description must be a single value, got a list`,
		}},
		{"no version", "import: x\n", true, []string{`m.yaml:1:1: missing "version: 1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, root, err := Parse("m.yaml", []byte(tt.src), "version")
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := f.Header(root, "the file", known, "export"); ok != tt.ok {
				t.Errorf("ok = %v, want %v", ok, tt.ok)
			}
			var got []string
			if err := f.Result(); err != nil {
				got = problemsOf(t, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScalarAndInteger(t *testing.T) {
	t.Parallel()
	f, root, err := Parse("m.yaml", []byte("a: ~\nb: {x: 1}\nc: 0\nd: 7\ne: '"+strings.Repeat("x", 50)+"'\n"), "a")
	if err != nil {
		t.Fatal(err)
	}
	kv := f.Pairs(root, "m", nil)
	if _, ok := f.Scalar(kv["a"][1], "a"); ok {
		t.Error("a null is a single value")
	}
	if _, ok := f.Scalar(kv["b"][1], "b"); ok {
		t.Error("a mapping is a single value")
	}
	if _, ok := f.Integer(kv["c"][1], "c", 1); ok {
		t.Error("0 is at least 1")
	}
	if v, ok := f.Integer(kv["d"][1], "d", 1); !ok || v != 7 {
		t.Errorf("d = %d, %v", v, ok)
	}
	if _, ok := f.Integer(kv["e"][1], "e", 1); ok {
		t.Error("text is a whole number")
	}
	want := []string{
		"m.yaml:1:4: a must be a single value, got nothing",
		"m.yaml:2:4: b must be a single value, got a mapping",
		`m.yaml:3:4: c must be a whole number of at least 1, got "0"`,
		fmt.Sprintf(`m.yaml:5:4: e must be a whole number of at least 1, got %q`, strings.Repeat("x", 50)),
	}
	if diff := cmp.Diff(want, problemsOf(t, f.Result())); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got := Describe(kv["e"][1]); got != fmt.Sprintf("%q…", strings.Repeat("x", 40)) {
		t.Errorf("Describe = %s", got)
	}
}

// An error of a step's argument is reported at the option or the item it
// names.
func TestStepsLocatesArgumentErrors(t *testing.T) {
	t.Parallel()
	src := "t: [trim, {numbr: 1}, {number: {decimal: x}}, [a]]\n"
	f, root, err := Parse("m.yaml", []byte(src), "t")
	if err != nil {
		t.Fatal(err)
	}
	kv := f.Pairs(root, "m", []string{"t"})
	steps := f.Steps(kv["t"][1], "transform", func(name string, arg any) (any, error) { return transforms.New(name, arg) })
	if len(steps) != 1 {
		t.Errorf("got %d steps, want 1 (trim)", len(steps))
	}
	got := problemsOf(t, f.Result())
	want := []string{
		`m.yaml:1:12: unknown transform "numbr"`,
		`m.yaml:1:42: number: decimal separator must be`,
		`m.yaml:1:47: each transform is a name or {name: argument}, got a list`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
}

func TestResultCapsProblems(t *testing.T) {
	t.Parallel()
	f, _, err := Parse("m.yaml", []byte("a: 1\n"), "a")
	if err != nil {
		t.Fatal(err)
	}
	if f.Result() != nil {
		t.Error("Result of no problem is not nil")
	}
	for i := range MaxProblems + 5 {
		f.problems = append(f.problems, Problem{File: "m.yaml", Line: MaxProblems + 5 - i, Msg: "x"})
	}
	got := problemsOf(t, f.Result())
	if len(got) != MaxProblems+1 || got[0] != "m.yaml:1: x" || got[MaxProblems] != "m.yaml: … and 5 more problems" {
		t.Errorf("got %d problems, first %q, last %q", len(got), got[0], got[len(got)-1])
	}
}

func TestProblems(t *testing.T) {
	t.Parallel()
	ps := Problems{
		{File: "b.yaml", Line: 1, Col: 2, Msg: "b"},
		{File: "a.yaml", Line: 3, Msg: "second"},
		{File: "a.yaml", Msg: "whole"},
		{File: "a.yaml", Line: 3, Msg: "third"},
	}
	want := "a.yaml: whole\na.yaml:3: second\na.yaml:3: third\nb.yaml:1:2: b"
	if got := ps.Err().Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if Problems(nil).Err() != nil {
		t.Error("no problems is an error")
	}
}

func TestDeclares(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		want bool
	}{
		{"version: 1\nexport: jobs\n", true},
		{"k: &e export\n*e : jobs\n", true},
		{"version: 1\nimport: customer\n", false},
		{"- export\n", false},
		{"export: [\n", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Declares([]byte(tt.src), "export"); got != tt.want {
			t.Errorf("Declares(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

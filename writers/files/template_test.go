package files

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseTemplate(t *testing.T) {
	t.Parallel()
	good := []struct {
		in     string
		fields []string
	}{
		{"photos/{customerName}/{num}/{iteration}-{fileName}", []string{"customerName", "num", "iteration", "fileName"}},
		{"{num}/{num}-{num}.pdf", []string{"num"}},
		{"report.pdf", nil},
		{"a/b/c", nil},
		{"{customer.name}_{job_2}", []string{"customer.name", "job_2"}},
		{"{nom_élève}", []string{"nom_élève"}},
		{"..{num}", []string{"num"}},
		{"...", nil},
	}
	for _, tt := range good {
		tp, err := ParseTemplate(tt.in)
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", tt.in, err)
			continue
		}
		if tp.String() != tt.in {
			t.Errorf("ParseTemplate(%q).String() = %q", tt.in, tp.String())
		}
		if got := tp.Fields(); !slices.Equal(got, tt.fields) {
			t.Errorf("ParseTemplate(%q).Fields() = %q, want %q", tt.in, got, tt.fields)
		}
	}

	bad := []struct {
		in, want string // want is a part of the error
	}{
		{"", "empty"},
		{"/abs/{num}", `starts with "/"`},
		{`\\server\share`, `starts with "\\"`},
		{"C:/x", `drive "C:"`},
		{"c:x", `drive "c:"`},
		{"../{num}", `".." folder at character 1`},
		{"a/../b", `".." folder at character 3`},
		{"./a", `"." folder at character 1`},
		{"a/.", `"." folder at character 3`},
		{"a//b", "empty folder name at character 3"},
		{"a/", `ends with "/"`},
		{"{unclosed", "character 1 is never closed"},
		{"ab/{x", "character 4 is never closed"},
		{"x}", "character 2 has no matching"},
		{"{a}}", "character 4 has no matching"},
		{"{bad name!}", `' ' at character 5`},
		{"{a/b}", `'/' at character 3`},
		{"é{a-b}", `'-' at character 4`},
		{"{}", "character 1 has no field name"},
		{"{a{b}}", `"{" at character 3 is inside the placeholder opened at character 1`},
		{"a\xff", "not valid UTF-8"},
	}
	for _, tt := range bad {
		tp, err := ParseTemplate(tt.in)
		if err == nil {
			t.Errorf("ParseTemplate(%q) = %q, want an error", tt.in, tp.String())
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTemplate(%q): %v, want it to say %q", tt.in, err, tt.want)
		}
	}
}

func mustTemplate(t testing.TB, s string) *Template {
	t.Helper()
	tp, err := ParseTemplate(s)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestTemplateExpand(t *testing.T) {
	t.Parallel()
	const photos = "photos/{customerName}/{num}/{iteration}-{fileName}"
	tests := []struct {
		template string
		values   map[string]string
		want     string
	}{
		{photos, map[string]string{"customerName": "Café du Port", "num": "1042", "iteration": "1", "fileName": "IMG_0001.jpg"}, "photos/Café du Port/1042/1-IMG_0001.jpg"},
		{photos, map[string]string{"customerName": "../../etc", "num": "..", "iteration": "1", "fileName": "../../etc/passwd"}, "photos/_.._etc/_/1-.._.._etc_passwd"},
		{photos, map[string]string{}, "photos/_/_/-"},
		{photos, map[string]string{"customerName": "a/b", "num": "/", "fileName": `x\y`}, "photos/a_b/_/-x_y"},
		{"{customerName}/{fileName}", map[string]string{"customerName": "CON", "fileName": "nul.pdf"}, "_CON/_nul.pdf"},
		{"{customerName}/{fileName}", map[string]string{"customerName": ".", "fileName": "C:\\x"}, "_/C__x"},
		{"CON/{num}.pdf", map[string]string{"num": "7"}, "_CON/7.pdf"},
		{"{a}{a}", map[string]string{"a": "x"}, "xx"},
	}
	for _, tt := range tests {
		got := mustTemplate(t, tt.template).Expand(func(f string) string { return tt.values[f] })
		if got != tt.want {
			t.Errorf("%q with %q = %q, want %q", tt.template, tt.values, got, tt.want)
		}
		if !filepath.IsLocal(filepath.FromSlash(got)) {
			t.Errorf("%q with %q = %q is not local", tt.template, tt.values, got)
		}
	}
	if got := mustTemplate(t, "a/{b}").Expand(nil); got != "a/_" {
		t.Errorf("Expand(nil) = %q, want %q", got, "a/_")
	}
	if got := new(Template).Expand(nil); !filepath.IsLocal(got) {
		t.Errorf("zero Template: Expand = %q is not local", got)
	}
}

func FuzzTemplateExpand(f *testing.F) {
	f.Add("photos/{customerName}/{num}/{iteration}-{fileName}", "../../etc/passwd")
	f.Add("{a}", "..")
	f.Add("x/{a}/y", "CON")
	f.Fuzz(func(t *testing.T, template, value string) {
		tp, err := ParseTemplate(template)
		if err != nil {
			return
		}
		got := tp.Expand(func(string) string { return value })
		if !filepath.IsLocal(filepath.FromSlash(got)) {
			t.Fatalf("%q with %q = %q is not local", template, value, got)
		}
		for _, e := range strings.Split(got, "/") {
			if SafeName(e) != e {
				t.Fatalf("%q with %q = %q: element %q is not safe", template, value, got, e)
			}
		}
	})
}

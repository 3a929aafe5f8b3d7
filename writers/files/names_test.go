package files

import (
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var safeNameTests = []struct {
	in, want string
}{
	{"../../etc/passwd", "_.._etc_passwd"},
	{"..", "_"},
	{".", "_"},
	{"", "_"},
	{"   ", "_"},
	{" . . ", "_"},
	{"..hidden", "hidden"},
	{"CON", "_CON"},
	{"con.txt", "_con.txt"},
	{"Lpt9", "_Lpt9"},
	{"nul.tar.gz", "_nul.tar.gz"},
	{"CON .txt", "_CON .txt"},
	{"com¹.jpg", "_com¹.jpg"},
	{"COM0", "_COM0"},
	{"conin$", "_conin$"},
	{"CONSOLE", "CONSOLE"},
	{"COM10", "COM10"},
	{"LPT", "LPT"},
	{"a/b", "a_b"},
	{`a\b`, "a_b"},
	{"a:b", "a_b"},
	{`<>:"|?*`, "_______"},
	{"tab\tx", "tab_x"},
	{"\x00", "_"},
	{"line\nbreak\r", "line_break_"},
	{"del\x7f", "del_"},
	{"c1\u0085x", "c1_x"},
	{"image.png", "image.png"},
	{"Ça va.jpg", "Ça va.jpg"},
	{"日本語の写真.jpeg", "日本語の写真.jpeg"},
	{"\uFFFD.png", "\uFFFD.png"},
	{"a\xffb\xfe.jpg", "a_b_.jpg"},
	{"\xff", "_"},
	{"name. ", "name"},
	{"  name . jpg . ", "name . jpg"},
	// 300 bytes of two-byte runes: the cut falls inside a rune and steps back.
	{strings.Repeat("é", 150) + ".jpeg", strings.Repeat("é", 57) + ".jpeg"},
	// A 10-byte extension is kept, an 11-byte one is not.
	{strings.Repeat("x", 200) + ".abcdefghij", strings.Repeat("x", 109) + ".abcdefghij"},
	{strings.Repeat("x", 200) + ".abcdefghijk", strings.Repeat("x", 120)},
	// The cut leaves a trailing space, which is trimmed.
	{strings.Repeat("a", 119) + " " + strings.Repeat("b", 10), strings.Repeat("a", 119)},
	// The cut and trim reveal a reserved name.
	{"CON" + strings.Repeat(" ", 117) + "x", "_CON"},
	// The "_" prefix makes a 120-byte reserved name too long: it is cut again.
	{"CON." + strings.Repeat("a", 116), "_CON." + strings.Repeat("a", 115)},
	{strings.Repeat("a", 120), strings.Repeat("a", 120)},
	// Bidi controls, which make a name read otherwise than it is, are removed.
	{"invoice\u202Egpj.exe", "invoicegpj.exe"},
	{"\u202A\u202B\u202C\u202D\u202Ex\u2066\u2067\u2068\u2069\u200E\u200F.pdf", "x.pdf"},
	{"\u202E", "_"},
	{"CON\u2066", "_CON"},
	{" \u200F.name", "name"},
}

// checkSafeName reports what is wrong with got = SafeName(in).
func checkSafeName(t *testing.T, in, got string) {
	t.Helper()
	switch {
	case got == "", got == ".", got == "..":
		t.Errorf("SafeName(%q) = %q", in, got)
	case strings.ContainsAny(got, `/\`) || strings.ContainsRune(got, filepath.Separator):
		t.Errorf("SafeName(%q) = %q has a separator", in, got)
	case !utf8.ValidString(got):
		t.Errorf("SafeName(%q) = %q is not valid UTF-8", in, got)
	case len(got) > 120:
		t.Errorf("SafeName(%q) = %q is %d bytes long", in, got, len(got))
	case !filepath.IsLocal(got):
		t.Errorf("SafeName(%q) = %q is not local", in, got)
	case strings.Trim(got, " .") != got:
		t.Errorf("SafeName(%q) = %q starts or ends with a space or a dot", in, got)
	case strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f || strings.ContainsRune(`<>:"|?*`, r) }):
		t.Errorf("SafeName(%q) = %q has a character Windows refuses", in, got)
	case strings.ContainsFunc(got, bidiControl):
		t.Errorf("SafeName(%q) = %q has a bidi control character", in, got)
	}
	if again := SafeName(got); again != got {
		t.Errorf("SafeName(SafeName(%q)) = %q, want %q", in, again, got)
	}
}

func TestSafeName(t *testing.T) {
	t.Parallel()
	for _, tt := range safeNameTests {
		got := SafeName(tt.in)
		if got != tt.want {
			t.Errorf("SafeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		checkSafeName(t, tt.in, got)
	}
}

func FuzzSafeName(f *testing.F) {
	for _, tt := range safeNameTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafeName(t, in, SafeName(in))
	})
}

func TestUnique(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 60)   // 120 bytes
	long58 := strings.Repeat("é", 58) // 116 bytes, 120 with ".jpg"
	tests := []struct {
		in, want []string
	}{
		{nil, []string{}},
		{[]string{"a", "b"}, []string{"a", "b"}},
		{[]string{"x", "x", "x"}, []string{"x", "x-2", "x-3"}},
		{[]string{"image.png", "image.png", "Image.PNG", "image-2.png"}, []string{"image.png", "image-3.png", "Image-4.PNG", "image-2.png"}},
		{[]string{"a.png", "a.png", "a-2.png"}, []string{"a.png", "a-3.png", "a-2.png"}},
		{[]string{"a.png", "a.png", "a-2.png", "a-2.png"}, []string{"a.png", "a-3.png", "a-2.png", "a-2-2.png"}},
		{[]string{"d/a.png", "D/A.png", "e/a.png"}, []string{"d/a.png", "D/A-2.png", "e/a.png"}},
		{[]string{"p/r.tar.gz", "p/R.TAR.GZ", "p/.hidden", "p/.hidden"}, []string{"p/r.tar.gz", "p/R.TAR-2.GZ", "p/.hidden", "p/.hidden-2"}},
		{[]string{"Ça.jpg", "ça.jpg"}, []string{"Ça.jpg", "ça-2.jpg"}},
		{[]string{long, long}, []string{long, strings.Repeat("é", 59) + "-2"}},
		{[]string{long58 + ".jpg", long58 + ".jpg"}, []string{long58 + ".jpg", strings.Repeat("é", 57) + "-2.jpg"}},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.in)
		got := Unique(in)
		if !slices.Equal(in, tt.in) {
			t.Errorf("Unique changed its input to %q", in)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Unique(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := Unique(in); !slices.Equal(again, got) {
			t.Errorf("Unique(%q) = %q, then %q", tt.in, got, again)
		}
		safe := !slices.ContainsFunc(tt.in, func(p string) bool { return SafeName(path.Base(p)) != path.Base(p) })
		seen := map[string]bool{}
		for _, p := range got {
			k := strings.ToLower(p)
			if seen[k] {
				t.Errorf("Unique(%q) = %q: %q twice", tt.in, got, p)
			}
			seen[k] = true
			if base := path.Base(p); safe && SafeName(base) != base {
				t.Errorf("Unique(%q) = %q: %q is not a safe name", tt.in, got, base)
			}
		}
	}
}

package writers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
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

// hostileValues are values of fields that try to leave the output folder
// or to make an invalid name.
var hostileValues = []string{
	"../../etc/passwd", "..", ".", "", "CON", "con.txt", "a/b", `a\b`, "/abs", "C:\\Windows",
	"../" + strings.Repeat("x", 300), "\x00", "x\ny", "   ", "../../outside",
}

func TestExpandWritesInside(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	root := filepath.Join(parent, "out")
	folder, err := OpenFolder(root)
	if err != nil {
		t.Fatal(err)
	}
	defer folder.Close()
	templates := []*Template{
		mustTemplate(t, "t1/photos/{customerName}/{num}/{iteration}-{fileName}"),
		mustTemplate(t, "t2/{customerName}/{fileName}"),
		mustTemplate(t, "t3/{fileName}"),
	}
	var rels []string
	for _, tp := range templates {
		for _, v := range hostileValues {
			for _, w := range hostileValues {
				rels = append(rels, tp.Expand(func(f string) string {
					if f == "fileName" {
						return w
					}
					return v
				}))
			}
		}
	}
	rels = Unique(rels)
	for _, rel := range rels {
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			t.Fatalf("%q is not local", rel)
		}
		if _, err := folder.WriteFile(rel, strings.NewReader(rel)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil || string(got) != rel {
			t.Fatalf("%s holds %q, %v; want %q", rel, got, err, rel)
		}
	}
	var outside []string
	files := 0
	err = filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == parent || p == root {
			return nil
		}
		if r, err := filepath.Rel(root, p); err != nil || !filepath.IsLocal(r) {
			outside = append(outside, p)
		}
		if d.Type().IsRegular() {
			files++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(outside) > 0 {
		t.Errorf("written outside %s: %q", root, outside)
	}
	if files != len(rels) || len(folder.Manifest()) != len(rels) {
		t.Errorf("%d files, %d manifest entries, want %d", files, len(folder.Manifest()), len(rels))
	}
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

// tempFiles returns the temporary files left under root.
func tempFiles(t *testing.T, root string) []string {
	t.Helper()
	var tmp []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(d.Name(), ".tmp") {
			tmp = append(tmp, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tmp
}

func openFolder(t *testing.T, root string) *Folder {
	t.Helper()
	f, err := OpenFolder(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func writeString(t *testing.T, f *Folder, rel, content string) bool {
	t.Helper()
	changed, err := f.WriteFile(rel, strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return changed
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestWriteFileChanged(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	f := openFolder(t, root)
	const rel = "photos/Café/1-a.jpg"
	file := filepath.Join(root, filepath.FromSlash(rel))
	stat := func() os.FileInfo {
		t.Helper()
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		return fi
	}
	content := func() string {
		t.Helper()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	if !writeString(t, f, rel, "first") {
		t.Error("new file: changed = false")
	}
	steps := []struct {
		name    string
		folder  func() *Folder
		content string
		changed bool
	}{
		{"same content, hash from the manifest", func() *Folder { return f }, "first", false},
		{"same size, other content", func() *Folder { return f }, "FIRST", true},
		{"back to the first content", func() *Folder { return f }, "first", true},
		{"same content, folder saved and reopened", func() *Folder {
			if err := f.SaveManifest(); err != nil {
				t.Fatal(err)
			}
			return openFolder(t, root)
		}, "first", false},
		{"same content, no manifest: the file is hashed", func() *Folder {
			if err := os.Remove(filepath.Join(root, "manifest.json")); err != nil {
				t.Fatal(err)
			}
			return openFolder(t, root)
		}, "first", false},
		{"same size, other content, no manifest", func() *Folder {
			if err := os.Remove(filepath.Join(root, "manifest.json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
			return openFolder(t, root)
		}, "fir5t", true},
		{"longer content", func() *Folder { return f }, "first and more", true},
		{"empty content", func() *Folder { return f }, "", true},
		{"empty again", func() *Folder { return f }, "", false},
	}
	for _, s := range steps {
		before := stat()
		g := s.folder()
		changed := writeString(t, g, rel, s.content)
		after := stat()
		if changed != s.changed {
			t.Errorf("%s: changed = %v, want %v", s.name, changed, s.changed)
		}
		if got := content(); got != s.content {
			t.Errorf("%s: file holds %q, want %q", s.name, got, s.content)
		}
		if same := os.SameFile(before, after) && before.ModTime().Equal(after.ModTime()); same == s.changed {
			t.Errorf("%s: file replaced = %v, want %v", s.name, !same, s.changed)
		}
		want := ManifestEntry{Path: rel, Size: int64(len(s.content)), SHA256: sha256Hex(s.content)}
		if m := g.Manifest(); !slices.Equal(m, []ManifestEntry{want}) {
			t.Errorf("%s: manifest %+v, want %+v", s.name, m, want)
		}
		if fi := after; fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v", s.name, fi.Mode())
		}
		f = g
	}
	if tmp := tempFiles(t, root); len(tmp) > 0 {
		t.Errorf("temporary files left: %q", tmp)
	}
}

// failingReader yields data and then fails with err.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestWriteFileFails(t *testing.T) {
	t.Parallel()
	errBoom := errors.New("boom")
	readers := []struct {
		name string
		r    func() io.Reader
	}{
		{"at once", func() io.Reader { return iotest.ErrReader(errBoom) }},
		{"halfway", func() io.Reader { return &failingReader{data: strings.Repeat("new data ", 10000), err: errBoom} }},
		{"one byte at a time", func() io.Reader {
			return iotest.OneByteReader(io.MultiReader(strings.NewReader("new"), iotest.ErrReader(errBoom)))
		}},
	}
	targets := []struct {
		rel string
		old *string // nil: the target does not exist
	}{
		{"existing.txt", ptr("old content")},
		{"sub/folder/existing.bin", ptr("old")},
		{"missing.txt", nil},
		{"new/folder/missing.txt", nil},
	}
	for _, rd := range readers {
		for _, tg := range targets {
			t.Run(rd.name+"/"+tg.rel, func(t *testing.T) {
				t.Parallel()
				root := t.TempDir()
				f := openFolder(t, root)
				if tg.old != nil {
					writeString(t, f, tg.rel, *tg.old)
				}
				before := f.Manifest()
				changed, err := f.WriteFile(tg.rel, rd.r())
				if err == nil || changed {
					t.Fatalf("WriteFile = %v, %v; want an error", changed, err)
				}
				if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "write "+tg.rel+":") {
					t.Errorf("error %q does not wrap %v or name the path", err, errBoom)
				}
				got, rerr := os.ReadFile(filepath.Join(root, filepath.FromSlash(tg.rel)))
				switch {
				case tg.old == nil && !errors.Is(rerr, fs.ErrNotExist):
					t.Errorf("target exists: %q, %v", got, rerr)
				case tg.old != nil && string(got) != *tg.old:
					t.Errorf("target holds %q, %v; want %q", got, rerr, *tg.old)
				}
				if tmp := tempFiles(t, root); len(tmp) > 0 {
					t.Errorf("temporary files left: %q", tmp)
				}
				if after := f.Manifest(); !slices.Equal(after, before) {
					t.Errorf("manifest %+v, want %+v", after, before)
				}
			})
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestWriteFileRefusesPaths(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	root := filepath.Join(parent, "out")
	f := openFolder(t, root)
	writeString(t, f, "file", "x")
	for _, rel := range []string{
		"", ".", "..", "../x", "a/../../x", "/abs", "/", "manifest.json", "MANIFEST.JSON", "./manifest.json",
		"file/x", // a path element is a file
		"photos/", "photos/..",
	} {
		if changed, err := f.WriteFile(rel, strings.NewReader("data")); err == nil || changed {
			t.Errorf("WriteFile(%q) = %v, %v; want an error", rel, changed, err)
		} else if !strings.HasPrefix(err.Error(), "write") {
			t.Errorf("WriteFile(%q): %q does not name the operation", rel, err)
		}
		if err := f.Record(rel); err == nil {
			t.Errorf("Record(%q): no error", rel)
		}
	}
	if m := f.Manifest(); len(m) != 1 || m[0].Path != "file" {
		t.Errorf("manifest %+v", m)
	}
	entries, err := os.ReadDir(parent)
	if err != nil || len(entries) != 1 {
		t.Errorf("%s holds %v, %v", parent, entries, err)
	}
	if tmp := tempFiles(t, root); len(tmp) > 0 {
		t.Errorf("temporary files left: %q", tmp)
	}
}

func TestWriteFileSymlinks(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	root := filepath.Join(parent, "out")
	outside := filepath.Join(parent, "outside")
	for _, d := range []string{root, filepath.Join(outside, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"link":        outside,                                 // absolute, to a folder outside
		"rel":         filepath.Join("..", "outside"),          // relative, to a folder outside
		"secret.txt":  secret,                                  // to a file outside
		"up.txt":      filepath.Join("..", "outside", "x.txt"), // to a missing file outside
		"inside":      "photos",                                // to a folder inside
		"photos/loop": "..",                                    // to the root itself
	}
	if err := os.Mkdir(filepath.Join(root, "photos"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(name))); err != nil {
			t.Skipf("cannot make symbolic links: %v", err)
		}
	}
	f := openFolder(t, root)

	for _, rel := range []string{"link/x.txt", "link/sub/x.txt", "link/new/x.txt", "rel/x.txt", "link/secret.txt", "photos/loop/link/x.txt"} {
		if changed, err := f.WriteFile(rel, strings.NewReader("data")); err == nil || changed {
			t.Errorf("WriteFile(%q) = %v, %v; want an error", rel, changed, err)
		} else if !strings.Contains(err.Error(), rel) {
			t.Errorf("WriteFile(%q): %q does not name the path", rel, err)
		}
	}
	for _, rel := range []string{"link/sub", "link/secret.txt", "secret.txt", "rel/secret.txt"} {
		if err := f.Record(rel); err == nil {
			t.Errorf("Record(%q): no error", rel)
		}
	}
	// A link as the target itself is replaced by the file; what it points
	// to is not written.
	for _, rel := range []string{"secret.txt", "up.txt"} {
		if changed, err := f.WriteFile(rel, strings.NewReader("data")); err != nil || !changed {
			t.Errorf("WriteFile(%q) = %v, %v", rel, changed, err)
		}
		fi, err := os.Lstat(filepath.Join(root, rel))
		if err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s: %v, %v; want a regular file", rel, fi, err)
		}
	}
	// A link that stays inside is followed.
	if _, err := f.WriteFile("inside/x.txt", strings.NewReader("data")); err != nil {
		t.Error(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "photos", "x.txt")); err != nil || string(b) != "data" {
		t.Errorf("photos/x.txt: %q, %v", b, err)
	}

	var found []string
	err := filepath.WalkDir(outside, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != outside {
			found = append(found, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{secret, filepath.Join(outside, "sub")}; !slices.Equal(found, want) {
		t.Errorf("outside holds %q, want %q", found, want)
	}
	if b, err := os.ReadFile(secret); err != nil || string(b) != "secret" {
		t.Errorf("%s holds %q, %v", secret, b, err)
	}
	if tmp := tempFiles(t, parent); len(tmp) > 0 {
		t.Errorf("temporary files left: %q", tmp)
	}
}

func TestManifestRoundTrip(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	f := openFolder(t, root)
	files := map[string]string{
		"a.txt":                 "alpha",
		"photos/Ça va/1-b.jpg":  strings.Repeat("\xff\xd8jpeg", 1000),
		"photos/Ça va/1-c.pdf":  "%PDF-1.7",
		"Z/empty":               "",
		"photos/<>&/quoted.txt": `"x"`,
	}
	for rel, content := range files {
		writeString(t, f, rel, content)
	}
	// A file put there by another writer.
	if err := os.WriteFile(filepath.Join(root, "jobs.xlsx"), []byte("spreadsheet"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.Record("jobs.xlsx"); err != nil {
		t.Fatal(err)
	}
	files["jobs.xlsx"] = "spreadsheet"
	if err := f.SaveManifest(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveManifest(); err != nil { // saving again replaces the file
		t.Fatal(err)
	}

	want := make([]ManifestEntry, 0, len(files))
	for rel, content := range files {
		want = append(want, ManifestEntry{Path: rel, Size: int64(len(content)), SHA256: sha256Hex(content)})
	}
	slices.SortFunc(want, func(a, b ManifestEntry) int { return strings.Compare(a.Path, b.Path) })
	if got := f.Manifest(); !reflect.DeepEqual(got, want) {
		t.Errorf("Manifest() = %+v\nwant %+v", got, want)
	}

	raw, err := os.ReadFile(filepath.Join(root, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Files []ManifestEntry `json:"files"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Files, want) {
		t.Errorf("manifest.json lists %+v\nwant %+v", m.Files, want)
	}
	text := string(raw)
	if !strings.HasPrefix(text, "{\n  \"files\": [\n    {\n      \"path\": \"Z/empty\",") || !strings.HasSuffix(text, "]\n}\n") {
		t.Errorf("manifest.json layout:\n%s", text)
	}
	if !strings.Contains(text, `"photos/<>&/quoted.txt"`) {
		t.Errorf("manifest.json escapes HTML characters:\n%s", text)
	}
	if tmp := tempFiles(t, root); len(tmp) > 0 {
		t.Errorf("temporary files left: %q", tmp)
	}

	g := openFolder(t, root)
	if got := g.Manifest(); !reflect.DeepEqual(got, want) {
		t.Errorf("reopened: Manifest() = %+v\nwant %+v", got, want)
	}

	// A deleted file is dropped, a changed one is hashed again, a folder
	// in place of a file is dropped.
	if err := os.Remove(filepath.Join(root, "a.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "jobs.xlsx"), []byte("bigger spreadsheet"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "Z", "empty")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "Z", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := openFolder(t, root)
	var want2 []ManifestEntry
	for _, e := range want {
		switch e.Path {
		case "a.txt", "Z/empty":
			continue
		case "jobs.xlsx":
			e = ManifestEntry{Path: e.Path, Size: 18, SHA256: sha256Hex("bigger spreadsheet")}
		}
		want2 = append(want2, e)
	}
	if got := h.Manifest(); !reflect.DeepEqual(got, want2) {
		t.Errorf("after changes: Manifest() = %+v\nwant %+v", got, want2)
	}
}

func TestEmptyManifest(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "new", "folder")
	f := openFolder(t, root)
	if f.Root() != root {
		t.Errorf("Root() = %q, want %q", f.Root(), root)
	}
	if m := f.Manifest(); len(m) != 0 {
		t.Errorf("Manifest() = %+v", m)
	}
	if err := f.SaveManifest(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, "manifest.json"))
	if err != nil || string(raw) != "{\n  \"files\": []\n}\n" {
		t.Errorf("manifest.json: %q, %v", raw, err)
	}
}

func TestBadManifest(t *testing.T) {
	t.Parallel()
	entry := func(path string, size int64, sum string) string {
		return fmt.Sprintf(`{"files":[{"path":%q,"size":%d,"sha256":%q}]}`, path, size, sum)
	}
	sum := sha256Hex("x")
	tests := []struct {
		name, content, want string
	}{
		{"truncated", `{"files":[`, "unexpected EOF"},
		{"not JSON", "files: []", "invalid character"},
		{"trailing text", `{"files":[]} x`, "text follows"},
		{"wrong type", `{"files":{}}`, "cannot unmarshal"},
		{"path outside", entry("../x", 1, sum), "not a relative path inside the folder"},
		{"absolute path", entry("/x", 1, sum), "not a relative path inside the folder"},
		{"empty path", entry("", 1, sum), "not a relative path inside the folder"},
		{"unclean path", entry("a/./x", 1, sum), "clean form"},
		{"the manifest itself", entry("manifest.json", 1, sum), "is the folder's manifest"},
		{"negative size", entry("x", -1, sum), "negative"},
		{"short hash", entry("x", 1, "abc"), "not a SHA-256"},
		{"upper-case hash", entry("x", 1, strings.ToUpper(sum)), "not a SHA-256"},
		{"twice", `{"files":[{"path":"x","size":1,"sha256":"` + sum + `"},{"path":"x","size":1,"sha256":"` + sum + `"}]}`, "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "x"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(root, "manifest.json")
			if err := os.WriteFile(file, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := OpenFolder(root)
			if err == nil {
				f.Close()
				t.Fatalf("no error, manifest %+v", f.Manifest())
			}
			if !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %s or say %q", err, file, tt.want)
			}
		})
	}
	t.Run("a folder", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		file := filepath.Join(root, "manifest.json")
		if err := os.Mkdir(file, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenFolder(root); err == nil || !strings.Contains(err.Error(), file) {
			t.Errorf("error %v does not name %s", err, file)
		}
	})
	t.Run("root is a file", func(t *testing.T) {
		t.Parallel()
		root := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(root, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenFolder(root); err == nil || !strings.Contains(err.Error(), root) {
			t.Errorf("error %v does not name %s", err, root)
		}
	})
}

func TestFolderConcurrent(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	f := openFolder(t, root)
	const workers, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*(each+2))
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				rel := fmt.Sprintf("w%d/%02d.txt", w, i)
				if _, err := f.WriteFile(rel, strings.NewReader(rel)); err != nil {
					errs <- err
				}
				// Every worker also writes the same two files.
				if _, err := f.WriteFile("shared.txt", strings.NewReader("shared")); err != nil {
					errs <- err
				}
				if _, err := f.WriteFile("Last.txt", strings.NewReader(fmt.Sprint(w%2))); err != nil {
					errs <- err
				}
				_ = f.Manifest()
			}
			if err := f.SaveManifest(); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	m := f.Manifest()
	if len(m) != workers*each+2 {
		t.Fatalf("%d entries, want %d", len(m), workers*each+2)
	}
	for _, e := range m {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(e.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if e.Size != int64(len(b)) || e.SHA256 != sha256Hex(string(b)) {
			t.Errorf("%+v does not match the file's %q", e, b)
		}
	}
	if err := f.SaveManifest(); err != nil {
		t.Fatal(err)
	}
	if g := openFolder(t, root); !reflect.DeepEqual(g.Manifest(), m) {
		t.Errorf("reopened manifest differs")
	}
	if tmp := tempFiles(t, root); len(tmp) > 0 {
		t.Errorf("temporary files left: %q", tmp)
	}
}

func TestFolderClosed(t *testing.T) {
	t.Parallel()
	f, err := OpenFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteFile("a.txt", strings.NewReader("a")); err == nil || !strings.Contains(err.Error(), "a.txt") {
		t.Errorf("WriteFile after Close: %v", err)
	}
	if err := f.SaveManifest(); err == nil {
		t.Error("SaveManifest after Close: no error")
	}
}

func TestFolderRemove(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	f, err := OpenFolder(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range []string{"a/x.png", "a/y.png"} {
		if _, err := f.WriteFile(p, strings.NewReader(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Remove("a/x.png"); err != nil {
		t.Fatal(err)
	}
	if err := f.Remove("a/x.png"); err != nil {
		t.Errorf("removing a file already gone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "a", "x.png")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a/x.png still there: %v", err)
	}
	var paths []string
	for _, e := range f.Manifest() {
		paths = append(paths, e.Path)
	}
	if !slices.Equal(paths, []string{"a/y.png"}) {
		t.Errorf("manifest %v, want only a/y.png", paths)
	}
	for _, bad := range []string{"../x", "/etc/passwd", "manifest.json", ""} {
		if err := f.Remove(bad); err == nil {
			t.Errorf("Remove(%q) accepted", bad)
		}
	}
}

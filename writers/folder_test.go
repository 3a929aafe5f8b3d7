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
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/stbulk/stbulk/writers/files"
)

// hostileValues are values of fields that try to leave the output folder
// or to make an invalid name.
var hostileValues = []string{
	"../../etc/passwd", "..", ".", "", "CON", "con.txt", "a/b", `a\b`, "/abs", "C:\\Windows",
	"../" + strings.Repeat("x", 300), "\x00", "x\ny", "   ", "../../outside",
}

func mustTemplate(t testing.TB, s string) *files.Template {
	t.Helper()
	tp, err := files.ParseTemplate(s)
	if err != nil {
		t.Fatal(err)
	}
	return tp
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
	templates := []*files.Template{
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
	rels = files.Unique(rels)
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
	regular := 0
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
			regular++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(outside) > 0 {
		t.Errorf("written outside %s: %q", root, outside)
	}
	if regular != len(rels) || len(folder.Manifest()) != len(rels) {
		t.Errorf("%d files, %d manifest entries, want %d", regular, len(folder.Manifest()), len(rels))
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

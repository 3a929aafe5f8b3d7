package pipeline

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stbulk/stbulk/synchroteam/catalog"
)

// A field of kind file reads a file inside its folder, or says which file
// and why not.
func TestFileFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inside := filepath.Join(dir, "files")
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(inside, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
	write("a/report.pdf", pdf)
	write("photo.jpg", []byte("plain text"))
	write("empty.png", nil)
	write("notes.TXT", []byte("notes"))
	write("noext", []byte("x"))
	if err := os.WriteFile(filepath.Join(dir, "secret.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "secret.pdf"), filepath.Join(inside, "link.pdf")); err != nil {
		t.Fatal(err)
	}
	big, err := os.Create(filepath.Join(inside, "big.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	big.Write(pdf)
	if err := big.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	big.Close()

	m := &Mapping{File: "m.yaml", FilesDir: inside, FileTypes: []string{"txt"}}
	m.Entity, _ = catalog.Lookup("attachment")
	if err := m.openFiles(filepath.Join(dir, "input.csv")); err != nil {
		t.Fatal(err)
	}
	defer m.closeFiles()

	f, err := m.files.file(`a\report.pdf`)
	if err != nil {
		t.Fatalf("a Windows path inside the folder: %v", err)
	}
	if f.Path != "a/report.pdf" || f.Size != int64(len(pdf)) || len(f.SHA256) != 64 {
		t.Errorf("file %+v", f)
	}
	r, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != string(pdf) {
		t.Errorf("Open read %q", got)
	}
	if _, err := m.files.file("notes.TXT"); err != nil {
		t.Errorf("a type the mapping allows: %v", err)
	}
	for name, want := range map[string]string{
		"missing.pdf":                    `"missing.pdf" is not in ` + inside,
		"../secret.pdf":                  "is outside the folder of the files",
		filepath.Join(dir, "secret.pdf"): "is outside the folder of the files",
		"a/../../secret.pdf":             "is outside the folder of the files",
		"link.pdf":                       `"link.pdf" cannot be read inside`,
		"a":                              `"a": files without an extension are not sent`,
		"noext":                          `"noext": files without an extension are not sent`,
		"empty.png":                      `"empty.png" is empty`,
		"photo.jpg":                      `"photo.jpg" is not a JPG file: its content is text/plain`,
		"big.pdf":                        `"big.pdf" is 20.0 MiB: files of more than 20 MiB are not sent`,
		"a/report.docx":                  `.docx files are not sent`,
	} {
		if _, err := m.files.file(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}

// Whatever a row names, a file comes only from inside the folder: its path
// is relative, stays below the folder, and is the file of that name there.
func FuzzFileFolder(f *testing.F) {
	for _, s := range []string{"a.pdf", "../x.pdf", `..\..\x.pdf`, "/etc/passwd", "a/./b/../a.pdf", "link.pdf", "", ".", "a.pdf\x00", "C:\\x.pdf", "~/x.pdf"} {
		f.Add(s)
	}
	dir := f.TempDir()
	inside := filepath.Join(dir, "in")
	if err := os.MkdirAll(filepath.Join(inside, "a"), 0o755); err != nil {
		f.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	for _, p := range []string{filepath.Join(inside, "a.pdf"), filepath.Join(inside, "a", "a.pdf"), filepath.Join(dir, "x.pdf")} {
		if err := os.WriteFile(p, pdf, 0o644); err != nil {
			f.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "x.pdf"), filepath.Join(inside, "link.pdf")); err != nil {
		f.Fatal(err)
	}
	m := &Mapping{File: "m.yaml", FilesDir: inside}
	m.Entity, _ = catalog.Lookup("attachment")
	if err := m.openFiles(""); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(m.closeFiles)
	f.Fuzz(func(t *testing.T, name string) {
		got, err := m.files.file(name)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(name)) && !strings.Contains(err.Error(), "files without") {
				t.Errorf("%q: the error does not name the file: %v", name, err)
			}
			return
		}
		if filepath.IsAbs(got.Path) || strings.HasPrefix(got.Path, "..") {
			t.Fatalf("%q gave %q, outside the folder", name, got.Path)
		}
		want, err := os.ReadFile(filepath.Join(inside, filepath.FromSlash(got.Path)))
		if err != nil || !bytes.Equal(want, pdf) {
			t.Fatalf("%q gave %q, which is not a file of the folder: %v", name, got.Path, err)
		}
	})
}

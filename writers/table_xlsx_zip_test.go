package writers

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestFileZipLarge checks the marking of large entries: their local header
// says version 45, the others' 20, and the zip reads as before. (An entry
// of more than 4 GiB is too large for a test: the entry is named large by
// hand.)
func TestFileZipLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z := &fileZip{Writer: zip.NewWriter(f)}
	content := map[string]string{"a.xml": "<a/>", "xl/worksheets/sheet1.xml": "<worksheet/>", "z.xml": ""}
	for _, name := range []string{"a.xml", "xl/worksheets/sheet1.xml", "z.xml"} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, content[name]); err != nil {
			t.Fatal(err)
		}
		if z.entry.n != int64(len(content[name])) {
			t.Fatalf("%s: %d bytes counted, want %d", name, z.entry.n, len(content[name]))
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if len(z.large) != 0 {
		t.Fatalf("large entries %q, want none", z.large)
	}
	z.large = []string{"xl/worksheets/sheet1.xml"}
	if err := z.patchLarge(f); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range r.File {
		off, err := e.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		head := off - 30 - int64(len(e.Name))
		want := uint16(20)
		if e.Name == "xl/worksheets/sheet1.xml" {
			want = 45
		}
		if v := binary.LittleEndian.Uint16(data[head+4:]); v != want {
			t.Errorf("%s: version %d in its local header, want %d", e.Name, v, want)
		}
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(got) != content[e.Name] {
			t.Errorf("%s: read %q (%v), want %q", e.Name, got, err, content[e.Name])
		}
	}
}

package writers

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// spoolString writes content into a new spool of f.
func spoolString(t *testing.T, f *Folder, content string) *Spool {
	t.Helper()
	s, err := f.Spool()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(s, content); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSpoolCommit: a spooled file is put in place as WriteFile puts one:
// in its folder, unchanged when the same content is there, recorded in the
// manifest; nothing is left behind.
func TestSpoolCommit(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	f := openFolder(t, root)
	for _, tc := range []struct {
		rel, content string
		changed      bool
	}{
		{"photos/7/a.png", "one", true},
		{"photos/7/a.png", "one", false},
		{"photos/7/a.png", "two", true},
		{"top.pdf", "", true},
	} {
		changed, err := spoolString(t, f, tc.content).Commit(tc.rel)
		if err != nil || changed != tc.changed {
			t.Errorf("Commit(%q) of %q = %v, %v; want %v", tc.rel, tc.content, changed, err, tc.changed)
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(tc.rel)))
		if err != nil || string(b) != tc.content {
			t.Errorf("%s holds %q (%v), want %q", tc.rel, b, err, tc.content)
		}
		if e, ok := f.entry(tc.rel); !ok || e.SHA256 != sha256Hex(tc.content) || e.Size != int64(len(tc.content)) {
			t.Errorf("manifest entry of %s: %+v", tc.rel, e)
		}
	}
	if tmp := tempFiles(t, root); len(tmp) > 0 {
		t.Errorf("temporary files left: %q", tmp)
	}
}

// TestSpoolRefused: a spool committed to a path outside the folder, or
// discarded, leaves nothing; it takes no data once done.
func TestSpoolRefused(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	f := openFolder(t, root)
	for _, rel := range []string{"../out.png", "/abs.png", "manifest.json", "dir/"} {
		s := spoolString(t, f, "data")
		if _, err := s.Commit(rel); err == nil || !strings.HasPrefix(err.Error(), "write: ") {
			t.Errorf("Commit(%q): %v, want a refusal", rel, err)
		}
		if _, err := s.Write([]byte("more")); err == nil {
			t.Errorf("Write after a refused Commit(%q): no error", rel)
		}
	}
	s := spoolString(t, f, "data")
	s.Discard()
	s.Discard()
	if _, err := s.Commit("a.png"); err == nil {
		t.Error("Commit after Discard: no error")
	}
	if _, err := os.Stat(filepath.Join(root, "a.png")); !os.IsNotExist(err) {
		t.Errorf("a.png after Discard then Commit: %v", err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("the folder holds %v, want nothing", entries)
	}
}

// TestWriteManifestLayout: the manifest written an entry at a time is the
// text an indenting encoder writes of the whole.
func TestWriteManifestLayout(t *testing.T) {
	t.Parallel()
	for name, entries := range map[string][]ManifestEntry{
		"none": {},
		"one":  {{Path: "a.txt", Size: 1, SHA256: sha256Hex("a")}},
		"names": {
			{Path: "photos/<>&/quoted \"x\".txt", Size: 0, SHA256: sha256Hex("")},
			{Path: "é/\u2028line\u2029/\x7f", Size: 1 << 40, SHA256: sha256Hex("b")},
			{Path: "z", Size: 3, SHA256: sha256Hex("zzz")},
		},
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(manifestFile{Files: entries}); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := writeManifest(&got, entries); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: got\n%s\nwant\n%s", name, got.String(), want.String())
		}
	}
}

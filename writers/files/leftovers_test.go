package files

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRemoveLeftovers: the temporary files of a killed run go, in the
// folder and its subfolders; files of the user with names alike stay.
func TestRemoveLeftovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gone := []string{
		".stbulk-ABCDEFGHIJKLMNOPQRSTUVWXYZ.tmp",
		"photos/1001/.stbulk-ABCDEFGHIJKLMNOPQRSTUVW234.tmp",
		".jobs.xlsx.1234567890.tmp",
		".summary.json.42.tmp",
		"customers/.errors.csv.3141592.tmp",
		".stbulk/.state.json.271828.tmp",
		".stbulk/.jobs.records.json.99.tmp",
	}
	kept := []string{
		"jobs.xlsx", "summary.json", ".stbulk/state.json",
		".notes.tmp", ".jobs.xlsx.tmp", ".jobs.xlsx.old.tmp", ".stbulk-mine.tmp",
		".stbulk-abcdefghijklmnopqrstuvwxyz.tmp", "jobs.xlsx.123.tmp", ".report.docx.123.tmp",
		".jobs.xlsx.123.tmp.bak", "photos/1001/IMG.stbulk-ABCDEFGHIJKLMNOPQRSTUVWXYZ.tmp",
	}
	for _, name := range append(slices.Clone(gone), kept...) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(t.TempDir(), "out")
	if err := os.WriteFile(outside, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(dir, ".summary.json.77.tmp")
	hasLinks := os.Symlink(outside, linked) == nil
	if err := RemoveLeftovers(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range gone {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(name))); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", name, err)
		}
	}
	for _, name := range kept {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Errorf("%s was removed: %v", name, err)
		}
	}
	if hasLinks {
		if _, err := os.Lstat(linked); err != nil {
			t.Errorf("a link was removed: %v", err)
		}
		if b, _ := os.ReadFile(outside); string(b) != "mine" {
			t.Errorf("where the link leads holds %q", b)
		}
	}
	if err := RemoveLeftovers(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing folder: %v, want an error naming it", err)
	}
}

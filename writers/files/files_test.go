package files

import (
	"errors"
	"flag"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type testSummary struct {
	DryRun   bool           `json:"dryRun"`
	Counts   map[string]int `json:"counts"`
	Mappings []testMapping  `json:"mappings"`
	Stopped  string         `json:"stopped,omitempty"`
}

type testMapping struct {
	Mapping string `json:"mapping"`
	Errors  string `json:"errors"`
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	v := testSummary{
		Counts:   map[string]int{"read": 3, "sent": 1, "failed": 2},
		Mappings: []testMapping{{Mapping: "maps/clients é.yaml", Errors: "runs/x/errors.csv"}},
		Stopped:  "API unreachable: <html> & co",
	}
	if err := WriteJSON(path, v); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.golden.json", readFile(t, path))

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"summary.json"}, names); diff != "" {
		t.Errorf("folder holds (-want +got):\n%s", diff)
	}
}

func TestWriteJSONBadValue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteJSON(path, map[string]float64{"x": math.Inf(1)})
	if err == nil || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("got %v, want an error naming %s", err, path)
	}
	if got := string(readFile(t, path)); got != "old" {
		t.Errorf("the file now holds %q, want it untouched", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the folder, want 1", len(entries))
	}
}

// TestWriteJSONMissingFolder checks that WriteJSON into a folder that does
// not exist is an error naming the file.
func TestWriteJSONMissingFolder(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing", "summary.json")
	if err := WriteJSON(path, 1); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want an error naming %s", err, path)
	}
}

func TestCreateNew(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "errors.csv")
	f, err := CreateNew(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("x"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = CreateNew(path)
	if want := path + ": already exists"; err == nil || err.Error() != want || !errors.Is(err, fs.ErrExist) {
		t.Errorf("second CreateNew: got %v, want %q matching fs.ErrExist", err, want)
	}
	if got := string(readFile(t, path)); got != "x" {
		t.Errorf("the existing file now holds %q", got)
	}
	missing := filepath.Join(filepath.Dir(path), "missing", "x.csv")
	if _, err := CreateNew(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("no folder: got %v, want an error naming %s", err, missing)
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	const path = "out/errors.csv"
	if err := Wrap(path, nil); err != nil {
		t.Errorf("Wrap(nil) = %v", err)
	}
	pe := &fs.PathError{Op: "write", Path: path, Err: fs.ErrPermission}
	if err := Wrap(path, pe); err != pe {
		t.Errorf("Wrap of a *fs.PathError for the path = %v, want it as is", err)
	}
	other := &fs.PathError{Op: "write", Path: "elsewhere", Err: fs.ErrPermission}
	if err := Wrap(path, other); err == nil || err.Error() != path+": "+other.Error() || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Wrap of another path's error = %v", err)
	}
}

// TestCreateTempFinish checks the temporary file of a path: beside it,
// hidden, and 0o644 once finished.
func TestCreateTempFinish(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "export.xlsx")
	tmp, err := CreateTemp(path)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(tmp.Name()) != dir || !strings.HasPrefix(filepath.Base(tmp.Name()), ".export.xlsx.") || !strings.HasSuffix(tmp.Name(), ".tmp") {
		t.Errorf("temporary file %s, want .export.xlsx.*.tmp in %s", tmp.Name(), dir)
	}
	if _, err := tmp.WriteString("data"); err != nil {
		t.Fatal(err)
	}
	if err := Finish(tmp); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(tmp.Name())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 || fi.Size() != 4 {
		t.Errorf("mode %v, size %d; want 0644, 4", fi.Mode().Perm(), fi.Size())
	}
	if err := tmp.Close(); err == nil {
		t.Error("the file is still open after Finish")
	}
	missing := filepath.Join(dir, "missing", "x.csv")
	if _, err := CreateTemp(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("no folder: got %v, want an error naming %s", err, missing)
	}
}

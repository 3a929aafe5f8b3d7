package writers_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/writers"
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

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path string) {
	t.Helper()
	mkdir(t, filepath.Dir(path))
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunDirNeverOverwrite checks that every report writer refuses an existing
// file and leaves it alone.
func TestRunDirNeverOverwrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		open func(path string) error
	}{
		{"errors csv", "errors.csv", func(p string) error { _, err := writers.NewErrors(p, []string{"A"}); return err }},
		{"errors xlsx", "errors.xlsx", func(p string) error { _, err := writers.NewErrors(p, []string{"A"}); return err }},
		{"success", "success.csv", func(p string) error { _, err := writers.NewSuccess(p, nil); return err }},
		{"payloads", "payloads.jsonl", func(p string) error { _, err := writers.NewJSONLines(p); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), tt.file)
			write(t, path)
			err := tt.open(path)
			if err == nil || !strings.Contains(err.Error(), path+": already exists") {
				t.Errorf("got %v, want an error saying %s already exists", err, path)
			}
			if got := string(readFile(t, path)); got != "x" {
				t.Errorf("the existing file now holds %q", got)
			}
		})
	}
}

func TestRunDirMissingFolder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name string
		open func(path string) error
	}{
		{"errors.csv", func(p string) error { _, err := writers.NewErrors(p, []string{"A"}); return err }},
		{"errors.xlsx", func(p string) error { _, err := writers.NewErrors(p, []string{"A"}); return err }},
		{"success.csv", func(p string) error { _, err := writers.NewSuccess(p, nil); return err }},
		{"payloads.jsonl", func(p string) error { _, err := writers.NewJSONLines(p); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, tt.name)
			if err := tt.open(path); err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("got %v, want an error naming %s", err, path)
			}
		})
	}
}

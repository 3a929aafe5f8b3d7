package files

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRunDir(t *testing.T) {
	t.Parallel()
	base := filepath.Join(t.TempDir(), "stbulk-runs", "nested")
	now := time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC)
	var got []string
	for range 3 {
		dir, err := RunDir(base, now)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() {
			t.Fatalf("RunDir returned %s, which is not a folder: %v", dir, err)
		}
		got = append(got, filepath.Base(dir))
	}
	later, err := RunDir(base, now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, filepath.Base(later))
	want := []string{"2026-11-27T031500", "2026-11-27T031500-2", "2026-11-27T031500-3", "2026-11-27T031501"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("run folders (-want +got):\n%s", diff)
	}
}

func TestRunDirBaseIsFile(t *testing.T) {
	t.Parallel()
	base := filepath.Join(t.TempDir(), "runs")
	if err := os.WriteFile(base, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := RunDir(base, time.Now())
	if err == nil || !strings.Contains(err.Error(), base) {
		t.Errorf("RunDir over a file: got %v, want an error naming %s", err, base)
	}
}

func TestRunDirEnsureDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, path string) // prepares path
		want  string                          // part of the error; "" for none
	}{
		{name: "missing folder is created", setup: func(*testing.T, string) {}},
		{name: "empty folder", setup: mkdir},
		{name: "folder with other files", setup: func(t *testing.T, p string) {
			mkdir(t, p)
			write(t, filepath.Join(p, "notes.txt"))
			write(t, filepath.Join(p, "errors.csv"))
		}},
		{name: "summary.json in a subfolder", setup: func(t *testing.T, p string) {
			mkdir(t, filepath.Join(p, "sub"))
			write(t, filepath.Join(p, "sub", "summary.json"))
		}},
		{name: "earlier run", want: "holds the reports of an earlier run (summary.json)", setup: func(t *testing.T, p string) {
			mkdir(t, p)
			write(t, filepath.Join(p, "summary.json"))
		}},
		{name: "a file", want: "is a file, not a folder", setup: func(t *testing.T, p string) {
			write(t, p)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "a", "out")
			tt.setup(t, path)
			err := EnsureDir(path)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("EnsureDir: %v", err)
				}
				if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
					t.Errorf("%s is not a folder after EnsureDir: %v", path, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("EnsureDir: got %v, want an error naming %s and saying %q", err, path, tt.want)
			}
		})
	}
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

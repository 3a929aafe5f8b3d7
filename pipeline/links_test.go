package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stbulk/stbulk/writers/files"
)

// TestExportRefusesLinks: with the state folder or a report of the export
// folder a symbolic link leading out of it, the export is refused, naming
// the link, and what the link leads to is untouched.
func TestExportRefusesLinks(t *testing.T) {
	t.Parallel()
	for _, name := range []string{".stbulk", "errors.csv", "summary.json", ".stbulk/state.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, _ := fakeClient(t, hostileJobs()) // job 1002 cannot be read: errors.csv is written
			m, err := ParseExport("jobs.yaml", []byte("version: 1\nexport: jobs\nspreadsheet: jobs.xlsx\n"))
			if err != nil {
				t.Fatal(err)
			}
			out, outside := t.TempDir(), t.TempDir()
			target := filepath.Join(outside, "target")
			if name == ".stbulk" {
				if err := os.Mkdir(target, 0o755); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(target, []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(out, ".stbulk"), 0o755); err != nil && name != ".stbulk" {
				t.Fatal(err)
			}
			link := filepath.Join(out, filepath.FromSlash(name))
			if name == ".stbulk" {
				_ = os.Remove(link)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Skipf("no symbolic links: %v", err)
			}
			_, err = Export(context.Background(), m, ExportOptions{Client: c, OutDir: out})
			var le *files.LinkError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), link) {
				t.Errorf("export: %v, want a *files.LinkError naming %s", err, link)
			}
			if name == ".stbulk" {
				if entries, _ := os.ReadDir(target); len(entries) != 0 {
					t.Errorf("the export wrote %d file(s) where .stbulk leads", len(entries))
				}
			} else if b, err := os.ReadFile(target); err != nil || string(b) != "mine" {
				t.Errorf("where %s leads now holds %q (%v)", name, b, err)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the link %s was replaced (%v)", name, err)
			}
		})
	}
}

// TestRunRefusesLinks: an import refuses to write its reports through a
// symbolic link in its run folder.
func TestRunRefusesLinks(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"errors.csv", "payloads.jsonl", "summary.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// A mapping of its own: a run binds its mapping to its source,
			// and these runs go on at the same time.
			maps := loadExamples(t, "customers.yaml")
			dir := t.TempDir()
			target := filepath.Join(t.TempDir(), "target")
			if err := os.WriteFile(target, []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, name)
			if err := os.Symlink(target, link); err != nil {
				t.Skipf("no symbolic links: %v", err)
			}
			_, err := Run(context.Background(), maps, Options{DryRun: true, OutDir: dir})
			var le *files.LinkError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), link) {
				t.Errorf("run: %v, want a *files.LinkError naming %s", err, link)
			}
			if b, err := os.ReadFile(target); err != nil || string(b) != "mine" {
				t.Errorf("where %s leads now holds %q (%v)", name, b, err)
			}
		})
	}
}

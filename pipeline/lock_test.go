package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers/files"
)

// TestExportTwoRunsInOneFolder: while an export runs, a second one into
// its folder is refused, naming the folder, and the first ends well.
func TestExportTwoRunsInOneFolder(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-release
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "[]")
	}))
	t.Cleanup(srv.Close)
	c, err := synchroteam.NewClient(synchroteam.WithBaseURL(srv.URL), synchroteam.WithCredentials("acme", "k"),
		synchroteam.WithRate(1000), synchroteam.WithRetryPolicy(synchroteam.RetryPolicy{MaxAttempts: 1, MaxElapsed: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseExport("invoices.yaml", []byte("version: 1\nexport: invoices\nspreadsheet: i.xlsx\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	first := make(chan error, 1)
	go func() {
		_, err := Export(context.Background(), m, ExportOptions{Client: c, OutDir: out})
		first <- err
	}()
	select {
	case <-arrived:
	case err := <-first:
		close(release)
		t.Fatalf("the first export ended before its request: %v", err)
	}
	_, err = Export(context.Background(), m, ExportOptions{Client: c, OutDir: out})
	close(release)
	var busy *files.BusyError
	if !errors.As(err, &busy) || !strings.Contains(err.Error(), out) {
		t.Errorf("second export: %v, want a *files.BusyError naming %s", err, out)
	}
	if err := <-first; err != nil {
		t.Errorf("first export: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
		t.Errorf("the first export wrote no summary: %v", err)
	}
}

// TestRunRefusesALockedFolder: an import, or the resume of a run, into a
// folder whose run still holds its lock is refused and writes nothing.
func TestRunRefusesALockedFolder(t *testing.T) {
	t.Parallel()
	maps := loadExamples(t, "customers.yaml")
	dir := t.TempDir()
	if _, err := Run(context.Background(), maps, Options{DryRun: true, OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	unlock, err := files.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	before, _ := os.ReadDir(dir)
	for _, resume := range []bool{false, true} {
		_, err := Run(context.Background(), maps, Options{DryRun: true, Resume: resume, OutDir: dir})
		var busy *files.BusyError
		if !errors.As(err, &busy) || !strings.Contains(err.Error(), dir) {
			t.Errorf("resume %v: %v, want a *files.BusyError naming %s", resume, err, dir)
		}
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Errorf("the refused runs changed the folder: %d entries, then %d", len(before), len(after))
	}
}

// plantLeftovers writes in dir the temporary files a killed run leaves,
// and files of the user named alike; it returns both lists.
func plantLeftovers(t *testing.T, dir string, gone []string) (kept []string) {
	t.Helper()
	kept = []string{".notes.tmp", ".jobs.xlsx.old.tmp", ".stbulk-mine.tmp", "summary.json.1.tmp"}
	for _, name := range append(append([]string{}, gone...), kept...) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return kept
}

func checkLeftovers(t *testing.T, dir string, gone, kept []string) {
	t.Helper()
	for _, name := range gone {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(name))); !os.IsNotExist(err) {
			t.Errorf("the leftover %s is still there (%v)", name, err)
		}
	}
	for _, name := range kept {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Errorf("the user's %s was removed: %v", name, err)
		}
	}
}

// TestExportRemovesLeftovers: the temporary files of a killed export go
// at the next export into the folder; the user's files stay.
func TestExportRemovesLeftovers(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, map[string]string{"POST /Api/v2/Invoices/List": "[]"})
	out := t.TempDir()
	gone := []string{".stbulk-ABCDEFGHIJKLMNOPQRSTUVWXYZ.tmp", "pdf/.stbulk-ABCDEFGHIJKLMNOPQRSTUVW234.tmp",
		".i.xlsx.123456.tmp", ".summary.json.42.tmp", ".stbulk/.state.json.7.tmp", ".stbulk/.m.records.json.99.tmp"}
	kept := plantLeftovers(t, out, gone)
	exportOnce(t, c, "version: 1\nexport: invoices\nspreadsheet: i.xlsx\n", out, ExportOptions{})
	checkLeftovers(t, out, gone, kept)
}

// TestRunRemovesLeftovers: the temporary files of a killed import go at
// the next run in its folder (a resume); the user's files stay.
func TestRunRemovesLeftovers(t *testing.T) {
	t.Parallel()
	maps := loadExamples(t, "customers.yaml")
	dir := t.TempDir()
	gone := []string{".summary.json.42.tmp", ".errors.xlsx.2718281.tmp", "customers/.success.csv.31415.tmp"}
	kept := plantLeftovers(t, dir, gone)
	if _, err := Run(context.Background(), maps, Options{DryRun: true, OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	checkLeftovers(t, dir, gone, kept)
}

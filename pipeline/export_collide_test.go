package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExportNamesNeverCollide: a photo named like the job's PDF, and
// photos named "." and "..", each get a file of their own; a job the
// search lists twice is read once.
func TestExportNamesNeverCollide(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, map[string]string{
		"POST /Api/v2/Jobs/Search":      `[{"id":"_1","num":"7"},{"id":"_1","num":"7"}]`,
		"GET /Api/v2/Jobs/Detail?num=7": `{"idJob":"_1","num":"7","status":5}`,
		"GET /Api/v2/Jobs/PDF?num=7":    `{"pdfData":"` + b64("%PDF-1.4 the report") + `"}`,
		"GET /Api/v2/Jobs/Photos?num=7": `[
			{"job":{"num":"7"},"iteration":0,"fileName":"report.pdf","imageData":"` + b64("photo one") + `"},
			{"job":{"num":"7"},"iteration":0,"fileName":".","imageData":"` + b64("photo two") + `"},
			{"job":{"num":"7"},"iteration":0,"fileName":"..","imageData":"` + b64("photo three") + `"},
			{"job":{"num":"7"},"iteration":0,"fileName":" . ","imageData":"` + b64("photo four") + `"}]`,
	})
	m, err := ParseExport("jobs.yaml", []byte(`version: 1
export: jobs
spreadsheet: jobs.xlsx
photos: "jobs/{num}/{fileName}"
pdf: "jobs/{num}/report.pdf"
`))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for run := 1; run <= 2; run++ {
		sum, err := Export(context.Background(), m, ExportOptions{Client: c, OutDir: out})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Failed != 0 {
			t.Fatalf("run %d: %d failed", run, sum.Failed)
		}
		if got := sum.FilesWritten + sum.FilesUnchanged; got != 5 {
			t.Errorf("run %d: %d files written or unchanged, want 5 (4 photos, a PDF)", run, got)
		}
		want := `job 7: the file "jobs/7/report.pdf" is taken by another of its files: written as "jobs/7/report-2.pdf"`
		if !slices.Contains(sum.Warnings, want) {
			t.Errorf("run %d: warnings %q, want %q", run, sum.Warnings, want)
		}
	}
	for name, content := range map[string]string{
		"report.pdf":   "photo one",
		"report-2.pdf": "%PDF-1.4 the report",
		"photo-2":      "photo two",
		"photo-3":      "photo three",
		"photo-4":      "photo four",
	} {
		b, err := os.ReadFile(filepath.Join(out, "jobs", "7", name))
		if err != nil {
			t.Error(err)
			continue
		}
		if string(b) != content {
			t.Errorf("%s holds %q, want %q", name, b, content)
		}
	}
	entries, err := os.ReadDir(filepath.Join(out, "jobs", "7"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "photo-2 photo-3 photo-4 report-2.pdf report.pdf" {
		t.Errorf("files %v", names)
	}
}

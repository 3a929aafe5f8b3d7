package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportPhotosNotBase64: a job whose photo is not base64 fails, named
// with the photo in errors.csv; none of its photos is written, and no
// temporary file is left.
func TestExportPhotosNotBase64(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, map[string]string{
		"POST /Api/v2/Jobs/Search":      `[{"id":"_1","num":"1"},{"id":"_2","num":"2"}]`,
		"GET /Api/v2/Jobs/Detail?num=1": `{"idJob":"_1","num":"1","status":5}`,
		"GET /Api/v2/Jobs/Detail?num=2": `{"idJob":"_2","num":"2","status":5}`,
		"GET /Api/v2/Jobs/Photos?num=1": `[{"fileName":"a.png","imageData":"` + b64("a") + `"},{"fileName":"b.png","imageData":"YWJj*ZGVm"}]`,
		"GET /Api/v2/Jobs/Photos?num=2": `[{"fileName":"a.png","imageData":"` + b64("two") + `"}]`,
	})
	out := t.TempDir()
	m, err := ParseExport("jobs.yaml", []byte("version: 1\nexport: jobs\nphotos: \"p/{num}/{fileName}\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Export(context.Background(), m, ExportOptions{Client: c, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Exported != 1 || sum.Failed != 1 || sum.FilesWritten != 1 {
		t.Errorf("exported %d, failed %d, files %d; want 1, 1, 1", sum.Exported, sum.Failed, sum.FilesWritten)
	}
	errs, err := os.ReadFile(filepath.Join(out, exportErrFile))
	if err != nil {
		t.Fatal(err)
	}
	want := `job 1,Jobs/Photos: synchroteam: GET Jobs/Photos: rejected: unreadable response: photo 2: imageData: not base64: '*' at byte 5 of its text`
	if !strings.Contains(string(errs), want) {
		t.Errorf("errors.csv:\n%s\nwant the line %q", errs, want)
	}
	if _, err := os.Stat(filepath.Join(out, "p", "1")); !os.IsNotExist(err) {
		t.Errorf("job 1's photos: %v, want none written", err)
	}
	if b, err := os.ReadFile(filepath.Join(out, "p", "2", "a.png")); err != nil || string(b) != "two" {
		t.Errorf("job 2's photo: %q, %v", b, err)
	}
	if left := tempFiles(t, out); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
}

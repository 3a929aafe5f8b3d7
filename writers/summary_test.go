package writers

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

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

package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// docs/entities.md is the registry's reference as EntityReference writes
// it; -update writes it again.
func TestEntityReference(t *testing.T) {
	path := filepath.Join("..", "docs", "entities.md")
	got := EntityReference()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s is not the registry's reference (go test ./pipeline -run TestEntityReference -update):\n%s", path, diff)
	}
}

package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/transforms"
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

// docs/mapping-keys.md is MappingKeysReference; -update writes it again.
func TestMappingKeysReference(t *testing.T) {
	path := filepath.Join("..", "docs", "mapping-keys.md")
	got, err := MappingKeysReference()
	if err != nil {
		t.Fatal(err)
	}
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
		t.Errorf("%s is not made from the schemas (go test ./pipeline -run TestMappingKeysReference -update):\n%s", path, diff)
	}
}

// The hand-written reference names every transform and check: a new one
// cannot ship undocumented.
func TestMappingFilesDocNamesEveryTransform(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "mapping-files.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(transforms.TransformNames(), transforms.CheckNames()...) {
		if !strings.Contains(string(doc), "`"+name) {
			t.Errorf("docs/mapping-files.md does not describe %q", name)
		}
	}
}

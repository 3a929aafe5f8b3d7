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
	checkGenerated(t, "entities.md", EntityReference(), "TestEntityReference")
}

// docs/mapping-keys.md is MappingKeysReference; -update writes it again.
func TestMappingKeysReference(t *testing.T) {
	got, err := MappingKeysReference()
	if err != nil {
		t.Fatal(err)
	}
	checkGenerated(t, "mapping-keys.md", got, "TestMappingKeysReference")
}

// checkGenerated compares docs/name with got, the text the code makes of
// it (test is the test that does), after writing it with -update.
func checkGenerated(t *testing.T, name, got, test string) {
	t.Helper()
	path := filepath.Join("..", "docs", name)
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
		t.Errorf("%s is not what the code makes of it (go test ./pipeline -run %s -update):\n%s", path, test, diff)
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

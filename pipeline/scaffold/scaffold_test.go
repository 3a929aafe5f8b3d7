package scaffold_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/pipeline/scaffold"
	"github.com/stbulk/stbulk/synchroteam/catalog"
)

var update = flag.Bool("update", false, "rewrite the test inputs and the golden mappings")

// goldenCases are the inputs drafted into testdata/golden/<name>.yaml.
var goldenCases = []struct {
	name, input, entity string
}{
	{"customers", "../../samples/customers.csv", ""},
	{"customers-legacy", "../../samples/customers-legacy.csv", ""},
	{"customers-xlsx", "../../samples/customers.xlsx", ""},
	{"sites", "../../samples/sites.csv", ""},
	{"equipment", "../../samples/equipment.csv", ""},
	{"parts", "../../samples/parts.xlsx", ""},
	{"part-prices", "../../samples/part-prices.csv", "part_price"},
	{"inventory", "../../samples/inventory.csv", ""},
	{"users", "../../samples/users.csv", ""},
	{"activity-types", "../../samples/activity-types.csv", ""},
	{"attachments", "../../samples/attachments/attachments.csv", ""},
	{"erp-clients-fr", "testdata/erp-clients-fr.csv", ""},
	{"kunden-de", "testdata/kunden-de.txt", ""},
	{"equipements-xlsx", "testdata/equipements.xlsx", ""},
	{"articulos-es", "testdata/articulos-es.csv", ""},
	{"magazzino-it", "testdata/magazzino-it.csv", ""},
}

// TestGolden drafts a mapping for every sample and test input, compares it
// with its golden file, then loads the golden file and checks it against
// its input as stbulk validate does: it must load, bind and check with no
// mapping problem (rows may still be rejected).
func TestGolden(t *testing.T) {
	if *update {
		writeInputs(t, "testdata")
	}
	dir := filepath.Join("testdata", "golden")
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			d, err := scaffold.Make(c.input, scaffold.Options{Entity: c.entity})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, c.name+".yaml")
			rel, err := filepath.Rel(dir, c.input)
			if err != nil {
				t.Fatal(err)
			}
			got := d.YAML(filepath.ToSlash(rel), filepath.Base(path))
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the draft (go test -run TestGolden -update rewrites it):\n%s", path, got)
			}
			m, err := pipeline.Load(path)
			if err != nil {
				t.Fatalf("the golden mapping does not load: %v", err)
			}
			if _, err := pipeline.Check(context.Background(), []*pipeline.Mapping{m}, "", nil); err != nil {
				t.Fatalf("the golden mapping does not check: %v", err)
			}
		})
	}
}

func TestUnknownEntity(t *testing.T) {
	_, err := scaffold.Make("../../samples/customers.csv", scaffold.Options{Entity: "custmer"})
	var ue *scaffold.UnknownEntityError
	if err == nil || !strings.Contains(err.Error(), `did you mean "customer"?`) {
		t.Fatalf("got %v, want an unknown entity with a suggestion", err)
	}
	_ = ue
}

// TestSynonymsTable: every key of synonyms.txt names a field of the
// registry (of its entity, for "entity:field" keys) and every entity of
// [entities] is in the registry.
func TestSynonymsTable(t *testing.T) {
	tab := scaffold.Synonyms()
	for key := range tab.Fields {
		entity, field, scoped := strings.Cut(key, ":")
		if !scoped {
			field, entity = key, ""
		}
		found := false
		for _, e := range catalog.All() {
			if entity != "" && e.Name != entity {
				continue
			}
			if _, ok := e.Field(field); ok {
				found = true
			}
		}
		if !found {
			t.Errorf("synonyms.txt: %q is no field of the registry", key)
		}
	}
	for name := range tab.Entities {
		if _, ok := catalog.Lookup(name); !ok {
			t.Errorf("synonyms.txt: %q is no entity of the registry", name)
		}
	}
}

package catalog

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLookupReturnsACopy(t *testing.T) {
	t.Parallel()
	e, ok := Lookup("customer")
	if !ok {
		t.Fatal("no customer entity")
	}
	e.Keys[1] = "name"
	e.Fields[0].Name = "changed"
	e.Parents = append(e.Parents, Link{"x", &customer, "z"})
	again, _ := Lookup("customer")
	if again.Keys[1] != "myId" || again.Fields[0].Name != "id" || len(again.Parents) != 0 {
		t.Errorf("a caller's change reached the registry: %+v", again.Keys)
	}
}

func TestKeyedIgnoresIDs(t *testing.T) {
	t.Parallel()
	e, _ := Lookup("customer")
	for payload, want := range map[*map[string]any]bool{
		{"id": "12"}:                false,
		{"myId": "  "}:              false,
		{"myId": "C-1"}:             true,
		{"id": "12", "myId": "C-1"}: true,
	} {
		if got := e.Keyed(*payload); got != want {
			t.Errorf("Keyed(%v) = %v, want %v", *payload, got, want)
		}
	}
	job, _ := Lookup("job")
	if job.Keyed(map[string]any{"idJob": "265_1"}) || !job.Keyed(map[string]any{"num": int64(13473)}) {
		t.Error("job: idJob alone must not count, num must")
	}
	att, _ := Lookup("attachment")
	if att.Keyed(map[string]any{"job": map[string]any{"num": int64(12)}, "fileName": "a.jpg"}) {
		t.Error("attachment: every send creates one; it is never keyed")
	}
}

// Identities name what a row writes: its first key for an entity sent one
// record at a time, every key for a batched one, one per serial number for
// an inventory row (none without), the label of an attachment.
func TestIdentities(t *testing.T) {
	t.Parallel()
	file := &File{Path: "photos/a.jpg"}
	tests := []struct {
		entity  string
		payload Payload
		want    []string
	}{
		{"customer", Payload{"myId": " D1 ", "name": "x"}, []string{"myId=D1"}},
		{"customer", Payload{"id": "12", "myId": "D1"}, []string{"id=12"}},
		{"customer", Payload{"myId": "  ", "name": "x"}, nil},
		{"customer", Payload{"name": "x"}, nil},
		{"part_price", Payload{"reference": "p11", "price": "1"}, []string{"reference=p11"}},
		{"part_price", Payload{"id": "7", "reference": "p11"}, []string{"id=7 reference=p11"}},
		{"inventory", Payload{"depot": "stock", "reference": "p11", "quantity": "4"}, nil},
		{"inventory", Payload{"depot": "stock", "reference": "refHi001", "serials": []string{"SN-1"}}, []string{"depot=stock reference=refHi001 serial=SN-1"}},
		{"inventory", Payload{"depot": "stock", "reference": "r", "serials": []string{"A", " ", "B "}}, []string{"depot=stock reference=r serial=A", "depot=stock reference=r serial=B"}},
		{"attachment", Payload{"job": map[string]any{"num": int64(13420)}, "file": file}, []string{"job.num=13420 file=photos/a.jpg"}},
		{"attachment", Payload{}, nil},
	}
	for _, tt := range tests {
		e, ok := Lookup(tt.entity)
		if !ok {
			t.Fatalf("no entity %s", tt.entity)
		}
		if diff := cmp.Diff(tt.want, e.Identities(tt.payload)); diff != "" {
			t.Errorf("%s %v: (-want +got)\n%s", tt.entity, tt.payload, diff)
		}
	}
}

// The import order is a topological sort of the parent links: every parent
// before its children, whatever the registry's order.
func TestImportOrderFollowsParents(t *testing.T) {
	t.Parallel()
	var names []string
	for _, e := range All() {
		names = append(names, e.Name)
	}
	want := []string{"activity_type", "user", "customer", "site", "equipment", "part", "part_price", "inventory", "job", "attachment"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("import order (-want +got):\n%s", diff)
	}
	for i, e := range All() {
		for _, l := range e.Parents {
			if Rank(l.Parent.Name) >= i {
				t.Errorf("%s comes before its parent %s", e.Name, l.Parent.Name)
			}
		}
	}
	// Reversed, the registry gives the same guarantees.
	rev := slices.Clone(registry)
	slices.Reverse(rev)
	placed := map[string]bool{}
	for _, e := range mustOrder(rev) {
		for _, p := range e.parentNames() {
			if !placed[p] {
				t.Errorf("reversed registry: %s placed before its parent %s", e.Name, p)
			}
		}
		placed[e.Name] = true
	}
}

func TestOrderRefusesCycles(t *testing.T) {
	t.Parallel()
	a, b := &Entity{Name: "a"}, &Entity{Name: "b"}
	a.Parents = []Link{{"bId", b, "id"}}
	b.Parents = []Link{{"aId", a, "id"}}
	defer func() {
		if recover() == nil {
			t.Error("a cycle of parents was accepted")
		}
	}()
	mustOrder([]*Entity{a, b})
}

// Every entity is whole: its keys, required fields, links and read keys are
// fields of its own, its links name entities of the registry by fields they
// have, and it is sent one way.
func TestRegistryIsConsistent(t *testing.T) {
	t.Parallel()
	for _, e := range All() {
		has := func(f string) bool { _, ok := e.Field(f); return ok }
		for _, group := range [][]string{e.Keys, e.IDs, e.Required, e.ReadKeys} {
			for _, f := range group {
				if !has(f) {
					t.Errorf("%s: %q is not one of its fields", e.Name, f)
				}
			}
		}
		for _, id := range e.IDs {
			if !slices.Contains(e.Keys, id) {
				t.Errorf("%s: id %q is not a key", e.Name, id)
			}
		}
		for _, l := range e.Parents {
			p, ok := Lookup(l.Parent.Name)
			switch {
			case !ok:
				t.Errorf("%s: parent %q is not in the registry", e.Name, l.Parent.Name)
			case !has(l.Field):
				t.Errorf("%s: link field %q is not one of its fields", e.Name, l.Field)
			default:
				if _, ok := p.Field(l.ParentField); !ok {
					t.Errorf("%s: %s has no field %q", e.Name, l.Parent.Name, l.ParentField)
				}
			}
		}
		if (e.Send == nil) == (e.Batch == nil) {
			t.Errorf("%s: give exactly one of Send and Batch", e.Name)
		}
		if (e.Read == nil) != (len(e.ReadKeys) == 0) {
			t.Errorf("%s: Read and ReadKeys go together", e.Name)
		}
		if e.Doc == "" || e.Endpoint == "" {
			t.Errorf("%s: no Doc or Endpoint", e.Name)
		}
	}
}

func TestChildKeys(t *testing.T) {
	t.Parallel()
	for name, want := range map[string][]string{
		"customer": {"myId", "id", "name"}, "site": {"myId", "id", "name"}, "equipment": {"myId", "id", "name"},
		"part": {"reference", "id"}, "user": {"login", "id"}, "inventory": nil,
	} {
		if diff := cmp.Diff(want, ChildKeys(name)); diff != "" {
			t.Errorf("ChildKeys(%s) (-want +got):\n%s", name, diff)
		}
	}
}

func TestValueFollowsDottedPaths(t *testing.T) {
	t.Parallel()
	p := Payload{"myId": "C1", "job": map[string]any{"num": int64(12)}, "empty": nil}
	for field, want := range map[string]any{"myId": "C1", "job.num": int64(12)} {
		if got, ok := Value(p, field); !ok || got != want {
			t.Errorf("Value(%s) = %v, %v", field, got, ok)
		}
	}
	for _, field := range []string{"empty", "job.myId", "myId.x", "nothing"} {
		if got, ok := Value(p, field); ok {
			t.Errorf("Value(%s) = %v, want none", field, got)
		}
	}
}

// The machinery never names an entity: it reads the registry. Only the
// registry (this package), the API client's models and the sandbox, which
// speak the API's own words, may. (Tests and docs may too.)
func TestEntityNamesStayInTheRegistry(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		skip := map[string]bool{"testdata": true, "sandbox": true, "synchroteam": true}
		if d.IsDir() && path != root && (skip[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		// Export kinds name their filters and columns after the API's
		// fields (filters: {customer: ...}), but never branch on an entity.
		literal := `(^|[^:\w])"%s"`
		if strings.HasPrefix(filepath.Base(path), "export_") {
			literal = `(case|==|!=)\s*"%s"|"%s"\s*(==|!=)`
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		for _, e := range All() {
			if regexp.MustCompile(strings.ReplaceAll(literal, "%s", regexp.QuoteMeta(e.Name))).Match(b) {
				t.Errorf("%s names the entity %q: read the registry instead", path, e.Name)
			}
		}
		return nil
	})
	if checked < 30 {
		t.Errorf("only %d Go files checked: the walk missed the tree", checked)
	}
	if err != nil {
		t.Fatal(err)
	}
}

package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/readers"
)

// TestMappingLimits reads limits: and gives them to the source and to the
// lookups' tables.
func TestMappingLimits(t *testing.T) {
	t.Parallel()
	m, err := Parse("m.yaml", []byte(`version: 1
import: customer
limits:
  fields_per_row: 40
  field_bytes: 64 KiB
  row_bytes: 1048576
  shared_strings: 1000
  shared_string_bytes: 1 GiB
  xml_depth: 20
fields:
  myId: CODE
  name: NAME
  address:
    lookup: { file: towns.csv, match: ZIP, key: Zip, value: Town }
`))
	if err != nil {
		t.Fatal(err)
	}
	want := readers.Limits{FieldsPerRow: 40, FieldBytes: 64 << 10, RowBytes: 1 << 20, SharedStrings: 1000, SharedStringBytes: 1 << 30, XMLDepth: 20}
	if diff := cmp.Diff(want, m.Limits); diff != "" {
		t.Errorf("limits (-want +got):\n%s", diff)
	}
	if m.CSV.Limits != want || m.XLSX.Limits != want {
		t.Errorf("source limits %+v %+v, want %+v", m.CSV.Limits, m.XLSX.Limits, want)
	}
	var lookups int
	for _, f := range m.Fields {
		if f.Lookup != nil {
			lookups++
			if f.Lookup.CSV.Limits != want || f.Lookup.XLSX.Limits != want {
				t.Errorf("lookup limits %+v, want %+v", f.Lookup.CSV.Limits, want)
			}
		}
	}
	if lookups != 1 {
		t.Fatalf("%d lookups", lookups)
	}
}

func TestMappingLimitsProblems(t *testing.T) {
	t.Parallel()
	_, err := Parse("m.yaml", []byte(`version: 1
import: customer
limits:
  fields_per_row: 0
  field_bytes: 1.5 MiB
  row_bytes: 3 TiB
  xml_deep: 5
fields:
  myId: CODE
`))
	ps := problemsOf(t, err)
	var got []string
	for _, p := range ps {
		got = append(got, p.Error())
	}
	want := []string{
		`m.yaml:4:19: limits fields_per_row must be a whole number of at least 1, got "0"`,
		`m.yaml:5:16: limits field_bytes: "1.5 MiB" is not a size: write a whole number of bytes, or one with KiB, MiB or GiB`,
		`m.yaml:6:14: limits row_bytes: "3 TiB" is not a size: the unit must be KiB, MiB or GiB`,
		`m.yaml:7:3: unknown key "xml_deep" in limits`,
	}
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !strings.HasPrefix(g, w) || (w == "") != (g == "") {
			t.Errorf("problem %d\n got %s\nwant %s…", i, g, w)
		}
	}
}

// TestLimitsInARun: a row past a mapping's limit is one row error in the
// report, and the rows after it are imported.
func TestLimitsInARun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("CODE,NAME\nC1,Ann\nC2,"+strings.Repeat("x", 100)+"\nC3,Bob\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := Parse(filepath.Join(dir, "m.yaml"), []byte("version: 1\nimport: customer\nsource: in.csv\nlimits:\n  field_bytes: 64\nfields:\n  myId: CODE\n  name: NAME\n"))
	if err != nil {
		t.Fatal(err)
	}
	sum := runIn(t, filepath.Join(dir, "out"), []*Mapping{m}, Options{DryRun: true})
	if sum.Sent != 2 || sum.Rejected != 1 {
		t.Fatalf("sent %d, rejected %d; want 2 and 1 (%+v)", sum.Sent, sum.Rejected, sum.Counts)
	}
	// The report keeps the row as it was, to be fixed and imported again.
	src, err := readers.Open(sum.Mappings[0].Errors, readers.CSVOptions{}, readers.XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	row, err := src.Next()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"C2", strings.Repeat("x", 100), "3", "column NAME: the value is 100 bytes, more than the limit of 64 bytes (limits: field_bytes in the mapping raises it)"}
	if diff := cmp.Diff(want, row.Cells); diff != "" {
		t.Errorf("errors report row (-want +got):\n%s\nheader %q", diff, src.Header())
	}
}

package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/sandbox"
)

// sitesCSV is a lookup file: site codes and their customers, with a row
// whose key is blank and a key given twice with the same value.
const sitesCSV = `SiteCode,SiteName,CustomerCode
S-001,Fournil,CLI-001
S-002,Boutique,CLI-001
 S-003 ,Laboratoire, CLI-002
,Sans code,CLI-999
S-003,Laboratoire (bis),CLI-002
s-004,Hôtel,
`

// lookupDir writes files (name → content) into a new folder and returns it.
func lookupDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// equipmentMapping is an equipment mapping whose customerMyId is rule
// (indented under the field).
func equipmentMapping(rule string) string {
	return "version: 1\nimport: equipment\nfields:\n  myId: CODE\n  customerMyId:\n" + rule
}

func TestParseLookupRules(t *testing.T) {
	t.Parallel()
	good := []struct {
		name string
		rule string
		want Lookup
	}{
		{"column", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE }\n",
			Lookup{File: "maps/sites.csv", Key: "SiteCode", Value: "CustomerCode", Column: "SITE"}},
		{"match column", "    lookup: { file: ../sites.csv, key: K, value: V, match: { column: SITE } }\n",
			Lookup{File: "sites.csv", Key: "K", Value: "V", Column: "SITE"}},
		{"absolute file", "    lookup: { file: /data/sites.csv, key: K, value: V, match: SITE }\n",
			Lookup{File: "/data/sites.csv", Key: "K", Value: "V", Column: "SITE"}},
		{"default, ignore_case and options", `    lookup:
      file: prices.xlsx
      key: Ref
      value: Prix
      match: { expr: upper(REF) }
      ignore_case: true
      csv: { delimiter: ";", encoding: windows-1252 }
      xlsx: { sheet: Tarifs, header_row: 2 }
    default: "0"
`, Lookup{File: "maps/prices.xlsx", Key: "Ref", Value: "Prix", IgnoreCase: true, Optional: true,
			CSV: readers.CSVOptions{Delimiter: ';', Encoding: "windows-1252"}, XLSX: readers.XLSXOptions{Sheet: "Tarifs", HeaderRow: 2}}},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse("maps/m.yaml", []byte(equipmentMapping(tt.rule)))
			if err != nil {
				t.Fatal(err)
			}
			lk := m.Fields[1].Lookup
			if lk == nil {
				t.Fatal("no lookup")
			}
			got := *lk
			if (got.Expr != nil) != (tt.want.Column == "") {
				t.Errorf("expr %v, column %q", got.Expr, got.Column)
			}
			got.Expr = nil
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(Lookup{})); diff != "" {
				t.Errorf("lookup (-want +got):\n%s", diff)
			}
		})
	}

	bad := []struct {
		name string
		rule string
		want []string
	}{
		{"misspelt key", "    lookup: { file: s.csv, key: K, valeu: V, match: A }\n", []string{
			`bad.yaml:6:5: customerMyId: the lookup needs "value:": the lookup file's column holding the values`,
			`bad.yaml:6:36: unknown key "valeu" in customerMyId lookup (did you mean "value"?)`,
		}},
		{"everything missing", "    lookup: {}\n", []string{
			`bad.yaml:6:5: customerMyId: the lookup needs "file:"`,
			`bad.yaml:6:5: customerMyId: the lookup needs "key:"`,
			`bad.yaml:6:5: customerMyId: the lookup needs "value:"`,
			`bad.yaml:6:5: customerMyId: the lookup needs "match:"`,
		}},
		{"not a mapping", "    lookup: sites.csv\n", []string{
			`bad.yaml:6:13: customerMyId lookup must be a mapping of keys to values, got "sites.csv"`,
		}},
		{"two sources", "    column: A\n    lookup: { file: s.csv, key: K, value: V, match: A }\n", []string{
			`bad.yaml:6:5: customerMyId: give exactly one of column, value, expr or lookup (got 2)`,
		}},
		{"empty values", "    lookup: { file: '', key: ' ', value: [V], match: '' }\n", []string{
			`bad.yaml:6:21: customerMyId: lookup file is empty`,
			`bad.yaml:6:30: customerMyId: lookup key is empty`,
			`bad.yaml:6:42: lookup value must be a single value, got a list`,
			`bad.yaml:6:54: customerMyId: lookup match: empty column name`,
		}},
		{"match both", "    lookup: { file: s.csv, key: K, value: V, match: { column: A, expr: B } }\n", []string{
			`bad.yaml:6:53: customerMyId: lookup match takes one of column or expr (got 2)`,
		}},
		{"match misspelt", "    lookup: { file: s.csv, key: K, value: V, match: { colum: A } }\n", []string{
			`bad.yaml:6:53: customerMyId: lookup match takes one of column or expr (got 0)`,
			`bad.yaml:6:55: unknown key "colum" in lookup match (did you mean "column"?)`,
		}},
		{"bad options", "    lookup: { file: s.csv, key: K, value: V, match: A, ignore_case: maybe, csv: { delimiter: '#' }, xlsx: { sheet: 0 } }\n", []string{
			`bad.yaml:6:69: lookup ignore_case must be true or false, got "maybe"`,
			`bad.yaml:6:94: csv delimiter "#": use auto`,
			`bad.yaml:6:116: xlsx sheet index must be 1 or more, got 0`,
		}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("bad.yaml", []byte(equipmentMapping(tt.rule)))
			ps := problemsOf(t, err)
			if len(ps) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(tt.want), err)
			}
			for i, p := range ps {
				if !strings.HasPrefix(p.Error(), tt.want[i]) {
					t.Errorf("problem %d\n got %s\nwant %s…", i, p.Error(), tt.want[i])
				}
			}
		})
	}
}

// bindLookupMapping parses an equipment mapping with rule in dir and binds
// it to a source with header.
func bindLookupMapping(t *testing.T, dir, rule string, header ...string) (*Mapping, error) {
	t.Helper()
	m, err := Parse(filepath.Join(dir, "m.yaml"), []byte(equipmentMapping(rule)))
	if err != nil {
		t.Fatal(err)
	}
	return m, m.Bind("equipment.csv", header)
}

func TestBindLookupProblems(t *testing.T) {
	t.Parallel()
	var dups strings.Builder
	dups.WriteString("K,V\n")
	for i := range 8 {
		fmt.Fprintf(&dups, "A%d,x\nA%d,y\n", i, i)
	}
	dir := lookupDir(t, map[string]string{
		"sites.csv":  sitesCSV,
		"dup.csv":    "SiteCode,CustomerCode\nS-001,CLI-001\nS-002,CLI-002\nS-001 ,CLI-001\nS-002,CLI-003\n",
		"case.csv":   "K,V\nab,1\nAB,2\n",
		"many.csv":   dups.String(),
		"ragged.csv": "K,V\na,1\nb,2,3\n\"c,3\n",
		"empty.csv":  "",
		"old.xls":    "",
	})
	tests := []struct {
		name, rule string
		want       []string
	}{
		{"missing file", "    lookup: { file: nothere.csv, key: K, value: V, match: SITE }\n",
			[]string{"m.yaml:6:21: cannot read the lookup file nothere.csv: no such file or directory"}},
		{"not a table", "    lookup: { file: old.xls, key: K, value: V, match: SITE }\n",
			[]string{"m.yaml:6:21: cannot read the lookup file old.xls: the old binary Excel format (.xls) is not supported"}},
		{"empty file", "    lookup: { file: empty.csv, key: K, value: V, match: SITE }\n",
			[]string{"m.yaml:6:21: the lookup file empty.csv has no header row"}},
		{"unknown columns", "    lookup: { file: sites.csv, key: SiteCod, value: Customer, match: SIT }\n", []string{
			`m.yaml:6:37: lookup key: column "SiteCod" is not in sites.csv (did you mean "SiteCode"?)`,
			`m.yaml:6:53: lookup value: column "Customer" is not in sites.csv; its columns: "SiteCode", "SiteName", "CustomerCode"`,
			`m.yaml:6:70: lookup match: column "SIT" is not in equipment.csv (did you mean "SITE"?)`,
		}},
		{"match expression", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: { expr: 'upper(SIET)' } }\n", []string{
			`m.yaml:6:90: expression: unknown column "SIET" (did you mean "SITE"?)`,
		}},
		{"key given two values", "    lookup: { file: dup.csv, key: SiteCode, value: CustomerCode, match: SITE }\n", []string{
			`m.yaml:6:21: dup.csv rows 3 and 5 both have SiteCode S-002, with CustomerCode "CLI-002" and "CLI-003": a lookup needs one value per key`,
		}},
		{"keys equal without case", "    lookup: { file: case.csv, key: K, value: V, match: SITE, ignore_case: true }\n", []string{
			`m.yaml:6:21: case.csv rows 2 and 3 both have K AB, with V "1" and "2"`,
		}},
		{"many problems", "    lookup: { file: many.csv, key: K, value: V, match: SITE }\n", []string{
			`m.yaml:6:21: many.csv rows 2 and 3 both have K A0`,
			`m.yaml:6:21: many.csv rows 4 and 5 both have K A1`,
			`m.yaml:6:21: many.csv rows 6 and 7 both have K A2`,
			`m.yaml:6:21: many.csv rows 8 and 9 both have K A3`,
			`m.yaml:6:21: many.csv rows 10 and 11 both have K A4`,
			`m.yaml:6:21: … and 3 more problems in the lookup file many.csv`,
		}},
		{"unreadable rows", "    lookup: { file: ragged.csv, key: K, value: V, match: SITE }\n", []string{
			"m.yaml:6:21: the lookup file has a row it cannot read: ragged.csv:3: 3 fields, but the header has 2",
			"m.yaml:6:21: the lookup file has a row it cannot read: ragged.csv:4: ",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := bindLookupMapping(t, dir, tt.rule, "CODE", "SITE")
			ps := problemsOf(t, err)
			if len(ps) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(tt.want), err)
			}
			for i, p := range ps {
				got := strings.ReplaceAll(p.Error(), dir+string(filepath.Separator), "")
				if !strings.HasPrefix(got, tt.want[i]) {
					t.Errorf("problem %d\n got %s\nwant %s…", i, got, tt.want[i])
				}
			}
			if lk := m.Fields[1].Lookup; lk.table != nil && !strings.Contains(tt.name, "match") {
				t.Errorf("a lookup with problems has a table of %d keys", len(lk.table.entries))
			}
		})
	}
	// Without case, the two keys of case.csv are two keys.
	if _, err := bindLookupMapping(t, dir, "    lookup: { file: case.csv, key: K, value: V, match: SITE }\n", "CODE", "SITE"); err != nil {
		t.Errorf("case.csv with regard to case: %v", err)
	}
}

func TestBuildWithLookup(t *testing.T) {
	t.Parallel()
	dir := lookupDir(t, map[string]string{"sites.csv": sitesCSV})
	tests := []struct {
		name, rule string
		site       string
		want       string // the payload as JSON, or the row's error
	}{
		{"found", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE }\n",
			"S-002", `{"customerMyId":"CLI-001","myId":"E-1"}`},
		{"keys compare trimmed", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE }\n",
			"\u00a0S-003 ", `{"customerMyId":" CLI-002","myId":"E-1"}`},
		{"transforms apply to the value", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE }\n    transform: [trim, lower]\n",
			"S-003", `{"customerMyId":"cli-002","myId":"E-1"}`},
		{"not found", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE }\n",
			"S-099", `customerMyId (lookup SiteCode=S-099 in sites.csv): not found`},
		{"case matters", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE }\n",
			"s-001", `customerMyId (lookup SiteCode=s-001 in sites.csv): not found`},
		{"ignore_case", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE, ignore_case: true }\n",
			"s-001", `{"customerMyId":"CLI-001","myId":"E-1"}`},
		{"not found, default", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE }\n    default: CLI-000\n",
			"S-099", `{"customerMyId":"CLI-000","myId":"E-1"}`},
		{"found, default", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE }\n    default: CLI-000\n",
			"S-001", `{"customerMyId":"CLI-001","myId":"E-1"}`},
		{"empty key", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE }\n",
			" ", `{"myId":"E-1"}`},
		{"empty key, required", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE }\n    required: true\n",
			"", `customerMyId (lookup SiteCode="" in sites.csv): required: value is empty`},
		{"empty value, required", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE, ignore_case: true }\n    required: true\n",
			"S-004", `customerMyId (lookup SiteCode=S-004 in sites.csv): required: value is empty`},
		{"key with spaces", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE }\n",
			"S 1", `customerMyId (lookup SiteCode="S 1" in sites.csv): not found`},
		{"expression", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: { expr: 'upper(replace(SITE, \"_\", \"-\"))' } }\n",
			"s_002", `{"customerMyId":"CLI-001","myId":"E-1"}`},
		{"expression fails", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: { expr: 'number(SITE) > 0 ? SITE : \"\"' } }\n",
			"S-1", `customerMyId (lookup SiteCode in sites.csv): number: "S-1" is not a number`},
		{"expression gives a list", "    lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: { expr: 'split(SITE, \";\")' } }\n",
			"S-1;S-2", `customerMyId (lookup SiteCode in sites.csv): the key is a list (S-1, S-2): join it, or take one item`},
		{"key and value the same column", "    lookup: { file: sites.csv, key: SiteCode, value: SiteCode, match: SITE }\n    transform: trim\n",
			"S-003", `{"customerMyId":"S-003","myId":"E-1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := bindLookupMapping(t, dir, tt.rule, "CODE", "SITE")
			if err != nil {
				t.Fatal(err)
			}
			p, err := m.Build(readers.Row{Num: 2, Cells: []string{"E-1", tt.site}})
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = payloadJSON(t, p)
			}
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// A lookup whose file is an XLSX workbook reads its cells as the source's
// reader does: number cells as stored, on the sheet and header row given.
func TestLookupFromWorkbook(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := excelize.NewFile()
	defer f.Close()
	if _, err := f.NewSheet("Tarifs"); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"Liste de prix 2026"},
		{},
		{"Référence", "Prix HT"},
		{"VENT-EC-250", 1234.5},
		{"p11", "12,90"},
		{42, 7},
	}
	for i, r := range rows {
		if err := f.SetSheetRow("Tarifs", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(filepath.Join(dir, "prix.xlsx")); err != nil {
		t.Fatal(err)
	}
	src := `version: 1
import: part
fields:
  reference: REF
  price:
    lookup:
      file: prix.xlsx
      xlsx: { sheet: tarifs, header_row: 3 }
      key: Référence
      value: Prix HT
      match: REF
    transform: number
`
	m, err := Parse(filepath.Join(dir, "parts.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Bind("parts.csv", []string{"REF"}); err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]string{
		"VENT-EC-250": `{"price":1234.5,"reference":"VENT-EC-250"}`,
		"p11":         `{"price":12.9,"reference":"p11"}`,
		"42":          `{"price":7,"reference":"42"}`,
		"P11":         `price (lookup Référence=P11 in prix.xlsx): not found`,
	} {
		p, err := m.Build(readers.Row{Num: 2, Cells: []string{ref}})
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = payloadJSON(t, p)
		}
		if got != want {
			t.Errorf("%s: got %s, want %s", ref, got, want)
		}
	}
	// The sheet must exist.
	bad := strings.Replace(src, "sheet: tarifs", "sheet: Prices", 1)
	m, err = Parse(filepath.Join(dir, "parts.yaml"), []byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	ps := problemsOf(t, m.Bind("parts.csv", []string{"REF"}))
	if len(ps) != 1 || ps[0].Line != 7 || !strings.Contains(ps[0].Msg, "Prices") {
		t.Errorf("problems %v, want one at line 7 naming the sheet", ps)

	}
}

// Lookups of the same file, columns and options share one table; another
// value column is another table.
func TestLookupsShareTables(t *testing.T) {
	t.Parallel()
	dir := lookupDir(t, map[string]string{"sites.csv": sitesCSV})
	src := `version: 1
import: equipment
fields:
  myId: CODE
  customerMyId: { lookup: { file: sites.csv, key: SiteCode, value: CustomerCode, match: SITE } }
  siteMyId: { lookup: { file: sites.csv, key: SiteCode, value: SiteCode, match: SITE } }
  customerName: { lookup: { file: ./sites.csv, key: SiteCode, value: CustomerCode, match: { expr: lower(SITE) } } }
`
	m, err := Parse(filepath.Join(dir, "m.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Bind("in.csv", []string{"CODE", "SITE"}); err != nil {
		t.Fatal(err)
	}
	customer, site, name := m.Fields[1].Lookup.table, m.Fields[2].Lookup.table, m.Fields[3].Lookup.table
	if customer == nil || customer != name || customer == site {
		t.Errorf("tables: customerMyId %p, siteMyId %p, customerName %p: want the first and last shared", customer, site, name)
	}
	// Only keys and values are kept: the rows of sites.csv with a key.
	if got := len(customer.entries); got != 4 {
		t.Errorf("%d keys, want 4", got)
	}
}

// A mapping built without Bind (no table) gives a row error, not a panic.
func TestLookupUnbound(t *testing.T) {
	t.Parallel()
	m, err := Parse("m.yaml", []byte(equipmentMapping("    lookup: { file: s.csv, key: K, value: V, match: A }\n")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Build(readers.Row{Num: 2, Cells: []string{"E-1", "x"}})
	if err == nil || !strings.Contains(err.Error(), "not bound") {
		t.Errorf("err = %v", err)
	}
}

// A run is resumed only with the lookup files it read: another file would
// build other payloads for the rows left.
func TestResumeRefusesAnEditedLookup(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	names := "Code,Name\nOL-1,Alpha\n"
	writeFiles(t, dir, map[string]string{"a.csv": "Code\nOL-1\n", "names.csv": names, "m.yaml": "version: 1\nimport: customer\nsource: a.csv\nfields:\n" +
		"  myId: Code\n  name: { lookup: { file: names.csv, key: Code, value: Name, match: Code } }\n"})
	m, err := Load(filepath.Join(dir, "m.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	runIn(t, out, []*Mapping{m}, Options{Client: c})
	unfinish(t, out)
	writeFiles(t, dir, map[string]string{"names.csv": "Code,Name\nOL-1,Beta\n"})
	_, err = Run(context.Background(), []*Mapping{m}, Options{Client: c, OutDir: out, Resume: true})
	if err == nil || !strings.Contains(err.Error(), "m.yaml changed since the run, or a file it looks values up in") {
		t.Errorf("resuming with an edited lookup file: %v", err)
	}
	writeFiles(t, dir, map[string]string{"names.csv": names})
	if sum := runIn(t, out, []*Mapping{m}, Options{Client: c, Resume: true}); sum.Sent != 1 {
		t.Errorf("resumed with the same lookup file: %+v", sum.Counts)
	}
}

package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/pipeline/internal/mapfile"
)

func problemsOf(t *testing.T, err error) Problems {
	t.Helper()
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want Problems", err)
	}
	return ps
}

// An error on the second line of a literal block scalar is reported where
// it is in the file: the line after the indicator's, plus one, at the
// content's indentation plus the column.
func TestExprLiteralBlockPosition(t *testing.T) {
	t.Parallel()
	src := `version: 1
import: customer
fields:
  myId: CODE
  address:
    expr: |
      CP + " " +
        VILE
  name: { expr: &n NOM }
  contactName:
    expr: !!str &c
      NOMM + "x"
`
	m, err := Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ps := problemsOf(t, m.Bind("in.csv", []string{"CODE", "CP", "VILLE", "NAME"}))
	want := []string{
		`m.yaml:8:9: expression: unknown column "VILE" (did you mean "VILLE"?)`,
		`m.yaml:9:20: expression: unknown column "NOM"`,
		`m.yaml:12:7: expression: unknown column "NOMM"`,
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(want), ps)
	}
	for i, p := range ps {
		if !strings.HasPrefix(p.Error(), want[i]) {
			t.Errorf("problem %d\n got %s\nwant %s…", i, p.Error(), want[i])
		}
	}
}

// customers.yaml writes its address expression as a folded scalar (>-):
// each unknown column is reported at its name in the file, never past the
// end of a line.
func TestExprFoldedBlockPosition(t *testing.T) {
	t.Parallel()
	path := examplePath("customers.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	full := []string{"Code", "Name", "Street", "Street2", "ZIP", "City", "State", "Country", "ContactFirstName",
		"ContactLastName", "Phone", "Email", "Sector", "Contract", "CustomerSince", "Tags", "Latitude", "Longitude"}
	for _, missing := range []string{"Country", "Street", "Street2", "City", "State", "ZIP"} {
		m, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		var header []string
		for _, h := range full {
			if h != missing {
				header = append(header, h)
			}
		}
		for _, p := range problemsOf(t, m.Bind("in.csv", header)) {
			if !strings.HasPrefix(p.Msg, "expression:") {
				continue
			}
			if p.Line < 1 || p.Line > len(lines) {
				t.Fatalf("%s: line out of the file", p)
			}
			ln := lines[p.Line-1]
			if p.Col < 1 || p.Col > utf8.RuneCountInString(ln) {
				t.Errorf("%s: column past the end of %q", p, ln)
				continue
			}
			at := string([]rune(ln)[p.Col-1:])
			if !strings.HasPrefix(at, missing) {
				t.Errorf("%s: points at %q, want %s", p, at, missing)
			}
		}
	}

	// An error at the end of a folded expression stays on its last line
	// (a syntax error is found by Parse, before the header is known).
	src := "version: 1\nimport: customer\nfields:\n  myId: CODE\n  address:\n    expr: >-\n      CP +\n      VILLE +\n"
	_, err = Parse("m.yaml", []byte(src))
	ps := problemsOf(t, err)
	if len(ps) != 1 || ps[0].Line != 8 || ps[0].Col < 7 || ps[0].Col > len("      VILLE +") {
		t.Errorf("got %v, want one problem on line 8 within %q", ps, "      VILLE +")
	}
	// Folding that is not a simple join: the first content line at its
	// indentation.
	src = "version: 1\nimport: customer\nfields:\n  myId: CODE\n  address:\n    expr: >\n      CP +\n\n        VILE\n"
	m, err := Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ps = problemsOf(t, m.Bind("in.csv", []string{"CODE", "CP", "VILLE"}))
	if len(ps) != 1 || ps[0].Line != 7 || ps[0].Col != 7 {
		t.Errorf("got %v, want one problem at 7:7", ps)
	}
}

func TestLoadRefusesHugeFiles(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data.yaml")
	big := strings.Repeat("a,b,c,d,e,f,g\n", (mapfile.MaxSize/14)+100)
	if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	ps := problemsOf(t, err)
	want := fmt.Sprintf("%s: the mapping file is 1.0 MiB (%d bytes): is this a data file? a mapping file is YAML of a few KB", path, len(big))
	if len(ps) != 1 || ps[0].Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if _, err := Parse(path, []byte(big)); err == nil || !strings.Contains(err.Error(), "is this a data file?") {
		t.Errorf("Parse: got %v", err)
	}
}

func TestParseCapsProblems(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("version: 1\nimport: customer\nfields:\n  myId: CODE\n")
	for i := range 60 {
		fmt.Fprintf(&b, "  nofield%d: X\n", i)
	}
	_, err := Parse("m.yaml", []byte(b.String()))
	ps := problemsOf(t, err)
	if len(ps) != mapfile.MaxProblems+1 {
		t.Fatalf("got %d problems, want %d", len(ps), mapfile.MaxProblems+1)
	}
	if got, want := ps[len(ps)-1].Error(), "m.yaml: … and 10 more problems"; got != want {
		t.Errorf("last problem %q, want %q", got, want)
	}
	if ps[mapfile.MaxProblems-1].Line != 4+mapfile.MaxProblems {
		t.Errorf("problem %d is at line %d, want the first ones in file order", mapfile.MaxProblems, ps[mapfile.MaxProblems-1].Line)
	}
}

func TestParseAliases(t *testing.T) {
	t.Parallel()
	src := `version: 1
import: customer
x-cols:
  - &code CODE
  - &trim [trim, squash]
fields:
  myId: *code
  name: { column: NAME, transform: *trim }
  contactEmail: { column: EMAIL, transform: [*code] }
`
	// x-cols is an unknown key, reported; the aliases are read.
	_, err := Parse("m.yaml", []byte(src))
	ps := problemsOf(t, err)
	want := []string{
		`m.yaml:3:1: unknown key "x-cols" in the mapping file`,
		`m.yaml:4:5: unknown transform "CODE"`,
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(want), err)
	}
	for i, p := range ps {
		if !strings.HasPrefix(p.Error(), want[i]) {
			t.Errorf("problem %d\n got %s\nwant %s…", i, p.Error(), want[i])
		}
	}

	src = "version: &v 1\nimport: customer\nfields:\n  myId: &k CODE\n  name: *k\n  adressCity: { column: CITY, transform: [&t trim] }\n  adressZIP: { column: ZIP, transform: [*t] }\n"
	m, err := Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if m.Fields[0].Column != "CODE" || m.Fields[1].Column != "CODE" || len(m.Fields[3].Transforms) != 1 {
		t.Errorf("fields %+v %+v %+v", m.Fields[0], m.Fields[1], m.Fields[3])
	}

	tests := []struct{ name, src, want string }{
		{"unknown anchor", "version: 1\nimport: customer\nfields:\n  myId: CODE\n  name: *nom\n",
			`m.yaml:5:9: YAML: unknown anchor "nom"`},
		{"itself", "version: 1\nimport: customer\nfields: &f\n  myId: CODE\n  name: *f\n",
			`m.yaml:5:9: YAML: anchor "f" is used inside itself`},
		{"bomb", "version: 1\nimport: customer\nfields: {myId: CODE}\n" +
			"a: &a [x, x, x, x, x, x, x, x, x, x]\n" +
			"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
			"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
			"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n" +
			"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n" +
			"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n" +
			"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n" +
			"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n" +
			"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n",
			"YAML: the aliases (*name) of the mapping file stand for more than 10000 values"},
	}
	for _, tt := range tests {
		_, err := Parse("m.yaml", []byte(tt.src))
		ps := problemsOf(t, err)
		if len(ps) != 1 || !strings.Contains(ps[0].Error(), tt.want) {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.want)
		}
	}
}

// A source without a header row is said once, at fields:, not once per
// column.
func TestBindEmptySource(t *testing.T) {
	t.Parallel()
	m, err := Parse("m.yaml", []byte(goodMapping))
	if err != nil {
		t.Fatal(err)
	}
	for _, header := range [][]string{nil, {}} {
		ps := problemsOf(t, m.Bind("empty.csv", header))
		if want := "m.yaml:6:1: empty.csv has no header row (the file is empty)"; len(ps) != 1 || ps[0].Error() != want {
			t.Errorf("got %v, want %s", ps, want)
		}
	}
}

// An unknown entity does not hide the other mistakes of the file: its
// fields are checked against the entity it is closest to, its expressions'
// syntax and functions, its transforms and checks.
func TestUnknownEntityKeepsCheckingTheFile(t *testing.T) {
	t.Parallel()
	src := `version: 1
import: custmer
csv: { delimitr: ";" }
where: lower(CLOS ==
duplicates: lats
fields:
  myId: { column: Code, transform: [trimm] }
  nmae: Name
  email: { column: Mail, check: emial }
  address: { expr: 'uper(Street)' }
  name: { column: Name }
  name: Other
`
	_, err := Parse("m.yaml", []byte(src))
	ps := problemsOf(t, err)
	var got []string
	for _, p := range ps {
		got = append(got, p.Error())
	}
	want := []string{
		`m.yaml:2:9: unknown entity "custmer": import one of activity_type, attachment, customer, equipment, inventory, job, part, part_price, site, user (did you mean "customer"?)`,
		`m.yaml:3:8: unknown key "delimitr" in csv (did you mean "delimiter"?)`,
		`m.yaml:4:20: expression: unexpected token EOF`,
		`m.yaml:5:13: duplicates "lats": use error, first, last (did you mean "last"?)`,
		`m.yaml:7:37: unknown transform "trimm" (did you mean "trim"?); transforms are bool, date, default, integer, join, lower, map, number, replace, split, squash, title, trim, upper`,
		`m.yaml:8:3: customer has no field "nmae" (did you mean "name"?)`,
		`m.yaml:9:3: customer has no field "email"; fields: id, myId, name, address, addressComplement, adressStreet, adressZIP, adressCity, adressProvince, adressCountry, contactName, contactFirstName, contactPhone, contactMobile, contactEmail, contactFax, position.latitude, position.longitude, tags, customFieldValues.<Name>`,
		`m.yaml:9:33: unknown check "emial" (did you mean "email"?); checks are email, max, max_length, min, min_length, one_of, regex, required`,
		`m.yaml:10:21: expression: unknown function "uper" (did you mean "upper"?)`,
		`m.yaml:12:3: field "name" is mapped twice (also as "name" at line 11)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}

	// Nothing close: the fields are checked against one another only.
	src = strings.Replace(src, "custmer", "stock_level", 1)
	_, err = Parse("m.yaml", []byte(src))
	got = nil
	for _, p := range problemsOf(t, err) {
		if strings.Contains(p.Msg, "field") {
			got = append(got, p.Error())
		}
	}
	if want := []string{`m.yaml:12:3: field "name" is mapped twice (also as "name" at line 11)`}; !cmp.Equal(want, got) {
		t.Errorf("field problems %q, want %q", got, want)
	}
}

// Expressions are checked for their syntax and functions as the mapping
// file is read; their columns once the source's header is known.
func TestExpressionsCheckedBeforeTheHeader(t *testing.T) {
	t.Parallel()
	src := "version: 1\nimport: customer\nwhere: STATUS == \"open\" &&\nfields:\n  myId: CODE\n  name: { expr: 'titel(NAME)' }\n"
	_, err := Parse("m.yaml", []byte(src))
	want := "m.yaml:3:26: expression: unexpected token EOF\nm.yaml:6:18: expression: unknown function \"titel\" (did you mean \"title\"?)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want\n%s", err, want)
	}
	// Unknown columns wait for the header.
	m, err := Parse("m.yaml", []byte("version: 1\nimport: customer\nwhere: STATUS == \"open\"\nfields:\n  myId: CODE\n  name: { expr: 'title(row[\"Nom client\"])' }\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Bind("in.csv", []string{"CODE", "STATUS", "Nom client"}); err != nil {
		t.Fatal(err)
	}
}

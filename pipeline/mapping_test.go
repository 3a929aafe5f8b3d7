package pipeline

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/readers"
)

const goodMapping = `version: 1
import: customer
source: customers.csv
csv: { delimiter: ";", encoding: windows-1252 }
where: STATUT != "fermé"
fields:
  myId: CODE
  name: { column: "Raison sociale", required: true, transform: [trim, squash] }
  addressCity: { column: Ville, transform: [title] }
  address: { expr: 'Rue + ", " + CP + " " + Ville' }
  contactEmail: { column: EMAIL, transform: [trim, lower], check: email }
  tags: { column: TAGS, transform: [{ split: ";" }] }
  customFieldValues.Secteur: SECTEUR
  position.latitude: { column: LAT, transform: [{ number: { decimal: "," } }] }
  adressCountry: { value: France }
`

func TestParseGoodMapping(t *testing.T) {
	t.Parallel()
	m, err := Parse("maps/customers.yaml", []byte(goodMapping))
	if err != nil {
		t.Fatal(err)
	}
	if m.Entity.Name != "customer" || m.Source != "maps/customers.csv" || m.CSV.Delimiter != ';' || m.CSV.Encoding != "windows-1252" {
		t.Errorf("mapping = %+v", m)
	}
	var targets []string
	for _, f := range m.Fields {
		targets = append(targets, f.Target.Name)
	}
	want := []string{"myId", "name", "adressCity", "address", "contactEmail", "tags", "customFieldValues.Secteur", "position.latitude", "adressCountry"}
	if diff := cmp.Diff(want, targets); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}

	header := []string{"CODE", "Raison sociale", "Rue", "CP", "Ville", "EMAIL", "TAGS", "SECTEUR", "LAT", "STATUT", "_row", "_error"}
	if err := m.Bind("customers.csv", header); err != nil {
		t.Fatal(err)
	}
	row := readers.Row{Num: 2, Cells: []string{"C-001", "  Boulangerie   Dupré ", "3 rue Mercière", "69002", "LYON", " Contact@Dupre.FR ", "pain;vip", "Commerce", "45,7640", "ouvert", "", ""}}
	ok, err := m.Match(row)
	if err != nil || !ok {
		t.Fatalf("Match = %v, %v", ok, err)
	}
	p, err := m.Build(row)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(p)
	wantJSON := `{"address":"3 rue Mercière, 69002 LYON","adressCity":"Lyon","adressCountry":"France","contactEmail":"contact@dupre.fr",` +
		`"customFieldValues":[{"name":"Secteur","value":"Commerce"}],"myId":"C-001","name":"Boulangerie Dupré",` +
		`"position":{"latitude":45.764},"tags":["pain","vip"]}`
	if string(got) != wantJSON {
		t.Errorf("payload\n got %s\nwant %s", got, wantJSON)
	}

	closed := readers.Row{Num: 3, Cells: []string{"C-002", "X", "", "", "", "", "", "", "", "fermé", "", ""}}
	if ok, err := m.Match(closed); err != nil || ok {
		t.Errorf("where should filter the closed row: %v, %v", ok, err)
	}
}

func TestBuildReportsEveryFieldError(t *testing.T) {
	t.Parallel()
	m, err := Parse("m.yaml", []byte(goodMapping))
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"CODE", "Raison sociale", "Rue", "CP", "Ville", "EMAIL", "TAGS", "SECTEUR", "LAT", "STATUT"}
	if err := m.Bind("in.csv", header); err != nil {
		t.Fatal(err)
	}
	_, err = m.Build(readers.Row{Num: 9, Cells: []string{"C-9", "  ", "", "", "", "not-an-email", "", "", "12abc", ""}})
	var re RowErrors
	if !errors.As(err, &re) || len(re) != 3 {
		t.Fatalf("err = %v, want three field errors", err)
	}
	for i, want := range []string{"name (column Raison sociale): required", "contactEmail (column EMAIL):", "position.latitude (column LAT): number"} {
		if !strings.HasPrefix(re[i].Error(), want) {
			t.Errorf("error %d = %q, want prefix %q", i, re[i].Error(), want)
		}
	}
}

func TestParseReportsEveryProblemWithPosition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"empty", "", []string{"bad.yaml: the mapping file is empty; it needs at least version, import and fields"}},
		{"yaml syntax", "version: 1\nimport: [customer\n", []string{"bad.yaml:2: YAML: did not find expected ',' or ']'"}},
		{"everything missing", "description: x\n", []string{
			`bad.yaml:1:1: missing "version: 1"`,
			`bad.yaml:1:1: missing "import:" (one of activity_type, attachment, customer, equipment, inventory, job, part, part_price, site, user)`,
			`bad.yaml:1:1: missing "fields:": the API fields to fill, each from a column, a value or an expression`,
		}},
		{"misspellings", "version: 2\nimport: custmer\nsorce: a.csv\nfields:\n  myId: A\n", []string{
			`bad.yaml:1:10: version "2" is not supported: this stbulk reads version 1`,
			`bad.yaml:2:9: unknown entity "custmer": import one of activity_type, attachment, customer, equipment, inventory, job, part, part_price, site, user (did you mean "customer"?)`,
			`bad.yaml:3:1: unknown key "sorce" in the mapping file (did you mean "source"?)`,
		}},
		{"fields", `version: 1
import: customer
fields:
  myId: CODE
  adressCity: VILLE
  addressCity: TOWN
  nmae: NAME
  contactEmail: { column: E, transform: [trim, {numbr: {}}], check: [emial] }
  contactPhone: { column: P, value: x }
  position.latitude: { column: LAT, transform: [{ number: { decimal: ";" } }] }
`, []string{
			`bad.yaml:6:3: field "adressCity" is mapped twice (also as "adressCity" at line 5)`,
			`bad.yaml:7:3: customer has no field "nmae" (did you mean "name"?)`,
			`bad.yaml:8:49: unknown transform "numbr" (did you mean "number"?)`,
			`bad.yaml:8:70: unknown check "emial" (did you mean "email"?)`,
			`bad.yaml:9:17: contactPhone: give exactly one of column, value, expr or lookup (got 2)`,
			`bad.yaml:10:70: number: decimal separator must be`,
		}},
		{"no key", "version: 1\nimport: part\nfields:\n  name: N\n", []string{
			`bad.yaml:4:3: no upsert key is mapped for part: map one of id, reference`,
		}},
		{"batch needs", "version: 1\nimport: inventory\nbatch_size: 0\nfields:\n  reference: R\n", []string{
			`bad.yaml:3:13: batch_size must be a whole number of at least 1, got "0"`,
			`bad.yaml:5:3: inventory needs the field "depot"`,
			`bad.yaml:5:3: inventory needs the field "quantity"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("bad.yaml", []byte(tt.src))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want Problems", err)
			}
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

func TestBindProblems(t *testing.T) {
	t.Parallel()
	m, err := Parse("m.yaml", []byte(goodMapping))
	if err != nil {
		t.Fatal(err)
	}
	err = m.Bind("in.csv", []string{"CODE", "Raison Sociale", "Rue", "CP", "Vile", "EMAIL", "TAGS", "SECTEUR", "LAT"})
	want := []string{
		`m.yaml:5:8: expression: unknown column "STATUT"`,
		`m.yaml:9:3: column "Ville" is not in in.csv (did you mean "Vile"?)`,
		`m.yaml:10:45: expression: unknown column "Ville" (did you mean "Vile"?)`,
	}
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != len(want) {
		t.Fatalf("err = %v, want %d problems", err, len(want))
	}
	for i, p := range ps {
		if !strings.HasPrefix(p.Error(), want[i]) {
			t.Errorf("problem %d\n got %s\nwant %s…", i, p.Error(), want[i])
		}
	}
}

// A file that is not a mapping (a CSV passed by mistake) is not quoted whole.
func TestParseQuotesLittleOfAWrongFile(t *testing.T) {
	t.Parallel()
	data := strings.Repeat("Code;Name;Street;City;Zip\n", 2000)
	_, err := Parse("customers.csv", []byte(data))
	if err == nil || len(err.Error()) > 400 {
		t.Errorf("error of %d characters: %.200s", len(err.Error()), err)
	}
}

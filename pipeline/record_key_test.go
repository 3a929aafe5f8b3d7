package pipeline

import (
	"errors"
	"testing"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam/catalog"
)

// A NUL byte in a key field makes the row an error naming the field: a key
// holding one would name another record than the one shown in reports.
func TestBuildRefusesNULInKeys(t *testing.T) {
	t.Parallel()
	const site = `version: 1
import: site
source: sites.csv
fields:
  myId: ID
  name: NAME
  customerMyId: CUSTOMER
`
	for _, tt := range []struct {
		name, mapping string
		header, cells []string
		field         string
	}{
		{"own key", goodMapping, []string{"CODE", "Raison sociale", "Rue", "CP", "Ville", "EMAIL", "TAGS", "SECTEUR", "LAT", "STATUT"},
			[]string{"C-9\x00", "Dupré", "", "", "", "", "", "", "", ""}, "myId"},
		{"parent's key", site, []string{"ID", "NAME", "CUSTOMER"}, []string{"S-1", "Site", "\x00C-1"}, "customerMyId"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse("m.yaml", []byte(tt.mapping))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Bind("in.csv", tt.header); err != nil {
				t.Fatal(err)
			}
			_, err = m.Build(readers.Row{Num: 2, Cells: tt.cells})
			var re RowErrors
			if !errors.As(err, &re) || len(re) != 1 || re[0].Field != tt.field || !errors.Is(re[0].Err, catalog.ErrKeyNUL) {
				t.Fatalf("Build = %v, want one error of field %s: %v", err, tt.field, catalog.ErrKeyNUL)
			}
		})
	}
	// A NUL in a field that is no key is left to the API.
	m, err := Parse("m.yaml", []byte(site))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Bind("in.csv", []string{"ID", "NAME", "CUSTOMER"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Build(readers.Row{Num: 2, Cells: []string{"S-1", "Si\x00te", "C-1"}}); err != nil {
		t.Errorf("Build of a NUL in a name = %v, want no error", err)
	}
}

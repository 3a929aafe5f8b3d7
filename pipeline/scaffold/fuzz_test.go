package scaffold

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stbulk/stbulk/synchroteam/catalog"
)

// FuzzMatch: matching any header never panics, gives the same pairs twice,
// maps each column and each field once at most, and only to fields the
// entity has.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"N° client;Société;Code postal;Localité",
		"Kundennummer;Firma;PLZ;Ort;Straße",
		"Code,Name,Street,Street2,ZIP,City",
		"#;No.;Nr;n°;N",
		"ContactFirstName;adressZIP;ZIPCode;e-mail",
		";;;",
		"\x00\xff;ß;Œuvre;ǅ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		header := strings.Split(s, ";")
		all := catalog.All()
		for i, e := range all {
			a := Assign(e, header)
			if i == len(s)%len(all) {
				if b := Assign(e, header); !reflect.DeepEqual(a, b) {
					t.Fatalf("%s: not deterministic: %v / %v", e.Name, a, b)
				}
			}
			cols, fields := map[int]bool{}, map[string]bool{}
			for _, p := range a {
				if _, ok := e.Field(p.Field); !ok {
					t.Fatalf("%s has no field %q", e.Name, p.Field)
				}
				if cols[p.Column] || fields[p.Field] {
					t.Fatalf("%s: column %d or field %s mapped twice: %v", e.Name, p.Column, p.Field, a)
				}
				if p.Column < 0 || p.Column >= len(header) {
					t.Fatalf("column %d out of the header", p.Column)
				}
				cols[p.Column], fields[p.Field] = true, true
			}
		}
	})
}

// FuzzHeader: any file content, read and drafted, never panics; a draft
// that succeeds renders, and names only fields of its entity.
func FuzzHeader(f *testing.F) {
	for _, s := range []string{
		"Export du 12/03/2024\n\nN° client;Société;Code postal\nC1;Dupré;01000\n",
		"Code,Name\nA,B\n",
		"a\n1,2,3\n\"x\ny\",2,3\n",
		"sep=;\nDEPOT;REFERENCE;QUANTITE\nstock;p11;12\n",
		"\xff\xfeK\x00\t\x00",
		"\"unclosed\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		tab, err := Read(path, "")
		if err != nil {
			return
		}
		if tab.HeaderRow < 1 || tab.HeaderRow > maxHeaderRows {
			t.Fatalf("header row %d", tab.HeaderRow)
		}
		d, err := draft(tab, nil)
		if err != nil {
			return
		}
		_ = d.YAML("in.csv", "m.yaml")
		for _, fl := range d.Fields {
			if _, ok := d.Entity.Field(fl.Target.Name); !ok {
				t.Fatalf("%s has no field %q", d.Entity.Name, fl.Target.Name)
			}
		}
	})
}

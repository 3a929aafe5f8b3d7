package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// brokenMappings are mapping files with mistakes, as mapping_test.go's
// tables hold them, to seed the fuzzer.
var brokenMappings = []string{
	"",
	"version: 1\nimport: [customer\n",
	"description: x\n",
	"version: 2\nimport: custmer\nsorce: a.csv\nfields:\n  myId: A\n",
	`version: 1
import: customer
fields:
  myId: CODE
  adressCity: VILLE
  addressCity: TOWN
  nmae: NAME
  contactEmail: { column: E, transform: [trim, {numbr: {}}], check: [emial] }
  contactPhone: { column: P, value: x }
  position.latitude: { column: LAT, transform: [{ number: { decimal: ";" } }] }
`,
	"version: 1\nimport: part\nfields:\n  name: N\n",
	"version: 1\nimport: inventory\nbatch_size: 0\nfields:\n  reference: R\n",
	"version: 1\nimport: customer\nwhere: 'A ==\nfields:\n  myId: { expr: '1 +' }\n",
	"version: 1\nimport: customer\ncsv: { delimiter: ab, encoding: klingon, header_row: -1 }\nxlsx: { sheet: 3 }\nfields: [a, b]\n",
	"&a [*a]\n",
	"version: 1\nimport: customer\nfields:\n  myId: { column: A, transform: [{ map: { values: [1], strict: maybe } }, { date: { layout: 42 } }, { split: \"\" }] }\n",
	"\xef\xbb\xbfversion: 1\n\tfields:\n",
	"version: 1\x00\n",
	"\xff\xfe",
	"version: 1\nimport: equipment\nfields:\n  myId: A\n  customerMyId: { lookup: { file: '', valeu: V, match: { column: A, expr: '1 +' }, ignore_case: 2, csv: [] }, column: B }\n",
	"version: 1\nimport: equipment\nfields:\n  myId: A\n  customerMyId:\n    lookup: &l { file: s.csv, key: K, value: V, match: *l }\n",
}

// FuzzParse feeds arbitrary bytes to the mapping-file loader: it must
// never panic, and every error must be Problems, each naming the file and
// a position that is 0 (the whole file) or within the file: a line at most
// one past its last (the end of the file), a column ≥ 0.
func FuzzParse(f *testing.F) {
	files, _ := exampleFiles(false)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range brokenMappings {
		f.Add([]byte(s))
	}
	f.Add([]byte(goodMapping))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("maps/fuzz.yaml", data)
		if err == nil {
			if m == nil || m.Entity == nil || len(m.Fields) == 0 {
				t.Fatalf("no error, but mapping %+v", m)
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) {
			t.Fatalf("error %T %q is not Problems", err, err)
		}
		if len(ps) == 0 {
			t.Fatal("empty Problems as an error")
		}
		last := yamlLines(data) + 1
		for _, p := range ps {
			if p.File != "maps/fuzz.yaml" || p.Line < 0 || p.Line > last || p.Col < 0 || p.Msg == "" {
				t.Errorf("problem %#v: want the file, a message, a line from 0 to %d and a column ≥ 0", p, last)
			}
		}
	})
}

// yamlLines is the number of lines of data as YAML counts them: its line
// breaks (CR LF, LF, CR, NEL, LS, PS), and one more when the last line
// has no break.
func yamlLines(data []byte) int {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	n := strings.Count(s, "\n") + strings.Count(s, "\r") +
		strings.Count(s, "\u0085") + strings.Count(s, "\u2028") + strings.Count(s, "\u2029")
	if s != "" && !strings.HasSuffix(s, "\n") && !strings.HasSuffix(s, "\r") &&
		!strings.HasSuffix(s, "\u0085") && !strings.HasSuffix(s, "\u2028") && !strings.HasSuffix(s, "\u2029") {
		n++
	}
	return n
}

// FuzzParseExport feeds arbitrary bytes to the export mapping loader: it
// must never panic; an accepted mapping has a kind and something to write,
// and every error is located Problems.
func FuzzParseExport(f *testing.F) {
	files, _ := exampleFiles(true)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range brokenExportMappings {
		f.Add([]byte(s.src))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseExport("maps/fuzz.yaml", data)
		if err == nil {
			if m == nil || m.Kind == nil || (m.Spreadsheet == "" && m.Photos == nil && m.PDF == nil) {
				t.Fatalf("no error, but mapping %+v", m)
			}
			if m.Spreadsheet != "" && !filepath.IsLocal(filepath.FromSlash(m.Spreadsheet)) {
				t.Fatalf("spreadsheet %q leaves the output folder", m.Spreadsheet)
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Fatalf("error %T %q is not Problems", err, err)
		}
		last := yamlLines(data) + 1
		for _, p := range ps {
			if p.File != "maps/fuzz.yaml" || p.Line < 0 || p.Line > last || p.Col < 0 || p.Msg == "" {
				t.Errorf("problem %#v: want the file, a message, a line from 0 to %d and a column ≥ 0", p, last)
			}
		}
	})
}

package pipeline

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stbulk/stbulk/writers"
)

// brokenExportMappings are export mapping files with mistakes and the
// problems they must give, in order.
var brokenExportMappings = []struct {
	name, src string
	want      []string
}{
	{"empty", "", []string{"m.yaml: the mapping file is empty"}},
	{"import file", "version: 1\nimport: customer\nfields: {myId: A}\n",
		[]string{"m.yaml:2:1: this is an import mapping file: run it with stbulk import"}},
	{"no export", "version: 1\nspreadsheet: x.xlsx\n", []string{`m.yaml:1:1: missing "export:"`}},
	{"unknown kind", "version: 1\nexport: invoice\nspreadsheet: x.xlsx\n",
		[]string{`m.yaml:2:9: unknown export "invoice": export one of jobs, invoices, invoice_journal, customers, sites, equipment, users, activities, stock_requests, parts, jobtypes (did you mean "invoices"?)`}},
	{"nothing to write", "version: 1\nexport: jobs\n",
		[]string{"m.yaml:1:1: nothing to write: add spreadsheet: jobs.xlsx, photos: or pdf:"}},
	{"bad extension", "version: 1\nexport: invoices\nspreadsheet: invoices.pdf\n",
		[]string{`m.yaml:3:14: spreadsheet "invoices.pdf": name a .xlsx or a .csv file`}},
	{"escaping spreadsheet", "version: 1\nexport: invoices\nspreadsheet: ../invoices.xlsx\n",
		[]string{`m.yaml:3:14: spreadsheet "../invoices.xlsx": `}},
	{"unknown column", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\nsheets:\n  Invoices: [num, totl]\n",
		[]string{`m.yaml:5:19: sheet Invoices has no field "totl" (did you mean "total"?)`}},
	{"unknown sheet", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\nsheets:\n  Line: [num]\n",
		[]string{`m.yaml:5:3: unknown key "Line" in sheets (did you mean "Lines"?)`}},
	{"main sheet left out", "version: 1\nexport: jobs\nspreadsheet: j.xlsx\nsheets:\n  Jobs: false\n",
		[]string{"m.yaml:5:3: the Jobs sheet cannot be left out"}},
	{"same header twice", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\nsheets:\n  Invoices: [num, {field: total, header: num}]\n",
		[]string{`m.yaml:5:42: two columns of sheet Invoices are headed "num" (the first at line 5)`}},
	{"bad type", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\nsheets:\n  Lines: [{field: price, type: euro}]\n",
		[]string{`m.yaml:5:32: type "euro": use text, number, money, percent, date or datetime`}},
	{"accounts on invoices", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\naccounts: {receivable: \"411\"}\n",
		[]string{`m.yaml:4:1: accounts apply to export: invoice_journal only`}},
	{"journal without accounts", "version: 1\nexport: invoice_journal\nspreadsheet: j.csv\n",
		[]string{`m.yaml:1:1: an invoice journal needs accounts: { receivable: "411000", revenue: "706000", vat: { "20": "445711" } }`}},
	{"journal bad rate", "version: 1\nexport: invoice_journal\nspreadsheet: j.csv\naccounts: {receivable: \"411\", revenue: \"706\", vat: {twenty: \"4457\"}}\n",
		[]string{`m.yaml:4:53: accounts vat: "twenty" is not a rate: give the number of percent, e.g. "20" or "5.5"`}},
	{"currency in small letters", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\ncurrency: eur\n",
		[]string{`m.yaml:4:11: currency "eur": give an ISO 4217 code in capitals, such as EUR, USD or GBP (did you mean "EUR"?)`}},
	{"currency symbol", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\ncurrency: \"€\"\n",
		[]string{`m.yaml:4:11: currency "€": give an ISO 4217 code in capitals, such as EUR, USD or GBP (did you mean "EUR"?)`}},
	{"currency not a text", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\ncurrency: [EUR]\n",
		[]string{`m.yaml:4:11: currency`}},
	{"photos without num", "version: 1\nexport: jobs\nphotos: \"photos/{customerName}/{fileName}\"\n",
		[]string{`m.yaml:3:9: photos "photos/{customerName}/{fileName}" must hold {num} or {id}`}},
	{"photos unknown field", "version: 1\nexport: jobs\nphotos: \"photos/{num}/{filename}\"\n",
		[]string{`m.yaml:3:9: photos "photos/{num}/{filename}": no field {filename} (did you mean {fileName}?)`}},
	{"pdf with a photo field", "version: 1\nexport: jobs\npdf: \"pdf/{num}-{fileName}.pdf\"\n",
		[]string{`m.yaml:3:6: pdf "pdf/{num}-{fileName}.pdf": {fileName} names a photo; a PDF's name can use num, id,`}},
	{"photos for invoices", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\nphotos: \"p/{num}\"\n",
		[]string{"m.yaml:4:1: photos applies to jobs only"}},
	{"template going up", "version: 1\nexport: jobs\npdf: \"../{num}.pdf\"\n",
		[]string{`m.yaml:3:6: pdf "../{num}.pdf": `}},
	{"csv options on xlsx", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\ncsv: {delimiter: \";\"}\n",
		[]string{"m.yaml:4:1: csv options apply to a spreadsheet written as CSV"}},
	{"decimal is the delimiter", "version: 1\nexport: invoices\nspreadsheet: i.csv\ncsv: {delimiter: \",\", decimal: \",\"}\n",
		[]string{`m.yaml:4:6: csv decimal and delimiter are both ","`}},
	{"decimal comma, default delimiter", "version: 1\nexport: invoices\nspreadsheet: i.csv\ncsv: {decimal: \",\"}\n",
		[]string{`m.yaml:4:6: csv decimal "," needs another delimiter`}},
	{"bad date layout", "version: 1\nexport: invoices\nspreadsheet: i.csv\ncsv: {date: \"\"}\n",
		[]string{`m.yaml:4:13: csv date: date layout "": empty layout`}},
	{"unknown filter", "version: 1\nexport: jobs\nspreadsheet: j.xlsx\nfilters:\n  changedFom: 2024-01-01\n",
		[]string{`m.yaml:5:3: unknown key "changedFom" in filters of jobs (did you mean "changedFrom"?)`}},
	{"bad filter date", "version: 1\nexport: jobs\nspreadsheet: j.xlsx\nfilters:\n  dateFrom: 2024-13-01\n",
		[]string{`m.yaml:5:13: filter dateFrom: date "2024-13-01"`}},
	{"bad status", "version: 1\nexport: jobs\nspreadsheet: j.xlsx\nfilters:\n  status: done\n",
		[]string{`m.yaml:5:11: filter status "done": use one of created, scheduled`}},
	{"ref as text", "version: 1\nexport: jobs\nspreadsheet: j.xlsx\nfilters:\n  customer: ACME\n",
		[]string{`m.yaml:5:13: filter customer names a record by one of id, myId, name`}},
	{"ref with two keys", "version: 1\nexport: jobs\nspreadsheet: j.xlsx\nfilters:\n  customer: {id: 1, myId: A}\n",
		[]string{`m.yaml:5:13: filter customer: give one of id, myId, name, not several`}},
	{"no filters for sites' kind", "version: 1\nexport: stock_requests\nspreadsheet: s.xlsx\nfilters:\n  isUrgent: maybe\n",
		[]string{`m.yaml:5:13: filter isUrgent must be true or false, got "maybe"`}},
	{"bad timezone", "version: 1\nexport: jobs\nspreadsheet: j.xlsx\ntimezone: Paris\n",
		[]string{`m.yaml:4:11: timezone "Paris": name a time zone such as Europe/Paris`}},
	{"bad overlap", "version: 1\nexport: jobs\nspreadsheet: j.xlsx\noverlap: 5 minutes\n",
		[]string{`m.yaml:4:10: overlap must be a duration such as 5m or 1h, got "5 minutes"`}},
	{"several at once", "version: 2\nexport: jobs\nspreadsheet: j.xlsx\nsheets:\n  Jobs: [nmu]\npdf: \"x.pdf\"\n",
		[]string{`m.yaml:1:10: version "2" is not supported`, `m.yaml:5:10: sheet Jobs has no field "nmu" (did you mean "num"?)`,
			`m.yaml:6:6: pdf "x.pdf" must hold {num} or {id}`}},
}

func TestParseExportProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range brokenExportMappings {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseExport("m.yaml", []byte(tc.src))
			if err == nil {
				t.Fatal("accepted")
			}
			ps, ok := err.(Problems)
			if !ok {
				t.Fatalf("error %T %v is not Problems", err, err)
			}
			if len(ps) != len(tc.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(ps), len(tc.want), err)
			}
			for i, p := range ps {
				if !strings.HasPrefix(p.Error(), tc.want[i]) {
					t.Errorf("problem %d:\n got %s\nwant %s…", i+1, p.Error(), tc.want[i])
				}
			}
		})
	}
}

func TestParseExportExamples(t *testing.T) {
	t.Parallel()
	files, err := exampleFiles(true)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, f := range files {
		m, err := LoadExport(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		kinds[m.KindName()] = true
	}
	for _, k := range ExportKinds() {
		if !kinds[k] {
			t.Errorf("no example export mapping for %s in mappings/", k)
		}
	}
}

func TestParseExportValues(t *testing.T) {
	t.Parallel()
	src := `version: 1
export: invoices
filters:
  changedFrom: 2024-01-31 08:00
  customer: { myId: C-7 }
  type: Quotation
spreadsheet: out/i.csv
csv: { delimiter: tab, decimal: ",", bom: true, date: dd/MM/yyyy }
timezone: Europe/Paris
overlap: 1h
sheets:
  Invoices: [num, { field: DueDate, header: Due, type: text }]
  Lines: false
`
	m, err := ParseExport("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if m.Spreadsheet != "out/i.csv" || !m.Format.CSV || m.Format.Delimiter != '\t' || m.Format.Decimal != ',' || !m.Format.BOM {
		t.Errorf("spreadsheet %q, format %+v", m.Spreadsheet, m.Format)
	}
	if got := m.Format.FormatDate(time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)); got != "02/05/2024" {
		t.Errorf("date written %q", got)
	}
	if m.Overlap != time.Hour || m.Location == nil || m.Location.String() != "Europe/Paris" {
		t.Errorf("overlap %v, location %v", m.Overlap, m.Location)
	}
	if at, ok := m.Filters.time("changedFrom"); !ok || !at.Equal(time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("changedFrom %v", at)
	}
	if r := m.Filters.ref("customer"); r == nil || r.MyID != "C-7" {
		t.Errorf("customer %+v", r)
	}
	if m.Filters.text("type") != "quotation" {
		t.Errorf("type %q", m.Filters.text("type"))
	}
	inv := m.Sheets[0]
	if len(inv.Columns) != 2 || inv.Columns[1].Header != "Due" || inv.Columns[1].Kind != writers.KindText || !m.Sheets[1].Omit {
		t.Errorf("sheets %+v %+v", inv, m.Sheets[1])
	}
	// The field is matched without regard to case, and written under its
	// own name.
	cols := inv.resolve(nil)
	if cols[1].Field != "dueDate" {
		t.Errorf("column field %q, want dueDate", cols[1].Field)
	}
}

func TestSinceWallClock(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	if got := sinceWallClock(at, paris); !got.Equal(time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)) {
		t.Errorf("Paris wall clock of 03:00 UTC: %v", got)
	}
	if got := sinceWallClock(at, nil); !got.Equal(at.Add(-14 * time.Hour)) {
		t.Errorf("unknown zone: %v, want 14 hours earlier", got)
	}
}

func TestIsExport(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]bool{
		"version: 1\nexport: jobs\n":       true,
		"version: 1\nimport: customer\n":   false,
		"export: [\n":                      false,
		"- export\n":                       false,
		"version: 1\n# export: jobs\n":     false,
		"version: 1\nexport:\n  jobs: 1\n": true,
	} {
		if got := IsExport([]byte(src)); got != want {
			t.Errorf("IsExport(%q) = %v", src, got)
		}
	}
	b, err := os.ReadFile(examplePath("customers.yaml"))
	if err != nil || IsExport(b) {
		t.Errorf("customers.yaml read as an export mapping (%v)", err)
	}
}

func TestSinceWallClockDST(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET. After a
	// run at 02:30 CEST (00:30 UTC), an edit at 02:10 CET (01:10 UTC) came
	// later but reads earlier: the filter starts at 01:30.
	at := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)
	if got := sinceWallClock(at, paris); !got.Equal(time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("wall clock after the clocks went back: %v", got)
	}
	// On an ordinary day, the wall clock itself.
	at = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	if got := sinceWallClock(at, paris); !got.Equal(time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)) {
		t.Errorf("ordinary day: %v", got)
	}
}

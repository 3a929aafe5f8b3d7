package pipeline

import (
	"encoding/json"
	"testing"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// TestPartPriceCells: Part/Details gives prices and tax rates as text, with
// a decimal point or comma: both are numbers in the spreadsheet; text that
// is no number is kept, with a warning.
func TestPartPriceCells(t *testing.T) {
	t.Parallel()
	var p synchroteam.Part
	if err := json.Unmarshal([]byte(`{"id":35918,"reference":"458","price":"10,25","taxVal":"5.5","minQuantity":"n/a"}`), &p); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	warn := func(s string) { warnings = append(warnings, s) }
	if got := numberCell(p.Price, "price", warn); got != writers.NumberCell(10.25) {
		t.Errorf("price 10,25: %+v", got)
	}
	if got := numberCell(p.TaxValue, "tax rate", warn); got != writers.NumberCell(5.5) {
		t.Errorf("taxVal 5.5: %+v", got)
	}
	if got := numberCell(p.MinQuantity, "minimum quantity", warn); got != writers.TextCell("n/a") || len(warnings) != 1 {
		t.Errorf("minQuantity n/a: %+v, warnings %q", got, warnings)
	}
}

// TestParseExportReferences checks the references: of a parts export.
func TestParseExportReferences(t *testing.T) {
	t.Parallel()
	m, err := ParseExport("dir/parts.yaml", []byte("version: 1\nexport: parts\nreferences: { file: refs.xlsx, sheet: Refs, column: Code, jobs: true }\nfilters: { dateFrom: 2024-01-01 }\nspreadsheet: parts.xlsx\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := PartReferences{File: "dir/refs.xlsx", Column: "Code", Sheet: "Refs", Jobs: true}
	if *m.References != want {
		t.Errorf("references %+v, want %+v", *m.References, want)
	}
	for _, bad := range []string{
		"references: refs.csv",
		"references: { column: Code }",
		"references: { jobs: maybe }",
		"references: { file: '', column: Code }",
		"references: { jobs: false }",
	} {
		if _, err := ParseExport("parts.yaml", []byte("version: 1\nexport: parts\n"+bad+"\nspreadsheet: parts.xlsx\n")); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

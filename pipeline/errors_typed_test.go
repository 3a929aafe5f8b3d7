package pipeline

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/writers"
)

// typedFields maps a workbook of numbers, dates, times, booleans and text
// (some of which look like numbers) into parts; strict refuses prices over
// 100.
const typedFields = `fields:
  reference: { column: Ref, required: true }
  name: { expr: 'Name + " " + Since + " " + Slot + " " + At + " " + Code + " " + Zip' }
  price: { column: Price, transform: [number]%s }
  minQuantity: { column: Qty, transform: [number] }
  tracked: { column: Tracked, transform: [bool] }
`

// TestErrorsXLSXKeepsTypes imports (dry run) a workbook where some rows
// fail: errors.xlsx types their cells as the input did (numbers, dates,
// times, booleans; text that looks like a number stays text), and the
// same mapping reads from it what it read from the input: the same rows
// fail again, and once the check is dropped the rows of errors.xlsx give
// the payloads the input's rows give.
func TestErrorsXLSXKeepsTypes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "parts.xlsx")
	writeTypedWorkbook(t, in)

	strict := parseIn(t, dir, "strict.yaml", "version: 1\nimport: part\nsource: parts.xlsx\n"+
		fmt.Sprintf(typedFields, ", check: { max: 100 }"))
	sum := runIn(t, filepath.Join(dir, "run"), []*Mapping{strict}, Options{DryRun: true})
	if want := (Counts{Read: 5, Sent: 2, Rejected: 3}); sum.Counts != want {
		t.Fatalf("counts %+v, want %+v", sum.Counts, want)
	}
	errorsPath := filepath.Join(dir, "run", "errors.xlsx")

	// The cells of errors.xlsx, their types and formats.
	f, err := excelize.OpenFile(errorsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	type cell struct {
		Value  string
		Type   excelize.CellType
		Format string
	}
	got := map[string]cell{}
	for _, ref := range []string{"A2", "B2", "C2", "D2", "E2", "F2", "G2", "H2", "I2", "J2", "C3", "E3", "A4", "C4"} {
		v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		typ, err := f.GetCellType(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		style, err := f.GetCellStyle(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(style)
		if err != nil {
			t.Fatal(err)
		}
		format := strconv.Itoa(st.NumFmt)
		if st.CustomNumFmt != nil {
			format = *st.CustomNumFmt
		}
		got[ref] = cell{v, typ, format}
	}
	// Column order: Ref, Name, Price, Qty, Tracked, Since, Slot, At, Code, Zip.
	want := map[string]cell{
		"A2": {"00123", excelize.CellTypeInlineString, "49"},
		"B2": {"Pump", excelize.CellTypeInlineString, "49"},
		"C2": {"150.5", excelize.CellTypeUnset, "0"}, // a number: no t attribute
		"D2": {"3", excelize.CellTypeUnset, "0"},
		"E2": {"1", excelize.CellTypeBool, "0"},
		"F2": {"45356", excelize.CellTypeUnset, "yyyy-mm-dd"},
		"G2": {"45356.6041666666", excelize.CellTypeUnset, "yyyy-mm-dd hh:mm:ss"},
		"H2": {"0.5", excelize.CellTypeUnset, "hh:mm:ss"},
		"I2": {"12", excelize.CellTypeInlineString, "49"},    // text that looks like a number
		"J2": {"00042", excelize.CellTypeInlineString, "49"}, // a number shown zero-padded: its text
		"C3": {"abc", excelize.CellTypeInlineString, "49"},
		"E3": {"0", excelize.CellTypeBool, "0"},
		"A4": {"", excelize.CellTypeInlineString, "49"}, // the empty reference
		"C4": {"7", excelize.CellTypeUnset, "0"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("errors.xlsx cells (-want +got):\n%s", d)
	}

	// The same mapping on errors.xlsx: the same rows fail, for the same
	// reasons.
	again := parseIn(t, dir, "again.yaml", "version: 1\nimport: part\nsource: run/errors.xlsx\n"+
		fmt.Sprintf(typedFields, ", check: { max: 100 }"))
	sum = runIn(t, filepath.Join(dir, "again"), []*Mapping{again}, Options{DryRun: true})
	if want := (Counts{Read: 3, Rejected: 3}); sum.Counts != want {
		t.Errorf("errors.xlsx imported again: counts %+v, want %+v", sum.Counts, want)
	}
	reasons := func(path string, m *Mapping) []string {
		return reportCells(t, path, m, writers.ErrorColumn, func(_ readers.Row, c string) string { return c })
	}
	if d := cmp.Diff(reasons(errorsPath, strict), reasons(filepath.Join(dir, "again", "errors.xlsx"), again)); d != "" {
		t.Errorf("reasons of errors.xlsx imported again (-first +again):\n%s", d)
	}

	// Without the check, errors.xlsx gives the payloads the input gives,
	// row for row (its _row column names the input's row).
	loose := parseIn(t, dir, "loose.yaml", "version: 1\nimport: part\nsource: parts.xlsx\n"+fmt.Sprintf(typedFields, ""))
	runIn(t, filepath.Join(dir, "loose"), []*Mapping{loose}, Options{DryRun: true})
	fromInput := payloadsByRow(t, filepath.Join(dir, "loose", "payloads.jsonl"))
	looseAgain := parseIn(t, dir, "loose-again.yaml", "version: 1\nimport: part\nsource: run/errors.xlsx\n"+fmt.Sprintf(typedFields, ""))
	runIn(t, filepath.Join(dir, "loose-again"), []*Mapping{looseAgain}, Options{DryRun: true})
	fromErrors := payloadsByRow(t, filepath.Join(dir, "loose-again", "payloads.jsonl"))
	origin := map[int]int{} // errors.xlsx row → input row
	for _, line := range reportCells(t, errorsPath, strict, writers.RowColumn, func(r readers.Row, c string) string { return strconv.Itoa(r.Num) + " " + c }) {
		var at, was int
		if _, err := fmt.Sscan(line, &at, &was); err != nil {
			t.Fatal(err)
		}
		origin[at] = was
	}
	if len(fromErrors) != 1 {
		t.Errorf("errors.xlsx without the check: %d payloads, want 1 (the others fail again, as in the input): %v", len(fromErrors), fromErrors)
	}
	for row, p := range fromErrors {
		if d := cmp.Diff(fromInput[origin[row]], p); d != "" {
			t.Errorf("errors.xlsx row %d (input row %d): payload (-input +errors.xlsx):\n%s", row, origin[row], d)
		}
	}
	if p := fromErrors[2]; p["name"] != "Pump 2024-03-05 2024-03-05 14:30:00 12:00:00 12 00042" || p["price"] != 150.5 || p["tracked"] != true || p["reference"] != "00123" {
		t.Errorf("row 2 of errors.xlsx: payload %v", p)
	}
}

// writeTypedWorkbook writes the input of TestErrorsXLSXKeepsTypes: row 2
// fails the strict check, row 3 a number, row 4 has no reference; rows 5
// and 6 pass.
func writeTypedWorkbook(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const s = "Sheet1"
	style := func(st *excelize.Style) int {
		id, err := f.NewStyle(st)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	date, dateTime, clock := style(&excelize.Style{NumFmt: 14}), style(&excelize.Style{NumFmt: 22}), style(&excelize.Style{NumFmt: 21})
	zeros := "00000"
	zip := style(&excelize.Style{CustomNumFmt: &zeros})
	day := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	rows := [][]any{
		{"Ref", "Name", "Price", "Qty", "Tracked", "Since", "Slot", "At", "Code", "Zip"},
		{"00123", "Pump", 150.5, 3, true, day, day.Add(14*time.Hour + 30*time.Minute), 0.5, "12", 42},
		{"00124", "Valve", "abc", 1, false, day, day, 0.25, "13", 43},
		{nil, "Nut", 7, 2, true, day, day, 0.75, "14", 44},
		{"00126", "Bolt", 9.99, 5, false, day.AddDate(1, 0, 0), day, 0, "15", 45},
		{"00127", "Gear", 10, 0, true, day, day, 0.1, "16", 46},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(s, cell, &r); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			continue
		}
		for col, id := range map[string]int{"F": date, "G": dateTime, "H": clock, "J": zip} {
			ref := col + strconv.Itoa(i+1)
			if err := f.SetCellStyle(s, ref, ref, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// payloadsByRow reads payloads.jsonl: each line's payload by its _row.
func payloadsByRow(t *testing.T, path string) map[int]map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[int]map[string]any{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Row     int            `json:"_row"`
			Payload map[string]any `json:"payload"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		out[line.Row] = line.Payload
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

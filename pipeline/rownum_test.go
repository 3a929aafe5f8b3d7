package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/writers"
)

// TestRunRowNumbers imports (dry run) a CSV whose quoted cells hold line
// breaks with a mapping that reads _row in where: and in expr:. Every
// report numbers the rows as a spreadsheet shows the file; importing the
// errors file again, _row is the row in that file, not its _row column.
func TestRunRowNumbers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"c.csv": "Code,Name,Address\n" + // row 1
		"C-1,Alpha,\"1 rue A\nBât. B\"\n" + // row 2, lines 2-3: filtered
		"C-2,Beta,\"2 rue B\r\n3e étage\r\nporte 4\"\n" + // row 3, lines 4-6
		"C-3,\"Gamma\nG\",3 rue C,extra\n" + // row 4, lines 7-8: ragged
		"C-4,Delta,\"4 rue D\nfond\"\n" + // row 5, lines 9-10
		"C-5,,5 rue E\n" + // row 6, line 11: no name
		"\n" + // row 7, line 12
		"C-6,Zeta,6 rue F\n", // row 8, line 13
	})
	const fields = `where: _row > 2
fields:
  myId: { expr: 'Code + "-ROW-" + string(_row)' }
  name: { column: Name, required: true }
  address: Address
`
	m := parseIn(t, dir, "m.yaml", "version: 1\nimport: customer\nsource: c.csv\n"+fields)
	out := filepath.Join(dir, "run")
	sum, err := Run(context.Background(), []*Mapping{m}, Options{DryRun: true, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Counts{Read: 6, Filtered: 1, Sent: 3, Rejected: 2}); sum.Counts != want {
		t.Errorf("counts %+v, want %+v", sum.Counts, want)
	}
	want := map[int]string{3: "C-2-ROW-3", 5: "C-4-ROW-5", 8: "C-6-ROW-8"}
	if diff := cmp.Diff(want, payloadIDs(t, filepath.Join(out, "payloads.jsonl"))); diff != "" {
		t.Errorf("payloads.jsonl: _row → myId (-want +got):\n%s", diff)
	}
	// Read back, the errors file has C-3 on row 2 (its name spans lines 2
	// and 3) and C-5 on row 3 (line 4), each with its _row in the input.
	if diff := cmp.Diff([]string{"row 2: C-3 _row 4", "row 3: C-5 _row 6"}, errorRows(t, filepath.Join(out, "errors.csv"), m)); diff != "" {
		t.Errorf("errors.csv (-want +got):\n%s", diff)
	}

	// Imported again, C-3 is row 2 of the errors file: filtered, though
	// its _row column says 4. C-5, row 3, is rejected again, as row 3.
	again := parseIn(t, dir, "again.yaml", "version: 1\nimport: customer\nsource: run/errors.csv\n"+fields)
	out2 := filepath.Join(dir, "run2")
	sum, err = Run(context.Background(), []*Mapping{again}, Options{DryRun: true, OutDir: out2})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Counts{Read: 2, Filtered: 1, Rejected: 1}); sum.Counts != want {
		t.Errorf("errors file imported again: counts %+v, want %+v", sum.Counts, want)
	}
	if diff := cmp.Diff([]string{"row 2: C-5 _row 3"}, errorRows(t, filepath.Join(out2, "errors.csv"), again)); diff != "" {
		t.Errorf("errors file imported again: its errors.csv (-want +got):\n%s", diff)
	}
}

// errorRows reads an errors file with its mapping's options: each row's
// number, first cell and _row cell.
func errorRows(t *testing.T, path string, m *Mapping) []string {
	t.Helper()
	return reportCells(t, path, m, writers.RowColumn, func(row readers.Row, cell string) string {
		return fmt.Sprintf("row %d: %s _row %s", row.Num, row.Cells[0], cell)
	})
}

// payloadIDs reads payloads.jsonl: each line's myId by its _row.
func payloadIDs(t *testing.T, path string) map[int]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[int]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Row     int            `json:"_row"`
			Payload map[string]any `json:"payload"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		id, _ := line.Payload["myId"].(string)
		ids[line.Row] = id
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

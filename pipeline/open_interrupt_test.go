package pipeline

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestRunInterruptedWhileOpening: an interrupt that comes while the
// sources are opened (a workbook's shared strings, a lookup file) stops
// the opening and ends the run as interrupted, before it starts (no
// summary), not as a problem of the files.
func TestRunInterruptedWhileOpening(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := excelize.NewFile()
	for r, row := range [][]any{{"Code", "Name"}, {"C-1", "One"}} {
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(filepath.Join(dir, "c.xlsx")); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	writeFiles(t, dir, map[string]string{"c.csv": "Code,Name\nC-1,One\n"})
	tests := []struct{ name, mapping string }{
		{"workbook", "version: 1\nimport: customer\nsource: c.xlsx\nfields:\n  myId: Code\n  name: Name\n"},
		{"lookup workbook", "version: 1\nimport: customer\nsource: c.csv\nfields:\n  myId: Code\n" +
			"  name: { lookup: { file: c.xlsx, key: Code, value: Name, match: Code } }\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := parseIn(t, dir, tt.name+".yaml", tt.mapping)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			sum, err := Run(ctx, []*Mapping{m}, Options{DryRun: true, OutDir: filepath.Join(t.TempDir(), "run")})
			if !errors.Is(err, context.Canceled) || sum != nil {
				t.Errorf("err = %v, summary %+v; want context.Canceled before the run started", err, sum)
			}
		})
	}
}

package writers_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/writers"
)

// TestErrorsXLSXTypedReadBack writes typed cells, some whose text is not
// of their type (written as text), and reads them back: the same text,
// and the kinds they were given.
func TestErrorsXLSXTypedReadBack(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "errors.xlsx")
	header := []string{"n", "b", "d", "dt", "tm", "txt", "bad number", "bad date", "old date"}
	cells := []string{"-12.5", "FALSE", "2024-02-29", "2024-12-31 23:59:59", "07:08:09", "00123", "1,5", "2024-13-01", "1900-01-20"}
	types := []writers.CellType{writers.CellNumber, writers.CellBool, writers.CellDate, writers.CellDateTime, writers.CellTime,
		writers.CellText, writers.CellNumber, writers.CellDate, writers.CellDate}
	e, err := writers.NewErrors(path, header)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.AddTyped(2, cells, types, "why"); err != nil {
		t.Fatal(err)
	}
	if err := e.AddTyped(3, cells[:2], types, "short"); err != nil { // fewer cells than types
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := readers.OpenXLSX(path, readers.XLSXOptions{CellKinds: true})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	row, err := src.Next()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(append(cells, "2", "why"), row.Cells); d != "" {
		t.Errorf("cells read back (-want +got):\n%s", d)
	}
	want := []readers.CellKind{readers.CellNumber, readers.CellBool, readers.CellDate, readers.CellDateTime, readers.CellTime,
		readers.CellText, readers.CellText, readers.CellText, readers.CellText, readers.CellNumber, readers.CellText}
	if d := cmp.Diff(want, row.Kinds); d != "" {
		t.Errorf("kinds read back (-want +got):\n%s", d)
	}
	row, err = src.Next()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"-12.5", "FALSE", "", "", "", "", "", "", "", "3", "short"}, row.Cells); d != "" {
		t.Errorf("short row read back (-want +got):\n%s", d)
	}
}

// TestErrorsCSVIgnoresTypes: a CSV errors file writes the text.
func TestErrorsCSVIgnoresTypes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "errors.csv")
	e, err := writers.NewErrors(path, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.AddTyped(2, []string{"1.50", "TRUE"}, []writers.CellType{writers.CellNumber, writers.CellBool}, "why"); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := readers.Open(path, readers.CSVOptions{}, readers.XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	row, err := src.Next()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"1.50", "TRUE", "2", "why"}, row.Cells); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

package readers

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// countRows is the reader's own count of data rows, errors included.
func countRows(t *testing.T, path string) int {
	t.Helper()
	src, err := Open(path, CSVOptions{}, XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	n := 0
	for {
		_, err := src.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		var re *RowError
		if err != nil && !errors.As(err, &re) {
			t.Fatal(err)
		}
		n++
	}
}

func TestCountCSVRows(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"plain":              "a,b\n1,2\n3,4\n",
		"no final EOL":       "a,b\n1,2\n3,4",
		"CRLF, blanks":       "a,b\r\n1,2\r\n\r\n3,4\r\n\r\n",
		"quoted EOL":         "a,b\n\"x\ny\",2\n3,\"4\n\n5\"\n",
		"sep line":           "sep=;\na;b\n1;2\n",
		"BOM, sep line":      "\xef\xbb\xbfsep=;\na;b\n1;2\n3;4\n",
		"header only":        "a,b\n",
		"a quote in a field": "a;b\nELV;M 1/2\";65\n2;3\n",
		"doubled quotes":     "a,b\n\"say \"\"hi\"\"\n\",2\n3,4\n",
		"empty":              "",
	} {
		p := filepath.Join(dir, "f.csv")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := CountCSVRows(context.Background(), p, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := countRows(t, p); got != want {
			t.Errorf("%s: counted %d rows, the reader reads %d", name, got, want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CountCSVRows(ctx, filepath.Join(dir, "f.csv"), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("a context ended: %v", err)
	}
}

func TestXLSXRowsHint(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.xlsx")
	f := excelize.NewFile()
	for r := 1; r <= 31; r++ {
		for c := 1; c <= 3; c++ {
			cell, _ := excelize.CoordinatesToCellName(c, r)
			if err := f.SetCellValue("Sheet1", cell, fmt.Sprintf("r%dc%d", r, c)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	// excelize writes the dimension "A1" whatever the sheet holds; Excel
	// writes the range used.
	setDimension(t, p, "A1:C31")
	src, err := Open(p, CSVOptions{}, XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	h, ok := src.(RowsHinter)
	if !ok {
		t.Fatal("an XLSX source gives no rows hint")
	}
	n, ok := h.RowsHint()
	if !ok {
		t.Fatal("no dimension read")
	}
	if want := countRows(t, p); n != want || n != 30 {
		t.Errorf("the dimension says %d data rows, the reader reads %d", n, want)
	}
}

func TestRefLastRow(t *testing.T) {
	for ref, want := range map[string]int{"A1:O19": 19, "A1": 0, "$A$1:$C$7": 7, "": 0, "A1:": 0, "A1:B2000000": 0} {
		if got := refLastRow([]byte(ref)); got != want {
			t.Errorf("refLastRow(%q) = %d, want %d", ref, got, want)
		}
	}
}

// TestXLSXRowsHintWithoutDimension: a sheet whose dimension is one cell
// (as excelize's streaming writer leaves it) gives no hint.
func TestXLSXRowsHintWithoutDimension(t *testing.T) {
	src, err := Open(filepath.Join("..", "samples", "customers.xlsx"), CSVOptions{}, XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if n, ok := src.(RowsHinter).RowsHint(); ok {
		t.Errorf("a hint of %d rows from a dimension of one cell", n)
	}
}

// setDimension rewrites the first sheet's dimension ref of the workbook.
func setDimension(t *testing.T, path, ref string) {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, zf := range z.File {
		r, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if zf.Name == "xl/worksheets/sheet1.xml" {
			b = bytes.Replace(b, []byte(`<dimension ref="A1">`), []byte(`<dimension ref="`+ref+`">`), 1)
		}
		fw, err := w.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

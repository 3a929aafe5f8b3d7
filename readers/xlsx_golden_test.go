package readers

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of the readers' tests")

// TestXLSXCorpusGolden reads every sheet of every workbook of the shared
// corpus and compares all that comes out (header, each row's number and
// cells, each row error, the error that ends the reading) with
// testdata/xlsx-corpus.golden, written from what the reader gave when it
// was excelize's row iterator: values stay byte for byte what they were.
func TestXLSXCorpusGolden(t *testing.T) {
	t.Parallel()
	dir := sharedTestdata(t, "xlsx-corpus")
	files, err := filepath.Glob(filepath.Join(dir, "*.xlsx"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workbooks in %s: %v", dir, err)
	}
	var b strings.Builder
	for _, path := range files {
		name := filepath.Base(path)
		for i := 1; i <= 8; i++ {
			src, err := OpenXLSX(path, XLSXOptions{SheetIndex: i})
			fmt.Fprintf(&b, "== %s sheet %d\n", name, i)
			if err != nil {
				fmt.Fprintf(&b, "open: %s\n", strings.ReplaceAll(err.Error(), path, name))
				if strings.Contains(err.Error(), "no sheet") {
					break
				}
				continue
			}
			dumpSource(&b, src, path, name)
		}
	}
	golden := filepath.Join("testdata", "xlsx-corpus.golden")
	if *updateGolden {
		must(t, os.WriteFile(golden, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	must(t, err)
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := "", ""
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("line %d differs:\n got %q\nwant %q", i+1, g, w)
			}
		}
	}
}

// dumpSource writes what src gives, one line per row, row error or final
// error, and closes it.
func dumpSource(b *strings.Builder, src Source, path, name string) {
	defer func() { _ = src.Close() }()
	fmt.Fprintf(b, "header %q\n", src.Header())
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var re *RowError
		if errors.As(err, &re) {
			fmt.Fprintf(b, "error %d %s %q: %s\n", re.Row, re.Column, re.Cells, strings.ReplaceAll(re.Err.Error(), path, name))
			continue
		}
		if err != nil {
			fmt.Fprintf(b, "fatal: %s\n", strings.ReplaceAll(err.Error(), path, name))
			return
		}
		fmt.Fprintf(b, "%d %q\n", row.Num, row.Cells)
	}
}

// TestXLSXCorpusCells reads every row of every sheet of the corpus, all
// columns, and compares the cells with testdata/xlsx-corpus-cells.golden,
// written from excelize's row iterator (Rows.Columns) over the same
// sheets, with the styles prepared as the reader prepares them.
func TestXLSXCorpusCells(t *testing.T) {
	t.Parallel()
	dir := sharedTestdata(t, "xlsx-corpus")
	files, err := filepath.Glob(filepath.Join(dir, "*.xlsx"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workbooks in %s: %v", dir, err)
	}
	var b strings.Builder
	for _, path := range files {
		name := filepath.Base(path)
		book, err := openWorkbook(path, xlsxUnzipLimit)
		if err != nil {
			fmt.Fprintf(&b, "== %s\nopen error\n", name)
			continue
		}
		list := book.f.GetSheetList()
		charts := chartSheets(book.f)
		must(t, book.close())
		for i, sheet := range list {
			fmt.Fprintf(&b, "== %s %q\n", name, sheet)
			if charts[sheet] {
				b.WriteString("chart\n")
				continue
			}
			s, err := openSheet(context.Background(), path, XLSXOptions{SheetIndex: i + 1}, xlsxUnzipLimit, xlsxSSTMemory)
			if err != nil {
				if !strings.Contains(err.Error(), "cells cannot be found") {
					t.Errorf("%s: %v", name, err)
				}
				b.WriteString("no cells\n")
				continue
			}
			for {
				num, prob, err := s.rows.next(0)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					b.WriteString("fatal\n")
					break
				}
				cells, cprob := s.record(num)
				if prob != nil || cprob != nil {
					fmt.Fprintf(&b, "%d error\n", num)
					continue
				}
				if len(cells) > 0 {
					fmt.Fprintf(&b, "%d %q\n", num, cells)
				}
			}
			must(t, s.Close())
		}
	}
	want, err := os.ReadFile(filepath.Join("testdata", "xlsx-corpus-cells.golden"))
	must(t, err)
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			if i >= len(gl) || i >= len(wl) || gl[i] != wl[i] {
				t.Fatalf("line %d differs:\n got %q\nwant %q", i+1, at(gl, i), at(wl, i))
			}
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end)"
}

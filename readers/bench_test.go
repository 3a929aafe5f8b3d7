package readers

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// genCSV writes rows of a typical customer file.
type genCSV struct {
	rows, n int
	buf     []byte
}

func (g *genCSV) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.n > g.rows {
			return 0, io.EOF
		}
		if g.n == 0 {
			g.buf = []byte("Code;Company;Street;Zip;City;Phone;Email;Amount;Since;Notes\r\n")
		} else {
			g.buf = fmt.Appendf(g.buf[:0], "C%06d;Société %d & Fils;%d rue de la République;%05d;Saint-Étienne;+33 4 77 %02d %02d %02d;contact%d@example.fr;%d,%02d;2021-%02d-%02d;\"note with ; and \"\"quotes\"\"\"\r\n",
				g.n, g.n, g.n%200, 42000+g.n%100, g.n%100, (g.n/100)%100, g.n%97, g.n, g.n%10000, g.n%100, 1+g.n%12, 1+g.n%28)
		}
		g.n++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func BenchmarkCSV(b *testing.B) {
	const rows = 100_000
	path := filepath.Join(b.TempDir(), "customers.csv")
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	size, err := io.Copy(out, &genCSV{rows: rows})
	if err != nil || out.Close() != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		src, err := OpenCSV(path, CSVOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		_ = src.Close()
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestCSVMemoryFlat reads a file far bigger than the reader's buffers and
// checks that the live heap stays small.
func TestCSVMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 22 MB")
	}
	src, err := NewCSV(&genCSV{rows: 150_000}, "big.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	var ms runtime.MemStats
	n := 0
	for {
		_, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n%25_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if n != 150_000 {
		t.Fatalf("read %d rows", n)
	}
	if peak > 16<<20 {
		t.Errorf("live heap reached %d MiB while streaming", peak>>20)
	}
	t.Logf("live heap peak %.1f MiB over %d rows", float64(peak)/(1<<20), n)
}

// writeBigXLSX writes a workbook of rows×8 cells with excelize's stream
// writer: text (in the cells, not in shared strings), numbers, dates.
func writeBigXLSX(tb testing.TB, path string, rows int) {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		tb.Fatal(err)
	}
	must(tb, sw.SetRow("A1", []any{"Code", "Company", "City", "Zip", "Qty", "Price", "Since", "Notes"}))
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for r := 2; r <= rows+1; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		must(tb, sw.SetRow(cell, []any{
			fmt.Sprintf("C%06d", r), fmt.Sprintf("Société %d", r), "Saint-Étienne", fmt.Sprintf("%05d", 42000+r%100),
			r % 37, float64(r%1000) / 10,
			excelize.Cell{StyleID: date, Value: day.AddDate(0, 0, r%3000)}, "",
		}))
	}
	must(tb, sw.Flush())
	must(tb, f.SaveAs(path))
}

func BenchmarkXLSX(b *testing.B) { benchXLSX(b, XLSXOptions{}) }

// BenchmarkXLSXCellKinds reads the kinds of the cells too, as an import
// of a workbook does for its errors.xlsx.
func BenchmarkXLSXCellKinds(b *testing.B) { benchXLSX(b, XLSXOptions{CellKinds: true}) }

func benchXLSX(b *testing.B, opts XLSXOptions) {
	const rows = 50_000
	path := filepath.Join(b.TempDir(), "big.xlsx")
	writeBigXLSX(b, path, rows)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		src, err := OpenXLSX(path, opts)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		_ = src.Close()
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestXLSXMemoryFlat streams a sheet whose XML is larger than 1 MiB (the
// shared-strings memory, lowered here to that; excelize's stream writer
// writes the text in the cells) and checks that the live heap stays small.
// Not parallel: the heap measured is the process's, and parallel tests
// run only once the others are done.
func TestXLSXMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 30,000-row workbook")
	}
	const rows, spill = 30_000, 1 << 20
	path := filepath.Join(t.TempDir(), "big.xlsx")
	writeBigXLSX(t, path, rows)
	zr, err := zip.OpenReader(path)
	must(t, err)
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" && zf.UncompressedSize64 <= spill {
			t.Fatalf("the sheet unpacks to %d bytes, not more than the %d held in memory", zf.UncompressedSize64, spill)
		}
	}
	must(t, zr.Close())
	runtime.GC()
	src, err := openXLSX(path, XLSXOptions{}, xlsxUnzipLimit, spill)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = src.Close() }()
	var peak uint64
	var ms runtime.MemStats
	n := 0
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 1 && row.Cells[6] != "2020-01-03" {
			t.Errorf("first date %q", row.Cells[6])
		}
		if n%5_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if n != rows {
		t.Fatalf("read %d rows", n)
	}
	t.Logf("live heap peak %.1f MiB over %d rows", float64(peak)/(1<<20), n)
	if peak > 16<<20 {
		t.Errorf("live heap reached %d MiB while streaming", peak>>20)
	}
}

// BenchmarkXLSXFile reads the workbook named by STBULK_BENCH_XLSX (made by
// scripts/genxlsx) to the end and reports rows/s and the process's peak
// RSS (VmHWM: run it alone, with -benchtime 1x).
//
//	go run ./scripts/genxlsx -rows 1000000 -o /tmp/customers.xlsx
//	STBULK_BENCH_XLSX=/tmp/customers.xlsx go test -run '^$' -bench XLSXFile -benchtime 1x ./readers/
func BenchmarkXLSXFile(b *testing.B) {
	path := os.Getenv("STBULK_BENCH_XLSX")
	if path == "" {
		b.Skip("STBULK_BENCH_XLSX names no workbook")
	}
	rows := 0
	for b.Loop() {
		src, err := OpenXLSX(path, XLSXOptions{})
		if err != nil {
			b.Fatal(err)
		}
		rows = 0
		for {
			_, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
		must(b, src.Close())
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if rss, ok := vmHWM(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
	}
}

// vmHWM returns the process's peak resident set (VmHWM of
// /proc/self/status, Linux), in bytes.
func vmHWM() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb uint64
			if _, err := fmt.Sscanf(rest, "%d kB", &kb); err == nil {
				return kb << 10, true
			}
		}
	}
	return 0, false
}

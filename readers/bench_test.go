package readers

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
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
		t.Skip("reads 60 MB")
	}
	src, err := NewCSV(&genCSV{rows: 400_000}, "big.csv", CSVOptions{})
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
		if n%50_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if n != 400_000 {
		t.Fatalf("read %d rows", n)
	}
	if peak > 16<<20 {
		t.Errorf("live heap reached %d MiB while streaming", peak>>20)
	}
	t.Logf("live heap peak %.1f MiB over %d rows", float64(peak)/(1<<20), n)
}

//go:build unix

package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stbulk/stbulk/pipeline"
)

// BenchmarkDryRunXLSX is a dry run of the customers workbook that
// STBULK_BENCH_XLSX names (written by scripts/genxlsx; skipped without it),
// with the mapping of scripts/bench-xlsx.sh (scripts/genxlsx/customers.yaml). Reports rows/s, cpu-µs/row
// (user + system CPU of the process per row, steadier than wall time on a
// loaded machine), allocs/row and B/row. STBULK_BENCH_XLSX may also name a
// CSV file of the same rows (the same header), to compare the two paths.
//
//	go run ./scripts/genxlsx -rows 200000 -o /tmp/customers.xlsx
//	STBULK_BENCH_XLSX=/tmp/customers.xlsx go test -run '^$' -bench DryRunXLSX -benchtime 3x ./pipeline/
func BenchmarkDryRunXLSX(b *testing.B) {
	input := os.Getenv("STBULK_BENCH_XLSX")
	if input == "" {
		b.Skip("STBULK_BENCH_XLSX names no workbook: go run ./scripts/genxlsx -rows 200000 -o /tmp/customers.xlsx")
	}
	mapping, err := os.ReadFile(filepath.Join("..", "scripts", "genxlsx", "customers.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	m, err := pipeline.Parse("customers.yaml", mapping)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := selfCPU(b)
	rows, iter := 0, 0
	for b.Loop() {
		out := filepath.Join(dir, fmt.Sprintf("run-%d", iter))
		if err := os.Mkdir(out, 0o755); err != nil {
			b.Fatal(err)
		}
		sum, err := pipeline.Run(context.Background(), []*pipeline.Mapping{m}, pipeline.Options{DryRun: true, Input: input, OutDir: out})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Read == 0 || sum.Sent < sum.Read*9/10 {
			b.Fatalf("read %d rows, sent %d (filtered %d, rejected %d)", sum.Read, sum.Sent, sum.Filtered, sum.Rejected)
		}
		rows += sum.Read
		b.StopTimer()
		if err := os.RemoveAll(out); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		iter++
	}
	cpu := selfCPU(b) - cpu0
	runtime.ReadMemStats(&after)
	n := float64(rows)
	b.ReportMetric(n/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(cpu.Seconds()/n*1e6, "cpu-µs/row")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/row")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/row")
}

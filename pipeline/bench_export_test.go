package pipeline_test

// BenchmarkExportReport exports jobs with filled reports (no photos) from a
// local server answering as the API does. Reports jobs/s, peak-heap-MB and
// peak-rss-MB. Goal: memory flat in the number of jobs, under 150 MB at
// 100,000 jobs, and jobs/s far above what the API's rate allows. This is
// the library without the soft memory limit that `stbulk export` sets
// (cmd_export.go), and its server runs in the same process:
// scripts/bench-export.sh measures the binary against a server of its own.
//
//	STBULK_BENCH_REPORT_JOBS=100000 go test -run '^$' -bench 'ExportReport/full$' -benchtime 1x ./pipeline/
//
// Its sub-benchmarks: full exports everything into a new folder; since-last
// is the incremental run that follows one (--since last): the search then
// finds one job in ten, changed, and the other nine are kept from the
// earlier run's records; full-csv is full, written as CSV files: without
// excelize, whose stream writer keeps up to 32 MiB of each sheet in memory
// until the workbook is written.

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/sandbox/loadgen"
	"github.com/stbulk/stbulk/synchroteam"
)

// exportBench runs exports and reports jobs/s (jobs read), peak-heap-MB
// and peak-rss-MB. prepare runs before the measures start; run is one
// export, returning the jobs it read.
func exportBench(b *testing.B, prepare func(), run func(iter int) int) {
	prepare()
	// Start from a collected heap given back to the system, so that the
	// peaks are this run's own (run one sub-benchmark a process, with
	// -bench ExportReport/full, for the RSS of each).
	debug.FreeOSMemory()
	rssReset := resetPeakRSS()
	heap := startHeapSampler()
	read := 0
	iter := 0
	for b.Loop() {
		read += run(iter)
		iter++
	}
	peak := heap.Stop()
	b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "jobs/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
	}
	if !rssReset {
		b.Logf("VmHWM could not be reset: peak-rss-MB covers the whole process")
	}
}

// BenchmarkExportReport exports STBULK_BENCH_REPORT_JOBS jobs (default
// 10,000; the goal is stated at 100,000) with their reports into an XLSX
// workbook (sheets Jobs, Report and Parts).
func BenchmarkExportReport(b *testing.B) {
	jobs := envInt(b, "STBULK_BENCH_REPORT_JOBS", 10_000)
	srv := httptest.NewServer(loadgen.Jobs(jobs, ""))
	defer srv.Close()
	parse := func(sheet string) *pipeline.ExportMapping {
		m, err := pipeline.ParseExport("jobs.yaml", []byte("version: 1\nexport: jobs\nspreadsheet: "+sheet+"\n"))
		if err != nil {
			b.Fatal(err)
		}
		return m
	}
	xlsx, csv := parse("jobs.xlsx"), parse("jobs.csv")
	c, err := synchroteam.NewClient(synchroteam.WithBaseURL(srv.URL), synchroteam.WithCredentials("acme", "k"),
		synchroteam.WithRateLimit(1e6, 1000))
	if err != nil {
		b.Fatal(err)
	}
	export := func(m *pipeline.ExportMapping, out, since string, want int) {
		sum, err := pipeline.Export(context.Background(), m, pipeline.ExportOptions{Client: c, OutDir: out, Since: since, Concurrency: 8})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Exported != want || sum.Exported+sum.Kept != jobs || sum.Rows["Report"] != jobs*loadgen.ReportItems {
			b.Fatalf("exported %d jobs, kept %d, %d report rows; want %d of %d jobs, %d rows",
				sum.Exported, sum.Kept, sum.Rows["Report"], want, jobs, jobs*loadgen.ReportItems)
		}
	}
	dir := b.TempDir()
	full := func(m *pipeline.ExportMapping) func(b *testing.B) {
		return func(b *testing.B) {
			exportBench(b, func() {}, func(iter int) int {
				out := filepath.Join(dir, fmt.Sprintf("full-%d", iter))
				export(m, out, "", jobs)
				b.StopTimer()
				if err := os.RemoveAll(out); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				return jobs
			})
		}
	}
	b.Run("full", full(xlsx))
	b.Run("since-last", func(b *testing.B) {
		out := filepath.Join(dir, "incremental")
		changed := (jobs + 9) / 10
		exportBench(b, func() { export(xlsx, out, "", jobs) }, func(int) int {
			export(xlsx, out, "last", changed)
			return changed
		})
	})
	b.Run("full-csv", full(csv))
}

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
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/synchroteam"
)

// reportItems is the number of report items of each job of reportAPI.
const reportItems = 10

// reportAPI answers Jobs/Search with n jobs (one in ten when the search
// asks for changes), and Jobs/Detail with a job as a technician fills it:
// address, contact, custom fields, parts and a report of reportItems items,
// a block of them repeated.
func reportAPI(n int) http.Handler {
	categories := []string{"Arrival", "Checks", "Measures", "Sign Off"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		num := r.URL.Query().Get("num")
		switch r.URL.Path {
		case "/Api/v2/Jobs/Search":
			filter, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			step := 1
			if strings.Contains(string(filter), "changedFrom") {
				step = 10
			}
			fmt.Fprint(w, "[")
			for i := 0; i < n; i += step {
				if i > 0 {
					fmt.Fprint(w, ",")
				}
				fmt.Fprintf(w, `{"id":"265_%d","myId":"ref-%d","num":"%d"}`, i, i, 100000+i)
			}
			fmt.Fprint(w, "]")
		case "/Api/v2/Jobs/Detail":
			var b strings.Builder
			fmt.Fprintf(&b, `{"scheduledBeginDate":"19/07/2016 14:43:00","scheduledEndDate":"19/07/2016 16:43:00",
"RealBeginDate":"19/07/2016 14:50:00","RealEndDate":"19/07/2016 16:16:00",
"siteName":"Site of customer %[1]s","customerMyId":"C-%[1]s","customerName":"Boulangerie Dupré %[1]s",
"description":"Annual maintenance of the cold room and its compressor, job %[1]s","idCreator":265,"idCustomer":8386,
"idEquipment":93929,"idJob":"265_%[1]s","idJobType":629,"nmJobType":"Maintenance","idReport":781,"idSite":62611,
"idUser":1551,"login":"techtest","nameEquipment":"Cold room CF-62033","priority":1,
"ContactPhone":"+12125875967","contactMobile":"+19293358480","contactName":"Dupré","contactFirstName":"Anne",
"publicLink":"https://synchroteam.com/Jobs/PublicJob/afb5853-3ec6-46ea-bc9c-%[1]s","status":5,
"customFieldValues":[{"name":"sector","value":"Food","id":182},{"name":"contract","value":"GOLD-%[1]s","id":185},{"name":"zone","value":"North","id":186}],
"duration":86,"globalAddress":"6605 Fisher Avenue, Falls Church, VA 22046, United States","adressCity":"Falls Church",
"adressCountry":"United States","adressProvince":"Virginia","adressStreet":"6605 Fisher Avenue","adressZIP":"22046",
"myId":"ref-%[1]s","num":%[1]s,
"parts":[{"id":34454,"quantity":2,"reference":"ACCROCHE FIX CF62033"},{"id":35947,"quantity":10,"reference":"111-a"}],
"position":{"Latitude":"43.9695148","Longitude":"-99.90181310000"},
"OtherTechnicians":["steven","ann"],"report":[`, num)
			for k := range reportItems {
				if k > 0 {
					b.WriteString(",")
				}
				iteration := 0
				item := k
				if k >= reportItems-4 { // the last item, repeated: a repeatable block
					iteration, item = k-(reportItems-4), reportItems-4
				}
				fmt.Fprintf(&b, `{"id":%d,"idCategory":%d,"iteration":%d,"nmCategory":%q,"nmItem":"Item %d","value":"Value %d of job %s, checked"}`,
					3400+item, 1160+item%len(categories), iteration, categories[item%len(categories)], item, k, num)
			}
			b.WriteString("]}")
			fmt.Fprint(w, b.String())
		default:
			http.NotFound(w, r)
		}
	})
}

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
	srv := httptest.NewServer(reportAPI(jobs))
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
		if sum.Exported != want || sum.Exported+sum.Kept != jobs || sum.Rows["Report"] != jobs*reportItems {
			b.Fatalf("exported %d jobs, kept %d, %d report rows; want %d of %d jobs, %d rows",
				sum.Exported, sum.Kept, sum.Rows["Report"], want, jobs, jobs*reportItems)
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

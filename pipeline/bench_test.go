package pipeline_test

// Benchmarks of the import pipeline, with the figures the project's goals
// are stated in:
//
//   - BenchmarkDryRunCSV: a customers CSV turned into payloads in a dry run
//     (read, where filter, transforms, checks, expression, payloads.jsonl).
//     Reports rows/s, ns/row, allocs/row, B/row, peak-heap-MB and
//     peak-rss-MB. Goal: memory flat in the number of rows, under 150 MB at
//     1,000,000 rows. scripts/bench.sh compares a dry run with Miller.
//
//     STBULK_BENCH_ROWS=1000000 go test -run '^$' -bench DryRunCSV -benchtime 1x ./pipeline/
//
//   - BenchmarkSandboxRate: customer rows sent to the local sandbox, which
//     allows 50 requests/s and answers each after 100 ms, with the client
//     limited to 50/s as `stbulk import --rate 50` limits it. Reports req/s,
//     rate-ratio (req/s ÷ 50; goal ≥ 0.97) and 429s (goal 0).
//
//     STBULK_BENCH_SANDBOX_ROWS=2000 go test -run '^$' -bench SandboxRate -benchtime 1x ./pipeline/
//
//     STBULK_BENCH_CLIENT_BURST and STBULK_BENCH_CONCURRENCY replace the
//     client's burst and the requests in flight, to compare settings; the
//     log line of each iteration says when the 429s came.
//
//   - BenchmarkExportPhotos: jobs exported with 5 photos of 256 KB each and a
//     PDF, from a local server answering as the API does (base64 in JSON).
//     Reports jobs/s, peak-heap-MB and peak-rss-MB. Goal: memory flat in the
//     number of jobs (it depends on the requests in flight, not on the jobs
//     done), stated at 1,000 jobs × 5 photos.
//
//     STBULK_BENCH_JOBS=1000 go test -run '^$' -bench ExportPhotos -benchtime 1x ./pipeline/
//
// Speed and memory are goals of these benchmarks, not of the unit tests:
// nothing here fails because a machine is slow. Run each benchmark alone
// (see peakRSS) and with -benchtime 1x: one iteration is already a whole
// import.

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

// benchMapping is a customers mapping that uses a bit of everything a real
// one does: trims, title case, a decimal-comma number, a split list, an
// email check, a date layout, a where filter and an expression.
const benchMapping = `version: 1
import: customer
csv:
  delimiter: ";"
  encoding: utf-8
where: '!(code startsWith "ARCH-")'
fields:
  myId: { column: code, required: true, transform: [trim] }
  name: { column: name, required: true, transform: [squash, title] }
  adressStreet: { column: street, transform: [squash] }
  adressZIP: { column: zip, transform: [trim] }
  adressCity: { column: city, transform: [trim, title] }
  address: { expr: 'join(", ", squash(street), trim(zip) + " " + title(trim(city)))' }
  contactEmail: { column: email, transform: [trim, lower], check: email }
  contactPhone: { column: phone, transform: [trim] }
  position.latitude: { column: lat, transform: [{ number: { decimal: "," } }] }
  position.longitude: { column: lng, transform: [{ number: { decimal: "," } }] }
  tags: { column: tags, transform: [{ split: ";" }, trim, lower] }
  customFieldValues.Customer since:
    column: since
    transform: [{ date: { layout: dd/MM/yyyy, output: yyyy-MM-dd } }]
`

// benchHeader is the generated file's header. lng is there besides lat
// because a position needs both (the sandbox refuses half of one).
var benchHeader = []string{"code", "name", "street", "zip", "city", "email", "phone", "lat", "lng", "tags", "since"}

var (
	benchFirst  = []string{"boulangerie", "pâtisserie", "hôtel", "brasserie", "café", "épicerie", "crèmerie", "société", "garage", "pharmacie"}
	benchSecond = []string{"dupré", "des célestins", "müller", "le nœud papillon", "françois", "de l'étoile", "saint-éloi", "bérénice", "du lœss", "núñez"}
	benchStreet = []string{"rue mercière", "rue de la charité", "place kléber", "avenue jean-jaurès", "quai saint-antoine", "boulevard des brotteaux", "chemin des écoliers", "impasse du château"}
	benchCity   = []string{"lyon", "villeurbanne", "strasbourg", "saint-étienne", "besançon", "orléans", "nîmes", "périgueux", "clermont-ferrand", "évry"}
	benchTags   = []string{"boulangerie", "froid", "hôtel", "restaurant", "bière", "pâtisserie", "maintenance", "contrat"}
)

// writeCustomersCSV writes n customer rows, the same for the same seed, in
// the ";"-separated UTF-8 a French spreadsheet exports (decimal commas,
// dd/MM/yyyy dates, "a;b" lists quoted). Unless clean, about 2 % of the rows
// are archived (ARCH- codes, left out by the where filter) and about 1 %
// have an email without a domain (rejected by the check).
func writeCustomersCSV(tb testing.TB, path string, n int, seed uint64, clean bool) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Comma = ';'
	rng := rand.New(rand.NewPCG(seed, 0xbe5c))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	if err := w.Write(benchHeader); err != nil {
		tb.Fatal(err)
	}
	rec := make([]string, len(benchHeader))
	for i := range n {
		code := fmt.Sprintf("CLI-%07d", i+1)
		roll := rng.IntN(100)
		if !clean && roll < 2 {
			code = fmt.Sprintf("ARCH-%07d", i+1)
		}
		first, second := pick(benchFirst), pick(benchSecond)
		name := first + "  " + second
		if rng.IntN(3) == 0 {
			name = " " + strings.ToUpper(name) + " "
		}
		email := fmt.Sprintf(" Contact.%d@%s-%s.example", i+1, benchSlug(first), benchSlug(second))
		if !clean && roll == 2 {
			email = fmt.Sprintf("ventas%d@ferreteria-nunez", i+1) // no dot in the domain
		}
		ntags := 1 + rng.IntN(3)
		tags := make([]string, ntags)
		for t := range tags {
			tags[t] = pick(benchTags)
		}
		if rng.IntN(4) == 0 {
			tags[0] = strings.ToUpper(tags[0])
		}
		rec[0] = code
		rec[1] = name
		rec[2] = fmt.Sprintf("%d %s", 1+rng.IntN(200), pick(benchStreet))
		rec[3] = fmt.Sprintf("%05d", 1000+rng.IntN(94000))
		rec[4] = pick(benchCity)
		rec[5] = email
		rec[6] = fmt.Sprintf("+33 %d %02d %02d %02d %02d", 1+rng.IntN(9), rng.IntN(100), rng.IntN(100), rng.IntN(100), rng.IntN(100))
		rec[7] = strings.Replace(strconv.FormatFloat(43+rng.Float64()*6, 'f', 4, 64), ".", ",", 1)
		rec[8] = strings.Replace(strconv.FormatFloat(-1+rng.Float64()*8, 'f', 4, 64), ".", ",", 1)
		rec[9] = strings.Join(tags, ";")
		rec[10] = fmt.Sprintf("%02d/%02d/%d", 1+rng.IntN(28), 1+rng.IntN(12), 1990+rng.IntN(36))
		if err := w.Write(rec); err != nil {
			tb.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// benchSlug is a name as it would appear in a domain: ASCII, no spaces.
func benchSlug(s string) string {
	s = benchFold.Replace(s)
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r == '-' {
			return r
		}
		return -1
	}, s)
}

var benchFold = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "É", "e", "ü", "u", "ç", "c", "ô", "o", "â", "a", "î", "i", "œ", "oe", "ñ", "n", "ú", "u")

// envInt reads a positive row count from the environment, or def.
func envInt(tb testing.TB, name string, def int) int {
	tb.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		tb.Fatalf("%s=%q: want a positive number of rows", name, s)
	}
	return n
}

func benchParse(tb testing.TB) *pipeline.Mapping {
	tb.Helper()
	m, err := pipeline.Parse("bench-customers.yaml", []byte(benchMapping))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// heapSampler records the largest heap seen, sampling every 10 ms:
// /memory/classes/heap/objects:bytes is the memory of heap objects, live or
// not yet collected, which is what the heap's size follows.
type heapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	sample := []metrics.Sample{{Name: heapMetric}}
	// STBULK_BENCH_PEAK_PROFILE names a file to which the heap profile is
	// written each time the heap grows 10 % past its peak so far: the last
	// one written shows what was live near the peak (go tool pprof
	// -sample_index=inuse_space).
	profile := os.Getenv("STBULK_BENCH_PEAK_PROFILE")
	var profiled uint64
	read := func() {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			h.peak = max(h.peak, sample[0].Value.Uint64())
		}
		if profile != "" && h.peak > profiled+profiled/10 && h.peak > 32<<20 {
			profiled = h.peak
			if os.Getenv("STBULK_BENCH_PEAK_GC") != "" {
				runtime.GC()
			}
			writeHeapProfile(profile)
		}
	}
	read()
	go func() {
		defer close(h.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return h
}

// writeHeapProfile writes the heap profile to path, replacing it.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.WriteHeapProfile(f)
}

// Stop ends the sampling and returns the peak, in bytes.
func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	<-h.done
	return h.peak
}

// resetPeakRSS asks Linux to start VmHWM again from the current RSS (writing
// 5 to clear_refs, Linux 4.0+). It reports whether it could: where it
// cannot, VmHWM is the peak of the whole process so far, generator and
// earlier benchmarks included.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS returns VmHWM from /proc/self/status (Linux), in bytes. VmHWM is
// the process's resident-set high-water mark: it only grows (unless
// resetPeakRSS worked), and it counts everything the test binary did, so
// run this benchmark alone: go test -run '^$' -bench DryRunCSV.
func peakRSS() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest) // "123456 kB"
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseUint(f[0], 10, 64)
				if err == nil {
					return kb << 10, true
				}
			}
		}
	}
	return 0, false
}

// BenchmarkDryRunCSV turns a generated customers CSV into payloads in a dry
// run. Rows: STBULK_BENCH_ROWS (default 100,000; the goal is stated at
// 1,000,000). The file is generated before anything is measured.
func BenchmarkDryRunCSV(b *testing.B) {
	rows := envInt(b, "STBULK_BENCH_ROWS", 100_000)
	dir := b.TempDir()
	input := filepath.Join(dir, "customers.csv")
	writeCustomersCSV(b, input, rows, 1, false)
	if fi, err := os.Stat(input); err == nil {
		b.SetBytes(fi.Size())
	}
	// Start from a collected heap, so that the peak is the run's own.
	runtime.GC()
	rssReset := resetPeakRSS()
	heap := startHeapSampler()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	iter := 0
	var sum *pipeline.Summary
	for b.Loop() {
		out := filepath.Join(dir, fmt.Sprintf("run-%d", iter))
		if err := os.Mkdir(out, 0o755); err != nil {
			b.Fatal(err)
		}
		var err error
		sum, err = pipeline.Run(context.Background(), []*pipeline.Mapping{benchParse(b)}, pipeline.Options{DryRun: true, Input: input, OutDir: out})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Read != rows || sum.Sent < rows*9/10 {
			b.Fatalf("read %d of %d rows, sent %d (filtered %d, rejected %d)", sum.Read, rows, sum.Sent, sum.Filtered, sum.Rejected)
		}
		// Each iteration's payloads.jsonl is as large as the input: keep
		// the disk to one at a time.
		b.StopTimer()
		if err := os.RemoveAll(out); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		iter++
	}
	peak := heap.Stop()
	runtime.ReadMemStats(&after)
	n := float64(rows) * float64(iter)
	b.ReportMetric(n/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/row")
	// The whole process's, iterations and what the sampler does included.
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/row")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/row")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
	}
	if !rssReset {
		b.Logf("VmHWM could not be reset: peak-rss-MB covers the whole process (file generation included)")
	}
	b.Logf("%d rows: sent %d, filtered %d, rejected %d", rows, sum.Sent, sum.Filtered, sum.Rejected)
}

// benchRate is the sandbox's limit and the client's, in requests/s.
const benchRate = 50.0

// clientBurst is the burst `stbulk import --rate R` gives its client
// (synchroteam.WithRate, used by clientRate in main.go).
func clientBurst(float64) int { return synchroteam.DefaultBurst }

// BenchmarkSandboxRate sends customer rows (STBULK_BENCH_SANDBOX_ROWS,
// default 500; the goal is stated at 2,000) to a sandbox allowing 50
// requests/s with 100 ms of latency, through a client limited to 50/s with
// stbulk import's default concurrency (8). Each iteration gets a new sandbox
// and a new client, as a new run would.
func BenchmarkSandboxRate(b *testing.B) {
	rows := envInt(b, "STBULK_BENCH_SANDBOX_ROWS", 500)
	// To compare with other settings than stbulk import's: the client's
	// burst and the requests in flight.
	burst := envInt(b, "STBULK_BENCH_CLIENT_BURST", clientBurst(benchRate))
	concurrency := envInt(b, "STBULK_BENCH_CONCURRENCY", 8) // stbulk import's default --concurrency
	dir := b.TempDir()
	input := filepath.Join(dir, "customers.csv")
	writeCustomersCSV(b, input, rows, 2, true)

	var requests, client429, server429 int64
	var sent int
	var elapsed time.Duration
	iter := 0
	for b.Loop() {
		b.StopTimer()
		// The sandbox's request log tells when the 429s came (seconds into
		// the run), to tell a start-up burst from steady-state refusals.
		var limitedMu sync.Mutex
		var limitedAt []string
		var start time.Time
		logf := func(format string, args ...any) {
			// The line is "sandbox: %s %s → %d (%s)": method, path, status, time.
			if strings.Contains(format, "→ %d") && len(args) >= 3 && args[2] == http.StatusTooManyRequests {
				limitedMu.Lock()
				defer limitedMu.Unlock()
				limitedAt = append(limitedAt, fmt.Sprintf("%.2fs", time.Since(start).Seconds()))
			}
		}
		cfg := sandbox.Config{Domain: "bench", APIKey: "bench-key", Rate: benchRate, Latency: 100 * time.Millisecond, Seed: 1, Demo: false, Logf: logf}
		sb, err := sandbox.Start(cfg, "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		client, err := synchroteam.NewClient(
			synchroteam.WithBaseURL(sb.URL),
			synchroteam.WithCredentials(cfg.Domain, cfg.APIKey),
			synchroteam.WithRateLimit(benchRate, burst),
		)
		if err != nil {
			b.Fatal(err)
		}
		out := filepath.Join(dir, fmt.Sprintf("run-%d", iter))
		if err := os.Mkdir(out, 0o755); err != nil {
			b.Fatal(err)
		}
		m := benchParse(b)
		b.StartTimer()
		limitedMu.Lock()
		start = time.Now()
		limitedMu.Unlock()
		sum, err := pipeline.Run(context.Background(), []*pipeline.Mapping{m}, pipeline.Options{
			Client: client, Input: input, OutDir: out, Concurrency: concurrency,
		})
		d := time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if sum.Sent != rows {
			b.Fatalf("sent %d of %d rows (failed %d, rejected %d): see %s", sum.Sent, rows, sum.Failed, sum.Rejected, out)
		}
		cs := client.Counters()
		st := sb.Server.Stats()
		if err := sb.Close(); err != nil {
			b.Fatal(err)
		}
		requests += cs.Requests
		client429 += cs.RateLimited
		server429 += int64(st.RateLimited)
		sent += sum.Sent
		elapsed += d
		iter++
		limitedMu.Lock()
		at := strings.Join(limitedAt, " ")
		limitedMu.Unlock()
		b.Logf("iteration %d (client burst %d, concurrency %d): %d rows in %v: %d requests (%.2f/s), %d retries, 429s client %d / server %d (at %s)",
			iter, burst, concurrency, rows, d.Round(time.Millisecond), cs.Requests, float64(cs.Requests)/d.Seconds(), cs.Retries, cs.RateLimited, st.RateLimited, at)
		b.StartTimer()
	}
	reqPerSec := float64(requests) / elapsed.Seconds()
	b.ReportMetric(reqPerSec, "req/s")
	b.ReportMetric(reqPerSec/benchRate, "rate-ratio")
	b.ReportMetric(float64(sent)/elapsed.Seconds()/benchRate, "sent-ratio") // rows that made it, per second, ÷ 50
	b.ReportMetric(float64(client429)/float64(iter), "429s")
	b.ReportMetric(float64(server429)/float64(iter), "server-429s")
}

// photoAPI answers Jobs/Search with n jobs, and for each Jobs/Detail, 5
// photos of size bytes and a PDF, each response built when asked, as a
// server streams them.
func photoAPI(n, size int) http.Handler {
	rng := rand.New(rand.NewPCG(1, 2))
	img := make([]byte, size)
	for i := range img {
		img[i] = byte(rng.Uint32())
	}
	b64 := base64.StdEncoding.EncodeToString(img)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		num := r.URL.Query().Get("num")
		switch r.URL.Path {
		case "/Api/v2/Jobs/Search":
			fmt.Fprint(w, "[")
			for i := range n {
				if i > 0 {
					fmt.Fprint(w, ",")
				}
				fmt.Fprintf(w, `{"id":"_%d","num":"%d"}`, i, 10000+i)
			}
			fmt.Fprint(w, "]")
		case "/Api/v2/Jobs/Detail":
			fmt.Fprintf(w, `{"idJob":"_%s","num":"%s","customerName":"Client %s","status":5}`, num, num, num)
		case "/Api/v2/Jobs/Photos":
			// Written piece by piece: the server's own copies of the
			// images are not the client's allocations.
			io.WriteString(w, "[")
			for k := range 5 {
				if k > 0 {
					io.WriteString(w, ",")
				}
				fmt.Fprintf(w, `{"job":{"num":"%s"},"iteration":0,"fileName":"image.png","comment":"","imageData":"`, num)
				io.WriteString(w, b64)
				io.WriteString(w, `"}`)
			}
			io.WriteString(w, "]")
		case "/Api/v2/Jobs/PDF":
			io.WriteString(w, `{"pdfData":"`)
			io.WriteString(w, b64[:len(b64)/4])
			io.WriteString(w, `"}`)
		default:
			http.NotFound(w, r)
		}
	})
}

// BenchmarkExportPhotos exports STBULK_BENCH_JOBS jobs (default 100; the
// goal is stated at 1,000) with their photos and PDFs.
func BenchmarkExportPhotos(b *testing.B) {
	jobs := envInt(b, "STBULK_BENCH_JOBS", 100)
	const photoSize = 256 << 10
	srv := httptest.NewServer(photoAPI(jobs, photoSize))
	defer srv.Close()
	m, err := pipeline.ParseExport("jobs.yaml", []byte("version: 1\nexport: jobs\nspreadsheet: jobs.xlsx\n"+
		"photos: \"photos/{num}/{fileName}\"\npdf: \"pdf/{num}.pdf\"\n"))
	if err != nil {
		b.Fatal(err)
	}
	c, err := synchroteam.NewClient(synchroteam.WithBaseURL(srv.URL), synchroteam.WithCredentials("acme", "k"),
		synchroteam.WithRateLimit(1e6, 1000))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	runtime.GC()
	rssReset := resetPeakRSS()
	heap := startHeapSampler()
	iter := 0
	var sum *pipeline.ExportSummary
	for b.Loop() {
		out := filepath.Join(dir, fmt.Sprintf("run-%d", iter))
		sum, err = pipeline.Export(context.Background(), m, pipeline.ExportOptions{Client: c, OutDir: out, Concurrency: 8})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Exported != jobs || sum.FilesWritten != jobs*6 {
			b.Fatalf("exported %d of %d jobs, %d files written", sum.Exported, jobs, sum.FilesWritten)
		}
		b.StopTimer()
		if err := os.RemoveAll(out); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		iter++
	}
	peak := heap.Stop()
	b.ReportMetric(float64(jobs)*float64(iter)/b.Elapsed().Seconds(), "jobs/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
	}
	if !rssReset {
		b.Logf("VmHWM could not be reset: peak-rss-MB covers the whole process")
	}
	b.Logf("%d jobs × 5 photos of %d KB: %d files written", jobs, photoSize>>10, sum.FilesWritten)
}

package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// These tests run pipeline.Run against an in-process sandbox: the real
// client, over HTTP, into a server that answers as the API does.

const (
	testDomain = "acme"
	testKey    = "k3y-0f-the-t3st"
)

// fastRetries retries as the default policy does, without its waits.
var fastRetries = synchroteam.RetryPolicy{MaxAttempts: 20, MaxElapsed: 30 * time.Second, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// startSandbox starts a sandbox with demo data (cfg's credentials default
// to the test's) and returns it with a client for it, with opts added.
func startSandbox(t *testing.T, cfg sandbox.Config, opts ...synchroteam.Option) (*sandbox.Running, *synchroteam.Client) {
	t.Helper()
	if cfg.Domain == "" {
		cfg.Domain, cfg.APIKey = testDomain, testKey
	}
	cfg.Demo = true
	sb, err := sandbox.Start(cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	base := []synchroteam.Option{
		synchroteam.WithBaseURL(sb.URL), synchroteam.WithCredentials(testDomain, testKey),
		synchroteam.WithRateLimit(1000, 100), synchroteam.WithRetryPolicy(fastRetries),
	}
	c, err := synchroteam.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return sb, c
}

// loadExamples loads mappings of mappings/ by file name.
func loadExamples(t *testing.T, names ...string) []*Mapping {
	t.Helper()
	var maps []*Mapping
	for _, n := range names {
		m, err := Load(examplePath(n))
		if err != nil {
			t.Fatalf("Load %s: %v", n, err)
		}
		maps = append(maps, m)
	}
	return maps
}

func exampleNames(t *testing.T) []string {
	t.Helper()
	files, err := exampleFiles(false)
	if err != nil || len(files) == 0 {
		t.Fatalf("no example mappings: %v", err)
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	return names
}

// checkCounts fails unless every data row of every input of maps ended in
// exactly one outcome: each mapping has its summary, whose rows read are
// the rows of its input counted here, apart from Run, and whose outcomes
// add up to them; the errors file lists the rows rejected, failed or
// skipped, and the success file (payloads.jsonl in a dry run) the rows
// sent; the total is the sum of the mappings, and summary.json says what
// Run returned.
func checkCounts(t *testing.T, sum *Summary, dir string, maps []*Mapping) {
	t.Helper()
	adds := func(c Counts) bool {
		return c.Read == c.Filtered+c.Sent+c.Rejected+c.Failed+c.Skipped+c.Unchanged+c.Duplicates
	}
	byFile := map[string]*Mapping{}
	for _, m := range maps {
		byFile[m.File] = m
	}
	var total Counts
	for _, ms := range sum.Mappings {
		total.plus(ms.Counts)
		m, ok := byFile[ms.Mapping]
		if !ok {
			t.Errorf("summary of %s: not a mapping of the run, or summarized twice", ms.Mapping)
			continue
		}
		delete(byFile, ms.Mapping)
		if !adds(ms.Counts) {
			t.Errorf("%s: outcomes do not add up: %+v", ms.Mapping, ms.Counts)
		}
		if n := countRows(t, ms.Input, m.CSV, m.XLSX); ms.Read != n {
			t.Errorf("%s: read %d rows, but %s has %d: %+v", ms.Mapping, ms.Read, ms.Input, n, ms.Counts)
		}
		if n := countRows(t, ms.Errors, m.CSV, m.XLSX); n != ms.NotSent() {
			t.Errorf("%s: %d rows rejected, failed or skipped, but %s lists %d", ms.Mapping, ms.NotSent(), ms.Errors, n)
		}
		switch {
		case ms.FilteredFile != "":
			if n := countRows(t, ms.FilteredFile, m.CSV, m.XLSX); n != ms.Filtered+ms.Duplicates {
				t.Errorf("%s: %d rows filtered or duplicates, but %s lists %d", ms.Mapping, ms.Filtered+ms.Duplicates, ms.FilteredFile, n)
			}
		case ms.Filtered+ms.Duplicates > 0:
			t.Errorf("%s: %d rows filtered or duplicates, and no filtered file", ms.Mapping, ms.Filtered+ms.Duplicates)
		}
		sent := 0
		switch {
		case ms.Success != "":
			sent = countRows(t, ms.Success, readers.CSVOptions{}, readers.XLSXOptions{})
		case ms.Payloads != "":
			b, err := os.ReadFile(ms.Payloads)
			if err != nil {
				t.Fatal(err)
			}
			sent = bytes.Count(b, []byte("\n"))
		default:
			t.Errorf("%s: neither a success file nor payloads", ms.Mapping)
		}
		if sent != ms.Sent {
			t.Errorf("%s: %d rows sent, but the reports list %d", ms.Mapping, ms.Sent, sent)
		}
	}
	for f := range byFile {
		t.Errorf("%s: no summary: its rows are not accounted for", f)
	}
	if !adds(sum.Counts) || total != sum.Counts {
		t.Errorf("total %+v, sum of the mappings %+v", sum.Counts, total)
	}
	var onDisk Summary
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &onDisk); err != nil {
		t.Fatal(err)
	}
	if onDisk.Counts != sum.Counts || len(onDisk.Mappings) != len(sum.Mappings) || onDisk.Stopped != sum.Stopped {
		t.Errorf("summary.json %+v (stopped %q), Run returned %+v (stopped %q)", onDisk.Counts, onDisk.Stopped, sum.Counts, sum.Stopped)
	}
}

// countRows counts the data rows of a CSV or XLSX file as a reader with
// those options gives them: rows and unreadable rows (*readers.RowError),
// up to the end of the file.
func countRows(t *testing.T, path string, csv readers.CSVOptions, xlsx readers.XLSXOptions) int {
	t.Helper()
	src, err := readers.Open(path, csv, xlsx)
	if err != nil {
		t.Fatalf("counting the rows of %s: %v", path, err)
	}
	defer src.Close()
	n := 0
	for {
		_, err := src.Next()
		if err == io.EOF {
			return n
		}
		var re *readers.RowError
		if err != nil && !errors.As(err, &re) {
			t.Fatalf("counting the rows of %s: after %d rows: %v", path, n, err)
		}
		n++
	}
}

// Every example mapping run alone into the sandbox: each row read has one
// outcome, and the rows built are sent or refused by the API (a child whose
// parent is not in the sandbox fails there), never lost.
func TestRunCountsAddUp(t *testing.T) {
	t.Parallel()
	// rejected and filtered rows per mapping, as samples/README.md lists them
	want := map[string][2]int{
		"activity-types.yaml": {3, 0}, "customers-legacy.yaml": {3, 2}, "customers.yaml": {3, 0},
		"equipment.yaml": {2, 0}, "equipment-by-site.yaml": {2, 0}, "inventory.yaml": {2, 0}, "part-prices.yaml": {4, 0},
		"parts.yaml": {3, 2}, "sites.yaml": {2, 0}, "users.yaml": {3, 0}, "attachments.yaml": {6, 0},
	}
	for _, name := range exampleNames(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, c := startSandbox(t, sandbox.Config{})
			dir := t.TempDir()
			maps := loadExamples(t, name)
			sum, err := Run(context.Background(), maps, Options{Client: c, OutDir: dir, Concurrency: 4})
			if err != nil {
				t.Fatal(err)
			}
			checkCounts(t, sum, dir, maps)
			w, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			if got := [2]int{sum.Rejected, sum.Filtered}; got != w {
				t.Errorf("rejected, filtered = %v, want %v", got, w)
			}
			if sum.Skipped != 0 || sum.Requests == 0 || sum.DryRun {
				t.Errorf("summary %+v", sum)
			}
		})
	}
}

// All the example mappings in one run, as samples/README.md shows: parents
// first, children of bad rows skipped, nothing failing at the API but the
// attachment for a job that does not exist.
func TestRunAllExamplesTogether(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	maps := loadExamples(t, exampleNames(t)...)
	sum, err := Run(context.Background(), maps, Options{Client: c, OutDir: dir, Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, sum, dir, maps)
	var order []string
	got := map[string]Counts{}
	for _, m := range sum.Mappings {
		order = append(order, m.Entity)
		got[filepath.Base(m.Mapping)] = m.Counts
	}
	if want := []string{"activity_type", "user", "customer", "customer", "site", "equipment", "equipment", "part", "part_price", "inventory", "attachment"}; !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	want := map[string]Counts{
		"activity-types.yaml":    {Read: 16, Sent: 13, Rejected: 3},
		"users.yaml":             {Read: 17, Sent: 14, Rejected: 3},
		"customers-legacy.yaml":  {Read: 19, Sent: 14, Filtered: 2, Rejected: 3},
		"customers.yaml":         {Read: 24, Sent: 21, Rejected: 3},
		"sites.yaml":             {Read: 25, Sent: 21, Rejected: 2, Skipped: 2},
		"equipment.yaml":         {Read: 26, Sent: 21, Rejected: 2, Skipped: 3},
		"equipment-by-site.yaml": {Read: 8, Sent: 4, Rejected: 2, Skipped: 2},
		"parts.yaml":             {Read: 20, Sent: 15, Filtered: 2, Rejected: 3},
		"part-prices.yaml":       {Read: 22, Sent: 15, Rejected: 4, Skipped: 3},
		"inventory.yaml":         {Read: 30, Sent: 26, Rejected: 2, Skipped: 2},
		"attachments.yaml":       {Read: 11, Sent: 4, Rejected: 6, Failed: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts per mapping (-want +got):\n%s", diff)
	}
}

// The payloads of a dry run of each example mapping, byte for byte:
// testdata/golden/<mapping>.jsonl (go test -run TestRunDryRunGolden -update
// rewrites them; the end-to-end scripts compare with the same files).
func TestRunDryRunGolden(t *testing.T) {
	t.Parallel()
	for _, name := range exampleNames(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			maps := loadExamples(t, name)
			sum, err := Run(context.Background(), maps, Options{DryRun: true, OutDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			checkCounts(t, sum, dir, maps)
			if !sum.DryRun || sum.Requests != 0 {
				t.Errorf("dry run summary %+v", sum)
			}
			if _, err := os.Stat(filepath.Join(dir, "success.csv")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a dry run wrote success.csv: %v", err)
			}
			got, err := os.ReadFile(filepath.Join(dir, "payloads.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(got, []byte("\n")); n != sum.Sent {
				t.Errorf("payloads.jsonl has %d lines, %d rows were sent", n, sum.Sent)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".yaml")+".jsonl")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("payloads.jsonl differs from %s (-want +got):\n%s", golden, cmp.Diff(string(want), string(got)))
			}
		})
	}
}

// Under injected faults (500, 503, connections dropped after the request
// was applied) keyed upserts are retried: every good customer arrives exactly
// once and no row fails.
func TestRunRetriesFaults(t *testing.T) {
	t.Parallel()
	sb, c := startSandbox(t, sandbox.Config{FailRate: 0.2, DropRate: 0.05, Seed: 5})
	dir := t.TempDir()
	maps := loadExamples(t, "customers.yaml")
	sum, err := Run(context.Background(), maps, Options{Client: c, OutDir: dir, Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, sum, dir, maps)
	if sum.Failed != 0 || sum.Sent != 21 || sum.Rejected != 3 {
		t.Errorf("summary %+v, want 21 sent, 3 rejected, none failed", sum.Counts)
	}
	if sum.Retries == 0 || sb.Server.Stats().Faults == 0 {
		t.Errorf("no retries (%d) or no faults (%d): the test proves nothing", sum.Retries, sb.Server.Stats().Faults)
	}
	list, err := c.Customers.List(context.Background(), synchroteam.Date{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, cu := range list {
		seen[cu.MyID]++
	}
	good := runExample(t, examplePath("customers.yaml"), "")
	for _, n := range good.order {
		id := good.good[n]["myId"].(string)
		if seen[id] != 1 {
			t.Errorf("row %d: customer %s is listed %d times, want once", n, id, seen[id])
		}
	}
}

// A refused API key stops the run with a FatalError naming the domain,
// never the key; the reports of what happened are written.
func TestRunUnauthorized(t *testing.T) {
	t.Parallel()
	const wrongKey = "wr0ng-k3y-xyz"
	_, c := startSandbox(t, sandbox.Config{}, synchroteam.WithCredentials(testDomain, wrongKey))
	dir := t.TempDir()
	maps := loadExamples(t, "customers.yaml")
	sum, err := Run(context.Background(), maps, Options{Client: c, OutDir: dir})
	var fatal *FatalError
	if !errors.As(err, &fatal) {
		t.Fatalf("err = %v, want a *FatalError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, `"`+testDomain+`"`) || strings.Contains(msg, wrongKey) {
		t.Errorf("error %q: want the domain, not the key", msg)
	}
	if sum == nil {
		t.Fatal("no summary")
	}
	checkCounts(t, sum, dir, maps)
	if sum.Sent != 0 || sum.Stopped == "" || strings.Contains(sum.Stopped, wrongKey) {
		t.Errorf("summary %+v, stopped %q", sum.Counts, sum.Stopped)
	}
	for _, f := range []string{"summary.json", "errors.csv", "success.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(wrongKey)) {
			t.Errorf("%s holds the key", f)
		}
	}
}

// MaxErrors stops the run once more rows than that were rejected or
// failed: Stopped says why, and no later mapping file is imported: its
// rows are all in its errors file as not sent.
func TestRunMaxErrors(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	// activity types run first (3 bad rows), then users.
	maps := loadExamples(t, "users.yaml", "activity-types.yaml")
	sum, err := Run(context.Background(), maps, Options{Client: c, OutDir: dir, MaxErrors: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, sum, dir, maps)
	if !strings.Contains(sum.Stopped, "more than 1 rows were rejected or failed") {
		t.Errorf("stopped = %q", sum.Stopped)
	}
	if sum.Mappings[0].Entity != "activity_type" || sum.Mappings[0].Rejected+sum.Mappings[0].Failed < 2 {
		t.Errorf("first mapping %+v", sum.Mappings[0])
	}
	if len(sum.Mappings) != 2 {
		t.Fatalf("%d mapping summaries, want 2", len(sum.Mappings))
	}
	users := sum.Mappings[1]
	if users.Entity != "user" || users.Sent != 0 || users.Failed != users.Read {
		t.Errorf("second mapping %+v: want every row failed, none sent", users.Counts)
	}
	for _, why := range errorReasons(t, users.Errors, loadExamples(t, "users.yaml")[0]) {
		if !strings.HasPrefix(why, "not sent: ") {
			t.Errorf("%s: reason %q, want \"not sent: ...\"", users.Errors, why)
		}
	}
}

// errorReasons returns the _error cells of an errors file, read with the
// options of its mapping.
func errorReasons(t *testing.T, path string, m *Mapping) []string {
	t.Helper()
	return reportCells(t, path, m, writers.ErrorColumn, func(_ readers.Row, cell string) string { return cell })
}

// reportCells reads a report file (errors, filtered) with the options of
// its mapping and gives one line per row, made by line from the row and
// its cell of column.
func reportCells(t *testing.T, path string, m *Mapping, column string, line func(readers.Row, string) string) []string {
	t.Helper()
	src, err := readers.Open(path, m.CSV, m.XLSX)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	col := slices.Index(src.Header(), column)
	if col < 0 {
		t.Fatalf("%s: no %s column in %q", path, column, src.Header())
	}
	var out []string
	for {
		row, err := src.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, line(row, row.Cells[col]))
	}
}

// recorder keeps the bodies of the requests to one endpoint.
type recorder struct {
	endpoint string
	mu       sync.Mutex
	bodies   []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, r.endpoint) && req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		r.mu.Lock()
		r.bodies = append(r.bodies, string(b))
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// Inventory quantities are set, not added: the rows of one part and depot
// (one per serial) go in one request, never cut by a batch's end (the batch
// is sent before them when they would not fit), and a row of that part
// coming back after its request left is rejected with the reason rather
// than sent to replace the quantity.
func TestRunInventoryKeepsAPartInOneRequest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mapping := `version: 1
import: inventory
source: stock.csv
batch_size: 2
fields:
  depot: { column: DEPOT, required: true }
  reference: { column: REF, required: true }
  quantity: { column: QTY, required: true, transform: [number] }
  serials: SERIAL
`
	csv := "DEPOT,REF,QTY,SERIAL\n" +
		"stock,p11,4,\n" + // row 2
		"stock,refHi001,1,SN-A\n" + // row 3: fills the batch of 2
		"stock,refHi001,1,SN-B\n" + // row 4: same part, same request
		"stock,GAZ-R32,2,\n" + // row 5: a new request
		"stock,refHi001,1,SN-C\n" // row 6: refHi001 again, its request has left
	for name, text := range map[string]string{"stock.yaml": mapping, "stock.csv": csv} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Load(filepath.Join(dir, "stock.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{endpoint: "/Inventory/Quantities"}
	sb, c := startSandbox(t, sandbox.Config{}, synchroteam.WithHTTPClient(&http.Client{Transport: rec}))
	out := filepath.Join(dir, "run")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	var notSent []string
	sum, err := Run(context.Background(), []*Mapping{m}, Options{
		Client: c, OutDir: out, Concurrency: 1,
		NotSent: func(_ *Mapping, row int, reason string) { notSent = append(notSent, reason) },
	})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, sum, out, []*Mapping{m})
	if sum.Sent != 4 || sum.Rejected != 1 || sum.Failed != 0 {
		t.Errorf("counts %+v, want 4 sent, 1 rejected", sum.Counts)
	}
	type part struct {
		Reference string   `json:"reference"`
		Quantity  float64  `json:"quantity"`
		Serials   []string `json:"serials"`
	}
	type entry struct {
		Depot string `json:"depot"`
		Parts []part `json:"parts"`
	}
	// p11 alone fills less than a batch, but refHi001's two rows would not
	// fit beside it: they go in the next request, whole.
	want := [][]entry{
		{{"stock", []part{{"p11", 4, []string{}}}}},
		{{"stock", []part{{"refHi001", 2, []string{"SN-A", "SN-B"}}}}},
		{{"stock", []part{{"GAZ-R32", 2, []string{}}}}},
	}
	if n := sb.Server.Stats().ByEndpoint["PUT Inventory/Quantities"]; n != len(want) || len(rec.bodies) != len(want) {
		t.Fatalf("%d requests (%d recorded), want %d: %q", n, len(rec.bodies), len(want), rec.bodies)
	}
	for i, body := range rec.bodies {
		var got []entry
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		if !cmp.Equal(got, want[i]) {
			t.Errorf("request %d: %s, want %v", i+1, body, want[i])
		}
	}
	if len(notSent) != 1 || !strings.Contains(notSent[0], "part refHi001 in depot stock was already sent with row 3") {
		t.Errorf("rows not sent: %q", notSent)
	}
}

// A sandbox started for a run closes at once, even when a client holds a
// connection it opened and never used (a spare of its pool): a run with
// --sandbox does not linger at its end.
func TestSandboxClosesPromptly(t *testing.T) {
	t.Parallel()
	sb, err := sandbox.Start(sandbox.Config{Domain: testDomain, APIKey: testKey}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	spare, err := net.Dial("tcp", strings.TrimPrefix(sb.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer spare.Close()
	// The server accepts connections in order: once a later one is
	// answered, the spare is accepted too.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Get(sb.URL + "/Api/v2/Customer/List")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	start := time.Now()
	if err := sb.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v with an unused connection open", d)
	}
}

// --max-errors counts the whole run: 3 bad activity types then 3 bad users
// pass a limit of 4 only in the second mapping, which stops there.
func TestRunMaxErrorsAcrossMappings(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	maps := loadExamples(t, "users.yaml", "activity-types.yaml")
	sum, err := Run(context.Background(), maps, Options{Client: c, OutDir: dir, MaxErrors: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, sum, dir, maps)
	if len(sum.Mappings) != 2 || sum.Mappings[0].Rejected+sum.Mappings[0].Failed > 4 {
		t.Fatalf("mappings %+v: the first must run whole and the second start", sum.Mappings)
	}
	if !strings.Contains(sum.Stopped, "more than 4 rows") {
		t.Errorf("stopped = %q, want the limit reached in the second mapping", sum.Stopped)
	}
}

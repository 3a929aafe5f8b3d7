package pipeline_test

// The fault suite: a customers import against a sandbox that injects every
// fault kind it has, checked for "every row sent, nothing sent twice".
//
// STBULK_FAULT_ROWS sets the rows (default 500), STBULK_FAULT_CONCURRENCY
// the requests in flight (default 64); scripts/faultrun.sh runs it with 5,000
// rows and prints the figures:
//
//	STBULK_FAULT_ROWS=5000 go test -run 'TestFaultSuite' -count=1 -v ./pipeline/

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

// The suite's faults: 10 % answered 500 or 503, 5 % 429, 2 % applied and
// then dropped without an answer.
const (
	faultFailRate  = 0.10
	faultLimitRate = 0.05
	faultDropRate  = 0.02
	faultSeed      = 20240611

	faultDomain, faultKey = "faults", "fault-key"
)

// faultRetries repeats as the default policy does, without its backoff
// waits (a Retry-After of 1 s is still honoured), and long enough that no
// row runs out of attempts.
var faultRetries = synchroteam.RetryPolicy{MaxAttempts: 20, MaxElapsed: 2 * time.Minute, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// TestFaultSuite imports N generated customers (STBULK_FAULT_ROWS, default
// 500) into a sandbox with 500/503, 429 and dropped-after-applied faults.
// Every row must end with exactly one outcome, all of them sent, and the
// sandbox must then hold each customer exactly once, and nothing else
// besides its demo data.
func TestFaultSuite(t *testing.T) {
	t.Parallel()
	rows := envInt(t, "STBULK_FAULT_ROWS", 500)
	// Each 429 pauses every request of the client for its Retry-After (1 s):
	// the more requests in flight, the more rows get through between pauses.
	concurrency := envInt(t, "STBULK_FAULT_CONCURRENCY", 64)
	dir := t.TempDir()
	input := filepath.Join(dir, "customers.csv")
	writeCustomersCSV(t, input, rows, 7, true)
	keys := make([]string, rows) // the generated myIds, in row order
	for i := range keys {
		keys[i] = fmt.Sprintf("CLI-%07d", i+1)
	}

	// The demo data the faulty sandbox starts with, from a twin without faults.
	base := sandbox.Config{Domain: faultDomain, APIKey: faultKey, Seed: faultSeed, Demo: true}
	demo := listCustomers(t, startFaultSandbox(t, base))

	cfg := base
	cfg.FailRate, cfg.LimitRate, cfg.DropRate = faultFailRate, faultLimitRate, faultDropRate
	sb := startFaultSandbox(t, cfg)
	client, err := synchroteam.NewClient(
		synchroteam.WithBaseURL(sb.URL), synchroteam.WithCredentials(faultDomain, faultKey),
		synchroteam.WithRateLimit(1000, 100), synchroteam.WithRetryPolicy(faultRetries),
	)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := pipeline.Run(context.Background(), []*pipeline.Mapping{benchParse(t)}, pipeline.Options{
		Client: client, Input: input, OutDir: out, Concurrency: concurrency,
	})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	st := sb.Server.Stats() // before the listing below adds its requests

	// Every row has exactly one outcome, and it is "sent".
	c := sum.Counts
	if c.Read != rows || c.Read != c.Filtered+c.Sent+c.Rejected+c.Failed+c.Skipped || c.Sent != rows {
		t.Errorf("counts %+v: want %d rows read, all sent", c, rows)
	}
	if len(sum.Mappings) != 1 {
		t.Fatalf("%d mapping summaries, want 1", len(sum.Mappings))
	}
	ms := sum.Mappings[0]
	sentRows, sentKeys := readSuccess(t, ms.Success)
	failedRows := readErrorRows(t, ms.Errors)
	outcomes := map[int]int{}
	for _, r := range append(slices.Clone(sentRows), failedRows...) {
		outcomes[r]++
	}
	for i := range rows {
		if n := outcomes[i+2]; n != 1 { // data rows are numbered from 2, after the header
			t.Errorf("row %d (%s): %d outcomes in the reports, want 1", i+2, keys[i], n)
		}
	}
	if len(outcomes) != rows || len(failedRows) != 0 {
		t.Errorf("the reports list %d rows (%d sent, %d not sent), want %d, all sent", len(outcomes), len(sentRows), len(failedRows), rows)
	}
	for i, k := range sentKeys {
		if want := "myId=" + keys[sentRows[i]-2]; k != want {
			t.Errorf("success.csv row %d: key %q, want %q", sentRows[i], k, want)
			break
		}
	}

	// In the sandbox: each customer exactly once, nothing else but the demo.
	count := map[string]int{}
	after := listCustomers(t, sb)
	for _, cu := range after {
		count[cu.MyID]++
	}
	demoCount := map[string]int{}
	for _, cu := range demo {
		demoCount[cu.MyID]++
	}
	duplicates, lost := 0, 0
	for _, k := range keys {
		if demoCount[k] != 0 {
			t.Fatalf("%s is also a demo customer: the check would be wrong", k)
		}
		switch n := count[k]; {
		case n == 0:
			lost++
			if lost <= 5 {
				t.Errorf("%s: not in the sandbox", k)
			}
		case n > 1:
			duplicates += n - 1
			if duplicates <= 5 {
				t.Errorf("%s: %d times in the sandbox, want once", k, n)
			}
		}
	}
	for id, n := range demoCount {
		if count[id] != n {
			t.Errorf("demo customer %q: %d in the sandbox after the import, %d before", id, count[id], n)
		}
	}
	if len(after) != len(demo)+rows {
		t.Errorf("%d customers in the sandbox, want %d (demo) + %d", len(after), len(demo), rows)
	}

	t.Logf("fault suite: rows %d, sent %d, failed %d, rejected %d, in %v (concurrency %d)",
		rows, c.Sent, c.Failed, c.Rejected, elapsed.Round(time.Millisecond), concurrency)
	t.Logf("fault suite: client: requests %d, retries %d, 429s %d, rate cuts %d (lowest %.0f/s)", sum.Requests, sum.Retries, sum.RateLimited, sum.RateCuts, sum.LowestRate)
	t.Logf("fault suite: sandbox: requests %d, faults %d: 500/503 %d (%.1f%%), 429 %d (%.1f%%), dropped after applied %d (%.1f%%)",
		st.Requests, st.Faults, st.Failed, pct(st.Failed, st.Requests), st.Limited, pct(st.Limited, st.Requests), st.Dropped, pct(st.Dropped, st.Requests))
	t.Logf("fault suite: customers in the sandbox %d (demo %d + rows %d), duplicates %d, lost %d",
		len(after), len(demo), rows, duplicates, lost)
	if st.Failed == 0 || st.Limited == 0 || st.Dropped == 0 {
		t.Errorf("sandbox stats %+v: a fault kind never happened, the suite proves less than it says", st)
	}
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// startFaultSandbox starts a sandbox closed at the end of the test.
func startFaultSandbox(t *testing.T, cfg sandbox.Config) *sandbox.Running {
	t.Helper()
	sb, err := sandbox.Start(cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// listCustomers lists the sandbox's customers with a client of its own (the
// faults it meets are retried and counted apart from the import's).
func listCustomers(t *testing.T, sb *sandbox.Running) []synchroteam.Customer {
	t.Helper()
	c, err := synchroteam.NewClient(
		synchroteam.WithBaseURL(sb.URL), synchroteam.WithCredentials(faultDomain, faultKey),
		synchroteam.WithRetryPolicy(faultRetries),
	)
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.Customers.List(context.Background(), synchroteam.Date{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// readSuccess returns the _row and key columns of a success file.
func readSuccess(t *testing.T, path string) (rows []int, keys []string) {
	t.Helper()
	recs := readCSV(t, path, ',')
	rowCol, keyCol, outcomeCol := slices.Index(recs[0], "_row"), slices.Index(recs[0], "_key"), slices.Index(recs[0], "_outcome")
	if rowCol < 0 || keyCol < 0 || outcomeCol < 0 {
		t.Fatalf("%s: header %q, want the input's columns, _row, _outcome, _key, _id", path, recs[0])
	}
	for _, r := range recs[1:] {
		n, err := strconv.Atoi(r[rowCol])
		if err != nil {
			t.Fatalf("%s: _row %q: %v", path, r[rowCol], err)
		}
		if r[outcomeCol] != "sent" {
			t.Errorf("%s: row %d: _outcome %q, want sent", path, n, r[outcomeCol])
		}
		rows = append(rows, n)
		keys = append(keys, r[keyCol])
	}
	return rows, keys
}

// readErrorRows returns the _row column of an errors file written for a
// ";"-separated input.
func readErrorRows(t *testing.T, path string) []int {
	t.Helper()
	recs := readCSV(t, path, ';')
	col := slices.Index(recs[0], "_row")
	if col < 0 {
		t.Fatalf("%s: no _row column in %q", path, recs[0])
	}
	var rows []int
	for _, r := range recs[1:] {
		n, err := strconv.Atoi(r[col])
		if err != nil {
			t.Fatalf("%s: _row %q: %v", path, r[col], err)
		}
		rows = append(rows, n)
	}
	return rows
}

// readCSV reads a whole report (UTF-8, maybe with a byte order mark), header first.
func readCSV(t *testing.T, path string, comma rune) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	r.Comma = comma
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no header", path)
	}
	return recs
}

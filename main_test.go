package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/xuri/excelize/v2"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/writers"
	"github.com/stbulk/stbulk/writers/files"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"stbulk": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
		// stbulk-exit N ARGS... is stbulk ARGS... in the same process (a
		// signal sent to it reaches stbulk), exiting 0 when stbulk's exit
		// code is N and 1 otherwise: exitcode for a background command.
		"stbulk-exit": func() {
			if len(os.Args) < 2 {
				fmt.Fprintln(os.Stderr, "usage: stbulk-exit N ARGS...")
				os.Exit(1)
			}
			want, err := strconv.Atoi(os.Args[1])
			if err != nil {
				fmt.Fprintln(os.Stderr, "stbulk-exit:", err)
				os.Exit(1)
			}
			if got := Main(os.Args[2:], os.Stdout, os.Stderr); got != want {
				fmt.Fprintf(os.Stderr, "stbulk exited with %d, want %d\n", got, want)
				os.Exit(1)
			}
			os.Exit(0)
		},
	})
}

// TestScripts runs the end-to-end scripts of testdata/script: the real
// binary, and a sandbox started by the script itself on a free port ($PORT).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			port, err := freePort()
			if err != nil {
				return err
			}
			env.Setenv("PORT", strconv.Itoa(port))
			// Every script starts with the example mappings and their
			// samples in $WORK, as a user's checkout has them, and finds the
			// golden payloads of pipeline's tests in $GOLDEN.
			for _, dir := range []string{"mappings", "samples"} {
				if err := copyFiles(dir, filepath.Join(env.WorkDir, dir)); err != nil {
					return err
				}
			}
			golden, err := filepath.Abs(filepath.Join("pipeline", "testdata", "golden"))
			if err != nil {
				return err
			}
			env.Setenv("GOLDEN", golden)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"api":           cmdAPI,
			"waitfor":       cmdWaitFor,
			"burst":         cmdBurst,
			"exitcode":      cmdExitCode,
			"reportrows":    cmdReportRows,
			"fixcsv":        cmdFixCSV,
			"fixxlsx":       cmdFixXLSX,
			"summarycheck":  cmdSummaryCheck,
			"waitok":        cmdWaitOK,
			"xlsxcell":      cmdXLSXCell,
			"xlsxrows":      cmdXLSXRows,
			"manifestcheck": cmdManifestCheck,
			"attached":      cmdAttached,
			"expandenv":     cmdExpandEnv,
		},
	})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// cmdAPI sends one request and prints "HTTP <status>", the headers named
// with -show, and the body:
//
//	api [-u domain:key] [-accept VALUE] [-show Header] METHOD URL [BODYFILE]
func cmdAPI(ts *testscript.TestScript, neg bool, args []string) {
	var user, accept string
	var show []string
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args) > 1 {
		switch args[0] {
		case "-u":
			user = args[1]
		case "-accept":
			accept = args[1]
		case "-show":
			show = append(show, args[1])
		default:
			ts.Fatalf("api: unknown flag %s", args[0])
		}
		args = args[2:]
	}
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: api [-u domain:key] [-accept V] [-show H] METHOD URL [BODYFILE]")
	}
	var body io.Reader
	if len(args) == 3 {
		body = strings.NewReader(ts.ReadFile(args[2]))
	}
	req, err := http.NewRequest(args[0], args[1], body)
	ts.Check(err)
	if user != "" {
		d, k, _ := strings.Cut(user, ":")
		req.SetBasicAuth(d, k)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "HTTP %d\n", resp.StatusCode)
	for _, h := range show {
		fmt.Fprintf(ts.Stdout(), "%s: %s\n", h, resp.Header.Get(h))
	}
	fmt.Fprintf(ts.Stdout(), "%s\n", bytes.TrimSpace(b))
	if failed := resp.StatusCode >= 400; failed != neg {
		ts.Fatalf("api %s %s: HTTP %d", args[0], args[1], resp.StatusCode)
	}
}

// cmdBurst sends N GET requests in quick succession and prints how many
// were answered 429 and whether each 429 carried Retry-After:
//
//	burst N domain:key URL
func cmdBurst(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: burst N domain:key URL")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	d, k, _ := strings.Cut(args[1], ":")
	limited, withRetryAfter := 0, 0
	for i := 0; i < n; i++ {
		req, err := http.NewRequest(http.MethodGet, args[2], nil)
		ts.Check(err)
		req.SetBasicAuth(d, k)
		resp, err := http.DefaultClient.Do(req)
		ts.Check(err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			if resp.Header.Get("Retry-After") != "" {
				withRetryAfter++
			}
		}
	}
	fmt.Fprintf(ts.Stdout(), "requests: %d\n429: %d\nretry-after on every 429: %v\n", n, limited, limited == withRetryAfter)
}

// cmdWaitFor waits until host:port accepts connections (10 s at most).
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfor host:port")
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", args[0], 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfor %s: %v", args[0], err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"success", nil, exitOK},
		{"usage", usagef("bad flag"), exitUsage},
		{"wrapped usage", fmt.Errorf("sandbox: %w", usagef("bad")), exitUsage},
		{"interrupted", fmt.Errorf("run: %w", context.Canceled), exitInterrupted},
		{"fatal", errors.New("API unreachable"), exitFatal},
		{"mapping problems", pipeline.Problems{{File: "m.yaml", Line: 3, Col: 1, Msg: "unknown field"}}, exitUsage},
		{"wrapped mapping problems", fmt.Errorf("validate: %w", pipeline.Problems{{File: "m.yaml", Msg: "no source"}}), exitUsage},
		{"rows not sent", rowsNotSentError{n: 3}, exitRowsFailed},
		{"export folder of another mapping", &pipeline.FolderTakenError{Dir: "out", Owner: "/m/jobs.yaml"}, exitUsage},
		{"folder in use by another run", &files.BusyError{Dir: "out"}, exitUsage},
		{"items not exported", itemsNotExportedError{2}, exitRowsFailed},
		{"wrapped rows not sent", fmt.Errorf("import: %w", rowsNotSentError{n: 1}), exitRowsFailed},
		{"fatal stop", &pipeline.FatalError{Err: errors.New("authentication refused")}, exitFatal},
		{"wrapped fatal stop", fmt.Errorf("import: %w", &pipeline.FatalError{Err: errors.New("the API is unreachable")}), exitFatal},
		// a fatal stop wins over the rows it left unsent
		{"fatal stop with rows not sent", errors.Join(rowsNotSentError{n: 2}, &pipeline.FatalError{Err: errors.New("access forbidden")}), exitFatal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		{"sandbox", "--fail-rate", "2", "--domain", "d", "--api-key", "k"},
		{"sandbox", "--rate", "-1", "--domain", "d", "--api-key", "k"},
		{"sandbox", "--no-such-flag"},
		{"version", "extra"},
		{"imprt", "m.yaml"},
		{"--no-such-flag"},
		{"import", "--bogus", "m.yaml"},
		{"plan"},
		{"verify"},
		{"import", "m.yaml", "--yes"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			if code := execute(context.Background(), args, streams{out: &out, err: &errOut}); code != exitUsage {
				t.Errorf("exit code %d, want %d; stderr: %s", code, exitUsage, errOut.String())
			}
			if !strings.Contains(errOut.String(), "stbulk:") {
				t.Errorf("stderr %q does not explain the error", errOut.String())
			}
		})
	}
}

func TestSandboxNeedsCredentials(t *testing.T) {
	t.Setenv("SYNCHROTEAM_DOMAIN", "")
	t.Setenv("SYNCHROTEAM_API_KEY", "")
	var out, errOut bytes.Buffer
	code := execute(context.Background(), []string{"sandbox", "--addr", "127.0.0.1:0"}, streams{out: &out, err: &errOut})
	if code != exitUsage || !strings.Contains(errOut.String(), "no domain") {
		t.Fatalf("exit %d, stderr %q; want exit 2 naming the missing domain", code, errOut.String())
	}
}

// copyFiles copies the folder src, with its subfolders, into dst, which
// must not hold any of its files.
func copyFiles(src, dst string) error {
	return os.CopyFS(dst, os.DirFS(src))
}

// cmdExitCode runs a program as exec does and checks its exact exit code
// (exec's "!" only tells non-zero); stdout and stderr are kept for the
// next commands:
//
//	exitcode N PROGRAM [ARGS...]
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("exitcode does not take !: give the expected code")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// reportRow is one record of a report file, by its _row.
type reportRow struct {
	num   int
	cells []string
}

// readReport reads a CSV or XLSX report (errors or success file) and
// returns its records sorted by _row, with the cells of the named columns.
func readReport(path string, columns []string) ([]reportRow, error) {
	src, err := readers.Open(path, readers.CSVOptions{}, readers.XLSXOptions{})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	index := func(name string) (int, error) {
		i := slices.Index(src.Header(), name)
		if i < 0 {
			return 0, fmt.Errorf("%s: no column %q in %q", path, name, src.Header())
		}
		return i, nil
	}
	rowCol, err := index(writers.RowColumn)
	if err != nil {
		return nil, err
	}
	cols := make([]int, len(columns))
	for k, c := range columns {
		if cols[k], err = index(c); err != nil {
			return nil, err
		}
	}
	var out []reportRow
	for {
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(row.Cells[rowCol])
		if err != nil {
			return nil, fmt.Errorf("%s: row %d: _row %q: %v", path, row.Num, row.Cells[rowCol], err)
		}
		r := reportRow{num: n}
		for _, c := range cols {
			r.cells = append(r.cells, row.Cells[c])
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b reportRow) int { return a.num - b.num })
	return out, nil
}

// cmdReportRows prints the records of a report file (errors or success
// file, CSV or XLSX) in _row order, as "ROW: CELL | CELL" with the cells of
// the named columns, then the list of _row values:
//
//	reportrows FILE [COLUMN...]
//
// prints, for instance, "8: contactEmail (column Email): ..." and
// "rows: 8 13 16".
func cmdReportRows(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: reportrows FILE [COLUMN...]")
	}
	rows, err := readReport(ts.MkAbs(args[0]), args[1:])
	ts.Check(err)
	nums := make([]string, len(rows))
	for i, r := range rows {
		nums[i] = strconv.Itoa(r.num)
		if len(r.cells) > 0 {
			fmt.Fprintf(ts.Stdout(), "%d: %s\n", r.num, strings.Join(r.cells, " | "))
		}
	}
	fmt.Fprintf(ts.Stdout(), "rows: %s\n", strings.Join(nums, " "))
}

// fixArgs reads "FILE ROW COLUMN VALUE [COLUMN VALUE...]".
func fixArgs(ts *testscript.TestScript, neg bool, args []string, name string) (file, row string, edits [][2]string) {
	if neg || len(args) < 4 || len(args)%2 != 0 {
		ts.Fatalf("usage: %s FILE ROW COLUMN VALUE [COLUMN VALUE...]", name)
	}
	for i := 2; i < len(args); i += 2 {
		edits = append(edits, [2]string{args[i], args[i+1]})
	}
	return ts.MkAbs(args[0]), args[1], edits
}

// cmdFixCSV edits an errors file as a user would before importing it
// again: in the record whose _row is ROW, it sets each named column. The
// byte order mark and the delimiter (',' or ';') are kept:
//
//	fixcsv FILE ROW COLUMN VALUE [COLUMN VALUE...]
func cmdFixCSV(ts *testscript.TestScript, neg bool, args []string) {
	file, rowNum, edits := fixArgs(ts, neg, args, "fixcsv")
	data, err := os.ReadFile(file)
	ts.Check(err)
	bom := bytes.HasPrefix(data, []byte("\uFEFF"))
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	delim := ','
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		delim = ';'
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delim
	recs, err := r.ReadAll()
	ts.Check(err)
	if len(recs) == 0 {
		ts.Fatalf("fixcsv: %s is empty", args[0])
	}
	col := func(name string) int {
		i := slices.Index(recs[0], name)
		if i < 0 {
			ts.Fatalf("fixcsv: %s has no column %q", args[0], name)
		}
		return i
	}
	rowCol := col(writers.RowColumn)
	found := false
	for _, rec := range recs[1:] {
		if rec[rowCol] != rowNum {
			continue
		}
		found = true
		for _, e := range edits {
			rec[col(e[0])] = e[1]
		}
	}
	if !found {
		ts.Fatalf("fixcsv: %s has no record with _row %s", args[0], rowNum)
	}
	var out bytes.Buffer
	if bom {
		out.WriteString("\uFEFF")
	}
	w := csv.NewWriter(&out)
	w.Comma = delim
	ts.Check(w.WriteAll(recs))
	ts.Check(os.WriteFile(file, out.Bytes(), 0o644))
}

// cmdFixXLSX is fixcsv for an XLSX errors file: it edits the first visible
// sheet, whose header is the first row holding a _row column; the cells it
// sets are text cells:
//
//	fixxlsx FILE ROW COLUMN VALUE [COLUMN VALUE...]
func cmdFixXLSX(ts *testscript.TestScript, neg bool, args []string) {
	file, rowNum, edits := fixArgs(ts, neg, args, "fixxlsx")
	f, err := excelize.OpenFile(file)
	ts.Check(err)
	defer f.Close()
	sheet := ""
	for _, name := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(name); err == nil && visible {
			sheet = name
			break
		}
	}
	rows, err := f.GetRows(sheet)
	ts.Check(err)
	header := -1
	for i, r := range rows {
		if slices.Contains(r, writers.RowColumn) {
			header = i
			break
		}
	}
	if header < 0 {
		ts.Fatalf("fixxlsx: sheet %q of %s has no _row column", sheet, args[0])
	}
	col := func(name string) int {
		i := slices.Index(rows[header], name)
		if i < 0 {
			ts.Fatalf("fixxlsx: %s has no column %q", args[0], name)
		}
		return i
	}
	rowCol := col(writers.RowColumn)
	found := false
	for i := header + 1; i < len(rows); i++ {
		if rowCol >= len(rows[i]) || rows[i][rowCol] != rowNum {
			continue
		}
		found = true
		for _, e := range edits {
			cell, err := excelize.CoordinatesToCellName(col(e[0])+1, i+1)
			ts.Check(err)
			ts.Check(f.SetCellStr(sheet, cell, e[1]))
		}
	}
	if !found {
		ts.Fatalf("fixxlsx: %s has no row with _row %s", args[0], rowNum)
	}
	ts.Check(f.Save())
}

// cmdSummaryCheck reads DIR/summary.json and checks, for each mapping,
// that the rows read are the data rows of its input (counted here with the
// mapping file's reader options, apart from the run), that they ended in
// exactly one outcome, and that the report files hold as many rows as the
// counts say (errors file: rows rejected, failed or skipped; filtered
// file: rows filtered or duplicates; success file or payloads: rows sent);
// and that the total is the sum of the mappings.
// It prints the counts and why the run stopped, if it did:
//
//	summarycheck DIR
func cmdSummaryCheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: summarycheck DIR")
	}
	var sum pipeline.Summary
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(filepath.Join(args[0], "summary.json"))), &sum))
	line := func(c pipeline.Counts) string {
		s := fmt.Sprintf("read %d, sent %d, filtered %d, rejected %d, failed %d, skipped %d",
			c.Read, c.Sent, c.Filtered, c.Rejected, c.Failed, c.Skipped)
		if c.Unchanged > 0 {
			s += fmt.Sprintf(", unchanged %d", c.Unchanged)
		}
		if c.Duplicates > 0 {
			s += fmt.Sprintf(", duplicates %d", c.Duplicates)
		}
		return s
	}
	adds := func(c pipeline.Counts) bool {
		return c.Read == c.Sent+c.Filtered+c.Rejected+c.Failed+c.Skipped+c.Unchanged+c.Duplicates
	}
	var total pipeline.Counts
	for _, m := range sum.Mappings {
		fmt.Fprintf(ts.Stdout(), "%s: %s\n", m.Entity, line(m.Counts))
		if !adds(m.Counts) {
			ts.Fatalf("%s: the outcomes do not add up to the rows read", m.Mapping)
		}
		mp, err := pipeline.Load(ts.MkAbs(m.Mapping))
		ts.Check(err)
		n, err := countRows(ts.MkAbs(m.Input), mp.CSV, mp.XLSX)
		ts.Check(err)
		if m.Read != n {
			ts.Fatalf("%s: %d rows read, but %s has %d", m.Mapping, m.Read, m.Input, n)
		}
		errs, err := readReport(ts.MkAbs(m.Errors), nil)
		ts.Check(err)
		if len(errs) != m.NotSent() {
			ts.Fatalf("%s: %d rows not sent, but %s holds %d", m.Mapping, m.NotSent(), m.Errors, len(errs))
		}
		if m.FilteredFile != "" {
			left, err := readReport(ts.MkAbs(m.FilteredFile), nil)
			ts.Check(err)
			if len(left) != m.Filtered+m.Duplicates {
				ts.Fatalf("%s: %d rows filtered or duplicates, but %s holds %d", m.Mapping, m.Filtered+m.Duplicates, m.FilteredFile, len(left))
			}
		} else if m.Filtered+m.Duplicates > 0 {
			ts.Fatalf("%s: %d rows filtered or duplicates, and no filtered file", m.Mapping, m.Filtered+m.Duplicates)
		}
		sent := 0
		switch {
		case m.Success != "":
			ok, err := readReport(ts.MkAbs(m.Success), nil)
			ts.Check(err)
			sent = len(ok)
		case m.Payloads != "":
			sent = strings.Count(ts.ReadFile(m.Payloads), "\n")
		}
		if sent != m.Sent {
			ts.Fatalf("%s: %d rows sent, but the reports list %d", m.Mapping, m.Sent, sent)
		}
		total.Read += m.Read
		total.Sent += m.Sent
		total.Filtered += m.Filtered
		total.Rejected += m.Rejected
		total.Failed += m.Failed
		total.Skipped += m.Skipped
		total.Unchanged += m.Unchanged
		total.Duplicates += m.Duplicates
	}
	fmt.Fprintf(ts.Stdout(), "total: %s\n", line(sum.Counts))
	if !adds(sum.Counts) || total != sum.Counts {
		ts.Fatalf("the total (%s) is not the sum of the mappings (%s)", line(sum.Counts), line(total))
	}
	if sum.Stopped != "" {
		fmt.Fprintf(ts.Stdout(), "stopped: %s\n", sum.Stopped)
	}
}

// countRows counts the data rows of a CSV or XLSX file as a reader with
// those options gives them: rows and unreadable rows (*readers.RowError),
// up to the end of the file.
func countRows(path string, csv readers.CSVOptions, xlsx readers.XLSXOptions) (int, error) {
	src, err := readers.Open(path, csv, xlsx)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	n := 0
	for {
		_, err := src.Next()
		if err == io.EOF {
			return n, nil
		}
		var re *readers.RowError
		if err != nil && !errors.As(err, &re) {
			return n, fmt.Errorf("%s: after %d rows: %w", path, n, err)
		}
		n++
	}
}

// cmdWaitOK waits until a GET of URL with the credentials answers 200
// (10 s at most): something a background command does has happened.
//
//	waitok domain:key URL
func cmdWaitOK(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitok domain:key URL")
	}
	d, k, _ := strings.Cut(args[0], ":")
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, err := http.NewRequest(http.MethodGet, args[1], nil)
		ts.Check(err)
		req.SetBasicAuth(d, k)
		status := 0
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
		}
		if status == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitok %s: last status %d", args[1], status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openXLSX opens a workbook for the xlsx commands and checks that it has
// the sheet.
func openXLSX(ts *testscript.TestScript, file, sheet string) *excelize.File {
	f, err := excelize.OpenFile(ts.MkAbs(file))
	ts.Check(err)
	if idx, err := f.GetSheetIndex(sheet); err != nil || idx < 0 {
		sheets := f.GetSheetList()
		f.Close()
		ts.Fatalf("%s has no sheet %q (sheets: %q)", file, sheet, sheets)
	}
	return f
}

// cmdXLSXCell prints one cell of a workbook as "TYPE RAW FORMATTED": TYPE
// is what a spreadsheet program holds, number (a numeric cell), date (a
// numeric cell whose number format shows a date), text, bool, error,
// formula, or empty; RAW the value as stored (an Excel serial number for a
// date); FORMATTED the value as the cell's number format shows it. The
// cell is named by its reference (B7), or by the first row whose first
// cell is KEY and the column whose header (first row) is HEADER:
//
//	xlsxcell FILE SHEET CELL
//	xlsxcell FILE SHEET KEY HEADER
//
// prints, for instance, "number 213.65 213.65" or
// "date 45414 2024-05-02". With -format first, the cell's number format
// follows in brackets: "number 139.4 139.40 [#,##0.00 "€"]", "[General]"
// for a cell without one.
func cmdXLSXCell(ts *testscript.TestScript, neg bool, args []string) {
	withFormat := len(args) > 0 && args[0] == "-format"
	if withFormat {
		args = args[1:]
	}
	if neg || len(args) < 3 || len(args) > 4 {
		ts.Fatalf("usage: xlsxcell [-format] FILE SHEET CELL | xlsxcell [-format] FILE SHEET KEY HEADER")
	}
	f := openXLSX(ts, args[0], args[1])
	defer f.Close()
	sheet, cell := args[1], args[2]
	if len(args) == 4 {
		cell = findCell(ts, f, args[0], sheet, args[2], args[3])
	}
	raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	ts.Check(err)
	shown, err := f.GetCellValue(sheet, cell)
	ts.Check(err)
	t, err := f.GetCellType(sheet, cell)
	ts.Check(err)
	var typ string
	switch t {
	case excelize.CellTypeUnset, excelize.CellTypeNumber:
		// a cell without a type attribute is numeric, unless it is empty
		typ = "number"
		if raw == "" {
			typ = "empty"
		}
	case excelize.CellTypeDate:
		typ = "date" // ISO 8601 date cells, which Excel reads as dates
	case excelize.CellTypeSharedString, excelize.CellTypeInlineString:
		typ = "text"
	case excelize.CellTypeBool:
		typ = "bool"
	case excelize.CellTypeError:
		typ = "error"
	case excelize.CellTypeFormula:
		typ = "formula"
	default:
		typ = fmt.Sprintf("type%d", t)
	}
	if typ == "number" {
		id, err := f.GetCellStyle(sheet, cell)
		ts.Check(err)
		st, err := f.GetStyle(id)
		ts.Check(err)
		if dateFormat(st) {
			typ = "date"
		}
	}
	if formula, err := f.GetCellFormula(sheet, cell); err == nil && formula != "" {
		typ = "formula"
	}
	if !withFormat {
		fmt.Fprintf(ts.Stdout(), "%s %s %s\n", typ, raw, shown)
		return
	}
	id, err := f.GetCellStyle(sheet, cell)
	ts.Check(err)
	st, err := f.GetStyle(id)
	ts.Check(err)
	format := "General"
	if st.CustomNumFmt != nil {
		format = *st.CustomNumFmt
	} else if st.NumFmt != 0 {
		format = fmt.Sprintf("builtin %d", st.NumFmt)
	}
	fmt.Fprintf(ts.Stdout(), "%s %s %s [%s]\n", typ, raw, shown, format)
}

// findCell returns the reference of the cell in the column headed header,
// in the first row whose first cell shows key.
func findCell(ts *testscript.TestScript, f *excelize.File, file, sheet, key, header string) string {
	rows, err := f.GetRows(sheet)
	ts.Check(err)
	if len(rows) == 0 {
		ts.Fatalf("sheet %q of %s has no header row", sheet, file)
	}
	col := slices.Index(rows[0], header)
	if col < 0 {
		ts.Fatalf("sheet %q of %s has no column %q (header: %q)", sheet, file, header, rows[0])
	}
	for i, r := range rows[1:] {
		if len(r) > 0 && r[0] == key {
			cell, err := excelize.CoordinatesToCellName(col+1, i+2)
			ts.Check(err)
			return cell
		}
	}
	ts.Fatalf("sheet %q of %s has no row %q", sheet, file, key)
	return ""
}

// dateFormat reports whether a cell style shows numbers as dates: one of
// Excel's built-in date formats (14 to 22, 45 to 47), or a custom format
// with a day, month or year code outside quoted text.
func dateFormat(st *excelize.Style) bool {
	if st.CustomNumFmt == nil {
		return st.NumFmt >= 14 && st.NumFmt <= 22 || st.NumFmt >= 45 && st.NumFmt <= 47
	}
	quoted := false
	for _, r := range strings.ToLower(*st.CustomNumFmt) {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == 'y' || r == 'd' || r == 'm'):
			return true
		}
	}
	return false
}

// cmdXLSXRows prints the number of data rows of a sheet (the rows after
// its header row, the first), as "rows: N", and with a column header, the
// values of that column in sheet order, as "COLUMN: V1 V2 ...":
//
//	xlsxrows FILE SHEET [COLUMN]
func cmdXLSXRows(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: xlsxrows FILE SHEET [COLUMN]")
	}
	f := openXLSX(ts, args[0], args[1])
	defer f.Close()
	rows, err := f.GetRows(args[1], excelize.Options{RawCellValue: true})
	ts.Check(err)
	if len(rows) == 0 {
		ts.Fatalf("sheet %q of %s has no header row", args[1], args[0])
	}
	fmt.Fprintf(ts.Stdout(), "rows: %d\n", len(rows)-1)
	if len(args) == 3 {
		col := slices.Index(rows[0], args[2])
		if col < 0 {
			ts.Fatalf("sheet %q of %s has no column %q (header: %q)", args[1], args[0], args[2], rows[0])
		}
		var vals []string
		for _, r := range rows[1:] {
			v := ""
			if col < len(r) {
				v = r[col]
			}
			vals = append(vals, v)
		}
		fmt.Fprintf(ts.Stdout(), "%s: %s\n", args[2], strings.Join(vals, " "))
	}
}

// cmdManifestCheck checks an export folder against its manifest: every
// file DIR/manifest.json lists exists, with that size and SHA-256, and
// every regular file under DIR is listed, but for manifest.json,
// summary.json, errors.csv, report.html and the .stbulk folder of the run's state. It
// prints the number of files listed:
//
//	manifestcheck DIR
func cmdManifestCheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: manifestcheck DIR")
	}
	dir := ts.MkAbs(args[0])
	var m struct {
		Files []writers.ManifestEntry `json:"files"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(filepath.Join(args[0], "manifest.json"))), &m))
	listed := map[string]bool{}
	for _, e := range m.Files {
		if listed[e.Path] {
			ts.Fatalf("manifest: %s is listed twice", e.Path)
		}
		listed[e.Path] = true
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.Path)))
		if err != nil {
			ts.Fatalf("manifest: %s: %v", e.Path, err)
		}
		sum := sha256.Sum256(b)
		if int64(len(b)) != e.Size || hex.EncodeToString(sum[:]) != e.SHA256 {
			ts.Fatalf("manifest: %s: listed with %d bytes, SHA-256 %s; the file has %d bytes, SHA-256 %x",
				e.Path, e.Size, e.SHA256, len(b), sum)
		}
	}
	ts.Check(filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir() && rel == ".stbulk":
			return filepath.SkipDir
		case d.IsDir(), rel == "manifest.json", rel == "summary.json", rel == "errors.csv", rel == "report.html", rel == files.LockName:
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file (%s)", rel, d.Type())
		case !listed[rel]:
			return fmt.Errorf("%s is not in the manifest", rel)
		}
		return nil
	}))
	fmt.Fprintf(ts.Stdout(), "files: %d\n", len(m.Files))
}

// cmdAttached checks, in a sandbox's saved state, that an attachment named
// NAME holds exactly the bytes of FILE and belongs to the job of that num
// or to the customer of that myId:
//
//	attached STATE NAME FILE job=NUM|customer=MYID
func cmdAttached(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: attached STATE NAME FILE job=NUM|customer=MYID")
	}
	var file struct {
		State struct {
			Jobs        map[string]struct{ Num int64 }   `json:"jobs"`
			Customers   map[string]struct{ MyID string } `json:"customers"`
			Attachments map[string]struct {
				JobID      string `json:"jobId"`
				CustomerID int64  `json:"customerId"`
				FileName   string `json:"fileName"`
				Data       []byte `json:"data"`
			} `json:"attachments"`
		} `json:"state"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &file))
	st := file.State
	want, err := os.ReadFile(ts.MkAbs(args[2]))
	ts.Check(err)
	owner, key, _ := strings.Cut(args[3], "=")
	found := false
	for _, a := range st.Attachments {
		if a.FileName != args[1] || !bytes.Equal(a.Data, want) {
			continue
		}
		switch owner {
		case "job":
			found = found || strconv.FormatInt(st.Jobs[a.JobID].Num, 10) == key
		case "customer":
			found = found || st.Customers[strconv.FormatInt(a.CustomerID, 10)].MyID == key
		default:
			ts.Fatalf("attached: owner %q: job=NUM or customer=MYID", args[3])
		}
	}
	if found == neg {
		ts.Fatalf("attachment %s with the bytes of %s on %s: found %v", args[1], args[2], args[3], found)
	}
}

// TestVersionFlag: --version prints one line, the first line stbulk
// version prints (which goes on with the commit, date, Go and platform).
func TestVersionFlag(t *testing.T) {
	t.Parallel()
	var flag, cmd bytes.Buffer
	if code := execute(context.Background(), []string{"--version"}, streams{out: &flag, err: io.Discard}); code != exitOK {
		t.Fatalf("--version: exit code %d", code)
	}
	if code := execute(context.Background(), []string{"version"}, streams{out: &cmd, err: io.Discard}); code != exitOK {
		t.Fatalf("version: exit code %d", code)
	}
	first, _, _ := strings.Cut(cmd.String(), "\n")
	if flag.String() != first+"\n" || !strings.HasPrefix(flag.String(), "stbulk ") {
		t.Errorf("--version %q, version %q", flag.String(), cmd.String())
	}
	for _, want := range []string{"  version:  ", "  commit:   ", "  built:    ", "  go:       " + runtime.Version(), "  platform: " + runtime.GOOS + "/" + runtime.GOARCH} {
		if !strings.Contains(cmd.String(), want) {
			t.Errorf("version %q: no %q", cmd.String(), want)
		}
	}
}

// TestUnknownCommandSuggests: a misspelt command names the one meant.
func TestUnknownCommandSuggests(t *testing.T) {
	t.Parallel()
	var errOut bytes.Buffer
	code := execute(context.Background(), []string{"imprt", "m.yaml"}, streams{out: io.Discard, err: &errOut})
	if code != exitUsage || !strings.Contains(errOut.String(), `unknown command "imprt"`) || !strings.Contains(errOut.String(), `did you mean "import"?`) {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

// cmdExpandEnv replaces ${VAR} and $VAR in each file by the script's
// variables (a configuration file that names the sandbox's $PORT):
//
//	expandenv FILE...
func cmdExpandEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: expandenv FILE...")
	}
	for _, a := range args {
		p := ts.MkAbs(a)
		fi, err := os.Stat(p)
		ts.Check(err)
		ts.Check(os.WriteFile(p, []byte(os.Expand(ts.ReadFile(a), ts.Getenv)), fi.Mode().Perm()))
	}
}

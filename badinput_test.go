package main

// The corpus of bad inputs of testdata/bad (its README.md lists them): each
// one is imported (dry run) and validated as a user would, and must end with
// the exit code of the contract, an error that says where the problem is,
// and no Go panic or stack trace.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stbulk/stbulk/readers"
)

var badDir = filepath.Join("testdata", "bad")

func badInput(name string) string   { return filepath.Join(badDir, name) }
func badMapping(name string) string { return filepath.Join(badDir, "mappings", name) }

// badResult is what one stbulk command did.
type badResult struct {
	code           int
	stdout, stderr string
}

// stackTrace matches what a Go panic or stack trace prints.
var stackTrace = regexp.MustCompile(`(?m)panic:|^goroutine \d+ \[|runtime error:|\.go:\d+ \+0x`)

// badRun runs stbulk with args in this process and fails the test if it
// panics or prints a stack trace.
func badRun(t *testing.T, args ...string) badResult {
	t.Helper()
	var out, errOut bytes.Buffer
	code := -1
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("stbulk %s panicked: %v\n%s", strings.Join(args, " "), p, debug.Stack())
			}
		}()
		code = execute(context.Background(), args, streams{out: &out, err: &errOut})
	}()
	r := badResult{code: code, stdout: out.String(), stderr: errOut.String()}
	for name, s := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		if stackTrace.MatchString(s) {
			t.Errorf("stbulk %s printed a Go stack trace on %s:\n%s", strings.Join(args, " "), name, s)
		}
	}
	return r
}

// badMatch checks that text matches each pattern, in which FILE stands for
// file (quoted), multi-line: ^ and $ are the ends of a line.
func badMatch(t *testing.T, what, text, file string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		p = strings.ReplaceAll(p, "FILE", regexp.QuoteMeta(file))
		if !regexp.MustCompile("(?m)" + p).MatchString(text) {
			t.Errorf("%s does not match %s:\n%s", what, p, text)
		}
	}
}

// badNoReports checks that a run refused with exit code 2 wrote no report.
func badNoReports(t *testing.T, out string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(out, "summary.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("exit code 2 but %s/summary.json exists (err %v): nothing should have been written", out, err)
	}
}

// badPayloads reads payloads.jsonl: the rows written, and the name each
// payload carries.
func badPayloads(t *testing.T, out string) (rows []int, names map[int]string) {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "payloads.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names = map[int]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var line struct {
			Row     int            `json:"_row"`
			Payload map[string]any `json:"payload"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("payloads.jsonl: %v", err)
		}
		rows = append(rows, line.Row)
		names[line.Row], _ = line.Payload["name"].(string)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(rows)
	return rows, names
}

// badErrors reads the errors file of a run folder: _error by _row.
func badErrors(t *testing.T, out string) map[int]string {
	t.Helper()
	path := filepath.Join(out, "errors.csv")
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(out, "errors.xlsx")
	}
	src, err := readers.Open(path, readers.CSVOptions{}, readers.XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	col := map[string]int{}
	for i, h := range src.Header() {
		col[h] = i
	}
	rowCol, okRow := col["_row"]
	errCol, okErr := col["_error"]
	if !okRow || !okErr {
		t.Fatalf("%s: no _row and _error columns in %q", path, src.Header())
	}
	got := map[int]string{}
	for {
		r, err := src.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		n, err := strconv.Atoi(r.Cells[rowCol])
		if err != nil {
			t.Fatalf("%s:%d: _row %q is not a row number", path, r.Num, r.Cells[rowCol])
		}
		got[n] = r.Cells[errCol]
	}
}

// badDataCase is a data input read with a small customer mapping.
type badDataCase struct {
	input   string // in testdata/bad
	mapping string // in testdata/bad/mappings
	code    int
	// stderr holds what exit code 2 must say (FILE: the input's path); the
	// input's path must be in it.
	stderr []string
	// sent are the rows written to payloads.jsonl, names the names some of
	// them carry.
	sent  []int
	names map[int]string
	// rejected is, per _row of the errors file, a pattern its _error and
	// validate's line for it must match.
	rejected map[int]string
}

var badDataCases = []badDataCase{
	{input: "empty.csv", code: 2,
		stderr: []string{`ok-customers\.yaml:\d+:\d+: FILE has no header row \(the file is empty\)$`}},
	{input: "header-only.csv", code: 0},
	{input: "duplicate-headers.csv", code: 2,
		stderr: []string{`FILE: header: column 1 and 3 are both named "Code"$`}},
	// Looks bad (a byte order mark, semicolons, CRLF, a quoted ";"), reads fine.
	{input: "bom-semicolons.csv", code: 0, sent: []int{2, 3, 4},
		names: map[int]string{2: "Boulangerie Dupré", 3: "Café; Tabac", 4: "Ferretería Núñez"}},
	{input: "binary-garbage.csv", code: 2,
		stderr: []string{`FILE:\d+: header: `}},
	// Auto detection reads a windows-1252 file as such.
	{input: "invalid-utf8.csv", code: 0, sent: []int{2, 3, 4},
		names: map[int]string{3: "Café de la Gare"}},
	// encoding: utf-8 rejects the row holding a byte that is not UTF-8.
	{input: "invalid-utf8.csv", mapping: "ok-customers-utf8.yaml", code: 1, sent: []int{2, 4},
		rejected: map[int]string{3: `column Name: not valid UTF-8`}},
	{input: "truncated.xlsx", code: 2,
		stderr: []string{`FILE: not a readable workbook: zip: not a valid zip file$`}},
	{input: "not-xlsx.xlsx", code: 2,
		stderr: []string{`FILE: not a readable workbook: zip: not a valid zip file$`}},
	{input: "ragged.csv", code: 1, sent: []int{2, 5},
		rejected: map[int]string{
			3: `^4 fields, but the header has 2 \(extra: "extra,more"\)$`,
			4: `^1 fields, but the header has 2$`,
		}},
	// A bare quote rejects its row only; an unclosed quote runs to the end
	// of the file, and the row where it starts says so.
	{input: "unclosed-quote.csv", code: 1, sent: []int{2, 4},
		rejected: map[int]string{
			3: `bare " in non-quoted-field at position 6 of line 3`,
			5: `the quoted field that starts here is not closed properly \(the parser stopped on line 7`,
		}},
	// The quoted field's two lines are one row, as a spreadsheet shows it.
	{input: "crlf-mixed.csv", code: 0, sent: []int{2, 3, 4, 6, 7},
		names: map[int]string{4: "Gamma\nsecond line", 7: "Epsilon"}},
}

func TestBadInputData(t *testing.T) {
	t.Parallel()
	for _, tc := range badDataCases {
		if tc.mapping == "" {
			tc.mapping = "ok-customers.yaml"
		}
		t.Run(tc.input+" with "+tc.mapping, func(t *testing.T) {
			t.Parallel()
			badCheckData(t, badMapping(tc.mapping), badInput(tc.input), tc)
		})
	}
}

// badCheckData imports input with mapping in a dry run, then validates it,
// and checks both against tc.
func badCheckData(t *testing.T, mapping, input string, tc badDataCase) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "run")
	imp := badRun(t, "import", mapping, "--input", input, "--dry-run", "--out", out)
	if imp.code != tc.code {
		t.Fatalf("import: exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", imp.code, tc.code, imp.stdout, imp.stderr)
	}
	val := badRun(t, "validate", mapping, "--input", input)
	if val.code != tc.code {
		t.Errorf("validate: exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", val.code, tc.code, val.stdout, val.stderr)
	}

	if tc.code == 2 {
		badNoReports(t, out)
		for _, r := range []struct {
			cmd    string
			stderr string
		}{{"import", imp.stderr}, {"validate", val.stderr}} {
			if !strings.Contains(r.stderr, input) {
				t.Errorf("%s: stderr does not name %s:\n%s", r.cmd, input, r.stderr)
			}
			badMatch(t, r.cmd+": stderr", r.stderr, input, tc.stderr...)
		}
		return
	}

	rows, names := badPayloads(t, out)
	if !slices.Equal(rows, tc.sent) {
		t.Errorf("payloads.jsonl holds rows %v, want %v", rows, tc.sent)
	}
	for row, want := range tc.names {
		if names[row] != want {
			t.Errorf("row %d: name %q, want %q", row, names[row], want)
		}
	}
	errs := badErrors(t, out)
	if len(errs) != len(tc.rejected) {
		t.Errorf("errors file: %d rows %v, want %d", len(errs), errs, len(tc.rejected))
	}
	for row, pattern := range tc.rejected {
		msg, ok := errs[row]
		if !ok {
			t.Errorf("errors file: no _row %d; it holds %v", row, errs)
			continue
		}
		if !regexp.MustCompile(pattern).MatchString(msg) {
			t.Errorf("errors file: _row %d: _error %q does not match %s", row, msg, pattern)
		}
		// validate prints input:row: reason.
		reason := strings.TrimPrefix(pattern, "^")
		badMatch(t, "validate: stdout", val.stdout, input, `^FILE:`+strconv.Itoa(row)+`: (?:`+reason+`)`)
	}
	if tc.code == 1 && !strings.Contains(imp.stdout, filepath.Join(out, "errors.csv")) {
		t.Errorf("import: stdout does not name the errors file:\n%s", imp.stdout)
	}
}

// badMappingCases are mapping files with mistakes. Each pattern is one
// problem as stbulk prints it; FILE stands for the mapping file's path.
var badMappingCases = []struct {
	file string // in testdata/bad/mappings
	want []string
}{
	{"yaml-syntax.yaml", []string{`FILE:4: YAML: did not find expected ',' or '}'$`}},
	{"tabs.yaml", []string{`FILE:5:1: YAML: found a tab character`}},
	{"unknown-top-key.yaml", []string{`FILE:3:1: unknown key "sourse" in the mapping file \(did you mean "source"\?\)$`}},
	{"unknown-entity.yaml", []string{`FILE:2:9: unknown entity "custmer": import one of .* \(did you mean "customer"\?\)$`}},
	{"unknown-field.yaml", []string{`FILE:5:3: customer has no field "nmae" \(did you mean "name"\?\)$`}},
	{"no-upsert-key.yaml", []string{`FILE:4:3: no upsert key is mapped for customer: map one of id, myId`}},
	{"unknown-transform.yaml", []string{`FILE:5:43: unknown transform "sqash" \(did you mean "squash"\?\)`}},
	{"bad-transform-arg.yaml", []string{`FILE:6:59: number: decimal separator must be "," or "\.", got ";"$`}},
	{"bad-regex.yaml", []string{
		`FILE:4:41: regex: bad pattern "\[A-Z": missing closing \]`,
		`FILE:5:58: replace: bad pattern "\(un\(closed": missing closing \)`,
	}},
	{"bad-expression.yaml", []string{
		`FILE:3:14: expression: unexpected token EOF$`,
		`FILE:6:33: expression: unexpected token EOF$`,
	}},
	// Known only once the source's header is read.
	{"expr-missing-column.yaml", []string{
		`FILE:3:8: expression: unknown column "Cod" \(did you mean "Code"\?\); columns are Code, Name$`,
		`FILE:6:24: expression: unknown column "Nmae" \(did you mean "Name"\?\); columns are Code, Name$`,
	}},
	{"alias-bomb.yaml", []string{`FILE:\d+:\d+: YAML: the aliases \(\*name\) of the mapping file stand for more than 10000 values$`}},
	{"not-utf8.yaml", []string{`FILE:2:28: the mapping file is not UTF-8 text: save it as UTF-8$`}},
	{"empty.yaml", []string{`FILE: the mapping file is empty; it needs at least version, import and fields$`}},
	{"list.yaml", []string{`FILE:1:1: the mapping file must be a mapping of keys to values, got a list$`}},
	{"duplicate-keys.yaml", []string{
		`FILE:3:1: "import" is given twice in the mapping file \(first at line 2\)$`,
		`FILE:7:3: field "name" is mapped twice \(also as "name" at line 6\)$`,
	}},
	{"wrong-version.yaml", []string{`FILE:1:10: version "2" is not supported: this stbulk reads version 1$`}},
	{"bad-delimiter.yaml", []string{`FILE:4:14: csv delimiter "::": use auto, ",", ";", "\|" or tab$`}},
	{"batch-size-not-batched.yaml", []string{`FILE:3:1: batch_size applies to part_price and inventory, which are sent in batches; customer rows are sent one by one$`}},
	{"export-unknown.yaml", []string{`FILE:2:9: unknown export "job": export one of .* \(did you mean "jobs"\?\)$`}},
	{"export-mistakes.yaml", []string{
		`FILE:5:15: sheet Jobs has no field "custmerName" \(did you mean "customerName"\?\)$`,
		`FILE:6:9: photos "photos/\{customerName\}/\{fileName\}" must hold \{num\} or \{id\}`,
		`FILE:8:1: unknown key "overlaps" in the export mapping file \(did you mean "overlap"\?\)$`,
	}},
	// Written by the test: over 1 MiB.
	{"too-big.yaml", []string{`FILE: the mapping file is 1\.5 MiB \(\d+ bytes\): is this a data file\?`}},
}

func TestBadInputMappings(t *testing.T) {
	t.Parallel()
	// The input the import mappings are checked against: a valid file.
	input := badInput("bom-semicolons.csv")
	tooBig := filepath.Join(t.TempDir(), "too-big.yaml")
	big := "version: 1\nimport: customer\nfields:\n  myId: Code\n  name: Name\n" +
		strings.Repeat("# "+strings.Repeat("x", 98)+"\n", 3<<19/100)
	if err := os.WriteFile(tooBig, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range badMappingCases {
		file := badMapping(tc.file)
		if tc.file == "too-big.yaml" {
			file = tooBig
		}
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "out")
			var runs [][]string
			if strings.HasPrefix(tc.file, "export-") {
				runs = [][]string{{"validate", file}, {"export", file, "--out", out}}
			} else {
				runs = [][]string{
					{"validate", file, "--input", input},
					{"import", file, "--input", input, "--dry-run", "--out", out},
				}
			}
			for _, args := range runs {
				r := badRun(t, args...)
				if r.code != 2 {
					t.Errorf("%s: exit code %d, want 2\nstdout:\n%s\nstderr:\n%s", args[0], r.code, r.stdout, r.stderr)
				}
				badMatch(t, args[0]+": stderr", r.stderr, file, tc.want...)
				if r.stdout != "" {
					t.Errorf("%s: stdout %q, want nothing: nothing was done", args[0], r.stdout)
				}
			}
			if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
				badNoReports(t, out)
			}
		})
	}
}

// badMemory runs f and returns how far the heap grew above where it was
// before (its objects, sampled every millisecond) and how many bytes f
// allocated in all.
func badMemory(f func()) (peak, allocated uint64) {
	const live, allocs = "/memory/classes/heap/objects:bytes", "/gc/heap/allocs:bytes"
	runtime.GC()
	before := []metrics.Sample{{Name: live}, {Name: allocs}}
	metrics.Read(before)
	stop, highest := make(chan struct{}), make(chan uint64, 1)
	go func() {
		s := []metrics.Sample{{Name: live}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var m uint64
		for {
			metrics.Read(s)
			m = max(m, s[0].Value.Uint64())
			select {
			case <-stop:
				highest <- m
				return
			case <-tick.C:
			}
		}
	}()
	func() {
		defer close(stop) // also when f stops the test
		f()
	}()
	top := <-highest
	after := []metrics.Sample{{Name: allocs}}
	metrics.Read(after)
	if base := before[0].Value.Uint64(); top > base {
		peak = top - base
	}
	return peak, after[0].Value.Uint64() - before[1].Value.Uint64()
}

const badMemoryLimit = 200 << 20

// TestBadInputZipBomb reads a workbook of a few hundred KB whose parts
// unpack to 4 GiB: it is refused with a clear error and bounded memory.
// (That it is refused before anything is unpacked, which takes no time, is
// TestBadInputZipBombUnpacksNothing.) Not parallel, so that the
// memory measured is stbulk's.
func TestBadInputZipBomb(t *testing.T) {
	// Parts unpacked to temporary files stay in this test's folder.
	t.Setenv("TMPDIR", t.TempDir())
	input := badInput("zip-bomb.xlsx")
	if fi, err := os.Stat(input); err != nil || fi.Size() > 1<<20 {
		t.Fatalf("%s: want a file under 1 MiB (%v)", input, err)
	}
	for _, cmd := range []string{"import", "validate"} {
		args := []string{cmd, badMapping("ok-customers.yaml"), "--input", input}
		out := filepath.Join(t.TempDir(), "run")
		if cmd == "import" {
			args = append(args, "--dry-run", "--out", out)
		}
		var r badResult
		start := time.Now()
		peak, allocated := badMemory(func() { r = badRun(t, args...) })
		took := time.Since(start)
		t.Logf("%s: %v, heap grew %d MB, allocated %d MB", cmd, took.Round(time.Millisecond), peak>>20, allocated>>20)
		if r.code != 2 {
			t.Errorf("%s: exit code %d, want 2\nstdout:\n%s\nstderr:\n%s", cmd, r.code, r.stdout, r.stderr)
		}
		badMatch(t, cmd+": stderr", r.stderr, input, `FILE: not a readable workbook: it unpacks to more than 1 GiB`)
		if peak > badMemoryLimit || allocated > badMemoryLimit {
			t.Errorf("%s: the heap grew %d MB and %d MB were allocated, want under %d MB", cmd, peak>>20, allocated>>20, badMemoryLimit>>20)
		}
		if took > 30*time.Second {
			t.Errorf("%s took %v: the workbook should be refused before it is unpacked", cmd, took)
		}
		if cmd == "import" {
			badNoReports(t, out)
		}
	}
}

// TestBadInputHugeCell reads a CSV file whose one cell is 10 MB, with
// bounded memory: past the default limit on a row's bytes its row is
// rejected alone and the next row is read; with the mapping's limits
// raised it is read like any other. Not parallel, so that the memory
// measured is stbulk's.
func TestBadInputHugeCell(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "huge-cell.csv")
	huge := strings.Repeat("0123456789", 1<<20)
	data := "Code,Name\nH1,\"" + huge + "\"\nH2,Short\n"
	if err := os.WriteFile(input, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(badMapping("ok-customers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	raised := filepath.Join(dir, "raised.yaml")
	if err := os.WriteFile(raised, append(base, "limits: { field_bytes: 16 MiB, row_bytes: 16 MiB }\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, mapping string
		code          int
		rows          []int
	}{
		{"default limits", badMapping("ok-customers.yaml"), 1, []int{3}},
		{"raised limits", raised, 0, []int{2, 3}},
	} {
		var imp, val badResult
		out := filepath.Join(dir, "run-"+strings.Fields(tc.name)[0])
		start := time.Now()
		peak, allocated := badMemory(func() {
			imp = badRun(t, "import", tc.mapping, "--input", input, "--dry-run", "--out", out)
			val = badRun(t, "validate", tc.mapping, "--input", input)
		})
		t.Logf("%s: import and validate: %v, heap grew %d MB, allocated %d MB", tc.name, time.Since(start).Round(time.Millisecond), peak>>20, allocated>>20)
		for _, r := range []badResult{imp, val} {
			if r.code != tc.code {
				t.Errorf("%s: exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", tc.name, r.code, tc.code, r.stdout, r.stderr)
			}
		}
		if peak > badMemoryLimit {
			t.Errorf("%s: the heap grew %d MB, want under %d MB", tc.name, peak>>20, badMemoryLimit>>20)
		}
		rows, names := badPayloads(t, out)
		if !slices.Equal(rows, tc.rows) || names[3] != "Short" || (tc.code == 0 && names[2] != huge) {
			t.Errorf("%s: payloads.jsonl: rows %v, row 2's name %d bytes, row 3's %q; want rows %v", tc.name, rows, len(names[2]), names[3], tc.rows)
		}
		if tc.code == 1 {
			badMatch(t, tc.name+": validate", val.stdout+val.stderr, input, `FILE:2: the row is longer than 2 MiB \(limits: row_bytes in the mapping raises it\)`)
		}
	}
}

// A workbook whose sheet inflates to more than its zip entry declares (a
// damaged file, or a zip bomb lying about its size) is refused as damaged,
// with exit code 2, rather than read up to the declared size.
func TestBadInputDamagedSheet(t *testing.T) {
	t.Parallel()
	badCheckData(t, badMapping("ok-customers.yaml"), badInput("damaged-sheet.xlsx"), badDataCase{
		code:   2,
		stderr: []string{`FILE: .*(damaged|not a readable workbook)`},
	})
}

// The zip bomb is refused from the sizes in its zip directory, before
// anything is unpacked to temporary files (excelize alone would unpack the
// parts before the one crossing its limit, 768 MiB here, and leave them
// behind): nothing is left in TMPDIR.
func TestBadInputZipBombUnpacksNothing(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	size := func() int64 {
		var n int64
		_ = filepath.WalkDir(tmp, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					n += fi.Size()
				}
			}
			return nil
		})
		return n
	}
	stop, peak := make(chan struct{}), make(chan int64)
	go func() {
		var m int64
		for {
			m = max(m, size())
			select {
			case <-stop:
				peak <- max(m, size())
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	r := badRun(t, "validate", badMapping("ok-customers.yaml"), "--input", badInput("zip-bomb.xlsx"))
	close(stop)
	top := <-peak
	if r.code != 2 {
		t.Errorf("exit code %d, want 2; stderr:\n%s", r.code, r.stderr)
	}
	if top > 16<<20 {
		t.Errorf("%d MiB were unpacked to temporary files before the workbook was refused; want none", top>>20)
	}
	if left := size(); left > 0 {
		t.Errorf("%d MiB of temporary files are left behind in TMPDIR", left>>20)
	}
}

// encoding: utf-8 rejects a row holding a byte that is not UTF-8, and the
// reason written to the errors file and printed by validate names its
// column.
func TestBadInputInvalidUTF8Column(t *testing.T) {
	t.Parallel()
	badCheckData(t, badMapping("ok-customers-utf8.yaml"), badInput("invalid-utf8.csv"), badDataCase{
		code: 1, sent: []int{2, 4},
		rejected: map[int]string{3: `column Name\b.*not valid UTF-8|not valid UTF-8.*column Name\b`},
	})
}

// A tab that indents line 5 of a mapping file whose other lines are
// indented with spaces is reported on line 5 (the YAML library names the
// line before).
func TestBadInputTabIndentLine(t *testing.T) {
	t.Parallel()
	file := badMapping("tabs.yaml")
	r := badRun(t, "validate", file, "--input", badInput("bom-semicolons.csv"))
	if r.code != 2 {
		t.Errorf("exit code %d, want 2", r.code)
	}
	badMatch(t, "stderr", r.stderr, file, `FILE:5(:1)?: YAML: .*tab`)
}

// A mapping file that is not UTF-8 is refused at its first byte that is
// not UTF-8 (line 2, column 28).
func TestBadInputNotUTF8MappingLocation(t *testing.T) {
	t.Parallel()
	file := badMapping("not-utf8.yaml")
	r := badRun(t, "validate", file, "--input", badInput("bom-semicolons.csv"))
	if r.code != 2 {
		t.Errorf("exit code %d, want 2", r.code)
	}
	badMatch(t, "stderr", r.stderr, file, `FILE:2:28: .*not UTF-8`)
}

// The corpus is what testdata/bad/README.md says, and each file of it is
// there (the generated ones included: run go run testdata/bad/gen/main.go).
func TestBadInputCorpusListed(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(badDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^- `([^`]+)`").FindAllStringSubmatch(string(readme), -1) {
		listed[m[1]] = true
	}
	var found []string
	err = filepath.WalkDir(badDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(badDir, path)
		rel = filepath.ToSlash(rel)
		if rel == "README.md" || rel == ".gitattributes" || strings.HasPrefix(rel, "gen/") {
			return nil
		}
		found = append(found, rel)
		if !listed[rel] {
			t.Errorf("%s is not listed in %s/README.md", rel, badDir)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range listed {
		if !slices.Contains(found, name) {
			t.Errorf("README.md lists %s, which is not in %s", name, badDir)
		}
	}
}

package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

func TestDupIndex(t *testing.T) {
	t.Parallel()
	type step struct {
		row  int
		ids  []string
		want string // "" when the row is not a duplicate
	}
	tests := []struct {
		name   string
		policy Duplicates
		fold   bool
		last   map[string]int // what the first reading noted (DuplicatesLast)
		steps  []step
	}{
		{name: "error names the first row", policy: DuplicatesError, fold: true, steps: []step{
			{2, []string{"myId=D1"}, ""},
			{3, []string{"myId=D2"}, ""},
			{4, []string{"myId=D1"}, "duplicate key myId=D1: also row 2"},
			{5, []string{"myId=D1"}, "duplicate key myId=D1: also row 2"},
		}},
		{name: "keys without regard to case", policy: DuplicatesError, fold: true, steps: []step{
			{2, []string{"myId=ab-1"}, ""},
			{3, []string{"myId=AB-1"}, "duplicate key myId=AB-1: also row 2"},
		}},
		{name: "labels as written", policy: DuplicatesError, fold: false, steps: []step{
			{2, []string{"job.num=1 file=a.jpg"}, ""},
			{3, []string{"job.num=1 file=A.jpg"}, ""},
			{4, []string{"job.num=1 file=a.jpg"}, "duplicate key job.num=1 file=a.jpg: also row 2"},
		}},
		{name: "rows without a key are never duplicates", policy: DuplicatesError, fold: true, steps: []step{
			{2, nil, ""},
			{3, nil, ""},
		}},
		{name: "first", policy: DuplicatesFirst, fold: true, steps: []step{
			{2, []string{"myId=D1"}, ""},
			{3, []string{"myId=D1"}, "duplicate key myId=D1: row 2 is kept (duplicates: first)"},
		}},
		{name: "a duplicate's other records are not taken", policy: DuplicatesFirst, fold: true, steps: []step{
			{2, []string{"s=1"}, ""},
			{3, []string{"s=1", "s=2"}, "duplicate key s=1: row 2 is kept (duplicates: first)"},
			{4, []string{"s=2"}, ""},
		}},
		{name: "last", policy: DuplicatesLast, fold: true, last: map[string]int{"myid=d1": 4, "myid=d2": 3}, steps: []step{
			{2, []string{"myId=D1"}, "duplicate key myId=D1: row 4 is kept (duplicates: last)"},
			{3, []string{"myId=D2"}, ""},
			{4, []string{"myId=d1"}, ""},
			{5, nil, ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := newDupIndex(tt.policy, tt.fold)
			for k, row := range tt.last {
				x.note(row, []string{k})
			}
			for _, s := range tt.steps {
				got, dup := x.check(s.row, s.ids)
				if got != s.want || dup != (s.want != "") {
					t.Errorf("row %d %v: %q, %v; want %q", s.row, s.ids, got, dup, s.want)
				}
			}
		})
	}
}

func TestParseDuplicates(t *testing.T) {
	t.Parallel()
	base := "version: 1\nimport: customer\nfields:\n  myId: CODE\n"
	for value, want := range map[string]Duplicates{"": DuplicatesError, "error": DuplicatesError, "first": DuplicatesFirst, "last": DuplicatesLast} {
		src := base
		if value != "" {
			src = "duplicates: " + value + "\n" + base
		}
		m, err := Parse("m.yaml", []byte(src))
		if err != nil {
			t.Fatalf("duplicates: %q: %v", value, err)
		}
		if m.Duplicates != want {
			t.Errorf("duplicates: %q gives %v, want %v", value, m.Duplicates, want)
		}
	}
	for src, want := range map[string]string{
		"duplicates: frist\n":  `m.yaml:1:13: duplicates "frist": use error, first, last (did you mean "first"?)`,
		"duplicates: keep\n":   `m.yaml:1:13: duplicates "keep": use error, first, last`,
		"duplicates: [a]\n":    `m.yaml:1:13: duplicates must be a single value, got a list`,
		"duplicate: first\n":   `m.yaml:1:1: unknown key "duplicate" in the mapping file (did you mean "duplicates"?)`,
		"duplicates: First\n":  `m.yaml:1:13: duplicates "First": use error, first, last (did you mean "first"?)`,
		"duplicates: errors\n": `m.yaml:1:13: duplicates "errors": use error, first, last (did you mean "error"?)`,
	} {
		_, err := Parse("m.yaml", []byte(src+base))
		if err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %s", src, err, want)
		}
	}
}

// reportLines returns the lines of a report (errors or filtered file) as
// "row: _error", in row order.
func reportLines(t *testing.T, path string, m *Mapping) []string {
	t.Helper()
	src, err := readers.Open(path, m.CSV, m.XLSX)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rowCol, errCol := slices.Index(src.Header(), writers.RowColumn), slices.Index(src.Header(), writers.ErrorColumn)
	if rowCol < 0 || errCol < 0 {
		t.Fatalf("%s: header %q", path, src.Header())
	}
	type line struct {
		row  int
		text string
	}
	var lines []line
	for {
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		n, err := strconv.Atoi(row.Cells[rowCol])
		if err != nil {
			t.Fatalf("%s: _row %q", path, row.Cells[rowCol])
		}
		lines = append(lines, line{n, row.Cells[rowCol] + ": " + row.Cells[errCol]})
	}
	slices.SortFunc(lines, func(a, b line) int { return a.row - b.row })
	out := []string{}
	for _, l := range lines {
		out = append(out, l.text)
	}
	return out
}

// dupCustomers is an input with the same customer three times (once in
// another case, with spaces) and two rows without a key.
const dupCustomers = "code;name\nD1;First\nD2;Other\nD1;Second\n d1 ;Third\n;No key\n;No key\n"

func TestRunDuplicateCustomers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		policy        string
		counts        Counts
		errors, left  []string
		name          string // D1's name once imported
		validateLines []string
	}{
		{
			policy: "", counts: Counts{Read: 6, Sent: 4, Rejected: 2},
			errors: []string{"4: duplicate key myId=D1: also row 2", "5: duplicate key myId=d1: also row 2"},
			name:   "First",
		},
		{
			policy: "error", counts: Counts{Read: 6, Sent: 4, Rejected: 2},
			errors: []string{"4: duplicate key myId=D1: also row 2", "5: duplicate key myId=d1: also row 2"},
			name:   "First",
		},
		{
			policy: "first", counts: Counts{Read: 6, Sent: 4, Duplicates: 2},
			left: []string{"4: duplicate key myId=D1: row 2 is kept (duplicates: first)", "5: duplicate key myId=d1: row 2 is kept (duplicates: first)"},
			name: "First",
		},
		{
			policy: "last", counts: Counts{Read: 6, Sent: 4, Duplicates: 2},
			left: []string{"2: duplicate key myId=D1: row 5 is kept (duplicates: last)", "4: duplicate key myId=D1: row 5 is kept (duplicates: last)"},
			name: "Third",
		},
	}
	for _, tt := range tests {
		t.Run("duplicates "+tt.policy, func(t *testing.T) {
			t.Parallel()
			_, c := startSandbox(t, sandbox.Config{})
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"c.csv": dupCustomers})
			src := "version: 1\nimport: customer\nsource: c.csv\n"
			if tt.policy != "" {
				src += "duplicates: " + tt.policy + "\n"
			}
			m := parseIn(t, dir, "m.yaml", src+"fields:\n  myId: code\n  name: name\n")
			out := filepath.Join(dir, "run")
			sum := runIn(t, out, []*Mapping{m}, Options{Client: c, Concurrency: 2})
			checkCounts(t, sum, out, []*Mapping{m})
			if sum.Counts != tt.counts {
				t.Errorf("counts %+v, want %+v", sum.Counts, tt.counts)
			}
			errs := reportLines(t, filepath.Join(out, "errors.csv"), m)
			if diff := cmp.Diff(append([]string{}, tt.errors...), errs); diff != "" {
				t.Errorf("errors.csv (-want +got):\n%s", diff)
			}
			filtered := filepath.Join(out, "filtered.csv")
			if tt.left == nil {
				if _, err := os.Stat(filtered); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("filtered.csv written for a mapping that leaves nothing out: %v", err)
				}
			} else if diff := cmp.Diff(tt.left, reportLines(t, filtered, m)); diff != "" {
				t.Errorf("filtered.csv (-want +got):\n%s", diff)
			}
			list, err := c.Customers.List(context.Background(), synchroteam.Date{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, cu := range list {
				if strings.EqualFold(strings.TrimSpace(cu.MyID), "d1") {
					names = append(names, cu.Name)
				}
			}
			if !slices.Equal(names, []string{tt.name}) {
				t.Errorf("customers D1: %q, want one named %q", names, tt.name)
			}

			// A dry run and a check give the same outcomes.
			dry := runIn(t, filepath.Join(dir, "dry"), []*Mapping{m}, Options{DryRun: true})
			var notSent []string
			checked, err := Check(context.Background(), []*Mapping{m}, "", func(_ *Mapping, row int, reason string) {
				notSent = append(notSent, fmt.Sprintf("%d: %s", row, reason))
			})
			if err != nil {
				t.Fatal(err)
			}
			if dry.Counts != tt.counts || checked.Counts != tt.counts {
				t.Errorf("dry run %+v, check %+v; want %+v", dry.Counts, checked.Counts, tt.counts)
			}
			if diff := cmp.Diff(append([]string{}, tt.errors...), append([]string{}, notSent...)); diff != "" {
				t.Errorf("check: rows not sent (-want +got):\n%s", diff)
			}
		})
	}
}

// A duplicate is not a failed parent: the children of its key are sent.
func TestDuplicateParentKeepsChildren(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"c.csv": "Code,Name\nDP-1,One\nDP-1,Again\n",
		"s.csv": "Code,Name,Customer\nDS-1,Site,DP-1\n",
	})
	cust := parseIn(t, dir, "customers.yaml", "version: 1\nimport: customer\nsource: c.csv\nfields:\n  myId: Code\n  name: Name\n")
	site := parseIn(t, dir, "sites.yaml", "version: 1\nimport: site\nsource: s.csv\nfields:\n  myId: Code\n  name: Name\n  customerMyId: Customer\n")
	sum := runIn(t, filepath.Join(dir, "run"), []*Mapping{cust, site}, Options{Client: c})
	if want := (Counts{Read: 3, Sent: 2, Rejected: 1}); sum.Counts != want {
		t.Errorf("counts %+v, want %+v: the site of a customer sent once is sent", sum.Counts, want)
	}
}

// Inventory rows are the same when they name the same depot, part and
// serial number; rows of one part and depot with other serials, or without
// serials (their quantities add up), are not.
func TestRunDuplicateSerials(t *testing.T) {
	t.Parallel()
	csv := "DEPOT,REF,QTY,SERIAL\n" +
		"stock,refHi001,1,SN-1\n" + // row 2
		"stock,refHi001,1,SN-2\n" + // row 3
		"stock,refHi001,1,SN-1\n" + // row 4: the same piece again
		"stock,p11,4,\n" + // row 5
		"stock,p11,3,\n" // row 6: adds up with row 5
	type part struct {
		Reference string   `json:"reference"`
		Quantity  float64  `json:"quantity"`
		Serials   []string `json:"serials"`
	}
	tests := []struct {
		policy       string
		counts       Counts
		errors, left []string
		parts        []part
	}{
		{
			policy: "error", counts: Counts{Read: 5, Sent: 2, Rejected: 3},
			errors: []string{
				"2: not sent: row 4 of the same part and depot was not valid, and the quantity of a part is set by all its rows at once",
				"3: not sent: row 4 of the same part and depot was not valid, and the quantity of a part is set by all its rows at once",
				"4: duplicate key depot=stock reference=refHi001 serial=SN-1: also row 2",
			},
			parts: []part{{"p11", 7, []string{}}},
		},
		{
			policy: "first", counts: Counts{Read: 5, Sent: 4, Duplicates: 1},
			left:  []string{"4: duplicate key depot=stock reference=refHi001 serial=SN-1: row 2 is kept (duplicates: first)"},
			parts: []part{{"refHi001", 2, []string{"SN-1", "SN-2"}}, {"p11", 7, []string{}}},
		},
		{
			policy: "last", counts: Counts{Read: 5, Sent: 4, Duplicates: 1},
			left:  []string{"2: duplicate key depot=stock reference=refHi001 serial=SN-1: row 4 is kept (duplicates: last)"},
			parts: []part{{"refHi001", 2, []string{"SN-2", "SN-1"}}, {"p11", 7, []string{}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{endpoint: "/Inventory/Quantities"}
			_, c := startSandbox(t, sandbox.Config{}, synchroteam.WithHTTPClient(&http.Client{Transport: rec}))
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"stock.csv": csv})
			m := parseIn(t, dir, "stock.yaml", "version: 1\nimport: inventory\nsource: stock.csv\nduplicates: "+tt.policy+"\nfields:\n"+
				"  depot: DEPOT\n  reference: REF\n  quantity: { column: QTY, transform: [number] }\n  serials: SERIAL\n")
			out := filepath.Join(dir, "run")
			sum := runIn(t, out, []*Mapping{m}, Options{Client: c, Concurrency: 1})
			checkCounts(t, sum, out, []*Mapping{m})
			if sum.Counts != tt.counts {
				t.Errorf("counts %+v, want %+v", sum.Counts, tt.counts)
			}
			if diff := cmp.Diff(append([]string{}, tt.errors...), reportLines(t, filepath.Join(out, "errors.csv"), m)); diff != "" {
				t.Errorf("errors.csv (-want +got):\n%s", diff)
			}
			if tt.left != nil {
				if diff := cmp.Diff(tt.left, reportLines(t, filepath.Join(out, "filtered.csv"), m)); diff != "" {
					t.Errorf("filtered.csv (-want +got):\n%s", diff)
				}
			}
			var got []part
			for _, body := range rec.bodies {
				var depots []struct {
					Parts []part `json:"parts"`
				}
				if err := json.Unmarshal([]byte(body), &depots); err != nil {
					t.Fatalf("%v: %s", err, body)
				}
				for _, d := range depots {
					got = append(got, d.Parts...)
				}
			}
			if diff := cmp.Diff(tt.parts, got); diff != "" {
				t.Errorf("quantities sent (-want +got):\n%s", diff)
			}
		})
	}
}

// The same file attached twice to the same owner is a duplicate (its path
// compared once cleaned); the same file for another owner is not.
func TestRunDuplicateAttachments(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	files, err := filepath.Abs(filepath.Join("..", "samples", "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"a.csv": "JobNum,File\n" +
		"13420,photos/plate-13420.jpg\n" + // row 2
		"13420,photos/plate-13420.jpg\n" + // row 3: again
		"13431,photos/plate-13420.jpg\n" + // row 4: another job
		"13420,photos/../photos/plate-13420.jpg\n" + // row 5: the same file
		"13420,photos/gauge-13431.png\n"}) // row 6: another file
	m := parseIn(t, dir, "a.yaml", "version: 1\nimport: attachment\nsource: a.csv\nfiles: "+files+"\nfields:\n  job.num: JobNum\n  file: File\n")
	out := filepath.Join(dir, "run")
	sum := runIn(t, out, []*Mapping{m}, Options{Client: c})
	checkCounts(t, sum, out, []*Mapping{m})
	if want := (Counts{Read: 5, Sent: 3, Rejected: 2}); sum.Counts != want {
		t.Errorf("counts %+v, want %+v", sum.Counts, want)
	}
	want := []string{
		"3: duplicate key job.num=13420 file=photos/plate-13420.jpg: also row 2",
		"5: duplicate key job.num=13420 file=photos/plate-13420.jpg: also row 2",
	}
	if diff := cmp.Diff(want, reportLines(t, filepath.Join(out, "errors.csv"), m)); diff != "" {
		t.Errorf("errors.csv (-want +got):\n%s", diff)
	}
}

// A resumed run gives the rows the outcomes the run it resumes would have
// given them without stopping: the duplicate index is built again from the
// rows replayed.
func TestResumeGivesTheSameDuplicates(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("Code,Name\n")
	for i := range 30 {
		code := i
		if i%4 == 3 {
			code = i - 2 // rows 5, 9, 13…: the key of two rows before
		}
		fmt.Fprintf(&b, "RD-%02d,Name %d\n", code, i)
	}
	for _, policy := range []string{"error", "first", "last"} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			// The first attempt is interrupted as its 8th request leaves.
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var sends atomic.Int32
			stopper := roundTripper(func(req *http.Request) (*http.Response, error) {
				if strings.HasSuffix(req.URL.Path, "/Customer/Send") && sends.Add(1) == 8 {
					cancel()
				}
				return http.DefaultTransport.RoundTrip(req)
			})
			sb, c := startSandbox(t, sandbox.Config{})
			stopping, err := synchroteam.NewClient(synchroteam.WithBaseURL(sb.URL), synchroteam.WithCredentials(testDomain, testKey),
				synchroteam.WithRateLimit(1000, 100), synchroteam.WithRetryPolicy(fastRetries), synchroteam.WithHTTPClient(&http.Client{Transport: stopper}))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"c.csv": b.String()})
			m := parseIn(t, dir, "m.yaml", "version: 1\nimport: customer\nsource: c.csv\nduplicates: "+policy+"\nfields:\n  myId: Code\n  name: Name\n")

			whole := filepath.Join(dir, "whole")
			want := runIn(t, whole, []*Mapping{m}, Options{Client: c, Concurrency: 1})
			if want.Rejected+want.Duplicates != 7 {
				t.Fatalf("uninterrupted run: %+v, want 7 duplicates", want.Counts)
			}

			out := filepath.Join(dir, "stopped")
			if err := os.Mkdir(out, 0o755); err != nil {
				t.Fatal(err)
			}
			first, err := Run(ctx, []*Mapping{m}, Options{Client: stopping, OutDir: out, Concurrency: 1})
			if !errors.Is(err, context.Canceled) || first.Sent != 8 {
				t.Fatalf("first run: err %v, %+v; want 8 rows sent", err, first.Counts)
			}
			got := runIn(t, out, []*Mapping{m}, Options{Client: c, Resume: true})
			checkCounts(t, got, out, []*Mapping{m})
			if got.Counts != want.Counts {
				t.Errorf("resumed: %+v, want %+v", got.Counts, want.Counts)
			}
			for _, name := range []string{"errors.csv", "filtered.csv"} {
				a, b := filepath.Join(whole, name), filepath.Join(out, name)
				if _, err := os.Stat(a); err != nil {
					continue // error: no filtered file
				}
				if diff := cmp.Diff(reportLines(t, a, m), reportLines(t, b, m)); diff != "" {
					t.Errorf("%s: resumed (-uninterrupted +resumed):\n%s", name, diff)
				}
			}
		})
	}
}

// roundTripper is a function as an http.RoundTripper.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

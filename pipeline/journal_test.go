package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/sandbox"
)

func TestReadJournal(t *testing.T) {
	t.Parallel()
	header := `{"stbulk_journal":1,"started":"2026-11-27T03:00:00Z","mappings":[{"file":"/m.yaml","entity":"inventory","input":"/i.csv","size":10,"sha256":"ab"}]}` + "\n"
	for _, tc := range []struct {
		name     string
		lines    string
		final    map[int]string // row → outcome kept as final
		finished bool
	}{
		{"outcomes", `{"row":2,"o":"sent","h":"x","k":"myId=A","id":"7"}` + "\n" + `{"row":3,"o":"rejected","r":"bad"}` + "\n",
			map[int]string{2: "sent", 3: "rejected"}, false},
		{"torn last line", `{"row":2,"o":"sent"}` + "\n" + `{"row":3,"o":"se`,
			map[int]string{2: "sent"}, false},
		{"not final", `{"row":2,"o":"stopped"}` + "\n" + `{"row":3,"o":"unknown"}` + "\n" + `{"row":4,"o":"sending"}` + "\n",
			map[int]string{}, false},
		{"last outcome wins", `{"row":2,"o":"stopped"}` + "\n" + `{"row":2,"o":"sent"}` + "\n",
			map[int]string{2: "sent"}, false},
		{"a whole batch", `{"row":2,"o":"sent","b":"a.1","n":2}` + "\n" + `{"row":3,"o":"failed","b":"a.1","n":2}` + "\n",
			map[int]string{2: "sent", 3: "failed"}, false},
		{"a batch cut by the crash", `{"row":2,"o":"sent","b":"a.1","n":3}` + "\n" + `{"row":3,"o":"sent","b":"a.1","n":3}` + "\n",
			map[int]string{}, false},
		{"finished", `{"row":2,"o":"sent"}` + "\n" + `{"end":true}` + "\n",
			map[int]string{2: "sent"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), JournalName)
			if err := os.WriteFile(p, []byte(header+tc.lines), 0o644); err != nil {
				t.Fatal(err)
			}
			rp, err := readJournal(p)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int]string{}
			for k, e := range rp.outcomes {
				if e.final() {
					got[k[1]] = e.O
				}
			}
			if len(got) != len(tc.final) {
				t.Errorf("final outcomes %v, want %v", got, tc.final)
			}
			for row, o := range tc.final {
				if got[row] != o {
					t.Errorf("row %d: %q, want %q", row, got[row], o)
				}
			}
			if rp.finished != tc.finished {
				t.Errorf("finished %v", rp.finished)
			}
			if want := int64(len(header) + strings.LastIndexByte(tc.lines, '\n') + 1); rp.validLen != want {
				t.Errorf("valid length %d, want %d", rp.validLen, want)
			}
		})
	}
	p := filepath.Join(t.TempDir(), JournalName)
	if err := os.WriteFile(p, []byte("row,name\n1,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readJournal(p); err == nil || !strings.Contains(err.Error(), "not a stbulk journal") {
		t.Errorf("a CSV read as a journal: %v", err)
	}
}

// TestResumeRun stops a run after its first rows (--max-errors with bad
// rows first), resumes it, and checks that the rows sent are not sent
// again and that the reports are those of a whole run.
func TestResumeRun(t *testing.T) {
	t.Parallel()
	sb, c := startSandbox(t, sandbox.Config{})
	dir, m, out := customersRun(t, 30, "R")
	// The first run is interrupted once 10 rows were sent.
	ctx, cancel := context.WithCancel(context.Background())
	sent := 0
	first, err := Run(ctx, []*Mapping{m}, Options{Client: c, OutDir: out, Concurrency: 1,
		Progress: func(_ *Mapping, cs Counts) {
			if sent = cs.Sent; sent == 10 {
				cancel()
			}
		}})
	if err == nil || first.Sent < 10 || first.Sent == 30 {
		t.Fatalf("first run: err %v, sent %d", err, first.Sent)
	}
	before := sb.Server.Stats().ByEndpoint["POST Customer/Send"]
	second, err := Run(context.Background(), []*Mapping{m}, Options{Client: c, OutDir: out, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	resent := sb.Server.Stats().ByEndpoint["POST Customer/Send"] - before
	if second.Read != 30 || second.Sent != 30 || second.Failed != 0 {
		t.Errorf("resumed run: %+v; want 30 rows read and sent", second.Counts)
	}
	if resent != 30-first.Sent {
		t.Errorf("the resumed run sent %d rows, want the %d not sent before", resent, 30-first.Sent)
	}
	succ, err := os.ReadFile(filepath.Join(out, "success.csv"))
	if err != nil || strings.Count(string(succ), "\n") != 31 {
		t.Errorf("success.csv: %d lines (%v), want a header and 30 rows", strings.Count(string(succ), "\n"), err)
	}
	// The run has ended: there is nothing left to resume.
	if _, err := Run(context.Background(), []*Mapping{m}, Options{Client: c, OutDir: out, Resume: true}); err == nil || !strings.Contains(err.Error(), "nothing to resume") {
		t.Errorf("resuming a finished run: %v", err)
	}
	// FindResumable found it before, not now.
	if _, err := FindResumable(dir, []string{m.File}, ""); err == nil {
		t.Errorf("a finished run was found to resume")
	}
}

func TestResumeRefusesAnotherInput(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir, m, out := customersRun(t, 1, "A")
	input := filepath.Join(dir, "c.csv")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, []*Mapping{m}, Options{Client: c, OutDir: out}); err == nil {
		t.Fatal("an interrupted run ended without error")
	}
	if got, err := FindResumable(dir, []string{m.File}, ""); err != nil || got != out {
		t.Errorf("FindResumable: %q, %v; want %s", got, err, out)
	}
	time.Sleep(10 * time.Millisecond)
	if err := os.WriteFile(input, []byte("Code,Name\nA,a\nB,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), []*Mapping{m}, Options{Client: c, OutDir: out, Resume: true})
	if err == nil || !strings.Contains(err.Error(), "changed since the run") {
		t.Errorf("resuming with a changed input: %v", err)
	}
}

// TestMinQuotaStopsResumably: below --min-quota the run stops as a fatal
// stop, every row not sent in the errors file, and --resume goes on with it.
func TestMinQuotaStopsResumably(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{DailyQuota: 40})
	_, m, out := customersRun(t, 30, "Q")
	first, err := Run(context.Background(), []*Mapping{m}, Options{Client: c, OutDir: out, Concurrency: 1, MinQuota: 30})
	var fe *FatalError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "below --min-quota 30") {
		t.Fatalf("err %v, want a fatal stop naming --min-quota", err)
	}
	if first.Sent == 0 || first.Sent > 11 || first.Read != 30 || first.Failed != 30-first.Sent {
		t.Errorf("first run: %+v", first.Counts)
	}
	if first.QuotaRemaining == nil || *first.QuotaRemaining >= 30 {
		t.Errorf("quota left %v", first.QuotaRemaining)
	}
	second, err := Run(context.Background(), []*Mapping{m}, Options{Client: c, OutDir: out, Resume: true})
	if err != nil || second.Sent != 30 {
		t.Errorf("resumed: %v, %+v", err, second.Counts)
	}
}

// TestResumeUnkeyedInFlight: a row without its key that was being sent at
// the crash is not sent again on resume: its outcome is unknown.
func TestResumeUnkeyedInFlight(t *testing.T) {
	t.Parallel()
	sb, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	// Row 3 has no myId: sent again, it would create a second customer.
	if err := os.WriteFile(filepath.Join(dir, "c.csv"), []byte("Code,Name\nU-1,One\n,Two\nU-3,Three\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Parse(filepath.Join(dir, "m.yaml"), []byte("version: 1\nimport: customer\nsource: c.csv\nfields:\n  myId: Code\n  name: Name\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, []*Mapping{m}, Options{Client: c, OutDir: out}); err == nil {
		t.Fatal("an interrupted run ended without error")
	}
	// As a crash leaves it: the row was journaled as being sent.
	if err := m.Bind(filepath.Join(dir, "c.csv"), []string{"Code", "Name"}); err != nil {
		t.Fatal(err)
	}
	p, err := m.Build(readers.Row{Num: 3, Cells: []string{"", "Two"}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(out, JournalName), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, `{"row":3,"o":"sending","h":%q}`+"\n", payloadHash(p))
	f.Close()
	before := sb.Server.Stats().ByEndpoint["POST Customer/Send"]
	sum, err := Run(context.Background(), []*Mapping{m}, Options{Client: c, OutDir: out, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if sent := sb.Server.Stats().ByEndpoint["POST Customer/Send"] - before; sum.Sent != 2 || sum.Failed != 1 || sent != 2 {
		t.Errorf("resumed: %+v, %d requests; want rows 2 and 4 sent, row 3 not", sum.Counts, sent)
	}
	errs, err := os.ReadFile(filepath.Join(out, "errors.csv"))
	if err != nil || !strings.Contains(string(errs), "outcome unknown") || !strings.Contains(string(errs), "check in Synchroteam before sending it again") {
		t.Errorf("errors.csv:\n%s (%v)", errs, err)
	}
}

// customersRun prepares a customer import of n rows (myId prefix-00, …)
// in a new folder, and its run folder: the folder, the mapping and the run
// folder.
func customersRun(t *testing.T, n int, prefix string) (string, *Mapping, string) {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Code,Name\n")
	for i := range n {
		fmt.Fprintf(&b, "%s-%02d,Name %d\n", prefix, i, i)
	}
	writeFiles(t, dir, map[string]string{"c.csv": b.String()})
	m := parseIn(t, dir, "m.yaml", "version: 1\nimport: customer\nsource: c.csv\nfields:\n  myId: Code\n  name: Name\n")
	out := filepath.Join(dir, "run")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, m, out
}

// writeFiles writes name → content under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// unfinish removes the end line of a run's journal, as a kill after the
// last outcome was synced leaves it.
func unfinish(t *testing.T, out string) {
	t.Helper()
	p := filepath.Join(out, JournalName)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSuffix(string(b), "{\"end\":true}\n")
	if s == string(b) {
		t.Fatalf("the journal has no end line:\n%s", b)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runIn(t *testing.T, out string, maps []*Mapping, opts Options) *Summary {
	t.Helper()
	opts.OutDir = out
	if !opts.Resume {
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := Run(context.Background(), maps, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sum
}

func parseIn(t *testing.T, dir, name, src string) *Mapping {
	t.Helper()
	m, err := Parse(filepath.Join(dir, name), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestResumeInventoryClosedGroup: a row of a part and depot already sent
// earlier in the file is refused, in a resumed run as in the run that
// stopped — not sent alone to overwrite the quantity.
func TestResumeInventoryClosedGroup(t *testing.T) {
	t.Parallel()
	sb, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"inv.csv": "DEPOT;REFERENCE;QTY\nstock;p11;12\nstock;458;3\nstock;p11;5\n"})
	m := parseIn(t, dir, "m.yaml", "version: 1\nimport: inventory\nsource: inv.csv\nfields:\n  depot: DEPOT\n  reference: REFERENCE\n  quantity: { column: QTY, transform: [integer] }\n")
	out := filepath.Join(dir, "run")
	first := runIn(t, out, []*Mapping{m}, Options{Client: c})
	if first.Sent != 2 || first.Rejected != 1 {
		t.Fatalf("first run: %+v", first.Counts)
	}
	unfinish(t, out)
	before := sb.Server.Stats().ByEndpoint["PUT Inventory/Quantities"]
	second := runIn(t, out, []*Mapping{m}, Options{Client: c, Resume: true})
	if second.Counts != first.Counts {
		t.Errorf("resumed: %+v, want the first run's %+v", second.Counts, first.Counts)
	}
	if n := sb.Server.Stats().ByEndpoint["PUT Inventory/Quantities"] - before; n != 0 {
		t.Errorf("the resumed run sent %d requests, want none", n)
	}
}

// TestChangedOnlyKeepsChildren: an unchanged parent is not a failed one:
// its children are sent.
func TestChangedOnlyKeepsChildren(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	cust := parseIn(t, dir, "customers.yaml", "version: 1\nimport: customer\nsource: c.csv\nfields:\n  myId: Code\n  name: Name\n")
	site := parseIn(t, dir, "sites.yaml", "version: 1\nimport: site\nsource: s.csv\nfields:\n  myId: Code\n  name: Name\n  customerMyId: Customer\n")
	opts := Options{Client: c, ChangedOnly: true, LedgerDir: filepath.Join(dir, "ledger")}
	writeFiles(t, dir, map[string]string{"c.csv": "Code,Name\nRC-1,One\n", "s.csv": "Code,Name,Customer\nRS-1,Site,RC-1\n"})
	runIn(t, filepath.Join(dir, "first"), []*Mapping{cust, site}, opts)
	writeFiles(t, dir, map[string]string{"s.csv": "Code,Name,Customer\nRS-1,Site renamed,RC-1\n"})
	sum := runIn(t, filepath.Join(dir, "second"), []*Mapping{cust, site}, opts)
	if sum.Unchanged != 1 || sum.Sent != 1 || sum.Skipped != 0 || sum.NotSent() != 0 {
		t.Errorf("second run: %+v; want the customer unchanged and its site sent", sum.Counts)
	}
}

// TestResumeMappingsInAnotherOrder: the same mapping files, given in
// another order on the command line, are the same run.
func TestResumeMappingsInAnotherOrder(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.csv": "Code,Name\nOA-1,A\n", "b.csv": "Code,Name\nOB-1,B\n"})
	a := parseIn(t, dir, "a.yaml", "version: 1\nimport: customer\nsource: a.csv\nfields:\n  myId: Code\n  name: Name\n")
	b := parseIn(t, dir, "b.yaml", "version: 1\nimport: customer\nsource: b.csv\nfields:\n  myId: Code\n  name: Name\n")
	out := filepath.Join(dir, "run")
	runIn(t, out, []*Mapping{a, b}, Options{Client: c})
	unfinish(t, out)
	sum := runIn(t, out, []*Mapping{b, a}, Options{Client: c, Resume: true})
	if sum.Sent != 2 || sum.Mappings[0].Mapping != a.File {
		t.Errorf("resumed: %+v, first mapping %s", sum.Counts, sum.Mappings[0].Mapping)
	}
}

func TestResumeRefusesAnEditedMapping(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.csv": "Code,Name\nOE-1,A\n", "m.yaml": "version: 1\nimport: customer\nsource: a.csv\nfields:\n  myId: Code\n  name: Name\n"})
	m, err := Load(filepath.Join(dir, "m.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	runIn(t, out, []*Mapping{m}, Options{Client: c})
	unfinish(t, out)
	writeFiles(t, dir, map[string]string{"m.yaml": "version: 1\nimport: customer\nsource: a.csv\nfields:\n  myId: Code\n  name: { column: Name, transform: [upper] }\n"})
	if m, err = Load(filepath.Join(dir, "m.yaml")); err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), []*Mapping{m}, Options{Client: c, OutDir: out, Resume: true})
	if err == nil || !strings.Contains(err.Error(), "m.yaml changed since the run") {
		t.Errorf("resuming with an edited mapping: %v", err)
	}
}

// TestQuotaSpentStopsResumably: without --min-quota, a 429 asking to come
// back in hours (the daily quota spent) stops the run, resumable, instead
// of failing every row left.
func TestQuotaSpentStopsResumably(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{DailyQuota: 5})
	_, m, out := customersRun(t, 12, "QS")
	start := time.Now()
	sum, err := Run(context.Background(), []*Mapping{m}, Options{Client: c, OutDir: out, Concurrency: 2})
	var fe *FatalError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "resume the run") {
		t.Fatalf("err %v, want a fatal stop", err)
	}
	if sum.Sent > 5 || sum.Read != 12 {
		t.Errorf("%+v", sum.Counts)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the stop took %v", d)
	}
	rp, err := readJournal(filepath.Join(out, JournalName))
	if err != nil || rp.finished {
		t.Errorf("journal finished %v (%v): the run must be resumable", rp != nil && rp.finished, err)
	}
}

// BenchmarkJournalAdd measures the journal's cost per row outcome: lines
// synced every 64 lines or 200 ms (add), or at once (addNow, rows without
// their key).
func BenchmarkJournalAdd(b *testing.B) {
	for _, now := range []bool{false, true} {
		name := "batched"
		if now {
			name = "immediate"
		}
		b.Run(name, func(b *testing.B) {
			j, err := createJournal(filepath.Join(b.TempDir(), JournalName), journalHeader{})
			if err != nil {
				b.Fatal(err)
			}
			e := journalEntry{Row: 2, O: "sent", H: "29cba7350f615c01ab369d0984ffbdc0", K: "myId=CLI-002", ID: "35614"}
			for i := 0; b.Loop(); i++ {
				e.Row = i
				if err := j.append(e, now); err != nil {
					b.Fatal(err)
				}
			}
			if err := j.close(true); err != nil {
				b.Fatal(err)
			}
		})
	}
}

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

	"github.com/stbulk/stbulk/sandbox"
)

func TestLedgerFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l, err := openLedger(dir, "ws.synchroteam.com", "acme/../x", "customer")
	if err != nil {
		t.Fatal(err)
	}
	l.put("myId=A", "h1")
	l.put("myId=B", "h2")
	l.put("myId=A", "h3")
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ws.synchroteam.com", "acme_.._x", "customer.jsonl")
	// A torn last line, as a crash leaves it, is dropped.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("the ledger is not in the domain's folder: %v", err)
	}
	f.WriteString(`{"k":"myId=C","h":`)
	f.Close()
	l, err = openLedger(dir, "ws.synchroteam.com", "acme/../x", "customer")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key, hash string
		want      bool
	}{{"myId=A", "h3", true}, {"myId=A", "h1", false}, {"myId=B", "h2", true}, {"myId=C", "h4", false}, {"", "", false}} {
		if got := l.unchanged(tc.key, tc.hash); got != tc.want {
			t.Errorf("unchanged(%q, %q) = %v", tc.key, tc.hash, got)
		}
	}
	// Many updates of few keys: the file is compacted at close.
	for i := range 500 {
		l.put("myId=A", strings.Repeat("x", i%7+1))
	}
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || strings.Count(string(b), "\n") != 2 {
		t.Errorf("compacted ledger:\n%s (%v)", b, err)
	}
}

// TestChangedOnly imports the inventory sample three times with
// --changed-only: everything, then nothing, then the one part whose
// quantity changed, sent whole with its serials.
func TestChangedOnly(t *testing.T) {
	t.Parallel()
	sb, c := startSandbox(t, sandbox.Config{})
	dir := t.TempDir()
	sample, err := os.ReadFile(filepath.Join("..", "samples", "inventory.csv"))
	if err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(dir, "inventory.csv")
	if err := os.WriteFile(input, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	ledger := filepath.Join(dir, "ledger")
	run := func(name string) *Summary {
		t.Helper()
		m, err := Load(examplePath("inventory.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, name)
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		before := sb.Server.Stats().ByEndpoint["PUT Inventory/Quantities"]
		sum, err := Run(context.Background(), []*Mapping{m}, Options{Client: c, OutDir: out, Input: input, ChangedOnly: true, LedgerDir: ledger})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %+v, %d requests", name, sum.Counts, sb.Server.Stats().ByEndpoint["PUT Inventory/Quantities"]-before)
		return sum
	}
	first := run("first")
	if first.Sent == 0 || first.Unchanged != 0 {
		t.Fatalf("first run: %+v", first.Counts)
	}
	second := run("second")
	if second.Sent != 0 || second.Unchanged != first.Sent || second.Read != first.Read {
		t.Errorf("second run, nothing changed: %+v; want every row sent before unchanged", second.Counts)
	}
	// One serial of refHi001 in depot stock changes: its three rows go
	// again, together (the quantity is set by all of them).
	changed := strings.Replace(string(sample), "SN-HI-24001", "SN-HI-24009", 1)
	if changed == string(sample) {
		t.Fatal("the sample has no SN-HI-24001")
	}
	if err := os.WriteFile(input, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	third := run("third")
	if third.Sent != 3 || third.Unchanged != first.Sent-3 {
		t.Errorf("third run, one part changed: %+v; want its 3 rows sent and the rest unchanged", third.Counts)
	}
}

// crashAt runs opts until sent rows were sent, and leaves the journal and
// the ledger as a kill -9 at that moment would: what the run had written
// to its files then (synced or in the system's cache), not what its
// buffers held.
func crashAt(t *testing.T, m *Mapping, opts Options, sent int) {
	t.Helper()
	files := map[string][]byte{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts.Concurrency = 1
	opts.Progress = func(_ *Mapping, cs Counts) {
		if cs.Sent != sent || len(files) > 0 {
			return
		}
		// The journal syncs what is pending every 200 ms.
		time.Sleep(3 * syncAfter / 2)
		for _, p := range []string{filepath.Join(opts.OutDir, JournalName), ledgerPath(opts.LedgerDir)} {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Error(err)
			}
			files[p] = b
		}
		cancel()
	}
	if err := os.Mkdir(opts.OutDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, []*Mapping{m}, opts); err == nil || len(files) == 0 {
		t.Fatalf("the run was not stopped after %d rows sent: %v", sent, err)
	}
	for p, b := range files {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// ledgerPath is the customer ledger of the test sandbox under dir.
func ledgerPath(dir string) string {
	entries, _ := filepath.Glob(filepath.Join(dir, "*", "*", "customer.jsonl"))
	if len(entries) != 1 {
		return filepath.Join(dir, "missing")
	}
	return entries[0]
}

// twoVersions writes w1.csv and w2.csv: the same n customers, named
// otherwise.
func twoVersions(t *testing.T, n int) (string, *Mapping) {
	t.Helper()
	dir := t.TempDir()
	var w1, w2 strings.Builder
	w1.WriteString("Code,Name\n")
	w2.WriteString("Code,Name\n")
	for i := range n {
		fmt.Fprintf(&w1, "LC-%02d,First %d\n", i, i)
		fmt.Fprintf(&w2, "LC-%02d,Second %d\n", i, i)
	}
	writeFiles(t, dir, map[string]string{"w1.csv": w1.String(), "w2.csv": w2.String()})
	return dir, parseIn(t, dir, "m.yaml", "version: 1\nimport: customer\nsource: w1.csv\nfields:\n  myId: Code\n  name: Name\n")
}

// TestLedgerAfterCrashAndResume: a --changed-only run killed mid-run and
// resumed leaves no key with a hash the API does not hold: the first
// version imported again is sent whole.
func TestLedgerAfterCrashAndResume(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir, m := twoVersions(t, 30)
	ledger := filepath.Join(dir, "ledger")
	opts := func(input string) Options {
		return Options{Client: c, ChangedOnly: true, LedgerDir: ledger, Input: filepath.Join(dir, input)}
	}
	runIn(t, filepath.Join(dir, "w1"), []*Mapping{m}, opts("w1.csv"))
	o := opts("w2.csv")
	o.OutDir = filepath.Join(dir, "w2")
	crashAt(t, m, o, 10)
	o.Resume, o.Progress = true, nil
	// Rows confirmed after the journal's last sync are in the ledger:
	// unchanged.
	if sum := runIn(t, o.OutDir, []*Mapping{m}, o); sum.Sent+sum.Unchanged != 30 || sum.NotSent() != 0 {
		t.Fatalf("resumed: %+v", sum.Counts)
	}
	// The rows sent before the crash are restored from the journal.
	if sum := runIn(t, filepath.Join(dir, "w2-again"), []*Mapping{m}, opts("w2.csv")); sum.Unchanged != 30 {
		t.Errorf("the second version again: %+v; want every row unchanged", sum.Counts)
	}
	if sum := runIn(t, filepath.Join(dir, "w1-again"), []*Mapping{m}, opts("w1.csv")); sum.Sent != 30 || sum.Unchanged != 0 {
		t.Errorf("the first version again: %+v; want every row sent (the API holds the second)", sum.Counts)
	}
}

// TestLedgerAfterCrashNoResume: after a crash, a row the API applied is
// not counted unchanged by a new run of the old values.
func TestLedgerAfterCrashNoResume(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir, m := twoVersions(t, 30)
	ledger := filepath.Join(dir, "ledger")
	opts := func(input string) Options {
		return Options{Client: c, ChangedOnly: true, LedgerDir: ledger, Input: filepath.Join(dir, input)}
	}
	runIn(t, filepath.Join(dir, "w1"), []*Mapping{m}, opts("w1.csv"))
	o := opts("w2.csv")
	o.OutDir = filepath.Join(dir, "w2")
	crashAt(t, m, o, 10)
	if sum := runIn(t, filepath.Join(dir, "w1-again"), []*Mapping{m}, opts("w1.csv")); sum.Sent < 10 || sum.Sent+sum.Unchanged != 30 {
		t.Errorf("the first version again: %+v; want at least the 10 rows sent before the crash sent again", sum.Counts)
	}
}

// TestLedgerSharedByTwoRuns: a run with the ledger of a run going on is
// refused before it sends anything; once that run ended, it goes.
func TestLedgerSharedByTwoRuns(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	dir, m := twoVersions(t, 5)
	ledger := filepath.Join(dir, "ledger")
	second := make(chan error, 1)
	o := Options{Client: c, ChangedOnly: true, LedgerDir: ledger, Input: filepath.Join(dir, "w1.csv"), Concurrency: 1,
		Progress: func(_ *Mapping, cs Counts) {
			if cs.Sent != 1 {
				return
			}
			m2 := parseIn(t, dir, "m2.yaml", "version: 1\nimport: customer\nsource: w2.csv\nfields:\n  myId: Code\n  name: Name\n")
			out := filepath.Join(dir, "second")
			if err := os.Mkdir(out, 0o755); err != nil {
				second <- err
				return
			}
			_, err := Run(context.Background(), []*Mapping{m2}, Options{Client: c, ChangedOnly: true, LedgerDir: ledger, OutDir: out})
			second <- err
		}}
	first := runIn(t, filepath.Join(dir, "first"), []*Mapping{m}, o)
	err := <-second
	var ps Problems
	if !errors.As(err, &ps) || !strings.Contains(err.Error(), "another stbulk run is using this ledger") {
		t.Errorf("a second run on the ledger: %v; want it refused (Problems)", err)
	}
	if first.Sent != 5 {
		t.Errorf("first run: %+v", first.Counts)
	}
	if _, err := os.Stat(filepath.Join(dir, "second", JournalName)); err == nil {
		t.Errorf("the refused run left a journal")
	}
	o.Progress = nil
	if sum := runIn(t, filepath.Join(dir, "third"), []*Mapping{m}, o); sum.Unchanged != 5 {
		t.Errorf("after the first run: %+v; want every row unchanged", sum.Counts)
	}
}

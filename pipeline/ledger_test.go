package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

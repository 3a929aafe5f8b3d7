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
	dir := t.TempDir()
	input := filepath.Join(dir, "c.csv")
	var b strings.Builder
	b.WriteString("Code,Name\n")
	for i := range 30 {
		b.WriteString("R-" + string(rune('A'+i%26)) + string(rune('a'+i/26)) + ",Name " + string(rune('A'+i%26)) + "\n")
	}
	if err := os.WriteFile(input, []byte(b.String()), 0o644); err != nil {
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
	dir := t.TempDir()
	input := filepath.Join(dir, "c.csv")
	if err := os.WriteFile(input, []byte("Code,Name\nA,a\n"), 0o644); err != nil {
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
	if got, err := FindResumable(dir, []string{m.File}, ""); err != nil || got != out {
		t.Errorf("FindResumable: %q, %v; want %s", got, err, out)
	}
	time.Sleep(10 * time.Millisecond)
	if err := os.WriteFile(input, []byte("Code,Name\nA,a\nB,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), []*Mapping{m}, Options{Client: c, OutDir: out, Resume: true})
	if err == nil || !strings.Contains(err.Error(), "changed since the run") {
		t.Errorf("resuming with a changed input: %v", err)
	}
}

// TestMinQuotaStopsResumably: below --min-quota the run stops as a fatal
// stop, every row not sent in the errors file, and --resume goes on with it.
func TestMinQuotaStopsResumably(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{DailyQuota: 40})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Code,Name\n")
	for i := range 30 {
		b.WriteString("Q-" + string(rune('A'+i%26)) + string(rune('a'+i/26)) + ",N\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "c.csv"), []byte(b.String()), 0o644); err != nil {
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

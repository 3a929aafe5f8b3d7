package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

// planCSV reads a plan's rows: "row outcome key | changes | reason".
func planCSV(t *testing.T, path string) map[string]string {
	t.Helper()
	src, err := readers.Open(path, readers.CSVOptions{}, readers.XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out := map[string]string{}
	for {
		r, err := src.Next()
		if err != nil {
			break
		}
		c := r.Cells // mapping, _row, outcome, key, changes, not checked, reason
		out[c[1]] = strings.Join([]string{c[2], c[3], c[4], c[5], c[6]}, " | ")
	}
	return out
}

// writeRequests counts the requests of a sandbox that are not reads.
func writeRequests(sb *sandbox.Running) int {
	n := 0
	for ep, c := range sb.Server.Stats().ByEndpoint {
		if !strings.HasPrefix(ep, "GET ") {
			n += c
		}
	}
	return n
}

// TestPlanThenImportThenVerify: a plan of the sample customers says what
// each row will do and sends nothing; once imported, a second plan of a
// changed file lists the fields that change; verify finds every row as
// sent, then the one record changed behind its back.
func TestPlanThenImportThenVerify(t *testing.T) {
	t.Parallel()
	sb, c := startSandbox(t, sandbox.Config{})
	ctx := context.Background()
	dir := t.TempDir()
	maps := loadExamples(t, "customers.yaml")

	before := writeRequests(sb)
	plan, err := Plan(ctx, maps, PlanOptions{Client: c, OutDir: mkdir(t, dir, "plan1"), Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if n := writeRequests(sb) - before; n != 0 {
		t.Fatalf("the plan made %d write requests", n)
	}
	rows := planCSV(t, filepath.Join(dir, "plan1", "plan.csv"))
	// CLI-001 is new; CUST-FR-001 is in the demo data, with other values.
	if got := rows["2"]; !strings.HasPrefix(got, "create | myId=CLI-001 |") {
		t.Errorf("row 2: %s", got)
	}
	if got := rows["13"]; !strings.HasPrefix(got, "refused |") || !strings.Contains(got, "name (column Name): required") {
		t.Errorf("row 13: %s", got)
	}
	total := 0
	for _, n := range plan.Outcomes {
		total += n
	}
	if total != plan.DryRun.Read || len(rows) != total {
		t.Errorf("%d outcomes, %d plan rows, %d rows read", total, len(rows), plan.DryRun.Read)
	}

	run := mkdir(t, dir, "run")
	sum, err := Run(ctx, maps, Options{Client: c, OutDir: run, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}

	// The plan made just before names what each row sent did.
	src, err := readers.Open(sum.Mappings[0].Success, readers.CSVOptions{}, readers.XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rc, oc := slices.Index(src.Header(), "_row"), slices.Index(src.Header(), "_outcome")
	outcomes := map[string]string{}
	for {
		r, err := src.Next()
		if err != nil {
			break
		}
		outcomes[r.Cells[rc]] = r.Cells[oc]
	}
	if outcomes["2"] != "created" || outcomes["22"] != "updated" {
		t.Errorf("success.csv outcomes: %v", outcomes)
	}

	// Verify: every row sent is there as sent.
	v, err := Verify(ctx, run, VerifyOptions{Client: c, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if v.Checked != sum.Sent || v.Mismatched != 0 {
		t.Fatalf("verify: %+v after %d rows sent", v, sum.Sent)
	}

	// Someone changes a customer in Synchroteam: verify says which field.
	if _, err := c.SendRecord(ctx, "Customer/Send", map[string]any{"myId": "CLI-002", "name": "Pâtisserie renamed"}, true); err != nil {
		t.Fatal(err)
	}
	v, err = Verify(ctx, run, VerifyOptions{Client: c, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	lines, err := os.ReadFile(v.File)
	if err != nil {
		t.Fatal(err)
	}
	if v.Mismatched != 1 || v.Fields != 1 || !strings.Contains(string(lines), "customers.yaml,3,myId=CLI-002,name,Pâtisserie Le Nœud Papillon,Pâtisserie renamed\n") {
		t.Errorf("verify: %+v\n%s", v, lines)
	}

	// A plan of the same file now: that row updates its name back, the
	// others are unchanged.
	plan, err = Plan(ctx, maps, PlanOptions{Client: c, OutDir: mkdir(t, dir, "plan2"), XLSX: true})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Outcomes[PlanUpdate] != 1 || plan.Outcomes[PlanUnchanged] != sum.Sent-1 || plan.Outcomes[PlanCreate] != 0 {
		t.Errorf("second plan: %v", plan.Outcomes)
	}
	if len(plan.Files) != 1 || filepath.Base(plan.Files[0]) != "plan.xlsx" {
		t.Errorf("files %v", plan.Files)
	}

	// Each folder has the page a person reads, of its kind.
	for dir, want := range map[string][]string{
		filepath.Join(dir, "plan1"): {"<title>stbulk plan</title>", "create", "refused: name (column Name): required: value is empty"},
		run:                         {"<title>stbulk import</title>", "rejected", "name (column Name): required: value is empty"},
		filepath.Dir(v.File):        {"<title>stbulk verify</title>", "not as sent", "name not as sent"},
		filepath.Join(dir, "plan2"): {"<title>stbulk plan</title>", "update: name changes"},
	} {
		page, err := os.ReadFile(filepath.Join(dir, ReportName))
		if err != nil {
			t.Error(err)
			continue
		}
		for _, w := range want {
			if !strings.Contains(string(page), w) {
				t.Errorf("%s/%s does not hold %q", dir, ReportName, w)
			}
		}
	}
}

// TestVerifyRefusesAChangedInput: the payloads are built again from the
// run's files, which must be as they were.
func TestVerifyRefusesAChangedInput(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	ctx := context.Background()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("CODE,NAME\nC1,Ann\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mf := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(mf, []byte("version: 1\nimport: customer\nsource: in.csv\nfields:\n  myId: CODE\n  name: NAME\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := Load(mf)
	if err != nil {
		t.Fatal(err)
	}
	run := mkdir(t, dir, "run")
	if _, err := Run(ctx, []*Mapping{m}, Options{Client: c, OutDir: run}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, []byte("CODE,NAME\nC1,Bob\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Verify(ctx, run, VerifyOptions{Client: c})
	if err == nil || !strings.Contains(err.Error(), "in.csv changed since the run") {
		t.Errorf("err = %v", err)
	}
	other, err := synchroteam.NewClient(synchroteam.WithBaseURL("http://127.0.0.1:1"), synchroteam.WithCredentials("other", testKey))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(ctx, run, VerifyOptions{Client: other})
	if err == nil || !strings.Contains(err.Error(), `the run sent to domain "`+testDomain+`"`) {
		t.Errorf("err = %v", err)
	}
	if _, err := Verify(ctx, dir, VerifyOptions{Client: c}); err == nil || !strings.Contains(err.Error(), "has no journal.jsonl") {
		t.Errorf("err = %v", err)
	}
}

func mkdir(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(parts...)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

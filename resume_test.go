package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

// TestKillAndResume imports customers with the real binary, kills it with
// SIGKILL at random moments, resumes it (itself killed at times), and checks
// that in the end every row is in Synchroteam exactly once, the summary's
// counts add up to the input's rows, and the reports are complete.
// STBULK_KILL_ROUNDS sets the number of runs (default 3).
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the binary many times")
	}
	bin, err := exec.LookPath("stbulk")
	if err != nil {
		t.Fatalf("the stbulk command of the test binary: %v", err)
	}
	rounds := 3
	if v := os.Getenv("STBULK_KILL_ROUNDS"); v != "" {
		if _, err := fmt.Sscan(v, &rounds); err != nil {
			t.Fatalf("STBULK_KILL_ROUNDS=%q: %v", v, err)
		}
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	for round := range rounds {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			killAndResume(t, bin, rng.Uint64())
		})
	}
}

func killAndResume(t *testing.T, bin string, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 11))
	const rows = 60
	const domain, key = "acme", "kill-9-key"
	sb, err := sandbox.Start(sandbox.Config{Domain: domain, APIKey: key, Latency: 20 * time.Millisecond, Seed: int64(seed % 1000)}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()

	dir := t.TempDir()
	input := filepath.Join(dir, "customers.csv")
	f, err := os.Create(input)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"Code", "Name", "City"})
	for i := range rows {
		_ = w.Write([]string{fmt.Sprintf("K-%03d", i), fmt.Sprintf("Client %d", i), "Lyon"})
	}
	w.Flush()
	if err := f.Close(); err != nil || w.Error() != nil {
		t.Fatal(err, w.Error())
	}
	mapping := filepath.Join(dir, "customers.yaml")
	if err := os.WriteFile(mapping, []byte("version: 1\nimport: customer\nsource: customers.csv\nfields:\n  myId: Code\n  name: Name\n  adressCity: City\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	env := append(os.Environ(), "SYNCHROTEAM_URL="+sb.URL, "SYNCHROTEAM_DOMAIN="+domain, "SYNCHROTEAM_API_KEY="+key)
	start := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Dir = env, dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	// The first run and up to two resumes are killed after 0 to 1.2 s; the
	// rate (20 requests/s) makes the whole import take about 3 s.
	args := []string{"import", mapping, "--out", run, "--rate", "20", "--concurrency", "4", "-q"}
	kills := 1 + rng.IntN(3)
	for k := range kills {
		cmd := start(args...)
		wait := time.Duration(rng.IntN(1200)) * time.Millisecond
		time.Sleep(wait)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Logf("kill %d after %v", k+1, wait)
		if _, err := os.Stat(filepath.Join(run, "journal.jsonl")); err != nil {
			// Killed before its journal was written: nothing was sent; the
			// next attempt is a new run.
			if sent := countCustomers(t, sb.URL, domain, key); sent != 0 {
				t.Fatalf("no journal, but %d customers were created", sent)
			}
			continue
		}
		args = []string{"import", mapping, "--resume", run, "--rate", "20", "--concurrency", "4", "-q"}
	}
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Dir = env, dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the last run: %v\n%s", err, out)
	}

	var sum struct {
		Read, Sent, Rejected, Failed, Skipped int
		Stopped                               string
	}
	b, err := os.ReadFile(filepath.Join(run, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Read != rows || sum.Sent != rows || sum.Stopped != "" {
		t.Errorf("summary: %+v; want %d rows read and sent", sum, rows)
	}
	errs, err := os.ReadFile(filepath.Join(run, "errors.csv"))
	if err != nil || strings.Count(strings.TrimSpace(string(errs)), "\n") != 0 {
		t.Errorf("errors.csv holds rows (%v):\n%s", err, errs)
	}
	succ, err := os.ReadFile(filepath.Join(run, "success.csv"))
	if err != nil || strings.Count(strings.TrimSpace(string(succ)), "\n") != rows {
		t.Errorf("success.csv does not list the %d rows (%v)", rows, err)
	}
	// Rows the journal gave a final outcome are not sent again: besides the
	// rows, only those in flight or not yet synced at each kill (4 in
	// flight, and the journal syncs at least every 200 ms, 4 rows at 20/s).
	sends := sb.Server.Stats().ByEndpoint["POST Customer/Send"]
	t.Logf("%d rows, %d kill(s), %d Customer/Send requests in all", rows, kills, sends)
	if sends < rows || sends > rows+kills*10 {
		t.Errorf("%d Customer/Send requests for %d rows and %d kill(s): rows already sent were sent again", sends, rows, kills)
	}
	if n := countCustomers(t, sb.URL, domain, key); n != rows {
		t.Errorf("%d customers in the sandbox, want %d", n, rows)
	}
	perID := customersByMyID(t, sb.URL, domain, key)
	for i := range rows {
		id := fmt.Sprintf("K-%03d", i)
		if perID[id] != 1 {
			t.Errorf("customer %s is in the sandbox %d times, want once", id, perID[id])
		}
	}
}

func sandboxClient(t *testing.T, url, domain, key string) *synchroteam.Client {
	t.Helper()
	c, err := synchroteam.NewClient(synchroteam.WithBaseURL(url), synchroteam.WithCredentials(domain, key), synchroteam.WithRate(1000))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func customersByMyID(t *testing.T, url, domain, key string) map[string]int {
	t.Helper()
	list, err := sandboxClient(t, url, domain, key).Customers.List(context.Background(), synchroteam.Date{})
	if err != nil && !errors.Is(err, synchroteam.ErrNotFound) {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, c := range list {
		out[c.MyID]++
	}
	return out
}

func countCustomers(t *testing.T, url, domain, key string) int {
	n := 0
	for _, c := range customersByMyID(t, url, domain, key) {
		n += c
	}
	return n
}

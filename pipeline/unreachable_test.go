package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

// customersFile writes n customers and a mapping of them into a folder and
// loads the mapping.
func customersFile(t *testing.T, n int) *Mapping {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,name\n")
	for i := range n {
		fmt.Fprintf(&b, "C-%04d,Customer %d\n", i, i)
	}
	mapping := "version: 1\nimport: customer\nsource: customers.csv\nfields:\n  myId: id\n  name: name\n"
	for name, data := range map[string]string{"customers.csv": b.String(), "customers.yaml": mapping} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Load(filepath.Join(dir, "customers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Against an API that drops 30 % of connections, fails 30 % of requests
// with 5xx and limits 10 %, a row whose retries are exhausted fails alone:
// the API answers, the run goes on to the end.
func TestRunFlakyAPIRowsFailAlone(t *testing.T) {
	t.Parallel()
	few := synchroteam.RetryPolicy{MaxAttempts: 3, MaxElapsed: 30 * time.Second, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	_, c := startSandbox(t, sandbox.Config{DropRate: 0.3, FailRate: 0.3, LimitRate: 0.1, Seed: 11}, synchroteam.WithRetryPolicy(few))
	maps := []*Mapping{customersFile(t, 80)}
	dir := t.TempDir()
	sum, err := Run(context.Background(), maps, Options{Client: c, OutDir: dir, Concurrency: 4})
	var fatal *FatalError
	if errors.As(err, &fatal) || sum == nil || sum.Stopped != "" {
		t.Fatalf("Run = %v, stopped %q: want the run to go on", err, stoppedOf(sum))
	}
	checkCounts(t, sum, dir, maps)
	if sum.Read != 80 || sum.Sent+sum.Failed != 80 || sum.Failed == 0 {
		t.Fatalf("counts %+v: want 80 rows read, sent or failed, some failed", sum.Counts)
	}
	lost := 0
	for _, why := range errorReasons(t, sum.Mappings[0].Errors, maps[0]) {
		if strings.Contains(why, "gave up after") && !strings.Contains(why, "not sent") {
			lost++
		}
	}
	if lost == 0 {
		t.Errorf("no row failed on its exhausted retries: the test proves nothing")
	}
}

func stoppedOf(s *Summary) string {
	if s == nil {
		return ""
	}
	return s.Stopped
}

// An API whose connections are refused stops the run in seconds, saying so.
func TestRunRefusedAPIStopsQuickly(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := synchroteam.NewClient(synchroteam.WithBaseURL("http://"+addr), synchroteam.WithCredentials(testDomain, testKey))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := Run(context.Background(), []*Mapping{customersFile(t, 50)}, Options{Client: c, OutDir: t.TempDir()})
	var fatal *FatalError
	want := "the API is unreachable at " + addr + ": connection refused"
	if !errors.As(err, &fatal) || !strings.Contains(err.Error(), want) || sum == nil || !strings.Contains(sum.Stopped, want) {
		t.Fatalf("Run = %v, stopped %q; want a *FatalError saying %q", err, stoppedOf(sum), want)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("stopped after %v, want within 3s", took)
	}
}

//go:build unix

package pipeline_test

// BenchmarkImportCPU sends customer rows to a sandbox without a rate limit
// or latency, with stbulk import's default concurrency (8), and reports the
// client's CPU time per 1,000 requests (cpu-s/1000req): the cost of a live
// import on the machine that runs it. The sandbox runs as another process
// (the stbulk binary's `stbulk sandbox`), so that its CPU time is not the
// client's; it is reported apart (sandbox-cpu-s/1000req, its whole life:
// start, requests, stop).
//
//	go build -o /tmp/stbulk-bench . && STBULK_BIN=/tmp/stbulk-bench \
//	  STBULK_BENCH_CPU_ROWS=2000 go test -run '^$' -bench ImportCPU -benchtime 3x ./pipeline/
//
// Without STBULK_BIN, the benchmark builds the binary (with the go command
// on PATH) before measuring.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/synchroteam"
)

// cpuTime returns the user and system CPU time of a resource usage.
func cpuTime(ru *syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// selfCPU returns the CPU time this process has used.
func selfCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return cpuTime(&ru)
}

// stbulkBinary returns STBULK_BIN, or a binary built from the module.
func stbulkBinary(b *testing.B) string {
	if p := os.Getenv("STBULK_BIN"); p != "" {
		return p
	}
	bin := filepath.Join(b.TempDir(), "stbulk")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/stbulk/stbulk").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// sandboxProcess is `stbulk sandbox` running as a child process.
type sandboxProcess struct {
	cmd *exec.Cmd
	URL string
}

// startSandboxProcess starts `stbulk sandbox` on a free loopback port,
// without a rate limit, with the account of the fixtures file, and waits
// until it listens. The process is killed when the benchmark ends without
// stop (a failure): it holds the test's stderr, which go test waits on.
func startSandboxProcess(b *testing.B, bin, domain, key, fixtures string) *sandboxProcess {
	cmd := exec.Command(bin, "sandbox", "--addr", "127.0.0.1:0", "--domain", domain, "--api-key", key, "--fixtures", fixtures)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	// The first line: "stbulk sandbox: a LOCAL … sandbox … is listening on http://…".
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		_ = cmd.Process.Kill()
		b.Fatalf("stbulk sandbox said nothing: %v", lines.Err())
	}
	first := lines.Text()
	_, url, ok := strings.Cut(first, "listening on ")
	if !ok {
		_ = cmd.Process.Kill()
		b.Fatalf("stbulk sandbox: %q, want the address it listens on", first)
	}
	// Keep reading what it says, so that it never blocks on a full pipe.
	go func() {
		for lines.Scan() {
		}
	}()
	return &sandboxProcess{cmd: cmd, URL: strings.TrimSpace(url)}
}

// stop interrupts the sandbox and returns the CPU time it used.
func (p *sandboxProcess) stop(b *testing.B) time.Duration {
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		b.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		b.Fatalf("stbulk sandbox: %v", err)
	}
	ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Fatal("no resource usage of the sandbox process")
	}
	return cpuTime(ru)
}

// BenchmarkImportCPU imports STBULK_BENCH_CPU_ROWS customer rows (default
// 2,000) per iteration into a new sandbox process.
func BenchmarkImportCPU(b *testing.B) {
	rows := envInt(b, "STBULK_BENCH_CPU_ROWS", 2000)
	bin := stbulkBinary(b)
	dir := b.TempDir()
	input := filepath.Join(dir, "customers.csv")
	writeCustomersCSV(b, input, rows, 3, true)
	const domain, key = "bench", "bench-key"
	// The account defines the custom field the mapping fills: the sandbox
	// refuses a value for a field it does not define.
	fixtures := filepath.Join(dir, "fixtures.yaml")
	if err := os.WriteFile(fixtures, []byte("version: 1\ncustomFields:\n  customer: [Customer since]\n"), 0o644); err != nil {
		b.Fatal(err)
	}

	var requests int64
	var clientCPU, sandboxCPU, elapsed time.Duration
	iter := 0
	for b.Loop() {
		b.StopTimer()
		sb := startSandboxProcess(b, bin, domain, key, fixtures)
		client, err := synchroteam.NewClient(synchroteam.WithBaseURL(sb.URL), synchroteam.WithCredentials(domain, key),
			synchroteam.WithRate(1e6))
		if err != nil {
			b.Fatal(err)
		}
		out := filepath.Join(dir, fmt.Sprintf("run-%d", iter))
		if err := os.Mkdir(out, 0o755); err != nil {
			b.Fatal(err)
		}
		m := benchParse(b)
		b.StartTimer()
		cpu0, t0 := selfCPU(b), time.Now()
		sum, err := pipeline.Run(context.Background(), []*pipeline.Mapping{m}, pipeline.Options{
			Client: client, Input: input, OutDir: out, Concurrency: 8,
		})
		d, cpu := time.Since(t0), selfCPU(b)-cpu0
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if sum.Sent != rows {
			// The directory goes with the benchmark: say why in the log.
			errs, _ := os.ReadFile(filepath.Join(out, "errors.csv"))
			if len(errs) > 2000 {
				errs = errs[:2000]
			}
			b.Fatalf("sent %d of %d rows (failed %d, rejected %d); errors.csv begins:\n%s", sum.Sent, rows, sum.Failed, sum.Rejected, errs)
		}
		n := client.Counters().Requests
		sbCPU := sb.stop(b)
		requests += n
		clientCPU += cpu
		sandboxCPU += sbCPU
		elapsed += d
		iter++
		b.Logf("iteration %d: %d rows, %d requests in %v: client %v CPU, sandbox %v CPU", iter, rows, n, d.Round(time.Millisecond),
			cpu.Round(time.Millisecond), sbCPU.Round(time.Millisecond))
		b.StartTimer()
	}
	perK := func(d time.Duration) float64 { return d.Seconds() / float64(requests) * 1000 }
	b.ReportMetric(perK(clientCPU), "cpu-s/1000req")
	b.ReportMetric(perK(sandboxCPU), "sandbox-cpu-s/1000req")
	b.ReportMetric(float64(requests)/elapsed.Seconds(), "req/s")
}

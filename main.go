// Command stbulk moves data in and out of Synchroteam through its REST API.
//
// main only parses the command line and maps results to exit codes; the work
// is done by the packages it calls.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

// Exit codes, the contract scripts and cron jobs rely on.
const (
	exitOK          = 0   // every row succeeded
	exitRowsFailed  = 1   // the run finished, some rows were rejected or failed
	exitUsage       = 2   // usage or mapping-file error: nothing was sent
	exitFatal       = 3   // fatal at run time: authentication refused, API unreachable
	exitInterrupted = 130 // interrupted
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// streams are the command's outputs, injected so tests can read them.
type streams struct {
	out, err io.Writer
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Main runs stbulk with args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, streams{out: stdout, err: stderr})
}

func run(ctx context.Context, args []string, io streams) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(io.err, "stbulk:", err)
	return exitCode(err)
}

// exitCode maps an error to the exit code contract, in one place.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	default:
		return exitFatal
	}
}

func newRootCmd(io streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "stbulk",
		Short: "Move data in and out of Synchroteam through its REST API",
		Long: `stbulk moves data in and out of Synchroteam, the field-service platform,
through its REST API v2.

Credentials come from the environment only:
  SYNCHROTEAM_DOMAIN    your domain identifier (mycompany for mycompany.synchroteam.com)
  SYNCHROTEAM_API_KEY   the API key (Configuration, Authentication Key)
  SYNCHROTEAM_URL       optional, default ` + synchroteam.DefaultURL + `

Exit codes: 0 success, 1 some rows failed, 2 usage error, 3 fatal, 130 interrupted.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(io.out)
	root.SetErr(io.err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newVersionCmd(io), newSandboxCmd(io))
	return root
}

func newVersionCmd(io streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of stbulk",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(io.out, "stbulk", buildVersion())
			return nil
		},
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), strings.Join(args, " "))
	}
	return nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// sandboxOptions are the inputs of `stbulk sandbox`.
type sandboxOptions struct {
	addr     string
	domain   string
	apiKey   string
	rate     float64
	burst    int
	failRate float64
	latency  time.Duration
	seed     int64
	quota    int
	state    string
	demo     bool
	verbose  bool
}

func newSandboxCmd(io streams) *cobra.Command {
	opts := &sandboxOptions{}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a local Synchroteam API server (in memory) for rehearsals and tests",
		Long: `Run a local, in-memory server that answers like the Synchroteam API v2:
every endpoint of the reference, its authentication, its quirks, a rate limit
and fault injection. Point stbulk (or any client) at it with SYNCHROTEAM_URL.

The domain and key default to SYNCHROTEAM_DOMAIN and SYNCHROTEAM_API_KEY.
The server runs until interrupted (Ctrl-C or SIGTERM); with --state it then
writes its state to that file, and loads it on the next start.`,
		Example: `  # a sandbox with demo data, as the acme domain
  stbulk sandbox --addr 127.0.0.1:8765 --domain acme --api-key K --demo

  # rehearse a load under faults: 5 requests/s, 10% failures, 100 ms latency
  stbulk sandbox --demo --rate 5 --fail-rate 0.1 --latency 100ms --seed 7

  # keep the state between runs
  stbulk sandbox --demo --state sandbox-state.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSandbox(cmd.Context(), opts, io)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.addr, "addr", "127.0.0.1:8765", "address to listen on (host:port; port 0 picks a free one)")
	f.StringVar(&opts.domain, "domain", "", "domain the server accepts (default $"+synchroteam.EnvDomain+")")
	f.StringVar(&opts.apiKey, "api-key", "", "API key the server accepts (default $"+synchroteam.EnvAPIKey+")")
	f.Float64Var(&opts.rate, "rate", 0, "requests per second before answering 429 (0: no limit)")
	f.IntVar(&opts.burst, "burst", 0, "requests allowed at once above the rate (0: the rate, rounded up)")
	f.Float64Var(&opts.failRate, "fail-rate", 0, "fraction of requests (0 to 1) that fail with 500, 503 or a dropped connection")
	f.DurationVar(&opts.latency, "latency", 0, "delay added to every request (e.g. 100ms)")
	f.Int64Var(&opts.seed, "seed", 1, "seed of fault injection and generated ids (same seed, same faults)")
	f.IntVar(&opts.quota, "quota", 0, "daily request quota announced in X-Quota-Remaining (0: 100000)")
	f.StringVar(&opts.state, "state", "", "file the state is loaded from at start and saved to at stop")
	f.BoolVar(&opts.demo, "demo", false, "load demo data (customers, sites, equipment, parts, depots, jobs, invoices)")
	f.BoolVarP(&opts.verbose, "verbose", "v", false, "log every request")
	return cmd
}

func runSandbox(ctx context.Context, opts *sandboxOptions, io streams) error {
	if opts.domain == "" {
		opts.domain = os.Getenv(synchroteam.EnvDomain)
	}
	if opts.apiKey == "" {
		opts.apiKey = os.Getenv(synchroteam.EnvAPIKey)
	}
	switch {
	case opts.domain == "":
		return usagef("sandbox: no domain: pass --domain or set %s", synchroteam.EnvDomain)
	case opts.apiKey == "":
		return usagef("sandbox: no API key: pass --api-key or set %s", synchroteam.EnvAPIKey)
	case opts.rate < 0:
		return usagef("sandbox: --rate %v: must be 0 or more", opts.rate)
	case opts.failRate < 0 || opts.failRate > 1:
		return usagef("sandbox: --fail-rate %v: must be between 0 and 1", opts.failRate)
	case opts.latency < 0:
		return usagef("sandbox: --latency %v: must be 0 or more", opts.latency)
	case opts.quota < 0:
		return usagef("sandbox: --quota %d: must be 0 or more", opts.quota)
	}
	cfg := sandbox.Config{
		Domain: opts.domain, APIKey: opts.apiKey,
		Rate: opts.rate, Burst: opts.burst, FailRate: opts.failRate, Latency: opts.latency,
		Seed: opts.seed, DailyQuota: opts.quota, StateFile: opts.state, Demo: opts.demo,
	}
	if opts.verbose {
		cfg.Logf = func(format string, args ...any) { fmt.Fprintf(io.err, format+"\n", args...) }
	}
	srv, err := sandbox.Start(cfg, opts.addr)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	fmt.Fprintf(io.out, "stbulk sandbox: a LOCAL Synchroteam sandbox (not the real API) is listening on %s\n", srv.URL)
	fmt.Fprintf(io.out, "  domain %s%s%s\n", opts.domain, describeFaults(opts), describeData(opts))
	fmt.Fprintf(io.out, "  use it with: export %s=%s %s=%s %s=<the key you chose>\n",
		synchroteam.EnvURL, srv.URL, synchroteam.EnvDomain, opts.domain, synchroteam.EnvAPIKey)
	<-ctx.Done()
	fmt.Fprintln(io.out, "stbulk sandbox: stopping")
	if err := srv.Close(); err != nil {
		return fmt.Errorf("sandbox: stopping: %w", err)
	}
	if opts.state != "" {
		fmt.Fprintf(io.out, "stbulk sandbox: state saved to %s\n", opts.state)
	}
	return nil
}

func describeFaults(o *sandboxOptions) string {
	var parts []string
	if o.rate > 0 {
		parts = append(parts, fmt.Sprintf("rate limit %g/s", o.rate))
	}
	if o.failRate > 0 {
		parts = append(parts, fmt.Sprintf("%.0f%% injected failures (seed %d)", o.failRate*100, o.seed))
	}
	if o.latency > 0 {
		parts = append(parts, fmt.Sprintf("latency %v", o.latency))
	}
	if len(parts) == 0 {
		return ""
	}
	return ", " + strings.Join(parts, ", ")
}

func describeData(o *sandboxOptions) string {
	switch {
	case o.state != "" && o.demo:
		return ", state " + o.state + " (demo data when the file does not exist yet)"
	case o.state != "":
		return ", state " + o.state
	case o.demo:
		return ", demo data"
	}
	return ", empty"
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

// sandboxOptions are the inputs of `stbulk sandbox`.
type sandboxOptions struct {
	addr     string
	domain   string
	apiKey   string
	rate     float64
	burst    int
	failRate float64
	limit    float64
	drop     float64
	latency  time.Duration
	seed     int64
	quota    int
	state    string
	demo     bool
	fixtures string
	verbose  bool
	expose   bool
}

func newSandboxCmd(std streams) *cobra.Command {
	opts := &sandboxOptions{}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a local Synchroteam API server (in memory) for rehearsals and tests",
		Long: `Run a local, in-memory server that answers like the Synchroteam API v2:
every endpoint of the reference, its authentication, its quirks, a rate limit
and fault injection. Point stbulk (or any client) at it with SYNCHROTEAM_URL.

The domain and key default to SYNCHROTEAM_DOMAIN and SYNCHROTEAM_API_KEY
(or the key file SYNCHROTEAM_API_KEY_FILE names).
The server runs until interrupted (Ctrl-C or SIGTERM); with --state it then
writes its state to that file, and loads it on the next start.`,
		Example: `  # a sandbox with demo data, as the acme domain
  stbulk sandbox --addr 127.0.0.1:8765 --domain acme --api-key K --demo

  # rehearse a load under faults: 5 requests/s, 10% 5xx, 5% 429, 2% answers
  # lost after the change was made, 100 ms latency
  stbulk sandbox --demo --rate 5 --fail-rate 0.1 --limit-rate 0.05 --drop-rate 0.02 --latency 100ms --seed 7

  # keep the state between runs
  stbulk sandbox --demo --state sandbox-state.json

  # an account as it is before the first import: its depots, custom fields,
  # job types (docs/sandbox.md describes the file)
  stbulk sandbox --fixtures samples/sandbox-fixtures.yaml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSandbox(cmd.Context(), opts, std)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.addr, "addr", "127.0.0.1:8765", "address to listen on (host:port; port 0 picks a free one)")
	f.StringVar(&opts.domain, "domain", "", "domain the server accepts (default $"+synchroteam.EnvDomain+")")
	f.StringVar(&opts.apiKey, "api-key", "", "API key the server accepts (default $"+synchroteam.EnvAPIKey+", or the file $"+synchroteam.EnvAPIKeyFile+" names)")
	f.Float64Var(&opts.rate, "rate", 0, "requests per second before answering 429 (0: no limit)")
	f.IntVar(&opts.burst, "burst", 0, "requests allowed at once above the rate (0: the rate, rounded up)")
	f.Float64Var(&opts.failRate, "fail-rate", 0, "fraction of requests (0 to 1) that fail with 500 or 503 (Retry-After 1), before any change")
	f.Float64Var(&opts.limit, "limit-rate", 0, "fraction of requests (0 to 1) answered 429 (Retry-After 1), before any change, whatever --rate")
	f.Float64Var(&opts.drop, "drop-rate", 0, "fraction of requests (0 to 1) whose connection is dropped after they were applied: the answer is lost")
	f.DurationVar(&opts.latency, "latency", 0, "delay added to every request (e.g. 100ms)")
	f.Int64Var(&opts.seed, "seed", 1, "seed of fault injection and generated ids (same seed, same faults)")
	f.IntVar(&opts.quota, "quota", 0, "daily request quota announced in X-Quota-Remaining (0: 100000)")
	f.StringVar(&opts.state, "state", "", "file the state is loaded from at start and saved to at stop")
	f.BoolVar(&opts.demo, "demo", false, "load demo data (customers, sites, equipment, parts, depots, jobs, invoices)")
	f.StringVar(&opts.fixtures, "fixtures", "", "YAML or JSON file of what the account holds before any import: depots, custom fields, job types, records (added after --demo's data)")
	f.BoolVarP(&opts.verbose, "verbose", "v", false, "log every request")
	f.BoolVar(&opts.expose, "expose", false, "allow an --addr that is not a loopback address: the sandbox is then reachable from other machines, over plain http")
	return cmd
}

func runSandbox(ctx context.Context, opts *sandboxOptions, std streams) error {
	if opts.domain == "" {
		opts.domain = os.Getenv(synchroteam.EnvDomain)
	}
	if opts.apiKey == "" {
		key, err := synchroteam.KeyFromEnv(os.Getenv)
		if err != nil {
			return usagef("sandbox: %w", err)
		}
		opts.apiKey = key
	}
	loopback, err := loopbackAddr(opts.addr)
	if err != nil {
		return usagef("sandbox: --addr %q: %v", opts.addr, err)
	}
	switch {
	case !loopback && !opts.expose:
		return usagef("sandbox: --addr %s is not a loopback address: the sandbox would be reachable from other machines, over plain http; pass --expose to allow it, or listen on 127.0.0.1", opts.addr)
	case opts.domain == "":
		return usagef("sandbox: no domain: pass --domain or set %s", synchroteam.EnvDomain)
	case opts.apiKey == "":
		return usagef("sandbox: no API key: pass --api-key or set %s", synchroteam.EnvAPIKey)
	case opts.rate < 0:
		return usagef("sandbox: --rate %v: must be 0 or more", opts.rate)
	case opts.failRate < 0 || opts.failRate > 1:
		return usagef("sandbox: --fail-rate %v: must be between 0 and 1", opts.failRate)
	case opts.limit < 0 || opts.limit > 1:
		return usagef("sandbox: --limit-rate %v: must be between 0 and 1", opts.limit)
	case opts.drop < 0 || opts.drop > 1:
		return usagef("sandbox: --drop-rate %v: must be between 0 and 1", opts.drop)
	case opts.failRate+opts.limit+opts.drop > 1.000001:
		return usagef("sandbox: --fail-rate + --limit-rate + --drop-rate is %v, more than 1", opts.failRate+opts.limit+opts.drop)
	case opts.latency < 0:
		return usagef("sandbox: --latency %v: must be 0 or more", opts.latency)
	case opts.quota < 0:
		return usagef("sandbox: --quota %d: must be 0 or more", opts.quota)
	}
	cfg := sandbox.Config{
		Domain: opts.domain, APIKey: opts.apiKey,
		Rate: opts.rate, Burst: opts.burst, FailRate: opts.failRate, LimitRate: opts.limit, DropRate: opts.drop, Latency: opts.latency,
		Seed: opts.seed, DailyQuota: opts.quota, StateFile: opts.state, Demo: opts.demo,
	}
	if opts.fixtures != "" {
		fx, err := sandbox.LoadFixtures(opts.fixtures)
		if err != nil {
			return usageError{err}
		}
		cfg.Fixtures = fx
	}
	if opts.verbose {
		cfg.Logf = func(format string, args ...any) { fmt.Fprintf(std.err, format+"\n", args...) }
	}
	srv, err := sandbox.Start(cfg, opts.addr)
	if fe := (*sandbox.FixturesError)(nil); errors.As(err, &fe) {
		fe.File = opts.fixtures
		return usageError{fe}
	}
	if err != nil {
		return err // it says "sandbox: "
	}
	if loopback {
		fmt.Fprintf(std.out, "stbulk sandbox: a LOCAL Synchroteam sandbox (not the real API) is listening on %s\n", srv.URL)
	} else {
		fmt.Fprintf(std.out, "stbulk sandbox: an EXPOSED Synchroteam sandbox (not the real API) is listening on %s (--expose):\n", opts.addr)
		fmt.Fprintln(std.out, "  other machines can reach it, over plain http: the key travels unencrypted")
	}
	fmt.Fprintf(std.out, "  domain %s%s%s\n", opts.domain, describeFaults(opts), describeData(opts))
	if u, err := url.Parse(srv.URL); err == nil && isLoopbackHost(u.Hostname()) {
		fmt.Fprintf(std.out, "  use it with: export %s=%s %s=%s %s=<the key you chose>\n",
			synchroteam.EnvURL, srv.URL, synchroteam.EnvDomain, opts.domain, synchroteam.EnvAPIKey)
	} else {
		fmt.Fprintf(std.out, "  stbulk accepts plain http only for a loopback address: it cannot use %s (other HTTP clients can)\n", srv.URL)
	}
	<-ctx.Done()
	fmt.Fprintln(std.out, "stbulk sandbox: stopping")
	if err := srv.Close(); err != nil {
		return fmt.Errorf("sandbox: stopping: %w", err)
	}
	if opts.state != "" {
		fmt.Fprintf(std.out, "stbulk sandbox: state saved to %s\n", opts.state)
	}
	return nil
}

func describeFaults(o *sandboxOptions) string {
	var parts []string
	if o.rate > 0 {
		parts = append(parts, fmt.Sprintf("rate limit %g/s", o.rate))
	}
	if o.failRate > 0 {
		parts = append(parts, fmt.Sprintf("%.0f%% injected 500/503", o.failRate*100))
	}
	if o.limit > 0 {
		parts = append(parts, fmt.Sprintf("%.0f%% injected 429", o.limit*100))
	}
	if o.drop > 0 {
		parts = append(parts, fmt.Sprintf("%.0f%% answers dropped after the change", o.drop*100))
	}
	if o.failRate+o.limit+o.drop > 0 {
		parts = append(parts, fmt.Sprintf("faults seeded with %d", o.seed))
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
	var data []string
	if o.demo {
		data = append(data, "demo data")
	}
	if o.fixtures != "" {
		data = append(data, "fixtures "+o.fixtures)
	}
	switch {
	case o.state != "" && len(data) > 0:
		return ", state " + o.state + " (" + strings.Join(data, " and ") + " when the file does not exist yet)"
	case o.state != "":
		return ", state " + o.state
	case len(data) > 0:
		return ", " + strings.Join(data, " and ")
	}
	return ", empty"
}

// loopbackAddr reports whether addr (host:port) listens on a loopback
// address only. An empty host (every interface) and host names other than
// localhost are not loopback: a name may resolve to any address.
func loopbackAddr(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, err
	}
	return isLoopbackHost(host), nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

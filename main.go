// Command stbulk moves data in and out of Synchroteam through its REST API.
//
// main only parses the command line and maps results to exit codes; the work
// is done by the packages it calls.
package main

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
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
	go func() {
		// After the first signal, the default behaviour comes back: a second
		// Ctrl-C ends the process at once.
		<-ctx.Done()
		stop()
	}()
	return run(ctx, args, streams{out: stdout, err: stderr})
}

func run(ctx context.Context, args []string, std streams) int {
	root := newRootCmd(std)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(std.err, "stbulk: interrupted")
	} else {
		fmt.Fprintln(std.err, "stbulk:", err)
	}
	return exitCode(err)
}

// rowsNotSentError ends a run that finished with rows not sent: exit code 1.
type rowsNotSentError struct{ n int }

func (e rowsNotSentError) Error() string {
	return fmt.Sprintf("%d row(s) were not sent: see the errors file", e.n)
}

// exitCode maps an error to the exit code contract, in one place.
func exitCode(err error) int {
	var ue usageError
	var ps pipeline.Problems
	var rows rowsNotSentError
	var items itemsNotExportedError
	var fatal *pipeline.FatalError
	var taken *pipeline.FolderTakenError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.As(err, &ps), errors.As(err, &taken):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &fatal):
		return exitFatal
	case errors.As(err, &rows), errors.As(err, &items):
		return exitRowsFailed
	default:
		return exitFatal
	}
}

func newRootCmd(std streams) *cobra.Command {
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
	root.SetOut(std.out)
	root.SetErr(std.err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newImportCmd(std), newExportCmd(std), newValidateCmd(std), newSchemaCmd(std), newSandboxCmd(std), newVersionCmd(std))
	return root
}

func newVersionCmd(std streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of stbulk",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(std.out, "stbulk", buildVersion())
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
	limit    float64
	drop     float64
	latency  time.Duration
	seed     int64
	quota    int
	state    string
	demo     bool
	verbose  bool
}

func newSandboxCmd(std streams) *cobra.Command {
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

  # rehearse a load under faults: 5 requests/s, 10% 5xx, 5% 429, 2% answers
  # lost after the change was made, 100 ms latency
  stbulk sandbox --demo --rate 5 --fail-rate 0.1 --limit-rate 0.05 --drop-rate 0.02 --latency 100ms --seed 7

  # keep the state between runs
  stbulk sandbox --demo --state sandbox-state.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSandbox(cmd.Context(), opts, std)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.addr, "addr", "127.0.0.1:8765", "address to listen on (host:port; port 0 picks a free one)")
	f.StringVar(&opts.domain, "domain", "", "domain the server accepts (default $"+synchroteam.EnvDomain+")")
	f.StringVar(&opts.apiKey, "api-key", "", "API key the server accepts (default $"+synchroteam.EnvAPIKey+")")
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
	f.BoolVarP(&opts.verbose, "verbose", "v", false, "log every request")
	return cmd
}

func runSandbox(ctx context.Context, opts *sandboxOptions, std streams) error {
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
	if opts.verbose {
		cfg.Logf = func(format string, args ...any) { fmt.Fprintf(std.err, format+"\n", args...) }
	}
	srv, err := sandbox.Start(cfg, opts.addr)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	fmt.Fprintf(std.out, "stbulk sandbox: a LOCAL Synchroteam sandbox (not the real API) is listening on %s\n", srv.URL)
	fmt.Fprintf(std.out, "  domain %s%s%s\n", opts.domain, describeFaults(opts), describeData(opts))
	fmt.Fprintf(std.out, "  use it with: export %s=%s %s=%s %s=<the key you chose>\n",
		synchroteam.EnvURL, srv.URL, synchroteam.EnvDomain, opts.domain, synchroteam.EnvAPIKey)
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

// importOptions are the inputs of `stbulk import`.
type importOptions struct {
	input       string
	out         string
	dryRun      bool
	sandbox     bool
	concurrency int
	rate        float64
	maxErrors   int
	quiet       bool
	resume      string
	minQuota    int64
	changedOnly bool
	ledger      string
}

// resumeLatest is --resume without a folder: the newest unfinished run of
// the same mapping files under stbulk-runs.
const resumeLatest = "latest"

func newImportCmd(std streams) *cobra.Command {
	opts := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import MAPPING.yaml [MAPPING.yaml ...]",
		Short: "Import CSV or XLSX rows into Synchroteam, driven by mapping files",
		Long: `Import the rows of CSV or XLSX files into Synchroteam. Each mapping file says
which entity to import (customer, site, equipment, part, part_price, inventory,
user, activity_type, job), from which file, and how each API field is made from
a row. Several mapping files run in dependency order (customers before their
sites before their equipment; parts before prices before inventory), and a row
whose parent row failed is skipped.

Every row read ends as sent, filtered (where:), rejected (invalid, with every
field error), failed (the API refused it) or skipped (its parent failed). The
run folder holds errors.csv (errors.xlsx for an XLSX input: the rows not sent,
their original columns plus _row and _error, ready to fix and import again
with the same mapping), success.csv (_row, key, id), summary.json and
journal.jsonl, every row's outcome as it happens: after a crash, a kill or
an interrupt, --resume sends only the rows left.

Credentials come from SYNCHROTEAM_DOMAIN and SYNCHROTEAM_API_KEY (and
SYNCHROTEAM_URL), or use --sandbox to rehearse against a local sandbox.

Exit codes: 0 every row sent, 1 some rows not sent, 2 usage or mapping error
(nothing sent), 3 fatal (authentication refused, API unreachable), 130
interrupted.`,
		Example: `  # rehearse against the local sandbox with demo data
  stbulk import mappings/customers.yaml --sandbox

  # check what would be sent, without sending
  stbulk import mappings/customers.yaml --dry-run

  # customers, their sites and equipment, in the right order
  stbulk import mappings/equipment.yaml mappings/sites.yaml mappings/customers.yaml

  # re-import the rows that failed, once fixed
  stbulk import mappings/customers.yaml --input stbulk-runs/2026-11-27T031500/errors.csv

  # the machine rebooted during a load: go on where it stopped
  stbulk import mappings/parts.yaml mappings/inventory.yaml --resume`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("import needs at least one mapping file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(cmd.Context(), args, opts, std)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.input, "input", "", "input file (CSV or XLSX, by extension) replacing the mapping's source")
	f.StringVar(&opts.out, "out", "", "run folder for the reports (default: a new folder under ./stbulk-runs/)")
	f.BoolVar(&opts.dryRun, "dry-run", false, "read, map and check; write the payloads to payloads.jsonl; send nothing")
	f.BoolVar(&opts.sandbox, "sandbox", false, "start a local sandbox with demo data and import into it (never the real API)")
	f.IntVar(&opts.concurrency, "concurrency", 8, "requests in flight at once")
	f.Float64Var(&opts.rate, "rate", synchroteam.DefaultRate, "requests per second, all workers together")
	f.IntVar(&opts.maxErrors, "max-errors", 0, "stop once more than N rows were rejected or failed (0: never stop)")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "print only errors and the final summary")
	f.StringVar(&opts.resume, "resume", "", "go on with a run that stopped (crash, kill, interrupt): its folder, or without one the newest unfinished run of these mapping files; only rows without a final outcome are sent")
	f.Lookup("resume").NoOptDefVal = resumeLatest
	f.BoolVar(&opts.changedOnly, "changed-only", false, "send only the rows whose payload changed since it was last sent (a ledger per domain and entity remembers it); the others are counted unchanged")
	f.StringVar(&opts.ledger, "ledger", "", "folder of the --changed-only ledger (default: stbulk/ledger in the user cache folder)")
	f.Int64Var(&opts.minQuota, "min-quota", 0, "stop cleanly (exit 3, resumable with --resume) once the API's daily quota left falls below N requests (0: never)")
	return cmd
}

func loadMappings(paths []string) ([]*pipeline.Mapping, error) {
	var maps []*pipeline.Mapping
	var all pipeline.Problems
	for _, p := range paths {
		m, err := pipeline.Load(p)
		if err != nil {
			var ps pipeline.Problems
			if errors.As(err, &ps) {
				all = append(all, ps...)
				continue
			}
			return nil, err
		}
		maps = append(maps, m)
	}
	if len(all) > 0 {
		return nil, all
	}
	return maps, nil
}

func runImport(ctx context.Context, args []string, opts *importOptions, std streams) error {
	if opts.resume == resumeLatest {
		// "--resume DIR" reaches here as --resume and a DIR argument (the
		// folder is optional): a folder among the arguments is the run.
		var mappings []string
		for _, a := range args {
			if fi, err := os.Stat(a); err == nil && fi.IsDir() && opts.resume == resumeLatest {
				opts.resume = a
				continue
			}
			mappings = append(mappings, a)
		}
		if len(mappings) == 0 {
			return usagef("--resume %s: give the mapping files of the run too", opts.resume)
		}
		args = mappings
	}
	switch {
	case opts.concurrency < 1 || opts.concurrency > maxConcurrency:
		return usagef("--concurrency %d: must be between 1 and %d", opts.concurrency, maxConcurrency)
	case !(opts.rate > 0) || math.IsInf(opts.rate, 0):
		return usagef("--rate %v: must be a number more than 0", opts.rate)
	case opts.maxErrors < 0:
		return usagef("--max-errors %d: must be 0 or more", opts.maxErrors)
	case opts.dryRun && opts.sandbox:
		return usagef("--dry-run sends nothing, --sandbox sends to a local sandbox: choose one")
	case opts.input != "" && len(args) > 1:
		return usagef("--input replaces the source of one mapping file; %d were given", len(args))
	case opts.minQuota < 0:
		return usagef("--min-quota %d: must be 0 or more", opts.minQuota)
	case opts.ledger != "" && !opts.changedOnly:
		return usagef("--ledger is the folder of --changed-only's ledger: add --changed-only")
	case opts.changedOnly && opts.dryRun:
		return usagef("--changed-only compares with what was sent; a dry run sends nothing")
	case opts.resume != "" && opts.dryRun:
		return usagef("--resume goes on with a run that sent rows; a dry run sends nothing")
	case opts.resume != "" && opts.out != "":
		return usagef("--resume writes into the folder of the run it resumes: drop --out")
	}
	maps, err := loadMappings(args)
	if err != nil {
		return err
	}
	var client *synchroteam.Client
	switch {
	case opts.dryRun:
	case opts.sandbox:
		sb, c, err := startLocalSandbox(opts.rate, std, "importing into")
		if err != nil {
			return err
		}
		defer sb.Close()
		client = c
	default:
		client, err = synchroteam.NewClient(append(synchroteam.FromEnv(), clientRate(opts.rate))...)
		if err != nil {
			return usageError{err}
		}
	}
	out := opts.out
	switch {
	case opts.resume == resumeLatest:
		if out, err = pipeline.FindResumable("stbulk-runs", args, opts.input); err != nil {
			return usageError{err}
		}
		fmt.Fprintf(std.err, "resuming the run in %s\n", out)
	case opts.resume != "":
		out = opts.resume
	case out == "":
		if out, err = writers.RunDir("stbulk-runs", time.Now()); err != nil {
			return err
		}
		defer removeIfEmpty(out)
	default:
		if err := writers.EnsureDir(out); err != nil {
			return usageError{err}
		}
	}
	ledger := opts.ledger
	switch {
	case !opts.changedOnly || ledger != "":
	case opts.sandbox:
		// A sandbox started for the run is new each time: so is its ledger.
		ledger = filepath.Join(out, "ledger")
	default:
		cache, err := os.UserCacheDir()
		if err != nil {
			return usagef("--changed-only: no user cache folder for the ledger (%v): name one with --ledger", err)
		}
		ledger = filepath.Join(cache, "stbulk", "ledger")
	}
	prog := newProgress(std.err, opts.quiet)
	sum, runErr := pipeline.Run(ctx, maps, pipeline.Options{
		ChangedOnly: opts.changedOnly, LedgerDir: ledger,
		Client: client, Input: opts.input, OutDir: out,
		Concurrency: opts.concurrency, MaxErrors: opts.maxErrors,
		Progress: prog.update, Log: prog.logWriter(), Resume: opts.resume != "", MinQuota: opts.minQuota,
	})
	prog.finish()
	if sum != nil {
		printSummary(std.out, sum, out)
	}
	if runErr != nil {
		return runErr
	}
	if n := sum.NotSent(); n > 0 {
		return rowsNotSentError{n}
	}
	return nil
}

// exportOptions are the inputs of `stbulk export`.
type exportOptions struct {
	out         string
	since       string
	sandbox     bool
	concurrency int
	rate        float64
	quiet       bool
}

func newExportCmd(std streams) *cobra.Command {
	opts := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export MAPPING.yaml",
		Short: "Export jobs, photos, PDFs, invoices and more from Synchroteam to files",
		Long: `Export from Synchroteam what an export mapping file says: jobs (a spreadsheet
with their report items, parts and custom fields; their photos and PDF
reports as files), invoices and quotations (a spreadsheet an accountant can
use: numbers are numbers, dates are dates), customers, sites, activities or
stock requests.

The output folder (--out, default stbulk-exports/<mapping name>) holds the
spreadsheet, the files, manifest.json (every file with its size and
SHA-256), summary.json, and errors.csv when some items could not be read.
Rows and files are keyed (job num, invoice num), so exporting again into the
same folder replaces them instead of adding duplicates.

--since last reads only what changed since the last run that ended cleanly
(less a few minutes of overlap, to catch late edits); the first run exports
everything. --since 2026-01-01 reads what changed since that day.

Credentials come from SYNCHROTEAM_DOMAIN and SYNCHROTEAM_API_KEY (and
SYNCHROTEAM_URL), or use --sandbox to try it on a local sandbox's demo data.

Exit codes: 0 everything exported, 1 some items could not be read, 2 usage
or mapping error, 3 fatal (authentication refused, API unreachable), 130
interrupted.`,
		Example: `  # invoices and quotations of the sandbox's demo data, for an accountant
  stbulk export mappings/invoices.yaml --sandbox

  # job reports, photos and PDFs; then, each night, only what changed
  stbulk export mappings/jobs.yaml --out /srv/exports/jobs
  stbulk export mappings/jobs.yaml --out /srv/exports/jobs --since last`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("export needs exactly one mapping file, got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExport(cmd.Context(), args[0], opts, std)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.out, "out", "", "output folder, kept between runs (default: stbulk-exports/<mapping name>)")
	f.StringVar(&opts.since, "since", "", "read only what changed since a date (2026-01-31, 2026-01-31 08:00) or since the last clean run (last)")
	f.BoolVar(&opts.sandbox, "sandbox", false, "start a local sandbox with demo data and export from it (never the real API)")
	f.IntVar(&opts.concurrency, "concurrency", 8, "requests in flight at once")
	f.Float64Var(&opts.rate, "rate", synchroteam.DefaultRate, "requests per second, all workers together")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "print only errors and the final summary")
	return cmd
}

func runExport(ctx context.Context, file string, opts *exportOptions, std streams) error {
	switch {
	case opts.concurrency < 1 || opts.concurrency > maxConcurrency:
		return usagef("--concurrency %d: must be between 1 and %d", opts.concurrency, maxConcurrency)
	case !(opts.rate > 0) || math.IsInf(opts.rate, 0):
		return usagef("--rate %v: must be a number more than 0", opts.rate)
	}
	if opts.since != "" && opts.since != "last" {
		if _, err := synchroteam.ParseTime(opts.since); err != nil {
			return usagef("--since: %v, or last", err)
		}
	}
	m, err := pipeline.LoadExport(file)
	if err != nil {
		return err
	}
	if opts.since != "" && m.SinceFilter() == "" {
		return usagef("--since: the API cannot tell which %s changed: export them all, without --since", m.KindName())
	}
	var client *synchroteam.Client
	if opts.sandbox {
		sb, c, err := startLocalSandbox(opts.rate, std, "exporting from")
		if err != nil {
			return err
		}
		defer sb.Close()
		client = c
	} else {
		client, err = synchroteam.NewClient(append(synchroteam.FromEnv(), clientRate(opts.rate))...)
		if err != nil {
			return usageError{err}
		}
	}
	out := opts.out
	if out == "" {
		out = filepath.Join("stbulk-exports", m.Name)
	}
	// The output folder is kept from run to run: what it holds is replaced
	// item by item.
	if err := os.MkdirAll(out, 0o755); err != nil {
		return usageError{err}
	}
	prog := newExportProgress(std.err, opts.quiet, m.KindName())
	sum, runErr := pipeline.Export(ctx, m, pipeline.ExportOptions{
		Client: client, OutDir: out, Since: opts.since, Concurrency: opts.concurrency,
		Progress: prog.update, Log: prog.logWriter(),
	})
	prog.finish()
	if sum != nil {
		printExportSummary(std.out, sum, out)
	}
	if runErr != nil {
		return runErr
	}
	if sum.Failed > 0 {
		return itemsNotExportedError{sum.Failed}
	}
	return nil
}

// itemsNotExportedError ends an export that finished with items it could
// not read: exit code 1.
type itemsNotExportedError struct{ n int }

func (e itemsNotExportedError) Error() string {
	return fmt.Sprintf("%d item(s) could not be exported: see errors.csv", e.n)
}

func printExportSummary(w io.Writer, s *pipeline.ExportSummary, dir string) {
	since := ""
	if s.Since != "" {
		since = " changed since " + s.Since
	}
	notRead := ""
	if s.NotRead > 0 {
		notRead = fmt.Sprintf(", not read %d", s.NotRead)
	}
	fmt.Fprintf(w, "%s%s: found %d, exported %d, failed %d%s, kept from earlier runs %d\n", s.Export, since, s.Found, s.Exported, s.Failed, notRead, s.Kept)
	if len(s.Rows) > 0 {
		var parts []string
		for _, name := range slices.Sorted(maps.Keys(s.Rows)) {
			parts = append(parts, fmt.Sprintf("%s %d", name, s.Rows[name]))
		}
		fmt.Fprintf(w, "rows: %s\n", strings.Join(parts, ", "))
	}
	if s.FilesWritten+s.FilesUnchanged > 0 {
		fmt.Fprintf(w, "files: %d written, %d unchanged\n", s.FilesWritten, s.FilesUnchanged)
	}
	fmt.Fprintf(w, "requests %d, retries %d, rate limited %d, %.1fs\n", s.Requests, s.Retries, s.RateLimited, s.DurationSeconds)
	for _, m := range s.TotalMismatches {
		fmt.Fprintf(w, "total mismatch: %s %s: total %.2f, lines %.2f\n", strings.ToLower(m.Type), m.Num, m.Total, m.LinesTotal)
	}
	if n := len(s.Warnings); n > 0 {
		fmt.Fprintf(w, "%d warning(s), see summary.json; the first: %s\n", n, s.Warnings[0])
	}
	if s.Stopped != "" {
		fmt.Fprintf(w, "stopped: %s\n", s.Stopped)
	}
	fmt.Fprintf(w, "state: %s\n", s.State)
	fmt.Fprintf(w, "output: %s\n", dir)
}

// exportProgress shows an export's progress: a bar on a terminal, a log
// line every few seconds otherwise, nothing with --quiet.
type exportProgress struct {
	display
	what string
}

func newExportProgress(w io.Writer, quiet bool, what string) *exportProgress {
	return &exportProgress{display: newDisplay(w, quiet, what), what: what}
}

func (p *exportProgress) update(done, total int) {
	switch {
	case p.quiet:
	case p.bar != nil:
		if total > 0 {
			p.bar.ChangeMax(total)
		}
		_ = p.bar.Set(done)
	case p.due():
		fmt.Fprintf(p.w, "%s %s: %d of %d\n", time.Now().Format("15:04:05"), p.what, done, total)
	}
}

// removeIfEmpty removes a run folder that a run ended without writing into
// (a mapping that does not fit its source: nothing was sent).
func removeIfEmpty(dir string) {
	entries, err := os.ReadDir(dir)
	if err == nil && len(entries) == 0 {
		_ = os.Remove(dir) // a folder still there is harmless
	}
}

// clientRate paces requests evenly: a burst as large as the server's would
// empty both buckets at the same moment and meet a 429.
// maxConcurrency bounds --concurrency: the rate limit, not the number of
// workers, sets the pace; a few dozen requests in flight cover any latency.
const maxConcurrency = 256

func clientRate(perSecond float64) synchroteam.Option {
	return synchroteam.WithRate(perSecond)
}

// startLocalSandbox starts the in-process sandbox with demo data on a
// loopback port and returns a client for it. It says so loudly: nothing goes
// to the real API.
func startLocalSandbox(rate float64, std streams, doing string) (*sandbox.Running, *synchroteam.Client, error) {
	key := make([]byte, 16)
	if _, err := cryptorand.Read(key); err != nil {
		return nil, nil, err
	}
	cfg := sandbox.Config{Domain: "sandbox", APIKey: hex.EncodeToString(key), Demo: true, Seed: 1}
	sb, err := sandbox.Start(cfg, "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("starting the sandbox: %w", err)
	}
	fmt.Fprintf(std.err, "*** SANDBOX: %s a local sandbox at %s with demo data, NOT Synchroteam ***\n", doing, sb.URL)
	c, err := synchroteam.NewClient(synchroteam.WithBaseURL(sb.URL), synchroteam.WithCredentials(cfg.Domain, cfg.APIKey), clientRate(rate))
	if err != nil {
		sb.Close()
		return nil, nil, err
	}
	return sb, c, nil
}

func printSummary(w io.Writer, s *pipeline.Summary, dir string) {
	mode := ""
	if s.DryRun {
		mode = " (dry run: \"sent\" means written to payloads.jsonl)"
	}
	unchanged := ""
	if s.Unchanged > 0 {
		unchanged = fmt.Sprintf(", unchanged %d", s.Unchanged)
	}
	fmt.Fprintf(w, "read %d: sent %d, filtered %d, rejected %d, failed %d, skipped %d%s%s\n",
		s.Read, s.Sent, s.Filtered, s.Rejected, s.Failed, s.Skipped, unchanged, mode)
	if !s.DryRun {
		fmt.Fprintf(w, "requests %d, retries %d, rate limited %d, %.1fs\n", s.Requests, s.Retries, s.RateLimited, s.DurationSeconds)
		if s.RateCuts > 0 {
			fmt.Fprintf(w, "the API limited the rate: lowered %d time(s), down to %.1f requests/s\n", s.RateCuts, s.LowestRate)
		}
		if s.QuotaRemaining != nil {
			fmt.Fprintf(w, "API quota left: %d requests\n", *s.QuotaRemaining)
		}
	}
	if s.Stopped != "" {
		fmt.Fprintf(w, "stopped: %s\n", s.Stopped)
	}
	for _, m := range s.Mappings {
		if m.NotSent() > 0 {
			fmt.Fprintf(w, "%s: %d row(s) not sent: %s\n", m.Mapping, m.NotSent(), m.Errors)
		}
	}
	fmt.Fprintf(w, "reports: %s\n", dir)
}

// display is what import and export show while they run: a progress bar
// on a terminal, a log line every few seconds otherwise (cron), nothing
// with --quiet.
type display struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	quiet bool
	last  time.Time
}

func newDisplay(w io.Writer, quiet bool, unit string) display {
	d := display{w: w, quiet: quiet, last: time.Now()}
	if quiet {
		return d
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		d.bar = progressbar.NewOptions(-1,
			progressbar.OptionSetWriter(w), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
			progressbar.OptionSetItsString(unit), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	return d
}

// logWriter is where the run's log lines go: nowhere with --quiet.
func (d *display) logWriter() io.Writer {
	if d.quiet {
		return nil
	}
	return d.w
}

// due tells whether a log line is due (every 5 seconds).
func (d *display) due() bool {
	if time.Since(d.last) < 5*time.Second {
		return false
	}
	d.last = time.Now()
	return true
}

func (d *display) finish() {
	if d.bar != nil {
		_ = d.bar.Finish()
	}
}

// progress shows an import's progress.
type progress struct {
	display
	// done counts the rows of the mappings already finished, so that the
	// bar goes on across mappings.
	done    int
	current *pipeline.Mapping
	read    int
}

func newProgress(w io.Writer, quiet bool) *progress {
	return &progress{display: newDisplay(w, quiet, "rows")}
}

func (p *progress) update(m *pipeline.Mapping, c pipeline.Counts) {
	switch {
	case p.quiet:
	case p.bar != nil:
		if m != p.current {
			p.done += p.read
			p.current = m
		}
		p.read = c.Read
		p.bar.Describe(fmt.Sprintf("%s: sent %d, not sent %d", m.Entity.Name, c.Sent, c.NotSent()))
		_ = p.bar.Set(p.done + c.Read)
	case p.due():
		fmt.Fprintf(p.w, "%s %s: read %d, sent %d, filtered %d, rejected %d, failed %d, skipped %d\n",
			time.Now().Format("15:04:05"), m.Entity.Name, c.Read, c.Sent, c.Filtered, c.Rejected, c.Failed, c.Skipped)
	}
}

func newSchemaCmd(std streams) *cobra.Command {
	var export bool
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of mapping files (for editors)",
		Long: `Print the JSON Schema of import mapping files, or with --export of export
mapping files. Editors with a YAML language server complete and check mapping
files against it: save it and add this first line to a mapping file:

  # yaml-language-server: $schema=./mapping.schema.json`,
		Example: `  stbulk schema > mappings/mapping.schema.json
  stbulk schema --export > mappings/export.schema.json`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			schema := pipeline.Schema
			if export {
				schema = pipeline.ExportSchema
			}
			b, err := schema()
			if err != nil {
				return err
			}
			_, err = std.out.Write(b)
			return err
		},
	}
	cmd.Flags().BoolVar(&export, "export", false, "the schema of export mapping files")
	return cmd
}

func newValidateCmd(std streams) *cobra.Command {
	var input string
	cmd := &cobra.Command{
		Use:   "validate MAPPING.yaml [MAPPING.yaml ...]",
		Short: "Check mapping files and their data; send nothing",
		Long: `Check mapping files, import and export ones: every problem is reported at
once as file:line:col. Then each import mapping's source (or the --input file) is opened, its header is
checked against the mapping, and every row is mapped and checked as import
would, without sending anything or writing reports. A mapping without a
source, or whose source is missing, is an error (exit 2).`,
		Example: `  stbulk validate mappings/*.yaml
  stbulk validate mappings/customers.yaml --input legacy.xlsx`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("validate needs at least one mapping file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if input != "" && len(args) > 1 {
				return usagef("--input replaces the source of one mapping file; %d were given", len(args))
			}
			var imports []string
			var problems pipeline.Problems
			for _, a := range args {
				b, err := os.ReadFile(a)
				if err != nil || !pipeline.IsExport(b) {
					imports = append(imports, a)
					continue
				}
				if input != "" {
					return usagef("--input applies to import mappings; %s is an export mapping", a)
				}
				if _, err := pipeline.ParseExport(a, b); err != nil {
					var ps pipeline.Problems
					if !errors.As(err, &ps) {
						return err
					}
					problems = append(problems, ps...)
					continue
				}
				fmt.Fprintf(std.out, "%s: export mapping valid\n", a)
			}
			maps, err := loadMappings(imports)
			if err != nil {
				var ps pipeline.Problems
				if errors.As(err, &ps) {
					return append(problems, ps...)
				}
				return err
			}
			if len(problems) > 0 {
				return problems
			}
			if len(maps) == 0 {
				return nil
			}
			tmp, err := os.MkdirTemp("", "stbulk-validate-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			var shown int
			sum, err := pipeline.Run(cmd.Context(), maps, pipeline.Options{
				Input: input, OutDir: tmp,
				NotSent: func(m *pipeline.Mapping, row int, reason string) {
					if shown++; shown <= 20 {
						src := m.Source
						if input != "" {
							src = input
						}
						fmt.Fprintf(std.out, "%s:%d: %s\n", src, row, reason)
					}
				},
			})
			if err != nil {
				return err
			}
			if shown > 20 {
				fmt.Fprintf(std.out, "... and %d more\n", shown-20)
			}
			fmt.Fprintf(std.out, "%d mapping file(s) valid; rows read %d: valid %d, filtered %d, rejected %d, skipped %d\n",
				len(maps), sum.Read, sum.Sent, sum.Filtered, sum.Rejected, sum.Skipped)
			if n := sum.NotSent(); n > 0 {
				return rowsNotSentError{n}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&input, "input", "", "input file replacing the mapping's source")
	return cmd
}

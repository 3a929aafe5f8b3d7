package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/synchroteam/catalog"
	"github.com/stbulk/stbulk/writers/files"
)

// importOptions are the inputs of `stbulk import`.
type importOptions struct {
	cred        credOptions
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
	preview     int
	plan        bool
	yes         bool
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
which entity to import, from which file, and how each API field is made from
a row. Several mapping files run in dependency order, parents first, and a row
whose parent row failed is skipped.

The entities, in the order they are imported:
` + entityList() + `

Every row read ends as sent, filtered (where:), rejected (invalid, with every
field error), failed (the API refused it) or skipped (its parent failed). The
run folder holds errors.csv (errors.xlsx for an XLSX input: the rows not sent,
their original columns plus _row and _error, ready to fix and import again
with the same mapping), success.csv (the rows sent: their columns, _row,
_outcome, _key, _id), summary.json and
journal.jsonl, every row's outcome as it happens: after a crash, a kill or
an interrupt, --resume sends only the rows left.

Credentials come from --domain, --api-key-file and --url, then
SYNCHROTEAM_DOMAIN, SYNCHROTEAM_API_KEY or SYNCHROTEAM_API_KEY_FILE and
SYNCHROTEAM_URL, then the profile chosen with --profile (docs/credentials.md);
or use --sandbox to rehearse against a local sandbox.

Exit codes: 0 every row sent, 1 some rows not sent, 2 usage or mapping error
(nothing sent), 3 fatal (authentication refused, API unreachable), 130
interrupted.`,
		Example: `  # rehearse against the local sandbox with demo data
  stbulk import mappings/customers.yaml --sandbox

  # check what would be sent, without sending; show the first payloads
  stbulk import mappings/customers.yaml --dry-run --preview 5

  # customers, their sites and equipment, in the right order
  stbulk import mappings/equipment.yaml mappings/sites.yaml mappings/customers.yaml

  # see what it would change first, and confirm
  stbulk import mappings/customers.yaml --plan

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
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "no progress bar or progress records: only warnings, errors (log records with a date-time) and the final summary")
	f.StringVar(&opts.resume, "resume", "", "go on with a run that stopped (crash, kill, interrupt): its folder, or without one the newest unfinished run of these mapping files; only rows without a final outcome are sent")
	f.Lookup("resume").NoOptDefVal = resumeLatest
	f.BoolVar(&opts.changedOnly, "changed-only", false, "send only the rows whose payload changed since it was last sent (a ledger per domain and entity remembers it); the others are counted unchanged")
	f.StringVar(&opts.ledger, "ledger", "", "folder of the --changed-only ledger (default: stbulk/ledger in the user cache folder)")
	f.IntVar(&opts.preview, "preview", 0, "with --dry-run: print the first N payloads of each mapping as a table, and its first N rows not sent with their reasons")
	f.BoolVar(&opts.plan, "plan", false, "first make the plan of the import (as stbulk plan, in the run folder's plan/), show it and ask before sending")
	f.BoolVar(&opts.yes, "yes", false, "with --plan: send once the plan is made, without asking (for scripts)")
	f.Int64Var(&opts.minQuota, "min-quota", 0, "stop cleanly (exit 3, resumable with --resume) once the API's daily quota left falls below N requests (0: never)")
	addCredentialFlags(cmd, &opts.cred)
	return cmd
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
	case opts.preview < 0:
		return usagef("--preview %d: must be 0 or more", opts.preview)
	case opts.preview > 0 && !opts.dryRun:
		return usagef("--preview shows the payloads of a dry run: add --dry-run")
	case opts.resume != "" && opts.out != "":
		return usagef("--resume writes into the folder of the run it resumes: drop --out")
	case opts.plan && (opts.dryRun || opts.resume != ""):
		return usagef("--plan reads what an import would change before sending: not with --dry-run or --resume")
	case opts.yes && !opts.plan:
		return usagef("--yes answers the question of --plan: add --plan")
	}
	maps, err := loadMappings(args)
	if err != nil {
		return err
	}
	prog := newProgress(std, opts.quiet)
	var client *synchroteam.Client
	if !opts.dryRun {
		c, closeClient, err := newClient(opts.sandbox, opts.cred, opts.rate, std, "importing into", prog.display)
		if err != nil {
			return err
		}
		defer closeClient()
		client = c
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
		if out, err = files.RunDir("stbulk-runs", time.Now()); err != nil {
			return err
		}
		defer removeIfEmpty(out)
	default:
		if err := files.EnsureDir(out); err != nil {
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
	if opts.plan {
		ok, err := confirmPlan(ctx, maps, client, opts.input, out, opts.concurrency, opts.yes, std, prog.logWriter())
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(std.out, "nothing sent: the plan was not confirmed")
			return nil
		}
	}
	prog.client = client
	logImportStart(prog.log, maps, opts, out)
	sum, runErr := pipeline.Run(ctx, maps, pipeline.Options{
		ChangedOnly: opts.changedOnly, LedgerDir: ledger,
		Client: client, DryRun: opts.dryRun, Input: opts.input, OutDir: out,
		Concurrency: opts.concurrency, MaxErrors: opts.maxErrors,
		Progress: prog.update, Total: prog.total, Log: prog.logWriter(), Resume: opts.resume != "", MinQuota: opts.minQuota,
	})
	prog.finish(runErr == nil && (sum == nil || sum.Stopped == ""))
	logImportEnd(prog.log, sum, runErr)
	if sum != nil {
		printSummary(std.out, sum, out)
		if opts.preview > 0 {
			if err := printPreview(std.out, sum, maps, opts.preview); err != nil && runErr == nil {
				runErr = err
			}
		}
	}
	if runErr != nil {
		return runErr
	}
	if n := sum.NotSent(); n > 0 {
		return rowsNotSentError{n: n}
	}
	return nil
}

// logImportStart logs what the run is about to do.
func logImportStart(log *slog.Logger, maps []*pipeline.Mapping, opts *importOptions, out string) {
	var files, inputs []string
	for _, m := range maps {
		files = append(files, m.File)
		in := m.Source
		if opts.input != "" {
			in = opts.input
		}
		inputs = append(inputs, in)
	}
	mode := "send"
	switch {
	case opts.dryRun:
		mode = "dry-run"
	case opts.sandbox:
		mode = "sandbox"
	}
	attrs := []any{"version", buildVersion(), "mappings", strings.Join(files, ","), "inputs", strings.Join(inputs, ","),
		"mode", mode, "run_folder", out}
	if !opts.dryRun {
		attrs = append(attrs, "rate", opts.rate, "concurrency", opts.concurrency)
	}
	if opts.resume != "" {
		attrs = append(attrs, "resume", true)
	}
	if opts.changedOnly {
		attrs = append(attrs, "changed_only", true)
	}
	if opts.minQuota > 0 {
		attrs = append(attrs, "min_quota", opts.minQuota)
	}
	log.Info("import started", attrs...)
}

// logImportEnd logs the requests and their retries, and why the run
// ended: finished, interrupted, or stopped by an error.
func logImportEnd(log *slog.Logger, sum *pipeline.Summary, runErr error) {
	var counts []any
	stopped := ""
	if sum != nil {
		stopped = sum.Stopped
		if !sum.DryRun {
			attrs := []any{"requests", sum.Requests, "retries", sum.Retries, "rate_limited", sum.RateLimited, "rate_cuts", sum.RateCuts}
			if sum.RateCuts > 0 {
				attrs = append(attrs, "lowest_rate", math.Round(sum.LowestRate*10)/10)
			}
			if sum.QuotaRemaining != nil {
				attrs = append(attrs, "quota_left", *sum.QuotaRemaining)
			}
			log.Info("requests", attrs...)
		}
		counts = []any{"read", sum.Read, "sent", sum.Sent, "not_sent", sum.NotSent(), "seconds", math.Round(sum.DurationSeconds*10) / 10}
	}
	logEnd(log, "import", sum != nil && sum.NotSent() > 0, stopped, runErr, counts)
}

// logEnd logs why a run of what (import, export) ended, with its exit
// code: finished (info; a warning when some rows or items were not done),
// interrupted (warning), stopped by an error (error).
func logEnd(log *slog.Logger, what string, incomplete bool, stopped string, runErr error, counts []any) {
	switch {
	case errors.Is(runErr, context.Canceled):
		log.Warn(what+" interrupted", append(counts, "exit_code", exitInterrupted)...)
	case runErr != nil:
		attrs := append(counts, "error", runErr.Error(), "exit_code", exitCode(runErr))
		log.Error(what+" stopped", attrs...)
	case stopped != "":
		log.Warn(what+" stopped", append(counts, "reason", stopped, "exit_code", exitRowsFailed)...)
	case incomplete:
		log.Warn(what+" finished, not everything done", append(counts, "exit_code", exitRowsFailed)...)
	default:
		log.Info(what+" finished", append(counts, "exit_code", exitOK)...)
	}
}

// removeIfEmpty removes a run folder that a run ended without writing into
// (a mapping that does not fit its source: nothing was sent), but for the
// lock file of the run.
func removeIfEmpty(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Name() != files.LockName {
			return
		}
	}
	_ = os.Remove(filepath.Join(dir, files.LockName))
	_ = os.Remove(dir) // a folder still there is harmless
}

func printSummary(w io.Writer, s *pipeline.Summary, dir string) {
	mode := ""
	if s.DryRun {
		mode = " (dry run: \"sent\" means written to payloads.jsonl)"
	}
	fmt.Fprintf(w, "read %d: sent %d, filtered %d, rejected %d, failed %d, skipped %d%s%s\n",
		s.Read, s.Sent, s.Filtered, s.Rejected, s.Failed, s.Skipped, extraCounts(s.Counts), mode)
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
		if n := m.Filtered + m.Duplicates; n > 0 && m.FilteredFile != "" {
			fmt.Fprintf(w, "%s: %d row(s) left out by the mapping: %s\n", m.Mapping, n, m.FilteredFile)
		}
	}
	fmt.Fprintf(w, "reports: %s\n", dir)
}

// extraCounts are the counts a summary line shows only when they are not
// 0: unchanged (--changed-only) and duplicates (duplicates: first or last).
func extraCounts(c pipeline.Counts) string {
	s := ""
	if c.Unchanged > 0 {
		s += fmt.Sprintf(", unchanged %d", c.Unchanged)
	}
	if c.Duplicates > 0 {
		s += fmt.Sprintf(", duplicates %d", c.Duplicates)
	}
	return s
}

// progress shows an import's progress: a bar a mapping on a terminal, a
// record every 5 seconds otherwise.
type progress struct {
	*display
	client  *synchroteam.Client // for the quota left, when it sends
	current *pipeline.Mapping
	totals  map[*pipeline.Mapping]int
}

func newProgress(std streams, quiet bool) *progress {
	return &progress{display: newDisplay(std, quiet, "rows"), totals: map[*pipeline.Mapping]int{}}
}

// total is pipeline.Options.Total: the rows of m, known or guessed.
func (p *progress) total(m *pipeline.Mapping, rows int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.totals[m] = rows
	if m == p.current {
		p.setMax(rows)
	}
}

func (p *progress) update(m *pipeline.Mapping, c pipeline.Counts) {
	switch {
	case p.quiet:
	case p.tty:
		p.mu.Lock()
		defer p.mu.Unlock()
		if m != p.current || p.bar == nil {
			p.endBar(!p.stopped)
			p.current = m
			p.newBar(-1, m.Entity.Name)
			p.setMax(p.totals[m])
		}
		p.set(c.Read, fmt.Sprintf("%s: sent %d, not sent %d ", m.Entity.Name, c.Sent, c.NotSent()))
	case p.due():
		attrs := []any{"entity", m.Entity.Name, "mapping", m.File, "read", c.Read, "sent", c.Sent,
			"filtered", c.Filtered, "rejected", c.Rejected, "failed", c.Failed, "skipped", c.Skipped}
		if c.Unchanged > 0 {
			attrs = append(attrs, "unchanged", c.Unchanged)
		}
		if c.Duplicates > 0 {
			attrs = append(attrs, "duplicates", c.Duplicates)
		}
		p.mu.Lock()
		total, ok := p.totals[m]
		p.mu.Unlock()
		if ok {
			attrs = append(attrs, "total", total)
		}
		if p.client != nil {
			if q, ok := p.client.QuotaRemaining(); ok {
				attrs = append(attrs, "quota_left", q)
			}
		}
		p.log.Info("progress", attrs...)
	}
}

// entityList is the importable entities, one a line, in import order.
func entityList() string {
	var b strings.Builder
	for _, e := range catalog.All() {
		fmt.Fprintf(&b, "  %-14s %s\n", e.Name, e.Doc)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

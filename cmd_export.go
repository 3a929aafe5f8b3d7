package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/synchroteam"
)

// exportOptions are the inputs of `stbulk export`.
type exportOptions struct {
	cred        credOptions
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
use: numbers are numbers, dates are dates), customers, sites, activities,
stock requests, parts or the job types jobs use.

The API has no list of parts: a parts export reads Part/Details of each
reference its mapping names (references: a column of a CSV or XLSX file,
and/or the parts jobs used); a reference the API does not know is a line of
errors.csv. Nor has it a list of job types: a jobtypes export reads the
jobs and lists the types they use (with their number of jobs and the first
and last job's date), so a type no job uses is not listed. docs/exports.md
describes each kind.

The output folder (--out, default stbulk-exports/<mapping name>) holds the
spreadsheet, the files, manifest.json (every file with its size and
SHA-256), summary.json, and errors.csv when some items could not be read.
Rows and files are keyed (job num, invoice num), so exporting again into the
same folder replaces them instead of adding duplicates.

--since last reads only what changed since the last run that ended cleanly
(less a few minutes of overlap, to catch late edits); the first run exports
everything. --since 2026-01-01 reads what changed since that day.

Credentials come from --domain, --api-key-file and --url, then
SYNCHROTEAM_DOMAIN, SYNCHROTEAM_API_KEY or SYNCHROTEAM_API_KEY_FILE and
SYNCHROTEAM_URL, then the profile chosen with --profile (docs/credentials.md);
or use --sandbox to try it on a local sandbox's demo data.

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
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "no progress bar or progress records: only warnings, errors (log records with a date-time) and the final summary")
	addCredentialFlags(cmd, &opts.cred)
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
	prog := newExportProgress(std, opts.quiet, m.KindName())
	client, closeClient, err := newClient(opts.sandbox, opts.cred, opts.rate, std, "exporting from", prog.display)
	if err != nil {
		return err
	}
	defer closeClient()
	out := opts.out
	if out == "" {
		out = filepath.Join("stbulk-exports", m.Name)
	}
	// The output folder is kept from run to run: what it holds is replaced
	// item by item.
	if err := os.MkdirAll(out, 0o755); err != nil {
		return usageError{err}
	}
	mode := "send"
	if opts.sandbox {
		mode = "sandbox"
	}
	prog.log.Info("export started", "version", buildVersion(), "mapping", file, "export", m.KindName(), "mode", mode,
		"since", opts.since, "output", out, "rate", opts.rate, "concurrency", opts.concurrency)
	defer limitExportMemory()()
	sum, runErr := pipeline.Export(ctx, m, pipeline.ExportOptions{
		Client: client, OutDir: out, Since: opts.since, Concurrency: opts.concurrency,
		Progress: prog.update, Log: prog.logWriter(),
	})
	prog.finish(runErr == nil && (sum == nil || sum.Stopped == ""))
	logExportEnd(prog.log, sum, runErr)
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
		if m.Line > 0 {
			fmt.Fprintf(w, "total mismatch: %s %s line %d: total %.2f, net + VAT %.2f\n", strings.ToLower(m.Type), m.Num, m.Line, m.Total, m.Computed)
			continue
		}
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

// exportProgress shows an export's progress: a bar on a terminal (a
// spinner until the total is known), a record every 5 seconds otherwise,
// nothing with --quiet.
type exportProgress struct {
	*display
	what string
}

func newExportProgress(std streams, quiet bool, what string) *exportProgress {
	return &exportProgress{display: newDisplay(std, quiet, what), what: what}
}

func (p *exportProgress) update(done, total int) {
	switch {
	case p.quiet:
	case p.tty:
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.bar == nil {
			p.newBar(-1, p.what+" ")
		}
		p.setMax(total)
		p.set(done, "")
	case p.due():
		p.log.Info("progress", "export", p.what, "done", done, "total", total)
	}
}

// logExportEnd logs the requests and their retries, and why the export
// ended.
func logExportEnd(log *slog.Logger, sum *pipeline.ExportSummary, runErr error) {
	var counts []any
	stopped := ""
	if sum != nil {
		stopped = sum.Stopped
		log.Info("requests", "requests", sum.Requests, "retries", sum.Retries, "rate_limited", sum.RateLimited)
		counts = []any{"found", sum.Found, "exported", sum.Exported, "failed", sum.Failed,
			"seconds", math.Round(sum.DurationSeconds*10) / 10}
	}
	logEnd(log, "export", sum != nil && sum.Failed > 0, stopped, runErr, counts)
}

// exportMemoryLimit is the soft memory limit of an export, unless
// GOMEMLIMIT sets one. What an export holds is bounded whatever the number
// of items (their records are on disk): mostly the XLSX writer's buffers,
// up to 32 MiB a sheet of more than 16 MiB. By default the garbage
// collector lets the heap grow to twice what is live before collecting,
// which took 100,000 jobs with reports to 173 MiB of RSS; with the limit,
// it collects sooner once the heap nears it (125 MiB). The limit is soft: an
// export that needs more gets it, at the cost of more collections.
const exportMemoryLimit = 100 << 20

// limitExportMemory sets exportMemoryLimit, unless GOMEMLIMIT is set, and
// returns the function that restores the limit before it.
func limitExportMemory() (restore func()) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return func() {}
	}
	before := debug.SetMemoryLimit(exportMemoryLimit)
	return func() { debug.SetMemoryLimit(before) }
}

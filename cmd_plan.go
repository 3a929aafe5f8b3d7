package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers/files"
)

// planOptions are the inputs of `stbulk plan`.
type planOptions struct {
	cred        credOptions
	input       string
	out         string
	xlsx        bool
	sandbox     bool
	concurrency int
	rate        float64
	quiet       bool
}

func newPlanCmd(std streams) *cobra.Command {
	opts := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan MAPPING.yaml [MAPPING.yaml ...]",
		Short: "Tell what an import would change, field by field, without changing anything",
		Long: `Tell what importing these mapping files would change in Synchroteam, without
changing anything. The rows are read and mapped as by import --dry-run; then
each row's record is read back by its key (myId, reference, login...) under
the rate limit, and compared with what the row would send, field by field.

Every input row gets one outcome:
  create     no record has its key: it will be created
  update     its record differs: the fields that change, current and planned
  unchanged  its record already holds what the row sends
  unknown    the API cannot read such records back (inventory, attachments)
  refused    invalid: it will not be sent (the reason, as import gives it)
  left out   filtered by where:, or a duplicate left out

The plan's folder holds plan.csv (one line per input row: mapping, _row,
outcome, key, changes, fields not checked, reason) and plan-changes.csv (one
line per field that changes: current and planned values), or plan.xlsx with
both sheets (--xlsx); plan.json sums it up; and the reports of the dry run.
Numbers, dates, lists and the case of emails are compared as the API may
rewrite them: docs/plan-verify.md gives every rule. No write request is sent.

Exit codes: 0 the plan is made, 2 usage or mapping error, 3 fatal
(authentication refused, API unreachable), 130 interrupted.`,
		Example: `  # what would importing the customers change?
  stbulk plan mappings/customers.yaml

  # a workbook to send to the customer before the migration
  stbulk plan mappings/customers.yaml mappings/sites.yaml --xlsx --out plan-before-migration

  # see the plan, then import once it is confirmed
  stbulk import mappings/customers.yaml --plan`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("plan needs at least one mapping file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlan(cmd.Context(), args, opts, std)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.input, "input", "", "input file (CSV or XLSX, by extension) replacing the mapping's source")
	f.StringVar(&opts.out, "out", "", "folder of the plan (default: a new folder under ./stbulk-plans/)")
	f.BoolVar(&opts.xlsx, "xlsx", false, "write plan.xlsx (a Plan and a Changes sheet) rather than plan.csv and plan-changes.csv")
	f.BoolVar(&opts.sandbox, "sandbox", false, "plan against a local sandbox with demo data (never the real API)")
	f.IntVar(&opts.concurrency, "concurrency", 8, "reads in flight at once")
	f.Float64Var(&opts.rate, "rate", synchroteam.DefaultRate, "requests per second, all workers together")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "print only errors and the final summary")
	addCredentialFlags(cmd, &opts.cred)
	return cmd
}

func runPlan(ctx context.Context, args []string, opts *planOptions, std streams) error {
	switch {
	case opts.concurrency < 1 || opts.concurrency > maxConcurrency:
		return usagef("--concurrency %d: must be between 1 and %d", opts.concurrency, maxConcurrency)
	case !(opts.rate > 0) || math.IsInf(opts.rate, 0):
		return usagef("--rate %v: must be a number more than 0", opts.rate)
	case opts.input != "" && len(args) > 1:
		return usagef("--input replaces the source of one mapping file; %d were given", len(args))
	}
	maps, err := loadMappings(args)
	if err != nil {
		return err
	}
	// Log records as import writes them (a date-time and a level off a
	// terminal, the key never), rate cuts included.
	d := newDisplay(std, opts.quiet, "rows")
	c, closeClient, err := newClient(opts.sandbox, opts.cred, opts.rate, std, "planning against", d)
	if err != nil {
		return err
	}
	defer closeClient()
	out := opts.out
	if out == "" {
		if out, err = files.RunDir("stbulk-plans", time.Now()); err != nil {
			return err
		}
	} else if err := files.EnsureDir(out); err != nil {
		return usageError{err}
	}
	sum, err := pipeline.Plan(ctx, maps, pipeline.PlanOptions{Client: c, Input: opts.input, OutDir: out, Concurrency: opts.concurrency, XLSX: opts.xlsx, Log: d.logWriter()})
	if err != nil {
		return err
	}
	printPlan(std.out, sum)
	return nil
}

// planOrder is the order outcomes are shown in.
var planOrder = []string{pipeline.PlanCreate, pipeline.PlanUpdate, pipeline.PlanUnchanged, pipeline.PlanUnknown, pipeline.PlanRefused, pipeline.PlanLeftOut}

func planCounts(outcomes map[string]int) string {
	parts := make([]string, 0, len(planOrder))
	total := 0
	for _, o := range planOrder {
		parts = append(parts, fmt.Sprintf("%s %d", o, outcomes[o]))
		total += outcomes[o]
	}
	return fmt.Sprintf("rows %d: %s", total, strings.Join(parts, ", "))
}

func printPlan(w io.Writer, s *pipeline.PlanSummary) {
	fmt.Fprintf(w, "plan: %s\n", planCounts(s.Outcomes))
	if len(s.Mappings) > 1 {
		for _, m := range s.Mappings {
			fmt.Fprintf(w, "  %s (%s): %s\n", m.Mapping, m.Entity, planCounts(m.Outcomes))
		}
	}
	fmt.Fprintf(w, "reads %d, retries %d, rate limited %d; nothing was changed\n", s.Requests, s.Retries, s.RateLimited)
	if s.RateCuts > 0 {
		fmt.Fprintf(w, "the API limited the rate: lowered %d time(s), down to %.1f requests/s\n", s.RateCuts, s.LowestRate)
	}
	fmt.Fprintf(w, "plan: %s\n", strings.Join(s.Files, ", "))
}

// confirmPlan makes the plan of an import in dir/plan, shows it and asks
// whether to go on: yes answers for scripts; without it the question
// needs a terminal to answer it.
func confirmPlan(ctx context.Context, maps []*pipeline.Mapping, c *synchroteam.Client, input, dir string, concurrency int, yes bool, std streams, log io.Writer) (bool, error) {
	if !yes && !interactive(std) {
		return false, usagef("--plan asks before sending, and no one can answer here (not a terminal): add --yes to send once the plan is made")
	}
	planDir := filepath.Join(dir, "plan")
	if err := files.EnsureDir(planDir); err != nil {
		return false, err
	}
	sum, err := pipeline.Plan(ctx, maps, pipeline.PlanOptions{Client: c, Input: input, OutDir: planDir, Concurrency: concurrency, Log: log})
	if err != nil {
		return false, err
	}
	printPlan(std.out, sum)
	if yes {
		return true, nil
	}
	fmt.Fprintf(std.err, "send %d row(s) now (%d to create, %d to update)? [y/N] ",
		sum.DryRun.Sent, sum.Outcomes[pipeline.PlanCreate], sum.Outcomes[pipeline.PlanUpdate])
	answer, _ := bufio.NewReader(std.in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// interactive tells whether someone can answer a question: standard input
// and error are terminals.
func interactive(std streams) bool {
	in, ok := std.in.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return false
	}
	errOut, ok := std.err.(*os.File)
	return ok && term.IsTerminal(int(errOut.Fd()))
}

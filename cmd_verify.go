package main

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/synchroteam"
)

// verifyOptions are the inputs of `stbulk verify`.
type verifyOptions struct {
	cred        credOptions
	concurrency int
	rate        float64
}

func newVerifyCmd(std streams) *cobra.Command {
	opts := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify RUN_DIR",
		Short: "Check that every row an import sent is in Synchroteam as it was sent",
		Long: `Check that every row an import sent (or found unchanged) is in Synchroteam as
it was sent: each record is read back by its key, under the rate limit, and
compared with what was sent, field by field.

What was sent is built again from the run's mapping files and inputs, named
in the run's journal.jsonl: they must be as they were (their sizes and
hashes are in the journal), and each row must give the payload the journal
holds the hash of. The credentials must be those of the run's account.

RUN_DIR/verify/<time>/verify.csv lists each field not as sent (mapping,
_row, key, field, sent, found), a record no longer found by its key, and the
rows that cannot be checked (inventory quantities: the API has no read for
them). Numbers, dates, lists and the case of emails are compared as the API
may rewrite them (docs/plan-verify.md gives every rule); fields the API
never shows back (a site's customer, a user's password) are not checked.

Exit codes: 0 every row as sent, 1 some field or record not as sent, 2 the
run cannot be verified (no journal, input or mapping changed, another
account) or usage error, 3 fatal (authentication refused, API
unreachable), 130 interrupted.`,
		Example: `  # after a migration: did everything land as in the file?
  stbulk import mappings/customers.yaml mappings/sites.yaml --out migration
  stbulk verify migration`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("verify needs the folder of one import run")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), args[0], opts, std)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.concurrency, "concurrency", 8, "reads in flight at once")
	f.Float64Var(&opts.rate, "rate", synchroteam.DefaultRate, "requests per second, all workers together")
	addCredentialFlags(cmd, &opts.cred)
	return cmd
}

// notAsSentError ends a verification that found rows not as sent: exit
// code 1.
type notAsSentError struct{ rows, fields int }

func (e notAsSentError) Error() string {
	return fmt.Sprintf("%d row(s) not as sent (%d field(s)): see verify.csv", e.rows, e.fields)
}

func runVerify(ctx context.Context, dir string, opts *verifyOptions, std streams) error {
	switch {
	case opts.concurrency < 1 || opts.concurrency > maxConcurrency:
		return usagef("--concurrency %d: must be between 1 and %d", opts.concurrency, maxConcurrency)
	case !(opts.rate > 0) || math.IsInf(opts.rate, 0):
		return usagef("--rate %v: must be a number more than 0", opts.rate)
	}
	d := newDisplay(std, false, "rows") // log records as import writes them
	c, closeClient, err := newClient(false, opts.cred, opts.rate, std, "verifying against", d)
	if err != nil {
		return err
	}
	defer closeClient()
	sum, err := pipeline.Verify(ctx, dir, pipeline.VerifyOptions{Client: c, Concurrency: opts.concurrency, Log: d.logWriter()})
	if errors.Is(err, pipeline.ErrNotVerifiable) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(std.out, "checked %d row(s): %d as sent, %d not as sent (%d field(s)), %d not checkable\n",
		sum.Checked, sum.Checked-sum.Mismatched-sum.Unknown, sum.Mismatched, sum.Fields, sum.Unknown)
	fmt.Fprintf(std.out, "reads %d; report: %s\n", sum.Requests, sum.File)
	if sum.Mismatched > 0 {
		return notAsSentError{rows: sum.Mismatched, fields: sum.Fields}
	}
	return nil
}

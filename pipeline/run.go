package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/synchroteam/catalog"
	"github.com/stbulk/stbulk/writers/files"
	"github.com/stbulk/stbulk/writers/htmlreport"
)

// Options drive a run.
type Options struct {
	// Client is the API the rows are sent to; DryRun sends nothing and
	// writes each payload to payloads.jsonl instead (Client is not used).
	Client      *synchroteam.Client
	DryRun      bool
	Input       string // replaces the source of the mapping (one mapping only)
	OutDir      string // the run folder, which exists
	Concurrency int    // requests in flight (default 8)
	MaxErrors   int    // stop once more rows than this were rejected or failed (0: never)
	// Progress, when set, is called after each row's outcome, from one
	// goroutine at a time.
	Progress func(m *Mapping, c Counts)
	// Total, when set, is called once for each mapping whose number of
	// rows is known or guessed cheaply: an XLSX sheet's dimension, a quick
	// count of a CSV file's records (in another goroutine, while the run
	// goes on: it may come late, or never). A hint for a progress bar, not
	// a promise: the rows read may end above or below it.
	Total func(m *Mapping, rows int)
	// NotSent, when set, is called for each row rejected, failed or skipped,
	// from one goroutine at a time.
	NotSent func(m *Mapping, row int, reason string)
	// Log receives a line for each mapping started and for a stop.
	Log io.Writer
	// ChangedOnly sends only the rows whose payload differs from the one
	// last sent for their key, as the ledger in LedgerDir (per domain and
	// entity) remembers it.
	ChangedOnly bool
	LedgerDir   string
	// MinQuota stops the run (a fatal stop: resumable) once the API's
	// X-Quota-Remaining falls below it; 0: never.
	MinQuota int64
	// Resume goes on with the run whose folder is OutDir, from its journal:
	// only the rows without a final outcome are sent, and the reports are
	// written again whole, as if the run had not stopped.
	Resume bool

	check bool // a check (validate): a dry run that writes no file
}

// SortByDependency orders mappings so that parents come before children
// (customer → site → equipment; part → part_price → inventory), keeping the
// given order among mappings of the same entity.
func SortByDependency(maps []*Mapping) {
	slices.SortStableFunc(maps, func(a, b *Mapping) int {
		return catalog.Rank(a.Entity.Name) - catalog.Rank(b.Entity.Name)
	})
}

// opened is a mapping with its source open and bound.
type opened struct {
	m      *Mapping
	input  string
	src    readers.Source
	header []string
}

// Run imports the mappings, in dependency order, and writes the reports in
// opts.OutDir. It returns the summary and:
//   - Problems when a mapping does not fit its source (nothing was sent);
//   - *FatalError when the run had to stop (reports written);
//   - the context's error when interrupted (reports written);
//   - nil otherwise, even when rows failed: see the summary's counts.
func Run(ctx context.Context, maps []*Mapping, opts Options) (*Summary, error) {
	if !opts.DryRun && opts.Client == nil {
		return nil, errors.New("pipeline: a run that sends needs a client")
	}
	return run(ctx, maps, opts)
}

// Check maps and checks every row of the mappings as an import would,
// sends nothing and writes no file: what `stbulk validate` runs. notSent,
// when set, is called for each row that would not be sent.
func Check(ctx context.Context, maps []*Mapping, input string, notSent func(m *Mapping, row int, reason string)) (*Summary, error) {
	return run(ctx, maps, Options{DryRun: true, check: true, Input: input, NotSent: notSent})
}

func run(ctx context.Context, maps []*Mapping, opts Options) (*Summary, error) {
	start := time.Now()
	if opts.Concurrency < 1 {
		opts.Concurrency = 8
	}
	if opts.DryRun {
		// One sender: payloads.jsonl lists the rows in their order.
		opts.Concurrency = 1
	}
	if opts.Input != "" && len(maps) != 1 {
		return nil, errors.New("--input replaces the source of one mapping; several mapping files were given")
	}
	if opts.OutDir != "" && !opts.check {
		if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
			return nil, fmt.Errorf("report folder: %w", err)
		}
		unlock, err := files.Lock(opts.OutDir)
		if err != nil {
			return nil, err
		}
		defer unlock()
		if err := files.RemoveLeftovers(opts.OutDir); err != nil && opts.Log != nil {
			fmt.Fprintf(opts.Log, "temporary files of an earlier run left in %s: %v\n", opts.OutDir, err)
		}
	}
	if opts.Resume {
		resumeOrder(maps, filepath.Join(opts.OutDir, JournalName))
	}
	SortByDependency(maps)
	srcs, err := openAll(ctx, maps, opts.Input)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, o := range srcs {
			o.src.Close()
			o.m.closeFiles()
		}
	}()

	if opts.Total != nil {
		stopCounting := tellTotals(ctx, srcs, opts.Total)
		defer stopCounting()
	}
	sum := &Summary{DryRun: opts.DryRun, Started: start.UTC().Truncate(time.Second)}
	r := &runner{opts: opts, parents: newParents(), stop: newStop(ctx, opts.Log), to: sender(dryRun{})}
	if !opts.DryRun {
		r.to = api{opts.Client}
	}
	dirs := reportDirs(opts.OutDir, srcs)
	for _, d := range dirs {
		// A mapping's subfolder of the run folder is never a link.
		if err := files.RefuseLink(d); d != opts.OutDir && err != nil {
			r.stop.close()
			return nil, err
		}
	}
	// The ledgers are locked for the whole run, before anything is sent or
	// journaled: a run refused for a ledger in use leaves nothing behind.
	if err := r.openLedgers(srcs); err != nil {
		r.stop.close()
		return nil, err
	}
	if !opts.DryRun || opts.Resume {
		if err := r.openJournal(srcs, dirs, start); err != nil {
			r.closeLedgers()
			r.stop.close()
			return nil, err
		}
	}
	var runErr error
	for i, o := range srcs {
		// After a stop (interrupt, fatal error, --max-errors) the mappings
		// left are not imported, but their rows still go to their errors
		// files as not sent: every input row is in a report.
		ms, err := r.runMapping(i, o, dirs[i])
		r.earlierErrors += ms.Rejected + ms.Failed
		sum.Mappings = append(sum.Mappings, ms)
		sum.Counts.plus(ms.Counts)
		if err != nil && runErr == nil {
			runErr = err
			r.stop.now(err.Error(), err)
		}
	}
	r.stop.close()
	if err := r.closeLedgers(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr == nil {
		runErr = r.stop.fatal()
	}
	if runErr == nil && ctx.Err() != nil {
		runErr = ctx.Err()
	}
	switch why := r.stop.reason(); {
	case errors.Is(runErr, context.Canceled):
		sum.Stopped = "interrupted: every row not sent is in an errors file"
	case runErr != nil:
		sum.Stopped = runErr.Error()
	case why != "":
		sum.Stopped = why
	}
	r.to.count(sum)
	if opts.MinQuota > 0 && opts.Log != nil && !opts.DryRun {
		if _, ok := r.to.quota(); !ok {
			fmt.Fprintf(opts.Log, "--min-quota: the API sent no X-Quota-Remaining: there was no quota to watch\n")
		}
	}
	sum.DurationSeconds = time.Since(start).Seconds()
	if !opts.check {
		if err := files.WriteJSON(filepath.Join(opts.OutDir, files.SummaryName), sum); err != nil && runErr == nil {
			runErr = err
		}
		if err := writeReport(opts.OutDir, importReport(sum, r.groups, r.to.timeline())); err != nil && runErr == nil {
			runErr = err
		}
	}
	if r.journal != nil {
		// The run ended when every row has its outcome: not after an
		// interrupt or a stop, which --resume goes on with.
		if err := r.journal.close(runErr == nil && sum.Stopped == ""); err != nil && runErr == nil {
			runErr = err
		}
	}
	return sum, runErr
}

// openAll opens every source and binds its mapping; every problem of every
// mapping is reported at once.
func openAll(ctx context.Context, maps []*Mapping, input string) ([]*opened, error) {
	var out []*opened
	var ps Problems
	for _, m := range maps {
		in := m.Source
		if input != "" {
			in = input
		}
		if in == "" {
			ps = append(ps, Problem{File: m.File, Msg: "no source: add \"source:\" to the mapping file or pass --input"})
			continue
		}
		// The kinds of a workbook's cells, for errors.xlsx to type the
		// cells of the rows not sent as the input typed them.
		xo := m.XLSX
		xo.CellKinds = true
		src, err := readers.OpenContext(ctx, in, m.CSV, xo)
		if err != nil {
			ps = append(ps, Problem{File: m.File, Msg: "source: " + err.Error()})
			continue
		}
		header := src.Header()
		err = m.bind(ctx, in, header)
		if err == nil {
			err = m.openFiles(in)
		}
		if err != nil {
			var bp Problems
			if errors.As(err, &bp) {
				ps = append(ps, bp...)
			} else {
				ps = append(ps, Problem{File: m.File, Msg: err.Error()})
			}
			src.Close()
			continue
		}
		out = append(out, &opened{m: m, input: in, src: src, header: header})
	}
	if len(ps) > 0 {
		for _, o := range out {
			o.m.closeFiles()
			o.src.Close()
		}
		if err := ctx.Err(); err != nil {
			// Interrupted while a file was opened: not a problem of the files.
			return nil, fmt.Errorf("opening the sources: %w", err)
		}
		return nil, ps.Sorted()
	}
	return out, nil
}

// reportDirs gives each mapping its report folder: the run folder itself
// for a single mapping, else a subfolder named after the mapping file (with
// -2, -3... when two files share a name), decided before anything is sent.
func reportDirs(out string, all []*opened) []string {
	dirs := make([]string, len(all))
	if len(all) == 1 {
		dirs[0] = out
		return dirs
	}
	used := map[string]bool{}
	for i, o := range all {
		base := strings.TrimSuffix(filepath.Base(o.m.File), filepath.Ext(o.m.File))
		name := base
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		used[name] = true
		dirs[i] = filepath.Join(out, name)
	}
	return dirs
}

type runner struct {
	opts    Options
	to      sender
	stop    *stop
	parents *parents
	// earlierErrors counts the rows rejected or failed in the mappings
	// already run: --max-errors is for the whole run.
	earlierErrors int
	journal       *journal              // nil in a dry run
	groups        []*htmlreport.Grouper // each mapping's rows not sent, by reason
	replay        *replayed             // the journal of the run resumed, if any
	ledger        *ledger               // the mapping's, with --changed-only
	ledgers       map[string]*ledger
	// inline: the producer delivers the mapping's jobs itself (a dry run
	// without a journal or a ledger); else the senders do.
	inline bool
}

// job is one unit of work for the senders: one row, or a batch of rows.
type job struct {
	rows  []readers.Row
	items []catalog.Item
	mi    int // the mapping's index in the run
	// unchanged: the rows of a group as last sent (--changed-only)
	unchanged bool
	// refused, when set, says why the batcher keeps these rows from the
	// senders (a group with a rejected row).
	refused string
}

// result is one row's outcome, with what its report line needs.
type result struct {
	row     readers.Row
	outcome Outcome
	reason  string
	key     string
	id      string
	payload map[string]any
	err     error // the API's error, for fatal checks
	// fatalRead is set, alone, when the source cannot be read further.
	fatalRead error
	// dup: another row of the input writes the same record; this row's
	// outcome says nothing of that record (a child naming it is not
	// skipped).
	dup      bool
	replayed bool   // the outcome comes from the journal of the run resumed
	stopped  bool   // not sent because the run stopped: to send on resume
	unknown  bool   // the request may have been applied
	batch    string // the request of a batched row, and its rows
	batchLen int
}

// runMapping imports one mapping: one reader (produce), Concurrency
// senders, and this goroutine collecting every outcome, so that the reports
// have a single writer.
func (r *runner) runMapping(mi int, o *opened, dir string) (MappingSummary, error) {
	m := o.m
	ms := MappingSummary{Mapping: m.File, Entity: m.Entity.Name, Input: o.input}
	if r.opts.Log != nil {
		if r.stop.halted() {
			fmt.Fprintf(r.opts.Log, "not importing %s from %s (%s): the run stopped; its rows go to the errors file\n", m.Entity.Name, o.input, m.File)
		} else {
			fmt.Fprintf(r.opts.Log, "importing %s from %s (%s)\n", m.Entity.Name, o.input, m.File)
		}
	}
	rep, err := r.openReports(dir, o)
	if err != nil {
		return ms, err
	}
	r.ledger = r.ledgers[m.Entity.Name]
	rep.files(&ms)

	// The jobs queue holds a few rows per sender, at least 16: enough that
	// the reader does not wait on one sender's pace (a dry run has one).
	// The results queue stays short: the outcomes the collector has not
	// seen yet are what a stop (--max-errors) cannot hold back.
	queue := max(r.opts.Concurrency, 16)
	jobs := make(chan job, queue)
	results := make(chan result, 4*r.opts.Concurrency)
	// A dry run's sender does nothing but accept: without a journal or a
	// ledger to keep, the producer delivers each job itself, in order.
	senders := r.opts.Concurrency
	if r.inline = r.opts.DryRun && r.journal == nil && r.ledger == nil; r.inline {
		senders = 0
	}
	var g errgroup.Group
	g.Go(func() error {
		defer close(jobs)
		r.produce(mi, o, jobs, results)
		return nil
	})
	for range senders {
		g.Go(func() error {
			ctx := r.stop.calls()
			for j := range jobs {
				r.deliver(ctx, m, j, results)
			}
			return nil
		})
	}
	go func() {
		_ = g.Wait() // the goroutines report through results, never by error
		close(results)
	}()

	var writeErr error
	for res := range results {
		if res.fatalRead != nil {
			r.stop.now(res.fatalRead.Error(), &FatalError{Err: res.fatalRead})
			continue
		}
		ms.Counts.add(res.outcome)
		if r.journal != nil && !res.replayed {
			if jerr := r.journal.add(entryOf(mi, res)); jerr != nil && writeErr == nil {
				writeErr = jerr
				r.stop.now("cannot write the journal: "+jerr.Error(), jerr)
			}
		}
		if werr := rep.record(res); werr != nil && writeErr == nil {
			writeErr = werr
			r.stop.now("cannot write the reports: "+werr.Error(), werr)
		}
		if res.outcome != Sent && res.outcome != Filtered && res.outcome != Unchanged && res.outcome != Duplicate {
			if !res.dup {
				r.parents.remember(m.Entity, o.input, res)
			}
			if r.opts.NotSent != nil {
				r.opts.NotSent(m, res.row.Num, res.reason)
			}
		}
		if res.err != nil {
			if why, isFatal := r.fatalReason(res.err); isFatal {
				r.stop.now(why, &FatalError{Err: errors.New(why)})
			}
		}
		if q, ok := r.quotaLow(); ok {
			why := fmt.Sprintf("the API quota left (%d requests) is below --min-quota %d: resume the run when the quota is renewed", q, r.opts.MinQuota)
			r.stop.now(why, &FatalError{Err: errors.New(why)})
		}
		if n := r.opts.MaxErrors; n > 0 && r.earlierErrors+ms.Rejected+ms.Failed > n {
			r.stop.now(fmt.Sprintf("more than %d rows were rejected or failed (--max-errors)", n), nil)
		}
		if r.opts.Progress != nil {
			r.opts.Progress(m, ms.Counts)
		}
	}
	if err := rep.close(); err != nil && writeErr == nil {
		writeErr = err
	}
	return ms, writeErr
}

// deliver sends one job and records each row's outcome.
func (r *runner) deliver(ctx context.Context, m *Mapping, j job, results chan<- result) {
	if _, low := r.quotaLow(); r.stop.halted() || low {
		r.notSent(j, results)
		return
	}
	e := m.Entity
	batch := ""
	switch {
	case r.journal == nil:
	case e.Batch != nil:
		batch = r.journal.batch()
	case !e.Keyed(j.items[0].Payload):
		// Sent again after a crash, a row without its key would be
		// created twice: the journal notes it before it goes.
		ent := journalEntry{M: j.mi, Row: j.rows[0].Num, O: jSending, H: payloadHash(j.items[0].Payload)}
		if err := r.journal.addNow(ent); err != nil {
			results <- result{row: j.rows[0], outcome: Failed, reason: "not sent: " + err.Error(), payload: j.items[0].Payload, stopped: true}
			return
		}
	}
	if err := r.ledger.sending(e, j.items); err != nil {
		r.stop.now("cannot write the ledger: "+err.Error(), err)
		for i, row := range j.rows {
			results <- result{row: row, outcome: Failed, reason: "not sent: " + err.Error(), payload: j.items[i].Payload, stopped: true}
		}
		return
	}
	res := r.to.send(ctx, e, j.items)
	r.ledger.sent(e, j.items, res)
	// The key is for the success file and the journal: a dry run writes
	// neither, unless it resumes a run.
	keyed := !r.opts.DryRun || r.journal != nil
	for i, rr := range res {
		out := result{row: j.rows[i], outcome: Sent, id: rr.id, payload: j.items[i].Payload, batch: batch}
		if keyed {
			out.key = e.Key(j.items[i].Payload)
		}
		if batch != "" {
			out.batchLen = len(res)
		}
		switch {
		case errors.Is(rr.err, synchroteam.ErrNotStarted):
			out.outcome, out.reason, out.stopped = Failed, "not sent: "+r.stopReason(), true
		case rr.err != nil:
			out.outcome, out.reason, out.err = Failed, rr.err.Error(), rr.err
			// Not applied for sure: the outcome is unknown (cut after the
			// grace period, or answered ambiguously), or the run stopped
			// (authentication refused, API unreachable).
			_, fatal := r.fatalReason(rr.err)
			out.unknown = errors.Is(rr.err, synchroteam.ErrOutcome) || errors.Is(rr.err, context.Canceled) || errors.Is(rr.err, context.DeadlineExceeded)
			out.stopped = fatal && !out.unknown
		}
		results <- out
	}
}

// notSent records the rows of a job that the run stopped before sending.
func (r *runner) notSent(j job, results chan<- result) {
	why := r.stopReason()
	for i, row := range j.rows {
		results <- result{row: row, outcome: Failed, reason: "not sent: " + why, payload: j.items[i].Payload, stopped: true}
	}
}

func (r *runner) stopReason() string {
	if why := r.stop.reason(); why != "" {
		return "the run stopped (" + why + ")"
	}
	if q, low := r.quotaLow(); low {
		return fmt.Sprintf("the run stopped (the API quota left (%d requests) is below --min-quota %d: resume the run when the quota is renewed)", q, r.opts.MinQuota)
	}
	return "the run was interrupted"
}

// quotaLow reports the quota left when it is below --min-quota.
func (r *runner) quotaLow() (int64, bool) {
	if r.opts.MinQuota <= 0 {
		return 0, false
	}
	q, ok := r.to.quota()
	return q, ok && q < r.opts.MinQuota
}

// quotaWait: a 429 asking to wait longer than this stops the run.
const quotaWait = 10 * time.Minute

// fatalReason tells whether an API error must stop the whole run.
func (r *runner) fatalReason(err error) (string, bool) {
	_, domain := r.to.account()
	return fatalFor(domain, err)
}

// fatalReason tells whether an error of the client must stop an export.
func fatalReason(c *synchroteam.Client, err error) (string, bool) { return fatalFor(c.Domain(), err) }

// fatalFor tells whether an API error must stop the whole run, and why.
func fatalFor(domain string, err error) (string, bool) {
	var ue *synchroteam.UnreachableError
	var re *synchroteam.RetriesExhaustedError
	var rl *synchroteam.RateLimitError
	switch {
	case errors.Is(err, synchroteam.ErrUnauthorized):
		return fmt.Sprintf("authentication refused for domain %q: check %s and %s", domain, synchroteam.EnvDomain, synchroteam.EnvAPIKey), true
	case errors.Is(err, synchroteam.ErrForbidden):
		return fmt.Sprintf("access forbidden for domain %q: the API key lacks the right", domain), true
	case errors.As(err, &ue):
		return ue.Error(), true
	case errors.As(err, &re) && errors.As(err, &rl) && rl.RetryAfter > quotaWait:
		// Every row left would meet the same answer: the daily quota is
		// spent. The run stops, resumable once it is renewed.
		return fmt.Sprintf("the API refuses requests for %v (its daily quota is spent?): resume the run with --resume then", rl.RetryAfter.Round(time.Minute)), true
	}
	return "", false
}

// tellTotals tells total the rows of each source it can size: at once from
// a rows hint (XLSX), else by a quick count of a CSV file's records in
// another goroutine, one file after the other. stop ends the counting.
func tellTotals(ctx context.Context, srcs []*opened, total func(m *Mapping, rows int)) (stop func()) {
	var csvs []*opened
	for _, o := range srcs {
		if h, ok := o.src.(readers.RowsHinter); ok {
			if n, ok := h.RowsHint(); ok {
				total(o.m, n)
			}
			continue
		}
		d, ok := o.src.(interface{ Dialect() readers.Dialect })
		if !ok || strings.HasPrefix(strings.ToLower(d.Dialect().Encoding), "utf-16") {
			continue // the count reads ASCII-compatible bytes only
		}
		csvs = append(csvs, o)
	}
	if len(csvs) == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, o := range csvs {
			n, err := readers.CountCSVRows(ctx, o.input, o.m.CSV.HeaderRow)
			if err != nil || ctx.Err() != nil {
				return
			}
			total(o.m, n)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// Outcome is how a row ended. Every row read ends in exactly one.
type Outcome int

// The outcomes of a row.
const (
	Sent      Outcome = iota // written through the API (in a dry run: written to payloads.jsonl)
	Filtered                 // left out by the mapping's where: filter
	Rejected                 // not valid: unreadable row or field errors; nothing was sent
	Failed                   // the API refused it, retries ran out, or the run stopped before it was sent
	Skipped                  // its parent row failed in this run
	Unchanged                // --changed-only: sent before with the same payload, not sent again
)

// Counts are the outcomes of a run's rows. Read is the sum of the others.
type Counts struct {
	Read     int `json:"read"`
	Filtered int `json:"filtered"`
	Sent     int `json:"sent"`
	Rejected int `json:"rejected"`
	Failed   int `json:"failed"`
	Skipped  int `json:"skipped"`
	// Unchanged rows were not sent: their payload is the one last sent
	// (--changed-only).
	Unchanged int `json:"unchanged"`
}

func (c *Counts) add(o Outcome) {
	c.Read++
	switch o {
	case Sent:
		c.Sent++
	case Filtered:
		c.Filtered++
	case Rejected:
		c.Rejected++
	case Failed:
		c.Failed++
	case Skipped:
		c.Skipped++
	case Unchanged:
		c.Unchanged++
	}
}

func (c *Counts) plus(o Counts) {
	c.Read += o.Read
	c.Filtered += o.Filtered
	c.Sent += o.Sent
	c.Rejected += o.Rejected
	c.Failed += o.Failed
	c.Skipped += o.Skipped
	c.Unchanged += o.Unchanged
}

// NotSent is the number of rows read but not sent for a reason that needs
// attention (filtered rows are not counted: the mapping asked for it).
func (c Counts) NotSent() int { return c.Rejected + c.Failed + c.Skipped }

// MappingSummary is the part of the summary about one mapping file.
type MappingSummary struct {
	Mapping string `json:"mapping"`
	Entity  string `json:"entity"`
	Input   string `json:"input"`
	Counts
	Errors   string `json:"errors_file"`
	Success  string `json:"success_file,omitempty"`
	Payloads string `json:"payloads_file,omitempty"`
}

// Summary is what summary.json holds.
type Summary struct {
	Counts
	Requests        int64            `json:"requests"`
	Retries         int64            `json:"retries"`
	RateLimited     int64            `json:"rate_limited"`
	RateCuts        int64            `json:"rate_cuts"`             // times a 429 lowered the rate
	LowestRate      float64          `json:"lowest_rate,omitempty"` // requests/s, after those cuts
	QuotaRemaining  *int64           `json:"quota_remaining,omitempty"`
	DurationSeconds float64          `json:"duration_seconds"`
	DryRun          bool             `json:"dry_run"`
	Started         time.Time        `json:"started"`
	Stopped         string           `json:"stopped,omitempty"` // why the run ended before the end of its inputs
	Mappings        []MappingSummary `json:"mappings"`
}

// FatalError stops a run: authentication refused, API unreachable. The
// reports of what happened until then are written.
type FatalError struct{ Err error }

func (e *FatalError) Error() string { return e.Err.Error() }
func (e *FatalError) Unwrap() error { return e.Err }

// Options drive a run.
type Options struct {
	Client      *synchroteam.Client // nil for a dry run
	Input       string              // replaces the source of the mapping (one mapping only)
	OutDir      string              // the run folder, which exists
	Concurrency int                 // requests in flight (default 8)
	MaxErrors   int                 // stop once more rows than this were rejected or failed (0: never)
	// Progress, when set, is called after each row's outcome, from one
	// goroutine at a time.
	Progress func(m *Mapping, c Counts)
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
}

// InterruptGrace is how long requests in flight may finish after an interrupt.
const InterruptGrace = 10 * time.Second

// importOrder is the order entities are imported in, parents first.
var importOrder = []string{"activity_type", "user", "customer", "site", "equipment", "part", "part_price", "inventory", "job"}

// SortByDependency orders mappings so that parents come before children
// (customer → site → equipment; part → part_price → inventory), keeping the
// given order among mappings of the same entity.
func SortByDependency(maps []*Mapping) {
	slices.SortStableFunc(maps, func(a, b *Mapping) int {
		return slices.Index(importOrder, a.Entity.Name) - slices.Index(importOrder, b.Entity.Name)
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
	start := time.Now()
	if opts.Concurrency < 1 {
		opts.Concurrency = 8
	}
	if opts.Input != "" && len(maps) != 1 {
		return nil, errors.New("--input replaces the source of one mapping; several mapping files were given")
	}
	if opts.Resume {
		resumeOrder(maps, filepath.Join(opts.OutDir, JournalName))
	}
	SortByDependency(maps)
	srcs, err := openAll(maps, opts.Input)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, o := range srcs {
			o.src.Close()
		}
	}()

	sum := &Summary{DryRun: opts.Client == nil, Started: start.UTC().Truncate(time.Second)}
	r := &runner{opts: opts, failedKeys: map[string]map[string]string{}}
	dirs := reportDirs(opts.OutDir, srcs)
	if opts.Client != nil || opts.Resume {
		if err := r.openJournal(srcs, dirs, start); err != nil {
			return nil, err
		}
	}
	var runErr error
	for i, o := range srcs {
		// After a stop (interrupt, fatal error, --max-errors) the mappings
		// left are not imported, but their rows still go to their errors
		// files as not sent: every input row is in a report.
		mctx := ctx
		if why, _ := r.stopped.Load().(string); why != "" || runErr != nil {
			stopped, cancel := context.WithCancel(ctx)
			cancel()
			mctx = stopped
		}
		ms, err := r.runMapping(mctx, i, o, dirs[i])
		r.earlierErrors += ms.Rejected + ms.Failed
		sum.Mappings = append(sum.Mappings, ms)
		sum.Counts.plus(ms.Counts)
		if err != nil && runErr == nil {
			runErr = err
		}
	}
	if runErr == nil && ctx.Err() != nil {
		runErr = ctx.Err()
	}
	switch why, _ := r.stopped.Load().(string); {
	case errors.Is(runErr, context.Canceled):
		sum.Stopped = "interrupted: every row not sent is in an errors file"
	case runErr != nil:
		sum.Stopped = runErr.Error()
	case why != "":
		sum.Stopped = why
	}
	if c := opts.Client; c != nil {
		cs := c.Counters()
		sum.Requests, sum.Retries, sum.RateLimited = cs.Requests, cs.Retries, cs.RateLimited
		if ps := c.Pace(); ps.Cuts > 0 {
			sum.RateCuts, sum.LowestRate = ps.Cuts, ps.Lowest
		}
		if q, ok := c.QuotaRemaining(); ok {
			sum.QuotaRemaining = &q
		}
	}
	if c := opts.Client; c != nil && opts.MinQuota > 0 && opts.Log != nil {
		if _, ok := c.QuotaRemaining(); !ok {
			fmt.Fprintf(opts.Log, "--min-quota: the API sent no X-Quota-Remaining: there was no quota to watch\n")
		}
	}
	sum.DurationSeconds = time.Since(start).Seconds()
	if err := writers.WriteJSON(filepath.Join(opts.OutDir, "summary.json"), sum); err != nil && runErr == nil {
		runErr = err
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

// resumeOrder puts maps in the order the journal of the run resumed
// lists them (the command line may give them in another order), so that
// the mappings have the same index and report folder as in that run.
func resumeOrder(maps []*Mapping, journalPath string) {
	rp, err := readJournal(journalPath)
	if err != nil {
		return // openJournal says why
	}
	pos := map[string]int{}
	for i, jm := range rp.header.Mappings {
		pos[jm.File] = i
	}
	at := func(m *Mapping) int {
		abs, err := filepath.Abs(m.File)
		if i, ok := pos[abs]; ok && err == nil {
			return i
		}
		return len(pos)
	}
	slices.SortStableFunc(maps, func(a, b *Mapping) int { return at(a) - at(b) })
}

// openJournal starts the run's journal, or with Resume reads the one of
// the run being resumed, checks that it is the same run, and removes the
// reports it left, which the resumed run writes again whole.
func (r *runner) openJournal(srcs []*opened, dirs []string, start time.Time) error {
	domain := ""
	if r.opts.Client != nil {
		domain = r.opts.Client.Domain()
	}
	h, err := journalHeaderFor(srcs, domain, start)
	if err != nil {
		return err
	}
	if r.opts.Client != nil {
		h.Host = r.opts.Client.Host()
	}
	path := filepath.Join(r.opts.OutDir, JournalName)
	if !r.opts.Resume {
		r.journal, err = createJournal(path, h)
		return err
	}
	// A run that cannot be resumed is a mistake in the command line:
	// nothing is sent (exit code 2).
	rp, err := readJournal(path)
	if err != nil {
		return Problems{{File: r.opts.OutDir, Msg: "--resume: " + err.Error()}}
	}
	if rp.finished {
		return Problems{{File: r.opts.OutDir, Msg: "--resume: that run finished; nothing to resume (import the errors file to send its rows again)"}}
	}
	if why := rp.sameRun(h); why != "" {
		return Problems{{File: r.opts.OutDir, Msg: "--resume: not the same run: " + why}}
	}
	for _, d := range dirs {
		for _, name := range []string{"errors.csv", "errors.xlsx", "success.csv", "payloads.jsonl", writers.SummaryName} {
			if err := os.Remove(filepath.Join(d, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("--resume: %w", err)
			}
		}
	}
	if err := os.Remove(filepath.Join(r.opts.OutDir, writers.SummaryName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--resume: %w", err)
	}
	r.replay = rp
	r.journal, err = appendJournal(path, rp.validLen)
	return err
}

// openAll opens every source and binds its mapping; every problem of every
// mapping is reported at once.
func openAll(maps []*Mapping, input string) ([]*opened, error) {
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
		src, err := readers.Open(in, m.CSV, m.XLSX)
		if err != nil {
			ps = append(ps, Problem{File: m.File, Msg: "source: " + err.Error()})
			continue
		}
		header := src.Header()
		if err := m.Bind(in, header); err != nil {
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
			o.src.Close()
		}
		return nil, ps.sorted()
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
	opts Options
	// failedKeys records, per "entity.field", the key values of rows that
	// did not make it, with where they came from: a child row naming one is
	// skipped.
	failedKeys map[string]map[string]string
	// keysMu guards failedKeys: the collector writes it while the reader
	// checks rows against it.
	keysMu  sync.RWMutex
	stopped atomic.Value // string: why the run stopped early
	// earlierErrors counts the rows rejected or failed in the mappings
	// already run: --max-errors is for the whole run.
	earlierErrors int
	journal       *journal  // nil in a dry run
	replay        *replayed // the journal of the run resumed, if any
	ledger        *ledger   // the mapping's, with --changed-only
}

// job is one unit of work for the senders: one row, or a batch of rows.
type job struct {
	rows  []readers.Row
	items []writers.Item
	mi    int // the mapping's index in the run
	// unchanged: the rows of an inventory group as last sent (--changed-only)
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
	replayed  bool   // the outcome comes from the journal of the run resumed
	stopped   bool   // not sent because the run stopped: to send on resume
	unknown   bool   // the request may have been applied
	batch     string // the request of a batched row, and its rows
	batchLen  int
}

func (r *runner) runMapping(ctx context.Context, mi int, o *opened, dir string) (MappingSummary, error) {
	m := o.m
	ms := MappingSummary{Mapping: m.File, Entity: m.Entity.Name, Input: o.input}
	if r.opts.Log != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(r.opts.Log, "not importing %s from %s (%s): the run stopped; its rows go to the errors file\n", m.Entity.Name, o.input, m.File)
		} else {
			fmt.Fprintf(r.opts.Log, "importing %s from %s (%s)\n", m.Entity.Name, o.input, m.File)
		}
	}
	rep, err := openReports(dir, o, r.opts.Client == nil)
	if err != nil {
		return ms, err
	}
	r.ledger = nil
	if r.opts.ChangedOnly && r.opts.Client != nil {
		if r.ledger, err = openLedger(r.opts.LedgerDir, r.opts.Client.Host(), r.opts.Client.Domain(), m.Entity.Name); err != nil {
			rep.close()
			return ms, err
		}
	}
	ms.Errors, ms.Success, ms.Payloads = rep.errorsPath, rep.successPath, rep.payloadsPath

	// readCtx ends on an interrupt or a stop: reading ends, and rows not yet
	// handed to a sender are recorded as not sent.
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	halted := func() bool { return readCtx.Err() != nil }
	var stopOnce sync.Once
	var fatal error
	stop := func(why string, err error) {
		stopOnce.Do(func() {
			r.stopped.Store(why)
			fatal = err
			stopReading()
			if r.opts.Log != nil {
				fmt.Fprintf(r.opts.Log, "stopping: %s\n", why)
			}
		})
	}

	jobs := make(chan job, r.opts.Concurrency)
	results := make(chan result, 4*r.opts.Concurrency)
	var api *writers.API
	if r.opts.Client != nil {
		api = writers.NewAPI(r.opts.Client, m.Entity)
	}
	// Sends are not cut by an interrupt: a request in flight finishes and
	// its outcome is recorded. Rows still queued are not sent.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		// After an interrupt, requests in flight get a grace period, then
		// they are cut too (their rows fail with the reason).
		select {
		case <-ctx.Done():
		case <-finished:
			return
		}
		t := time.NewTimer(InterruptGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancelSends()
		case <-finished:
		}
	}()

	// One reader, Concurrency senders, and this goroutine collecting every
	// outcome: the reports have a single writer.
	var g errgroup.Group
	g.Go(func() error {
		defer close(jobs)
		r.produce(readCtx, mi, o, api == nil, jobs, results)
		return nil
	})
	for range r.opts.Concurrency {
		g.Go(func() error {
			// A stop ends the waits (no new request starts); requests on
			// the wire finish within the grace period.
			callCtx := synchroteam.WithWireContext(readCtx, sendCtx)
			for j := range jobs {
				r.send(callCtx, halted, api, m, j, results)
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
			stop(res.fatalRead.Error(), &FatalError{Err: res.fatalRead})
			continue
		}
		ms.Counts.add(res.outcome)
		if r.journal != nil && !res.replayed {
			if jerr := r.journal.add(entryOf(mi, res)); jerr != nil && writeErr == nil {
				writeErr = jerr
				stop("cannot write the journal: "+jerr.Error(), jerr)
			}
		}
		if werr := rep.record(res); werr != nil && writeErr == nil {
			writeErr = werr
			stop("cannot write the reports: "+werr.Error(), werr)
		}
		if res.outcome != Sent && res.outcome != Filtered && res.outcome != Unchanged {
			r.remember(m, o.input, res)
			if r.opts.NotSent != nil {
				r.opts.NotSent(m, res.row.Num, res.reason)
			}
		}
		if res.err != nil {
			if why, isFatal := fatalReason(r.opts.Client, res.err); isFatal {
				stop(why, &FatalError{Err: errors.New(why)})
			}
		}
		if q, ok := r.quotaLow(); ok {
			why := fmt.Sprintf("the API quota left (%d requests) is below --min-quota %d: resume the run when the quota is renewed", q, r.opts.MinQuota)
			stop(why, &FatalError{Err: errors.New(why)})
		}
		if n := r.opts.MaxErrors; n > 0 && r.earlierErrors+ms.Rejected+ms.Failed > n {
			stop(fmt.Sprintf("more than %d rows were rejected or failed (--max-errors)", n), nil)
		}
		if r.opts.Progress != nil {
			r.opts.Progress(m, ms.Counts)
		}
	}
	if err := rep.close(); err != nil && writeErr == nil {
		writeErr = err
	}
	if r.ledger != nil {
		if err := r.ledger.close(); err != nil && writeErr == nil {
			writeErr = err
		}
	}
	if fatal != nil {
		return ms, fatal
	}
	if writeErr != nil {
		return ms, writeErr
	}
	return ms, nil
}

// quotaLow reports the quota left when it is below --min-quota.
func (r *runner) quotaLow() (int64, bool) {
	if r.opts.MinQuota <= 0 || r.opts.Client == nil {
		return 0, false
	}
	q, ok := r.opts.Client.QuotaRemaining()
	return q, ok && q < r.opts.MinQuota
}

// quotaWait: a 429 asking to wait longer than this stops the run.
const quotaWait = 10 * time.Minute

// fatalReason tells whether an API error must stop the whole run.
func fatalReason(c *synchroteam.Client, err error) (string, bool) {
	domain := ""
	if c != nil {
		domain = c.Domain()
	}
	var te *synchroteam.TransportError
	var re *synchroteam.RetriesExhaustedError
	var rl *synchroteam.RateLimitError
	switch {
	case errors.Is(err, synchroteam.ErrUnauthorized):
		return fmt.Sprintf("authentication refused for domain %q: check %s and %s", domain, synchroteam.EnvDomain, synchroteam.EnvAPIKey), true
	case errors.Is(err, synchroteam.ErrForbidden):
		return fmt.Sprintf("access forbidden for domain %q: the API key lacks the right", domain), true
	case errors.As(err, &re) && errors.As(err, &te):
		return "the API is unreachable: " + te.Err.Error(), true
	case errors.As(err, &re) && errors.As(err, &rl) && rl.RetryAfter > quotaWait:
		// Every row left would meet the same answer: the daily quota is
		// spent. The run stops, resumable once it is renewed.
		return fmt.Sprintf("the API refuses requests for %v (its daily quota is spent?): resume the run with --resume then", rl.RetryAfter.Round(time.Minute)), true
	}
	return "", false
}

// produce reads the source, filters, builds and checks each row, and hands
// valid rows to the senders (grouped in batches for batched entities). Once
// the run stops, the rows left are still read and recorded as not sent, so
// that every row of the input is in a report.
func (r *runner) produce(ctx context.Context, mi int, o *opened, dry bool, jobs chan<- job, results chan<- result) {
	m := o.m
	b := &batcher{size: m.BatchSize, grouped: m.Entity.Name == "inventory"}
	if led := r.ledger; led != nil && b.grouped {
		b.unchanged = func(items []writers.Item) bool {
			return led.unchanged(writers.Key(m.Entity, items[0].Payload), groupHash(items))
		}
	}
	// hand gives jobs to the senders; once the run stops, their rows are
	// recorded as not sent instead. A job the batcher refused is recorded
	// as rejected with its reason.
	hand := func(js ...job) {
		for _, j := range js {
			switch {
			case len(j.rows) == 0:
			case j.refused != "":
				for i, row := range j.rows {
					results <- result{row: row, outcome: Rejected, payload: j.items[i].Payload, reason: j.refused}
				}
			case j.unchanged:
				for i, row := range j.rows {
					results <- result{row: row, outcome: Unchanged, key: writers.Key(m.Entity, j.items[i].Payload), payload: j.items[i].Payload}
				}
			default:
				select {
				case jobs <- j:
				case <-ctx.Done():
					r.notSent(j, results)
				}
			}
		}
	}
	reject := func(res result) {
		hand(b.refuse(res)...)
		results <- res
	}
	for ctx.Err() == nil {
		row, err := o.src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *readers.RowError
			if !errors.As(err, &re) {
				results <- result{fatalRead: fmt.Errorf("%s cannot be read further: %w", o.input, err)}
				hand(b.flush()...)
				return
			}
			row := rowOf(re)
			// What could be read still names the row's keys, so that its
			// children are skipped rather than sent to fail.
			var p Payload
			if row.Cells != nil {
				p, _ = m.Build(row)
			}
			reject(result{row: row, outcome: Rejected, reason: rowErrorReason(re), payload: p})
			continue
		}
		if ok, err := m.Match(row); err != nil {
			reject(result{row: row, outcome: Rejected, reason: "where: " + err.Error()})
			continue
		} else if !ok {
			results <- result{row: row, outcome: Filtered}
			continue
		}
		p, err := m.Build(row)
		if err != nil {
			reject(result{row: row, outcome: Rejected, reason: err.Error(), payload: p})
			continue
		}
		if why := r.orphan(m, p); why != "" {
			reject(result{row: row, outcome: Skipped, reason: why, payload: p})
			continue
		}
		if dry {
			results <- result{row: row, outcome: Sent, key: writers.Key(m.Entity, p), payload: p}
			continue
		}
		if res, done := r.replayed(mi, m, row, p); done {
			// An inventory group sent before the stop is closed as if it
			// had been sent now: a later row of it is refused the same.
			hand(b.replayedRow(row, p)...)
			results <- res
			continue
		}
		if r.ledger != nil && !b.grouped {
			if key := writers.Key(m.Entity, p); r.ledger.unchanged(key, payloadHash(p)) {
				results <- result{row: row, outcome: Unchanged, key: key, payload: p}
				continue
			}
		}
		it := writers.Item{Row: row.Num, Payload: p}
		if !m.Entity.Batch {
			hand(job{rows: []readers.Row{row}, items: []writers.Item{it}, mi: mi})
			continue
		}
		hand(b.add(row, it, results)...)
	}
	hand(b.flush()...)
	r.drain(o, results)
}

// drain records the rows left in a source after the run stopped as not
// sent, with what the reader could read of them.
func (r *runner) drain(o *opened, results chan<- result) {
	why := "not sent: " + r.stopReason()
	for {
		row, err := o.src.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var re *readers.RowError
			if !errors.As(err, &re) {
				results <- result{fatalRead: fmt.Errorf("%s cannot be read further: %w", o.input, err)}
				return
			}
			results <- result{row: rowOf(re), outcome: Failed, reason: why + "; " + rowErrorReason(re), stopped: true}
			continue
		}
		results <- result{row: row, outcome: Failed, reason: why, stopped: true}
	}
}

// batcher gathers the rows of a batched entity into requests of at most
// size rows.
//
// Inventory quantities are set, not added: all the rows of one part in one
// depot (one row per serial number, say) go in the same request, and they go
// all or none. The rows of such a group are held until the group ends; when
// one of them is rejected, the others are not sent either (a part of the
// group would set a wrong quantity, and the rest, fixed and imported again,
// would replace it). A row of a group that was already closed is refused
// rather than sent to overwrite it.
type batcher struct {
	size    int
	grouped bool
	batch   job

	group   string // the open group's key ("" when none)
	pending job    // the open group's valid rows
	first   int    // the open group's first row
	badRow  int    // the open group's first rejected row, 0 when none
	closed  map[string]string
	// unchanged, with --changed-only, tells a group sent before as it is
	unchanged func([]writers.Item) bool
	// replayed: the open group's rows were sent before a stop (--resume)
	replayed             bool
	groupRef, groupDepot string
}

// replayedRow notes a row of a grouped entity sent before the run stopped
// (--resume): its group is open, then closed as a group sent, so that a
// later row of it is refused as in the run that stopped. It returns the
// jobs to hand over when it closed the group before.
func (b *batcher) replayedRow(row readers.Row, p map[string]any) []job {
	if !b.grouped {
		return nil
	}
	g, ok := groupKey(p)
	if !ok || g == b.group {
		return nil
	}
	out := b.open(g, row.Num)
	b.replayed = true
	b.groupRef, b.groupDepot = fmt.Sprint(p["reference"]), fmt.Sprint(p["depot"])
	return out
}

func groupKey(p map[string]any) (string, bool) {
	d, r := p["depot"], p["reference"]
	if d == nil || r == nil {
		return "", false
	}
	return fmt.Sprint(d) + "\x00" + fmt.Sprint(r), true
}

// refuse notes a rejected or skipped row of a grouped entity: it spoils its
// group, so that none of the group's rows is sent. It returns jobs to hand
// over when it closed the group before.
func (b *batcher) refuse(res result) []job {
	if !b.grouped {
		return nil
	}
	g, ok := groupKey(res.payload)
	if !ok {
		return nil
	}
	var out []job
	if g != b.group {
		out = b.open(g, res.row.Num)
	}
	if b.badRow == 0 {
		b.badRow = res.row.Num
	}
	return out
}

// add takes a valid row and returns the jobs complete enough to hand over.
func (b *batcher) add(row readers.Row, it writers.Item, results chan<- result) []job {
	if !b.grouped {
		b.batch.rows = append(b.batch.rows, row)
		b.batch.items = append(b.batch.items, it)
		if len(b.batch.rows) >= b.size {
			return []job{b.take()}
		}
		return nil
	}
	g, _ := groupKey(it.Payload)
	var out []job
	if g != b.group {
		if why, done := b.closed[g]; done {
			results <- result{row: row, outcome: Rejected, payload: it.Payload, reason: why}
			return nil
		}
		out = b.open(g, row.Num)
	}
	b.pending.rows = append(b.pending.rows, row)
	b.pending.items = append(b.pending.items, it)
	return out
}

// open closes the open group and opens group g.
func (b *batcher) open(g string, row int) []job {
	out := b.closeGroup()
	b.group, b.first, b.badRow = g, row, 0
	return out
}

// closeGroup ends the open group: its rows join the batch, or are refused
// when one of its rows was rejected. It returns the jobs to hand over: a full
// batch, or the refused rows as a job of rows not to send (see hand).
func (b *batcher) closeGroup() []job {
	if b.group == "" {
		return nil
	}
	defer func() { b.pending, b.group, b.badRow = job{}, "", 0 }()
	if b.closed == nil {
		b.closed = map[string]string{}
	}
	if b.replayed {
		b.closed[b.group] = fmt.Sprintf(
			"part %s in depot %s was already sent with row %d, and a later request would replace its quantity: put the rows of one part and depot together, or raise batch_size",
			b.groupRef, b.groupDepot, b.first)
		b.replayed = false
		if len(b.pending.rows) == 0 {
			return nil
		}
	}
	if b.badRow != 0 {
		why := fmt.Sprintf("not sent: row %d of the same part and depot was not valid, and the quantity of a part is set by all its rows at once", b.badRow)
		b.closed[b.group] = why
		if len(b.pending.rows) == 0 {
			return nil
		}
		return []job{{rows: b.pending.rows, items: b.pending.items, refused: why}}
	}
	b.closed[b.group] = fmt.Sprintf(
		"part %v in depot %v was already sent with row %d, and a later request would replace its quantity: put the rows of one part and depot together, or raise batch_size",
		b.pending.items[0].Payload["reference"], b.pending.items[0].Payload["depot"], b.first)
	if b.unchanged != nil && b.unchanged(b.pending.items) {
		return []job{{rows: b.pending.rows, items: b.pending.items, unchanged: true}}
	}
	var out []job
	if len(b.batch.rows) > 0 && len(b.batch.rows)+len(b.pending.rows) > b.size {
		out = append(out, b.take())
	}
	b.batch.rows = append(b.batch.rows, b.pending.rows...)
	b.batch.items = append(b.batch.items, b.pending.items...)
	return out
}

// take returns the batch and starts a new one.
func (b *batcher) take() job {
	j := b.batch
	b.batch = job{}
	return j
}

// flush ends the open group and returns what is left to send. A group is
// never cut, so a grouped batch may hold more than size rows.
func (b *batcher) flush() []job {
	return append(b.closeGroup(), b.take())
}

// rowErrorReason is why a reader could not read a row, with its column
// when the reader knows it (the file and row are in the report's columns).
func rowErrorReason(re *readers.RowError) string {
	msg := re.Err.Error()
	if re.Column != "" && !strings.Contains(msg, re.Column) {
		return "column " + re.Column + ": " + msg
	}
	return msg
}

// rowOf is the row a reader could not read, with what it could read of it.
func rowOf(re *readers.RowError) readers.Row {
	return readers.Row{Num: re.Row, Cells: re.Cells}
}

// notSent records the rows of a job that the run stopped before sending.
func (r *runner) notSent(j job, results chan<- result) {
	why := r.stopReason()
	for i, row := range j.rows {
		results <- result{row: row, outcome: Failed, reason: "not sent: " + why, payload: j.items[i].Payload, stopped: true}
	}
}

func (r *runner) stopReason() string {
	if why, ok := r.stopped.Load().(string); ok {
		return "the run stopped (" + why + ")"
	}
	if q, low := r.quotaLow(); low {
		return fmt.Sprintf("the run stopped (the API quota left (%d requests) is below --min-quota %d: resume the run when the quota is renewed)", q, r.opts.MinQuota)
	}
	return "the run was interrupted"
}

func (r *runner) send(ctx context.Context, halted func() bool, api *writers.API, m *Mapping, j job, results chan<- result) {
	if _, low := r.quotaLow(); halted() || low {
		r.notSent(j, results)
		return
	}
	var res []writers.Result
	batch := ""
	if m.Entity.Batch {
		if r.journal != nil {
			batch = r.journal.batch()
		}
		res = api.SendBatch(ctx, j.items)
	} else {
		if r.journal != nil && !m.Entity.Keyed(j.items[0].Payload) {
			// Sent again after a crash, a row without its key would be
			// created twice: the journal notes it before it goes.
			e := journalEntry{M: j.mi, Row: j.rows[0].Num, O: jSending, H: payloadHash(j.items[0].Payload)}
			if err := r.journal.addNow(e); err != nil {
				results <- result{row: j.rows[0], outcome: Failed, reason: "not sent: " + err.Error(), payload: j.items[0].Payload, stopped: true}
				return
			}
		}
		res = []writers.Result{api.Send(ctx, j.items[0])}
	}
	r.ledgerSent(m, j.items, res)
	for i, rr := range res {
		out := result{row: j.rows[i], outcome: Sent, key: rr.Key, id: rr.ID, payload: j.items[i].Payload, batch: batch}
		if batch != "" {
			out.batchLen = len(res)
		}
		switch {
		case errors.Is(rr.Err, synchroteam.ErrNotStarted):
			out.outcome, out.reason, out.stopped = Failed, "not sent: "+r.stopReason(), true
		case rr.Err != nil:
			out.outcome, out.reason, out.err = Failed, rr.Err.Error(), rr.Err
			// Not applied for sure: the outcome is unknown (cut after the
			// grace period, or answered ambiguously), or the run stopped
			// (authentication refused, API unreachable).
			_, fatal := fatalReason(r.opts.Client, rr.Err)
			out.unknown = errors.Is(rr.Err, synchroteam.ErrOutcome) || errors.Is(rr.Err, context.Canceled) || errors.Is(rr.Err, context.DeadlineExceeded)
			out.stopped = fatal && !out.unknown
		}
		results <- out
	}
}

// parentLinks says which fields of a child name a parent: child field →
// parent entity and the parent's field.
var parentLinks = map[string][][3]string{
	"site": {{"customerMyId", "customer", "myId"}, {"customerId", "customer", "id"}, {"customerName", "customer", "name"}},
	"equipment": {{"customerMyId", "customer", "myId"}, {"customerId", "customer", "id"}, {"customerName", "customer", "name"},
		{"siteMyId", "site", "myId"}, {"siteId", "site", "id"}, {"siteName", "site", "name"}},
	"part_price": {{"reference", "part", "reference"}, {"id", "part", "id"}},
	"inventory":  {{"reference", "part", "reference"}},
	"job": {{"customerMyId", "customer", "myId"}, {"idCustomer", "customer", "id"}, {"customerName", "customer", "name"},
		{"siteMyId", "site", "myId"}, {"idSite", "site", "id"}, {"siteName", "site", "name"},
		{"equipmentMyId", "equipment", "myId"}, {"idEquipment", "equipment", "id"}, {"nameEquipment", "equipment", "name"},
		{"login", "user", "login"}, {"idUser", "user", "id"}},
}

// parentKeys are the fields by which children name a parent entity.
var parentKeys = map[string][]string{
	"customer": {"myId", "id", "name"}, "site": {"myId", "id", "name"}, "equipment": {"myId", "id", "name"},
	"part": {"reference", "id"}, "user": {"login", "id"},
}

// remember records the keys of a row that did not make it, for its children.
func (r *runner) remember(m *Mapping, input string, res result) {
	r.keysMu.Lock()
	defer r.keysMu.Unlock()
	for _, f := range parentKeys[m.Entity.Name] {
		v := fmt.Sprint(res.payload[f])
		if res.payload[f] == nil || v == "" {
			continue
		}
		k := m.Entity.Name + "." + f
		if r.failedKeys[k] == nil {
			r.failedKeys[k] = map[string]string{}
		}
		if _, seen := r.failedKeys[k][v]; !seen {
			r.failedKeys[k][v] = fmt.Sprintf("%s row %d", filepath.Base(input), res.row.Num)
		}
	}
}

// orphan returns why a row must be skipped because its parent failed, or "".
func (r *runner) orphan(m *Mapping, p Payload) string {
	r.keysMu.RLock()
	defer r.keysMu.RUnlock()
	for _, link := range parentLinks[m.Entity.Name] {
		v, ok := p[link[0]]
		if !ok {
			continue
		}
		if where, failed := r.failedKeys[link[1]+"."+link[2]][fmt.Sprint(v)]; failed {
			return fmt.Sprintf("skipped: its %s %s=%v was not imported (%s)", link[1], link[2], v, where)
		}
	}
	return ""
}

// ledgerSent records in the ledger (--changed-only) the payloads sent: a
// row's, or an inventory group's when all its rows went through.
func (r *runner) ledgerSent(m *Mapping, items []writers.Item, res []writers.Result) {
	if r.ledger == nil {
		return
	}
	if m.Entity.Name != "inventory" {
		for i, rr := range res {
			if rr.Err == nil {
				r.ledger.put(writers.Key(m.Entity, items[i].Payload), payloadHash(items[i].Payload))
			}
		}
		return
	}
	for start := 0; start < len(items); {
		g, _ := groupKey(items[start].Payload)
		end, ok := start, true
		for end < len(items) {
			if h, _ := groupKey(items[end].Payload); h != g {
				break
			}
			ok = ok && res[end].Err == nil
			end++
		}
		if ok {
			r.ledger.put(writers.Key(m.Entity, items[start].Payload), groupHash(items[start:end]))
		}
		start = end
	}
}

// entryOf is the journal line of a row's outcome.
func entryOf(mi int, res result) journalEntry {
	e := journalEntry{M: mi, Row: res.row.Num, O: outcomeName(res.outcome), K: res.key, ID: res.id, B: res.batch, N: res.batchLen}
	if res.payload != nil {
		e.H = payloadHash(res.payload)
	}
	switch {
	case res.stopped:
		e.O = jStopped
	case res.unknown:
		e.O = jUnknown
	}
	if res.outcome != Sent {
		e.R = res.reason
	}
	return e
}

// replayed returns the outcome the journal of the run resumed gives a row,
// when it is final and the row is the same (same payload): the row is not
// sent again. A row that may have been sent without its key is not sent
// again either: its outcome is unknown.
func (r *runner) replayed(mi int, m *Mapping, row readers.Row, p Payload) (result, bool) {
	if r.replay == nil {
		return result{}, false
	}
	e, ok := r.replay.outcomes[[2]int{mi, row.Num}]
	if !ok || e.H != payloadHash(p) {
		return result{}, false
	}
	switch {
	case e.O == "sent":
		return result{row: row, outcome: Sent, key: e.K, id: e.ID, payload: p, replayed: true}, true
	case e.O == "failed":
		return result{row: row, outcome: Failed, key: e.K, reason: e.R, payload: p, replayed: true}, true
	case e.O == "unchanged":
		return result{row: row, outcome: Unchanged, key: e.K, payload: p, replayed: true}, true
	case (e.O == jSending || e.O == jUnknown) && !m.Entity.Keyed(p):
		return result{row: row, outcome: Failed, payload: p,
			reason: "outcome unknown: the run stopped while this row was being sent, and it carries no key (" +
				strings.Join(m.Entity.Keys, ", ") + "): check in Synchroteam before sending it again"}, true
	}
	return result{}, false
}

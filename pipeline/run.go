package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	Sent     Outcome = iota // written through the API (in a dry run: written to payloads.jsonl)
	Filtered                // left out by the mapping's where: filter
	Rejected                // not valid: unreadable row or field errors; nothing was sent
	Failed                  // the API refused it, retries ran out, or the run stopped before it was sent
	Skipped                 // its parent row failed in this run
)

// Counts are the outcomes of a run's rows. Read is the sum of the others.
type Counts struct {
	Read     int `json:"read"`
	Filtered int `json:"filtered"`
	Sent     int `json:"sent"`
	Rejected int `json:"rejected"`
	Failed   int `json:"failed"`
	Skipped  int `json:"skipped"`
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
	}
}

func (c *Counts) plus(o Counts) {
	c.Read += o.Read
	c.Filtered += o.Filtered
	c.Sent += o.Sent
	c.Rejected += o.Rejected
	c.Failed += o.Failed
	c.Skipped += o.Skipped
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
	var runErr error
	for _, o := range srcs {
		dir := opts.OutDir
		if len(srcs) > 1 {
			dir = filepath.Join(opts.OutDir, reportName(o.m, srcs))
		}
		ms, err := r.runMapping(ctx, o, dir)
		r.earlierErrors += ms.Rejected + ms.Failed
		sum.Mappings = append(sum.Mappings, ms)
		sum.Counts.plus(ms.Counts)
		if err != nil {
			runErr = err
			break
		}
		if ctx.Err() != nil {
			runErr = ctx.Err()
			break
		}
		if why, _ := r.stopped.Load().(string); why != "" {
			break // --max-errors: the mappings after this one are not run
		}
	}
	switch why, _ := r.stopped.Load().(string); {
	case errors.Is(runErr, context.Canceled):
		sum.Stopped = "interrupted: the rows not sent are in the errors files"
	case runErr != nil:
		sum.Stopped = runErr.Error()
	case why != "":
		sum.Stopped = why
	}
	if c := opts.Client; c != nil {
		cs := c.Counters()
		sum.Requests, sum.Retries, sum.RateLimited = cs.Requests, cs.Retries, cs.RateLimited
		if q, ok := c.QuotaRemaining(); ok {
			sum.QuotaRemaining = &q
		}
	}
	sum.DurationSeconds = time.Since(start).Seconds()
	if err := writers.WriteJSON(filepath.Join(opts.OutDir, "summary.json"), sum); err != nil && runErr == nil {
		runErr = err
	}
	return sum, runErr
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

// reportName is the folder of a mapping's reports when a run has several.
func reportName(m *Mapping, all []*opened) string {
	base := strings.TrimSuffix(filepath.Base(m.File), filepath.Ext(m.File))
	n := 0
	for _, o := range all {
		if strings.TrimSuffix(filepath.Base(o.m.File), filepath.Ext(o.m.File)) == base {
			n++
		}
	}
	if n > 1 {
		return base + "-" + m.Entity.Name
	}
	return base
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
}

// job is one unit of work for the senders: one row, or a batch of rows.
type job struct {
	rows  []readers.Row
	items []writers.Item
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
}

func (r *runner) runMapping(ctx context.Context, o *opened, dir string) (MappingSummary, error) {
	m := o.m
	ms := MappingSummary{Mapping: m.File, Entity: m.Entity.Name, Input: o.input}
	if r.opts.Log != nil {
		fmt.Fprintf(r.opts.Log, "importing %s from %s (%s)\n", m.Entity.Name, o.input, m.File)
	}
	rep, err := openReports(dir, o, r.opts.Client == nil)
	if err != nil {
		return ms, err
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
		r.produce(readCtx, o, api == nil, jobs, results)
		return nil
	})
	for range r.opts.Concurrency {
		g.Go(func() error {
			for j := range jobs {
				r.send(sendCtx, halted, api, m, j, results)
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
		ms.Counts.add(res.outcome)
		if werr := rep.record(res); werr != nil && writeErr == nil {
			writeErr = werr
			stop("cannot write the reports: "+werr.Error(), werr)
		}
		if res.outcome != Sent && res.outcome != Filtered {
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
	if fatal != nil {
		return ms, fatal
	}
	if writeErr != nil {
		return ms, writeErr
	}
	return ms, nil
}

// fatalReason tells whether an API error must stop the whole run.
func fatalReason(c *synchroteam.Client, err error) (string, bool) {
	domain := ""
	if c != nil {
		domain = c.Domain()
	}
	var te *synchroteam.TransportError
	var re *synchroteam.RetriesExhaustedError
	switch {
	case errors.Is(err, synchroteam.ErrUnauthorized):
		return fmt.Sprintf("authentication refused for domain %q: check %s and %s", domain, synchroteam.EnvDomain, synchroteam.EnvAPIKey), true
	case errors.Is(err, synchroteam.ErrForbidden):
		return fmt.Sprintf("access forbidden for domain %q: the API key lacks the right", domain), true
	case errors.As(err, &re) && errors.As(err, &te):
		return "the API is unreachable: " + te.Err.Error(), true
	}
	return "", false
}

// produce reads the source, filters, builds and checks each row, and hands
// valid rows to the senders (grouped in batches for batched entities).
func (r *runner) produce(ctx context.Context, o *opened, dry bool, jobs chan<- job, results chan<- result) {
	m := o.m
	var batch job
	// Inventory quantities are set, not added: all the rows of one part in
	// one depot (one row per serial number, say) must go in the same request.
	// A batch is not cut inside such a group, and a group that comes back
	// after its batch left is refused rather than sent to overwrite it.
	grouped := m.Entity.Name == "inventory"
	sentGroups := map[string]int{}
	batchGroups := map[string]int{}
	lastGroup := ""
	// hand gives a job to the senders; once the run stops, its rows are
	// recorded as not sent instead.
	hand := func(j job) {
		select {
		case jobs <- j:
		case <-ctx.Done():
			r.notSent(j, results)
		}
	}
	flush := func() {
		if len(batch.rows) > 0 {
			hand(batch)
			batch = job{}
			for g, row := range batchGroups {
				sentGroups[g] = row
			}
			clear(batchGroups)
		}
	}
	for ctx.Err() == nil {
		row, err := o.src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *readers.RowError
			if errors.As(err, &re) {
				row := rowOf(re)
				// What could be read still names the row's keys, so that its
				// children are skipped rather than sent to fail.
				var p Payload
				if row.Cells != nil {
					p, _ = m.Build(row)
				}
				results <- result{row: row, outcome: Rejected, reason: re.Err.Error(), payload: p}
				continue
			}
			results <- result{row: readers.Row{Num: -1}, outcome: Rejected, reason: "the source cannot be read further: " + err.Error()}
			break
		}
		if ok, err := m.Match(row); err != nil {
			results <- result{row: row, outcome: Rejected, reason: "where: " + err.Error()}
			continue
		} else if !ok {
			results <- result{row: row, outcome: Filtered}
			continue
		}
		p, err := m.Build(row)
		if err != nil {
			results <- result{row: row, outcome: Rejected, reason: err.Error(), payload: p}
			continue
		}
		if why := r.orphan(m, p); why != "" {
			results <- result{row: row, outcome: Skipped, reason: why, payload: p}
			continue
		}
		if dry {
			results <- result{row: row, outcome: Sent, key: writers.Key(m.Entity, p), payload: p}
			continue
		}
		it := writers.Item{Row: row.Num, Payload: p}
		if !m.Entity.Batch {
			hand(job{rows: []readers.Row{row}, items: []writers.Item{it}})
			continue
		}
		if grouped {
			g := fmt.Sprint(p["depot"]) + "\x00" + fmt.Sprint(p["reference"])
			if first, done := sentGroups[g]; done {
				results <- result{row: row, outcome: Rejected, payload: p, reason: fmt.Sprintf(
					"part %v in depot %v was already sent with row %d in an earlier request, and a later request would replace its quantity: put the rows of one part and depot together, or raise batch_size",
					p["reference"], p["depot"], first)}
				continue
			}
			if len(batch.rows) >= m.BatchSize && g != lastGroup {
				flush()
			}
			lastGroup = g
			if _, ok := batchGroups[g]; !ok {
				batchGroups[g] = row.Num
			}
		}
		batch.rows = append(batch.rows, row)
		batch.items = append(batch.items, it)
		if !grouped && len(batch.rows) >= m.BatchSize {
			flush()
		}
	}
	flush()
}

// rowOf is the row a reader could not read, with what it could read of it.
func rowOf(re *readers.RowError) readers.Row {
	return readers.Row{Num: re.Row, Cells: re.Cells}
}

// notSent records the rows of a job that the run stopped before sending.
func (r *runner) notSent(j job, results chan<- result) {
	why := r.stopReason()
	for i, row := range j.rows {
		results <- result{row: row, outcome: Failed, reason: "not sent: " + why, payload: j.items[i].Payload}
	}
}

func (r *runner) stopReason() string {
	if why, ok := r.stopped.Load().(string); ok {
		return "the run stopped (" + why + ")"
	}
	return "the run was interrupted"
}

func (r *runner) send(ctx context.Context, halted func() bool, api *writers.API, m *Mapping, j job, results chan<- result) {
	if halted() {
		r.notSent(j, results)
		return
	}
	var res []writers.Result
	if m.Entity.Batch {
		res = api.SendBatch(ctx, j.items)
	} else {
		res = []writers.Result{api.Send(ctx, j.items[0])}
	}
	for i, rr := range res {
		out := result{row: j.rows[i], outcome: Sent, key: rr.Key, id: rr.ID, payload: j.items[i].Payload}
		if rr.Err != nil {
			out.outcome, out.reason, out.err = Failed, rr.Err.Error(), rr.Err
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

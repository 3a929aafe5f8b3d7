package pipeline

import (
	"context"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/synchroteam/catalog"
)

// A sender is where a run's rows go: the API, or nowhere in a dry run,
// whose payloads the reports write to payloads.jsonl. It is called from
// several goroutines at once.
type sender interface {
	// send writes one row, or one batch of rows for an entity written in
	// batches, and returns each item's receipt, in order.
	send(ctx context.Context, e *catalog.Entity, items []catalog.Item) []receipt
	// account names the API account for the journal and the ledger: its
	// host and domain.
	account() (host, domain string)
	// quota is the API's daily quota left, when it says.
	quota() (int64, bool)
	// count adds the requests made to the summary.
	count(sum *Summary)
	// timeline is the requests made over time, nil when none could be.
	timeline() *synchroteam.Timeline
}

// receipt is what became of one item sent.
type receipt struct {
	id  string // the id the API returned (the num for jobs; "" for batches)
	err error
}

// api sends through the API client.
type api struct{ c *synchroteam.Client }

func (a api) send(ctx context.Context, e *catalog.Entity, items []catalog.Item) []receipt {
	out := make([]receipt, len(items))
	if e.Batch != nil {
		for i, err := range e.Batch.Send(ctx, a.c, items) {
			out[i].err = err
		}
		return out
	}
	for i, it := range items {
		id, err := e.Send(ctx, a.c, it.Payload, e.Keyed(it.Payload))
		out[i] = receipt{id: string(id), err: err}
	}
	return out
}

func (a api) account() (string, string) { return a.c.Host(), a.c.Domain() }

func (a api) timeline() *synchroteam.Timeline {
	tl := a.c.Timeline()
	return &tl
}
func (a api) quota() (int64, bool) { return a.c.QuotaRemaining() }

func (a api) count(sum *Summary) {
	cs := a.c.Counters()
	sum.Requests, sum.Retries, sum.RateLimited = cs.Requests, cs.Retries, cs.RateLimited
	if ps := a.c.Pace(); ps.Cuts > 0 {
		sum.RateCuts, sum.LowestRate = ps.Cuts, ps.Lowest
	}
	if q, ok := a.c.QuotaRemaining(); ok {
		sum.QuotaRemaining = &q
	}
}

// dryRun sends nothing: every payload is accepted as it is.
type dryRun struct{}

func (dryRun) send(_ context.Context, _ *catalog.Entity, items []catalog.Item) []receipt {
	if len(items) <= len(noReceipts) {
		return noReceipts[:len(items)]
	}
	return make([]receipt, len(items))
}

// noReceipts are the receipts of a dry run, all zero: its callers only read
// them.
var noReceipts [256]receipt

func (dryRun) account() (string, string)       { return "", "" }
func (dryRun) timeline() *synchroteam.Timeline { return nil }
func (dryRun) quota() (int64, bool)            { return 0, false }
func (dryRun) count(*Summary)                  {}

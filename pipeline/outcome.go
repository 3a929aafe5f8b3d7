package pipeline

import "time"

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
	Duplicate                // duplicates: first or last: another row of the input has its key and is kept instead
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
	// Duplicates were not sent: another row of the same input writes the
	// same record and was kept instead (duplicates: first or last).
	Duplicates int `json:"duplicates,omitempty"`
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
	case Duplicate:
		c.Duplicates++
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
	c.Duplicates += o.Duplicates
}

// NotSent is the number of rows read but not sent for a reason that needs
// attention (filtered rows and duplicates left out by duplicates: first or
// last are not counted: the mapping asked for it).
func (c Counts) NotSent() int { return c.Rejected + c.Failed + c.Skipped }

// MappingSummary is the part of the summary about one mapping file.
type MappingSummary struct {
	Mapping string `json:"mapping"`
	Entity  string `json:"entity"`
	Input   string `json:"input"`
	Counts
	Errors string `json:"errors_file"`
	// FilteredFile lists the rows the mapping left out: filtered by its
	// where: or duplicates under duplicates: first or last. Written when
	// the mapping has either.
	FilteredFile string `json:"filtered_file,omitempty"`
	Success      string `json:"success_file,omitempty"`
	Payloads     string `json:"payloads_file,omitempty"`
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

package pipeline

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam/catalog"
)

// produce reads the source, filters, builds and checks each row, and hands
// valid rows to the senders (grouped in batches for batched entities). Once
// the run stops, the rows left are still read and recorded as not sent, so
// that every row of the input is in a report.
func (r *runner) produce(mi int, o *opened, jobs chan<- job, results chan<- result) {
	m := o.m
	ctx, calls := r.stop.reading, r.stop.calls()
	b := newBatcher(m.BatchSize, m.Entity.Batch.Grouping())
	if led := r.ledger; led != nil && b.group != nil {
		b.unchanged = func(items []catalog.Item) bool {
			return led.unchanged(m.Entity.Key(items[0].Payload), groupHash(items))
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
					results <- result{row: row, outcome: Unchanged, key: m.Entity.Key(j.items[i].Payload), payload: j.items[i].Payload}
				}
			case r.inline:
				r.deliver(calls, m, j, results)
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
	dups, err := r.indexDuplicates(o)
	if err != nil {
		results <- result{fatalRead: fmt.Errorf("%s cannot be read for duplicates: last: %w", o.input, err)}
		return
	}
	mp := newMapper(m, o.src)
	defer mp.stop()
	single := job{rows: make([]readers.Row, 1), items: make([]catalog.Item, 1), mi: mi}
	for ctx.Err() == nil {
		mr, err := mp.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			results <- result{fatalRead: fmt.Errorf("%s cannot be read further: %w", o.input, err)}
			hand(b.flush()...)
			return
		}
		row := mr.row
		if re := mr.rowErr; re != nil {
			reject(result{row: row, outcome: Rejected, reason: rowErrorReason(re), payload: mr.p})
			continue
		}
		if mr.matchErr != nil {
			reject(result{row: row, outcome: Rejected, reason: "where: " + mr.matchErr.Error()})
			continue
		} else if !mr.match {
			results <- result{row: row, outcome: Filtered, reason: "where: " + m.Where.Src}
			continue
		}
		p, err := mr.p, mr.err
		// A duplicate is found before anything else refuses the row: its
		// record is written by another row, whatever becomes of this one.
		dup, isDup := dups.check(row.Num, mr.ids)
		switch {
		case isDup && m.Duplicates != DuplicatesError:
			results <- result{row: row, outcome: Duplicate, reason: dup, payload: p, dup: true}
			continue
		case isDup && err != nil:
			reject(result{row: row, outcome: Rejected, reason: err.Error() + "; " + dup, payload: p, dup: true})
			continue
		case isDup:
			reject(result{row: row, outcome: Rejected, reason: dup, payload: p, dup: true})
			continue
		case err != nil:
			reject(result{row: row, outcome: Rejected, reason: err.Error(), payload: p})
			continue
		}
		if why := r.parents.orphan(m.Entity, p); why != "" {
			reject(result{row: row, outcome: Skipped, reason: why, payload: p})
			continue
		}
		if res, done := r.replayed(mi, m, row, p); done {
			// An inventory group sent before the stop is closed as if it
			// had been sent now: a later row of it is refused the same.
			hand(b.replayedRow(row, p)...)
			results <- res
			continue
		}
		if r.ledger != nil && b.group == nil {
			if key := m.Entity.Key(p); r.ledger.unchanged(key, payloadHash(p)) {
				results <- result{row: row, outcome: Unchanged, key: key, payload: p}
				continue
			}
		}
		it := catalog.Item{Row: row.Num, Payload: p}
		if m.Entity.Batch == nil && r.inline {
			// Delivered before hand returns: the job of the row before
			// serves again.
			single.rows[0], single.items[0] = row, it
			hand(single)
			continue
		}
		if m.Entity.Batch == nil {
			hand(job{rows: []readers.Row{row}, items: []catalog.Item{it}, mi: mi})
			continue
		}
		hand(b.add(row, it, results)...)
	}
	hand(b.flush()...)
	r.drain(o, mp.stop(), results)
}

// drain records the rows left in a source (src: o's, after what was read
// ahead) after the run stopped as not sent, with what the reader could read
// of them.
func (r *runner) drain(o *opened, src readers.Source, results chan<- result) {
	why := "not sent: " + r.stopReason()
	for {
		row, err := src.Next()
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
	return readers.Row{Num: re.Row, Cells: re.Cells, Kinds: re.Kinds}
}

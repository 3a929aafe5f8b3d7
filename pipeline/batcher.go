package pipeline

import (
	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam/catalog"
)

// batcher gathers the rows of an entity written in batches into requests
// of at most size rows.
//
// An entity whose rows are grouped (inventory: one part in one depot) has
// all the rows of a group in the same request, all or none: the rows of a
// group are held until the group ends; when one of them is rejected, the
// others are not sent either (a part of the group would set a wrong value,
// and the rest, fixed and imported again, would replace it). A row of a
// group that was already closed is refused rather than sent to overwrite
// it.
type batcher struct {
	size  int
	group *catalog.Group // nil: rows are not grouped
	batch job

	open    string          // the open group's key ("" when none)
	pending job             // the open group's valid rows
	first   int             // the open group's first row
	firstP  catalog.Payload // and its payload
	badRow  int             // the open group's first rejected row, 0 when none
	closed  map[string]string
	// unchanged, with --changed-only, tells a group sent before as it is
	unchanged func([]catalog.Item) bool
	// replayed: the open group's rows were sent before a stop (--resume)
	replayed bool
}

func newBatcher(size int, g *catalog.Group) *batcher {
	return &batcher{size: size, group: g, closed: map[string]string{}}
}

// replayedRow notes a row of a grouped entity sent before the run stopped
// (--resume): its group is open, then closed as a group sent, so that a
// later row of it is refused as in the run that stopped. It returns the
// jobs to hand over when it closed the group before.
func (b *batcher) replayedRow(row readers.Row, p catalog.Payload) []job {
	if b.group == nil {
		return nil
	}
	g, ok := b.group.Key(p)
	if !ok || g == b.open {
		return nil
	}
	out := b.start(g, row.Num, p)
	b.replayed = true
	return out
}

// refuse notes a rejected or skipped row of a grouped entity: it spoils its
// group, so that none of the group's rows is sent. It returns jobs to hand
// over when it closed the group before.
func (b *batcher) refuse(res result) []job {
	if b.group == nil {
		return nil
	}
	g, ok := b.group.Key(res.payload)
	if !ok {
		return nil
	}
	var out []job
	if g != b.open {
		out = b.start(g, res.row.Num, res.payload)
	}
	if b.badRow == 0 {
		b.badRow = res.row.Num
	}
	return out
}

// add takes a valid row and returns the jobs complete enough to hand over.
func (b *batcher) add(row readers.Row, it catalog.Item, results chan<- result) []job {
	if b.group == nil {
		b.batch.rows = append(b.batch.rows, row)
		b.batch.items = append(b.batch.items, it)
		if len(b.batch.rows) >= b.size {
			return []job{b.take()}
		}
		return nil
	}
	g, _ := b.group.Key(it.Payload)
	var out []job
	if g != b.open {
		if why, done := b.closed[g]; done {
			results <- result{row: row, outcome: Rejected, payload: it.Payload, reason: why}
			return nil
		}
		out = b.start(g, row.Num, it.Payload)
	}
	b.pending.rows = append(b.pending.rows, row)
	b.pending.items = append(b.pending.items, it)
	return out
}

// start closes the open group and opens group g at row.
func (b *batcher) start(g string, row int, p catalog.Payload) []job {
	out := b.closeGroup()
	b.open, b.first, b.firstP, b.badRow = g, row, p, 0
	return out
}

// closeGroup ends the open group: its rows join the batch, or are refused
// when one of its rows was rejected. It returns the jobs to hand over: a full
// batch, or the refused rows as a job of rows not to send (see hand).
func (b *batcher) closeGroup() []job {
	if b.open == "" {
		return nil
	}
	defer func() { b.pending, b.open, b.firstP, b.badRow = job{}, "", nil, 0 }()
	if b.replayed {
		b.closed[b.open] = b.group.Closed(b.firstP, b.first)
		b.replayed = false
		if len(b.pending.rows) == 0 {
			return nil
		}
	}
	if b.badRow != 0 {
		why := b.group.Spoiled(b.badRow)
		b.closed[b.open] = why
		if len(b.pending.rows) == 0 {
			return nil
		}
		return []job{{rows: b.pending.rows, items: b.pending.items, refused: why}}
	}
	b.closed[b.open] = b.group.Closed(b.pending.items[0].Payload, b.first)
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

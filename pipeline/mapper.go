package pipeline

import (
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/stbulk/stbulk/readers"
)

// A mapper reads a source ahead of the producer and maps its rows (where:,
// Build, Prepare, the records each row writes) on several goroutines, one
// batch of rows at a time, and hands them back in the order read. Mapping a
// row depends on that row alone; everything that depends on the rows
// before it (duplicates, parents, the batcher, the reports) stays with the
// producer, in order.
type mapper struct {
	m       *Mapping
	src     readers.Source
	batches chan *mappedBatch // in the order read
	quit    chan struct{}
	wg      sync.WaitGroup // the reader and the workers
	stopped bool
	// unsent is the batch the reader read and had not handed over when
	// it quit: the last one read.
	unsent *mappedBatch

	cur  *mappedBatch // the batch being handed out, and the next row of it
	next int
}

// mappedRow is one row read, mapped as produce needs it.
type mappedRow struct {
	row    readers.Row
	rowErr *readers.RowError // the reader could not read the row
	// match and matchErr: the where: filter's answer.
	match    bool
	matchErr error
	// p and err: Build's payload, and Build's or Prepare's error; for a
	// row the reader could not read, what Build makes of its cells.
	p   Payload
	err error
	ids []string // the records the row writes (Mapping.identities)
}

// mappedBatch is a run of rows in the order read, mapped once ready is
// closed. err is a fatal read error after them.
type mappedBatch struct {
	rows  []mappedRow
	err   error
	ready chan struct{}
}

// A batch holds mapBatch rows, enough that the goroutines meet once per
// batch, not once per row, or fewer when their cells reach mapBatchBytes:
// the rows read ahead (a few batches per goroutine) stay a few MiB whatever
// the rows' size.
const (
	mapBatch      = 128
	mapBatchBytes = 1 << 20
)

// newMapper starts reading src and mapping its rows for m.
func newMapper(m *Mapping, src readers.Source) *mapper {
	workers := runtime.GOMAXPROCS(0)
	mp := &mapper{m: m, src: src, batches: make(chan *mappedBatch, 2*workers+2), quit: make(chan struct{})}
	work := make(chan *mappedBatch, 2*workers+2)
	mp.wg.Add(1 + workers)
	go mp.read(work)
	for range workers {
		go func() {
			defer mp.wg.Done()
			for b := range work {
				select {
				case <-mp.quit:
					continue // nobody waits for it: stop gives its rows unmapped
				default:
				}
				for i := range b.rows {
					mapRow(m, &b.rows[i])
				}
				close(b.ready)
			}
		}()
	}
	return mp
}

// read reads src into batches, each handed to the producer, in order, and
// to a worker, until the end of src, a fatal error or quit.
func (mp *mapper) read(work chan<- *mappedBatch) {
	defer mp.wg.Done()
	defer close(mp.batches)
	defer close(work)
	for {
		b := &mappedBatch{rows: make([]mappedRow, 0, mapBatch), ready: make(chan struct{})}
		end, size := false, 0
		for len(b.rows) < mapBatch && size < mapBatchBytes && !end {
			row, err := mp.src.Next()
			switch {
			case err == nil:
				b.rows = append(b.rows, mappedRow{row: row})
				for _, c := range row.Cells {
					size += len(c)
				}
			case err == io.EOF:
				end = true
			default:
				if re := rowError(err); re != nil {
					b.rows = append(b.rows, mappedRow{row: rowOf(re), rowErr: re})
				} else {
					b.err, end = err, true
				}
			}
		}
		if len(b.rows) == 0 && b.err == nil {
			return
		}
		select {
		case mp.batches <- b:
		case <-mp.quit:
			mp.unsent = b
			return
		}
		select {
		case work <- b:
		case <-mp.quit:
			return
		}
		if end {
			return
		}
	}
}

// rowError is err as a *readers.RowError, or nil.
func rowError(err error) *readers.RowError {
	var re *readers.RowError
	if errors.As(err, &re) {
		return re
	}
	return nil
}

// mapRow maps one row as produce needs it.
func mapRow(m *Mapping, r *mappedRow) {
	if r.rowErr != nil {
		// What could be read still names the row's keys, so that its
		// children are skipped rather than sent to fail.
		if r.row.Cells != nil {
			r.p, _ = m.Build(r.row)
		}
		return
	}
	if r.match, r.matchErr = m.Match(r.row); r.matchErr != nil || !r.match {
		return
	}
	r.p, r.err = m.Build(r.row)
	if r.err == nil && m.Entity.Prepare != nil {
		r.err = m.Entity.Prepare(r.p)
	}
	r.ids = m.identities(r.p, r.err == nil)
}

// Next returns the next row read and mapped, with a fatal read error once
// the rows before it are given, and io.EOF at the end.
func (mp *mapper) Next() (*mappedRow, error) {
	for mp.cur == nil || mp.next == len(mp.cur.rows) {
		if mp.cur != nil && mp.cur.err != nil {
			err := mp.cur.err
			mp.cur.err = nil
			return nil, err
		}
		b, ok := <-mp.batches
		if !ok {
			return nil, io.EOF
		}
		<-b.ready
		mp.cur, mp.next = b, 0
	}
	r := &mp.cur.rows[mp.next]
	mp.next++
	return r, nil
}

// stop ends the reading and mapping and returns what was read and not
// handed out yet, as a source giving those rows, then the rest of src:
// rows, *RowErrors and a fatal error as src gave them. Calling it again
// does nothing and returns src.
func (mp *mapper) stop() readers.Source {
	if mp.stopped {
		return mp.src
	}
	mp.stopped = true
	close(mp.quit)
	mp.wg.Wait() // src is no longer read, and no batch is mapped
	var rest []mappedRow
	var fatal error
	if mp.cur != nil {
		rest, fatal = mp.cur.rows[mp.next:], mp.cur.err
	}
	for b := range mp.batches {
		if fatal != nil {
			break
		}
		rest, fatal = append(rest, b.rows...), b.err
	}
	if b := mp.unsent; b != nil && fatal == nil {
		rest, fatal = append(rest, b.rows...), b.err
	}
	mp.cur = nil
	return &leftover{rows: rest, fatal: fatal, src: mp.src}
}

// leftover gives the rows a mapper read ahead, then the rest of its source.
type leftover struct {
	rows  []mappedRow
	fatal error
	src   readers.Source
}

func (l *leftover) Header() []string { return l.src.Header() }
func (l *leftover) Close() error     { return l.src.Close() }

func (l *leftover) Next() (readers.Row, error) {
	if len(l.rows) > 0 {
		r := l.rows[0]
		l.rows = l.rows[1:]
		if r.rowErr != nil {
			return readers.Row{}, r.rowErr
		}
		return r.row, nil
	}
	if l.fatal != nil {
		return readers.Row{}, l.fatal
	}
	return l.src.Next()
}

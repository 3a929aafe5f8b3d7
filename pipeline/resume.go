package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/writers/files"
)

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
	host, domain := r.to.account()
	h, err := journalHeaderFor(srcs, domain, start)
	if err != nil {
		return err
	}
	h.Host = host
	path := filepath.Join(r.opts.OutDir, JournalName)
	if !r.opts.Resume {
		r.setRun(path, h)
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
		for _, name := range []string{"errors.csv", "errors.xlsx", "filtered.csv", "filtered.xlsx", "success.csv", "payloads.jsonl", files.SummaryName} {
			if err := os.Remove(filepath.Join(d, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("--resume: %w", err)
			}
		}
	}
	if err := os.Remove(filepath.Join(r.opts.OutDir, files.SummaryName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--resume: %w", err)
	}
	r.replay = rp
	r.setRun(path, rp.header)
	r.journal, err = appendJournal(path, rp.validLen)
	return err
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
	if res.outcome != Sent && res.outcome != Filtered {
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
		if m.Entity.Batch.Grouping() == nil {
			r.ledger.restore(e.K, e.H)
		}
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

// openLedgers opens and locks the ledger of each entity of the run, with
// --changed-only. A ledger another run holds refuses the run (exit 2,
// nothing sent).
func (r *runner) openLedgers(srcs []*opened) error {
	if !r.opts.ChangedOnly || r.opts.DryRun {
		return nil
	}
	host, domain := r.to.account()
	r.ledgers = map[string]*ledger{}
	for _, o := range srcs {
		name := o.m.Entity.Name
		if r.ledgers[name] != nil {
			continue
		}
		l, err := openLedger(r.opts.LedgerDir, host, domain, name)
		if err != nil {
			r.closeLedgers()
			if errors.Is(err, errLedgerBusy) {
				return Problems{{File: r.opts.LedgerDir, Msg: "--changed-only: " + err.Error()}}
			}
			return err
		}
		r.ledgers[name] = l
	}
	return nil
}

// closeLedgers closes and unlocks the run's ledgers.
func (r *runner) closeLedgers() error {
	var first error
	for _, l := range r.ledgers {
		if err := l.close(); err != nil && first == nil {
			first = err
		}
	}
	r.ledgers, r.ledger = nil, nil
	return first
}

// setRun names the run in the ledgers' lines putting keys in doubt: the
// journal at path, started then, is the same run through its resumes.
func (r *runner) setRun(path string, h journalHeader) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	sum := sha256.Sum256([]byte(abs + " " + h.Started.UTC().Format(time.RFC3339Nano)))
	id := hex.EncodeToString(sum[:8])
	for _, l := range r.ledgers {
		l.run = id
	}
}

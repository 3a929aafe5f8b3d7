package pipeline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/stbulk/stbulk/synchroteam/catalog"
	"github.com/stbulk/stbulk/writers/files"
)

// ledger remembers, for one API domain and entity, the hash of the payload
// last sent successfully for each key: with --changed-only, a row whose
// payload has not changed since is not sent again. It never holds a hash
// the API may not hold: before a key is sent, a line dropping its entry
// (in doubt, naming the run) is synced to disk, and its new hash is
// written once the API has confirmed the row. After a crash the key is in
// doubt, so its row is sent again, unless the run that dropped it is
// resumed and its journal shows the row sent (restore).
//
// It is a JSON-lines file of {"k": key, "h": hash} and {"k": key, "d":
// run} (in doubt), appended to (the last line of a key wins) and compacted
// when it closes. A run holds it locked from open to close.
type ledger struct {
	mu    sync.Mutex
	path  string
	run   string            // the run writing: named in the lines dropping a key
	known map[string]string // key → hash confirmed
	doubt map[string]string // key → run that dropped it before sending it
	f     *os.File
	w     *bufio.Writer
	lines int    // lines in the file
	gen   uint64 // drop batches written to the file

	syncMu sync.Mutex
	synced uint64 // drop batches synced: one sync serves every batch written before it

	unlock func()
	err    error
}

// ledgerLine is one line of a ledger.
type ledgerLine struct {
	K string `json:"k"`
	H string `json:"h,omitempty"`
	D string `json:"d,omitempty"`
}

// errLedgerBusy: another run holds the ledger.
var errLedgerBusy = errors.New("another stbulk run is using this ledger (--changed-only with the same ledger): wait for it to end")

// openLedger opens and locks the ledger of entity for domain at the API's
// host under dir, creating it when missing (a sandbox with the same domain
// name has a ledger of its own). A torn last line (a crash) is ignored.
// It fails with errLedgerBusy when another run holds it.
func openLedger(dir, host, domain, entity string) (*ledger, error) {
	folder := filepath.Join(dir, files.SafeName(host), files.SafeName(domain))
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	l := &ledger{path: filepath.Join(folder, files.SafeName(entity)+".jsonl"), known: map[string]string{}, doubt: map[string]string{}}
	unlock, err := files.LockFile(l.path + ".lock")
	if errors.Is(err, files.ErrLocked) {
		err = errLedgerBusy
	}
	if err != nil {
		return nil, fmt.Errorf("ledger %s: %w", l.path, err)
	}
	fail := func(err error) (*ledger, error) {
		if l.f != nil {
			l.f.Close()
		}
		unlock()
		return nil, fmt.Errorf("ledger %s: %w", l.path, err)
	}
	data, err := os.ReadFile(l.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail(err)
	}
	valid := 0
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		var e ledgerLine
		if json.Unmarshal(data[:i], &e) != nil || e.K == "" {
			break
		}
		if e.H == "" {
			delete(l.known, e.K)
			l.doubt[e.K] = e.D
		} else {
			l.known[e.K] = e.H
			delete(l.doubt, e.K)
		}
		l.lines++
		valid += i + 1
		data = data[i+1:]
	}
	if l.f, err = os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err != nil {
		return fail(err)
	}
	if err := l.f.Truncate(int64(valid)); err != nil {
		return fail(err)
	}
	// What a killed run left in the system's cache is made durable before
	// this run relies on it.
	if err := l.f.Sync(); err != nil {
		return fail(err)
	}
	l.w, l.unlock = bufio.NewWriter(l.f), unlock
	return l, nil
}

// unchanged reports whether key was last sent with this payload hash.
func (l *ledger) unchanged(key, hash string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.known[key]
	return ok && key != "" && h == hash
}

func (l *ledger) line(e ledgerLine) {
	b, _ := json.Marshal(e)
	if _, err := l.w.Write(append(b, '\n')); err != nil && l.err == nil {
		l.err = err
	}
	l.lines++
}

// put records that key was sent with this payload hash, confirmed.
func (l *ledger) put(key, hash string) {
	if key == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.doubt[key]; !ok && l.known[key] == hash {
		return
	}
	l.line(ledgerLine{K: key, H: hash})
	l.known[key] = hash
	delete(l.doubt, key)
}

// drop puts keys in doubt, on disk, before they are sent: a crash while
// they are in flight leaves no hash the API may not hold. The senders
// share the syncs: one serves every drop written before it.
func (l *ledger) drop(keys []string) error {
	l.mu.Lock()
	wrote := false
	for _, k := range keys {
		if _, ok := l.known[k]; k == "" || !ok && l.doubt[k] == l.run {
			continue // in doubt by this run already: the line is on disk
		}
		l.line(ledgerLine{K: k, D: l.run})
		delete(l.known, k)
		l.doubt[k] = l.run
		wrote = true
	}
	if wrote && l.err == nil {
		l.err = l.w.Flush()
	}
	l.gen++
	gen, err := l.gen, l.err
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("ledger %s: %w", l.path, err)
	}
	if !wrote {
		return nil
	}
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	if l.synced >= gen {
		return nil
	}
	l.mu.Lock()
	upto := l.gen
	l.mu.Unlock()
	if err := l.f.Sync(); err != nil {
		l.mu.Lock()
		if l.err == nil {
			l.err = err
		}
		l.mu.Unlock()
		return fmt.Errorf("ledger %s: %w", l.path, err)
	}
	l.synced = upto
	return nil
}

// restore writes the hash a resumed run's journal gives a key sent
// before the stop, when that run put it in doubt and no run wrote it
// since: the API holds that payload.
func (l *ledger) restore(key, hash string) {
	if l == nil || key == "" {
		return
	}
	l.mu.Lock()
	run, ok := l.doubt[key]
	l.mu.Unlock()
	if ok && run == l.run {
		l.put(key, hash)
	}
}

// close writes what is buffered (a nil ledger has nothing to write),
// rewrites the file with one line per key when most lines are
// superseded, and unlocks it.
func (l *ledger) close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.unlock()
	err := l.err
	if ferr := l.w.Flush(); err == nil {
		err = ferr
	}
	if serr := l.f.Sync(); err == nil {
		err = serr
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if err == nil && l.lines > 2*(len(l.known)+len(l.doubt))+100 {
		err = l.compact()
	}
	if err != nil {
		return fmt.Errorf("ledger %s: %w", l.path, err)
	}
	return nil
}

// compact replaces the file with one line per key, atomically: a crash
// leaves the old file or the new one.
func (l *ledger) compact() error {
	lines := make([]ledgerLine, 0, len(l.known)+len(l.doubt))
	for k, h := range l.known {
		lines = append(lines, ledgerLine{K: k, H: h})
	}
	for k, d := range l.doubt {
		lines = append(lines, ledgerLine{K: k, D: d})
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].K < lines[j].K })
	var buf bytes.Buffer
	for _, e := range lines {
		b, _ := json.Marshal(e)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	tmp := l.path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(buf.Bytes())
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, l.path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// groupHash is the hash of an inventory group's payloads, in order: the
// quantity of a part in a depot is set by all its rows at once.
func groupHash(items []catalog.Item) string {
	var b bytes.Buffer
	for _, it := range items {
		b.WriteString(payloadHash(it.Payload))
	}
	return payloadHash(Payload{"rows": b.String()})
}

// eachGroup calls f with the ledger key of each row of items, or of each
// group (an inventory part in a depot) and its rows [start, end).
func eachGroup(e *catalog.Entity, items []catalog.Item, f func(key string, start, end int)) {
	g := e.Batch.Grouping()
	if g == nil {
		for i, it := range items {
			f(e.Key(it.Payload), i, i+1)
		}
		return
	}
	for start := 0; start < len(items); {
		k, _ := g.Key(items[start].Payload)
		end := start
		for end < len(items) {
			if h, _ := g.Key(items[end].Payload); h != k {
				break
			}
			end++
		}
		f(e.Key(items[start].Payload), start, end)
		start = end
	}
}

// sending puts the keys of items in doubt before they are sent. A nil
// ledger (no --changed-only) records nothing.
func (l *ledger) sending(e *catalog.Entity, items []catalog.Item) error {
	if l == nil {
		return nil
	}
	var keys []string
	eachGroup(e, items, func(key string, _, _ int) { keys = append(keys, key) })
	return l.drop(keys)
}

// sent records the payloads sent: a row's, or a group's when all its rows
// went through. A key whose row failed stays in doubt.
func (l *ledger) sent(e *catalog.Entity, items []catalog.Item, res []receipt) {
	if l == nil {
		return
	}
	grouped := e.Batch.Grouping() != nil
	eachGroup(e, items, func(key string, start, end int) {
		for _, rr := range res[start:end] {
			if rr.err != nil {
				return
			}
		}
		if grouped {
			l.put(key, groupHash(items[start:end]))
		} else {
			l.put(key, payloadHash(items[start].Payload))
		}
	})
}

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
// payload has not changed since is not sent again. It is a JSON-lines file
// of {"k": key, "h": hash}, appended to as rows are sent (the last line of
// a key wins) and compacted when it closes.
type ledger struct {
	mu    sync.Mutex
	path  string
	known map[string]string
	f     *os.File
	w     *bufio.Writer
	lines int // lines in the file
	err   error
}

// openLedger opens the ledger of entity for domain at the API's host under
// dir, creating it when missing (a sandbox with the same domain name has a
// ledger of its own). A torn last line (a crash) is ignored.
func openLedger(dir, host, domain, entity string) (*ledger, error) {
	folder := filepath.Join(dir, files.SafeName(host), files.SafeName(domain))
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	l := &ledger{path: filepath.Join(folder, files.SafeName(entity)+".jsonl"), known: map[string]string{}}
	data, err := os.ReadFile(l.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	valid := 0
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		var e struct{ K, H string }
		if json.Unmarshal(data[:i], &e) != nil || e.K == "" {
			break
		}
		l.known[e.K] = e.H
		l.lines++
		valid += i + 1
		data = data[i+1:]
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if err := f.Truncate(int64(valid)); err != nil {
		f.Close()
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if _, err := f.Seek(int64(valid), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("ledger: %w", err)
	}
	l.f, l.w = f, bufio.NewWriter(f)
	return l, nil
}

// unchanged reports whether key was last sent with this payload hash.
func (l *ledger) unchanged(key, hash string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.known[key]
	return ok && key != "" && h == hash
}

// put records that key was sent with this payload hash.
func (l *ledger) put(key, hash string) {
	if key == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil || l.known[key] == hash {
		return
	}
	b, _ := json.Marshal(struct {
		K string `json:"k"`
		H string `json:"h"`
	}{key, hash})
	if _, err := l.w.Write(append(b, '\n')); err != nil {
		l.err = err
		return
	}
	l.known[key] = hash
	l.lines++
}

// close writes what is buffered (a nil ledger has nothing to write) and, when most lines are superseded,
// rewrites the file with one line per key.
func (l *ledger) close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
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
	if err != nil {
		return fmt.Errorf("ledger %s: %w", l.path, err)
	}
	if l.lines <= 2*len(l.known)+100 {
		return nil
	}
	keys := make([]string, 0, len(l.known))
	for k := range l.known {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	for _, k := range keys {
		b, _ := json.Marshal(struct {
			K string `json:"k"`
			H string `json:"h"`
		}{k, l.known[k]})
		buf.Write(b)
		buf.WriteByte('\n')
	}
	tmp := l.path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	if err := os.Rename(tmp, l.path); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
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

// sent records the payloads sent: a row's, or a group's (an inventory part
// in a depot) when all its rows went through. A nil ledger (no
// --changed-only) records nothing.
func (l *ledger) sent(e *catalog.Entity, items []catalog.Item, res []receipt) {
	if l == nil {
		return
	}
	g := e.Batch.Grouping()
	if g == nil {
		for i, rr := range res {
			if rr.err == nil {
				l.put(e.Key(items[i].Payload), payloadHash(items[i].Payload))
			}
		}
		return
	}
	for start := 0; start < len(items); {
		k, _ := g.Key(items[start].Payload)
		end, ok := start, true
		for end < len(items) {
			if h, _ := g.Key(items[end].Payload); h != k {
				break
			}
			ok = ok && res[end].err == nil
			end++
		}
		if ok {
			l.put(e.Key(items[start].Payload), groupHash(items[start:end]))
		}
		start = end
	}
}

package pipeline

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/stbulk/stbulk/writers/files"
)

// JournalName is the journal's file in a run folder.
const JournalName = "journal.jsonl"

// The journal of a run is a JSON-lines file, appended to as rows end and
// synced to disk in small batches: its first line is a journalHeader, then
// one journalEntry per row outcome (and one per unkeyed row before it is
// sent), and a last {"end": …} line when the run finished. It is written
// only by appending, so that after a crash (kill -9, power cut) it holds
// every line synced before, and at most a torn last line, which is
// ignored. A resumed run reads it, sends only the rows without a final
// outcome, and appends to it.
type journal struct {
	mu      sync.Mutex
	f       *os.File
	w       *bufio.Writer
	pending int       // lines written since the last sync
	synced  time.Time // when the last sync was
	err     error     // the first write error: the journal is then unusable
	batches int       // batch numbers given so far
	prefix  string    // makes batch names distinct across the attempts of a run
	done    chan struct{}
}

// journalHeader identifies a run: its mappings, in the order they run, and
// their inputs.
type journalHeader struct {
	Version  int              `json:"stbulk_journal"`
	Started  time.Time        `json:"started"`
	Domain   string           `json:"domain,omitempty"`
	Host     string           `json:"host,omitempty"` // the API's
	Mappings []journalMapping `json:"mappings"`
}

// journalMapping is one mapping of a run and the identity of its input: a
// resumed run must read the same rows.
type journalMapping struct {
	File   string `json:"file"`   // the mapping file, absolute
	Entity string `json:"entity"` // what it imports
	Input  string `json:"input"`  // the input file, absolute
	Size   int64  `json:"size"`   // the input's size
	SHA256 string `json:"sha256"` // the input's content
	Rules  string `json:"rules"`  // a hash of the mapping file's content and of its lookup files
}

// journalEntry is one line after the header.
type journalEntry struct {
	M   int    `json:"m,omitempty"`   // the mapping, by its index in the header
	Row int    `json:"row,omitempty"` // the row number in the input
	O   string `json:"o,omitempty"`   // outcome: sent, filtered, rejected, failed, skipped, unchanged, duplicate; stopped (not sent, to send on resume); unknown (the request may have been applied); sending (an unkeyed row about to be sent)
	H   string `json:"h,omitempty"`   // the payload's hash
	K   string `json:"k,omitempty"`   // the key sent
	ID  string `json:"id,omitempty"`  // the id the API returned
	R   string `json:"r,omitempty"`   // the reason of a row not sent
	B   string `json:"b,omitempty"`   // the request (batch) of a batched row…
	N   int    `json:"n,omitempty"`   // …and how many rows it held
	End bool   `json:"end,omitempty"`
}

// Journal outcomes that are not final: a resumed run sends those rows.
const (
	jStopped = "stopped"
	jUnknown = "unknown"
	jSending = "sending"
)

// syncEvery and syncAfter bound what a crash can lose of the journal: at
// most that many lines, or that long of outcomes.
const (
	syncEvery = 64
	syncAfter = 200 * time.Millisecond
)

func outcomeName(o Outcome) string {
	return [...]string{"sent", "filtered", "rejected", "failed", "skipped", "unchanged", "duplicate"}[o]
}

// createJournal starts the journal of a new run. An empty journal (a run
// stopped before its header was written, having sent nothing) is started
// again.
func createJournal(path string, h journalHeader) (*journal, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
		_ = os.Remove(path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j := newJournal(f)
	h.Version = 1
	j.mu.Lock()
	err = j.line(h)
	if err == nil {
		err = j.sync()
	}
	j.mu.Unlock()
	if err != nil {
		close(j.done)
		f.Close()
		return nil, err
	}
	return j, nil
}

// appendJournal reopens a journal to go on with a resumed run. A torn last
// line is cut off first, so that the lines added start on their own line.
func appendJournal(path string, validLen int64) (*journal, error) {
	if err := files.RefuseLink(path); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := f.Truncate(validLen); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: %w", err)
	}
	if _, err := f.Seek(validLen, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: %w", err)
	}
	return newJournal(f), nil
}

// newJournal writes to f, and syncs what is pending every syncAfter even
// when no outcome comes (long waits before a retry).
func newJournal(f *os.File) *journal {
	j := &journal{f: f, w: bufio.NewWriter(f), synced: time.Now(), prefix: batchPrefix(), done: make(chan struct{})}
	go func() {
		t := time.NewTicker(syncAfter)
		defer t.Stop()
		for {
			select {
			case <-j.done:
				return
			case <-t.C:
				j.mu.Lock()
				if j.err == nil && j.pending > 0 && time.Since(j.synced) >= syncAfter {
					j.err = j.sync()
				}
				j.mu.Unlock()
			}
		}
	}()
	return j
}

func batchPrefix() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }

func (j *journal) line(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	b = append(b, '\n')
	if _, err := j.w.Write(b); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.pending++
	return nil
}

// add appends an entry, and syncs when enough lines or time went by.
func (j *journal) add(e journalEntry) error { return j.append(e, false) }

// addNow appends an entry and syncs at once: for a line that must be on
// disk before what follows it happens (an unkeyed row about to be sent).
func (j *journal) addNow(e journalEntry) error { return j.append(e, true) }

func (j *journal) append(e journalEntry, now bool) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	if err := j.line(e); err != nil {
		j.err = err
		return err
	}
	if now || j.pending >= syncEvery || time.Since(j.synced) >= syncAfter {
		if err := j.sync(); err != nil {
			j.err = err
			return err
		}
	}
	return nil
}

func (j *journal) sync() error {
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.pending, j.synced = 0, time.Now()
	return nil
}

// batch returns a new batch name, distinct across the attempts of a run.
func (j *journal) batch() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.batches++
	return j.prefix + "." + strconv.Itoa(j.batches)
}

// close syncs the journal; with end, it first notes that the run finished.
func (j *journal) close(end bool) error {
	close(j.done)
	j.mu.Lock()
	defer j.mu.Unlock()
	err := j.err
	if err == nil && end {
		err = j.line(journalEntry{End: true})
	}
	if err == nil {
		err = j.sync()
	}
	if cerr := j.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("journal: %w", cerr)
	}
	return err
}

// replayed is what a journal says of a run that stopped before its end.
type replayed struct {
	header   journalHeader
	finished bool // the run got to its end
	validLen int64
	// outcomes are the last outcome of each row, by mapping and row.
	outcomes map[[2]int]journalEntry
}

// readJournal reads a run's journal. Lines after a torn one are not
// trusted; a batch whose rows are not all there is dropped, so its rows
// are sent again as one request.
func readJournal(path string) (*replayed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	rp := &replayed{outcomes: map[[2]int]journalEntry{}}
	var off int64
	first := true
	batches := map[string][]journalEntry{}
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break // a torn last line
		}
		line := data[:i]
		if first {
			if err := json.Unmarshal(line, &rp.header); err != nil || rp.header.Version != 1 {
				return nil, fmt.Errorf("%s: not a stbulk journal", path)
			}
			first = false
		} else {
			var e journalEntry
			if err := json.Unmarshal(line, &e); err != nil {
				break // not a whole line: what follows is not trusted
			}
			switch {
			case e.End:
				rp.finished = true
			case e.B != "":
				batches[e.B] = append(batches[e.B], e)
			default:
				rp.outcomes[[2]int{e.M, e.Row}] = e
			}
		}
		off += int64(i + 1)
		data = data[i+1:]
	}
	if first {
		return nil, fmt.Errorf("%s: not a stbulk journal", path)
	}
	names := make([]string, 0, len(batches))
	for b := range batches {
		names = append(names, b)
	}
	sort.Strings(names)
	for _, b := range names {
		es := batches[b]
		if len(es) < es[0].N {
			continue // the request's outcome was not all written
		}
		for _, e := range es {
			rp.outcomes[[2]int{e.M, e.Row}] = e
		}
	}
	rp.validLen = off
	return rp, nil
}

// final reports whether a journaled outcome ends its row: a resumed run
// does not send it again.
func (e journalEntry) final() bool {
	switch e.O {
	case jStopped, jUnknown, jSending, "":
		return false
	}
	return true
}

// payloadHash is the hash of a payload as it is sent.
func payloadHash(p Payload) string {
	b, err := json.Marshal(p)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// fileIdentity is a file's size and SHA-256.
func fileIdentity(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("%s: %w", path, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// journalHeaderFor describes a run of maps (in the order they run).
func journalHeaderFor(srcs []*opened, domain string, started time.Time) (journalHeader, error) {
	h := journalHeader{Started: started.UTC(), Domain: domain}
	for _, o := range srcs {
		m := o.m
		file, err := filepath.Abs(m.File)
		if err != nil {
			return h, err
		}
		in, err := filepath.Abs(o.input)
		if err != nil {
			return h, err
		}
		size, sum, err := fileIdentity(in)
		if err != nil {
			return h, fmt.Errorf("journal: %w", err)
		}
		rules := ""
		if b, err := os.ReadFile(m.File); err == nil {
			// The files its lookups read make the payloads too.
			for _, sum := range m.lookupSums() {
				b = append(b, sum...)
			}
			s := sha256.Sum256(b)
			rules = hex.EncodeToString(s[:16])
		}
		h.Mappings = append(h.Mappings, journalMapping{File: file, Entity: m.Entity.Name, Input: in, Size: size, SHA256: sum, Rules: rules})
	}
	return h, nil
}

// sameRun tells why a run cannot be resumed with these mappings and
// inputs ("" when it can).
func (rp *replayed) sameRun(h journalHeader) string {
	if len(rp.header.Mappings) != len(h.Mappings) {
		return fmt.Sprintf("it ran %d mapping file(s), not %d", len(rp.header.Mappings), len(h.Mappings))
	}
	if rp.header.Domain != h.Domain || rp.header.Host != h.Host {
		return fmt.Sprintf("it ran against domain %q at %s, not %q at %s", rp.header.Domain, rp.header.Host, h.Domain, h.Host)
	}
	for i, a := range rp.header.Mappings {
		b := h.Mappings[i]
		switch {
		case a.File != b.File:
			return fmt.Sprintf("it ran %s, not %s", a.File, b.File)
		case a.Input != b.Input:
			return fmt.Sprintf("%s read %s, not %s", a.File, a.Input, b.Input)
		case a.Size != b.Size || a.SHA256 != b.SHA256:
			return fmt.Sprintf("%s changed since the run (size or content): a resumed run must read the same rows", a.Input)
		case a.Rules != "" && a.Rules != b.Rules:
			return fmt.Sprintf("%s changed since the run, or a file it looks values up in: a resumed run must build the same payloads", a.File)
		}
	}
	return ""
}

// ErrNothingToResume is returned by FindResumable when no run can be
// resumed.
var ErrNothingToResume = errors.New("no unfinished run to resume")

// FindResumable returns the newest run folder under base whose journal
// shows an unfinished run of the same mapping files (in any order) and,
// when input is given, of that input.
func FindResumable(base string, mappingFiles []string, input string) (string, error) {
	entries, err := os.ReadDir(base)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("%w in %s", ErrNothingToResume, base)
		}
		return "", err
	}
	want := map[string]bool{}
	for _, f := range mappingFiles {
		abs, err := filepath.Abs(f)
		if err != nil {
			return "", err
		}
		want[abs] = true
	}
	absInput := ""
	if input != "" {
		if absInput, err = filepath.Abs(input); err != nil {
			return "", err
		}
	}
	// Run folders are named by their start time: the newest sorts last.
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() > entries[j].Name() })
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(base, e.Name())
		rp, err := readJournal(filepath.Join(dir, JournalName))
		if err != nil || rp.finished || len(rp.header.Mappings) != len(want) {
			continue
		}
		same := true
		for _, m := range rp.header.Mappings {
			if !want[m.File] || absInput != "" && m.Input != absInput {
				same = false
			}
		}
		if same {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w of these mapping files in %s", ErrNothingToResume, base)
}

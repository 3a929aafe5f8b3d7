package pipeline

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
	"github.com/stbulk/stbulk/writers/files"
)

// ExportOptions drive an export.
type ExportOptions struct {
	Client      *synchroteam.Client
	OutDir      string // the output folder, created if needed; it keeps the state of incremental runs
	Since       string // "" (the mapping's filters only), "last", or a date
	Concurrency int    // requests in flight (default 8)
	// Progress, when set, is called after each item, from one goroutine at
	// a time: items done and items found (0 while searching).
	Progress func(done, total int)
	Log      io.Writer
	Now      func() time.Time // the clock (tests); time.Now when nil
}

// ExportSummary is the outcome of an export, written to summary.json.
type ExportSummary struct {
	Mapping         string         `json:"mapping"`
	Export          string         `json:"export"`
	Since           string         `json:"since,omitempty"`    // the change filter used, when incremental
	Found           int            `json:"found"`              // items the search returned
	Exported        int            `json:"exported"`           // items written this run
	Failed          int            `json:"failed"`             // items that could not be read (see errors.csv)
	NotRead         int            `json:"not_read,omitempty"` // items found but not read, the run having stopped
	Kept            int            `json:"kept"`               // items kept from earlier runs
	Rows            map[string]int `json:"rows,omitempty"`     // rows per sheet
	FilesWritten    int            `json:"files_written"`
	FilesUnchanged  int            `json:"files_unchanged"`
	Warnings        []string       `json:"warnings,omitempty"`
	TotalMismatches []Mismatch     `json:"total_mismatches,omitempty"`
	Requests        int64          `json:"requests"`
	Retries         int64          `json:"retries"`
	RateLimited     int64          `json:"rate_limited"`
	QuotaRemaining  *int64         `json:"quota_remaining,omitempty"`
	DurationSeconds float64        `json:"duration_seconds"`
	Stopped         string         `json:"stopped,omitempty"`
	State           string         `json:"state"` // what the incremental state says after the run
}

// Mismatch is an invoice whose total is not the sum of its lines, or a line
// whose total is not its net plus VAT as computed from its price, quantity,
// discount and tax. Amounts are to the cent.
type Mismatch struct {
	Num        string  `json:"num"`
	Type       string  `json:"type"`
	Line       int     `json:"line,omitempty"`        // the line, from 1; 0 for the invoice's total
	Total      float64 `json:"total"`                 // the API's total, of the invoice or the line
	LinesTotal float64 `json:"lines_total,omitempty"` // the invoice: the sum of its lines' totals
	Computed   float64 `json:"computed,omitempty"`    // the line: its net plus VAT
}

// maxWarnings bounds the warnings kept in the summary.
const maxWarnings = 1000

// The files of an export folder that are not data.
const (
	stateDir      = ".stbulk"
	stateFile     = "state.json"
	summaryFile   = "summary.json"
	exportErrFile = "errors.csv"
)

// exporter is one export run.
type exporter struct {
	c      *synchroteam.Client
	m      *ExportMapping
	folder *writers.Folder
	conc   int
	since  time.Time // the change filter of this run; zero: none

	mu             sync.Mutex
	store          *recordStore      // the records read, and those of earlier runs
	dropped        map[string]bool   // items read but left out by the mapping's filters
	claims         map[string]string // file (lower case) → the item writing it
	failures       [][2]string       // key, reason
	warnings       []string
	moreWarnings   int
	mismatches     []Mismatch
	filesWritten   int
	filesUnchanged int
	found, done    int
	progress       func(done, total int)
}

// emit keeps the record of an item read. Its error (the record cannot be
// written to the spill file) stops the run.
func (e *exporter) emit(r *record) error {
	b, err := spilled(r)
	if err != nil {
		return &FatalError{Err: err}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	dup, err := e.store.add(r.Key, b, len(r.Files) > 0)
	if err != nil {
		return &FatalError{Err: err}
	}
	if dup {
		e.warnLocked(r.Key, "two items have this key: the rows of the last read are kept")
	}
	e.tick()
	return nil
}

// drop says that an item read is left out by the mapping's own filters:
// rows of it from earlier runs go.
func (e *exporter) drop(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dropped[key] = true
}

// claim reserves the file rel for the item key and returns the path to
// write: each file is written once per run. Two items never write the same
// file (an error); a second file of the same item gets a free "-2", "-3"…
// name and a warning.
func (e *exporter) claim(rel, key string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := files.FoldKey(rel)
	other, ok := e.claims[k]
	if !ok {
		e.claims[k] = key
		return rel, nil
	}
	if other != key {
		return "", fmt.Errorf("the file %q is also that of %s: put {num} where it is not cut (names are cut to 120 bytes)", rel, other)
	}
	for n := 2; ; n++ {
		alt := files.Numbered(rel, n)
		ak := files.FoldKey(alt)
		if _, taken := e.claims[ak]; taken || reservedName(alt) {
			continue
		}
		e.claims[ak] = key
		e.warnLocked(key, fmt.Sprintf("the file %q is taken by another of its files: written as %q", rel, alt))
		return alt, nil
	}
}

func (e *exporter) tick() {
	e.done++
	if e.progress != nil {
		e.progress(e.done, e.found)
	}
}

func (e *exporter) setFound(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.found += n
}

func (e *exporter) warn(key string) func(string) {
	return func(msg string) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.warnLocked(key, msg)
	}
}

func (e *exporter) warnLocked(key, msg string) {
	if len(e.warnings) < maxWarnings {
		e.warnings = append(e.warnings, key+": "+msg)
	} else {
		e.moreWarnings++
	}
}

func (e *exporter) wrote(changed bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if changed {
		e.filesWritten++
	} else {
		e.filesUnchanged++
	}
}

// item runs the reading of one item. A failure that concerns the item only
// is recorded (the export goes on); one that concerns the whole run
// (authentication, API unreachable, interrupt) is returned.
func (e *exporter) item(ctx context.Context, key string, read func() error) error {
	err := read()
	if err == nil {
		return nil
	}
	var fe *FatalError
	if errors.As(err, &fe) {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if reason, fatal := fatalReason(e.c, err); fatal {
		return &FatalError{Err: errors.New(reason)}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failures = append(e.failures, [2]string{key, err.Error()})
	e.tick()
	return nil
}

// searchFailed turns the failure of the search every item comes from into
// the run's error.
func (e *exporter) searchFailed(ctx context.Context, endpoint string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if reason, fatal := fatalReason(e.c, err); fatal {
		return &FatalError{Err: errors.New(reason)}
	}
	return &FatalError{Err: fmt.Errorf("%s: %w", endpoint, err)}
}

// Export runs an export mapping: it reads the items from the API, writes
// the spreadsheet and files into the output folder, and the run's
// summary.json (and errors.csv when items could not be read). With Since
// "last", only the items changed since the last successful run (less the
// mapping's overlap) are read; rows and files are keyed, so the items read
// again replace their earlier version.
func Export(ctx context.Context, m *ExportMapping, opts ExportOptions) (*ExportSummary, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	start := now()
	sum := &ExportSummary{Mapping: m.File, Export: m.Kind.name}
	if opts.Client == nil {
		return nil, errors.New("export: no API client")
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	unlock, err := files.Lock(opts.OutDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := files.RemoveLeftovers(opts.OutDir); err != nil && opts.Log != nil {
		fmt.Fprintf(opts.Log, "temporary files of an earlier run left in %s: %v\n", opts.OutDir, err)
	}
	// The state and reports are the folder's own files, never links.
	for _, name := range []string{stateDir, filepath.Join(stateDir, stateFile), summaryFile, exportErrFile} {
		if err := files.RefuseLink(filepath.Join(opts.OutDir, name)); err != nil {
			return nil, err
		}
	}
	if err := files.EnsureDir(filepath.Join(opts.OutDir, stateDir)); err != nil {
		return nil, err
	}
	state, err := loadExportState(opts.OutDir)
	if err != nil {
		return nil, err
	}
	e := &exporter{c: opts.Client, m: m, conc: opts.Concurrency,
		dropped: map[string]bool{}, claims: map[string]string{}, progress: opts.Progress}
	if e.conc < 1 {
		e.conc = 8
	}
	// A folder serves one export mapping: its rows, files and state are
	// that mapping's.
	owner, err := filepath.Abs(m.File)
	if err != nil {
		return nil, err
	}
	adopt := state.Owner == ""
	for name := range state.Exports {
		adopt = adopt && name == m.Name
	}
	switch {
	case adopt:
		state.Owner = owner
		if err := files.WriteJSON(filepath.Join(opts.OutDir, stateDir, stateFile), state); err != nil {
			return nil, err
		}
	case state.Owner != owner:
		return nil, &FolderTakenError{Dir: opts.OutDir, Owner: state.Owner}
	}
	mark := state.Exports[m.Name]
	switch opts.Since {
	case "":
	case "last":
		if m.Kind.since == "" {
			return nil, fmt.Errorf("%s: --since: the API cannot tell which %s changed; export them all (without --since)", m.File, m.Kind.name)
		}
		if mark != nil && !mark.LastSuccess.IsZero() {
			e.since = sinceWallClock(mark.LastSuccess.Add(-m.Overlap), m.Location)
		} else if opts.Log != nil {
			fmt.Fprintf(opts.Log, "%s: no earlier successful run in %s: exporting everything\n", m.File, opts.OutDir)
		}
	default:
		if m.Kind.since == "" {
			return nil, fmt.Errorf("%s: --since: the API cannot tell which %s changed; export them all (without --since)", m.File, m.Kind.name)
		}
		t, err := synchroteam.ParseTime(opts.Since)
		if err != nil {
			return nil, fmt.Errorf("--since: %w", err)
		}
		e.since = t
	}
	if !e.since.IsZero() {
		if t, ok := m.Filters.time(m.Kind.since); !ok || t.Before(e.since) {
			sum.Since = e.since.Format(synchroteam.TimeLayout)
		}
	}
	if e.store, err = openRecordStore(opts.OutDir, m.Name); err != nil {
		return nil, err
	}
	defer e.store.close()
	if e.folder, err = writers.OpenFolder(opts.OutDir); err != nil {
		return nil, err
	}
	defer e.folder.Close()

	runErr := m.Kind.fetch(ctx, e)
	if err := e.store.flush(); err != nil && runErr == nil {
		runErr = &FatalError{Err: err}
	}
	switch {
	case errors.Is(runErr, context.Canceled):
		sum.Stopped = "interrupted"
	case runErr != nil:
		sum.Stopped = runErr.Error()
	}

	// Merge: the items read replace their earlier version. A complete full
	// export also drops the items that no longer match.
	complete := runErr == nil && len(e.failures) == 0
	exported := len(e.store.fresh)
	merged, kept, writeErr := e.merge(e.since.IsZero() && complete)
	sum.Kept = kept
	sum.Found, sum.Exported, sum.Failed = e.found, exported, len(e.failures)
	sum.NotRead = max(sum.Found-sum.Exported-sum.Failed, 0)
	if writeErr == nil && m.Spreadsheet != "" && (runErr == nil || exported > 0) {
		sum.Rows, writeErr = e.writeSpreadsheet(merged)
	}
	if writeErr == nil {
		writeErr = e.store.save(merged)
	}
	if err := e.folder.SaveManifest(); err != nil && writeErr == nil {
		writeErr = err
	}
	if err := writeExportErrors(opts.OutDir, e.failures); err != nil && writeErr == nil {
		writeErr = err
	}
	switch {
	case m.Kind.since == "":
		sum.State = "not incremental: the API cannot tell which " + m.Kind.name + " changed"
	case complete && writeErr == nil && opts.Since != "" && opts.Since != "last":
		// --since DATE read nothing before DATE: the mark of what has been
		// read in full stays.
		if mark != nil {
			sum.State = "kept: --since " + opts.Since + " does not move it; the next --since last reads from " + sinceWallClock(mark.LastSuccess.Add(-m.Overlap), m.Location).Format(synchroteam.TimeLayout) + zoneNote(m.Location)
		} else {
			sum.State = "none: --since " + opts.Since + " read only the changes since then, so the next --since last exports everything"
		}
	case complete && writeErr == nil:
		if state.Exports == nil {
			state.Exports = map[string]*exportMark{}
		}
		state.Exports[m.Name] = &exportMark{Mapping: m.File, Export: m.Kind.name, LastSuccess: start.UTC()}
		if err := files.WriteJSON(filepath.Join(opts.OutDir, stateDir, stateFile), state); err != nil {
			writeErr = err
		} else {
			sum.State = "next --since last reads changes from " + sinceWallClock(start.Add(-m.Overlap), m.Location).Format(synchroteam.TimeLayout) + zoneNote(m.Location)
		}
	case mark != nil:
		sum.State = "kept: the next --since last reads again from " + sinceWallClock(mark.LastSuccess.Add(-m.Overlap), m.Location).Format(synchroteam.TimeLayout) + zoneNote(m.Location) + ", as this run did not end cleanly"
	default:
		sum.State = "none: this run did not end cleanly, so the next --since last exports everything"
	}
	sum.FilesWritten, sum.FilesUnchanged = e.filesWritten, e.filesUnchanged
	slices.SortFunc(e.mismatches, func(a, b Mismatch) int {
		if c := compareKeys(strings.ToLower(a.Type)+":"+a.Num, strings.ToLower(b.Type)+":"+b.Num); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	slices.Sort(e.warnings) // items are read concurrently: keep the report stable
	sum.Warnings, sum.TotalMismatches = e.warnings, e.mismatches
	if e.moreWarnings > 0 {
		sum.Warnings = append(sum.Warnings, fmt.Sprintf("… and %d more warnings", e.moreWarnings))
	}
	cnt := opts.Client.Counters()
	sum.Requests, sum.Retries, sum.RateLimited = cnt.Requests, cnt.Retries, cnt.RateLimited
	if q, ok := opts.Client.QuotaRemaining(); ok {
		sum.QuotaRemaining = &q
	}
	sum.DurationSeconds = now().Sub(start).Seconds()
	if err := files.WriteJSON(filepath.Join(opts.OutDir, summaryFile), sum); err != nil && writeErr == nil {
		writeErr = err
	}
	tl := opts.Client.Timeline()
	if err := writeReport(opts.OutDir, exportReport(sum, start, e.failures, &tl)); err != nil && writeErr == nil {
		writeErr = err
	}
	if runErr != nil {
		return sum, runErr
	}
	return sum, writeErr
}

func zoneNote(loc *time.Location) string {
	if loc == nil {
		return " (the account's time, with 14 hours more for any time zone: set timezone: in the mapping)"
	}
	return " (" + loc.String() + ")"
}

// reservedName reports whether a path of the output folder is one of the
// export's own files.
func reservedName(rel string) bool {
	switch strings.ToLower(rel) {
	case summaryFile, exportErrFile, "manifest.json", ReportName, strings.ToLower(files.LockName):
		return true
	}
	first, _, _ := strings.Cut(rel, "/")
	return strings.EqualFold(first, stateDir)
}

// maxZoneOffset is the largest offset of a time zone from UTC (UTC-12 to
// UTC+14).
const maxZoneOffset = 14 * time.Hour

// sinceWallClock is the instant t as the API reads filter dates: the wall
// clock of the account's time zone. When the mapping does not name it,
// the filter starts early enough for any time zone: items read again are
// replaced, never duplicated, while an item missed would be lost.
func sinceWallClock(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		return t.UTC().Add(-maxZoneOffset)
	}
	wall := func(t time.Time) time.Time {
		w := t.In(loc)
		return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC)
	}
	// When the clocks go back soon after t, an edit made after t can
	// bear an earlier wall clock than t's: start from the earliest.
	w := wall(t)
	for _, d := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		if e := wall(t.Add(d)).Add(-d); e.Before(w) {
			w = e
		}
	}
	return w
}

// merge lists the records of the export, sorted by key: those read,
// which replace their earlier version, and those kept from earlier runs
// (counted in kept). A full run (complete, without --since) keeps none:
// it mirrors what matches the filters. The files that the records
// replaced or dropped list and the records kept do not are removed.
func (e *exporter) merge(full bool) (refs []recordRef, kept int, err error) {
	s := e.store
	refs = make([]recordRef, 0, len(s.fresh)+len(s.old))
	for k, at := range s.fresh {
		refs = append(refs, recordRef{key: k, at: at, fresh: true})
	}
	for k, at := range s.old {
		old := recordRef{key: k, at: at}
		var keep []string
		switch r, again := s.fresh[k]; {
		case again:
			// Files the item no longer writes (a photo gone, a name
			// changed) go with its old rows.
			if keep, err = s.files(recordRef{key: k, at: r, fresh: true}); err != nil {
				return nil, 0, err
			}
		case full || e.dropped[k]:
		default:
			refs = append(refs, old)
			kept++
			continue
		}
		files, err := s.files(old)
		if err != nil {
			return nil, 0, err
		}
		e.removeFiles(files, keep)
	}
	return sortedRefs(refs), kept, nil
}

// removeFiles removes the files of old that are not in keep, warning when
// one cannot be removed.
func (e *exporter) removeFiles(old, keep []string) {
	for _, f := range old {
		if slices.Contains(keep, f) || reservedName(f) {
			continue
		}
		if err := e.folder.Remove(f); err != nil {
			e.warn(f)("cannot remove a file the export no longer writes: " + err.Error())
		}
	}
}

// NotExported is the number of items that could not be read.
func (s *ExportSummary) NotExported() int { return s.Failed }

// writeExportErrors writes errors.csv (item, error) when items failed, and
// removes the one of an earlier run otherwise. The file is written
// atomically and never through a symbolic link.
func writeExportErrors(dir string, failures [][2]string) (err error) {
	p := filepath.Join(dir, exportErrFile)
	if len(failures) == 0 {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	sort.Slice(failures, func(i, j int) bool { return compareKeys(failures[i][0], failures[j][0]) < 0 })
	f, err := files.CreateTemp(p)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
			err = files.Wrap(p, err)
		}
	}()
	w := csv.NewWriter(f)
	_ = w.Write([]string{"item", "error"})
	for _, fl := range failures {
		_ = w.Write([]string{fl[0], fl[1]})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := files.Finish(f); err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}

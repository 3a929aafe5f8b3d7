package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"golang.org/x/sync/errgroup"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/synchroteam/catalog"
	"github.com/stbulk/stbulk/writers"
)

// Plan and verify read records back by their keys and compare them with
// the payloads a dry run of the same mappings builds: plan before a load
// (what will it change?), verify after one (did everything land as sent?).

// What reading a row's record back found.
const (
	foundNone      = "create"    // no record has the row's key: a send creates one
	foundDifferent = "update"    // the record differs from the payload
	foundSame      = "unchanged" // the record holds the payload already
	foundUnknown   = "unknown"   // the API cannot read such a record back, or the read failed
)

// readCheck is one row read back.
type readCheck struct {
	row     int
	key     string
	payload Payload
	found   string // foundNone, foundDifferent, foundSame or foundUnknown
	cmp     catalog.Comparison
	reason  string // why found is foundUnknown
}

// readBackChunk is how many rows are read back before their results are
// handed on: memory holds that many payloads, whatever the input's size.
const readBackChunk = 512

// readBack reads back the record of every payload of a dry run's
// payloads.jsonl that pick accepts (every one when pick is nil), conc at a
// time under the client's rate limit, and hands each result to emit, in
// the order of the file. pick may settle a row itself by setting its found
// (and reason): that row is handed on without being read. Authentication
// refused or the API unreachable stop it with a *FatalError; any other
// failure to read one record makes that row foundUnknown.
func readBack(ctx context.Context, c *synchroteam.Client, e *catalog.Entity, payloads string, conc int,
	pick func(*readCheck) bool, emit func(readCheck) error) error {
	f, err := os.Open(payloads)
	if err != nil {
		return err
	}
	defer f.Close()
	lines := bufio.NewReaderSize(f, 64<<10)
	for {
		all, err := readPayloads(lines, payloads, readBackChunk)
		if err != nil {
			return err
		}
		if len(all) == 0 {
			return nil
		}
		chunk := all[:0]
		for _, rc := range all {
			if pick == nil || pick(&rc) {
				chunk = append(chunk, rc)
			}
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(max(conc, 1))
		for i := range chunk {
			if chunk[i].found != "" {
				chunk[i].key = e.Key(chunk[i].payload)
				continue
			}
			g.Go(func() error { return checkOne(gctx, c, e, &chunk[i]) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for _, rc := range chunk {
			if err := emit(rc); err != nil {
				return err
			}
		}
	}
}

// readPayloads reads up to n lines of payloads.jsonl, numbers kept as
// written.
func readPayloads(r *bufio.Reader, name string, n int) ([]readCheck, error) {
	var out []readCheck
	for len(out) < n {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var pl struct {
				Row     int     `json:"_row"`
				Payload Payload `json:"payload"`
			}
			d := json.NewDecoder(bytes.NewReader(line))
			d.UseNumber()
			if derr := d.Decode(&pl); derr != nil {
				return nil, fmt.Errorf("%s: %w", name, derr)
			}
			out = append(out, readCheck{row: pl.Row, payload: pl.Payload})
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkOne reads rc's record back and compares it with rc's payload.
func checkOne(ctx context.Context, c *synchroteam.Client, e *catalog.Entity, rc *readCheck) error {
	rc.key = e.Key(rc.payload)
	rec, err := e.ReadBack(ctx, c, rc.payload)
	switch {
	case err == nil:
		rc.cmp = e.Compare(rc.payload, rec)
		rc.found = foundSame
		if len(rc.cmp.Differences) > 0 {
			rc.found = foundDifferent
		}
	case errors.Is(err, synchroteam.ErrNotFound), errors.Is(err, catalog.ErrNoReadKey) && !e.Keyed(rc.payload):
		// Nothing holds the key, or the row has no key and a send
		// creates a record.
		rc.found = foundNone
	case errors.Is(err, catalog.ErrNoReadBack):
		rc.found, rc.reason = foundUnknown, fmt.Sprintf("the API cannot read %s records back", e.Name)
	case errors.Is(err, synchroteam.ErrUnauthorized), errors.Is(err, synchroteam.ErrForbidden), isUnreachable(err):
		return &FatalError{Err: err}
	case ctx.Err() != nil:
		return ctx.Err()
	default:
		rc.found, rc.reason = foundUnknown, "reading it back failed: "+err.Error()
	}
	return nil
}

// isUnreachable tells whether err says the API cannot be reached at all.
func isUnreachable(err error) bool {
	var ue *synchroteam.UnreachableError
	return errors.As(err, &ue)
}

// reportRows reads the rows of a run's errors or filtered file: their row
// numbers and reasons, in the file's order. A file that does not exist
// holds none.
func reportRows(path string, m *Mapping, each func(row int, reason string) error) error {
	if path == "" {
		return nil
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	src, err := readers.Open(path, m.CSV, m.XLSX)
	if err != nil {
		return err
	}
	defer src.Close()
	rowCol, whyCol := -1, -1
	for i, h := range src.Header() {
		switch h {
		case writers.RowColumn:
			rowCol = i
		case writers.ErrorColumn:
			whyCol = i
		}
	}
	if rowCol < 0 || whyCol < 0 {
		return fmt.Errorf("%s: no %s and %s columns", path, writers.RowColumn, writers.ErrorColumn)
	}
	for {
		r, err := src.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(r.Cells[rowCol])
		if err != nil {
			return fmt.Errorf("%s:%d: %s %q is not a row number", path, r.Num, writers.RowColumn, r.Cells[rowCol])
		}
		if err := each(n, r.Cells[whyCol]); err != nil {
			return err
		}
	}
}

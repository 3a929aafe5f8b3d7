package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
	"github.com/stbulk/stbulk/writers/files"
	"github.com/stbulk/stbulk/writers/htmlreport"
)

// The outcomes of a plan, one for every input row.
const (
	PlanCreate    = foundNone      // no record has its key: it will be created
	PlanUpdate    = foundDifferent // its record differs: it will be updated
	PlanUnchanged = foundSame      // its record already holds what it sends
	PlanUnknown   = foundUnknown   // what it will do cannot be told (no read-back)
	PlanRefused   = "refused"      // invalid: it will not be sent
	PlanLeftOut   = "left out"     // filtered by where:, or a duplicate left out
)

// planOutcomes are the outcomes of a plan, in the order they are shown.
var planOutcomes = []string{PlanCreate, PlanUpdate, PlanUnchanged, PlanUnknown, PlanRefused, PlanLeftOut}

// PlanOptions are the inputs of Plan.
type PlanOptions struct {
	Client      *synchroteam.Client // the API the records are read from; nothing is written to it
	Input       string              // replaces the source of the mapping (one mapping only)
	OutDir      string              // the plan's folder, which exists
	Concurrency int                 // reads in flight (default 8)
	XLSX        bool                // plan.xlsx rather than plan.csv and plan-changes.csv
	Log         io.Writer
}

// PlanSummary is what a plan found, in summary.json's words.
type PlanSummary struct {
	Outcomes map[string]int `json:"outcomes"` // rows by outcome
	Mappings []PlanMapping  `json:"mappings"`
	Files    []string       `json:"files"`   // the plan's workbook: plan.xlsx, or plan.csv and plan-changes.csv
	DryRun   *Summary       `json:"dry_run"` // the dry run the payloads come from
	Requests int64          `json:"requests"`
	Retries  int64          `json:"retries"`
	// RateLimited counts the 429 answers; RateCuts the times they lowered
	// the rate, down to LowestRate requests/s.
	RateLimited int64   `json:"rate_limited"`
	RateCuts    int64   `json:"rate_cuts"`
	LowestRate  float64 `json:"lowest_rate,omitempty"`
}

// PlanFile is the plan's summary in its folder.
const PlanFile = "plan.json"

// PlanMapping is the part of a plan about one mapping file.
type PlanMapping struct {
	Mapping  string         `json:"mapping"`
	Entity   string         `json:"entity"`
	Outcomes map[string]int `json:"outcomes"`
}

// planRow is one input row of a plan.
type planRow struct {
	row     int
	outcome string
	key     string
	changes []changeText
	unread  []string
	reason  string
}

type changeText struct{ field, current, planned string }

// Plan tells what importing maps would change, without changing anything:
// a dry run builds every row's payload, then each record is read back by
// its key (Details, under the client's rate limit, Concurrency at a time)
// and compared with the payload, field by field (catalog.Entity.Compare).
// Every input row gets one outcome: create, update (with the fields that
// change, old and new), unchanged, unknown (the API cannot read such a
// record back: inventory quantities, attachments), refused (with the
// reason), or left out (where:, duplicates). Plan sends no write request.
func Plan(ctx context.Context, maps []*Mapping, opts PlanOptions) (*PlanSummary, error) {
	if opts.Client == nil {
		return nil, errors.New("plan: no API client")
	}
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "building the payloads (a dry run, in %s)\n", opts.OutDir)
	}
	dry, err := Run(ctx, maps, Options{DryRun: true, Input: opts.Input, OutDir: opts.OutDir, Concurrency: opts.Concurrency})
	if err != nil {
		return nil, err
	}
	sum := &PlanSummary{Outcomes: map[string]int{}, DryRun: dry}
	page := htmlreport.Report{Kind: "plan", Started: time.Now()}
	book, err := newPlanBook(opts.OutDir, opts.XLSX)
	if err != nil {
		return nil, err
	}
	defer book.abort()
	for _, ms := range dry.Mappings {
		m := mappingOf(maps, ms.Mapping)
		if m == nil {
			return nil, fmt.Errorf("plan: no mapping %s", ms.Mapping)
		}
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "reading back %s records (%s)\n", m.Entity.Name, m.File)
		}
		rows, err := planMapping(ctx, opts, m, ms)
		if err != nil {
			return nil, err
		}
		pm := PlanMapping{Mapping: ms.Mapping, Entity: ms.Entity, Outcomes: map[string]int{}}
		m.planned = make(map[int]string, len(rows))
		// The page groups the rows refused by reason, and the updates by
		// the fields they change.
		groups := &htmlreport.Grouper{}
		for _, r := range rows {
			switch r.outcome {
			case PlanRefused, PlanUnknown:
				groups.Add(r.row, r.key, r.outcome+": "+r.reason)
			case PlanUpdate:
				for _, c := range r.changes {
					groups.Add(r.row, r.key, "update: "+c.field+" changes")
				}
			}
			switch r.outcome {
			case PlanCreate, PlanUpdate, PlanUnchanged:
				m.planned[r.row] = r.outcome
			}
			pm.Outcomes[r.outcome]++
			sum.Outcomes[r.outcome]++
			if err := book.add(ms.Mapping, r); err != nil {
				return nil, err
			}
		}
		sum.Mappings = append(sum.Mappings, pm)
		hm := htmlreport.Mapping{Name: ms.Mapping, Entity: ms.Entity, Input: ms.Input, ErrorGroups: groups.Groups()}
		for _, o := range planOutcomes {
			hm.Outcomes = append(hm.Outcomes, htmlreport.Outcome{Label: o, Count: pm.Outcomes[o]})
		}
		page.Mappings = append(page.Mappings, hm)
	}
	if sum.Files, err = book.close(); err != nil {
		return nil, err
	}
	cs := opts.Client.Counters()
	sum.Requests, sum.Retries, sum.RateLimited = cs.Requests, cs.Retries, cs.RateLimited
	if ps := opts.Client.Pace(); ps.Cuts > 0 {
		sum.RateCuts, sum.LowestRate = ps.Cuts, ps.Lowest
	}
	if err := files.WriteJSON(filepath.Join(opts.OutDir, PlanFile), sum); err != nil {
		return nil, err
	}
	tl := opts.Client.Timeline()
	page.Duration, page.Requests, page.Retries, page.RateLimited, page.Timeline = time.Since(page.Started), cs.Requests, cs.Retries, cs.RateLimited, timeline(&tl)
	page.RateCuts, page.LowestRate = sum.RateCuts, sum.LowestRate
	if q, ok := opts.Client.QuotaRemaining(); ok {
		page.Quota = &q
	}
	for _, f := range sum.Files {
		if len(page.Mappings) > 0 {
			page.Mappings[0].Files = append(page.Mappings[0].Files, f)
		}
	}
	if err := writeReport(opts.OutDir, page); err != nil {
		return nil, err
	}
	return sum, nil
}

// mappingOf finds the mapping a summary names.
func mappingOf(maps []*Mapping, file string) *Mapping {
	for _, m := range maps {
		if m.File == file {
			return m
		}
	}
	return nil
}

// planMapping gives every row of one mapping its outcome, in row order.
func planMapping(ctx context.Context, opts PlanOptions, m *Mapping, ms MappingSummary) ([]planRow, error) {
	var rows []planRow
	err := readBack(ctx, opts.Client, m.Entity, ms.Payloads, opts.Concurrency, nil, func(rc readCheck) error {
		r := planRow{row: rc.row, outcome: rc.found, key: rc.key, unread: rc.cmp.Unread, reason: rc.reason}
		for _, d := range rc.cmp.Differences {
			r.changes = append(r.changes, changeText{d.Field, d.Found, d.Sent})
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := reportRows(ms.Errors, m, func(row int, why string) error {
		rows = append(rows, planRow{row: row, outcome: PlanRefused, reason: why})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := reportRows(ms.FilteredFile, m, func(row int, why string) error {
		rows = append(rows, planRow{row: row, outcome: PlanLeftOut, reason: why})
		return nil
	}); err != nil {
		return nil, err
	}
	slices.SortStableFunc(rows, func(a, b planRow) int { return cmp.Compare(a.row, b.row) })
	return rows, nil
}

// planBook writes a plan: a sheet with one line per input row, and one
// with one line per field that changes.
type planBook struct {
	rows, changes *writers.Workbook
	rowSheet      *writers.Sheet
	// pending are the lines of the changes sheet, written once the rows
	// sheet is done (a workbook writes its sheets one after the other).
	pending [][]writers.Cell
}

var planColumns = []writers.Column{
	{Header: "mapping"}, {Header: "_row", Kind: writers.KindNumber}, {Header: "outcome"}, {Header: "key"},
	{Header: "changes"}, {Header: "not checked"}, {Header: "reason"},
}

var changeColumns = []writers.Column{
	{Header: "mapping"}, {Header: "_row", Kind: writers.KindNumber}, {Header: "key"},
	{Header: "field"}, {Header: "current"}, {Header: "planned"},
}

func newPlanBook(dir string, xlsx bool) (*planBook, error) {
	b := &planBook{}
	var err error
	if xlsx {
		if b.rows, err = writers.CreateWorkbook(filepath.Join(dir, "plan.xlsx"), writers.TableFormat{}); err != nil {
			return nil, err
		}
		b.changes = b.rows
	} else {
		if b.rows, err = writers.CreateWorkbook(filepath.Join(dir, "plan.csv"), writers.TableFormat{CSV: true}); err != nil {
			return nil, err
		}
		if b.changes, err = writers.CreateWorkbook(filepath.Join(dir, "plan-changes.csv"), writers.TableFormat{CSV: true}); err != nil {
			b.rows.Abort()
			return nil, err
		}
	}
	if b.rowSheet, err = b.rows.Sheet("Plan", planColumns); err != nil {
		b.abort()
		return nil, err
	}
	return b, nil
}

func (b *planBook) add(mapping string, r planRow) error {
	var changes []string
	for _, c := range r.changes {
		changes = append(changes, fmt.Sprintf("%s: %q → %q", c.field, c.current, c.planned))
	}
	if err := b.rowSheet.Write([]writers.Cell{
		writers.TextCell(mapping), writers.NumberCell(float64(r.row)), writers.TextCell(r.outcome), writers.TextCell(r.key),
		writers.TextCell(strings.Join(changes, "; ")), writers.TextCell(strings.Join(r.unread, ", ")), writers.TextCell(r.reason),
	}); err != nil {
		return err
	}
	for _, c := range r.changes {
		b.pending = append(b.pending, []writers.Cell{
			writers.TextCell(mapping), writers.NumberCell(float64(r.row)), writers.TextCell(r.key),
			writers.TextCell(c.field), writers.TextCell(c.current), writers.TextCell(c.planned),
		})
	}
	return nil
}

// close puts the plan's files in place and returns them.
func (b *planBook) close() ([]string, error) {
	// Without any change, the changes sheet still says so, by its header.
	sheet, err := b.changes.Sheet("Changes", changeColumns)
	if err != nil {
		return nil, err
	}
	for _, line := range b.pending {
		if err := sheet.Write(line); err != nil {
			return nil, err
		}
	}
	if err := b.rows.Close(); err != nil {
		return nil, err
	}
	files := b.rows.Files()
	if b.changes != b.rows {
		if err := b.changes.Close(); err != nil {
			return nil, err
		}
		files = append(files, b.changes.Files()...)
	}
	b.rows, b.changes = nil, nil
	return files, nil
}

func (b *planBook) abort() {
	if b.rows != nil {
		b.rows.Abort()
	}
	if b.changes != nil && b.changes != b.rows {
		b.changes.Abort()
	}
}

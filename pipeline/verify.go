package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
	"github.com/stbulk/stbulk/writers/files"
	"github.com/stbulk/stbulk/writers/htmlreport"
)

// VerifyOptions are the inputs of Verify.
type VerifyOptions struct {
	Client      *synchroteam.Client // the API of the run; nothing is written to it
	Concurrency int                 // reads in flight (default 8)
	Log         io.Writer
}

// VerifySummary is what Verify found.
type VerifySummary struct {
	Checked    int    `json:"checked"`    // rows read back and compared
	Mismatched int    `json:"mismatched"` // rows with at least one field not as sent, or no record
	Fields     int    `json:"fields"`     // fields not as sent, in all
	Unknown    int    `json:"unknown"`    // rows that cannot be read back (inventory, attachments) or whose read failed
	File       string `json:"file"`       // verify.csv, in a new folder under the run's verify/
	Requests   int64  `json:"requests"`
}

// VerifyDir is the folder, in a run's folder, of what Verify writes: one
// folder per verification, named after its time.
const VerifyDir = "verify"

// ErrNotVerifiable is a run Verify cannot check as it was: its journal is
// missing, or its input or mapping changed since.
var ErrNotVerifiable = errors.New("cannot verify the run")

// Verify reads back every row a run sent (and every row it found
// unchanged) and compares each field with what was sent, under the rules
// of catalog.Entity.Compare. The payloads are built again from the run's
// mapping files and inputs, which must be as they were (their hashes are
// in the run's journal) and must give each row the payload whose hash the
// journal holds. verify/<time>/verify.csv lists each field not as sent (mapping,
// row, key, field, sent, found), and rows whose record is not there.
func Verify(ctx context.Context, runDir string, opts VerifyOptions) (*VerifySummary, error) {
	if opts.Client == nil {
		return nil, errors.New("verify: no API client")
	}
	rp, err := readJournal(filepath.Join(runDir, JournalName))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s has no %s (is it the folder of an import that sent rows?)", ErrNotVerifiable, runDir, JournalName)
		}
		return nil, fmt.Errorf("%w: %v", ErrNotVerifiable, err)
	}
	if h, d := opts.Client.Host(), opts.Client.Domain(); rp.header.Host != h || rp.header.Domain != d {
		return nil, fmt.Errorf("%w: the run sent to domain %q at %s; these credentials are for %q at %s", ErrNotVerifiable, rp.header.Domain, rp.header.Host, d, h)
	}
	var maps []*Mapping
	for _, jm := range rp.header.Mappings {
		m, err := Load(jm.File)
		if err != nil {
			return nil, err
		}
		m.Source = jm.Input
		maps = append(maps, m)
	}
	srcs := make([]*opened, len(maps))
	for i, m := range maps {
		srcs[i] = &opened{m: m, input: m.Source}
	}
	now, err := journalHeaderFor(srcs, rp.header.Domain, rp.header.Started)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotVerifiable, err)
	}
	now.Host = rp.header.Host
	if why := rp.sameRun(now); why != "" {
		return nil, fmt.Errorf("%w: %s", ErrNotVerifiable, why)
	}
	out, err := files.RunDir(filepath.Join(runDir, VerifyDir), time.Now())
	if err != nil {
		return nil, err
	}
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "building the payloads sent again (a dry run, in %s)\n", out)
	}
	dry, err := Run(ctx, maps, Options{DryRun: true, OutDir: out, Concurrency: opts.Concurrency})
	if err != nil {
		return nil, err
	}
	sum := &VerifySummary{File: filepath.Join(out, "verify.csv")}
	report, err := writers.NewVerifyFile(sum.File)
	if err != nil {
		return nil, err
	}
	defer report.Abort()
	page := htmlreport.Report{Kind: "verify", Started: time.Now()}
	for mi, ms := range dry.Mappings {
		m := mappingOf(maps, ms.Mapping)
		groups := &htmlreport.Grouper{}
		var same, different, unknown int
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "reading back the %s records sent (%s)\n", m.Entity.Name, m.File)
		}
		line := func(rc readCheck, field, sent, found string) error {
			return report.Add(writers.VerifyLine{Mapping: ms.Mapping, Row: rc.row, Key: rc.key, Field: field, Sent: sent, Found: found})
		}
		err := readBack(ctx, opts.Client, m.Entity, ms.Payloads, opts.Concurrency, func(rc *readCheck) bool {
			e, ok := rp.outcomes[[2]int{mi, rc.row}]
			if !ok || (e.O != "sent" && e.O != "unchanged") {
				return false
			}
			if e.H != payloadHash(rc.payload) {
				rc.found, rc.reason = foundUnknown, "the payload built now is not the one the journal says was sent"
			}
			return true
		}, func(rc readCheck) error {
			sum.Checked++
			switch rc.found {
			case foundSame:
				same++
				return nil
			case foundUnknown:
				sum.Unknown++
				unknown++
				groups.Add(rc.row, rc.key, "not checked: "+rc.reason)
				return line(rc, "", "", "not checked: "+rc.reason)
			case foundNone:
				sum.Mismatched++
				sum.Fields++
				different++
				groups.Add(rc.row, rc.key, "the record is not found by its key")
				return line(rc, "(record)", "sent", "not found by its key")
			}
			sum.Mismatched++
			different++
			for _, d := range rc.cmp.Differences {
				sum.Fields++
				groups.Add(rc.row, rc.key, d.Field+" not as sent")
				if err := line(rc, d.Field, d.Sent, d.Found); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		page.Mappings = append(page.Mappings, htmlreport.Mapping{Name: ms.Mapping, Entity: ms.Entity, Input: ms.Input,
			ErrorGroups: groups.Groups(), Outcomes: []htmlreport.Outcome{
				{Label: "as sent", Count: same}, {Label: "not as sent", Count: different}, {Label: "not checkable", Count: unknown}}})
	}
	if err := report.Close(); err != nil {
		return nil, err
	}
	cs := opts.Client.Counters()
	sum.Requests = cs.Requests
	if err := files.WriteJSON(filepath.Join(out, "verify.json"), sum); err != nil {
		return nil, err
	}
	tl := opts.Client.Timeline()
	page.Duration, page.Requests, page.Retries, page.RateLimited, page.Timeline = time.Since(page.Started), cs.Requests, cs.Retries, cs.RateLimited, timeline(&tl)
	if len(page.Mappings) > 0 {
		page.Mappings[0].Files = []string{sum.File}
	}
	if err := writeReport(out, page); err != nil {
		return nil, err
	}
	return sum, nil
}

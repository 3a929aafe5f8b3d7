package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/writers"
	"github.com/stbulk/stbulk/writers/htmlreport"
)

// A report records each row's outcome of one mapping. The collector of a
// run is its only writer.
type report interface {
	record(res result) error
	close() error
	// files names the files it writes in a mapping's summary.
	files(ms *MappingSummary)
}

// openReports opens the report of a mapping: its files in dir, or none for
// a check.
func (r *runner) openReports(dir string, o *opened) (report, error) {
	if r.opts.check {
		return discard{}, nil
	}
	rep, err := openReports(dir, o, r.opts.DryRun)
	if err == nil {
		r.groups = append(r.groups, rep.grouper)
	}
	return rep, err
}

// discard is the report of a check: it writes nothing.
type discard struct{}

func (discard) record(result) error   { return nil }
func (discard) close() error          { return nil }
func (discard) files(*MappingSummary) {}

// reports are the files one mapping's run writes: the errors file (rows
// not sent, with their original columns, _row and _error), the filtered
// file (rows the mapping left out, laid out alike, _error holding the rule
// that left each out), the success file (the rows in Synchroteam as the
// input has them: their columns, _row, _outcome, _key, _id) and, in a dry
// run, the payloads that would be sent.
type reports struct {
	errors   *writers.ErrorsFile
	filtered *writers.ErrorsFile // nil when the mapping leaves no row out
	success  *writers.SuccessFile
	payloads *writers.JSONLines
	planned  map[int]string      // what a plan made just before said of each row sent
	grouper  *htmlreport.Grouper // the rows not sent, by reason, for report.html
	plan     *payloadPlan        // how payloads.jsonl writes the mapping's payloads
	line     []byte              // a payload line being encoded, reused

	errorsPath, filteredPath, successPath, payloadsPath string
}

// leavesOut tells whether a mapping may leave rows out on purpose: it has
// a where: filter, or keeps one row of duplicates (duplicates: first or
// last).
func (m *Mapping) leavesOut() bool { return m.Where != nil || m.Duplicates != DuplicatesError }

func openReports(dir string, o *opened, dry bool) (*reports, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report folder: %w", err)
	}
	// The errors file is in the input's format, so that it can be fixed
	// with the same tool and imported again with the same mapping; so is
	// the filtered file.
	ext := ".csv"
	switch strings.ToLower(filepath.Ext(o.input)) {
	case ".xlsx", ".xlsm":
		ext = ".xlsx"
	}
	rep := &reports{errorsPath: filepath.Join(dir, "errors"+ext), grouper: &htmlreport.Grouper{}}
	// The errors file is laid out as the input was read (delimiter, header
	// row, sheet) so that the same mapping reads it back.
	layout := writers.Layout{HeaderRow: o.m.CSV.HeaderRow, Delimiter: o.m.CSV.Delimiter, Quote: o.m.CSV.Quote}
	if d, ok := o.src.(interface{ Dialect() readers.Dialect }); ok && layout.Delimiter == 0 {
		layout.Delimiter = d.Dialect().Delimiter
	}
	if ext == ".xlsx" {
		layout = writers.Layout{HeaderRow: o.m.XLSX.HeaderRow, Sheet: o.m.XLSX.Sheet, SheetIndex: o.m.XLSX.SheetIndex}
	}
	var err error
	if rep.errors, err = writers.NewErrors(rep.errorsPath, o.header, writers.ReadableWith(layout)); err != nil {
		return nil, err
	}
	if o.m.leavesOut() {
		rep.filteredPath = filepath.Join(dir, "filtered"+ext)
		if ext == ".xlsx" && layout.Sheet == "" && layout.SheetIndex == 0 {
			layout.Sheet = "Filtered"
		}
		if rep.filtered, err = writers.NewErrors(rep.filteredPath, o.header, writers.ReadableWith(layout)); err != nil {
			rep.errors.Close()
			return nil, err
		}
	}
	if dry {
		rep.payloadsPath = filepath.Join(dir, "payloads.jsonl")
		rep.payloads, err = writers.NewJSONLines(rep.payloadsPath)
		rep.plan = newPayloadPlan(o.m)
	} else {
		rep.successPath = filepath.Join(dir, "success.csv")
		rep.success, err = writers.NewSuccess(rep.successPath, o.header)
		rep.planned = o.m.planned
	}
	if err != nil {
		rep.errors.Close()
		if rep.filtered != nil {
			rep.filtered.Close()
		}
		return nil, err
	}
	return rep, nil
}

// payloadLine is one line of payloads.jsonl.
type payloadLine struct {
	Row     int            `json:"_row"`
	Payload map[string]any `json:"payload"`
}

func (rep *reports) files(ms *MappingSummary) {
	ms.Errors, ms.FilteredFile, ms.Success, ms.Payloads = rep.errorsPath, rep.filteredPath, rep.successPath, rep.payloadsPath
}

func (rep *reports) record(res result) error {
	switch res.outcome {
	case Sent:
		if rep.payloads != nil {
			line, err := rep.plan.appendLine(rep.line[:0], res.row.Num, res.payload)
			if err != nil {
				// Add says what cannot be encoded, naming the line.
				return rep.payloads.Add(payloadLine{Row: res.row.Num, Payload: res.payload})
			}
			rep.line = line
			return rep.payloads.AddEncoded(line)
		}
		return rep.success.Add(res.row.Num, res.row.Cells, rep.sentAs(res.row.Num), res.key, res.id)
	case Unchanged:
		if rep.success != nil {
			return rep.success.Add(res.row.Num, res.row.Cells, "unchanged", res.key, res.id)
		}
	case Rejected, Failed, Skipped:
		rep.grouper.Add(res.row.Num, res.key, res.reason)
		return rep.errors.AddTyped(res.row.Num, res.row.Cells, cellTypes(res.row.Kinds), res.reason)
	case Filtered, Duplicate:
		if rep.filtered != nil {
			return rep.filtered.AddTyped(res.row.Num, res.row.Cells, cellTypes(res.row.Kinds), res.reason)
		}
	}
	return nil
}

// sentAs is the _outcome of a row sent: created or updated when a plan
// made just before read its record back, else sent (the API answers both
// with the record's id).
func (rep *reports) sentAs(row int) string {
	switch rep.planned[row] {
	case PlanCreate:
		return "created"
	case PlanUpdate:
		return "updated"
	case PlanUnchanged:
		return "sent unchanged"
	}
	return "sent"
}

func (rep *reports) close() error {
	closers := []interface{ Close() error }{rep.errors}
	if rep.filtered != nil {
		closers = append(closers, rep.filtered)
	}
	if rep.success != nil {
		closers = append(closers, rep.success)
	}
	if rep.payloads != nil {
		closers = append(closers, rep.payloads)
	}
	var first error
	for _, c := range closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// cellTypes are the types an errors file gives cells of the kinds a
// workbook gave them (nil for a CSV input: every cell is text).
func cellTypes(kinds []readers.CellKind) []writers.CellType {
	if kinds == nil {
		return nil
	}
	out := make([]writers.CellType, len(kinds))
	for i, k := range kinds {
		switch k {
		case readers.CellNumber:
			out[i] = writers.CellNumber
		case readers.CellBool:
			out[i] = writers.CellBool
		case readers.CellDate:
			out[i] = writers.CellDate
		case readers.CellDateTime:
			out[i] = writers.CellDateTime
		case readers.CellTime:
			out[i] = writers.CellTime
		default:
			out[i] = writers.CellText
		}
	}
	return out
}

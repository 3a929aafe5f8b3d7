package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/writers"
)

// A report records each row's outcome of one mapping. The collector of a
// run is its only writer.
type report interface {
	record(res result) error
	close() error
	// paths are the files it writes: errors, success and payloads ("" for
	// those it does not write).
	paths() (errors, success, payloads string)
}

// openReports opens the report of a mapping: its files in dir, or none for
// a check.
func (r *runner) openReports(dir string, o *opened) (report, error) {
	if r.opts.check {
		return discard{}, nil
	}
	return openReports(dir, o, r.opts.DryRun)
}

// discard is the report of a check: it writes nothing.
type discard struct{}

func (discard) record(result) error             { return nil }
func (discard) close() error                    { return nil }
func (discard) paths() (string, string, string) { return "", "", "" }

// reports are the files one mapping's run writes: the errors file (rows
// not sent, with their original columns, _row and _error), the success file
// (_row, key, id) and, in a dry run, the payloads that would be sent.
type reports struct {
	errors   *writers.ErrorsFile
	success  *writers.SuccessFile
	payloads *writers.JSONLines

	errorsPath, successPath, payloadsPath string
}

func openReports(dir string, o *opened, dry bool) (*reports, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report folder: %w", err)
	}
	rep := &reports{errorsPath: filepath.Join(dir, "errors.csv")}
	// The errors file is in the input's format, so that it can be fixed
	// with the same tool and imported again with the same mapping.
	switch strings.ToLower(filepath.Ext(o.input)) {
	case ".xlsx", ".xlsm":
		rep.errorsPath = filepath.Join(dir, "errors.xlsx")
	}
	// The errors file is laid out as the input was read (delimiter, header
	// row, sheet) so that the same mapping reads it back.
	layout := writers.Layout{HeaderRow: o.m.CSV.HeaderRow, Delimiter: o.m.CSV.Delimiter, Quote: o.m.CSV.Quote}
	if d, ok := o.src.(interface{ Dialect() readers.Dialect }); ok && layout.Delimiter == 0 {
		layout.Delimiter = d.Dialect().Delimiter
	}
	if strings.HasSuffix(rep.errorsPath, ".xlsx") {
		layout = writers.Layout{HeaderRow: o.m.XLSX.HeaderRow, Sheet: o.m.XLSX.Sheet, SheetIndex: o.m.XLSX.SheetIndex}
	}
	var err error
	if rep.errors, err = writers.NewErrors(rep.errorsPath, o.header, writers.ReadableWith(layout)); err != nil {
		return nil, err
	}
	if dry {
		rep.payloadsPath = filepath.Join(dir, "payloads.jsonl")
		rep.payloads, err = writers.NewJSONLines(rep.payloadsPath)
	} else {
		rep.successPath = filepath.Join(dir, "success.csv")
		rep.success, err = writers.NewSuccess(rep.successPath)
	}
	if err != nil {
		rep.errors.Close()
		return nil, err
	}
	return rep, nil
}

// payloadLine is one line of payloads.jsonl.
type payloadLine struct {
	Row     int            `json:"_row"`
	Payload map[string]any `json:"payload"`
}

func (rep *reports) paths() (string, string, string) {
	return rep.errorsPath, rep.successPath, rep.payloadsPath
}

func (rep *reports) record(res result) error {
	switch res.outcome {
	case Sent:
		if rep.payloads != nil {
			return rep.payloads.Add(payloadLine{Row: res.row.Num, Payload: res.payload})
		}
		return rep.success.Add(res.row.Num, res.key, res.id)
	case Rejected, Failed, Skipped:
		return rep.errors.Add(res.row.Num, res.row.Cells, res.reason)
	}
	return nil
}

func (rep *reports) close() error {
	closers := []interface{ Close() error }{rep.errors}
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

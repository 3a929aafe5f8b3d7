package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/writers"
)

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
	csvOpts := o.m.CSV
	if d, ok := o.src.(interface{ Dialect() readers.Dialect }); ok && csvOpts.Delimiter == 0 {
		csvOpts.Delimiter = d.Dialect().Delimiter
	}
	var err error
	if rep.errors, err = writers.NewErrors(rep.errorsPath, o.header, writers.ReadableWith(csvOpts, o.m.XLSX)); err != nil {
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

func (rep *reports) record(res result) error {
	switch res.outcome {
	case Sent:
		if rep.payloads != nil {
			return rep.payloads.Add(payloadLine{Row: res.row.Num, Payload: res.payload})
		}
		return rep.success.Add(res.row.Num, res.key, res.id)
	case Rejected, Failed, Skipped:
		return rep.errors.Add(res.row, res.reason)
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

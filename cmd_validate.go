package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/pipeline"
)

// shownRows is how many rows that would not be sent validate prints; a
// longer list goes whole to a file.
const shownRows = 20

// defaultRowList is the file validate lists every row that would not be
// sent in, in the current folder, when they are more than it prints and
// --report names none (validate-errors-2.csv, … when it exists).
const defaultRowList = "validate-errors.csv"

func newValidateCmd(std streams) *cobra.Command {
	var input, report string
	cmd := &cobra.Command{
		Use:   "validate MAPPING.yaml [MAPPING.yaml ...]",
		Short: "Check mapping files and their data; send nothing",
		Long: `Check mapping files, import and export ones: every problem is reported at
once as file:line:col. Then each import mapping's source (or the --input file) is opened, its header is
checked against the mapping, and every row is mapped and checked as import
would, without sending anything or writing reports. A mapping without a
source, or whose source is missing, is an error (exit 2).

The first 20 rows that would not be sent are printed as source:row: reason.
When there are more, every one of them is listed in validate-errors.csv in
the current folder (validate-errors-2.csv, … when that file exists), or in
the file --report names: mapping, input, _row, _error.`,
		Example: `  stbulk validate mappings/*.yaml
  stbulk validate mappings/customers.yaml --input legacy.xlsx
  stbulk validate mappings/*.yaml --report bad-rows.csv`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("validate needs at least one mapping file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runValidate(cmd.Context(), args, input, report, std)
		},
	}
	cmd.Flags().StringVar(&input, "input", "", "input file replacing the mapping's source")
	cmd.Flags().StringVar(&report, "report", "", "list every row that would not be sent in this file (.csv or .xlsx, which must not exist): mapping, input, _row, _error")
	return cmd
}

func runValidate(ctx context.Context, args []string, input, report string, std streams) error {
	if input != "" && len(args) > 1 {
		return usagef("--input replaces the source of one mapping file; %d were given", len(args))
	}
	if report != "" {
		if _, err := os.Lstat(report); err == nil {
			return usagef("--report %s: the file exists; name another (a list is never overwritten)", report)
		}
		switch strings.ToLower(filepath.Ext(report)) {
		case ".csv", ".txt", ".tsv", ".xlsx":
		default:
			return usagef("--report %s: name a .csv or .xlsx file", report)
		}
	}
	var imports []string
	var problems pipeline.Problems
	for _, a := range args {
		b, err := os.ReadFile(a)
		if err != nil || !pipeline.IsExport(b) {
			imports = append(imports, a)
			continue
		}
		if input != "" {
			return usagef("--input applies to import mappings; %s is an export mapping", a)
		}
		if _, err := pipeline.ParseExport(a, b); err != nil {
			var ps pipeline.Problems
			if !errors.As(err, &ps) {
				return err
			}
			problems = append(problems, ps...)
			continue
		}
		fmt.Fprintf(std.out, "%s: export mapping valid\n", a)
	}
	maps, err := loadMappings(imports)
	if err != nil {
		var ps pipeline.Problems
		if errors.As(err, &ps) {
			return append(problems, ps...)
		}
		return err
	}
	if len(problems) > 0 {
		return problems
	}
	if len(maps) == 0 {
		return nil
	}
	bad := &badRows{input: input, out: std.out, report: report}
	sum, err := pipeline.Check(ctx, maps, input, bad.add)
	if err == nil && report != "" {
		bad.open() // a list asked for is written even when empty
	}
	if cerr := bad.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if bad.n > shownRows {
		fmt.Fprintf(std.out, "... and %d more\n", bad.n-shownRows)
	}
	listed := ""
	if bad.list != nil && bad.n > 0 {
		listed = bad.list.Path()
		fmt.Fprintf(std.out, "every row that would not be sent is listed in %s\n", listed)
	}
	dups := ""
	if sum.Duplicates > 0 {
		dups = fmt.Sprintf(", duplicates %d", sum.Duplicates)
	}
	fmt.Fprintf(std.out, "%d mapping file(s) valid; rows read %d: valid %d, filtered %d, rejected %d, skipped %d%s\n",
		len(maps), sum.Read, sum.Sent, sum.Filtered, sum.Rejected, sum.Skipped, dups)
	if n := sum.NotSent(); n > 0 {
		return rowsNotSentError{n: n, checked: true, list: listed}
	}
	return nil
}

// badRows prints the first rows that would not be sent and lists them all
// in a file: the one --report names, or once they are more than it prints,
// validate-errors.csv. The file is created at the first row it lists (the
// rows printed before are kept until then), so that a check that cannot
// start leaves none.
type badRows struct {
	input  string // --input, which replaces every mapping's source
	report string // --report
	out    io.Writer
	n      int
	list   *pipeline.RowList
	kept   []badRow
	err    error // the first error writing the list
}

type badRow struct {
	m      *pipeline.Mapping
	src    string
	row    int
	reason string
}

func (b *badRows) add(m *pipeline.Mapping, row int, reason string) {
	b.n++
	src := m.Source
	if b.input != "" {
		src = b.input
	}
	r := badRow{m: m, src: src, row: row, reason: reason}
	if b.n <= shownRows {
		fmt.Fprintf(b.out, "%s:%d: %s\n", src, row, reason)
	}
	if b.list == nil && b.report == "" && b.n <= shownRows {
		b.kept = append(b.kept, r)
		return
	}
	if b.open() {
		b.write(r)
	}
}

// open creates the list, if not yet done, with the rows kept until then;
// false when it cannot be written.
func (b *badRows) open() bool {
	if b.err != nil {
		return false
	}
	if b.list != nil {
		return true
	}
	if b.report != "" {
		b.list, b.err = pipeline.CreateRowList(b.report)
	} else {
		b.list, b.err = createRowList(defaultRowList)
	}
	if b.err != nil {
		return false
	}
	for _, k := range b.kept {
		b.write(k)
	}
	b.kept = nil
	return b.err == nil
}

func (b *badRows) write(r badRow) {
	if b.err == nil {
		b.err = b.list.Add(r.m, r.src, r.row, r.reason)
	}
}

// close completes the list, if one was written; it returns the first error
// writing it.
func (b *badRows) close() error {
	if b.list == nil {
		return b.err
	}
	if err := b.list.Close(); b.err == nil {
		b.err = err
	}
	return b.err
}

// createRowList creates a list named after name in the current folder:
// name, or name-2, name-3… before its extension when it exists.
func createRowList(name string) (*pipeline.RowList, error) {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for n := 1; ; n++ {
		path := name
		if n > 1 {
			path = fmt.Sprintf("%s-%d%s", base, n, ext)
		}
		l, err := pipeline.CreateRowList(path)
		if !errors.Is(err, fs.ErrExist) || n >= 1000 {
			return l, err
		}
	}
}

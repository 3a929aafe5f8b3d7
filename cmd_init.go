package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/pipeline/scaffold"
)

// initOptions are the inputs of stbulk init.
type initOptions struct {
	input  string
	entity string
	sheet  string
	output string // "" writes to stdout
	force  bool
	std    streams
}

func newInitCmd(std streams) *cobra.Command {
	o := &initOptions{std: std}
	cmd := &cobra.Command{
		Use:   "init FILE",
		Short: "Write a mapping file for an input file, from its header and a sample of its rows",
		Long: `Write a mapping file for a CSV or XLSX file, ready for stbulk validate.

The file is read as import reads it: for CSV its encoding and delimiter are
detected; title rows above the header are skipped (the header is the row
that looks most like one, over rows of the same width); in a workbook the
sheet read is the one with the most data, unless --sheet names one. What was
found is written into the mapping (csv: delimiter, encoding, header_row;
xlsx: sheet, header_row), so that import reads the file the same way.

The entity is guessed from the header unless --entity names it (the
runner-up is named in a comment). Columns are matched to the entity's
fields by name, ignoring case, accents and punctuation, and through a table
of synonyms in English, French, Spanish, German, Italian and Portuguese
("N° client", "Société", "Code postal", "PLZ", "Ciudad"...). Each field's
transforms are inferred from up to ` + fmt.Sprint(scaffold.SampleRows) + ` sampled rows (dates and their
layout, decimal commas, yes/no words, list separators, e-mail addresses),
each with its evidence as a comment; the columns left out are listed as
comments with the fields they resemble. The upsert key is always mapped.

The mapping goes to stdout, its source: relative to the current folder, or
with -o to a file, its source: relative to that file's folder. An existing
file is never overwritten without --force (exit 2).`,
		Example: `  stbulk init export.csv -o export.yaml
  stbulk validate export.yaml
  stbulk init clients.csv --entity site -o sites.yaml
  stbulk init catalogue.xlsx --sheet Articles > parts.yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("init needs one input file, got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.input = args[0]
			return runInit(o)
		},
	}
	cmd.Flags().StringVar(&o.entity, "entity", "", "the entity to import (default: guessed from the header)")
	cmd.Flags().StringVar(&o.sheet, "sheet", "", "the workbook's sheet (default: the one with the most data)")
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "the mapping file to write (default: stdout)")
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite the -o file if it exists")
	return cmd
}

func runInit(o *initOptions) error {
	if o.output != "" && !o.force {
		if _, err := os.Stat(o.output); err == nil {
			return usagef("%s exists: give --force to overwrite it", o.output)
		}
	}
	if _, err := os.Stat(o.input); err != nil {
		return usagef("%v", err)
	}
	d, err := scaffold.Make(o.input, scaffold.Options{Entity: o.entity, Sheet: o.sheet})
	if err != nil {
		return usageError{err}
	}
	base := "."
	if o.output != "" {
		base = filepath.Dir(o.output)
	}
	data := d.YAML(sourcePath(base, o.input), o.output)
	if o.output == "" {
		_, err := o.std.out.Write(data)
		return err
	}
	if err := writeNew(o.output, data, o.force); err != nil {
		return err
	}
	fmt.Fprintf(o.std.err, "%s: %s from %s, %d of %d columns mapped; check it with: stbulk validate %s\n",
		o.output, d.Entity.Name, o.input, len(d.Fields), len(d.Table.Header), o.output)
	return nil
}

// sourcePath is the input's path relative to the mapping's folder, with
// forward slashes, or absolute when no relative path leads there.
func sourcePath(base, input string) string {
	absBase, err1 := filepath.Abs(base)
	absIn, err2 := filepath.Abs(input)
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(input)
	}
	rel, err := filepath.Rel(absBase, absIn)
	if err != nil {
		return filepath.ToSlash(absIn)
	}
	return filepath.ToSlash(rel)
}

// writeNew writes the mapping file; without force, a file created
// meanwhile is not overwritten either.
func writeNew(path string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return usagef("%s exists: give --force to overwrite it", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

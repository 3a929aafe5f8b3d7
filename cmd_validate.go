package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/pipeline"
)

func newValidateCmd(std streams) *cobra.Command {
	var input string
	cmd := &cobra.Command{
		Use:   "validate MAPPING.yaml [MAPPING.yaml ...]",
		Short: "Check mapping files and their data; send nothing",
		Long: `Check mapping files, import and export ones: every problem is reported at
once as file:line:col. Then each import mapping's source (or the --input file) is opened, its header is
checked against the mapping, and every row is mapped and checked as import
would, without sending anything or writing reports. A mapping without a
source, or whose source is missing, is an error (exit 2).`,
		Example: `  stbulk validate mappings/*.yaml
  stbulk validate mappings/customers.yaml --input legacy.xlsx`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("validate needs at least one mapping file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if input != "" && len(args) > 1 {
				return usagef("--input replaces the source of one mapping file; %d were given", len(args))
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
			var shown int
			sum, err := pipeline.Check(cmd.Context(), maps, input, func(m *pipeline.Mapping, row int, reason string) {
				if shown++; shown <= 20 {
					src := m.Source
					if input != "" {
						src = input
					}
					fmt.Fprintf(std.out, "%s:%d: %s\n", src, row, reason)
				}
			})
			if err != nil {
				return err
			}
			if shown > 20 {
				fmt.Fprintf(std.out, "... and %d more\n", shown-20)
			}
			dups := ""
			if sum.Duplicates > 0 {
				dups = fmt.Sprintf(", duplicates %d", sum.Duplicates)
			}
			fmt.Fprintf(std.out, "%d mapping file(s) valid; rows read %d: valid %d, filtered %d, rejected %d, skipped %d%s\n",
				len(maps), sum.Read, sum.Sent, sum.Filtered, sum.Rejected, sum.Skipped, dups)
			if n := sum.NotSent(); n > 0 {
				return rowsNotSentError{n}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&input, "input", "", "input file replacing the mapping's source")
	return cmd
}

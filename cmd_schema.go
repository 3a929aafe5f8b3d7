package main

import (
	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/pipeline"
)

func newSchemaCmd(std streams) *cobra.Command {
	var export bool
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of mapping files (for editors)",
		Long: `Print the JSON Schema of import mapping files, or with --export of export
mapping files. Editors with a YAML language server complete and check mapping
files against it: save it and add this first line to a mapping file:

  # yaml-language-server: $schema=./mapping.schema.json`,
		Example: `  stbulk schema > mappings/mapping.schema.json
  stbulk schema --export > mappings/export.schema.json`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			schema := pipeline.Schema
			if export {
				schema = pipeline.ExportSchema
			}
			b, err := schema()
			if err != nil {
				return err
			}
			_, err = std.out.Write(b)
			return err
		},
	}
	cmd.Flags().BoolVar(&export, "export", false, "the schema of export mapping files")
	return cmd
}

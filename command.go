// What the commands share: their output streams, the errors that map to
// exit codes (see exitCode), and reading mapping files.

package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/pipeline"
)

// streams are the command's outputs, injected so tests can read them.
type streams struct {
	out, err io.Writer
	in       io.Reader // answers to questions (import --plan); nil: no one answers
	log      *logOptions
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// rowsNotSentError ends a run that finished with rows not sent, or a
// check that found rows that would not be: exit code 1.
type rowsNotSentError struct {
	n int
	// checked: a check (validate), which sends nothing and writes no
	// errors file; list names the file listing its rows, if it wrote one.
	checked bool
	list    string
}

func (e rowsNotSentError) Error() string {
	switch {
	case !e.checked:
		return fmt.Sprintf("%d row(s) were not sent: see the errors file", e.n)
	case e.list != "":
		return fmt.Sprintf("%d row(s) would not be sent: see %s", e.n, e.list)
	}
	return fmt.Sprintf("%d row(s) would not be sent: listed above", e.n)
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), strings.Join(args, " "))
	}
	return nil
}

// itemsNotExportedError ends an export that finished with items it could
// not read: exit code 1.
type itemsNotExportedError struct{ n int }

func (e itemsNotExportedError) Error() string {
	return fmt.Sprintf("%d item(s) could not be exported: see errors.csv", e.n)
}

func loadMappings(paths []string) ([]*pipeline.Mapping, error) {
	var maps []*pipeline.Mapping
	var all pipeline.Problems
	for _, p := range paths {
		m, err := pipeline.Load(p)
		if err != nil {
			var ps pipeline.Problems
			if errors.As(err, &ps) {
				all = append(all, ps...)
				continue
			}
			return nil, err
		}
		maps = append(maps, m)
	}
	if len(all) > 0 {
		return nil, all
	}
	return maps, nil
}

// Command stbulk moves data in and out of Synchroteam through its REST API.
//
// main only parses the command line and maps results to exit codes; the work
// is done by the packages it calls.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers/files"
)

// Exit codes, the contract scripts and cron jobs rely on.
const (
	exitOK          = 0   // every row succeeded
	exitRowsFailed  = 1   // the run finished, some rows were rejected or failed
	exitUsage       = 2   // usage or mapping-file error: nothing was sent
	exitFatal       = 3   // fatal at run time: authentication refused, API unreachable
	exitInterrupted = 130 // interrupted
)

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs stbulk with args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal, the default behaviour comes back: a second
		// Ctrl-C ends the process at once.
		<-ctx.Done()
		stop()
	}()
	return execute(ctx, args, streams{out: stdout, err: stderr, in: os.Stdin})
}

// execute runs the command line and returns its exit code.
func execute(ctx context.Context, args []string, std streams) int {
	root := newRootCmd(std)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(std.err, "stbulk: interrupted")
	} else {
		fmt.Fprintln(std.err, "stbulk:", err)
	}
	return exitCode(err)
}

// exitCode maps an error to the exit code contract, in one place.
func exitCode(err error) int {
	var ue usageError
	var ps pipeline.Problems
	var rows rowsNotSentError
	var items itemsNotExportedError
	var notAsSent notAsSentError
	var fatal *pipeline.FatalError
	var taken *pipeline.FolderTakenError
	var busy *files.BusyError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.As(err, &ps), errors.As(err, &taken), errors.As(err, &busy):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &fatal):
		return exitFatal
	case errors.As(err, &rows), errors.As(err, &items), errors.As(err, &notAsSent):
		return exitRowsFailed
	default:
		return exitFatal
	}
}

func newRootCmd(std streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "stbulk",
		Short: "Move data in and out of Synchroteam through its REST API",
		Long: `stbulk moves data in and out of Synchroteam, the field-service platform,
through its REST API v2.

Credentials come from the flags of the commands that talk to the API, then
the environment, then a profile of the configuration file (docs/credentials.md):
  SYNCHROTEAM_DOMAIN        your domain identifier (mycompany for mycompany.synchroteam.com)
  SYNCHROTEAM_API_KEY       the API key (Configuration, Authentication Key)
  SYNCHROTEAM_API_KEY_FILE  or a file holding it, readable by its owner only
  SYNCHROTEAM_URL           optional, default ` + synchroteam.DefaultURL + `
  STBULK_PROFILE, STBULK_CONFIG  the profile, and the file (default ~/.config/stbulk/config.yaml)

Progress and logs go to stderr, the summary to stdout. On a terminal, import
and export show a progress bar for each mapping (percent, count, rate,
[elapsed:left]) with plain lines above it; plan and verify, plain lines.
Otherwise (cron, a pipe, a file): log records with a date-time and a level,
text (key=value) or JSON (--log-format, or STBULK_LOG_FORMAT): the start, each
mapping, progress every 5 seconds, each rate cut and pause the API asked for,
the quota left, the requests and retries, and why the run ended. --log-level (or STBULK_LOG_LEVEL) sets the
least level: debug adds each retry; --quiet keeps the warnings and errors
only. The API key is never logged.

Exit codes: 0 success, 1 some rows failed, 2 usage error, 3 fatal, 130 interrupted.`,
		SilenceUsage:               true,
		SilenceErrors:              true,
		Version:                    currentBuild().line(),
		SuggestionsMinimumDistance: 2,
		// A word that is no command is a usage error (exit 2), with the
		// command it is closest to.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q: run stbulk help for the commands", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return usagef("%s", msg)
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	if std.log == nil {
		std.log = &logOptions{}
	}
	addLogFlags(root, std.log)
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return std.log.check(cmd) }
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(std.out)
	root.SetErr(std.err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newImportCmd(std), newPlanCmd(std), newVerifyCmd(std), newExportCmd(std), newValidateCmd(std), newInitCmd(std), newSchemaCmd(std), newSandboxCmd(std), newVersionCmd(std))
	return root
}

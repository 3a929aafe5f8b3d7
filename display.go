package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// display is what import and export show while they run: a progress bar
// on a terminal, a log line every few seconds otherwise (cron), nothing
// with --quiet.
type display struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	quiet bool
	last  time.Time
}

func newDisplay(w io.Writer, quiet bool, unit string) display {
	d := display{w: w, quiet: quiet, last: time.Now()}
	if quiet {
		return d
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		d.bar = progressbar.NewOptions(-1,
			progressbar.OptionSetWriter(w), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
			progressbar.OptionSetItsString(unit), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	return d
}

// logWriter is where the run's log lines go: nowhere with --quiet.
func (d *display) logWriter() io.Writer {
	if d.quiet {
		return nil
	}
	return d.w
}

// due tells whether a log line is due (every 5 seconds).
func (d *display) due() bool {
	if time.Since(d.last) < 5*time.Second {
		return false
	}
	d.last = time.Now()
	return true
}

func (d *display) finish() {
	if d.bar != nil {
		_ = d.bar.Finish()
	}
}

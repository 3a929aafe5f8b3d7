package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// display is what import and export show while they run: on a terminal a
// progress bar (one a mapping: percent, count, rate and time left when the
// total is known, a spinner otherwise) with plain lines above it; otherwise
// (cron, a pipe, a file) slog records, one every 5 seconds for progress;
// with --quiet no progress, and only the warnings and errors.
type display struct {
	mu    sync.Mutex // the bar and the writes to w
	w     io.Writer
	tty   bool // a bar is shown (a terminal, not --quiet)
	quiet bool
	unit  string
	log   *slog.Logger
	red   redactor
	last  time.Time

	bar     *progressbar.ProgressBar
	max     int // the bar's total, -1 when unknown
	desc    string
	read    int  // what the bar shows
	stopped bool // the run stopped: a bar left now stays as it is
}

func newDisplay(std streams, quiet bool, unit string) *display {
	d := &display{w: std.err, quiet: quiet, unit: unit, last: time.Now()}
	if f, ok := std.err.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		d.tty = !quiet
	}
	envSecrets(&d.red)
	d.log = newLogger(std.log, logOut{d}, quiet, d.tty)
	return d
}

// logOut is where the log records go: the bar is cleared first, and the
// secrets removed.
type logOut struct{ d *display }

func (o logOut) Write(p []byte) (int, error) {
	d := o.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bar != nil {
		_ = d.bar.Clear()
	}
	if _, err := d.w.Write(d.red.redact(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// logWriter is where the pipeline's log lines go: records.
func (d *display) logWriter() io.Writer { return &lineLog{d: d} }

// due tells whether a progress record is due (every 5 seconds).
func (d *display) due() bool {
	if time.Since(d.last) < 5*time.Second {
		return false
	}
	d.last = time.Now()
	return true
}

// newBar starts a bar of max items (-1: unknown, a spinner) described by
// desc. Call with d.mu held.
func (d *display) newBar(max int, desc string) {
	d.bar = progressbar.NewOptions(max, d.barOptions(desc, true)...)
	d.max, d.read, d.desc = max, 0, desc
}

func (d *display) barOptions(desc string, rate bool) []progressbar.Option {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(d.w), progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(), progressbar.OptionSetItsString(d.unit),
		progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100 * time.Millisecond),
		// No spinner of its own, drawing from another goroutine: the bar is
		// drawn when told, under d.mu, never in the middle of a log line.
		progressbar.OptionSetSpinnerChangeInterval(0),
	}
	if rate {
		opts = append(opts, progressbar.OptionShowIts())
	}
	return opts
}

// known turns a spinner into a bar of n items, showing what was read. A
// spinner's bar counts nothing but bytes: it is made again (without a
// rate when it is the last frame: the new bar's clock would make it up).
func (d *display) known(n int, last bool) {
	read := d.read
	_ = d.bar.Clear()
	_ = d.bar.Exit()
	d.bar = progressbar.NewOptions(n, d.barOptions(d.desc, !last)...)
	d.max = n
	_ = d.bar.Set(read)
}

// setMax sets the bar's total, kept above what was read while reading.
// Call with d.mu held.
func (d *display) setMax(n int) {
	if n <= 0 || d.bar == nil || n == d.max {
		return
	}
	if d.read >= n {
		n = d.read + 1
	}
	switch {
	case d.max < 0, d.read >= d.max:
		// A spinner, or a bar full already: either draws nothing more.
		d.known(n, false)
	case n != d.max:
		d.max = n
		d.bar.ChangeMax(n)
	}
}

// set shows n items done. Call with d.mu held.
func (d *display) set(n int, desc string) {
	if desc != "" {
		d.desc = desc
		d.bar.Describe(desc)
	}
	d.read = n
	if d.max > 0 && n > d.max {
		// More than the total said: the bar, full, would draw nothing more.
		d.known(n+1, false)
		return
	}
	_ = d.bar.Set(n)
}

// endBar leaves the bar on its own line: at 100 % when complete, as it
// was otherwise. Call with d.mu held.
func (d *display) endBar(complete bool) {
	if d.bar == nil {
		return
	}
	bar := d.bar
	switch {
	case d.read == 0:
		_ = bar.Clear()
	case complete:
		switch {
		case d.max < 0:
			d.known(d.read, true) // draws it finished
		case d.max != d.read:
			bar.ChangeMax(d.read) // draws it finished
		}
		_, _ = io.WriteString(d.w, "\n")
		bar = d.bar
	default:
		_ = bar.Clear()
		_, _ = io.WriteString(d.w, strings.TrimRight(strings.TrimPrefix(bar.String(), "\r"), " ")+"\n")
	}
	_ = bar.Exit()
	d.bar = nil
}

// mappingStarts ends the bar of the mapping before, complete unless the
// run stopped.
func (d *display) mappingStarts() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.endBar(!d.stopped)
}

func (d *display) stopping() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
}

// finish ends the bar: complete when the run read everything.
func (d *display) finish(complete bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.endBar(complete && !d.stopped)
}

// lineLog turns the pipeline's log lines into records: a stop or a
// leftover is a warning, the rest information. On a terminal a mapping
// that starts ends the bar of the one before.
type lineLog struct {
	d   *display
	buf []byte
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		line := string(l.buf[:i])
		l.buf = l.buf[i+1:]
		l.line(line)
	}
	return len(p), nil
}

func (l *lineLog) line(line string) {
	level := slog.LevelInfo
	switch {
	case strings.HasPrefix(line, "stopping: "):
		level = slog.LevelWarn
		l.d.stopping()
	case strings.HasPrefix(line, "temporary files of an earlier run"), strings.HasPrefix(line, "--min-quota:"):
		level = slog.LevelWarn
	case strings.HasPrefix(line, "not importing "):
		// After an interrupt too (which logs no "stopping:"): the bar of
		// the mapping before is left as it was.
		l.d.stopping()
		l.d.mappingStarts()
	case strings.HasPrefix(line, "importing "):
		l.d.mappingStarts()
	}
	l.d.log.Log(context.Background(), level, line)
}

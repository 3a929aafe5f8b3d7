//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/stbulk/stbulk/sandbox"
)

// screenLines is what a terminal shows of out, line by line: a carriage
// return goes back to the start of the line, and what follows writes over
// what was there.
func screenLines(out string) []string {
	var lines []string
	for _, raw := range strings.Split(out, "\n") {
		var line []rune
		col := 0
		for _, r := range raw {
			if r == '\r' {
				col = 0
				continue
			}
			if col < len(line) {
				line[col] = r
			} else {
				line = append(line, r)
			}
			col++
		}
		lines = append(lines, strings.TrimRight(string(line), " "))
	}
	return lines
}

// TestProgressBarOnATerminal runs an import of three mapping files with
// stderr on a pseudo-terminal, and reads what the terminal shows: each
// "importing" line on a line of its own, each mapping's bar left at 100 %
// under it, frames with a percent, a count, a rate and the time left
// ([elapsed:left]) while it ran, and no frame glued to a log line.
func TestProgressBarOnATerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 160}); err != nil {
		t.Fatal(err)
	}
	var screen bytes.Buffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		_, err := io.Copy(&screen, ptmx)
		if err != nil && !errors.Is(err, syscall.EIO) {
			t.Errorf("reading the terminal: %v", err)
		}
	}()

	const domain, key = "acme", "pty-key-0123"
	sb, err := sandbox.Start(sandbox.Config{Domain: domain, APIKey: key}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	t.Setenv("SYNCHROTEAM_URL", sb.URL)
	t.Setenv("SYNCHROTEAM_DOMAIN", domain)
	t.Setenv("SYNCHROTEAM_API_KEY", key)
	t.Setenv(envLogFormat, "")
	t.Setenv(envLogLevel, "")
	dir := t.TempDir()
	var maps []string
	rows := map[string]int{"north": 50, "south": 10, "west": 10}
	for _, name := range []string{"north", "south", "west"} {
		maps = append(maps, writeCustomers(t, dir, name, rows[name]))
	}
	var out bytes.Buffer
	// 50 rows at 20 requests a second: the first bar is drawn for more
	// than 2 seconds, and says how long is left in whole seconds.
	args := append([]string{"import", "--out", filepath.Join(dir, "run"), "--rate", "20", "--concurrency", "2"}, maps...)
	code := execute(context.Background(), args, streams{out: &out, err: tty})
	tty.Close()
	select {
	case <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal was not closed")
	}
	if code != exitOK {
		t.Fatalf("exit code %d\n%s\n%s", code, out.String(), screen.String())
	}
	raw := screen.String()
	lines := screenLines(raw)
	t.Logf("the terminal shows:\n%s", strings.Join(lines, "\n"))

	// While it runs: percent, count, rate, [elapsed:left].
	frame := regexp.MustCompile(`customer: sent \d+, not sent 0 +\d+% \|[^|]*\| \(\d+/50, \d+ rows/s\) \[\d+s:[1-9]\d*s\]`)
	if !frame.MatchString(raw) {
		t.Errorf("no frame with a percent, the count, the rate and the time left in:\n%q", raw)
	}
	full := regexp.MustCompile(`^customer: sent (50|10), not sent 0 +100% \|█+\| \((50/50|10/10), \d+ rows/s\)$`)
	var order []string
	for _, l := range lines {
		switch {
		case strings.Contains(l, "importing customer from"):
			if !strings.HasPrefix(l, "importing customer from") || strings.ContainsAny(l, "%|") {
				t.Errorf("an importing line shares its line with a bar: %q", l)
			}
			order = append(order, "importing "+filepath.Base(strings.Fields(l)[3]))
		case strings.Contains(l, "%"):
			if !full.MatchString(l) {
				t.Errorf("a bar left on the screen is not full, or is glued to something: %q", l)
			}
			order = append(order, "bar")
		}
	}
	want := []string{"importing north.csv", "bar", "importing south.csv", "bar", "importing west.csv", "bar"}
	if strings.Join(order, ", ") != strings.Join(want, ", ") {
		t.Errorf("the terminal shows %v, want %v", order, want)
	}
	if !strings.Contains(out.String(), "read 70: sent 70, filtered 0, rejected 0, failed 0, skipped 0") {
		t.Errorf("stdout:\n%s", out.String())
	}
}

// TestExportBarOnATerminal: an export's bar, on a terminal, ends full with
// the count of the items found, on a line of its own.
func TestExportBarOnATerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	var screen bytes.Buffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		_, _ = io.Copy(&screen, ptmx)
	}()
	t.Setenv(envLogFormat, "")
	t.Setenv(envLogLevel, "")
	dir := t.TempDir()
	var out bytes.Buffer
	args := []string{"export", filepath.Join("mappings", "invoices.yaml"), "--sandbox", "--out", filepath.Join(dir, "out"), "--rate", "30"}
	code := execute(context.Background(), args, streams{out: &out, err: tty})
	tty.Close()
	select {
	case <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal was not closed")
	}
	lines := screenLines(screen.String())
	t.Logf("the terminal shows:\n%s", strings.Join(lines, "\n"))
	if code != exitOK {
		t.Fatalf("exit code %d\n%s", code, out.String())
	}
	full := regexp.MustCompile(`^invoices +100% \|█+\| \(10/10, \d+ invoices/s\)$`)
	bars := 0
	for _, l := range lines {
		if strings.Contains(l, "%") {
			bars++
			if !full.MatchString(l) {
				t.Errorf("the bar left on the screen is not full, or is glued to something: %q", l)
			}
		}
	}
	if bars != 1 {
		t.Errorf("%d bars left on the screen, want 1", bars)
	}
}

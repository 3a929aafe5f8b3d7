// The run's log: slog records on stderr (text or JSON, with a date-time
// and a level) for cron and log files; plain lines above the progress bar
// on a terminal.

package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/stbulk/stbulk/synchroteam"
)

// Environment variables that set the log flags' defaults.
const (
	envLogFormat = "STBULK_LOG_FORMAT"
	envLogLevel  = "STBULK_LOG_LEVEL"
)

// logOptions are the root's --log-format and --log-level.
type logOptions struct {
	format, level string
	// formatSet, levelSet: given by the flag or the environment, not the
	// default (--quiet lowers only a default level; a terminal shows
	// plain lines unless a format was asked for).
	formatSet, levelSet bool
}

func addLogFlags(root *cobra.Command, o *logOptions) {
	pf := root.PersistentFlags()
	pf.StringVar(&o.format, "log-format", envOr(envLogFormat, "text"),
		"log records of import and export on stderr: text (key=value) or json, one a line; env "+envLogFormat)
	pf.StringVar(&o.level, "log-level", envOr(envLogLevel, "info"),
		"least level logged: debug, info, warn or error (with --quiet: warn, unless given); env "+envLogLevel)
}

// check validates the flags once parsed.
func (o *logOptions) check(cmd *cobra.Command) error {
	o.format = strings.ToLower(strings.TrimSpace(o.format))
	switch o.format {
	case "text", "json":
	default:
		return usagef("--log-format %q: use text or json (or set %s to one)", o.format, envLogFormat)
	}
	if _, err := parseLevel(o.level); err != nil {
		return usagef("%v (or set %s to one)", err, envLogLevel)
	}
	o.formatSet = cmd.Flags().Changed("log-format") || os.Getenv(envLogFormat) != ""
	o.levelSet = cmd.Flags().Changed("log-level") || os.Getenv(envLogLevel) != ""
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("--log-level %q: use debug, info, warn or error", s)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// newLogger returns the run's logger, writing through out. quiet lowers a
// default level to warn; plain (a terminal, no format asked for) writes
// plain lines.
func newLogger(o *logOptions, out io.Writer, quiet, plain bool) *slog.Logger {
	if o == nil {
		o = &logOptions{format: "text", level: "info"}
	}
	level, _ := parseLevel(o.level)
	if quiet && !o.levelSet {
		level = slog.LevelWarn
	}
	ho := &slog.HandlerOptions{Level: level}
	switch {
	case plain && !o.formatSet:
		return slog.New(&plainHandler{w: out, level: level})
	case o.format == "json":
		// A duration as Go writes it ("1.5s"), not in nanoseconds.
		ho.ReplaceAttr = func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindDuration {
				return slog.String(a.Key, a.Value.Duration().String())
			}
			return a
		}
		return slog.New(slog.NewJSONHandler(out, ho))
	}
	return slog.New(slog.NewTextHandler(out, ho))
}

// plainHandler writes a record as a person reads it on a terminal: the
// message, then key=value; warnings and errors say so first. An
// informational record with fields (the start, the quota, the requests,
// the end, the progress) is left out: on a terminal the bar and the
// summary on stdout say the same; lines of text ("importing …") and
// every warning and error are written.
type plainHandler struct {
	w     io.Writer
	level slog.Level
	attrs []slog.Attr
}

func (h *plainHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *plainHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn && r.Level >= slog.LevelInfo && (r.NumAttrs() > 0 || len(h.attrs) > 0) {
		return nil
	}
	var b bytes.Buffer
	switch {
	case r.Level >= slog.LevelError:
		b.WriteString("error: ")
	case r.Level >= slog.LevelWarn:
		b.WriteString("warning: ")
	case r.Level < slog.LevelInfo:
		b.WriteString("debug: ")
	}
	b.WriteString(r.Message)
	add := func(a slog.Attr) bool {
		v := a.Value.Resolve().String()
		if strings.ContainsAny(v, " \"=") || v == "" {
			v = strconv.Quote(v)
		}
		fmt.Fprintf(&b, " %s=%s", a.Key, v)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	b.WriteByte('\n')
	_, err := h.w.Write(b.Bytes())
	return err
}

func (h *plainHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &plainHandler{w: h.w, level: h.level, attrs: append(h.attrs[:len(h.attrs):len(h.attrs)], as...)}
}

func (h *plainHandler) WithGroup(string) slog.Handler { return h }

// redactor removes secrets from what is written: the API key (and the
// Basic token made of it) never reach a log line, whatever logged it.
type redactor struct {
	mu      sync.Mutex
	secrets []string
}

// add makes s a secret, and the Basic token of domain:s.
func (r *redactor) add(domain, s string) {
	if len(s) < 4 {
		return // too short to tell from ordinary text
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, s, base64.StdEncoding.EncodeToString([]byte(domain+":"+s)))
}

func (r *redactor) redact(p []byte) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if bytes.Contains(p, []byte(s)) {
			p = bytes.ReplaceAll(p, []byte(s), []byte("[redacted]"))
		}
	}
	return p
}

// envSecrets are the credentials of the environment.
func envSecrets(r *redactor) {
	r.add(os.Getenv(synchroteam.EnvDomain), os.Getenv(synchroteam.EnvAPIKey))
}

package synchroteam

import (
	"context"
	"log/slog"
	"time"
)

// WithLogger makes the client log how it adapts to the server: each rate
// cut and pause after a 429 (warn), the first X-Quota-Remaining it sees
// (info), and each retry with its reason (debug). A nil logger, the
// default, logs nothing. No record ever holds the credentials: only the
// endpoint, never the URL with its query, and errors already redacted.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		c.log = l
		return nil
	}
}

// rateCut is what pace.limited did after a 429.
type rateCut struct {
	cut   bool          // the rate was cut (not the same burst of 429s)
	rate  float64       // the rate now, requests per second
	set   float64       // the rate set
	pause time.Duration // every request waits this long (0: no pause)
}

// logLimited logs a 429 that cut the rate or paused the requests.
func (c *Client) logLimited(endpoint string, retryAfter time.Duration, rc rateCut) {
	if c.log == nil {
		return
	}
	attrs := []slog.Attr{slog.String("endpoint", endpoint), slog.Int("status", 429)}
	if retryAfter > 0 {
		attrs = append(attrs, slog.Duration("retry_after", retryAfter))
	}
	if rc.pause > 0 {
		attrs = append(attrs, slog.Duration("pause", rc.pause.Round(time.Millisecond)))
	}
	if !rc.cut {
		c.log.LogAttrs(context.Background(), slog.LevelDebug, "the API answered 429 again, in the same burst", attrs...)
		return
	}
	attrs = append(attrs, slog.Float64("rate", round1(rc.rate)), slog.Float64("rate_set", round1(rc.set)))
	msg := "the API limited the rate: rate cut"
	if rc.pause > 0 {
		msg = "the API limited the rate: rate cut, every request paused"
	}
	c.log.LogAttrs(context.Background(), slog.LevelWarn, msg, attrs...)
}

// logRetry logs a retry about to wait.
func (c *Client) logRetry(endpoint string, attempt int, wait time.Duration, err error) {
	if c.log == nil || !c.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	c.log.LogAttrs(context.Background(), slog.LevelDebug, "retrying",
		slog.String("endpoint", endpoint), slog.Int("attempt", attempt+1),
		slog.Duration("wait", wait.Round(time.Millisecond)), slog.String("error", err.Error()))
}

// logQuota logs the first quota the server tells.
func (c *Client) logQuota(n int64) {
	if c.log == nil || !c.quotaSeen.CompareAndSwap(false, true) {
		return
	}
	c.log.LogAttrs(context.Background(), slog.LevelInfo, "API quota", slog.Int64("quota_left", n))
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

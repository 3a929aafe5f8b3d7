package synchroteam

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// pace adapts the shared limiter to the server (AIMD): a 429 cuts the
// rate by 30 %, at most once per cutInterval, and pauses every request of
// the client until the server's Retry-After; while requests succeed, the
// rate then goes up by a fiftieth of the rate set each second, back up to
// it. A server that limits
// below the rate set is met at its own pace instead of with a 429 every
// few requests.
type pace struct {
	mu      sync.Mutex
	ceiling float64   // the rate set; 0 until the first request
	lastCut time.Time // when the rate was last cut
	raised  time.Time // when it was last raised
	until   time.Time // no request starts before, after a Retry-After
	cuts    int64
	lowest  float64
}

const (
	cutInterval = time.Second
	maxPause    = 30 * time.Second // a longer Retry-After (a quota spent for the day) is left to the retry policy
	minShare    = 1.0 / 50         // the rate is never cut below this share of the rate set
	raiseShare  = 1.0 / 50         // what each second of successes adds back, as a share of the rate set
	cutFactor   = 0.7
)

func (p *pace) init(l *rate.Limiter) {
	if p.ceiling == 0 {
		p.ceiling = float64(l.Limit())
		p.lowest = p.ceiling
	}
}

// wait holds a request until the pause after a 429 has ended.
func (p *pace) wait(ctx context.Context) error {
	p.mu.Lock()
	d := time.Until(p.until)
	p.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// paused reports whether a pause after a 429 is pending.
func (p *pace) paused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Now().Before(p.until)
}

// limited lowers the rate after a 429 and pauses every request for after.
// It tells what it did.
func (p *pace) limited(l *rate.Limiter, after time.Duration) rateCut {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init(l)
	now := time.Now()
	after = min(after, maxPause)
	var rc rateCut
	if after > 0 && now.Add(after).After(p.until) {
		p.until = now.Add(after)
		rc.pause = after
	}
	rc.set = p.ceiling
	if now.Sub(p.lastCut) < cutInterval {
		rc.rate = float64(l.Limit())
		return rc // the same burst of 429s
	}
	p.lastCut = now
	r := max(float64(l.Limit())*cutFactor, p.ceiling*minShare)
	l.SetLimit(rate.Limit(r))
	p.cuts++
	p.lowest = min(p.lowest, r)
	rc.cut, rc.rate = true, r
	return rc
}

// succeeded raises the rate back toward the rate set.
func (p *pace) succeeded(l *rate.Limiter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init(l)
	now := time.Now()
	if r := float64(l.Limit()); r < p.ceiling && now.Sub(p.raised) >= time.Second && now.Sub(p.lastCut) >= time.Second {
		l.SetLimit(rate.Limit(min(r+p.ceiling*raiseShare, p.ceiling)))
		p.raised = now
	}
}

// PaceStats says how the client's rate was adapted to the server.
type PaceStats struct {
	Cuts   int64   // times a 429 cut the rate
	Lowest float64 // the lowest rate reached, requests per second
	Now    float64 // the rate now
}

// Pace returns how the rate was adapted so far.
func (c *Client) Pace() PaceStats {
	c.pace.mu.Lock()
	defer c.pace.mu.Unlock()
	c.pace.init(c.limiter)
	return PaceStats{Cuts: c.pace.cuts, Lowest: c.pace.lowest, Now: float64(c.limiter.Limit())}
}

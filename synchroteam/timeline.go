package synchroteam

import (
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Timeline is what the client sent over time, for a report to draw:
// bucket i covers [Start+i*Step, Start+(i+1)*Step).
type Timeline struct {
	Start    time.Time     // when the client was made
	Step     time.Duration // the span of a bucket: a second, doubled each time the run outgrew MaxTimelineBuckets
	Requests []int         // HTTP attempts sent in each bucket
	Limited  []int         // 429 answers received in each bucket
	// Cuts are the times a 429 lowered the rate, at most one a bucket:
	// the last of its bucket, whose rate held at the bucket's end.
	Cuts []RateCut
}

// RateCut is a time the client lowered its rate after a 429.
type RateCut struct {
	At   time.Duration // since Timeline.Start
	Rate float64       // the new rate, requests per second
}

// MaxTimelineBuckets bounds a Timeline: two hours of seconds. Past it,
// buckets are merged two by two (the step doubles), so a run of any
// length holds at most this many.
const MaxTimelineBuckets = 7200

// timeline counts the client's requests and 429s per bucket. Its methods
// are safe for concurrent use.
type timeline struct {
	mu       sync.Mutex
	start    time.Time
	step     time.Duration
	requests []int
	limited  []int
	cuts     []RateCut
	seen     int64 // the pace's cuts already recorded
}

// begin sets when the timeline starts: when the client is made.
func (t *timeline) begin(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.start, t.step = now, time.Second
}

// request counts an HTTP attempt sent now.
func (t *timeline) request() { t.requestAt(time.Now()) }

func (t *timeline) requestAt(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests[t.bucket(now)]++
}

// rateLimited counts a 429 answer received now and, when it made p cut the
// rate of l, records the cut with the new rate. Call it after
// pace.limited.
func (t *timeline) rateLimited(p *pace, l *rate.Limiter) {
	p.mu.Lock()
	cuts, at := p.cuts, p.lastCut
	r := float64(l.Limit())
	p.mu.Unlock()
	t.rateLimitedAt(time.Now(), cuts, at, r)
}

// rateLimitedAt counts a 429 answer received at now; cuts is the number of
// cuts the pace made so far, the last at the time at, to the rate r.
func (t *timeline) rateLimitedAt(now time.Time, cuts int64, at time.Time, r float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.limited[t.bucket(now)]++
	if cuts > t.seen {
		t.seen = cuts
		t.cut(at, r)
	}
}

// cut records a rate cut at the time at, keeping one a bucket.
func (t *timeline) cut(at time.Time, r float64) {
	i := t.bucket(at)
	c := RateCut{At: at.Sub(t.start), Rate: r}
	if n := len(t.cuts); n > 0 && int(t.cuts[n-1].At/t.step) == i {
		t.cuts[n-1] = c
		return
	}
	t.cuts = append(t.cuts, c)
}

// bucket returns the index of the bucket of now, growing the buckets to
// hold it and merging them when they would pass MaxTimelineBuckets. A
// time before the start counts in the first bucket. Call it with t.mu
// held.
func (t *timeline) bucket(now time.Time) int {
	if t.start.IsZero() { // a Client not made by NewClient
		t.start, t.step = now, time.Second
	}
	d := max(now.Sub(t.start), 0)
	i := int(d / t.step)
	for i >= MaxTimelineBuckets {
		t.merge()
		i = int(d / t.step)
	}
	if i >= len(t.requests) {
		t.requests = slices.Grow(t.requests, i+1-len(t.requests))[:i+1]
		t.limited = slices.Grow(t.limited, i+1-len(t.limited))[:i+1]
	}
	return i
}

// merge doubles the step: the buckets are added two by two, and the cuts
// kept one a bucket.
func (t *timeline) merge() {
	t.step *= 2
	half := func(b []int) []int {
		for j := range b {
			if j%2 == 0 {
				b[j/2] = b[j]
			} else {
				b[j/2] += b[j]
			}
		}
		n := (len(b) + 1) / 2
		clear(b[n:])
		return b[:n]
	}
	t.requests = half(t.requests)
	t.limited = half(t.limited)
	kept := t.cuts[:0]
	for _, c := range t.cuts {
		if n := len(kept); n > 0 && kept[n-1].At/t.step == c.At/t.step {
			kept[n-1] = c
			continue
		}
		kept = append(kept, c)
	}
	clear(t.cuts[len(kept):])
	t.cuts = kept
}

// Timeline returns a copy of what the client sent so far, per bucket,
// from when it was made until now (the buckets with nothing sent count
// 0).
func (c *Client) Timeline() Timeline {
	t := &c.timeline
	t.mu.Lock()
	defer t.mu.Unlock()
	t.bucket(time.Now())
	return t.snapshot()
}

// snapshot copies the timeline. Call it with t.mu held.
func (t *timeline) snapshot() Timeline {
	return Timeline{
		Start:    t.start,
		Step:     t.step,
		Requests: slices.Clone(t.requests),
		Limited:  slices.Clone(t.limited),
		Cuts:     slices.Clone(t.cuts),
	}
}

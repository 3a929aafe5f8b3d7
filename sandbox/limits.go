package sandbox

import (
	"sync"
	"time"
)

// bucket is a token bucket rate limiter.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

// take spends one token at now. When none is left it reports how long until
// one is available. A nil bucket never limits.
func (b *bucket) take(now time.Time) (time.Duration, bool) {
	if b == nil {
		return 0, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, false
	}
	need := (1 - b.tokens) / b.rate
	return time.Duration(need * float64(time.Second)), true
}

// defaultQuota is the daily quota when Config.DailyQuota is 0.
const defaultQuota = 100000

// refillQuota starts a new quota when the UTC day has changed. quotaMu is held.
func (s *Server) refillQuota(now time.Time) {
	day := now.UTC().Truncate(24 * time.Hour)
	if s.quotaDay.IsZero() {
		s.quotaDay = day
		return
	}
	if day.After(s.quotaDay) {
		s.quotaDay = day
		s.quota = s.cfg.DailyQuota
		if s.quota == 0 {
			s.quota = defaultQuota
		}
	}
}

// spendQuota takes one request from the daily quota, which starts again
// every day at 00:00 UTC. It returns what is left and whether the request
// may go on.
func (s *Server) spendQuota() (int, bool) {
	s.quotaMu.Lock()
	defer s.quotaMu.Unlock()
	s.refillQuota(time.Now())
	if s.quota <= 0 {
		return 0, false
	}
	s.quota--
	return s.quota, true
}

func (s *Server) quotaLeft() int {
	s.quotaMu.Lock()
	defer s.quotaMu.Unlock()
	s.refillQuota(time.Now())
	return s.quota
}

func secondsToMidnight(now time.Time) int {
	next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	return max(1, int(next.Sub(now).Seconds()))
}

func retryAfter(wait time.Duration) int {
	secs := int((wait + time.Second - 1) / time.Second)
	return max(1, secs)
}

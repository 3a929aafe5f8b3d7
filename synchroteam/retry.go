package synchroteam

import (
	"math/rand/v2"
	"net/http"
	"time"
)

// RetryPolicy bounds how a failed request is repeated. The statuses it
// repeats are fixed (see shouldRetryStatus); the policy sets how often and how
// long.
type RetryPolicy struct {
	MaxAttempts int           // attempts in all, the first included
	MaxElapsed  time.Duration // no new attempt once this much time has passed
	BaseDelay   time.Duration // first backoff; doubles with each attempt
	MaxDelay    time.Duration // cap of one backoff (a Retry-After may be longer)
}

// DefaultRetryPolicy: 8 attempts within 5 minutes, backoff from 500 ms to 30 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 8, MaxElapsed: 5 * time.Minute, BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second}
}

// backoff returns the wait before attempt+1: the server's Retry-After when it
// sent one (plus a little jitter so that workers do not return in step),
// otherwise exponential backoff with full jitter.
func (p RetryPolicy) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter + rand.N(retryAfter/10+time.Millisecond)
	}
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// shouldRetryStatus is the one list of statuses that are repeated. 429 is
// handled before it (always repeated, after Retry-After).
//
//	503 Service Unavailable  the server did not take the request: always repeated
//	500 Internal Server Error, 502 Bad Gateway, 504 Gateway Timeout
//	                         the server may have applied the request: repeated
//	                         only when repeating is safe (reads, keyed upserts,
//	                         deletes, "set" operations)
//	400, 401, 403, 404, 405, 406 and every other status: never repeated
func shouldRetryStatus(status int, safe bool) bool {
	switch status {
	case http.StatusServiceUnavailable:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return safe
	}
	return false
}

// ambiguousStatus reports a status after which an unsafe request may or may
// not have been applied.
func ambiguousStatus(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

package synchroteam

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestPaceCutsAndRaises(t *testing.T) {
	t.Parallel()
	l := rate.NewLimiter(40, 1)
	var p pace
	p.limited(l, 0)
	if got := float64(l.Limit()); got != 28 {
		t.Fatalf("after a 429: %v/s, want 28", got)
	}
	p.limited(l, 0) // the same burst: no second cut
	if got := float64(l.Limit()); got != 28 {
		t.Errorf("a second 429 within a second cut again: %v/s", got)
	}
	p.succeeded(l) // within a second of the cut: no raise
	if got := float64(l.Limit()); got != 28 {
		t.Errorf("raised right after the cut: %v/s", got)
	}
	p.lastCut = time.Now().Add(-2 * cutInterval)
	p.limited(l, 0)
	if got := float64(l.Limit()); got < 19.59 || got > 19.61 {
		t.Errorf("a later 429: %v/s, want 19.6", got)
	}
	for range 100 {
		p.lastCut = time.Time{}
		p.limited(l, 0)
	}
	if got := float64(l.Limit()); got != 40*minShare {
		t.Errorf("floor: %v/s, want %v", got, 40*minShare)
	}
	for range 200 {
		p.raised, p.lastCut = time.Time{}, time.Time{} // a second went by
		p.succeeded(l)
	}
	if got := float64(l.Limit()); got != 40 {
		t.Errorf("after many successes: %v/s, want back to 40", got)
	}
	if p.cuts < 3 || p.lowest != 40*minShare {
		t.Errorf("cuts %d, lowest %v", p.cuts, p.lowest)
	}
}

func TestPausePausesEveryRequest(t *testing.T) {
	t.Parallel()
	l := rate.NewLimiter(1000, 1)
	var p pace
	p.limited(l, 300*time.Millisecond)
	start := time.Now()
	if err := p.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("waited %v after a Retry-After of 300ms", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.limited(l, time.Hour) // capped at maxPause, and ends with ctx
	cancel()
	if err := p.wait(ctx); err == nil {
		t.Error("the pause did not end with its context")
	}
}

// TestPaceMeetsAServerBelowTheRate: a server allowing 20 requests/s, a
// client set to 80/s with 8 workers, 60 requests. The 429s bring the
// client's rate down: about 17 meet a 429 (70 did, with the pace left
// alone).
func TestPaceMeetsAServerBelowTheRate(t *testing.T) {
	t.Parallel()
	server := rate.NewLimiter(20, 2)
	var limited atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !server.Allow() {
			limited.Add(1)
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"Message":"Too many requests"}`)
			return
		}
		fmt.Fprint(w, `[]`)
	}))
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL), WithCredentials("acme", "k"), WithRate(80),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 10, MaxElapsed: time.Minute, BaseDelay: 10 * time.Millisecond, MaxDelay: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	const n = 60
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range 8 {
		wg.Go(func() {
			for range jobs {
				if _, err := c.Customers.List(context.Background(), Date{}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	ps := c.Pace()
	t.Logf("%d requests, %d answered 429, %d cuts, lowest %.1f/s, now %.1f/s", c.Counters().Requests, limited.Load(), ps.Cuts, ps.Lowest, ps.Now)
	if ps.Cuts == 0 || ps.Lowest > 40 {
		t.Errorf("the rate was not lowered: %+v", ps)
	}
	if l := limited.Load(); l > n/2 {
		t.Errorf("%d of the requests met a 429: the rate did not come down to the server's", l)
	}
}

// TestPauseHoldsQueuedRequests: after a 429 with Retry-After 2, no request
// reaches the server before the 2 seconds are over, even those already
// given their turn by the limiter.
func TestPauseHoldsQueuedRequests(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var first time.Time
	var early int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		mu.Lock()
		defer mu.Unlock()
		if first.IsZero() {
			first = time.Now()
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"Message":"Too many requests"}`)
			return
		}
		if time.Since(first) < 1900*time.Millisecond {
			early++
		}
		fmt.Fprint(w, `[]`)
	}))
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL), WithCredentials("acme", "k"), WithRate(5),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MaxElapsed: time.Minute, BaseDelay: 10 * time.Millisecond, MaxDelay: 5 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.Customers.List(context.Background(), Date{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if early > 0 {
		t.Errorf("%d requests reached the server during the 2 s pause", early)
	}
}

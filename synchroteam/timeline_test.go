package synchroteam

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// timelineEvent is a request sent, or a 429 received, at an offset from
// the timeline's start; a 429 may come with a cut (cuts > 0: the pace's
// count of cuts after it, the last at cutAt to rate).
type timelineEvent struct {
	at    time.Duration
	is429 bool
	cuts  int64
	cutAt time.Duration
	rate  float64
}

func req(at time.Duration) timelineEvent { return timelineEvent{at: at} }

func limited(at time.Duration, cuts int64, cutAt time.Duration, rate float64) timelineEvent {
	return timelineEvent{at: at, is429: true, cuts: cuts, cutAt: cutAt, rate: rate}
}

func TestTimelineBuckets(t *testing.T) {
	t.Parallel()
	const s = time.Second
	tests := []struct {
		name   string
		events []timelineEvent
		want   Timeline
	}{
		{
			name:   "nothing sent",
			events: nil,
			want:   Timeline{Step: s},
		},
		{
			name: "per second",
			events: []timelineEvent{
				req(100 * time.Millisecond), req(500 * time.Millisecond), req(1200 * time.Millisecond),
				limited(1300*time.Millisecond, 1, 1300*time.Millisecond, 3.5),
				req(3900 * time.Millisecond),
			},
			want: Timeline{Step: s, Requests: []int{2, 1, 0, 1}, Limited: []int{0, 1, 0, 0},
				Cuts: []RateCut{{At: 1300 * time.Millisecond, Rate: 3.5}}},
		},
		{
			name: "a 429 without a new cut records none",
			events: []timelineEvent{
				req(0), limited(200*time.Millisecond, 1, 200*time.Millisecond, 3.5),
				req(300 * time.Millisecond), limited(400*time.Millisecond, 1, 200*time.Millisecond, 3.5),
				req(2 * s), limited(2100*time.Millisecond, 2, 2100*time.Millisecond, 2.45),
			},
			want: Timeline{Step: s, Requests: []int{2, 0, 1}, Limited: []int{2, 0, 1},
				Cuts: []RateCut{{At: 200 * time.Millisecond, Rate: 3.5}, {At: 2100 * time.Millisecond, Rate: 2.45}}},
		},
		{
			name: "two cuts in a bucket keep the last",
			events: []timelineEvent{
				limited(5100*time.Millisecond, 1, 5100*time.Millisecond, 7),
				limited(5800*time.Millisecond, 2, 5800*time.Millisecond, 4.9),
			},
			want: Timeline{Step: s, Requests: make([]int, 6), Limited: []int{0, 0, 0, 0, 0, 2},
				Cuts: []RateCut{{At: 5800 * time.Millisecond, Rate: 4.9}}},
		},
		{
			name:   "a time before the start counts in the first bucket",
			events: []timelineEvent{req(-3 * s), req(0)},
			want:   Timeline{Step: s, Requests: []int{2}, Limited: []int{0}},
		},
		{
			name: "past two hours the buckets merge two by two",
			events: []timelineEvent{
				req(0), req(s), limited(10*s, 1, 10*s, 7), limited(11*s, 2, 11*s, 4.9), limited(12*s, 3, 12*s, 3.43),
				req(7199 * s), req(7200 * s),
			},
			want: func() Timeline {
				tl := Timeline{Step: 2 * s, Requests: make([]int, 3601), Limited: make([]int, 3601),
					Cuts: []RateCut{{At: 11 * s, Rate: 4.9}, {At: 12 * s, Rate: 3.43}}}
				tl.Requests[0], tl.Requests[3599], tl.Requests[3600] = 2, 1, 1
				tl.Limited[5], tl.Limited[6] = 2, 1
				return tl
			}(),
		},
	}
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var tl timeline
			tl.begin(start)
			for _, e := range tc.events {
				if e.is429 {
					tl.rateLimitedAt(start.Add(e.at), e.cuts, start.Add(e.cutAt), e.rate)
				} else {
					tl.requestAt(start.Add(e.at))
				}
			}
			got := tl.snapshot()
			tc.want.Start = start
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("timeline (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTimelineStaysBounded: a week of one request every 7 seconds keeps
// at most MaxTimelineBuckets buckets, and every request.
func TestTimelineStaysBounded(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var tl timeline
	tl.begin(start)
	const week = 7 * 24 * time.Hour
	n := 0
	for d := time.Duration(0); d < week; d += 7 * time.Second {
		tl.requestAt(start.Add(d))
		if n%1000 == 0 {
			tl.rateLimitedAt(start.Add(d), int64(n/1000+1), start.Add(d), 1)
		}
		n++
	}
	got := tl.snapshot()
	if len(got.Requests) > MaxTimelineBuckets || len(got.Limited) != len(got.Requests) || len(got.Cuts) > len(got.Requests) {
		t.Errorf("%d request buckets, %d 429 buckets, %d cuts: more than %d", len(got.Requests), len(got.Limited), len(got.Cuts), MaxTimelineBuckets)
	}
	if want := 128 * time.Second; got.Step != want { // a week is 604800 s: 7200 buckets of 128 s hold 921600 s
		t.Errorf("step %v, want %v", got.Step, want)
	}
	sum := 0
	for _, r := range got.Requests {
		sum += r
	}
	if sum != n {
		t.Errorf("%d requests counted, %d sent", sum, n)
	}
	for i, c := range got.Cuts {
		if i > 0 && c.At/got.Step == got.Cuts[i-1].At/got.Step {
			t.Errorf("cuts %d and %d are in one bucket: %v, %v", i-1, i, got.Cuts[i-1].At, c.At)
		}
	}
}

// TestTimelineCountsRequests: a client set to 10 requests/s against a
// server answering from a script: each 429 (Retry-After: 1) is counted
// in the bucket of when it came, with the cut it made (7/s, then 4.9/s),
// and every attempt in the bucket of when it was sent.
func TestTimelineCountsRequests(t *testing.T) {
	t.Parallel()
	const tooMany = `{"Message":"API calls quota exceeded! maximum admitted 10 per Second."}`
	tests := []struct {
		name     string
		statuses []int // the answers, in order
		cuts     []float64
	}{
		{name: "no 429", statuses: []int{200, 200, 200}},
		{name: "a 429 then 200", statuses: []int{429, 200}, cuts: []float64{7}},
		{name: "two 429s then 200", statuses: []int{429, 429, 200}, cuts: []float64{7, 4.9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var answered []time.Time // when each answer was written
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				i := len(answered)
				answered = append(answered, time.Now())
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				if i < len(tc.statuses) && tc.statuses[i] == http.StatusTooManyRequests {
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(http.StatusTooManyRequests)
					fmt.Fprint(w, tooMany)
					return
				}
				fmt.Fprint(w, `[{"id":1,"name":"Hôtel Lumière","myId":"C-1"}]`)
			}))
			defer srv.Close()
			c, err := NewClient(WithBaseURL(srv.URL), WithCredentials(testDomain, testKey), WithRate(10),
				WithRetryPolicy(RetryPolicy{MaxAttempts: 5, MaxElapsed: time.Minute, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}))
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			for _, st := range tc.statuses {
				if st == http.StatusOK {
					calls++
				}
			}
			for range calls {
				if _, err := c.Customers.List(context.Background(), Date{}); err != nil {
					t.Fatal(err)
				}
			}
			got := c.Timeline()
			if got.Step != time.Second {
				t.Errorf("step %v, want 1s", got.Step)
			}
			if want := int(time.Since(got.Start) / time.Second); len(got.Requests) < want || len(got.Limited) != len(got.Requests) {
				t.Errorf("%d and %d buckets, want %d each at least: until now", len(got.Requests), len(got.Limited), want)
			}
			// The bucket of each answer, from the server's clock: an
			// attempt is counted just before the server sees it, a 429
			// just after it was written.
			const slack = 250 * time.Millisecond
			var sentIn, limitedIn []int
			for i, n := range got.Requests {
				for range n {
					sentIn = append(sentIn, i)
				}
			}
			for i, n := range got.Limited {
				for range n {
					limitedIn = append(limitedIn, i)
				}
			}
			if len(sentIn) != len(tc.statuses) {
				t.Fatalf("%d requests counted %v, want %d", len(sentIn), got.Requests, len(tc.statuses))
			}
			bucket := func(at time.Time) int { return int(at.Sub(got.Start) / time.Second) }
			k := 0
			for i, st := range tc.statuses {
				at := answered[i]
				if b := sentIn[i]; b < bucket(at.Add(-slack)) || b > bucket(at) {
					t.Errorf("request %d counted in bucket %d, answered %v after the start", i+1, b, at.Sub(got.Start))
				}
				if st != http.StatusTooManyRequests {
					continue
				}
				if k >= len(limitedIn) {
					t.Errorf("429 %d not counted: %v", k+1, got.Limited)
					continue
				}
				if b := limitedIn[k]; b < bucket(at) || b > bucket(at.Add(slack)) {
					t.Errorf("429 %d counted in bucket %d, written %v after the start", k+1, b, at.Sub(got.Start))
				}
				if k < len(got.Cuts) {
					if c := got.Cuts[k]; c.At < at.Sub(got.Start) || c.At > at.Sub(got.Start)+slack {
						t.Errorf("cut %d at %v, its 429 written at %v", k+1, c.At, at.Sub(got.Start))
					}
				}
				k++
			}
			if k != len(limitedIn) {
				t.Errorf("%d 429s counted %v, %d answered", len(limitedIn), got.Limited, k)
			}
			var rates []float64
			for _, c := range got.Cuts {
				rates = append(rates, c.Rate)
			}
			if diff := cmp.Diff(tc.cuts, rates, cmpopts.EquateEmpty(), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("rates after the cuts (-want +got):\n%s", diff)
			}
			if cn := c.Counters(); cn.Requests != int64(len(tc.statuses)) || cn.RateLimited != int64(len(limitedIn)) {
				t.Errorf("counters %+v, timeline %d requests and %d 429s", cn, len(sentIn), len(limitedIn))
			}
		})
	}
}

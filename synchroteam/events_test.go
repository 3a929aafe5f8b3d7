package synchroteam

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoggerRecordsRateCutsQuotaAndRetries: a 429 with Retry-After is a
// warn record naming the endpoint, the pause and the new rate; the first
// X-Quota-Remaining an info record; the retry a debug record. No record
// holds the key.
func TestLoggerRecordsRateCutsQuotaAndRetries(t *testing.T) {
	t.Parallel()
	const key = "s3cr3t-k3y-for-logs"
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Quota-Remaining", fmt.Sprint(1000-n.Load()))
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"Message":"Too many requests"}`)
			return
		}
		fmt.Fprint(w, `[]`)
	}))
	defer srv.Close()
	var mu sync.Mutex
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := NewClient(WithBaseURL(srv.URL), WithCredentials("acme", key), WithRate(50), WithLogger(log),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MaxElapsed: time.Minute, BaseDelay: 10 * time.Millisecond, MaxDelay: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.Customers.List(context.Background(), Date{}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if strings.Contains(out, key) {
		t.Fatalf("the key is in the log:\n%s", out)
	}
	var cut, quota, retry bool
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON record: %q", line)
		}
		switch {
		case strings.Contains(rec["msg"].(string), "rate cut"):
			cut = rec["level"] == "WARN" && rec["endpoint"] != "" && rec["rate"].(float64) == 35 && rec["pause"] != nil
		case rec["msg"] == "API quota":
			quota = rec["level"] == "INFO" && rec["quota_left"].(float64) == 1000
		case rec["msg"] == "retrying":
			retry = rec["level"] == "DEBUG" && rec["attempt"].(float64) == 2
		}
	}
	if !cut || !quota || !retry {
		t.Errorf("rate cut %v, quota %v, retry %v; the log:\n%s", cut, quota, retry, out)
	}
	if n := strings.Count(out, `"msg":"API quota"`); n != 1 {
		t.Errorf("the quota was logged %d times, want once", n)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

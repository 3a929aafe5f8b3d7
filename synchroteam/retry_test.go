package synchroteam

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"
)

// scripted answers the nth request with steps[n] (the last step repeats) and
// records every request it receives, body included.
type scripted struct {
	mu    sync.Mutex
	steps []http.HandlerFunc
	seen  []seenRequest
}

type seenRequest struct {
	at   time.Time
	body string
}

func script(steps ...http.HandlerFunc) *scripted { return &scripted{steps: steps} }

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // read first: a hang-up must come after the whole request
	s.mu.Lock()
	n := len(s.seen)
	s.seen = append(s.seen, seenRequest{at: time.Now(), body: string(body)})
	step := s.steps[min(n, len(s.steps)-1)]
	s.mu.Unlock()
	step(w, r)
}

func (s *scripted) requests() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.seen...)
}

func (s *scripted) count() int { return len(s.requests()) }

// status answers with a status and a body.
func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { answer(w, code, body) }
}

// tooMany answers 429 with a Retry-After.
func tooMany(retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		answer(w, http.StatusTooManyRequests, `{"Message":"API calls quota exceeded! maximum admitted 5 per Second."}`)
	}
}

// hangUp closes the connection after the whole request was read, without an
// answer; with reset, the close sends a TCP reset.
func hangUp(reset bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if tc, ok := conn.(*net.TCPConn); ok && reset {
			tc.SetLinger(0)
		}
		conn.Close()
	}
}

// stall answers nothing until the client gives up.
func stall(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

const (
	customerJSON = `{"id": 35604, "myId": "sCustomer08", "name": "Sample Customer"}`
	createdJSON  = `{"code": 35642, "message": ""}`
)

// calls the retry tests make: a read, a keyed create and an unkeyed create.
var (
	getCustomer = func(ctx context.Context, c *Client) error {
		return second(c.Customers.Get(ctx, ByMyID("sCustomer08")))
	}
	keyedCreate = func(ctx context.Context, c *Client) error {
		return second(c.Customers.Send(ctx, &Customer{MyID: "sCustomer08", Name: "Sample Customer"}))
	}
	unkeyedCreate = func(ctx context.Context, c *Client) error {
		return second(c.Customers.Send(ctx, &Customer{Name: "Sample Customer"}))
	}
)

func TestRetryAfterSeconds(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	s := script(tooMany("0.03"), status(200, customerJSON))
	mux.Handle("GET /Api/v2/Customer/Details", s)
	if err := getCustomer(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	seen := s.requests()
	if len(seen) != 2 {
		t.Fatalf("%d requests, want 2", len(seen))
	}
	// The backoff of the policy is 1-2 ms: only Retry-After makes it 30 ms.
	if gap := seen[1].at.Sub(seen[0].at); gap < 30*time.Millisecond {
		t.Errorf("retried after %v, before the Retry-After of 30ms", gap)
	}
	if diff := cmp.Diff(Counters{Requests: 2, Retries: 1, RateLimited: 1}, c.Counters()); diff != "" {
		t.Errorf("Counters (-want +got):\n%s", diff)
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var (
		mu       sync.Mutex
		notUntil time.Time
	)
	s := script(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		notUntil = time.Now().Add(time.Second).Truncate(time.Second)
		date := notUntil.UTC().Format(http.TimeFormat)
		mu.Unlock()
		tooMany(date)(w, r)
	}, status(200, customerJSON))
	mux.Handle("GET /Api/v2/Customer/Details", s)
	if err := getCustomer(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	seen := s.requests()
	if len(seen) != 2 {
		t.Fatalf("%d requests, want 2", len(seen))
	}
	mu.Lock()
	defer mu.Unlock()
	if seen[1].at.Round(0).Before(notUntil) {
		t.Errorf("retried at %v, before the Retry-After date %v", seen[1].at, notUntil)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"120", 2 * time.Minute},
		{" 1 ", time.Second},
		{"0.5", 500 * time.Millisecond},
		{"0", 0},
		{"-5", 0},
		{"", 0},
		{"soon", 0},
		{"1e9", 24 * time.Hour},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"Fri, 27 Nov 2026 03:00:30 GMT", 30 * time.Second},
		{"Friday, 27-Nov-26 03:00:30 GMT", 30 * time.Second}, // RFC 850
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 10, MaxElapsed: time.Hour, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	tests := []struct {
		attempt    int
		retryAfter time.Duration
		lo, hi     time.Duration // inclusive
	}{
		{1, 0, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 0, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 0, 200 * time.Millisecond, 400 * time.Millisecond},
		{5, 0, 500 * time.Millisecond, time.Second}, // capped by MaxDelay
		{50, 0, 500 * time.Millisecond, time.Second},
		{1, 5 * time.Second, 5 * time.Second, 5*time.Second + 500*time.Millisecond + time.Millisecond}, // Retry-After beats MaxDelay
	}
	for _, tt := range tests {
		for range 200 {
			if d := p.backoff(tt.attempt, tt.retryAfter); d < tt.lo || d > tt.hi {
				t.Fatalf("backoff(%d, %v) = %v, want within [%v, %v]", tt.attempt, tt.retryAfter, d, tt.lo, tt.hi)
			}
		}
	}
	if d := (RetryPolicy{MaxAttempts: 2}).backoff(1, 0); d != 0 {
		t.Errorf("backoff without delays = %v, want 0", d)
	}
}

func TestShouldRetryStatus(t *testing.T) {
	t.Parallel()
	for _, code := range []int{400, 401, 403, 404, 405, 406, 409, 422, 501} {
		if shouldRetryStatus(code, true) || shouldRetryStatus(code, false) {
			t.Errorf("status %d is retried", code)
		}
	}
	if !shouldRetryStatus(503, false) || !shouldRetryStatus(503, true) {
		t.Error("503 is not always retried")
	}
	for _, code := range []int{500, 502, 504} {
		if !shouldRetryStatus(code, true) || shouldRetryStatus(code, false) {
			t.Errorf("status %d: want retried only when safe", code)
		}
	}
}

// Failures the server did not apply, or that are safe to repeat, are retried
// and the retry sends the same body.
func TestRetriedThenSuccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		pattern     string
		first       http.HandlerFunc
		success     string
		call        func(ctx context.Context, c *Client) error
		wantLimited int64
	}{
		{"503 on an unkeyed create", "POST /Api/v2/Customer/Send", status(503, `{"Message":"maintenance"}`), createdJSON, unkeyedCreate, 0},
		{"429 on an unkeyed create", "POST /Api/v2/Customer/Send", tooMany("0.001"), createdJSON, unkeyedCreate, 1},
		{"429 without Retry-After", "GET /Api/v2/Customer/Details", tooMany(""), customerJSON, getCustomer, 1},
		{"500 on a GET", "GET /Api/v2/Customer/Details", status(500, `{"Message":"An error has occurred."}`), customerJSON, getCustomer, 0},
		{"502 on a keyed create", "POST /Api/v2/Customer/Send", status(502, "<html>Bad Gateway</html>"), createdJSON, keyedCreate, 0},
		{"504 on a delete", "DELETE /Api/v2/Customer/Delete", status(504, ""), `{"code": 1}`,
			func(ctx context.Context, c *Client) error {
				return second(c.Customers.Delete(ctx, ByMyID("sCustomer08")))
			}, 0},
		{"500 on an invoice replace", "POST /Api/v2/Invoices/Send", status(500, ""), `{"code": 1, "data": {"num": 132, "numberLines": 1}}`,
			func(ctx context.Context, c *Client) error {
				return second(c.Invoices.Send(ctx, &InvoiceSend{Type: "invoice", Action: "replace", Num: "132"}))
			}, 0},
		{"500 on a search", "POST /Api/v2/Jobs/Search", status(500, ""), `[]`,
			func(ctx context.Context, c *Client) error { return second(c.Jobs.Search(ctx, &JobSearch{MyID: "x"})) }, 0},
		{"500 on Part/Prices", "PUT /Api/v2/Part/Prices", status(500, ""), `{"code": 1}`,
			func(ctx context.Context, c *Client) error {
				return c.Parts.SetPrices(ctx, []PartPrice{{Reference: "p11", Price: NewNumber(1)}})
			}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			s := script(tt.first, status(200, tt.success))
			mux.Handle(tt.pattern, s)
			if err := tt.call(context.Background(), c); err != nil {
				t.Fatalf("error: %v", err)
			}
			seen := s.requests()
			if len(seen) != 2 {
				t.Fatalf("%d requests, want 2", len(seen))
			}
			if seen[0].body != seen[1].body {
				t.Errorf("the retry sent %q, the first attempt %q", seen[1].body, seen[0].body)
			}
			if diff := cmp.Diff(Counters{Requests: 2, Retries: 1, RateLimited: tt.wantLimited}, c.Counters()); diff != "" {
				t.Errorf("Counters (-want +got):\n%s", diff)
			}
		})
	}
}

// A server error on a request that is not safe to repeat may have been
// applied: it is reported, not repeated.
func TestAmbiguousStatusNotRetried(t *testing.T) {
	t.Parallel()
	unsafe := []struct {
		name    string
		pattern string
		call    func(ctx context.Context, c *Client) error
	}{
		{"unkeyed customer", "POST /Api/v2/Customer/Send", unkeyedCreate},
		{"unkeyed job", "POST /Api/v2/Jobs/Send", func(ctx context.Context, c *Client) error {
			return second(c.Jobs.Send(ctx, &Job{Description: "new job"}))
		}},
		{"invoice add", "POST /Api/v2/Invoices/Send", func(ctx context.Context, c *Client) error {
			return second(c.Invoices.Send(ctx, &InvoiceSend{Type: "invoice", Action: "add", Num: "132"}))
		}},
		{"attachment", "POST /Api/v2/Attachments/Send", func(ctx context.Context, c *Client) error {
			return second(c.Attachments.Send(ctx, &AttachmentSend{Job: &JobRef{ID: "1"}, FileName: "a", FileData: []byte("a")}))
		}},
		{"stock request completion", "PUT /Api/v2/StockRequest/Complete", func(ctx context.Context, c *Client) error {
			return second(c.StockRequests.Complete(ctx, &StockRequestCompletion{ID: "1C9035A3"}))
		}},
	}
	for _, code := range []int{500, 502, 504} {
		for _, u := range unsafe {
			t.Run(strconv.Itoa(code)+" "+u.name, func(t *testing.T) {
				t.Parallel()
				c, mux := setup(t)
				s := script(status(code, `{"Message":"An error has occurred."}`), status(200, createdJSON))
				mux.Handle(u.pattern, s)
				err := u.call(context.Background(), c)
				var oe *OutcomeUnknownError
				if !errors.As(err, &oe) {
					t.Fatalf("error = %v (%T), want *OutcomeUnknownError", err, err)
				}
				if !errors.Is(err, ErrOutcome) || !errors.Is(err, ErrServer) {
					t.Errorf("errors.Is(ErrOutcome) = %v, errors.Is(ErrServer) = %v", errors.Is(err, ErrOutcome), errors.Is(err, ErrServer))
				}
				var e *Error
				if !errors.As(err, &e) || e.StatusCode != code || e.Message != "An error has occurred." {
					t.Errorf("wrapped *Error = %+v", e)
				}
				if n := s.count(); n != 1 {
					t.Errorf("%d requests reached the server, want exactly 1", n)
				}
				if got := c.Counters(); got.Retries != 0 {
					t.Errorf("Counters = %+v, want no retry", got)
				}
			})
		}
	}
}

// Client errors are answers: never repeated, never "outcome unknown".
func TestClientErrorsNotRetried(t *testing.T) {
	t.Parallel()
	calls := []struct {
		name    string
		pattern string
		call    func(ctx context.Context, c *Client) error
	}{
		{"read", "GET /Api/v2/Customer/Details", getCustomer},
		{"keyed create", "POST /Api/v2/Customer/Send", keyedCreate},
		{"unkeyed create", "POST /Api/v2/Customer/Send", unkeyedCreate},
	}
	for _, code := range []int{400, 401, 403, 404, 405, 406} {
		for _, cl := range calls {
			t.Run(strconv.Itoa(code)+" "+cl.name, func(t *testing.T) {
				t.Parallel()
				c, mux := setup(t)
				s := script(status(code, `{"Message":"no"}`), status(200, createdJSON))
				mux.Handle(cl.pattern, s)
				err := cl.call(context.Background(), c)
				var e *Error
				if !errors.As(err, &e) || e.StatusCode != code {
					t.Fatalf("error = %v (%T), want *Error with status %d", err, err, code)
				}
				var oe *OutcomeUnknownError
				var re *RetriesExhaustedError
				if errors.As(err, &oe) || errors.As(err, &re) {
					t.Errorf("error = %T, want the plain *Error", err)
				}
				if n := s.count(); n != 1 {
					t.Errorf("%d requests, want exactly 1", n)
				}
			})
		}
	}
}

// A connection lost after the request was written: a keyed create is
// repeated, an unkeyed one is reported as of unknown outcome.
func TestConnectionLostAfterWrite(t *testing.T) {
	t.Parallel()
	for _, reset := range []bool{false, true} {
		name := "closed"
		if reset {
			name = "reset"
		}
		t.Run(name+" keyed create", func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			s := script(hangUp(reset), status(200, createdJSON))
			mux.Handle("POST /Api/v2/Customer/Send", s)
			id, err := c.Customers.Send(context.Background(), &Customer{MyID: "sCustomer08", Name: "Sample Customer"})
			if err != nil || id != "35642" {
				t.Fatalf("Send = %q, %v", id, err)
			}
			seen := s.requests()
			if len(seen) != 2 || seen[0].body != seen[1].body {
				t.Errorf("requests = %+v, want the same body twice", seen)
			}
		})
		t.Run(name+" read", func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			s := script(hangUp(reset), status(200, customerJSON))
			mux.Handle("GET /Api/v2/Customer/Details", s)
			if err := getCustomer(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			if n := s.count(); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
		})
		t.Run(name+" unkeyed create", func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			s := script(hangUp(reset), status(200, createdJSON))
			mux.Handle("POST /Api/v2/Customer/Send", s)
			err := unkeyedCreate(context.Background(), c)
			var oe *OutcomeUnknownError
			if !errors.As(err, &oe) || !errors.Is(err, ErrOutcome) {
				t.Fatalf("error = %v (%T), want *OutcomeUnknownError", err, err)
			}
			var te *TransportError
			if !errors.As(err, &te) {
				t.Errorf("error = %v, want it to wrap a *TransportError", err)
			}
			if oe.Method != "POST" || oe.Endpoint != "Customer/Send" {
				t.Errorf("error names %s %s", oe.Method, oe.Endpoint)
			}
			if n := s.count(); n != 1 {
				t.Errorf("%d requests reached the server, want exactly 1", n)
			}
		})
	}
}

// An attempt that times out after the request was written is, for an
// unkeyed create, of unknown outcome; for a read it is retried.
func TestAttemptTimeout(t *testing.T) {
	t.Parallel()
	t.Run("unkeyed create", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t, WithTimeout(300*time.Millisecond))
		s := script(stall, status(200, createdJSON))
		mux.Handle("POST /Api/v2/Customer/Send", s)
		err := unkeyedCreate(context.Background(), c)
		if !errors.Is(err, ErrOutcome) {
			t.Fatalf("error = %v, want ErrOutcome", err)
		}
		if n := s.count(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("read", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t, WithTimeout(300*time.Millisecond))
		s := script(stall, status(200, customerJSON))
		mux.Handle("GET /Api/v2/Customer/Details", s)
		if err := getCustomer(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		if n := s.count(); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
}

// refusingTransport returns a transport whose first dials (refusals of
// them) go to a closed port, and a count of its dials.
func refusingTransport(t *testing.T, refusals int) (*http.Transport, func() int) {
	dead := closedAddr(t)
	var (
		mu    sync.Mutex
		dials int
	)
	var d net.Dialer
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dials++
		n := dials
		mu.Unlock()
		if n <= refusals {
			return d.DialContext(ctx, network, dead)
		}
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return tr, func() int { mu.Lock(); defer mu.Unlock(); return dials }
}

func TestConnectionRefusedIsRetried(t *testing.T) {
	t.Parallel()
	tr, dials := refusingTransport(t, 2)
	c, mux := setup(t, WithHTTPClient(&http.Client{Transport: tr}))
	s := script(status(200, createdJSON))
	mux.Handle("POST /Api/v2/Customer/Send", s)
	// Nothing was written: even a create without a key is repeated.
	if err := unkeyedCreate(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if n := s.count(); n != 1 {
		t.Errorf("%d requests reached the server, want 1", n)
	}
	if n := dials(); n != 3 {
		t.Errorf("%d dials, want 3", n)
	}
	if diff := cmp.Diff(Counters{Requests: 3, Retries: 2}, c.Counters()); diff != "" {
		t.Errorf("Counters (-want +got):\n%s", diff)
	}
}

func TestRetriesBoundedByMaxAttempts(t *testing.T) {
	t.Parallel()
	t.Run("503", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t)
		s := script(status(503, `{"Message":"maintenance"}`))
		mux.Handle("POST /Api/v2/Customer/Send", s)
		err := unkeyedCreate(context.Background(), c)
		var re *RetriesExhaustedError
		if !errors.As(err, &re) || re.Attempts != fastRetry.MaxAttempts {
			t.Fatalf("error = %v (%T), want *RetriesExhaustedError after %d attempts", err, err, fastRetry.MaxAttempts)
		}
		var e *Error
		if !errors.As(err, &e) || e.StatusCode != 503 || !errors.Is(err, ErrServer) {
			t.Errorf("last failure = %+v", e)
		}
		if n := s.count(); n != fastRetry.MaxAttempts {
			t.Errorf("%d requests, want %d", n, fastRetry.MaxAttempts)
		}
		if diff := cmp.Diff(Counters{Requests: 4, Retries: 3}, c.Counters()); diff != "" {
			t.Errorf("Counters (-want +got):\n%s", diff)
		}
	})
	t.Run("429", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t)
		s := script(tooMany("0.001"))
		mux.Handle("GET /Api/v2/Customer/Details", s)
		err := getCustomer(context.Background(), c)
		var rl *RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter != time.Millisecond || !errors.Is(err, ErrRateLimited) {
			t.Fatalf("error = %v, want a *RateLimitError", err)
		}
		if n := s.count(); n != 4 {
			t.Errorf("%d requests, want 4", n)
		}
		if diff := cmp.Diff(Counters{Requests: 4, Retries: 3, RateLimited: 4}, c.Counters()); diff != "" {
			t.Errorf("Counters (-want +got):\n%s", diff)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		c, err := NewClient(WithBaseURL("http://"+closedAddr(t)), WithCredentials(testDomain, testKey), WithRetryPolicy(fastRetry))
		if err != nil {
			t.Fatal(err)
		}
		err = unkeyedCreate(context.Background(), c)
		var re *RetriesExhaustedError
		var te *TransportError
		var ue *UnreachableError
		if !errors.As(err, &ue) || !errors.As(err, &re) || re.Attempts != refusedAttempts || !errors.As(err, &te) {
			t.Fatalf("error = %v (%T), want the API unreachable after %d attempts, on a *TransportError", err, err, refusedAttempts)
		}
		if errors.Is(err, ErrOutcome) {
			t.Errorf("a refused connection is reported as of unknown outcome")
		}
	})
	t.Run("one attempt", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 1, MaxElapsed: time.Minute}))
		s := script(status(503, ""))
		mux.Handle("GET /Api/v2/Customer/Details", s)
		if err := getCustomer(context.Background(), c); !errors.Is(err, ErrServer) {
			t.Fatalf("error = %v", err)
		}
		if n := s.count(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("Retry-After beyond MaxElapsed", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t)
		s := script(tooMany("3600"))
		mux.Handle("GET /Api/v2/Customer/Details", s)
		err := getCustomer(context.Background(), c) // gives up at once instead of waiting an hour
		var re *RetriesExhaustedError
		if !errors.As(err, &re) || re.Attempts != 1 {
			t.Fatalf("error = %v (%T)", err, err)
		}
		if n := s.count(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}

func TestContextCancelStopsWaiting(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 5, MaxElapsed: 3 * time.Hour, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	s := script(tooMany("3600"))
	mux.Handle("GET /Api/v2/Customer/Details", s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Cancel once the client has read the 429 and is waiting.
		for c.Counters().RateLimited == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	done := make(chan error, 1)
	go func() { done <- getCustomer(ctx, c) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
		if !errors.Is(err, ErrRateLimited) {
			t.Errorf("error = %v, want it to name the last failure", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the client still waits for Retry-After after the context was canceled")
	}
	if n := s.count(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestCanceledContextSendsNothing(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := unkeyedCreate(ctx, c); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if n := c.Counters().Requests; n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

func TestQuotaRemaining(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	withQuota := func(v string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if v != "" {
				w.Header().Set("X-Quota-Remaining", v)
			}
			answer(w, 200, customerJSON)
		}
	}
	mux.Handle("GET /Api/v2/Customer/Details", script(withQuota("4987"), withQuota(" 12 "), withQuota(""), withQuota("many"), withQuota("-3")))
	want := []struct {
		q  int64
		ok bool
	}{{4987, true}, {12, true}, {12, true}, {12, true}, {12, true}}
	for i, w := range want {
		if err := getCustomer(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		if q, ok := c.QuotaRemaining(); q != w.q || ok != w.ok {
			t.Errorf("after answer %d: QuotaRemaining() = %d, %v, want %d, %v", i+1, q, ok, w.q, w.ok)
		}
	}
}

func TestQuotaRemainingFromErrorAnswer(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /Api/v2/Customer/Details", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Quota-Remaining", "0")
		answer(w, 404, `{"Message":"not found"}`)
	})
	_ = getCustomer(context.Background(), c)
	if q, ok := c.QuotaRemaining(); q != 0 || !ok {
		t.Errorf("QuotaRemaining() = %d, %v, want 0, true", q, ok)
	}
}

func TestCounters(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.Handle("GET /Api/v2/Customer/Details", script(tooMany("0.001"), status(503, ""), status(200, customerJSON)))
	ctx := context.Background()
	if err := getCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Counters{Requests: 3, Retries: 2, RateLimited: 1}, c.Counters()); diff != "" {
		t.Errorf("Counters (-want +got):\n%s", diff)
	}
	if err := getCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Counters{Requests: 4, Retries: 2, RateLimited: 1}, c.Counters()); diff != "" {
		t.Errorf("Counters after a plain success (-want +got):\n%s", diff)
	}
}

// The limiter is shared by every request of every client given it, retries
// included. It refills once an hour here, so what it lets through is exact.
func TestSharedLimiter(t *testing.T) {
	t.Parallel()
	limiter := rate.NewLimiter(rate.Every(time.Hour), 3)
	c1, mux := setup(t, WithLimiter(limiter))
	s := script(status(200, customerJSON))
	mux.Handle("GET /Api/v2/Customer/Details", s)
	c2, err := NewClient(WithBaseURL(c1.BaseURL()), WithCredentials(testDomain, testKey), WithLimiter(limiter), WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	if c1.Limiter() != limiter || c2.Limiter() != limiter {
		t.Fatal("Limiter() is not the limiter given")
	}
	ctx := context.Background()
	for _, c := range []*Client{c1, c2, c1} {
		if err := getCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if tokens := limiter.Tokens(); tokens >= 1 {
		t.Errorf("limiter has %.3f tokens after 3 requests, want < 1", tokens)
	}
	// A fourth request would wait about an hour: past the deadline, the
	// limiter refuses at once and nothing is sent.
	dctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err = getCustomer(dctx, c2)
	if err == nil {
		t.Fatal("a fourth request went through a limiter of 3")
	}
	var e *Error
	if errors.As(err, &e) {
		t.Errorf("error = %v, want a limiter error", err)
	}
	if n := s.count(); n != 3 {
		t.Errorf("%d requests reached the server, want 3", n)
	}
	if got := c1.Counters().Requests + c2.Counters().Requests; got != 3 {
		t.Errorf("clients counted %d requests sent, want 3", got)
	}
}

func TestRetriesWaitOnTheLimiter(t *testing.T) {
	t.Parallel()
	limiter := rate.NewLimiter(rate.Every(time.Hour), 2)
	c, mux := setup(t, WithLimiter(limiter))
	s := script(status(503, ""), status(200, customerJSON), status(200, customerJSON))
	mux.Handle("GET /Api/v2/Customer/Details", s)
	if err := getCustomer(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if tokens := limiter.Tokens(); tokens >= 1 {
		t.Errorf("limiter has %.3f tokens after a request and its retry, want < 1", tokens)
	}
	dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := getCustomer(dctx, c); err == nil {
		t.Error("a third attempt went through a limiter of 2")
	}
	if n := s.count(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestWithRateLimit(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithCredentials(testDomain, testKey), WithRateLimit(2, 7))
	if err != nil {
		t.Fatal(err)
	}
	if l := c.Limiter(); l.Limit() != 2 || l.Burst() != 7 {
		t.Errorf("limiter %v/s burst %d, want 2/s burst 7", l.Limit(), l.Burst())
	}
	d, err := NewClient(WithCredentials(testDomain, testKey))
	if err != nil {
		t.Fatal(err)
	}
	if l := d.Limiter(); l.Limit() != DefaultRate || l.Burst() != DefaultBurst {
		t.Errorf("default limiter %v/s burst %d", l.Limit(), l.Burst())
	}
}

// Concurrent requests share one client safely (run with -race).
func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	s := script(tooMany("0.001"), status(503, ""), status(200, customerJSON))
	mux.Handle("GET /Api/v2/Customer/Details", s)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() { errs <- getCustomer(context.Background(), c) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got := c.Counters()
	if got.Requests != int64(s.count()) || got.Requests != 20+got.Retries || got.RateLimited != 1 {
		t.Errorf("Counters = %+v with %d requests on the server", got, s.count())
	}
}

// The caller canceling while a request is in flight stops it without a
// retry; for an unkeyed create already written, the outcome is unknown.
func TestCancelDuringAttempt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		pattern     string
		call        func(ctx context.Context, c *Client) error
		wantOutcome bool
	}{
		{"read", "GET /Api/v2/Customer/Details", getCustomer, false},
		{"keyed create", "POST /Api/v2/Customer/Send", keyedCreate, false},
		{"unkeyed create", "POST /Api/v2/Customer/Send", unkeyedCreate, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := script(func(w http.ResponseWriter, r *http.Request) {
				cancel() // the request has reached the server
				stall(w, r)
			})
			mux.Handle(tt.pattern, s)
			err := tt.call(ctx, c)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error = %v, want context.Canceled", err)
			}
			if got := errors.Is(err, ErrOutcome); got != tt.wantOutcome {
				t.Errorf("errors.Is(%v, ErrOutcome) = %v, want %v", err, got, tt.wantOutcome)
			}
			if n := s.count(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// A 503 that says when to come back is retried after that delay.
func TestServiceUnavailableHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	s := script(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0.05")
		answer(w, http.StatusServiceUnavailable, `{"Message":"maintenance"}`)
	}, status(200, customerJSON))
	mux.Handle("GET /Api/v2/Customer/Details", s)
	if err := getCustomer(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	seen := s.requests()
	if len(seen) != 2 {
		t.Fatalf("%d requests, want 2", len(seen))
	}
	if gap := seen[1].at.Sub(seen[0].at); gap < 50*time.Millisecond {
		t.Errorf("retried after %v, before the 50ms Retry-After", gap)
	}
}

func TestRetryPolicyNeedsMaxElapsed(t *testing.T) {
	t.Parallel()
	_, err := NewClient(WithCredentials("d", "k"), WithRetryPolicy(RetryPolicy{MaxAttempts: 3}))
	if err == nil || !strings.Contains(err.Error(), "MaxElapsed") {
		t.Errorf("err = %v, want a complaint about MaxElapsed", err)
	}
	if _, err := NewClient(WithCredentials("d", "k"), WithRetryPolicy(RetryPolicy{MaxAttempts: 1})); err != nil {
		t.Errorf("a policy without retries needs no MaxElapsed: %v", err)
	}
}

// An id alone does not make a create safe to repeat: the API creates a new
// record for an id it does not know.
func TestIDAloneIsNotAKey(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	s := script(status(500, ""), status(200, createdJSON))
	mux.Handle("POST /Api/v2/Customer/Send", s)
	_, err := c.Customers.Send(context.Background(), &Customer{ID: "999999", MyID: "  ", Name: "X"})
	if !errors.Is(err, ErrOutcome) || s.count() != 1 {
		t.Errorf("err = %v after %d requests, want ErrOutcome after 1", err, s.count())
	}
}

// A 2xx whose body cannot be read was most likely applied: for a request
// that is not safe to repeat, the outcome is unknown, not "rejected".
func TestUnreadableAnswerToUnsafeSend(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.Handle("POST /Api/v2/Customer/Send", status(200, "<html>proxy page</html>"))
	if err := unkeyedCreate(context.Background(), c); !errors.Is(err, ErrOutcome) {
		t.Errorf("unkeyed create: err = %v, want ErrOutcome", err)
	}
	if err := keyedCreate(context.Background(), c); errors.Is(err, ErrOutcome) || !errors.Is(err, ErrRejected) {
		t.Errorf("keyed create: err = %v, want a plain rejection (it can be sent again)", err)
	}
}

// Redirects are reported, not followed.
func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("POST /Api/v2/Customer/Send", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://elsewhere.example/Api/v2/Customer/Send", http.StatusFound)
	})
	err := keyedCreate(context.Background(), c)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusFound {
		t.Errorf("err = %v, want an *Error with status 302", err)
	}
}

// With a wire context, cancelling the call's context starts no new request
// (a call waiting for the limiter fails with ErrNotStarted) while a request
// already on the wire finishes.
func TestWireContextGracefulStop(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c, mux := setup(t, WithRateLimit(1, 1))
	var started sync.WaitGroup
	started.Add(1)
	mux.HandleFunc("GET /Api/v2/Customer/Details", func(w http.ResponseWriter, r *http.Request) {
		started.Done()
		<-release
		answer(w, 200, customerJSON)
	})
	ctx, cancel := context.WithCancel(context.Background())
	callCtx := WithWireContext(ctx, context.Background())
	first := make(chan error, 1)
	go func() { first <- getCustomer(callCtx, c) }()
	started.Wait() // the first request is on the wire and took the only token
	second := make(chan error, 1)
	go func() { second <- getCustomer(callCtx, c) }()
	cancel()
	if err := <-second; !errors.Is(err, ErrNotStarted) {
		t.Errorf("the waiting call: %v, want ErrNotStarted", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("the call on the wire: %v, want it to finish", err)
	}
}

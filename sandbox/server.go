// Package sandbox is a local, in-memory Synchroteam API v2 server for tests,
// demos and benchmarks.
//
// It implements every endpoint of the API reference
// (testdata/synchroteam-api-v2.txt) with the reference's request and response
// shapes, key spellings and value forms, keeps its state in memory (optionally
// persisted to a JSON file), and reproduces the service's operating
// conditions: Basic authentication, a per-second rate limit answered with 429
// and Retry-After, a daily quota reported in X-Quota-Remaining, latency, and
// injected faults that are reproducible from a seed: 500 and 503 answers, 429
// answers, and connections dropped after the request was applied (see
// Config.FailRate, Config.LimitRate and Config.DropRate). Responses are JSON,
// or XML when the Accept header asks for it; request bodies may be JSON or
// XML.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"
)

// Config sets up a Server. With the zero value the server accepts only the
// credentials ":" (empty domain and key), has no rate limit, no faults and
// starts empty.
type Config struct {
	// Domain and APIKey are the credentials: requests must carry
	// "Authorization: Basic base64(domain:apikey)"; anything else gets 401.
	Domain, APIKey string
	// Rate is the maximum number of requests per second; 0 means unlimited.
	// Requests over it get 429 with a Retry-After header (whole seconds).
	Rate float64
	// Burst is the token bucket size; 0 means max(1, ceil(Rate)).
	Burst int
	// FailRate, LimitRate and DropRate inject faults into authenticated
	// requests that pass the rate limit. Each is a fraction (0..1) of those
	// requests and their sum must not exceed 1: one draw of the seeded
	// generator per request picks at most one kind, so the same Seed gives
	// the same faults for the same sequence of requests. A request answered
	// otherwise first (daily quota exhausted, 406) loses its 5xx or drop.
	//
	// FailRate is the fraction answered 500 (half of it) or 503 with
	// "Retry-After: 1" (the other half), before any state change.
	FailRate float64
	// LimitRate is the fraction answered 429 with "Retry-After: 1", as the
	// rate limit answers, before any state change and independently of Rate.
	// Like the rate limit's 429s, these do not spend the daily quota.
	LimitRate float64
	// DropRate is the fraction whose connection is closed without an answer
	// after the request was handled and its state change applied: the
	// client cannot tell whether it was. A connection that cannot be taken
	// over (HTTP/2, an httptest.ResponseRecorder) is not dropped: the
	// request is answered normally and not counted in Stats.Dropped.
	DropRate float64
	// Latency is added to every request.
	Latency time.Duration
	// Seed makes injected faults, generated ids and demo data reproducible.
	Seed int64
	// DailyQuota is the starting value of X-Quota-Remaining (0 means
	// 100000). Each authenticated request decrements it; at 0 requests get 429.
	DailyQuota int
	// StateFile, if set, is loaded by New when it exists and written by Save.
	StateFile string
	// Demo loads the demo data set when no state file was loaded.
	Demo bool
	// Fixtures, when no state file was loaded, are added to the new state
	// (after the demo data, when both are set).
	Fixtures *Fixtures
	// ReadHeaderTimeout bounds the time to receive a request's headers,
	// BodyTimeout the time to receive its body (counted from the headers,
	// Latency added), IdleTimeout the time a kept-alive connection waits
	// for its next request; 0 means 10 s, 30 s and 60 s. A body not
	// received in time is answered 408 and its connection closed.
	ReadHeaderTimeout, BodyTimeout, IdleTimeout time.Duration
	// BodyBytesInFlight caps the bytes of request bodies held at once, all
	// requests together (0 means 128 MiB, twice the largest body). A body
	// that would pass it is answered 503 with "Retry-After: 1"; a body over
	// the 64 MiB limit of one request is answered 413.
	BodyBytesInFlight int64
	// Logf, if set, receives one line per request. Credentials are never logged.
	Logf func(format string, args ...any)
}

// redacted replaces the API key wherever a Config is printed.
const redacted = "[redacted]"

// redact returns c with the API key replaced (when set).
func (c Config) redact() configPrint {
	if c.APIKey != "" {
		c.APIKey = redacted
	}
	return configPrint(c)
}

// configPrint is a Config without its methods, for printing.
type configPrint Config

// String describes the configuration with the API key redacted.
func (c Config) String() string { return fmt.Sprintf("%+v", c.redact()) }

// GoString is String for %#v.
func (c Config) GoString() string { return fmt.Sprintf("sandbox.Config%+v", c.redact()) }

// Format prints the configuration, for every verb, with the API key
// redacted.
func (c Config) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, c.GoString())
	case verb == 'v' && f.Flag('+'):
		io.WriteString(f, c.String())
	default:
		fmt.Fprintf(f, "%v", c.redact())
	}
}

// Server is the sandbox API server. It is an http.Handler and is safe for
// concurrent use.
type Server struct {
	cfg     Config        // APIKey cleared: the key is in apiKey
	apiKey  func() string // a function, so that printing a Server never shows the key
	limiter *bucket
	now     func() time.Time

	mu sync.Mutex // guards st
	st *state

	faultMu  sync.Mutex // guards faultRng and rates
	faultRng *rand.Rand
	rates    faultRates
	quotaMu  sync.Mutex
	quota    int       // left today
	quotaDay time.Time // the UTC day quota counts

	statsMu sync.Mutex
	stats   Stats

	maxBody     int64       // the largest request body accepted, in bytes
	budget      *bodyBudget // the bytes of bodies held at once
	bodyTimeout time.Duration
}

// maxBody is the largest request body the server accepts; larger ones get 413.
const maxBody = 64 << 20

// Stats counts what the server has seen since it was created.
type Stats struct {
	Requests      int            // every request received
	Unauthorized  int            // answered 401
	RateLimited   int            // answered 429 (rate limit, quota or LimitRate)
	QuotaRejected int            // the part of RateLimited due to the daily quota
	Faults        int            // injected faults of every kind: Failed + Limited + Dropped
	Failed        int            // injected 500 and 503 answers (FailRate)
	Limited       int            // injected 429 answers (LimitRate), also counted in RateLimited
	Dropped       int            // connections dropped after the request was applied (DropRate)
	Busy          int            // bodies refused with 503: the bytes of bodies in progress were at BodyBytesInFlight
	SlowBodies    int            // bodies not received within BodyTimeout, answered 408
	ByEndpoint    map[string]int // authenticated requests per endpoint, e.g. "POST Customer/Send"
}

// New returns a Server for cfg. It loads cfg.StateFile when that file exists,
// else the demo data when cfg.Demo is set, else starts empty.
func New(cfg Config) (*Server, error) {
	if cfg.Rate < 0 || cfg.DailyQuota < 0 || cfg.Burst < 0 {
		return nil, errors.New("sandbox: Rate, Burst and DailyQuota must not be negative")
	}
	if cfg.ReadHeaderTimeout < 0 || cfg.BodyTimeout < 0 || cfg.IdleTimeout < 0 || cfg.BodyBytesInFlight < 0 {
		return nil, errors.New("sandbox: the timeouts and BodyBytesInFlight must not be negative")
	}
	rates := faultRates{fail: cfg.FailRate, limit: cfg.LimitRate, drop: cfg.DropRate}
	if err := rates.check(); err != nil {
		return nil, err
	}
	key := cfg.APIKey
	cfg.APIKey = ""
	s := &Server{
		cfg:      cfg,
		apiKey:   func() string { return key },
		now:      func() time.Time { return time.Now().UTC().Truncate(time.Second) },
		faultRng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5a17)),
		rates:    rates,
		quota:    cfg.DailyQuota,
		maxBody:  maxBody,
		budget:   &bodyBudget{max: orDefault(cfg.BodyBytesInFlight, defaultBodyBytesInFlight)},

		bodyTimeout: orDefault(cfg.BodyTimeout, defaultBodyTimeout),
	}
	if s.quota == 0 {
		s.quota = defaultQuota
	}
	if cfg.Rate > 0 {
		burst := cfg.Burst
		if burst == 0 {
			burst = max(1, int(cfg.Rate+0.999999))
		}
		s.limiter = newBucket(cfg.Rate, burst)
	}
	loaded, err := s.load()
	if err != nil {
		return nil, err
	}
	if !loaded {
		s.st = newState(cfg.Seed)
		if cfg.Demo {
			loadDemo(s.st, cfg.Seed)
		}
		if cfg.Fixtures != nil {
			if err := s.applyFixtures(cfg.Fixtures); err != nil {
				return nil, &FixturesError{Err: err}
			}
		}
	}
	return s, nil
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	out := s.stats
	out.ByEndpoint = make(map[string]int, len(s.stats.ByEndpoint))
	for k, v := range s.stats.ByEndpoint {
		out.ByEndpoint[k] = v
	}
	return out
}

func (s *Server) count(f func(*Stats)) {
	s.statsMu.Lock()
	f(&s.stats)
	s.statsMu.Unlock()
}

// Running is a Server listening on a TCP address.
type Running struct {
	URL    string  // base URL, e.g. "http://127.0.0.1:41234"; a loopback one for every interface (0.0.0.0, ::)
	Server *Server // the handler

	http      *http.Server
	done      chan error
	closeOnce sync.Once
	closeErr  error

	connMu sync.Mutex
	fresh  map[net.Conn]time.Time // connections that have sent no request yet, since when
}

// trackFresh is the server's ConnState hook: it keeps the connections that
// have not sent a request yet.
func (r *Running) trackFresh(c net.Conn, st http.ConnState) {
	r.connMu.Lock()
	defer r.connMu.Unlock()
	if st == http.StateNew {
		r.fresh[c] = time.Now()
	} else {
		delete(r.fresh, c)
	}
}

// closeFresh closes the connections that have sent nothing for at least
// quiet: spares a client's pool opened and never used, which Shutdown would
// wait five seconds for.
func (r *Running) closeFresh(quiet time.Duration) {
	r.connMu.Lock()
	defer r.connMu.Unlock()
	for c, since := range r.fresh {
		if time.Since(since) >= quiet {
			c.Close()
			delete(r.fresh, c)
		}
	}
}

// Start creates a Server for cfg and serves it on addr (e.g. "127.0.0.1:0")
// in the background.
func Start(cfg Config, addr string) (*Running, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	r := &Running{
		URL:    "http://" + reachable(ln.Addr()),
		Server: s,
		done:   make(chan error, 1),
		fresh:  map[net.Conn]time.Time{},
	}
	r.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: orDefault(cfg.ReadHeaderTimeout, defaultReadHeaderTimeout),
		IdleTimeout:       orDefault(cfg.IdleTimeout, defaultIdleTimeout),
		ConnState:         r.trackFresh,
	}
	go func() { r.done <- r.http.Serve(ln) }()
	return r, nil
}

// Close shuts the server down (waiting up to five seconds for requests in
// flight) and then saves the state to Config.StateFile. Calling it again
// returns the first result.
func (r *Running) Close() error {
	r.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shut := make(chan error, 1)
		go func() { shut <- r.http.Shutdown(ctx) }()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var err error
	wait:
		for {
			select {
			case err = <-shut:
				break wait
			case <-tick.C:
				r.closeFresh(100 * time.Millisecond)
			}
		}
		if serr := <-r.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		if saveErr := r.Server.Save(); saveErr != nil {
			err = saveErr
		}
		r.closeErr = err
	})
	return r.closeErr
}

// reachable is the address to reach a listener at: 127.0.0.1 when it
// listens on every interface (Go's listener on 0.0.0.0 or :: takes both
// IPv4 and IPv6).
func reachable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

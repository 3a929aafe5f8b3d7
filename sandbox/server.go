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
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
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

	maxBody int64 // the largest request body accepted, in bytes
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
	ByEndpoint    map[string]int // authenticated requests per endpoint, e.g. "POST Customer/Send"
}

// New returns a Server for cfg. It loads cfg.StateFile when that file exists,
// else the demo data when cfg.Demo is set, else starts empty.
func New(cfg Config) (*Server, error) {
	if cfg.Rate < 0 || cfg.DailyQuota < 0 || cfg.Burst < 0 {
		return nil, errors.New("sandbox: Rate, Burst and DailyQuota must not be negative")
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
	URL    string  // base URL, e.g. "http://127.0.0.1:41234"
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
		URL:    "http://" + ln.Addr().String(),
		Server: s,
		done:   make(chan error, 1),
		fresh:  map[net.Conn]time.Time{},
	}
	r.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ConnState: r.trackFresh}
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

// call is one request being answered.
type call struct {
	r      *http.Request
	route  *route
	params []string          // path parameters, decoded, original case
	query  map[string]string // lower-cased parameter name → first value
	qorder []string          // lower-cased parameter names in request order
	body   []byte
	// mu is the state lock, held while the handler runs; decode releases it
	// while it parses the body (every handler decodes before reading the
	// state), so a large body does not hold up other requests.
	mu *sync.Mutex
}

// answer is a handler's result: a status and a value rendered as JSON or XML.
type answer struct {
	status int
	body   any
}

func ok(body any) answer { return answer{http.StatusOK, body} }

// fail answers status with the route's error envelope carrying msg.
func (c *call) fail(status int, format string, args ...any) answer {
	return answer{status, c.route.failure(fmt.Sprintf(format, args...))}
}

// invalid answers 400 with the route's error envelope.
func (c *call) invalid(format string, args ...any) answer {
	return c.fail(http.StatusBadRequest, format, args...)
}

// decode reads the JSON body into v. An empty body leaves v as it is when
// allowEmpty, and is an error otherwise.
func (c *call) decode(v any, allowEmpty bool) error {
	if c.mu != nil {
		c.mu.Unlock()
		defer c.mu.Lock()
	}
	body := bytes.TrimSpace(c.body)
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if len(body) == 0 {
		if allowEmpty {
			return nil
		}
		return errors.New("the request body is empty")
	}
	if isXML(c.r.Header.Get("Content-Type")) {
		converted, err := xmlToJSON(body, reflect.TypeOf(v).Elem())
		if err != nil {
			return err
		}
		body = converted
	}
	if err := json.Unmarshal(body, v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("malformed JSON body at offset %d: %v", syn.Offset, syn)
		case errors.As(err, &typ):
			where := typ.Field
			if where == "" {
				where = "the body"
			}
			return fmt.Errorf("malformed JSON body: %s must not be a JSON %s", where, typ.Value)
		default:
			return fmt.Errorf("malformed JSON body: %v", err)
		}
	}
	return nil
}

// ServeHTTP answers one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.count(func(st *Stats) { st.Requests++ })
	rec := &statusRecorder{ResponseWriter: w}
	s.serve(rec, r)
	if s.cfg.Logf != nil {
		status := rec.status
		if status == 0 && rec.hijacked {
			status = -1
		}
		s.cfg.Logf("sandbox: %s %s → %d (%s)", r.Method, r.URL.Path, status, time.Since(start).Round(time.Millisecond))
	}
}

func (s *Server) serve(w *statusRecorder, r *http.Request) {
	if s.cfg.Latency > 0 {
		t := time.NewTimer(s.cfg.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	// Errors before the Accept check are rendered in the format asked for
	// when there is one, else JSON.
	f, acceptable := negotiate(r.Header.Get("Accept"))
	rt, params, found := match(r.URL)
	if (!found || !strings.EqualFold(r.Method, rt.method)) && s.authorized(r) {
		// Not a request of the API, but an authenticated one: it shows the quota.
		w.Header().Set("X-Quota-Remaining", strconv.Itoa(s.quotaLeft()))
	}
	if !found {
		writeMessage(w, f, http.StatusNotFound, fmt.Sprintf("No HTTP resource was found that matches the request URI '%s'.", requestURI(r)))
		return
	}
	if !strings.EqualFold(r.Method, rt.method) {
		w.Header().Set("Allow", rt.method)
		writeMessage(w, f, http.StatusMethodNotAllowed, fmt.Sprintf("The requested resource does not support http method '%s'.", r.Method))
		return
	}
	if !s.authorized(r) {
		s.count(func(st *Stats) { st.Unauthorized++ })
		w.Header().Set("WWW-Authenticate", `Basic realm="Synchroteam"`)
		writeMessage(w, f, http.StatusUnauthorized, "Authorization has been denied for this request.")
		return
	}
	endpoint := rt.method + " " + rt.name
	s.count(func(st *Stats) {
		if st.ByEndpoint == nil {
			st.ByEndpoint = map[string]int{}
		}
		st.ByEndpoint[endpoint]++
	})
	if wait, limited := s.limiter.take(time.Now()); limited {
		s.count(func(st *Stats) { st.RateLimited++ })
		w.Header().Set("X-Quota-Remaining", strconv.Itoa(s.quotaLeft()))
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter(wait)))
		writeMessage(w, f, http.StatusTooManyRequests, fmt.Sprintf("Too many requests: the limit is %g requests per second.", s.cfg.Rate))
		return
	}
	fault := s.rollFault()
	if fault == faultLimit {
		// As the rate limit answers: before the quota is spent.
		s.count(func(st *Stats) { st.RateLimited++; st.Limited++; st.Faults++ })
		w.Header().Set("X-Quota-Remaining", strconv.Itoa(s.quotaLeft()))
		w.Header().Set("Retry-After", "1")
		writeMessage(w, f, http.StatusTooManyRequests, "Too many requests: the API rate limit was hit.")
		return
	}
	left, allowed := s.spendQuota()
	w.Header().Set("X-Quota-Remaining", strconv.Itoa(left))
	if !allowed {
		s.count(func(st *Stats) { st.RateLimited++; st.QuotaRejected++ })
		w.Header().Set("Retry-After", strconv.Itoa(secondsToMidnight(time.Now().UTC())))
		writeMessage(w, f, http.StatusTooManyRequests, "The daily API quota is exhausted.")
		return
	}
	if !acceptable {
		writeMessage(w, formatJSON, http.StatusNotAcceptable, "The requested format is not available: accept JSON (application/json, text/json) or XML (application/xml, text/xml).")
		return
	}
	switch fault {
	case fault500:
		s.count(func(st *Stats) { st.Failed++; st.Faults++ })
		writeMessage(w, f, http.StatusInternalServerError, "An error has occurred.")
		return
	case fault503:
		s.count(func(st *Stats) { st.Failed++; st.Faults++ })
		w.Header().Set("Retry-After", "1")
		writeMessage(w, f, http.StatusServiceUnavailable, "The service is temporarily unavailable. Please try again later.")
		return
	case faultDrop:
		held := &heldResponse{header: w.Header()}
		s.apply(held, r, rt, params, f)
		s.drop(w, held)
		return
	}
	s.apply(w, r, rt, params, f)
}

// apply reads the request's query and body and runs its handler, which
// changes the state, and writes the answer to w.
func (s *Server) apply(w http.ResponseWriter, r *http.Request, rt *route, params []string, f format) {
	c := &call{r: r, route: rt, params: params, mu: &s.mu}
	query, order, err := lowerQuery(r.URL.RawQuery)
	if err != nil {
		render(w, f, c.invalid("malformed query: %v", err))
		return
	}
	c.query, c.qorder = query, order
	if r.Body != nil && r.Method != http.MethodGet {
		limit := s.maxBody
		if r.ContentLength > limit {
			render(w, f, c.fail(http.StatusRequestEntityTooLarge, "the request body is %d bytes, more than the limit of %d bytes", r.ContentLength, limit))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				render(w, f, c.fail(http.StatusRequestEntityTooLarge, "the request body is more than the limit of %d bytes", limit))
				return
			}
			render(w, f, c.invalid("the request body could not be read: %v", err))
			return
		}
		c.body = body
	}
	render(w, f, s.handle(c))
}

// handle runs the call's handler with the state lock held (released while
// the handler decodes its body) and always releases it, even when the
// handler panics.
func (s *Server) handle(c *call) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return c.route.handle(s, c)
}

// requestURI is the absolute request URI as the reference's 404 message shows it.
func requestURI(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host + r.URL.RequestURI()
}

func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const prefix = "basic "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[len(prefix):]))
	if err != nil {
		return false
	}
	domain, key, found := strings.Cut(string(raw), ":")
	if !found {
		return false
	}
	domainOK := strings.EqualFold(domain, s.cfg.Domain)
	keyOK := subtle.ConstantTimeCompare([]byte(key), []byte(s.apiKey())) == 1
	return domainOK && keyOK
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

// fault is the injected fault a request gets, if any.
type fault int

const (
	faultNone  fault = iota
	fault500         // FailRate: 500
	fault503         // FailRate: 503 with Retry-After
	faultLimit       // LimitRate: 429 with Retry-After
	faultDrop        // DropRate: connection dropped once the request is applied
)

// faultRates are the fractions of requests of each fault kind.
type faultRates struct{ fail, limit, drop float64 }

// check refuses a rate outside 0..1 (or NaN) and rates whose sum exceeds 1.
// A sum over 1 by a rounding error only (0.1 + 0.2 + 0.7) is accepted.
func (fr faultRates) check() error {
	for _, r := range []struct {
		name string
		v    float64
	}{{"FailRate", fr.fail}, {"LimitRate", fr.limit}, {"DropRate", fr.drop}} {
		if !(r.v >= 0 && r.v <= 1) {
			return fmt.Errorf("sandbox: %s is %v: it must be within 0..1", r.name, r.v)
		}
	}
	if sum := fr.fail + fr.limit + fr.drop; sum > 1+1e-9 {
		return fmt.Errorf("sandbox: FailRate + LimitRate + DropRate is %.4g, more than 1: each is a fraction of the requests and a request gets at most one fault", sum)
	}
	return nil
}

// active reports whether some fault is injected.
func (fr faultRates) active() bool { return fr.fail > 0 || fr.limit > 0 || fr.drop > 0 }

// rollFault picks the request's fault with one draw of the seeded generator
// (none when no rate is set): a draw in [0, FailRate) is a 500 or 503 (the
// first half a 500), [FailRate, FailRate+LimitRate) a 429,
// [FailRate+LimitRate, FailRate+LimitRate+DropRate) a drop.
func (s *Server) rollFault() fault {
	s.faultMu.Lock()
	fr := s.rates
	if !fr.active() {
		s.faultMu.Unlock()
		return faultNone
	}
	roll := s.faultRng.Float64()
	s.faultMu.Unlock()
	switch {
	case roll < fr.fail/2:
		return fault500
	case roll < fr.fail:
		return fault503
	case roll < fr.fail+fr.limit:
		return faultLimit
	case roll < fr.fail+fr.limit+fr.drop:
		return faultDrop
	}
	return faultNone
}

// drop closes the request's connection instead of sending the answer held.
// When the connection cannot be taken over (HTTP/2, a recorder), the held
// answer is sent as it is.
func (s *Server) drop(w *statusRecorder, held *heldResponse) {
	conn, _, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		held.sendTo(w)
		return
	}
	w.hijacked = true
	s.count(func(st *Stats) { st.Dropped++; st.Faults++ })
	conn.Close()
}

// heldResponse keeps an answer instead of sending it. Its header is the
// real response's header map.
type heldResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *heldResponse) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(b)
}

// sendTo writes the held answer to w (its header is already w's).
func (h *heldResponse) sendTo(w http.ResponseWriter) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	w.WriteHeader(h.status)
	w.Write(h.body.Bytes())
}

// maxQueryParams is the most parameters a query may have, as url.ParseQuery
// allows.
const maxQueryParams = 10000

// lowerQuery parses a raw query, keeping the first value of each parameter
// under its lower-cased name, and the lower-cased names in request order. A
// malformed query (a bad escape, a semicolon, too many parameters) is an
// error.
func lowerQuery(raw string) (map[string]string, []string, error) {
	out := map[string]string{}
	var order []string
	if raw == "" {
		return out, order, nil
	}
	if n := strings.Count(raw, "&") + 1; n > maxQueryParams {
		return nil, nil, fmt.Errorf("%d parameters, more than %d", n, maxQueryParams)
	}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		if strings.Contains(part, ";") {
			return nil, nil, fmt.Errorf("invalid semicolon separator in %q", shorten(part))
		}
		rawName, rawValue, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return nil, nil, fmt.Errorf("parameter %q: %v", shorten(rawName), err)
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, nil, fmt.Errorf("parameter %q: %v", shorten(name), err)
		}
		k := strings.ToLower(name)
		if k == "" {
			continue
		}
		if _, seen := out[k]; seen {
			continue
		}
		out[k] = value
		order = append(order, k)
	}
	return out, order, nil
}

// lookup finds the first lookup parameter of the request among allowed (in
// request order). It answers an error when none is present.
func (c *call) lookup(allowed ...string) (name, value string, bad *answer) {
	for _, q := range c.qorder {
		for _, a := range allowed {
			if q == strings.ToLower(a) {
				return a, c.query[q], nil
			}
		}
	}
	a := c.invalid("expected one query parameter among %s", strings.Join(allowed, ", "))
	return "", "", &a
}

// statusRecorder remembers the status written, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

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

// sortedKeys returns the keys of m in increasing order.
func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

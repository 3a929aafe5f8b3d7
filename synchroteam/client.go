// Package synchroteam is a client for the Synchroteam REST API v2.
//
// One Client serves a whole process: it holds the credentials, one HTTP
// transport (TLS 1.2 or later), one rate limiter shared by every request, and
// one retry policy. Each resource has a service (Customers, Jobs, Parts, ...)
// whose methods have the shape (ctx, params) → (result, error); every failure
// is a typed error (see Error, RateLimitError, OutcomeUnknownError).
package synchroteam

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/time/rate"
)

// DefaultURL is the API's endpoint.
const DefaultURL = "https://ws.synchroteam.com"

// Environment variables read by FromEnv.
const (
	EnvDomain = "SYNCHROTEAM_DOMAIN"
	EnvAPIKey = "SYNCHROTEAM_API_KEY"
	EnvURL    = "SYNCHROTEAM_URL"
)

// Defaults of the rate limiter and retry policy.
const (
	DefaultRate  = 5.0 // requests per second
	DefaultBurst = 1   // evenly paced: a full burst would meet the server's limit
)

// Client talks to one Synchroteam domain. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	auth    *credentials // a pointer, so that %v of a Client never shows the key
	http    *http.Client
	limiter *rate.Limiter
	pace    pace // adapts limiter to the server's 429s
	retry   RetryPolicy
	timeout time.Duration

	quota    atomic.Int64 // last X-Quota-Remaining seen, -1 when none
	answered atomic.Int64 // when a request last got an HTTP answer (any status), in Unix nanoseconds; at first when the client was made
	refused  refusals     // the attempts refused in a row, of every call
	requests atomic.Int64
	retries  atomic.Int64
	limited  atomic.Int64
	timeline timeline // requests and 429s per second, rate cuts

	log       *slog.Logger // nil: no log (WithLogger)
	quotaSeen atomic.Bool  // the first quota was logged

	common service

	Activities     *ActivitiesService
	ActivityTypes  *ActivityTypesService
	Attachments    *AttachmentsService
	Blocks         *BlocksService
	Customers      *CustomersService
	CustomFields   *CustomFieldsService
	Equipment      *EquipmentService
	Jobs           *JobsService
	Invoices       *InvoicesService
	Sites          *SitesService
	StockRequests  *StockRequestsService
	Inventory      *InventoryService
	Parts          *PartsService
	Users          *UsersService
	defaultHeaders http.Header
}

type service struct{ client *Client }

// credentials keeps the domain and key out of every printed form.
type credentials struct {
	domain string
	key    string
}

func (c *credentials) String() string {
	return "credentials{domain: " + c.domain + ", key: [redacted]}"
}
func (c *credentials) GoString() string { return c.String() }
func (c *credentials) header() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.domain+":"+c.key))
}

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL sets the API's base URL. Plain http is accepted only for a
// loopback host (a local sandbox); userinfo in the URL is refused.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := parseBaseURL(raw)
		if err != nil {
			return err
		}
		c.base = u
		return nil
	}
}

// WithCredentials sets the domain and API key (Basic auth "domain:key").
func WithCredentials(domain, apiKey string) Option {
	return func(c *Client) error {
		if strings.TrimSpace(domain) == "" {
			return errors.New("synchroteam: the domain is empty")
		}
		if strings.TrimSpace(apiKey) == "" {
			return errors.New("synchroteam: the API key is empty")
		}
		if strings.Contains(domain, ":") {
			return errors.New("synchroteam: the domain must not contain ':'")
		}
		c.auth = &credentials{domain: domain, key: apiKey}
		return nil
	}
}

// WithHTTPClient replaces the HTTP client (its transport should keep TLS 1.2+).
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) error {
		if h == nil {
			return errors.New("synchroteam: nil HTTP client")
		}
		c.http = h
		return nil
	}
}

// WithRateLimit sets the requests per second and burst of the client's
// limiter. Every request of the client, whatever the goroutine, waits on it.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *Client) error {
		if perSecond <= 0 || burst < 1 {
			return fmt.Errorf("synchroteam: rate %v/s with burst %d: both must be positive", perSecond, burst)
		}
		c.limiter = rate.NewLimiter(rate.Limit(perSecond), burst)
		return nil
	}
}

// WithRate sets the requests per second, evenly paced (burst DefaultBurst):
// the pace to use against a server that enforces the same rate.
func WithRate(perSecond float64) Option { return WithRateLimit(perSecond, DefaultBurst) }

// WithLimiter shares an existing limiter (several clients of one process).
func WithLimiter(l *rate.Limiter) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("synchroteam: nil limiter")
		}
		c.limiter = l
		return nil
	}
}

// WithRetryPolicy replaces the retry policy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.MaxAttempts < 1 {
			return errors.New("synchroteam: a retry policy needs at least one attempt")
		}
		if p.MaxAttempts > 1 && p.MaxElapsed <= 0 {
			return errors.New("synchroteam: a retry policy that retries needs a positive MaxElapsed")
		}
		c.retry = p
		return nil
	}
}

// WithTimeout bounds each attempt (default 60 s).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return errors.New("synchroteam: the timeout must be positive")
		}
		c.timeout = d
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		c.defaultHeaders.Set("User-Agent", ua)
		return nil
	}
}

// NewClient returns a client. Credentials are required (WithCredentials or
// FromEnv); the base URL defaults to DefaultURL.
func NewClient(opts ...Option) (*Client, error) {
	c := &Client{
		retry:          DefaultRetryPolicy(),
		timeout:        60 * time.Second,
		limiter:        rate.NewLimiter(DefaultRate, DefaultBurst),
		defaultHeaders: http.Header{},
	}
	c.defaultHeaders.Set("Accept", "application/json")
	c.defaultHeaders.Set("User-Agent", "stbulk")
	c.quota.Store(-1)
	c.answered.Store(time.Now().UnixNano())
	c.timeline.begin(time.Now())
	base, _ := url.Parse(DefaultURL)
	c.base = base
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.auth == nil {
		return nil, fmt.Errorf("synchroteam: no credentials (set %s and %s)", EnvDomain, EnvAPIKey)
	}
	if c.http == nil {
		// Redirects are not followed: a 3xx is reported. Following one
		// would turn a POST into a GET, or carry the credentials to a plain
		// http URL of the same host.
		c.http = &http.Client{Transport: newTransport(), CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	c.common.client = c
	c.Activities = (*ActivitiesService)(&c.common)
	c.ActivityTypes = (*ActivityTypesService)(&c.common)
	c.Attachments = (*AttachmentsService)(&c.common)
	c.Blocks = (*BlocksService)(&c.common)
	c.Customers = (*CustomersService)(&c.common)
	c.CustomFields = (*CustomFieldsService)(&c.common)
	c.Equipment = (*EquipmentService)(&c.common)
	c.Jobs = (*JobsService)(&c.common)
	c.Invoices = (*InvoicesService)(&c.common)
	c.Sites = (*SitesService)(&c.common)
	c.StockRequests = (*StockRequestsService)(&c.common)
	c.Inventory = (*InventoryService)(&c.common)
	c.Parts = (*PartsService)(&c.common)
	c.Users = (*UsersService)(&c.common)
	return c, nil
}

// FromEnv returns the options that read SYNCHROTEAM_DOMAIN,
// SYNCHROTEAM_API_KEY or SYNCHROTEAM_API_KEY_FILE (see ReadKeyFile; both
// set is an error) and SYNCHROTEAM_URL (optional).
func FromEnv() []Option {
	opts := []Option{func(c *Client) error {
		key, err := KeyFromEnv(os.Getenv)
		if err != nil {
			return err
		}
		if err := WithCredentials(os.Getenv(EnvDomain), key)(c); err != nil {
			return fmt.Errorf("%w: set %s and %s (or %s)", err, EnvDomain, EnvAPIKey, EnvAPIKeyFile)
		}
		return nil
	}}
	if u := os.Getenv(EnvURL); u != "" {
		opts = append(opts, WithBaseURL(u))
	}
	return opts
}

func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	t.MaxIdleConnsPerHost = 64
	return t
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// A *url.Error quotes the whole URL, userinfo included: keep its reason only.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("synchroteam: base URL: %w", err)
	}
	if u.User != nil {
		return nil, errors.New("synchroteam: base URL must not carry credentials; use SYNCHROTEAM_DOMAIN and SYNCHROTEAM_API_KEY")
	}
	if u.Host == "" {
		return nil, fmt.Errorf("synchroteam: base URL %q has no host", u.Redacted())
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("synchroteam: plain http is refused for %s: use https (http is accepted only for a loopback sandbox)", u.Host)
		}
	default:
		return nil, fmt.Errorf("synchroteam: base URL scheme %q: want https", u.Scheme)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL returns the base URL the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// Domain returns the Synchroteam domain of the credentials.
func (c *Client) Domain() string { return c.auth.domain }

// Host returns the host (and port) of the API's base URL.
func (c *Client) Host() string { return c.base.Host }

// String describes the client without its key.
func (c *Client) String() string {
	return "synchroteam.Client{" + c.base.String() + ", domain " + c.auth.domain + "}"
}

// Limiter returns the client's rate limiter (shared by every request).
func (c *Client) Limiter() *rate.Limiter { return c.limiter }

// QuotaRemaining returns the last X-Quota-Remaining the server sent.
func (c *Client) QuotaRemaining() (int64, bool) {
	q := c.quota.Load()
	return q, q >= 0
}

// Counters are the client's running totals.
type Counters struct {
	Requests    int64 // HTTP attempts sent
	Retries     int64 // attempts that were retries
	RateLimited int64 // 429 answers
}

// Counters returns the totals so far.
func (c *Client) Counters() Counters {
	return Counters{Requests: c.requests.Load(), Retries: c.retries.Load(), RateLimited: c.limited.Load()}
}

// call describes one API request.
type call struct {
	method   string
	path     string // escaped, below the base URL, e.g. "/Api/v2/Customer/Send"
	query    url.Values
	body     any
	safe     bool // repeating it cannot apply it twice (read, keyed upsert, delete, set)
	endpoint string
	// stream, when set, is the body (JSON) in place of body: it is opened
	// anew for each attempt, and sent as it is read.
	stream func() (io.ReadCloser, int64, error)
	// decode, when set, reads a 2xx answer as it arrives, in place of out:
	// it is called for each attempt that gets one. Its errors are those
	// of the data (*Error, not retried), but for a failure of the
	// connection (retried as a transport failure) and for the errors of a
	// DataSink (returned as they are).
	decode func(io.Reader) error
}

// do sends the call with retries and decodes a 2xx body into out (when not
// nil). Failures are returned as typed errors; see CheckResponse.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	var payload []byte
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return fmt.Errorf("synchroteam: %s: encoding the request: %w", cl.endpoint, err)
		}
		payload = b
	}
	// cl.path is escaped (names in list paths may hold spaces or slashes).
	u := *c.base
	escaped := c.base.EscapedPath() + cl.path
	unescaped, err := url.PathUnescape(escaped)
	if err != nil {
		return fmt.Errorf("synchroteam: %s: bad path: %w", cl.endpoint, err)
	}
	u.Path, u.RawPath = unescaped, escaped
	if len(cl.query) > 0 {
		u.RawQuery = cl.query.Encode()
	}
	start := time.Now()
	refusals := 0
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			c.retries.Add(1)
		}
		body, retryErr, err := c.attempt(ctx, cl, u.String(), payload)
		if err == nil {
			if out == nil || cl.decode != nil {
				return nil
			}
			if derr := json.Unmarshal(body, out); derr != nil {
				e := &Error{Method: cl.method, Endpoint: cl.endpoint, StatusCode: http.StatusOK,
					Message: "unreadable response: " + derr.Error(), Body: snippet(body)}
				c.redact(e)
				if !cl.safe {
					// The server answered 2xx: it most likely applied it.
					return &OutcomeUnknownError{Method: cl.method, Endpoint: cl.endpoint, Err: e}
				}
				return e
			}
			return nil
		}
		if retryErr == nil {
			return err
		}
		wait := c.retry.backoff(attempt, retryErr.after)
		if retryErr.kind == failRefused {
			refusals++
			wait = refusedDelay << (refusals - 1)
			if refusals >= refusedAttempts || c.refused.persistent() || attempt >= c.retry.MaxAttempts || time.Since(start)+wait > c.retry.MaxElapsed {
				return c.unreachable(retryErr.exhausted(attempt), retryErr.reason)
			}
		} else if attempt >= c.retry.MaxAttempts || time.Since(start)+wait > c.retry.MaxElapsed {
			exhausted := retryErr.exhausted(attempt)
			silent := time.Since(time.Unix(0, c.answered.Load()))
			if retryErr.transport && silent >= c.retry.silence() {
				return c.unreachable(exhausted, fmt.Sprintf("no request was answered for %v: %v", silent.Round(time.Second), exhausted))
			}
			return exhausted
		}
		c.logRetry(cl.endpoint, attempt, wait, err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("synchroteam: %s: %w (last failure: %w)", cl.endpoint, ctx.Err(), err)
		case <-t.C:
		}
	}
}

type wireKey struct{}

// WithWireContext returns a context for calls whose waits (for the rate
// limiter, before a retry) end with ctx, while a request already sent is
// carried by wire. Cancelling ctx then starts no new request and lets the
// ones in flight finish, until wire ends too: a graceful stop.
func WithWireContext(ctx, wire context.Context) context.Context {
	return context.WithValue(ctx, wireKey{}, wire)
}

func wireContext(ctx context.Context) context.Context {
	if w, ok := ctx.Value(wireKey{}).(context.Context); ok {
		return w
	}
	return ctx
}

// retryable is a failure the retry policy may repeat.
type retryable struct {
	err       error
	after     time.Duration // the server's Retry-After, if any
	transport bool          // no HTTP answer
	kind      failure       // for a transport failure
	reason    string        // for a refused connection: what the dial said
}

// refusals counts the attempts refused in a row, whatever the call: when
// every worker meets a refusal, the API is unreachable sooner than one call
// alone would find out.
type refusals struct {
	mu    sync.Mutex
	n     int
	since time.Time // the first refusal of the row
}

func (r *refusals) add() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 {
		r.since = time.Now()
	}
	r.n++
}

func (r *refusals) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n = 0
}

// persistent reports refusals in a row long and many enough to give up.
func (r *refusals) persistent() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n >= refusedAttempts && time.Since(r.since) >= refusedWindow
}

// unreachable is the error of a call that found the API unreachable.
func (c *Client) unreachable(last error, reason string) error {
	return &UnreachableError{Host: c.base.Host, Reason: reason, Err: last}
}

func (r *retryable) exhausted(attempts int) error {
	return &RetriesExhaustedError{Attempts: attempts, Err: r.err}
}

// attempt sends one request. It returns the body of a successful answer, or
// an error and, when that error may be retried, a non-nil *retryable.
func (c *Client) attempt(ctx context.Context, cl call, target string, payload []byte) ([]byte, *retryable, error) {
	// A pause after a 429 holds the requests already given their turn by
	// the limiter too: they wait again until no pause is pending.
	for {
		if err := c.pace.wait(ctx); err != nil {
			return nil, nil, fmt.Errorf("synchroteam: %s: waiting after a 429: %w: %w", cl.endpoint, ErrNotStarted, err)
		}
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, nil, fmt.Errorf("synchroteam: %s: waiting for the rate limiter: %w: %w", cl.endpoint, ErrNotStarted, err)
		}
		if !c.pace.paused() {
			break
		}
	}
	wire := wireContext(ctx)
	actx, cancel := context.WithTimeout(wire, c.timeout)
	defer cancel()
	var written atomic.Bool
	var handshake atomic.Pointer[error]
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { written.Store(true) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err != nil {
				handshake.Store(&err)
			}
		},
	})
	handshakeErr := func() error {
		if p := handshake.Load(); p != nil {
			return *p
		}
		return nil
	}
	var rd io.Reader
	size := int64(len(payload))
	switch {
	case cl.stream != nil:
		body, n, err := cl.stream()
		if err != nil {
			return nil, nil, fmt.Errorf("synchroteam: %s: reading the request body: %w", cl.endpoint, err)
		}
		defer body.Close()
		rd, size = body, n
	case payload != nil:
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, cl.method, target, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("synchroteam: %s: %w", cl.endpoint, err)
	}
	req.Header = c.defaultHeaders.Clone()
	if rd != nil {
		req.ContentLength = size
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", c.auth.header())
	c.requests.Add(1)
	c.timeline.request()
	resp, err := c.http.Do(req)
	if err != nil {
		r, terr := c.transportFailure(wire, cl, err, written.Load(), handshakeErr())
		return nil, r, terr
	}
	defer resp.Body.Close()
	c.answered.Store(time.Now().UnixNano())
	c.refused.reset()
	c.noteQuota(resp.Header)
	if cl.decode != nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
		r, err := c.decodeBody(wire, cl, resp)
		return nil, r, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if rerr != nil {
		r, terr := c.transportFailure(wire, cl, rerr, true, nil)
		return nil, r, terr
	}
	if len(body) > maxBody {
		return nil, nil, &Error{Method: cl.method, Endpoint: cl.endpoint, StatusCode: resp.StatusCode,
			Message: fmt.Sprintf("the response is larger than %d MiB", maxBody>>20)}
	}
	if cerr := CheckResponse(cl.method, cl.endpoint, resp, body); cerr != nil {
		c.redact(cerr)
		var rl *RateLimitError
		if errors.As(cerr, &rl) {
			c.limited.Add(1)
			rc := c.pace.limited(c.limiter, rl.RetryAfter)
			c.logLimited(cl.endpoint, rl.RetryAfter, rc)
			c.timeline.rateLimited(&c.pace, c.limiter)
			return nil, &retryable{err: cerr, after: rl.RetryAfter}, cerr
		}
		if shouldRetryStatus(resp.StatusCode, cl.safe) {
			// A 503 for maintenance may say when to come back.
			after := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
			return nil, &retryable{err: cerr, after: after}, cerr
		}
		if !cl.safe && ambiguousStatus(resp.StatusCode) {
			return nil, nil, &OutcomeUnknownError{Method: cl.method, Endpoint: cl.endpoint, Err: cerr}
		}
		return nil, nil, cerr
	}
	c.pace.succeeded(c.limiter)
	return body, nil, nil
}

// redact removes the credentials from what a server put in an error (a
// proxy may echo the Authorization header back in its body).
func (c *Client) redact(err error) {
	var e *Error
	if !errors.As(err, &e) {
		return
	}
	header := c.auth.header()
	token := strings.TrimPrefix(header, "Basic ")
	for _, field := range []*string{&e.Message, &e.Body, &e.Code} {
		for _, secret := range []string{header, token, c.auth.key} {
			*field = strings.ReplaceAll(*field, secret, "[redacted]")
		}
	}
}

// noteQuota remembers X-Quota-Remaining.
func (c *Client) noteQuota(h http.Header) {
	v := strings.TrimSpace(h.Get("X-Quota-Remaining"))
	if v == "" {
		return
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		c.quota.Store(n)
		c.logQuota(n)
	}
}

// maxBody bounds what is read of one response (photos and PDFs included).
const maxBody = 512 << 20

// transportFailure classifies a failure without a complete HTTP answer
// (see the table in retry.go). handshake is the error of the attempt's TLS
// handshake, if it failed.
func (c *Client) transportFailure(ctx context.Context, cl call, err error, written bool, handshake error) (*retryable, error) {
	e := &TransportError{Method: cl.method, Endpoint: cl.endpoint, Err: scrub(err)}
	if ctx.Err() != nil {
		// The caller's own cancellation or deadline: not retried. A request
		// already written may have been applied all the same.
		if written && !cl.safe {
			return nil, &OutcomeUnknownError{Method: cl.method, Endpoint: cl.endpoint, Err: e}
		}
		return nil, e
	}
	switch classifyTransport(err, handshake) {
	case failTLS:
		cause := err
		if handshake != nil {
			cause = handshake
		}
		return nil, c.unreachable(e, "the TLS handshake failed (not retried): "+scrub(cause).Error())
	case failRefused:
		c.refused.add()
		return &retryable{err: e, transport: true, kind: failRefused, reason: refusal(err)}, e
	}
	if !written || cl.safe {
		return &retryable{err: e, transport: true}, e
	}
	// The request reached the server and the answer was lost: the server may
	// have applied it. Repeating a create that carries no key could apply it
	// twice, so the caller has to find out.
	return nil, &OutcomeUnknownError{Method: cl.method, Endpoint: cl.endpoint, Err: e}
}

// refusal says why a connection could not be opened: the system's words
// for a refusal ("connection refused"), or the name that did not resolve.
func refusal(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "host name " + dns.Name + " not found"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return scrub(err).Error()
}

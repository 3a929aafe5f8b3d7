package synchroteam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Sentinels for errors.Is. Every *Error matches the one of its status.
var (
	ErrUnauthorized = errors.New("authentication refused")                   // 401
	ErrForbidden    = errors.New("access forbidden")                         // 403
	ErrNotFound     = errors.New("not found")                                // 404
	ErrRateLimited  = errors.New("rate limited")                             // 429
	ErrRejected     = errors.New("rejected by the API")                      // 400, 405, 406 and error envelopes of 2xx answers
	ErrServer       = errors.New("server error")                             // 5xx
	ErrOutcome      = errors.New("outcome unknown: check before re-sending") // see OutcomeUnknownError
	ErrNotStarted   = errors.New("not sent")                                 // the call was canceled before its request left
)

// Error is an answer of the API that reports a failure: a non-2xx status, or
// a 2xx whose envelope says the request was not applied ({"code": 0,
// "message": "..."}). It never holds credentials.
type Error struct {
	Method     string
	Endpoint   string      // e.g. "Customer/Send"
	StatusCode int         // HTTP status (200 for an envelope failure)
	Code       string      // the body's "code", when present
	Message    string      // the body's "message", "msg" or "Message"
	Items      []ItemError // per-item failures of batch endpoints
	Body       string      // the start of a body that was not JSON
}

// ItemError is one item a batch endpoint (Part/Prices,
// Inventory/Quantities) reports as not applied.
type ItemError struct {
	Index     int    // position in the request, -1 when it could not be matched
	ID        string // part id, when the API names it
	Reference string // part reference, when the API names it
	Depot     string // depot, for inventory
	Value     string // the price or quantity echoed back
	Message   string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "synchroteam: %s %s: ", e.Method, e.Endpoint)
	if e.StatusCode != http.StatusOK {
		fmt.Fprintf(&b, "HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	} else {
		b.WriteString("rejected")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	} else if e.Body != "" {
		b.WriteString(": " + e.Body)
	}
	if n := len(e.Items); n > 0 {
		fmt.Fprintf(&b, " (%d item(s) not applied)", n)
	}
	return b.String()
}

// Is matches the sentinel of the error's status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500
	case ErrRejected:
		return e.StatusCode < 500 && e.StatusCode != http.StatusUnauthorized &&
			e.StatusCode != http.StatusForbidden && e.StatusCode != http.StatusNotFound &&
			e.StatusCode != http.StatusTooManyRequests
	}
	return false
}

// RateLimitError is a 429 answer. RetryAfter is the server's Retry-After
// (zero when it sent none).
type RateLimitError struct {
	Err        *Error
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("%v (retry after %v)", e.Err, e.RetryAfter)
	}
	return e.Err.Error()
}
func (e *RateLimitError) Unwrap() error { return e.Err }

// TransportError is a failure without an HTTP answer: connection refused or
// reset, TLS failure, timeout.
type TransportError struct {
	Method, Endpoint string
	Err              error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("synchroteam: %s %s: %v", e.Method, e.Endpoint, e.Err)
}
func (e *TransportError) Unwrap() error { return e.Err }

// UnreachableError reports that the API cannot be reached at all, so that
// no other request can succeed either: the connection is refused or the host
// name is not found (after a few quick attempts), the TLS handshake or the
// server's certificate fails (never repeated), or connections were lost
// while no request of the client was answered for the whole of a call's
// retries (see the table in retry.go). It wraps the last failure.
type UnreachableError struct {
	Host   string // host (and port) of the API's base URL
	Reason string // what failed, e.g. "connection refused"
	Err    error  // a *TransportError, or a *RetriesExhaustedError around one
}

func (e *UnreachableError) Error() string {
	return "the API is unreachable at " + e.Host + ": " + e.Reason
}
func (e *UnreachableError) Unwrap() error { return e.Err }

// OutcomeUnknownError reports a request that reached the server but whose
// answer was lost or was a server error, for a request that is not safe to
// repeat (a create without a key, an "add"): the server may have applied it.
// It is not retried; check the target before sending it again.
type OutcomeUnknownError struct {
	Method, Endpoint string
	Err              error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("synchroteam: %s %s: outcome unknown, the server may have applied it (not retried: the request carries no key): %v",
		e.Method, e.Endpoint, e.Err)
}
func (e *OutcomeUnknownError) Unwrap() error        { return e.Err }
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcome }

// RetriesExhaustedError wraps the last failure once the retry policy gave up.
type RetriesExhaustedError struct {
	Attempts int
	Err      error
}

func (e *RetriesExhaustedError) Error() string {
	return fmt.Sprintf("%v (gave up after %d attempts)", e.Err, e.Attempts)
}
func (e *RetriesExhaustedError) Unwrap() error { return e.Err }

// CheckResponse turns a non-2xx answer into an *Error (a *RateLimitError for
// 429). body is the answer's body, already read. 2xx answers return nil:
// their envelopes differ by endpoint and are checked by each method.
func CheckResponse(method, endpoint string, resp *http.Response, body []byte) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := &Error{Method: method, Endpoint: endpoint, StatusCode: resp.StatusCode}
	var env envelope
	if json.Unmarshal(body, &env) == nil {
		e.Code = scalarString(env.Code)
		e.Message = env.message()
	} else {
		e.Body = snippet(body)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return &RateLimitError{Err: e, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	return e
}

// envelope is the common shape of the API's answers to writes.
type envelope struct {
	Code    json.RawMessage `json:"code"`
	Message json.RawMessage `json:"message"`
	Msg     json.RawMessage `json:"msg"`
	Result  json.RawMessage `json:"result"`
	Data    json.RawMessage `json:"data"`
	Errors  json.RawMessage `json:"errors"`
}

// message returns the first non-empty of message, msg (string or list).
func (env *envelope) message() string {
	if m := messageText(env.Message); m != "" {
		return m
	}
	return messageText(env.Msg)
}

// messageText reads a message sent as a string, a list of strings or null.
func messageText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	if raw[0] == '[' {
		var list Strings
		if json.Unmarshal(raw, &list) == nil {
			return strings.Join(list, "; ")
		}
		return snippet(raw)
	}
	return scalarString(raw)
}

// scalarString returns the text of a JSON scalar, "" for null or non-scalars.
func scalarString(raw json.RawMessage) string {
	s, _, err := scalarText(raw)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// codeInt reads the envelope's code as an integer (0 when absent).
func (env *envelope) codeInt() (int64, bool) {
	s := scalarString(env.Code)
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func (env *envelope) reject(method, endpoint string) *Error {
	msg := env.message()
	if msg == "" {
		msg = "the API answered code " + strconvOr(scalarString(env.Code), "(none)") + " without a message"
	}
	return &Error{Method: method, Endpoint: endpoint, StatusCode: http.StatusOK, Code: scalarString(env.Code), Message: msg}
}

func strconvOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > 3600*24 {
			secs = 3600 * 24
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// snippet returns the start of a body as printable text.
func snippet(b []byte) string {
	const max = 200
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, string(bytes.TrimSpace(b)))
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}

// scrub drops the URL that net/http puts in its errors (the endpoint is
// already named) so that no query value or host detail leaks twice.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

package synchroteam

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
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
	// Silence: a call whose retries are exhausted on lost connections
	// finds the API unreachable when no request of the client got an HTTP
	// answer for this long (0 means DefaultSilence).
	Silence time.Duration
}

// DefaultSilence is the default of RetryPolicy.Silence.
const DefaultSilence = 10 * time.Second

// DefaultRetryPolicy: 8 attempts within 5 minutes, backoff from 500 ms to 30 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 8, MaxElapsed: 5 * time.Minute, BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second, Silence: DefaultSilence}
}

func (p RetryPolicy) silence() time.Duration {
	if p.Silence > 0 {
		return p.Silence
	}
	return DefaultSilence
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

// The transport failures (no HTTP answer) and what is done with them; see
// classifyTransport:
//
//	TLS handshake or certificate failure (an x509 error, a
//	tls.RecordHeaderError: not TLS at all, a tls.AlertError or any failed
//	handshake other than a timeout or a lost connection)
//	                         never repeated: the API is unreachable
//	                         (*UnreachableError), every other request would
//	                         fail the same
//	connection refused, host name not found
//	                         repeated quickly (after refusedDelay, then twice
//	                         that), then the API is unreachable: after
//	                         refusedAttempts attempts of the call, or once
//	                         the client's attempts were refused that many
//	                         times in a row for refusedWindow
//	connection lost or timed out before the request was written
//	                         repeated, as a 503
//	connection lost or timed out after it was written
//	                         repeated only when repeating is safe; otherwise
//	                         *OutcomeUnknownError
//
// A call whose retries are exhausted on a lost connection fails alone while
// the API answers at all (any status, to this call or to another of the
// client); when no request of the client got an HTTP answer for
// RetryPolicy.Silence (10 s by default), the API is unreachable.
const (
	refusedAttempts = 3
	refusedDelay    = 300 * time.Millisecond
	refusedWindow   = 900 * time.Millisecond
)

// failure is the kind of a transport failure.
type failure int

const (
	failLost    failure = iota // lost, reset or timed out: the table's last rows
	failRefused                // connection refused, host not found
	failTLS                    // TLS handshake or certificate failure
)

// classifyTransport tells the kind of a transport failure, from its typed
// errors. handshake is the error of a TLS handshake of the attempt, if one
// failed.
func classifyTransport(err, handshake error) failure {
	var (
		unknownCA   x509.UnknownAuthorityError
		hostname    x509.HostnameError
		invalid     x509.CertificateInvalidError
		roots       x509.SystemRootsError
		constraint  x509.ConstraintViolationError
		critical    x509.UnhandledCriticalExtension
		algorithm   x509.InsecureAlgorithmError
		verify      *tls.CertificateVerificationError
		record      tls.RecordHeaderError
		alert       tls.AlertError
		dns         *net.DNSError
		netErr      net.Error
		certificate = errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
			errors.As(err, &roots) || errors.As(err, &constraint) || errors.As(err, &critical) || errors.As(err, &algorithm) ||
			errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert)
	)
	switch {
	case certificate:
		return failTLS
	case handshake != nil && !(errors.As(handshake, &netErr) && netErr.Timeout()) &&
		!errors.Is(handshake, io.EOF) && !errors.Is(handshake, io.ErrUnexpectedEOF) && !errors.Is(handshake, syscall.ECONNRESET):
		// An alert from the server (no exported type over TCP), a
		// protocol version or cipher it does not share.
		return failTLS
	case errors.Is(err, syscall.ECONNREFUSED), errors.As(err, &dns) && dns.IsNotFound:
		return failRefused
	}
	return failLost
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

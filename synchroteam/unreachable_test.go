package synchroteam

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// newDefaultClient is a client of url with the default retry policy and
// rate, as stbulk runs it.
func newDefaultClient(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(append([]Option{WithBaseURL(url), WithCredentials(testDomain, testKey)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A TLS failure is never repeated: every other request would fail the
// same. The call fails after one request (the counters, not a clock, say
// so on a busy machine), *UnreachableError saying why.
func TestTLSFailureNotRetried(t *testing.T) {
	t.Parallel()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(w, 200, customerJSON) })
	selfSigned := httptest.NewTLSServer(handler)
	t.Cleanup(selfSigned.Close)
	plain := httptest.NewServer(handler)
	t.Cleanup(plain.Close)
	// A server that wants a client certificate, over TLS 1.2 (its alert
	// comes during the handshake), trusted by the client.
	wantsCert := httptest.NewUnstartedServer(handler)
	wantsCert.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert, MaxVersion: tls.VersionTLS12}
	wantsCert.StartTLS()
	t.Cleanup(wantsCert.Close)
	trusting := wantsCert.Client()

	for _, tt := range []struct {
		name, url string
		opts      []Option
	}{
		{"self-signed certificate", selfSigned.URL, nil},
		{"not TLS", "https://" + strings.TrimPrefix(plain.URL, "http://"), nil},
		{"handshake alert", wantsCert.URL, []Option{WithHTTPClient(trusting)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newDefaultClient(t, tt.url, tt.opts...)
			err := getCustomer(context.Background(), c)
			var ue *UnreachableError
			var te *TransportError
			if !errors.As(err, &ue) || !errors.As(err, &te) || ue.Host != c.Host() {
				t.Fatalf("error = %v (%T), want an *UnreachableError of %s around a *TransportError", err, err, c.Host())
			}
			if !strings.HasPrefix(err.Error(), "the API is unreachable at "+c.Host()+": the TLS handshake failed") {
				t.Errorf("error %q does not say the TLS handshake failed", err)
			}
			if n := c.Counters(); n.Requests != 1 || n.Retries != 0 {
				t.Errorf("Counters = %+v, want one request, no retry", n)
			}
		})
	}
}

// An API that refuses connections is tried a few times quickly, then the
// call stops: the API is unreachable, in seconds rather than after the
// whole retry policy.
func TestConnectionRefusedStopsQuickly(t *testing.T) {
	t.Parallel()
	addr := closedAddr(t)
	c := newDefaultClient(t, "http://"+addr)
	start := time.Now()
	err := keyedCreate(context.Background(), c)
	took := time.Since(start)
	var ue *UnreachableError
	var re *RetriesExhaustedError
	if !errors.As(err, &ue) || !errors.As(err, &re) || re.Attempts != refusedAttempts {
		t.Fatalf("error = %v (%T), want an *UnreachableError after %d attempts", err, err, refusedAttempts)
	}
	if want := "the API is unreachable at " + addr + ": connection refused"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if took > 3*time.Second {
		t.Errorf("failed after %v, want within 3s", took)
	}
}

// A host name that does not resolve is the same (the resolver's answer is
// the test's: the machine may have no DNS).
func TestHostNotFoundStopsQuickly(t *testing.T) {
	t.Parallel()
	notFound := &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}}
	c := newDefaultClient(t, "https://no-such-host.invalid", WithHTTPClient(&http.Client{Transport: notFound}))
	start := time.Now()
	err := getCustomer(context.Background(), c)
	var ue *UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(ue.Reason, "no-such-host.invalid not found") {
		t.Fatalf("error = %v (%T), want an *UnreachableError naming the host", err, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("failed after %v, want within a few seconds", took)
	}
}

// A call whose retries are exhausted on lost connections fails alone while
// the API answers other requests; when it answers none, the API is
// unreachable.
func TestLostConnectionsFailAloneWhileTheAPIAnswers(t *testing.T) {
	t.Parallel()
	policy := RetryPolicy{MaxAttempts: 4, MaxElapsed: 10 * time.Second, BaseDelay: 20 * time.Millisecond, MaxDelay: 40 * time.Millisecond, Silence: 100 * time.Millisecond}
	c, mux := setup(t, WithRetryPolicy(policy))
	var allLost atomic.Bool
	mux.HandleFunc("POST /Api/v2/Customer/Send", func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, 512)
		n, _ := r.Body.Read(body)
		if allLost.Load() || strings.Contains(string(body[:n]), "DOOMED") {
			hangUp(false)(w, r)
			return
		}
		answer(w, 200, createdJSON)
	})
	send := func(myID string) error {
		return second(c.Customers.Send(context.Background(), &Customer{MyID: myID, Name: "x"}))
	}

	// Other rows are answered while the doomed one is retried.
	done := make(chan error, 1)
	go func() { done <- send("DOOMED") }()
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		default:
			if e := send("C-1"); e != nil {
				t.Fatalf("a good row: %v", e)
			}
		}
	}
	var re *RetriesExhaustedError
	var te *TransportError
	var ue *UnreachableError
	if !errors.As(err, &re) || !errors.As(err, &te) || errors.As(err, &ue) {
		t.Fatalf("the doomed row: %v (%T), want retries exhausted on a *TransportError, the API not unreachable", err, err)
	}

	// Nothing answered for longer than the policy's Silence.
	allLost.Store(true)
	time.Sleep(policy.Silence)
	err = send("C-2")
	if !errors.As(err, &ue) || !errors.As(err, &re) || !strings.Contains(ue.Reason, "no request was answered for") {
		t.Fatalf("every connection lost: %v (%T), want an *UnreachableError", err, err)
	}
}

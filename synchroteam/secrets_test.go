package synchroteam

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// secretForms are the forms in which the key could leak: as given, and
// inside the Authorization header.
func secretForms(key string) []string {
	return []string{
		key,
		base64.StdEncoding.EncodeToString([]byte(testDomain + ":" + key)),
		base64.RawStdEncoding.EncodeToString([]byte(testDomain + ":" + key)),
	}
}

// assertNoSecret fails when any printed form of v holds the key.
func assertNoSecret(t *testing.T, what string, v any, key string) {
	t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(verb, v)
		for _, secret := range secretForms(key) {
			if strings.Contains(out, secret) {
				t.Errorf("%s printed with %s holds the key: %s", what, verb, out)
			}
		}
	}
}

// assertErrorHasNoSecret checks the error and every error it wraps.
func assertErrorHasNoSecret(t *testing.T, what string, err error, key string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	for depth, queue := 0, []error{err}; len(queue) > 0 && depth < 50; depth++ {
		e := queue[0]
		queue = queue[1:]
		assertNoSecret(t, fmt.Sprintf("%s (%T)", what, e), e, key)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				queue = append(queue, next)
			}
		case interface{ Unwrap() []error }:
			queue = append(queue, u.Unwrap()...)
		}
	}
}

// Every kind of failure is reported without the key.
func TestKeyNeverInErrors(t *testing.T) {
	t.Parallel()
	type scenario struct {
		name string
		run  func(t *testing.T) error
	}
	// onServer answers pattern with handler and returns the call's error.
	onServer := func(pattern string, h http.Handler, call func(context.Context, *Client) error, opts ...Option) func(t *testing.T) error {
		return func(t *testing.T) error {
			c, mux := setup(t, opts...)
			mux.Handle(pattern, h)
			return call(context.Background(), c)
		}
	}
	const get, send = "GET /Api/v2/Customer/Details", "POST /Api/v2/Customer/Send"
	scenarios := []scenario{
		{"401", onServer(get, status(401, `{"Message":"Authorization has been denied for this request."}`), getCustomer)},
		{"400", onServer(get, status(400, `{"code":0,"message":"bad"}`), getCustomer)},
		{"403 text", onServer(get, status(403, "Forbidden"), getCustomer)},
		{"404 HTML", onServer(get, status(404, "<html><body>Not Found</body></html>"), getCustomer)},
		{"405", onServer(send, status(405, ""), keyedCreate)},
		{"406", onServer(send, status(406, `{"Message":"Not acceptable"}`), keyedCreate)},
		{"500 unkeyed create", onServer(send, status(500, `{"Message":"An error has occurred."}`), unkeyedCreate)},
		{"503 exhausted", onServer(get, status(503, "maintenance"), getCustomer)},
		{"429 exhausted", onServer(get, tooMany("0.001"), getCustomer)},
		{"hang-up unkeyed create", onServer(send, hangUp(true), unkeyedCreate)},
		{"hang-up read exhausted", onServer(get, hangUp(false), getCustomer)},
		{"attempt timeout", onServer(send, script(stall), unkeyedCreate, WithTimeout(20*time.Millisecond))},
		{"envelope rejection", onServer(send, status(200, `{"code":0,"message":"The name is mandatory"}`), keyedCreate)},
		{"unreadable answer", onServer(get, status(200, "<html>maintenance</html>"), getCustomer)},
		{"part prices", onServer("PUT /Api/v2/Part/Prices", status(200, `{"code":0,"errors":[{"id":"1","price":"2","reference":null}]}`),
			func(ctx context.Context, c *Client) error {
				return c.Parts.SetPrices(ctx, []PartPrice{{ID: "1", Price: NewNumber(2)}})
			})},
		{"inventory", onServer("PUT /Api/v2/Inventory/Quantities", status(200, `{"code":0,"errors":"unknown depot"}`),
			func(ctx context.Context, c *Client) error {
				return c.Inventory.SetQuantities(ctx, []DepotQuantities{{Depot: "x"}})
			})},
		{"connection refused", func(t *testing.T) error {
			c, err := NewClient(WithBaseURL("http://"+closedAddr(t)), WithCredentials(testDomain, testKey), WithRetryPolicy(fastRetry))
			if err != nil {
				t.Fatal(err)
			}
			return unkeyedCreate(context.Background(), c)
		}},
		{"canceled while waiting", func(t *testing.T) error {
			c, mux := setup(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MaxElapsed: 3 * time.Hour}))
			mux.Handle(get, tooMany("3600"))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				for c.Counters().RateLimited == 0 {
					time.Sleep(time.Millisecond)
				}
				cancel()
			}()
			return getCustomer(ctx, c)
		}},
		{"limiter refuses", func(t *testing.T) error {
			c, _ := setup(t, WithLimiter(rate.NewLimiter(rate.Every(time.Hour), 1)))
			c.Limiter().Allow()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			return getCustomer(ctx, c)
		}},
		{"lookup refused", func(t *testing.T) error {
			c, _ := setup(t)
			return second(c.Parts.Get(context.Background(), ByMyID("p1")))
		}},
		{"empty domain", func(t *testing.T) error { return second(NewClient(WithCredentials("", testKey))) }},
		{"domain with a colon", func(t *testing.T) error { return second(NewClient(WithCredentials("acme:x", testKey))) }},
		{"base URL with the key as password", func(t *testing.T) error {
			return second(NewClient(WithCredentials(testDomain, testKey), WithBaseURL("https://acme:"+testKey+"@ws.synchroteam.com")))
		}},
		{"unparsable base URL with the key", func(t *testing.T) error {
			return second(NewClient(WithCredentials(testDomain, testKey), WithBaseURL("https://acme:"+testKey+"@ws.synchroteam.com/%zz")))
		}},
		{"base URL with a bad port and the key", func(t *testing.T) error {
			return second(NewClient(WithCredentials(testDomain, testKey), WithBaseURL("http://acme:"+testKey+"@127.0.0.1:port")))
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			assertErrorHasNoSecret(t, sc.name, sc.run(t), testKey)
		})
	}
}

func TestClientPrintsNoKey(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithCredentials(testDomain, testKey))
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	if !strings.Contains(s, testDomain) || !strings.Contains(s, DefaultURL) {
		t.Errorf("String() = %q, want the domain and base URL", s)
	}
	assertNoSecret(t, "Client", c, testKey)
	assertNoSecret(t, "Client.String()", s, testKey)
	assertNoSecret(t, "credentials", c.auth, testKey)
	assertNoSecret(t, "options", []Option{WithCredentials(testDomain, testKey)}, testKey)

	// After requests, too (headers, transport state).
	c2, mux := setup(t)
	mux.Handle("GET /Api/v2/Customer/Details", status(200, customerJSON))
	if err := getCustomer(context.Background(), c2); err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "Client after a request", c2, testKey)
}

func TestBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // "" when refused
	}{
		{"https://ws.synchroteam.com", "https://ws.synchroteam.com"},
		{"https://ws.synchroteam.com/", "https://ws.synchroteam.com"},
		{" https://proxy.example/st/?debug=1#x ", "https://proxy.example/st"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.0.0.2:8080", "http://127.0.0.2:8080"},
		{"http://localhost:9999", "http://localhost:9999"},
		{"http://LOCALHOST", "http://LOCALHOST"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"http://ws.synchroteam.com", ""},
		{"http://10.0.0.1", ""},
		{"http://192.168.1.10:8080", ""},
		{"http://127.0.0.1.example.com", ""},
		{"http://localhost.example.com", ""},
		{"http://[::ffff:10.0.0.1]", ""},
		{"https://acme:key@ws.synchroteam.com", ""},
		{"https://acme@ws.synchroteam.com", ""},
		{"http://acme:key@127.0.0.1:8080", ""},
		{"ftp://ws.synchroteam.com", ""},
		{"ws.synchroteam.com", ""},
		{"https://", ""},
		{"", ""},
		{"https://ws.synchroteam.com/%zz", ""},
	}
	for _, tt := range tests {
		c, err := NewClient(WithCredentials(testDomain, testKey), WithBaseURL(tt.in))
		if tt.want == "" {
			if err == nil {
				t.Errorf("WithBaseURL(%q) accepted as %s, want refused", tt.in, c.BaseURL())
			}
			continue
		}
		if err != nil {
			t.Errorf("WithBaseURL(%q): %v", tt.in, err)
			continue
		}
		if got := c.BaseURL(); got != tt.want {
			t.Errorf("WithBaseURL(%q).BaseURL() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUserinfoRefusalNamesNoSecret(t *testing.T) {
	t.Parallel()
	_, err := NewClient(WithCredentials(testDomain, testKey), WithBaseURL("https://acme:hunter2@ws.synchroteam.com"))
	if err == nil {
		t.Fatal("a base URL with credentials was accepted")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q holds the URL's password", err)
	}
}

func TestDefaultTransportTLS(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithCredentials(testDomain, testKey))
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.http.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T, want *http.Transport", c.http.Transport)
	}
	if tr == http.DefaultTransport {
		t.Error("the client changed http.DefaultTransport instead of a clone")
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Errorf("TLS config %+v, want MinVersion TLS 1.2", tr.TLSClientConfig)
	}
	if tr.TLSClientConfig.InsecureSkipVerify {
		t.Error("certificate verification is off")
	}
	if dt := http.DefaultTransport.(*http.Transport); dt.TLSClientConfig == tr.TLSClientConfig {
		t.Error("the TLS config is shared with http.DefaultTransport")
	}
}

// Not parallel: it sets environment variables.
func TestFromEnv(t *testing.T) {
	t.Setenv(EnvDomain, testDomain)
	t.Setenv(EnvAPIKey, testKey)
	t.Setenv(EnvURL, "http://127.0.0.1:8088")
	c, err := NewClient(FromEnv()...)
	if err != nil {
		t.Fatal(err)
	}
	if c.Domain() != testDomain || c.BaseURL() != "http://127.0.0.1:8088" || c.auth.key != testKey {
		t.Errorf("client %v", c)
	}

	t.Setenv(EnvURL, "")
	c, err = NewClient(FromEnv()...)
	if err != nil || c.BaseURL() != DefaultURL {
		t.Errorf("without %s: %v, %v", EnvURL, c, err)
	}

	t.Setenv(EnvURL, "https://acme:"+testKey+"@ws.synchroteam.com")
	_, err = NewClient(FromEnv()...)
	assertErrorHasNoSecret(t, "URL with the key", err, testKey)

	t.Setenv(EnvURL, "")
	t.Setenv(EnvAPIKey, "")
	_, err = NewClient(FromEnv()...)
	if err == nil || !strings.Contains(err.Error(), "API key") {
		t.Errorf("without a key: %v, want an error naming the API key", err)
	}
	t.Setenv(EnvDomain, "")
	t.Setenv(EnvAPIKey, testKey)
	_, err = NewClient(FromEnv()...)
	if err == nil || !strings.Contains(err.Error(), "domain") {
		t.Errorf("without a domain: %v, want an error naming the domain", err)
	}
	assertErrorHasNoSecret(t, "no domain", err, testKey)
}

// A server (or proxy) that echoes the Authorization header in its error body
// does not make the key appear in the error.
func TestEchoedCredentialsRedacted(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /Api/v2/Customer/Details", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusBadRequest, `{"message":"bad request, you sent `+r.Header.Get("Authorization")+` and key `+testKey+`"}`)
	})
	mux.HandleFunc("GET /Api/v2/Site/Details", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusBadGateway, "<html>upstream said: "+r.Header.Get("Authorization")+"</html>")
	})
	for _, err := range []error{
		second(c.Customers.Get(context.Background(), ByMyID("x"))),
		second(c.Sites.Get(context.Background(), ByMyID("x"))),
	} {
		if err == nil {
			t.Fatal("no error")
		}
		token := base64.StdEncoding.EncodeToString([]byte(testDomain + ":" + testKey))
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v %#v", err, err)} {
			if strings.Contains(text, testKey) || strings.Contains(text, token) {
				t.Errorf("the key leaks: %s", text)
			}
		}
		if !strings.Contains(err.Error(), "[redacted]") {
			t.Errorf("error %q should show where the credentials were removed", err)
		}
	}
}

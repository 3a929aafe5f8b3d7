package sandbox

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ServeHTTP answers one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.count(func(st *Stats) { st.Requests++ })
	if r.Body != nil && r.Body != http.NoBody {
		// The body must arrive in time, whatever the answer: even one the
		// handler does not read is drained by net/http. A writer that
		// cannot take a deadline (a recorder) has none.
		_ = http.NewResponseController(w).SetReadDeadline(start.Add(s.cfg.Latency + s.bodyTimeout))
	}
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
	}
	body, release, refused := s.readBody(w, r, rt)
	defer release()
	if refused != nil {
		render(w, f, *refused)
		return
	}
	if fault == faultDrop {
		held := &heldResponse{header: w.Header()}
		s.apply(held, r, rt, params, f, body)
		s.drop(w, held)
		return
	}
	s.apply(w, r, rt, params, f, body)
}

// apply reads the request's query and runs its handler on body, which
// changes the state, and writes the answer to w.
func (s *Server) apply(w http.ResponseWriter, r *http.Request, rt *route, params []string, f format, body []byte) {
	c := &call{r: r, route: rt, params: params, mu: &s.mu, body: body}
	query, order, err := lowerQuery(r.URL.RawQuery)
	if err != nil {
		render(w, f, c.invalid("malformed query: %v", err))
		return
	}
	c.query, c.qorder = query, order
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

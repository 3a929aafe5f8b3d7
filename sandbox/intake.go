package sandbox

import (
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults of the limits on how requests are received (see Config).
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultBodyTimeout       = 30 * time.Second
	defaultIdleTimeout       = 60 * time.Second
	defaultBodyBytesInFlight = 2 * maxBody
)

// bodyBudget caps the bytes of request bodies held at once, all requests
// together. It never waits: a body that does not fit is refused.
type bodyBudget struct {
	mu   sync.Mutex
	max  int64
	used int64
	peak int64 // the most held at once
}

// take reserves n bytes, or reports that they do not fit.
func (b *bodyBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.max-b.used {
		return false
	}
	b.used += n
	b.peak = max(b.peak, b.used)
	return true
}

// give returns n bytes taken.
func (b *bodyBudget) give(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
}

// errBusy ends the reading of a body that does not fit in the budget.
var errBusy = errors.New("the bodies of requests in progress fill the server's memory budget")

// heldBody is the share of the budget one request's body holds.
type heldBody struct {
	budget *bodyBudget
	taken  int64
	rd     io.Reader
	read   int64
}

// Read takes from the budget each byte read beyond what was reserved (a
// body of unknown length is counted as it arrives).
func (h *heldBody) Read(p []byte) (int, error) {
	n, err := h.rd.Read(p)
	h.read += int64(n)
	if more := h.read - h.taken; more > 0 {
		if !h.budget.take(more) {
			return n, errBusy
		}
		h.taken += more
	}
	return n, err
}

func (h *heldBody) release() { h.budget.give(h.taken) }

// readBody reads the request's body within the size limit and the memory
// budget. It returns the body and the function that gives its bytes back to
// the budget once the request is answered, or the answer that refuses it:
// 413 for a body over the size limit, 503 with Retry-After when the budget
// is full, 408 when the body is not received in time (the read deadline set
// by ServeHTTP), 400 when it cannot be read.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, rt *route) ([]byte, func(), *answer) {
	c := &call{r: r, route: rt}
	refuse := func(a answer) ([]byte, func(), *answer) { return nil, func() {}, &a }
	if r.Body == nil || r.Method == http.MethodGet {
		return nil, func() {}, nil
	}
	limit := s.maxBody
	if r.ContentLength > limit {
		return refuse(c.fail(http.StatusRequestEntityTooLarge, "the request body is %d bytes, more than the limit of %d bytes", r.ContentLength, limit))
	}
	busy := func() ([]byte, func(), *answer) {
		s.count(func(st *Stats) { st.Busy++ })
		w.Header().Set("Retry-After", "1")
		return refuse(c.fail(http.StatusServiceUnavailable, "the server is busy receiving other requests: try again later"))
	}
	h := &heldBody{budget: s.budget, rd: http.MaxBytesReader(w, r.Body, limit)}
	if r.ContentLength > 0 {
		if !s.budget.take(r.ContentLength) {
			return busy()
		}
		h.taken = r.ContentLength
	}
	var body []byte
	var err error
	if r.ContentLength > 0 {
		// The length is known: one buffer of that size, no growing copies.
		body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(h, body)
	} else {
		body, err = io.ReadAll(h)
	}
	if err == nil {
		return body, h.release, nil
	}
	h.release()
	var tooBig *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &tooBig):
		return refuse(c.fail(http.StatusRequestEntityTooLarge, "the request body is more than the limit of %d bytes", limit))
	case errors.Is(err, errBusy):
		return busy()
	case errors.As(err, &ne) && ne.Timeout():
		s.count(func(st *Stats) { st.SlowBodies++ })
		w.Header().Set("Connection", "close")
		return refuse(c.fail(http.StatusRequestTimeout, "the request body was not received within %v", s.bodyTimeout))
	}
	return refuse(c.invalid("the request body could not be read: %v", err))
}

// orDefault is v, or def when v is 0.
func orDefault[T int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

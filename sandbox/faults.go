package sandbox

import (
	"bytes"
	"fmt"
	"net/http"
)

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

package sandbox

import (
	"bufio"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// faultsOff stops fault injection (for tests that inspect the state after).
func (s *Server) faultsOff() {
	s.faultMu.Lock()
	s.rates = faultRates{}
	s.faultMu.Unlock()
}

// hijackRecorder is a recorder whose connection can be taken over, as an
// HTTP/1 server's can: Hijack hands out one end of a pipe and notes it.
type hijackRecorder struct {
	*httptest.ResponseRecorder
	hijacked bool
}

func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	mine, theirs := net.Pipe()
	theirs.Close()
	h.hijacked = true
	return mine, bufio.NewReadWriter(bufio.NewReader(mine), bufio.NewWriter(mine)), nil
}

// dropped is the outcome of a request whose connection was dropped.
const dropped = "dropped"

// outcome sends a customer creation to s through a hijackable recorder and
// returns the status ("200", "503", ...) or dropped.
func outcome(t *testing.T, s *Server, i int) string {
	t.Helper()
	req := httptest.NewRequest("POST", "http://sandbox.test/Api/v2/Customer/Send",
		strings.NewReader(fmt.Sprintf(`{"myId":"F-%d","name":"Client %d"}`, i, i)))
	req.Header.Set("Authorization", basic(testDomain, testKey))
	req.Header.Set("Content-Type", "application/json")
	rec := &hijackRecorder{ResponseRecorder: httptest.NewRecorder()}
	s.ServeHTTP(rec, req)
	if rec.hijacked {
		if rec.Body.Len() != 0 {
			t.Fatalf("request %d: dropped after writing %q", i, rec.Body.String())
		}
		return dropped
	}
	return strconv.Itoa(rec.Code)
}

// Each fault kind alone at rate 1, through a real connection: the status and
// Retry-After it answers, or the error a client sees, whether the state
// changed, and the counters.
func TestFaultKinds(t *testing.T) {
	t.Parallel()
	const n = 20
	for _, tc := range []struct {
		name     string
		cfg      Config
		statuses []int // the statuses allowed (none: every request is dropped)
		applied  bool  // the customers were created all the same
		want     Stats // Faults, Failed, Limited, Dropped and RateLimited
	}{
		{"FailRate", Config{FailRate: 1}, []int{500, 503}, false, Stats{Faults: n, Failed: n}},
		{"LimitRate", Config{LimitRate: 1}, []int{429}, false, Stats{Faults: n, Limited: n, RateLimited: n}},
		{"DropRate", Config{DropRate: 1}, nil, true, Stats{Faults: n, Dropped: n}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			cfg.Domain, cfg.APIKey, cfg.Seed = testDomain, testKey, 3
			r, err := Start(cfg, "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			// No connection is reused: the transport retries nothing itself.
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			seen := map[int]int{}
			for i := range n {
				body := fmt.Sprintf(`{"myId":"K-%d","name":"Client %d"}`, i, i)
				req, _ := http.NewRequest("POST", r.URL+"/Api/v2/Customer/Send", strings.NewReader(body))
				req.Header.Set("Authorization", basic(testDomain, testKey))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if tc.statuses == nil {
					if err == nil {
						resp.Body.Close()
						t.Fatalf("request %d: answered %d, want a dropped connection", i, resp.StatusCode)
					}
					continue
				}
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				resp.Body.Close()
				seen[resp.StatusCode]++
				retry := resp.Header.Get("Retry-After")
				switch resp.StatusCode {
				case 503, 429:
					if retry != "1" {
						t.Errorf("request %d: %d with Retry-After %q, want 1", i, resp.StatusCode, retry)
					}
				case 500:
					if retry != "" {
						t.Errorf("request %d: 500 with Retry-After %q", i, retry)
					}
				default:
					t.Errorf("request %d: status %d, want one of %v", i, resp.StatusCode, tc.statuses)
				}
				if resp.StatusCode == 429 && resp.Header.Get("X-Quota-Remaining") != "100000" {
					t.Errorf("request %d: an injected 429 spent the quota: X-Quota-Remaining %q", i, resp.Header.Get("X-Quota-Remaining"))
				}
			}
			for _, st := range tc.statuses {
				if seen[st] == 0 {
					t.Errorf("statuses %v: no %d", seen, st)
				}
			}
			st := r.Server.Stats()
			type counts struct{ Faults, Failed, Limited, Dropped, RateLimited, QuotaRejected int }
			got := counts{st.Faults, st.Failed, st.Limited, st.Dropped, st.RateLimited, st.QuotaRejected}
			want := counts{tc.want.Faults, tc.want.Failed, tc.want.Limited, tc.want.Dropped, tc.want.RateLimited, 0}
			if got != want || st.Requests != n {
				t.Errorf("stats %+v (%d requests), want %+v (%d)", got, st.Requests, want, n)
			}
			r.Server.faultsOff()
			for i := range n {
				d := send(t, r.Server, "GET", fmt.Sprintf("/Api/v2/Customer/Details?myId=K-%d", i), "")
				if (d.status == 200) != tc.applied {
					t.Errorf("customer K-%d: lookup answered %d; applied: want %v", i, d.status, tc.applied)
				}
			}
		})
	}
}

// A request to drop whose connection cannot be taken over (here a plain
// recorder; HTTP/2 alike) is answered normally, applied, and not counted.
func TestDropWithoutHijack(t *testing.T) {
	t.Parallel()
	s := newServer(t, Config{DropRate: 1})
	mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"myId":"H-1","name":"Held"}`))
	if st := s.Stats(); st.Dropped != 0 || st.Faults != 0 {
		t.Errorf("stats %+v: nothing was dropped", st)
	}
	s.faultsOff()
	mustOK(t, send(t, s, "GET", "/Api/v2/Customer/Details?myId=H-1", ""))
}

// At 0.2, over 2,000 requests, each kind comes in its fraction (500 and 503
// half of FailRate each), the counters say so and every dropped request was
// applied.
func TestFaultFractions(t *testing.T) {
	t.Parallel()
	const n, tol = 2000, 0.03
	for _, tc := range []struct {
		name  string
		cfg   Config
		share map[string]float64 // expected fraction per outcome
	}{
		{"FailRate", Config{FailRate: 0.2}, map[string]float64{"500": 0.1, "503": 0.1, "200": 0.8}},
		{"LimitRate", Config{LimitRate: 0.2}, map[string]float64{"429": 0.2, "200": 0.8}},
		{"DropRate", Config{DropRate: 0.2}, map[string]float64{dropped: 0.2, "200": 0.8}},
		{"all", Config{FailRate: 0.2, LimitRate: 0.2, DropRate: 0.2},
			map[string]float64{"500": 0.1, "503": 0.1, "429": 0.2, dropped: 0.2, "200": 0.4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			cfg.Seed = 9
			s := newServer(t, cfg)
			got := map[string]int{}
			for i := range n {
				got[outcome(t, s, i)]++
			}
			for k, c := range got {
				if _, ok := tc.share[k]; !ok {
					t.Errorf("%d outcomes %s, want none", c, k)
				}
			}
			for k, want := range tc.share {
				if f := float64(got[k]) / n; math.Abs(f-want) > tol {
					t.Errorf("%s: fraction %.3f, want %.2f ± %.2f", k, f, want, tol)
				}
			}
			t.Logf("%d requests: %v", n, got)
			st := s.Stats()
			if st.Failed != got["500"]+got["503"] || st.Limited != got["429"] || st.RateLimited != got["429"] ||
				st.Dropped != got[dropped] || st.Faults != st.Failed+st.Limited+st.Dropped {
				t.Errorf("stats %+v, outcomes %v", st, got)
			}
			s.faultsOff()
			stored := len(mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", "")).list(t))
			if want := got["200"] + got[dropped]; stored != want {
				t.Errorf("%d customers stored, want %d (answered 200 or dropped)", stored, want)
			}
		})
	}
}

// The same seed gives the same faults for the same requests; another seed
// other ones.
func TestFaultSequenceIsSeeded(t *testing.T) {
	t.Parallel()
	run := func(seed int64) string {
		s := newServer(t, Config{FailRate: 0.2, LimitRate: 0.2, DropRate: 0.2, Seed: seed})
		var out []string
		for i := range 200 {
			out = append(out, outcome(t, s, i))
		}
		return strings.Join(out, " ")
	}
	a, b, c := run(21), run(21), run(22)
	if a != b {
		t.Fatalf("same seed, different faults:\n%s\n%s", a, b)
	}
	if a == c {
		t.Error("another seed gives the same faults")
	}
}

func TestNewRejectsFaultRates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  Config
		want string // in the error; "" when accepted
	}{
		{Config{FailRate: -0.1}, "FailRate is -0.1: it must be within 0..1"},
		{Config{LimitRate: 1.5}, "LimitRate is 1.5: it must be within 0..1"},
		{Config{DropRate: math.NaN()}, "DropRate is NaN"},
		{Config{FailRate: 0.5, LimitRate: 0.3, DropRate: 0.3}, "FailRate + LimitRate + DropRate is 1.1, more than 1"},
		{Config{FailRate: 0.1, LimitRate: 0.2, DropRate: 0.7}, ""}, // 1 but for rounding
		{Config{DropRate: 1}, ""},
	} {
		_, err := New(tc.cfg)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("New(%+v): %v", tc.cfg, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("New(%+v) = %v, want an error saying %q", tc.cfg, err, tc.want)
		}
	}
}

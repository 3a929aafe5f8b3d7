package sandbox

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// startIntake starts a sandbox with cfg (the test credentials added) on a
// loopback port.
func startIntake(t *testing.T, cfg Config) *Running {
	t.Helper()
	cfg.Domain, cfg.APIKey = testDomain, testKey
	r, err := Start(cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// openBody sends a request's headers announcing a body of length bytes
// (-1: chunked), and the first part of that body, and leaves the
// connection open.
func openBody(t *testing.T, r *Running, length int, part string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(r.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	size := fmt.Sprintf("Content-Length: %d", length)
	if length < 0 {
		size = "Transfer-Encoding: chunked"
		part = fmt.Sprintf("%x\r\n%s\r\n", len(part), part)
	}
	fmt.Fprintf(conn, "POST /Api/v2/Customer/Send HTTP/1.1\r\nHost: sandbox\r\nAuthorization: %s\r\nContent-Type: application/json\r\n%s\r\n\r\n%s",
		basic(testDomain, testKey), size, part)
	return conn
}

// readStatus reads the status of the answer on conn, within limit.
func readStatus(t *testing.T, conn net.Conn, limit time.Duration) (*http.Response, time.Duration) {
	t.Helper()
	start := time.Now()
	conn.SetReadDeadline(start.Add(limit))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer within %v: %v", limit, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, time.Since(start)
}

// A body sent too slowly is cut after BodyTimeout: answered 408 and its
// connection closed, so that slow clients cannot hold the server's
// connections and memory.
func TestSlowBodyIsCut(t *testing.T) {
	t.Parallel()
	r := startIntake(t, Config{BodyTimeout: 300 * time.Millisecond})
	conn := openBody(t, r, 100, `{"myId":`)
	resp, took := readStatus(t, conn, 5*time.Second)
	if resp.StatusCode != http.StatusRequestTimeout || took > 2*time.Second {
		t.Errorf("slow body: %d after %v, want 408 within about 300ms", resp.StatusCode, took)
	}
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Error("the connection of a slow body stays open")
	}
	if st := r.Server.Stats(); st.SlowBodies != 1 {
		t.Errorf("Stats.SlowBodies = %d, want 1", st.SlowBodies)
	}

	// A request refused before its body is read (a wrong key) is cut too.
	conn2, err := net.Dial("tcp", strings.TrimPrefix(r.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	fmt.Fprintf(conn2, "POST /Api/v2/Customer/Send HTTP/1.1\r\nHost: sandbox\r\nContent-Length: 1000000\r\n\r\n{")
	start := time.Now()
	conn2.SetReadDeadline(start.Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, conn2); err != nil || time.Since(start) > 2*time.Second {
		t.Errorf("unauthenticated slow body: connection closed after %v (%v), want within about 300ms", time.Since(start), err)
	}
}

// The bodies held at once, all requests together, stay within
// BodyBytesInFlight: a body that would pass it is refused with 503 and
// Retry-After, whether its length is announced or not.
func TestBodyBytesInFlight(t *testing.T) {
	t.Parallel()
	const budget = 1000
	r := startIntake(t, Config{BodyBytesInFlight: budget})
	body := `{"myId":"C-1","name":"` + strings.Repeat("n", 700) + `"}`
	held := openBody(t, r, len(body), body[:10])
	waitHeld(t, r.Server, int64(len(body)))

	post := func(chunked bool) *http.Response {
		t.Helper()
		var rd io.Reader = strings.NewReader(body)
		if chunked {
			rd = io.MultiReader(rd) // no length known
		}
		req, _ := http.NewRequest("POST", r.URL+"/Api/v2/Customer/Send", rd)
		req.Header.Set("Authorization", basic(testDomain, testKey))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for _, chunked := range []bool{false, true} {
		if resp := post(chunked); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
			t.Errorf("chunked %v, over the budget: %d, Retry-After %q; want 503, Retry-After 1", chunked, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	// Once the held body is complete and answered, its bytes are given back.
	io.WriteString(held, body[10:])
	if resp, _ := readStatus(t, held, 5*time.Second); resp.StatusCode != http.StatusOK {
		t.Errorf("the held body: %d, want 200", resp.StatusCode)
	}
	for _, chunked := range []bool{false, true} {
		if resp := post(chunked); resp.StatusCode != http.StatusOK {
			t.Errorf("chunked %v, within the budget: %d, want 200", chunked, resp.StatusCode)
		}
	}

	// Many large bodies at once: the bytes held never pass the budget.
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			for range 5 {
				post(false)
				post(true)
			}
		})
	}
	wg.Wait()
	b := r.Server.budget
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.peak > budget || b.used != 0 {
		t.Errorf("bodies held: at most %d bytes, %d at the end; want at most %d, then 0", b.peak, b.used, budget)
	}
	if st := r.Server.Stats(); st.Busy < 2 {
		t.Errorf("Stats.Busy = %d, want at least 2", st.Busy)
	}
}

// waitHeld waits until the server holds n bytes of bodies.
func waitHeld(t *testing.T, s *Server, n int64) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		s.budget.mu.Lock()
		used := s.budget.used
		s.budget.mu.Unlock()
		if used == n {
			return
		}
	}
	t.Fatalf("the server does not hold the %d bytes of the body sent", n)
}

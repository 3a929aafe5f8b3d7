package sandbox

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fuzzPath builds the URL path of route r, its path parameters taken from
// params ("/"-separated).
func fuzzPath(r *route, params string) string {
	given := strings.Split(params, "/")
	var b strings.Builder
	b.WriteString("/Api/v2")
	n := 0
	for _, seg := range strings.Split(r.name, "/") {
		b.WriteByte('/')
		if seg == "*" {
			v := "x"
			if n < len(given) && given[n] != "" {
				v = given[n]
			}
			n++
			b.WriteString(url.PathEscape(v))
			continue
		}
		b.WriteString(seg)
	}
	return b.String()
}

// fuzzSeed reads the request target and body of a conformance example.
func fuzzSeed(data string) (target, body string) {
	section := ""
	var lines []string
	for _, line := range strings.Split(data, "\n") {
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --") {
			section = strings.Trim(line, "- ")
			continue
		}
		switch section {
		case "request":
			if f := strings.Fields(line); len(f) == 2 {
				target = f[1]
			}
		case "curl-data":
			lines = append(lines, strings.NewReplacer(`\r`, "\r", `\n`, "\n").Replace(line))
		case "body":
			lines = append(lines, line)
		}
	}
	return target, strings.TrimSpace(strings.Join(lines, "\n"))
}

// FuzzServe sends a random request to one of the 39 routes of a demo server:
// the server must never panic, and must still answer GET Customer/List
// within a second afterwards (no lock left held).
func FuzzServe(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "conformance", "*.txtar"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no conformance examples: %v", err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		target, body := fuzzSeed(string(data))
		u, err := url.Parse(target)
		if err != nil {
			f.Fatal(err)
		}
		rt, params, found := match(u)
		if !found {
			f.Fatalf("%s: no route for %s", path, target)
		}
		idx := 0
		for i, r := range routes {
			if r == rt {
				idx = i
			}
		}
		f.Add(uint8(idx), false, strings.Join(params, "/"), u.RawQuery, []byte(body))
	}
	f.Add(uint8(10), false, "", "", []byte(`{"job":{"name":"x"}}`))
	f.Add(uint8(4), false, "", "", []byte(`{"fileName":"a.pdf","fileData":"aGVsbG8=","customer":{"num":"5"}}`))
	f.Add(uint8(6), false, "", "id=%zz", []byte(nil))
	f.Add(uint8(7), true, "", "", []byte(`<customer><myId>X</myId><name>N</name></customer>`))

	auth := basic("", "")
	f.Fuzz(func(t *testing.T, which uint8, xml bool, params, query string, body []byte) {
		s, err := New(Config{Demo: true})
		if err != nil {
			t.Fatal(err)
		}
		rt := routes[int(which)%len(routes)]
		target := fuzzPath(rt, params)
		if query != "" {
			target += "?" + strings.NewReplacer("#", "%23", " ", "%20").Replace(query)
		}
		req, err := http.NewRequest(rt.method, "http://sandbox"+target, bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Authorization", auth)
		if xml {
			req.Header.Set("Content-Type", "text/xml")
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		watchdog := time.AfterFunc(10*time.Second, func() {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			panic(fmt.Sprintf("%s %s did not answer within 10s:\n%s", rt.method, target, buf))
		})
		s.ServeHTTP(rec, req)
		watchdog.Stop()
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("%s %s: 500 %s", rt.method, target, rec.Body)
		}

		done := make(chan int, 1)
		go func() {
			req := httptest.NewRequest("GET", "/Api/v2/Customer/List", nil)
			req.Header.Set("Authorization", auth)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			done <- rec.Code
		}()
		select {
		case code := <-done:
			if code != http.StatusOK {
				t.Fatalf("after %s %s: GET Customer/List answered %d", rt.method, target, code)
			}
		case <-time.After(time.Second):
			t.Fatalf("after %s %s: GET Customer/List did not answer within a second", rt.method, target)
		}
	})
}

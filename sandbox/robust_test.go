package sandbox

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// listAnswers fails unless GET Customer/List answers 200 within a second.
func listAnswers(t *testing.T, s *Server) {
	t.Helper()
	done := make(chan int, 1)
	go func() {
		req := httptest.NewRequest("GET", "/Api/v2/Customer/List", nil)
		req.Header.Set("Authorization", basic(testDomain, testKey))
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		done <- rec.Code
	}()
	select {
	case code := <-done:
		if code != 200 {
			t.Fatalf("GET Customer/List answered %d", code)
		}
	case <-time.After(time.Second):
		t.Fatal("GET Customer/List did not answer within a second")
	}
}

func TestReferenceWithNothingUsable(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	for _, tc := range []struct {
		path, body, want string
	}{
		{"/Api/v2/CustomField/Send", `{"job":{"name":"x"},"customFieldValues":[{"name":"a","value":"b"}]}`, "job: give id, myId or num"},
		{"/Api/v2/Attachments/Send", `{"fileName":"a.pdf","fileData":"aGVsbG8=","job":{"name":"x"}}`, "job: give id, myId or num"},
		{"/Api/v2/Attachments/Send", `{"fileName":"a.pdf","fileData":"aGVsbG8=","customer":{"num":"5"}}`, "customer: give id, myId or name"},
		{"/Api/v2/Invoices/Send", `{"type":"invoice","job":{"name":"x"}}`, "job: give id, myId or num"},
		{"/Api/v2/Invoices/Send", `{"type":"invoice","customer":{"num":"5"}}`, "customer: give id, myId or name"},
		{"/Api/v2/Invoices/Send", `{"type":"invoice","site":{"num":"5"}}`, "site: give id, myId or name"},
		{"/Api/v2/Jobs/Send", `{"customerMyId":"CUST-FR-001","otherTechnicians":[""]}`, "other technician: give the login"},
	} {
		r := send(t, s, "POST", tc.path, tc.body)
		if r.status != 400 || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("%s %s: %d %s, want 400 with %q", tc.path, tc.body, r.status, r.body, tc.want)
		}
		if strings.Contains(tc.path, "Attachments") && !strings.Contains(string(r.body), `"result":"0"`) {
			t.Errorf("%s: %s, want the attachment envelope", tc.path, r.body)
		}
		if strings.Contains(tc.path, "Invoices") && !strings.Contains(string(r.body), `"data":null`) {
			t.Errorf("%s: %s, want the invoice envelope", tc.path, r.body)
		}
	}
	listAnswers(t, s)
}

func TestHandlerPanicReleasesTheLock(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	rt := &route{method: "GET", name: "Boom", handle: func(*Server, *call) answer { panic("boom") }}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the handler's panic was lost")
			}
		}()
		s.handle(&call{route: rt, mu: &s.mu})
	}()
	if !s.mu.TryLock() {
		t.Fatal("the state lock is still held after a handler panicked")
	}
	s.mu.Unlock()
	listAnswers(t, s)
}

// lockProbe records, while it is decoded, whether the state lock is free.
type lockProbe struct {
	mu   *sync.Mutex
	free bool
}

func (p *lockProbe) UnmarshalJSON([]byte) error {
	if p.mu.TryLock() {
		p.free = true
		p.mu.Unlock()
	}
	return nil
}

func TestDecodeRunsWithoutTheLock(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	req := httptest.NewRequest("POST", "/Api/v2/Customer/Send", nil)
	c := &call{r: req, route: routes[0], body: []byte(`{}`), mu: &mu}
	mu.Lock()
	p := &lockProbe{mu: &mu}
	if err := c.decode(p, false); err != nil {
		t.Fatal(err)
	}
	if !p.free {
		t.Error("the state lock was held while the body was decoded")
	}
	if mu.TryLock() {
		t.Error("decode returned without the state lock")
	}
	mu.Unlock()
}

func TestXMLTextIsNotQuadratic(t *testing.T) {
	var b strings.Builder
	b.WriteString("<customer><name>")
	for range 10000 {
		b.WriteString("<![CDATA[0123456789]]>")
	}
	b.WriteString("</name></customer>")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n, err := parseXML([]byte(b.String()))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(n.children[0].text); got != 100000 {
		t.Fatalf("text of %d bytes, want 100000", got)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("parsing 100 kB of text in 10000 pieces allocated %d MB", alloc>>20)
	}
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	s.maxBody = 1024
	body := `{"fileName":"a.pdf","fileData":"` + strings.Repeat("A", 2000) + `","job":{"num":"1"}}`
	// Announced length over the limit.
	r := send(t, s, "POST", "/Api/v2/Attachments/Send", body)
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(string(r.body), "more than the limit of 1024 bytes") || !strings.Contains(string(r.body), `"result":"0"`) {
		t.Errorf("announced: %d %s, want 413 in the attachment envelope", r.status, r.body)
	}
	// Unknown length (chunked): cut at the limit, and refused.
	req := httptest.NewRequest("POST", "/Api/v2/Customer/Send", io.MultiReader(strings.NewReader(body)))
	req.ContentLength = -1
	req.Header.Set("Authorization", basic(testDomain, testKey))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), `"message":"the request body is more than the limit of 1024 bytes"`) {
		t.Errorf("chunked: %d %s, want 413", rec.Code, rec.Body)
	}
	// At the limit it is read whole.
	small := `{"name":"` + strings.Repeat("n", 100) + `"}`
	s.maxBody = int64(len(small))
	mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", small))
	if s.maxBody = maxBody; maxBody != 64<<20 {
		t.Errorf("maxBody = %d, want 64 MiB", maxBody)
	}
}

func TestDamagedStateFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A valid state saved by the server, with the references the server
	// itself leaves dangling (a deleted customer's jobs, a deleted part's
	// stock), loads.
	good := filepath.Join(dir, "good.json")
	s := newServer(t, Config{Demo: true, Seed: 1, StateFile: good})
	mustOK(t, send(t, s, "DELETE", "/Api/v2/Customer/Delete?myId=CUST-FR-001", ""))
	mustOK(t, send(t, s, "DELETE", "/Api/v2/Part/Delete?reference=KAAQ3104A", ""))
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	s2 := newServer(t, Config{StateFile: good})
	mustOK(t, send(t, s2, "POST", "/Api/v2/Jobs/Search", `{}`))

	for _, tc := range []struct {
		name, state, want string
	}{
		{"null state", `null`, `has no state`},
		{"null customer", `{"customers":{"1":null}}`, `customers["1"] is null`},
		{"key is not the id", `{"customers":{"1":{"id":2,"name":"a"}}}`, `customers["1"] has id 2`},
		{"null job", `{"jobs":{"J":null}}`, `jobs["J"] is null`},
		{"job key", `{"jobs":{"J":{"id":"K","num":1}}}`, `jobs["J"] is stored under "J", want "K"`},
		{"site without customer", `{"sites":{"5":{"id":5,"name":"s","customerId":9}}}`, `sites["5"]: customerId 9 names no record`},
		{"equipment without site", `{"customers":{"1":{"id":1}},"equipment":{"5":{"id":5,"name":"e","customerId":1,"siteId":7}}}`, `equipment["5"]: siteId 7 names no record`},
		{"equipment without customer", `{"equipment":{"5":{"id":5,"name":"e","customerId":1}}}`, `equipment["5"]: customerId 1 names no record`},
		{"stock without depot", `{"stock":{"D|1":{"depotId":"D","partId":1,"quantity":"1"}}}`, `stock["D|1"]: depotId "D" names no record`},
		{"stock key", `{"depots":{"D":{"id":"D","name":"d"}},"stock":{"x":{"depotId":"D","partId":1,"quantity":"1"}}}`, `stock["x"] is stored under "x", want "D|1"`},
		{"job without technician", `{"jobs":{"J":{"id":"J","num":1,"userId":3}}}`, `jobs["J"]: user 3 names no record`},
		{"value of no field", `{"customers":{"1":{"id":1,"fields":{"7":"x"}}}}`, `customers["1"]: customer custom field 7 names no record`},
		{"value of another kind's field", `{"customFields":{"7":{"id":7,"entity":"site","name":"Code"}},"customers":{"1":{"id":1,"fields":{"7":"x"}}}}`, `customers["1"]: customer custom field 7 names no record`},
		{"null stock request", `{"stockRequests":{"a":null}}`, `stockRequests["a"] is null`},
	} {
		file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
		if err := os.WriteFile(file, []byte(`{"version":1,"state":`+tc.state+`}`), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := New(Config{StateFile: file})
		if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New: %v, want an error naming %s and %q", tc.name, err, file, tc.want)
		}
	}
}

func TestAPIKeyNeverPrinted(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	cfg := Config{Domain: testDomain, APIKey: testKey, StateFile: file, Demo: true}
	r, err := Start(cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mustOK(t, send(t, r.Server, "GET", "/Api/v2/Customer/List", ""))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	// Printed once stopped: fmt reads every field, unguarded.
	for _, v := range []any{cfg, &cfg, r.Server, r} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, testKey) {
				t.Errorf("%s of %T shows the API key: %s", verb, v, out)
			}
		}
	}
	if out := fmt.Sprintf("%+v", cfg); !strings.Contains(out, "APIKey:[redacted]") || !strings.Contains(out, "Domain:"+testDomain) {
		t.Errorf("%%+v of Config = %s, want the domain and a redacted key", out)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(testKey)) {
		t.Error("the state file holds the API key")
	}
}

func TestMalformedQuery(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	for _, q := range []string{"id=%zz", "%zz=1", "myId=a;b", strings.Repeat("a=1&", maxQueryParams) + "id=1"} {
		r := send(t, s, "GET", "/Api/v2/Customer/Details?"+q, "")
		if r.status != 400 || !strings.Contains(string(r.body), "malformed query: ") {
			t.Errorf("%.40s: %d %s, want 400 malformed query", q, r.status, r.body)
		}
	}
	// The first of two spellings of a parameter wins.
	query, order, err := lowerQuery("MyId=A&myid=B&id=%2012&flag")
	if err != nil || query["myid"] != "A" || query["id"] != " 12" || len(order) != 3 || order[0] != "myid" || order[2] != "flag" {
		t.Errorf("lowerQuery = %v %v %v", query, order, err)
	}
}

func TestCustomFieldsResolvedThenSet(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	before := len(st.CustomFields)
	// A name is matched ignoring case; of two values for one field, the
	// last is kept.
	in := []fieldValue{{Name: ptr(text("Sector")), Value: ptr(text("1"))}, {Name: ptr(text("sECTOR")), Value: ptr(text("2"))}}
	fields, err := st.checkFields("customer", in)
	if err != nil {
		t.Fatal(err)
	}
	var dst map[int64]string
	st.setFields(&dst, fields)
	if len(st.CustomFields) != before || len(dst) != 1 || dst[190] != "2" {
		t.Errorf("%d fields defined, values %v: want field 190 holding the last value", len(st.CustomFields)-before, dst)
	}
	for _, tc := range []struct {
		entity string
		in     fieldValue
		want   string
	}{
		{"customer", fieldValue{Name: ptr(text("Brand new")), Value: ptr(text("1"))},
			`custom field "Brand new" does not exist for customer records (defined: "Sector", "Contract", "Customer since")`},
		{"customer", fieldValue{Name: ptr(text("Access code")), Value: ptr(text("1"))},
			`custom field "Access code" does not exist for customer records (defined: "Sector", "Contract", "Customer since")`},
		{"customer", fieldValue{ID: "999999"}, "custom field id 999999 does not exist for customer records"},
		{"customer", fieldValue{}, "custom field value 1 has neither id nor name"},
	} {
		_, err := st.checkFields(tc.entity, []fieldValue{tc.in})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%+v: err = %v, want %s", tc.in, err, tc.want)
		}
	}
	if len(st.CustomFields) != before {
		t.Error("a refused value defined a field")
	}
}

func ptr[T any](v T) *T { return &v }

func TestPartialCompletionAboveRemaining(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	const id = "1c9035a3-ce56-4e13-b9d0-dffb9c02e782" // 6 remaining
	r := send(t, s, "PUT", "/Api/v2/StockRequest/Complete", `{"isPartial":true,"quantity":7,"id":"`+id+`"}`)
	if r.status != 400 || !strings.Contains(string(r.body), "more than the 6 remaining") {
		t.Errorf("7 of 6: %d %s, want 400", r.status, r.body)
	}
	r = send(t, s, "PUT", "/Api/v2/StockRequest/Complete", `{"isPartial":true,"id":"`+id+`","serials":["a","b","c","d","e","f","g"]}`)
	if r.status != 400 {
		t.Errorf("7 serials of 6: %d %s, want 400", r.status, r.body)
	}
	s.mu.Lock()
	left := s.st.StockRequests[id].Quantity
	s.mu.Unlock()
	if left != 6 {
		t.Errorf("remaining %d after refused completions, want 6", left)
	}
	mustOK(t, send(t, s, "PUT", "/Api/v2/StockRequest/Complete", `{"isPartial":true,"quantity":6,"id":"`+id+`"}`))
	s.mu.Lock()
	left = s.st.StockRequests[id].Quantity
	s.mu.Unlock()
	if left != 0 {
		t.Errorf("remaining %d after completing all 6, want 0", left)
	}
}

func TestInventoryDuplicateSerials(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	// The reference's example: quantity 6, six serials, 771050 twice.
	body := `[{"depot":"stock4","parts":[{"reference":"refHi001","quantity":"6","serials":["771000","771010","771020","771050","771050","771046"]}]}]`
	r := mustOK(t, send(t, s, "PUT", "/Api/v2/Inventory/Quantities", body))
	if string(r.body) != `{"code":1,"errors":""}` {
		t.Fatalf("%s", r.body)
	}
	s.mu.Lock()
	d := s.st.depotByName("stock4")
	p, _ := s.st.idx.partRef.first("refHi001")
	l := *s.st.stockLevel(d.ID, p)
	s.mu.Unlock()
	if l.Quantity != "6" || len(l.Serials) != 5 {
		t.Errorf("quantity %s, serials %v: want 6 and the 5 distinct serials", l.Quantity, l.Serials)
	}
}

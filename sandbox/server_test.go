package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testDomain = "acme"
	testKey    = "736f101f-14e0-483d-b70e-f8b3cf0f8af1"
)

// reply is a recorded response.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// obj decodes the body as a JSON object, keeping numbers as written.
func (r reply) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// list decodes the body as a JSON list of objects.
func (r reply) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("body is not a JSON list: %v\n%s", err, r.body)
	}
	return l
}

type option func(*http.Request)

func withAccept(v string) option { return func(r *http.Request) { r.Header.Set("Accept", v) } }
func withAuth(v string) option   { return func(r *http.Request) { r.Header.Set("Authorization", v) } }
func withHeader(k, v string) option {
	return func(r *http.Request) { r.Header.Set(k, v) }
}

func basic(domain, key string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(domain+":"+key))
}

// send makes one request to h with the test credentials (unless an option
// replaces them) and records the response.
func send(t *testing.T, h http.Handler, method, path, body string, opts ...option) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "http://sandbox.test"+path, rd)
	req.Header.Set("Authorization", basic(testDomain, testKey))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return reply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// mustOK fails the test unless the reply has status 200.
func mustOK(t *testing.T, r reply) reply {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.status, r.body)
	}
	return r
}

func newServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Domain, cfg.APIKey = testDomain, testKey
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func emptyServer(t *testing.T) *Server { return newServer(t, Config{}) }
func demoServer(t *testing.T) *Server  { return newServer(t, Config{Demo: true, Seed: 1}) }

// accountServer holds no records, and the custom fields the reference's
// examples use.
func accountServer(t *testing.T) *Server {
	return newServer(t, Config{Fixtures: &Fixtures{Version: 1, CustomFields: map[string][]string{
		"customer": {"Sector"}, "site": {"Sector"}, "user": {"Sector"}, "equipment": {"Equipment Serial Number"},
	}}})
}

// wantKeys fails unless m has every key, spelled exactly.
func wantKeys(t *testing.T, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing; keys are %v", k, sortedMapKeys(m))
		}
	}
}

func sortedMapKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// code returns the "code" of an envelope as an int.
func code(t *testing.T, m map[string]any) int64 {
	t.Helper()
	n, ok := m["code"].(json.Number)
	if !ok {
		t.Fatalf("code is %T %v, want a number", m["code"], m["code"])
	}
	v, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPathAndParameterForms(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	for _, path := range []string{
		"/Api/v2/Part/Details?id=35901",
		"/Api/V2/Part/Details?id=35901",
		"/api/v2/part/details?ID=35901",
		"/v2/Part/Details?Id=35901",
		"/V2/PART/DETAILS/?iD=35901",
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			m := mustOK(t, send(t, s, "GET", path, "")).obj(t)
			if m["id"] != json.Number("35901") {
				t.Errorf("id = %v, want 35901", m["id"])
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	for _, tc := range []struct {
		name, header string
		want         int
	}{
		{"right", basic(testDomain, testKey), 200},
		{"domain in other case", basic("ACME", testKey), 200},
		{"missing", "", 401},
		{"wrong key", basic(testDomain, "nope"), 401},
		{"wrong domain", basic("other", testKey), 401},
		{"no colon", "Basic " + base64.StdEncoding.EncodeToString([]byte(testDomain+testKey)), 401},
		{"not base64", "Basic !!!", 401},
		{"bearer", "Bearer " + testKey, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := send(t, s, "GET", "/Api/v2/Customer/List", "", withAuth(tc.header))
			if r.status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.status, tc.want, r.body)
			}
			if tc.want == 401 {
				if got := r.obj(t)["Message"]; got != "Authorization has been denied for this request." {
					t.Errorf("Message = %v", got)
				}
				if r.header.Get("X-Quota-Remaining") != "" {
					t.Error("X-Quota-Remaining sent on a 401")
				}
				if bytes.Contains(r.body, []byte(testKey)) {
					t.Error("the body echoes the API key")
				}
			} else if r.header.Get("X-Quota-Remaining") == "" {
				t.Error("X-Quota-Remaining missing")
			}
		})
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	s := emptyServer(t)
	for _, tc := range []struct {
		method, path string
		want         int
		allow        string
	}{
		{"GET", "/Api/v2/Nothing/Here", 404, ""},
		{"GET", "/Api/v3/Customer/List", 404, ""},
		{"GET", "/Customer/List", 404, ""},
		{"GET", "/Api/v2/Customer/List/extra", 404, ""},
		{"POST", "/Api/v2/Customer/List", 405, "GET"},
		{"GET", "/Api/v2/Customer/Send", 405, "POST"},
		{"POST", "/Api/v2/ActivityType/Delete", 405, "DELETE"},
		{"GET", "/v2/Jobs/Validate?myId=x", 405, "PUT"},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			t.Parallel()
			r := send(t, s, tc.method, tc.path, "")
			if r.status != tc.want {
				t.Fatalf("status %d, want %d", r.status, tc.want)
			}
			msg, _ := r.obj(t)["Message"].(string)
			if tc.want == 404 && msg != fmt.Sprintf("No HTTP resource was found that matches the request URI 'http://sandbox.test%s'.", tc.path) {
				t.Errorf("Message = %q", msg)
			}
			if got := r.header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
		})
	}
}

func TestAccept(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	for _, tc := range []struct {
		accept string
		status int
		ctype  string
	}{
		{"", 200, "application/json"},
		{"application/json", 200, "application/json"},
		{"text/json", 200, "application/json"},
		{"*/*", 200, "application/json"},
		{"application/*", 200, "application/json"},
		{"text/html, application/json;q=0.9", 200, "application/json"},
		{"text/xml", 200, "text/xml"},
		{"application/xml", 200, "application/xml"},
		{"text/html", 406, "application/json"},
		{"image/png", 406, "application/json"},
		{"application/json;q=0, text/plain", 406, "application/json"},
	} {
		t.Run(tc.accept, func(t *testing.T) {
			t.Parallel()
			r := send(t, s, "GET", "/Api/v2/Customer/Details?myId=CUST-FR-001", "", withAccept(tc.accept))
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, tc.ctype) {
				t.Errorf("Content-Type %q, want %s", got, tc.ctype)
			}
			if strings.Contains(tc.ctype, "xml") {
				var doc struct {
					XMLName xml.Name
					Name    string `xml:"name"`
					Pos     struct {
						Latitude string `xml:"Latitude"`
					} `xml:"position"`
				}
				if err := xml.Unmarshal(r.body, &doc); err != nil {
					t.Fatalf("not XML: %v\n%s", err, r.body)
				}
				if doc.Name != "Boulangerie Pâtisserie Lefèvre" || doc.Pos.Latitude == "" {
					t.Errorf("XML content: %+v", doc)
				}
			}
		})
	}
}

func TestXMLListAndNull(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	r := mustOK(t, send(t, s, "POST", "/Api/v2/Invoices/List", `{}`, withAccept("application/xml")))
	var doc struct {
		Items []struct {
			Num      int    `xml:"num"`
			IDClient string `xml:"idClient"`
			Lines    struct {
				Items []struct {
					Total string `xml:"total"`
				} `xml:"Item"`
			} `xml:"lines"`
		} `xml:"Item"`
	}
	if err := xml.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Items) < 3 || doc.Items[0].Num != 336 || doc.Items[0].Lines.Items[0].Total != "139,4000" {
		t.Fatalf("unexpected XML: %s", r.body[:min(len(r.body), 600)])
	}
	if !bytes.Contains(r.body, []byte(`<idClient nil="true"/>`)) {
		t.Error("null idClient not rendered as nil element")
	}
}

func TestXMLRequestBodies(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	asXML := withHeader("Content-Type", "text/xml; charset=utf-8")
	r := mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `<?xml version="1.0"?>
<Customer>
  <MyId>X-1</MyId><name>Café &amp; Co</name><adressZIP>69002</adressZIP>
  <position><latitude>45.76</latitude><longitude>4.83</longitude></position>
  <tags>a</tags><tags>b</tags>
  <customFieldValues><customFieldValue><name>Sector</name><value>Food</value></customFieldValue></customFieldValues>
</Customer>`, asXML, withAccept("text/xml")))
	var reply struct {
		Code int64 `xml:"code"`
	}
	if err := xml.Unmarshal(r.body, &reply); err != nil || reply.Code == 0 {
		t.Fatalf("XML reply %s (%v)", r.body, err)
	}
	c := mustOK(t, send(t, s, "GET", "/Api/v2/Customer/Details?myId=X-1", "")).obj(t)
	if c["name"] != "Café & Co" || fmt.Sprint(c["tags"]) != "[a b]" || c["position"].(map[string]any)["Latitude"] != "45.76" ||
		!strings.Contains(fmt.Sprint(c["customFieldValues"]), "value:Food") {
		t.Errorf("customer from XML: %v", c)
	}
	// A list at the root, lists of objects inside an element.
	p := mustOK(t, send(t, s, "PUT", "/Api/v2/Part/Prices", `<ArrayOfPrice><Price><reference>p11</reference><price>6,75</price></Price><Price><id>1</id><price>2</price></Price></ArrayOfPrice>`, asXML))
	if !strings.Contains(string(p.body), `"errors":[{"id":"1","price":"2","reference":null}]`) {
		t.Errorf("prices from XML: %s", p.body)
	}
	inv := mustOK(t, send(t, s, "POST", "/Api/v2/Invoices/Send", `<Invoice><type>invoice</type><num>900</num>
	  <lines><line><reference>p3</reference><quantity>8,5</quantity><discount>50,3</discount></line>
	         <line><description>Forfait</description><price>10</price><quantity>1</quantity><tax i:nil="true" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"/></line></lines></Invoice>`, asXML))
	if !strings.Contains(string(inv.body), `"numberLines":2`) {
		t.Errorf("invoice from XML: %s", inv.body)
	}
	if r := send(t, s, "POST", "/Api/v2/Customer/Send", `<Customer><name>A</name>`, asXML); r.status != 400 || !strings.Contains(r.obj(t)["message"].(string), "XML") {
		t.Errorf("malformed XML: %d %s", r.status, r.body)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	s := newServer(t, Config{Rate: 2, Burst: 2})
	var statuses []int
	var last reply
	for i := 0; i < 4; i++ {
		last = send(t, s, "GET", "/Api/v2/Customer/List", "")
		statuses = append(statuses, last.status)
	}
	if fmt.Sprint(statuses[:3]) != "[200 200 429]" {
		t.Fatalf("statuses %v, want 200 200 429 ...", statuses)
	}
	ra, err := strconv.Atoi(last.header.Get("Retry-After"))
	if err != nil || ra < 1 {
		t.Errorf("Retry-After %q, want an integer ≥ 1", last.header.Get("Retry-After"))
	}
	if last.header.Get("X-Quota-Remaining") == "" {
		t.Error("X-Quota-Remaining missing on a 429")
	}
	if got := s.Stats().RateLimited; got < 1 {
		t.Errorf("Stats.RateLimited = %d", got)
	}
}

func TestBucket(t *testing.T) {
	t.Parallel()
	b := newBucket(2, 1)
	t0 := time.Unix(1000, 0)
	for _, tc := range []struct {
		at      time.Duration
		limited bool
	}{
		{0, false},
		{100 * time.Millisecond, true},
		{400 * time.Millisecond, true},
		{500 * time.Millisecond, false},
		{600 * time.Millisecond, true},
		{2 * time.Second, false},
	} {
		wait, limited := b.take(t0.Add(tc.at))
		if limited != tc.limited {
			t.Fatalf("at %v: limited %v, want %v", tc.at, limited, tc.limited)
		}
		if limited && (wait <= 0 || wait > 500*time.Millisecond) {
			t.Errorf("at %v: wait %v", tc.at, wait)
		}
	}
	if _, limited := (*bucket)(nil).take(t0); limited {
		t.Error("a nil bucket limits")
	}
}

func TestDailyQuota(t *testing.T) {
	t.Parallel()
	s := newServer(t, Config{DailyQuota: 3})
	var got []string
	for i := 0; i < 4; i++ {
		r := send(t, s, "GET", "/Api/v2/Customer/List", "")
		got = append(got, fmt.Sprintf("%d:%s", r.status, r.header.Get("X-Quota-Remaining")))
	}
	if want := "[200:2 200:1 200:0 429:0]"; fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	if st := s.Stats(); st.QuotaRejected != 1 || st.RateLimited != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestDefaultQuota(t *testing.T) {
	t.Parallel()
	r := send(t, emptyServer(t), "GET", "/Api/v2/Customer/List", "")
	if got := r.header.Get("X-Quota-Remaining"); got != "99999" {
		t.Errorf("X-Quota-Remaining = %q, want 99999", got)
	}
}

// faultRun sends n customer creations and returns the statuses.
func faultRun(t *testing.T, s *Server, n int) []int {
	var out []int
	for i := 0; i < n; i++ {
		r := send(t, s, "POST", "/Api/v2/Customer/Send", fmt.Sprintf(`{"myId":"F-%d","name":"Client %d"}`, i, i))
		out = append(out, r.status)
	}
	return out
}

func TestFaultsAreReproducibleAndChangeNothing(t *testing.T) {
	t.Parallel()
	const n = 60
	a := faultRun(t, newServer(t, Config{FailRate: 0.4, Seed: 42}), n)
	s := newServer(t, Config{FailRate: 0.4, Seed: 42})
	b := faultRun(t, s, n)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	c := faultRun(t, newServer(t, Config{FailRate: 0.4, Seed: 43}), n)
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("another seed gives the same faults")
	}
	okCount, kinds := 0, map[int]int{}
	for _, st := range b {
		kinds[st]++
		if st == 200 {
			okCount++
		}
	}
	if kinds[500] == 0 || kinds[503] == 0 || okCount == 0 || okCount == n {
		t.Fatalf("statuses %v: want a mix of 200, 500 and 503", kinds)
	}
	if got := s.Stats().Faults; got != n-okCount {
		t.Errorf("Stats.Faults = %d, want %d", got, n-okCount)
	}
	s.faultsOff()
	customers := mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", "")).list(t)
	if len(customers) != okCount {
		t.Fatalf("%d customers stored, want %d (one per 200)", len(customers), okCount)
	}
	for i, st := range b {
		r := send(t, s, "GET", fmt.Sprintf("/Api/v2/Customer/Details?myId=F-%d", i), "")
		if (st == 200) != (r.status == 200) {
			t.Errorf("request %d answered %d but customer lookup gives %d", i, st, r.status)
		}
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	s := newServer(t, Config{Latency: 60 * time.Millisecond})
	start := time.Now()
	mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", ""))
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("answered in %v, want ≥ 60ms", d)
	}
}

func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	for _, tc := range []struct {
		method, path, body string
		msgKey             string
	}{
		{"POST", "/Api/v2/Customer/Send", `{"name": "A",`, "message"},
		{"POST", "/Api/v2/Customer/Send", `{"name": ["A"]}`, "message"},
		{"POST", "/Api/v2/Customer/Send", ``, "message"},
		{"POST", "/Api/v2/Jobs/Send", `{"priority": "high"}`, "message"},
		{"POST", "/Api/v2/ActivityType/Send", `{"hasConflit": "maybe"}`, "msg"},
		{"POST", "/Api/v2/Invoices/Send", `{`, "message"},
		{"PUT", "/Api/v2/Part/Prices", `{"id": 1, "price": "2"}`, "message"},
		{"POST", "/Api/v2/Jobs/Search", `{"status": [1]}`, "message"},
	} {
		t.Run(tc.path+" "+tc.body, func(t *testing.T) {
			t.Parallel()
			r := send(t, s, tc.method, tc.path, tc.body)
			if r.status != 400 {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			m := r.obj(t)
			if code(t, m) != 0 {
				t.Errorf("code %v, want 0", m["code"])
			}
			if msg, _ := m[tc.msgKey].(string); msg == "" {
				t.Errorf("no %s naming the problem: %s", tc.msgKey, r.body)
			}
		})
	}
	t.Run("attachments envelope", func(t *testing.T) {
		t.Parallel()
		r := send(t, s, "POST", "/Api/v2/Attachments/Send", `{"fileName": 3`)
		m := r.obj(t)
		if r.status != 400 || m["result"] != "0" {
			t.Fatalf("status %d %s", r.status, r.body)
		}
		if msgs, _ := m["msg"].([]any); len(msgs) != 1 {
			t.Errorf("msg = %v, want one message", m["msg"])
		}
	})
}

func TestPersistence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	cfg := Config{Domain: testDomain, APIKey: testKey, StateFile: file, Seed: 3}
	r, err := Start(cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := r.Server
	mustOK(t, send(t, h, "POST", "/Api/v2/Customer/Send", `{"myId":"P-1","name":"Persisté","tags":["a"]}`))
	mustOK(t, send(t, h, "POST", "/Api/v2/Part/Send", `{"name":"Joint","reference":"J-1","price":"1,5","categoryName":"Plomberie","taxId":5}`))
	mustOK(t, send(t, h, "POST", "/Api/v2/Jobs/Send", `{"customerMyId":"P-1","myId":"JOB-1","parts":[{"reference":"J-1","quantity":2}]}`))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files in the state folder: %d, want 1 (no temporary left)", len(entries))
	}
	// Demo is ignored when a state file is loaded.
	cfg.Demo = true
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := mustOK(t, send(t, s, "GET", "/Api/v2/Customer/Details?myId=P-1", "")).obj(t)
	if c["name"] != "Persisté" {
		t.Errorf("customer after reload: %v", c)
	}
	j := mustOK(t, send(t, s, "GET", "/Api/v2/Jobs/Detail?myId=JOB-1", "")).obj(t)
	if parts, _ := j["parts"].([]any); len(parts) != 1 {
		t.Errorf("job parts after reload: %v", j["parts"])
	}
	if n := len(mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", "")).list(t)); n != 1 {
		t.Errorf("%d customers after reload, want 1 (no demo data)", n)
	}
	// Ids go on from where they were.
	r2 := mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"name":"Suivant"}`)).obj(t)
	if id := code(t, r2); id <= mustInt(t, c["id"]) {
		t.Errorf("new id %d not after %v", id, c["id"])
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg); err == nil {
		t.Error("a corrupt state file was accepted")
	}
}

func mustInt(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func TestSaveWithoutStateFile(t *testing.T) {
	t.Parallel()
	if err := emptyServer(t).Save(); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	s := newServer(t, Config{Rate: 0})
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				body := fmt.Sprintf(`{"myId":"C-%d-%d","name":"Client %d"}`, g, i, i)
				req := httptest.NewRequest("POST", "/Api/v2/Customer/Send", strings.NewReader(body))
				req.Header.Set("Authorization", basic(testDomain, testKey))
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if rec.Code != 200 {
					errs <- errors.New(rec.Body.String())
				}
				list := httptest.NewRecorder()
				lreq := httptest.NewRequest("GET", "/Api/v2/Customer/List", nil)
				lreq.Header.Set("Authorization", basic(testDomain, testKey))
				s.ServeHTTP(list, lreq)
				_ = s.Stats()
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", "")).list(t)); n != 160 {
		t.Fatalf("%d customers, want 160", n)
	}
	if got := s.Stats().ByEndpoint["POST Customer/Send"]; got != 160 {
		t.Errorf("ByEndpoint[POST Customer/Send] = %d", got)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{{Rate: -1}, {FailRate: 1.5}, {DailyQuota: -2}, {Burst: -1}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestLogNeverShowsCredentials(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var lines []string
	s := newServer(t, Config{Logf: func(f string, a ...any) {
		mu.Lock()
		lines = append(lines, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	send(t, s, "GET", "/Api/v2/Customer/List", "")
	send(t, s, "GET", "/Api/v2/Customer/List", "", withAuth(basic(testDomain, "wrong-key")))
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2", len(lines))
	}
	for _, l := range lines {
		if strings.Contains(l, testKey) || strings.Contains(l, "wrong-key") || strings.Contains(l, "Basic") {
			t.Errorf("log line shows credentials: %s", l)
		}
	}
	if !strings.Contains(lines[1], "401") {
		t.Errorf("log line %q lacks the status", lines[1])
	}
}

func TestQuotaStartsAgainEachDay(t *testing.T) {
	t.Parallel()
	s := newServer(t, Config{DailyQuota: 1})
	mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", ""))
	if r := send(t, s, "GET", "/Api/v2/Customer/List", ""); r.status != 429 {
		t.Fatalf("status %d, want 429", r.status)
	}
	s.quotaMu.Lock()
	s.quotaDay = s.quotaDay.AddDate(0, 0, -1)
	s.quotaMu.Unlock()
	r := mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", ""))
	if got := r.header.Get("X-Quota-Remaining"); got != "0" {
		t.Errorf("X-Quota-Remaining %q after a new day, want 0 (1 spent)", got)
	}
}

func TestQuotaHeaderOnAuthenticatedErrors(t *testing.T) {
	t.Parallel()
	s := emptyServer(t)
	if r := send(t, s, "GET", "/Api/v2/Nothing", ""); r.header.Get("X-Quota-Remaining") == "" {
		t.Error("no X-Quota-Remaining on an authenticated 404")
	}
	if r := send(t, s, "GET", "/Api/v2/Nothing", "", withAuth("")); r.header.Get("X-Quota-Remaining") != "" {
		t.Error("X-Quota-Remaining on an anonymous 404")
	}
}

func TestCloseTwice(t *testing.T) {
	t.Parallel()
	r, err := Start(Config{Domain: testDomain, APIKey: testKey}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(r.URL + "/Api/v2/Customer/List")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("anonymous request: %d", resp.StatusCode)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(r.URL + "/Api/v2/Customer/List"); err == nil {
		t.Error("the server still answers after Close")
	}
}

func TestErrorsFollowAccept(t *testing.T) {
	t.Parallel()
	s := emptyServer(t)
	r := send(t, s, "GET", "/Api/v2/Customer/List", "", withAuth(""), withAccept("text/xml"))
	var m struct {
		Message string `xml:"Message"`
	}
	if err := xml.Unmarshal(r.body, &m); r.status != 401 || err != nil || m.Message == "" {
		t.Errorf("401 as XML: %d %s (%v)", r.status, r.body, err)
	}
	r = send(t, s, "GET", "/Api/v2/Customer/Details?id=7", "", withAccept("application/xml"))
	if r.status != 404 || !bytes.Contains(r.body, []byte("<code>0</code>")) {
		t.Errorf("404 envelope as XML: %d %s", r.status, r.body)
	}
}

package sandbox

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// The reference's Jobs/Send sample with the demo's customer and user.
const sampleJob = `{
  "customerMyId": "CUST-FR-002",
  "nmJobType":"Aire acondicioa",
  "myId":"ref-job1405",
  "description": "update job",
  "scheduledBeginDate":"2016-10-13 10:00",
  "scheduledEndDate":"2016-10-13 17:00",
  "idUser": "266",
  "ContactPhone": "+12125875967",
  "contactMobile": "+19293358480",
  "customFieldValues": [{"name": "Sector", "value": "OD 89874 sector"}, {"name": "Code breakdown", "value": "KO"}],
  "parts": [{"reference": "VOYANT VCYL 7 S 7/8", "quantity": 2.5}, {"id":"35905", "reference": null, "quantity": 1.9}],
  "report": [
    {"id": 3132, "value": "documentation"},
    {"nmItem":"valid", "value": "Yes"},
    {"nmCategory":"Category 2", "nmItem":"hour", "value": "15:20"}
  ],
  "priority": "1",
  "status":"1",
  "globalAddress":""
}`

// jobDetailKeys are the keys of the reference's Jobs/Detail example.
var jobDetailKeys = []string{
	"scheduledBeginDate", "scheduledEndDate", "RealBeginDate", "RealEndDate", "siteName", "customerMyId",
	"description", "idCreator", "idCustomer", "idEquipment", "idJob", "idJobType", "idReport", "idSite", "idUser",
	"login", "nameEquipment", "priority", "ContactPhone", "contactMobile", "publicLink", "status", "Activities",
	"customFieldValues", "customerName", "duration", "globalAddress", "adressCity", "adressCountry",
	"adressProvince", "adressStreet", "adressZIP", "myId", "num", "parts", "position", "report", "OtherTechnicians",
}

func TestJobRoundTrip(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	r := mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Send", sampleJob)).obj(t)
	if r["message"] != nil {
		t.Errorf("message = %v, want null", r["message"])
	}
	num := code(t, r)
	d := mustOK(t, send(t, s, "GET", fmt.Sprintf("/Api/v2/Jobs/Detail?num=%d", num), "")).obj(t)
	wantKeys(t, d, jobDetailKeys...)
	if len(d) != len(jobDetailKeys) {
		t.Errorf("job detail has %d keys, the reference's example %d: %v", len(d), len(jobDetailKeys), sortedMapKeys(d))
	}
	id := d["idJob"].(string)
	for _, q := range []string{"id=" + id, "myId=ref-job1405", fmt.Sprintf("NUM=%d", num), "MyId=REF-JOB1405"} {
		m := mustOK(t, send(t, s, "GET", "/Api/v2/Jobs/Detail?"+q, "")).obj(t)
		if m["idJob"] != id {
			t.Errorf("%s: idJob %v, want %s", q, m["idJob"], id)
		}
	}
	for k, want := range map[string]string{
		"scheduledBeginDate": "13/10/2016 10:00:00", "scheduledEndDate": "13/10/2016 17:00:00",
		"customerMyId": "CUST-FR-002", "login": "jdupont", "ContactPhone": "+12125875967",
		"globalAddress": "20 place Bellecour, 69002 Lyon, France", "status": "1", "priority": "1",
	} {
		if got := fmt.Sprint(d[k]); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if d["RealBeginDate"] != nil {
		t.Errorf("RealBeginDate = %v, want null", d["RealBeginDate"])
	}
	parts := fmt.Sprint(d["parts"])
	if !strings.Contains(parts, "quantity:2.5 reference:VOYANT VCYL 7 S 7/8") || !strings.Contains(parts, "id:35905 quantity:1.9") {
		t.Errorf("parts %s", parts)
	}
	report := d["report"].([]any)
	if len(report) != 3 {
		t.Fatalf("report %v", report)
	}
	hour := report[2].(map[string]any)
	wantKeys(t, hour, "id", "idCategory", "iteration", "nmCategory", "nmItem", "value")
	if hour["nmCategory"] != "Category 2" || hour["value"] != "15:20" {
		t.Errorf("report entry %v", hour)
	}
	cf := fmt.Sprint(d["customFieldValues"])
	if !strings.Contains(cf, "name:sector value:OD 89874 sector") || !strings.Contains(cf, "name:Code breakdown value:KO") {
		t.Errorf("customFieldValues %s", cf)
	}

	// Update by myId: a new report iteration is added, the old kept.
	mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Send", `{"myId":"ref-job1405","status":3,"realBeginDate":"2016-10-13 10:05",
		"report":[{"id":3132,"value":"v2"},{"id":3132,"iteration":1,"value":"second"}],"otherTechnicians":["steven","ann"]}`))
	d = mustOK(t, send(t, s, "GET", "/Api/v2/Jobs/Detail?myId=ref-job1405", "")).obj(t)
	if fmt.Sprint(d["num"]) != fmt.Sprint(num) || d["RealBeginDate"] != "13/10/2016 10:05:00" || fmt.Sprint(d["status"]) != "3" {
		t.Errorf("after update: num %v RealBeginDate %v status %v", d["num"], d["RealBeginDate"], d["status"])
	}
	if len(d["report"].([]any)) != 4 || !strings.Contains(fmt.Sprint(d["report"]), "iteration:1 nmCategory:details nmItem:documentation value:second") {
		t.Errorf("report after update %v", d["report"])
	}
	if fmt.Sprint(d["OtherTechnicians"]) != "[steven ann]" {
		t.Errorf("OtherTechnicians %v", d["OtherTechnicians"])
	}
	// CustomField/Send by num.
	cfr := mustOK(t, send(t, s, "POST", "/Api/v2/CustomField/Send", fmt.Sprintf(`{"CustomFieldValues":[{"id":"182","Value":"contact@mail.com"},{"name":"Serial Number","Value":"1254FR54"}],"Job":{"id":"","myId":"","num":"%d"}}`, num)))
	if string(cfr.body) != `{"code":1,"message":""}` {
		t.Errorf("CustomField/Send: %s", cfr.body)
	}
	cf = fmt.Sprint(mustOK(t, send(t, s, "GET", "/Api/v2/Jobs/Detail?myId=ref-job1405", "")).obj(t)["customFieldValues"])
	if !strings.Contains(cf, "value:contact@mail.com") || !strings.Contains(cf, "value:1254FR54") {
		t.Errorf("after CustomField/Send: %s", cf)
	}
	if r := send(t, s, "POST", "/Api/v2/CustomField/Send", `{"CustomFieldValues":[],"Job":{"myId":"ghost"}}`); r.status != 400 {
		t.Errorf("CustomField/Send unknown job: %d", r.status)
	}
}

func TestJobSendValidation(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	for _, tc := range []struct{ name, body string }{
		{"no customer", `{"description":"x"}`},
		{"unknown customer", `{"idCustomer":"35615"}`},
		{"unknown job type", `{"customerMyId":"CUST-FR-001","nmJobType":"Nope"}`},
		{"unknown user", `{"customerMyId":"CUST-FR-001","login":"ghost"}`},
		{"site of another customer", `{"customerMyId":"CUST-FR-001","siteMyId":"SITE-005"}`},
		{"unknown part", `{"customerMyId":"CUST-FR-001","parts":[{"reference":"ghost","quantity":1}]}`},
		{"unknown report item", `{"customerMyId":"CUST-FR-001","report":[{"nmItem":"ghost","value":"1"}]}`},
		{"bad status", `{"customerMyId":"CUST-FR-001","status":9}`},
		{"bad priority", `{"customerMyId":"CUST-FR-001","priority":"5"}`},
		{"bad date", `{"customerMyId":"CUST-FR-001","scheduledBeginDate":"tomorrow"}`},
		{"end before begin", `{"customerMyId":"CUST-FR-001","scheduledBeginDate":"2024-01-02 10:00","scheduledEndDate":"2024-01-02 09:00"}`},
		{"unknown idJob", `{"idJob":"265_000","description":"x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, s, "POST", "/Api/v2/Jobs/Send", tc.body)
			if m := r.obj(t); r.status != 400 || code(t, m) != 0 || m["message"] == "" {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
		})
	}
	if n := len(mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Search", `{}`)).list(t)); n != 60 {
		t.Errorf("%d jobs after refused sends, want 60", n)
	}
}

func searchNums(t *testing.T, s *Server, body string) []string {
	t.Helper()
	var out []string
	for _, j := range mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Search", body)).list(t) {
		wantKeys(t, j, "id", "myId", "num")
		n, ok := j["num"].(string)
		if !ok {
			t.Fatalf("num is %T, want a string", j["num"])
		}
		out = append(out, n)
	}
	return out
}

// parseDMY reads a job date of Jobs/Detail ("19/07/2016 14:43:00").
func parseDMY(t *testing.T, v any) time.Time {
	t.Helper()
	if v == nil {
		return time.Time{}
	}
	d, err := time.Parse("02/01/2006 15:04:05", v.(string))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestJobSearchFilters(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	// Expected results are computed from the Jobs/Detail answers.
	var details []map[string]any
	for _, j := range mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Search", `{}`)).list(t) {
		details = append(details, mustOK(t, send(t, s, "GET", "/Api/v2/Jobs/Detail?id="+j["id"].(string), "")).obj(t))
	}
	expect := func(keep func(d map[string]any) bool) []string {
		var out []string
		for _, d := range details {
			if keep(d) {
				out = append(out, fmt.Sprint(d["num"]))
			}
		}
		return out
	}
	is := func(key, want string) func(d map[string]any) bool {
		return func(d map[string]any) bool { return fmt.Sprint(d[key]) == want }
	}
	var ref map[string]any
	for _, d := range details {
		if d["idEquipment"] != nil && d["idSite"] != nil {
			ref = d
			break
		}
	}
	eq := mustOK(t, send(t, s, "GET", fmt.Sprintf("/Api/v2/Equipment/Details?id=%v", ref["idEquipment"]), "")).obj(t)
	from, to := demoDay(-10, 0, 0), demoDay(5, 0, 0)
	for _, tc := range []struct {
		name, body string
		keep       func(d map[string]any) bool
	}{
		{"all", `{}`, func(map[string]any) bool { return true }},
		{"status", `{"status":5}`, is("status", "5")},
		{"status as string", `{"status":"7"}`, is("status", "7")},
		{"myId", `{"myId":"ref-25487"}`, is("myId", "ref-25487")},
		{"userName", `{"userName":"techtest"}`, is("login", "techtest")},
		{"userId", `{"userId":"1554"}`, is("idUser", "1554")},
		{"customer id", fmt.Sprintf(`{"customer":{"name":"","id":"%v","myId":""}}`, ref["idCustomer"]), is("idCustomer", fmt.Sprint(ref["idCustomer"]))},
		{"customer myId", fmt.Sprintf(`{"customer":{"myId":"%v"}}`, ref["customerMyId"]), is("customerMyId", fmt.Sprint(ref["customerMyId"]))},
		{"customer name", fmt.Sprintf(`{"customer":{"name":"%v"}}`, ref["customerName"]), is("customerName", fmt.Sprint(ref["customerName"]))},
		{"site id", fmt.Sprintf(`{"site":{"id":%v}}`, ref["idSite"]), is("idSite", fmt.Sprint(ref["idSite"]))},
		{"site name", fmt.Sprintf(`{"site":{"name":"%v"}}`, ref["siteName"]), is("siteName", fmt.Sprint(ref["siteName"]))},
		{"equipment id", fmt.Sprintf(`{"equipment":{"id":"%v"}}`, eq["id"]), is("idEquipment", fmt.Sprint(eq["id"]))},
		{"equipment myId", fmt.Sprintf(`{"equipment":{"myId":"%v"}}`, eq["myId"]), is("idEquipment", fmt.Sprint(eq["id"]))},
		{"equipment name", fmt.Sprintf(`{"equipment":{"name":"%v"}}`, eq["name"]), is("nameEquipment", fmt.Sprint(eq["name"]))},
		{"dates", fmt.Sprintf(`{"dateFrom":"%s","dateTo":"%s"}`, from.Format("2006-01-02"), to.Format("2006-01-02")), func(d map[string]any) bool {
			begin, end := parseDMY(t, d["scheduledBeginDate"]), parseDMY(t, d["scheduledEndDate"])
			if rb := parseDMY(t, d["RealBeginDate"]); !rb.IsZero() {
				begin = rb
			}
			if re := parseDMY(t, d["RealEndDate"]); !re.IsZero() {
				end = re
			}
			if end.IsZero() {
				end = begin
			}
			return !begin.IsZero() && !end.Before(from) && begin.Before(to.AddDate(0, 0, 1))
		}},
		{"combined", fmt.Sprintf(`{"status":%v,"customer":{"id":"%v"}}`, ref["status"], ref["idCustomer"]), func(d map[string]any) bool {
			return fmt.Sprint(d["status"]) == fmt.Sprint(ref["status"]) && fmt.Sprint(d["idCustomer"]) == fmt.Sprint(ref["idCustomer"])
		}},
		{"empty filters", `{"customer":{"name":"","id":"","myId":""},"status":"","myId":"","dateFrom":""}`, func(map[string]any) bool { return true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := searchNums(t, s, tc.body), expect(tc.keep)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got %v\nwant %v", got, want)
			}
			if tc.name != "all" && tc.name != "empty filters" && (len(want) == 0 || len(want) == len(details)) {
				t.Errorf("the filter selects %d of %d jobs: not a useful case", len(want), len(details))
			}
		})
	}
	if r := send(t, s, "POST", "/Api/v2/Jobs/Search", `{"dateFrom":"someday"}`); r.status != 400 {
		t.Errorf("bad dateFrom: %d", r.status)
	}
}

func TestJobSearchChangedFrom(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	at := func(day int) { s.now = func() time.Time { return demoDay(day, 12, 0) } }
	at(100)
	mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Send", `{"customerMyId":"CUST-FR-001","myId":"C-1"}`))
	at(110)
	mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Send", `{"customerMyId":"CUST-FR-001","myId":"C-2","report":[{"id":3132,"value":"a"}]}`))
	at(120)
	mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Send", `{"myId":"C-1","description":"changed"}`))
	mustOK(t, send(t, s, "PUT", "/Api/v2/Jobs/Validate?myId=ref-25415", ""))
	day := func(d int) string { return demoDay(d, 0, 0).Format("2006-01-02 15:04:05") }
	myIDs := func(body string) string {
		var out []string
		for _, j := range mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Search", body)).list(t) {
			out = append(out, j["myId"].(string))
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	for _, tc := range []struct{ body, want string }{
		{fmt.Sprintf(`{"changedFrom":"%s"}`, day(105)), "C-1,C-2,ref-25415"},
		{fmt.Sprintf(`{"changedFrom":"%s"}`, day(115)), "C-1,ref-25415"},
		{fmt.Sprintf(`{"changedFrom":"%s"}`, day(121)), ""},
		{fmt.Sprintf(`{"reportChangedFrom":"%s"}`, day(105)), "C-2"},
		{fmt.Sprintf(`{"reportChangedFrom":"%s"}`, day(111)), ""},
	} {
		if got := myIDs(tc.body); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.body, got, tc.want)
		}
	}
}

func TestJobValidateCancel(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	status := func(q string) string {
		return fmt.Sprint(mustOK(t, send(t, s, "GET", "/Api/v2/Jobs/Detail?"+q, "")).obj(t)["status"])
	}
	for _, tc := range []struct {
		path, wantBody, q, wantStatus string
	}{
		{"/v2/Jobs/Validate?myId=ref-25415", `{"code":1}`, "myId=ref-25415", "6"},
		{"/v2/Jobs/Cancel?myId=ref-25415", `{"code":0}`, "myId=ref-25415", "6"}, // a validated job is not canceled
		{"/Api/v2/Jobs/Cancel?num=13461", `{"code":1}`, "num=13461", "7"},
		{"/Api/v2/Jobs/Validate?num=13461", `{"code":0}`, "num=13461", "7"}, // a canceled job is not validated
		{"/v2/Jobs/Validate?myId=no-such-job", `{"code":0}`, "", ""},
	} {
		r := mustOK(t, send(t, s, "PUT", tc.path, ""))
		if string(r.body) != tc.wantBody {
			t.Errorf("%s: %s, want %s", tc.path, r.body, tc.wantBody)
		}
		if tc.q != "" {
			if got := status(tc.q); got != tc.wantStatus {
				t.Errorf("%s: status %s, want %s", tc.path, got, tc.wantStatus)
			}
		}
	}
}

func TestJobPhotosAndPDF(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	l := mustOK(t, send(t, s, "GET", "/v2/Jobs/Photos?myId=ref-25415", "")).list(t)
	if len(l) < 3 {
		t.Fatalf("%d photos", len(l))
	}
	iterations := map[string]int{}
	for _, p := range l {
		wantKeys(t, p, "job", "iteration", "fileName", "comment", "imageData")
		j := p["job"].(map[string]any)
		wantKeys(t, j, "id", "myId", "num")
		if j["id"] != "265_160719144323649" || j["myId"] != "ref-25415" || fmt.Sprint(j["num"]) != "13473" {
			t.Errorf("job %v", j)
		}
		if p["fileName"] == "image.png" {
			iterations[fmt.Sprint(p["iteration"])]++
		}
	}
	if iterations["0"] < 2 || iterations["1"] < 1 {
		t.Errorf("image.png photos by iteration: %v, want several at 0 and one at 1", iterations)
	}
	pdf := mustOK(t, send(t, s, "GET", "/Api/v2/Jobs/PDF?num=13473", "")).obj(t)
	data, err := base64.StdEncoding.DecodeString(pdf["pdfData"].(string))
	if err != nil {
		t.Fatal(err)
	}
	checkPDF(t, data)
	for _, path := range []string{"/Api/v2/Jobs/Photos?num=1", "/Api/v2/Jobs/PDF?myId=ghost", "/Api/v2/Jobs/Detail?id=ghost"} {
		r := send(t, s, "GET", path, "")
		if m := r.obj(t); r.status != 404 || code(t, m) != 0 || !strings.Contains(m["message"].(string), "not found") {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	// A job without photos has an empty list; every job has a PDF.
	num := code(t, mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Send", `{"customerMyId":"CUST-ES-002","description":"Revisión"}`)).obj(t))
	if l := mustOK(t, send(t, s, "GET", fmt.Sprintf("/Api/v2/Jobs/Photos?num=%d", num), "")).list(t); len(l) != 0 {
		t.Errorf("new job has photos %v", l)
	}
	pdf = mustOK(t, send(t, s, "GET", fmt.Sprintf("/Api/v2/Jobs/PDF?num=%d", num), "")).obj(t)
	data, _ = base64.StdEncoding.DecodeString(pdf["pdfData"].(string))
	checkPDF(t, data)
}

func TestJobIDsAreReproducible(t *testing.T) {
	t.Parallel()
	ids := func(seed int64) []string {
		s := newServer(t, Config{Seed: seed, Demo: true})
		s.now = func() time.Time { return time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC) }
		for i := 0; i < 3; i++ {
			mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Send", fmt.Sprintf(`{"customerMyId":"CUST-FR-001","myId":"R-%d"}`, i)))
		}
		var out []string
		for _, j := range mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Search", `{}`)).list(t) {
			out = append(out, j["id"].(string))
		}
		sort.Strings(out)
		return out
	}
	a, b, c := ids(9), ids(9), ids(10)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("same seed, different job ids")
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("different seeds, same job ids")
	}
}

package sandbox

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

func TestLineTotalReproducesTheReference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line invoiceLine
		want string
	}{
		{invoiceLine{Price: "30", Quantity: "8.5", Discount: "50.3", Tax: "10"}, "139,4000"},
		{invoiceLine{Price: "5.5", Quantity: "10", Discount: "10", Tax: "50"}, "74,2500"},
		{invoiceLine{Price: "10.25", Quantity: "10", Discount: "10", Tax: "50"}, "138,3800"},
		{invoiceLine{Price: "1", Quantity: "1", Discount: "0", Tax: "0"}, "1,0000"},
		{invoiceLine{Price: "0.005", Quantity: "1", Discount: "0", Tax: "0"}, "0,0100"}, // halves away from zero
		{invoiceLine{Price: "-2.5", Quantity: "1", Discount: "0", Tax: "20"}, "-3,0000"},
	} {
		if got := comma(lineTotal(tc.line), 4); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.line, got, tc.want)
		}
	}
}

// The reference's Invoices/Send sample, on the demo's job 13430 and
// customer "synchroteam", with the demo's parts p11 and p3.
const sampleInvoice = `{
    "type":"quotation", "action":"add", "status":1, "num":132, "dueDate":"2018-05-02",
    "job":{"id":"", "myId":"", "num" : "13430"},
    "customer":{"name":"synchroteam", "id":"", "myId":""},
    "lines":[
        {"idPart":"", "description":"", "reference":"p11", "price":"0", "tax":"", "quantity":"10", "discount":"10"},
        {"idPart":"35912", "description":"test description", "reference":"ref incorrect", "tax":"10", "quantity":"8.5", "discount":"50,3"}]
}`

func TestInvoiceSendAndList(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	r := mustOK(t, send(t, s, "POST", "/Api/v2/Invoices/Send", sampleInvoice))
	if string(r.body) != `{"code":1,"message":null,"data":{"num":132,"numberLines":2}}` {
		t.Fatalf("send: %s", r.body)
	}
	list := func(body string) reply { return mustOK(t, send(t, s, "POST", "/Api/v2/Invoices/List", body)) }
	got := list(`{"customer":{"name":"synchroteam","id":"","myId":""}}`)
	var inv map[string]any
	for _, i := range got.list(t) {
		if fmt.Sprint(i["num"]) == "132" {
			inv = i
		}
	}
	if inv == nil {
		t.Fatalf("invoice 132 not listed for customer synchroteam: %s", got.body)
	}
	wantKeys(t, inv, "dueDate", "idClient", "idJob", "idSite", "lines", "num", "status", "total", "type")
	if inv["dueDate"] != "02/05/2018 00:00:00" || inv["type"] != "Quotation" || fmt.Sprint(inv["num"]) != "132" {
		t.Errorf("invoice %v", inv)
	}
	if !strings.Contains(string(got.body), `"total":213.6500`) {
		t.Errorf("total not the JSON number 213.6500: %s", got.body)
	}
	lines := inv["lines"].([]any)
	first, second := lines[0].(map[string]any), lines[1].(map[string]any)
	wantKeys(t, first, "description", "discount", "idPart", "price", "quantity", "reference", "tax", "totalLine", "total")
	// The part fills what the line leaves empty: price, tax, description.
	for k, want := range map[string]any{"price": "5,50", "tax": "50,00", "description": "***1 > part1", "total": "74,2500", "quantity": "10,00", "discount": "10,00", "totalLine": nil} {
		if first[k] != want {
			t.Errorf("line 1 %s = %v, want %v", k, first[k], want)
		}
	}
	// idPart wins over a wrong reference.
	if second["reference"] != "p3" || second["price"] != "30,00" || second["total"] != "139,4000" || second["discount"] != "50,30" {
		t.Errorf("line 2 %v", second)
	}

	// add appends, replace replaces.
	add := mustOK(t, send(t, s, "POST", "/Api/v2/Invoices/Send", `{"num":132,"action":"add","lines":[{"description":"Déplacement","price":"45","tax":"20","quantity":"1"}]}`)).obj(t)
	if fmt.Sprint(add["data"].(map[string]any)["numberLines"]) != "3" {
		t.Errorf("after add: %v", add)
	}
	rep := mustOK(t, send(t, s, "POST", "/Api/v2/Invoices/Send", `{"num":132,"type":"quotation","action":"replace","lines":[{"description":"Forfait","price":"100","tax":"20","quantity":"1"}]}`)).obj(t)
	if fmt.Sprint(rep["data"].(map[string]any)["numberLines"]) != "1" {
		t.Errorf("after replace: %v", rep)
	}
	if b := list(`{"customer":{"name":"synchroteam"}}`).body; !strings.Contains(string(b), `"total":120.0000`) {
		t.Errorf("after replace: %s", b)
	}
	// A new num without type is refused; a new invoice gets the next num.
	created := mustOK(t, send(t, s, "POST", "/Api/v2/Invoices/Send", `{"type":"Invoice","status":"2","lines":[]}`)).obj(t)
	if n := fmt.Sprint(created["data"].(map[string]any)["num"]); n == "" || n == "132" {
		t.Errorf("new invoice num %s", n)
	}
	for _, tc := range []struct{ name, body string }{
		{"no type", `{"num":999,"lines":[]}`},
		{"bad type", `{"type":"bill","lines":[]}`},
		{"bad action", `{"num":132,"action":"merge"}`},
		{"type change", `{"num":132,"type":"invoice"}`},
		{"quotation status 3", `{"type":"quotation","status":3}`},
		{"unknown job", `{"type":"invoice","job":{"num":"1"}}`},
		{"unknown customer", `{"type":"invoice","customer":{"name":"Nobody"}}`},
		{"unknown part id", `{"type":"invoice","lines":[{"idPart":"1","quantity":1}]}`},
		{"no quantity", `{"type":"invoice","lines":[{"description":"x","price":1}]}`},
		{"unreadable price", `{"type":"invoice","lines":[{"description":"x","price":"1.2.3","quantity":1}]}`},
		{"discount over 100", `{"type":"invoice","lines":[{"price":1,"quantity":1,"discount":"150"}]}`},
		{"bad due date", `{"type":"invoice","dueDate":"soon"}`},
	} {
		r := send(t, s, "POST", "/Api/v2/Invoices/Send", tc.body)
		m := r.obj(t)
		if r.status != 400 || code(t, m) != 0 || m["message"] == nil || m["data"] != nil {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
}

func TestInvoiceListFilters(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	all := mustOK(t, send(t, s, "POST", "/Api/v2/Invoices/List", "")).list(t)
	nums := func(body string) []string {
		var out []string
		for _, inv := range mustOK(t, send(t, s, "POST", "/Api/v2/Invoices/List", body)).list(t) {
			out = append(out, fmt.Sprint(inv["num"]))
		}
		return out
	}
	refJob := all[0]["idJob"].(string)
	s.mu.Lock()
	j := s.st.Jobs[refJob]
	x := s.st.Sites[j.SiteID]
	cust := s.st.Customers[j.CustomerID]
	s.mu.Unlock()
	for _, tc := range []struct{ body, want string }{
		{fmt.Sprintf(`{"job":{"id":"%s","myId":"","num":""}}`, refJob), "[336 337 338]"},
		{fmt.Sprintf(`{"job":{"num":"%d"}}`, j.Num), "[336 337 338]"},
		{fmt.Sprintf(`{"job":{"myId":"%s"}}`, j.MyID), "[336 337 338]"},
		{fmt.Sprintf(`{"site":{"myId":"%s"}}`, x.MyID), "[336 337 338]"},
		{fmt.Sprintf(`{"customer":{"myId":"%s"},"job":{"id":"%s"}}`, cust.MyID, refJob), "[336 337 338]"},
		{`{"changedFrom":"2999-01-01"}`, "[]"},
		{`{"customer":{"name":"nobody"}}`, "[]"},
	} {
		if got := fmt.Sprint(nums(tc.body)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.body, got, tc.want)
		}
	}
	if len(nums(`{"changedFrom":"2000-01-01"}`)) != len(all) {
		t.Error("changedFrom in the past drops invoices")
	}
}

func TestStockRequests(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	ids := func(body string) []string {
		var out []string
		for _, r := range mustOK(t, send(t, s, "POST", "/Api/v2/StockRequest/Search", body)).list(t) {
			out = append(out, r["id"].(string)[:8])
		}
		return out
	}
	all := mustOK(t, send(t, s, "POST", "/Api/v2/StockRequest/Search", `{"isUrgent": "","isDeleted":"","isSent":"","modifiedAfter": "","createdAfter":""}`)).list(t)
	if len(all) != 6 {
		t.Fatalf("%d requests", len(all))
	}
	var r map[string]any
	for _, x := range all {
		if x["id"] == "22aa76ac-03c8-4fdb-baee-dca2d33cdd23" {
			r = x
		}
	}
	if r == nil {
		t.Fatal("the reference's request 22aa76ac-... is missing")
	}
	wantKeys(t, r, "destination", "id", "isDeleted", "isSent", "isUrgent", "part", "quantity", "source", "user")
	wantKeys(t, r["destination"].(map[string]any), "idStock", "nmStock")
	wantKeys(t, r["part"].(map[string]any), "codeProduit", "idPiece", "nmPiece", "prixPiece")
	wantKeys(t, r["user"].(map[string]any), "idUser", "loginUser", "nomUser", "prenomUser")
	if u := r["user"].(map[string]any); u["nomUser"] != "PINAULT" || u["loginUser"] != "npinault" {
		t.Errorf("user %v", u)
	}
	if fmt.Sprint(r["part"].(map[string]any)["prixPiece"]) != "123" {
		t.Errorf("prixPiece %v", r["part"])
	}
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"isDeleted":false}`, 5},
		{`{"isDeleted":true}`, 1},
		{`{"isUrgent":"true"}`, 2},
		{`{"isSent":false}`, 2},
		{`{"isSent":true,"isUrgent":false}`, 3},
		{fmt.Sprintf(`{"createdAfter":"%s"}`, demoDay(-12, 0, 0).Format("2006-01-02")), 3},
		{fmt.Sprintf(`{"modifiedAfter":"%s"}`, demoDay(-2, 0, 0).Format("2006-01-02")), 2},
		{`{}`, 6},
	} {
		if got := ids(tc.body); len(got) != tc.want {
			t.Errorf("%s: %d requests %v, want %d", tc.body, len(got), got, tc.want)
		}
	}
	// Complete, with the id in upper case as the reference's sample sends it.
	c := mustOK(t, send(t, s, "PUT", "/Api/v2/StockRequest/Complete", `{"isPartial": true,"quantity":3,"id":"1C9035A3-CE56-4E13-B9D0-DFFB9C02E782","serials":["bb11","bb22"]}`))
	if string(c.body) != `{"code":1}` {
		t.Fatalf("complete: %s", c.body)
	}
	for _, r := range mustOK(t, send(t, s, "POST", "/Api/v2/StockRequest/Search", `{}`)).list(t) {
		if r["id"] == "1c9035a3-ce56-4e13-b9d0-dffb9c02e782" && fmt.Sprint(r["quantity"]) != "3" {
			t.Errorf("remaining quantity %v, want 6-3=3", r["quantity"])
		}
	}
	mustOK(t, send(t, s, "PUT", "/Api/v2/StockRequest/Complete", `{"isPartial": false,"id":"1c9035a3-ce56-4e13-b9d0-dffb9c02e782"}`))
	for _, r := range mustOK(t, send(t, s, "POST", "/Api/v2/StockRequest/Search", `{}`)).list(t) {
		if r["id"] == "1c9035a3-ce56-4e13-b9d0-dffb9c02e782" && fmt.Sprint(r["quantity"]) != "0" {
			t.Errorf("after full completion quantity %v, want 0", r["quantity"])
		}
	}
	if c := mustOK(t, send(t, s, "PUT", "/Api/v2/StockRequest/Complete", `{"id":"00000000-0000-0000-0000-000000000000"}`)); string(c.body) != `{"code":0}` {
		t.Errorf("unknown id: %s", c.body)
	}
	for _, body := range []string{`{"quantity":1}`, `{"id":"x","quantity":-1}`, `{"id":"x","isPartial":true}`} {
		if r := send(t, s, "PUT", "/Api/v2/StockRequest/Complete", body); r.status != 400 {
			t.Errorf("%s: %d", body, r.status)
		}
	}
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	data := base64.StdEncoding.EncodeToString([]byte("a;b\n1;2\n"))
	r := mustOK(t, send(t, s, "POST", "/Api/v2/Attachments/Send", fmt.Sprintf(`{"job":{"id":"265_160719144323649","myId":"","num":""},"customer":{"id":"","myId":""},"fileName":"data5.csv","fileData":"%s"}`, data))).obj(t)
	wantKeys(t, r, "data", "msg", "result")
	if r["result"] != "1" || fmt.Sprint(r["msg"]) != "[]" {
		t.Errorf("%v", r)
	}
	d := r["data"].(map[string]any)
	if id, ok := d["id"].(string); !ok || id == "" || !strings.HasSuffix(d["url"].(string), "/data5.csv") {
		t.Errorf("data %v: id must be a string", d)
	}
	mustOK(t, send(t, s, "POST", "/Api/v2/Attachments/Send", `{"customer":{"myId":"CUST-FR-001"},"fileName":"x.txt","fileData":"Base64String"}`))
	for _, tc := range []struct{ name, body string }{
		{"no parent", `{"fileName":"a.txt","fileData":"YQ=="}`},
		{"unknown job", `{"job":{"num":"1"},"fileName":"a.txt","fileData":"YQ=="}`},
		{"unknown customer", `{"customer":{"myId":"ghost"},"fileName":"a.txt","fileData":"YQ=="}`},
		{"no file name", `{"job":{"num":"13473"},"fileData":"YQ=="}`},
		{"not base64", `{"job":{"num":"13473"},"fileName":"a.txt","fileData":"***"}`},
	} {
		r := send(t, s, "POST", "/Api/v2/Attachments/Send", tc.body)
		m := r.obj(t)
		if r.status != 400 || m["result"] != "0" || m["data"] != nil {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
}

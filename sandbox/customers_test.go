package sandbox

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// The reference's Customer/Send sample body, as its cURL sample sends it.
const sampleCustomer = `{
  "address": "6605 Fisher Avenue, Falls Church, VA 22046, United States",
  "addressComplement": "qsfqsfq",
  "contactEmail": "customer@synchroteam.com",
  "contactFirstName": "Jean",
  "contactFax": "(719) 388-1967",
  "contactPhone":"(719) 388-1966",
  "contactName": "Claud",
  "myId":"sCustomer08",
  "name": "Sample Customer ",
  "customFieldValues": [{"name": "Sector", "value": "Retail"}],
  "position": {"latitude": "38.8998214", "longitude": -77.1791373},
  "tags" : ["plumber","restaurant","test"]
}`

func TestCustomerRoundTrip(t *testing.T) {
	t.Parallel()
	s := accountServer(t)
	created := mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", sampleCustomer)).obj(t)
	wantKeys(t, created, "code", "message")
	id := code(t, created)
	if created["message"] != "" {
		t.Errorf("message = %v, want \"\"", created["message"])
	}
	for _, q := range []string{
		fmt.Sprintf("id=%d", id), "myId=sCustomer08", "name=Sample%20Customer", "email=customer@synchroteam.com",
		"MYID=sCustomer08", "Name=sample%20customer",
	} {
		t.Run(q, func(t *testing.T) {
			m := mustOK(t, send(t, s, "GET", "/Api/v2/Customer/Details?"+q, "")).obj(t)
			wantKeys(t, m, "id", "address", "addressComplement", "adressCity", "adressCountry", "adressProvince",
				"adressStreet", "adressZIP", "contactEmail", "contactFirstName", "contactFax", "contactPhone",
				"contactName", "myId", "name", "customFieldValues", "position", "tags")
			if mustInt(t, m["id"]) != id {
				t.Errorf("id = %v, want %d", m["id"], id)
			}
			pos, _ := m["position"].(map[string]any)
			if pos["Latitude"] != "38.8998214" || pos["Longitude"] != "-77.1791373" {
				t.Errorf("position = %v, want Latitude/Longitude strings", m["position"])
			}
			if fmt.Sprint(m["tags"]) != "[plumber restaurant test]" {
				t.Errorf("tags = %v", m["tags"])
			}
			cf, _ := m["customFieldValues"].([]any)
			if len(cf) != 1 || cf[0].(map[string]any)["value"] != "Retail" || cf[0].(map[string]any)["name"] != "Sector" {
				t.Errorf("customFieldValues = %v", m["customFieldValues"])
			}
		})
	}

	// Update by myId: same id, changed fields, others kept.
	upd := mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"myId":"sCustomer08","contactName":"Claude","adressCity":"Falls Church"}`)).obj(t)
	if code(t, upd) != id {
		t.Fatalf("update by myId gave id %v, want %d", upd["code"], id)
	}
	// Update by id (a number sent as a string) may change the myId.
	upd = mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", fmt.Sprintf(`{"id":"%d","myId":"sCustomer09"}`, id))).obj(t)
	if code(t, upd) != id {
		t.Fatalf("update by id gave id %v, want %d", upd["code"], id)
	}
	m := mustOK(t, send(t, s, "GET", "/Api/v2/Customer/Details?myId=sCustomer09", "")).obj(t)
	if m["contactName"] != "Claude" || m["adressCity"] != "Falls Church" || m["contactEmail"] != "customer@synchroteam.com" {
		t.Errorf("after updates: %v", m)
	}
	if r := send(t, s, "GET", "/Api/v2/Customer/Details?myId=sCustomer08", ""); r.status != 404 {
		t.Errorf("old myId still found: %d", r.status)
	}

	list := mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", "")).list(t)
	if len(list) != 1 {
		t.Fatalf("list has %d customers", len(list))
	}
	for _, k := range []string{"customFieldValues", "tags"} {
		if _, has := list[0][k]; has {
			t.Errorf("Customer/List shows %s (the reference lists customers without custom fields)", k)
		}
	}
	wantKeys(t, list[0], "id", "myId", "name", "position", "adressZIP")

	del := mustOK(t, send(t, s, "DELETE", fmt.Sprintf("/Api/v2/Customer/Delete?id=%d", id), "")).obj(t)
	if code(t, del) != 1 {
		t.Errorf("delete code %v, want 1", del["code"])
	}
	if r := send(t, s, "GET", fmt.Sprintf("/Api/v2/Customer/Details?id=%d", id), ""); r.status != 404 {
		t.Errorf("deleted customer still found: %d", r.status)
	}
}

func TestCustomerDeleteByNameDeletesAll(t *testing.T) {
	t.Parallel()
	s := emptyServer(t)
	for i := 0; i < 3; i++ {
		mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"name":"HAMILTON ASSET MANAGEMENT"}`))
	}
	mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"name":"Other","myId":"O-1"}`))
	mustOK(t, send(t, s, "POST", "/Api/v2/Site/Send", `{"name":"HQ","customerName":"Other"}`))
	if n := code(t, mustOK(t, send(t, s, "DELETE", "/Api/v2/Customer/Delete?name=HAMILTON%20ASSET%20MANAGEMENT", "")).obj(t)); n != 3 {
		t.Fatalf("deleted %d, want 3", n)
	}
	if n := code(t, mustOK(t, send(t, s, "DELETE", "/Api/v2/Customer/Delete?name=nobody", "")).obj(t)); n != 0 {
		t.Fatalf("deleted %d, want 0", n)
	}
	if n := len(mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", "")).list(t)); n != 1 {
		t.Fatalf("%d customers left, want 1", n)
	}
	// Deleting a customer deletes its sites.
	if n := code(t, mustOK(t, send(t, s, "DELETE", "/Api/v2/Customer/Delete?myId=O-1", "")).obj(t)); n != 1 {
		t.Fatalf("deleted %d, want 1", n)
	}
	if r := send(t, s, "GET", "/Api/v2/Site/Details?name=HQ", ""); r.status != 404 {
		t.Errorf("site of a deleted customer: status %d, want 404", r.status)
	}
}

func TestCustomerListChangedFrom(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	all := mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", "")).list(t)
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"ChangedFrom=2000-01-01", len(all)},
		{"changedfrom=2999-01-01", 0},
		{"CHANGEDFROM=" + url.QueryEscape(demoDay(-40, 0, 0).Format("2006-01-02")), 6},
	} {
		got := mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List?"+tc.query, "")).list(t)
		if len(got) != tc.want {
			t.Errorf("%s: %d customers, want %d", tc.query, len(got), tc.want)
		}
	}
	if r := send(t, s, "GET", "/Api/v2/Customer/List?ChangedFrom=yesterday", ""); r.status != 400 {
		t.Errorf("bad ChangedFrom: status %d, want 400", r.status)
	}
	// A change moves a customer into the window.
	s.now = func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }
	mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"myId":"CUST-FR-001","contactFax":"+33 4 00 00 00 00"}`))
	got := mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List?ChangedFrom=2029-12-31", "")).list(t)
	if len(got) != 1 || got[0]["myId"] != "CUST-FR-001" {
		t.Errorf("changed since 2029-12-31: %v", got)
	}
}

func TestCustomerValidation(t *testing.T) {
	t.Parallel()
	s := emptyServer(t)
	mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"name":"A","myId":"A"}`))
	mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"name":"B","myId":"B"}`))
	for _, tc := range []struct{ name, body string }{
		{"no name", `{"myId":"new"}`},
		{"empty name on update", `{"myId":"A","name":"  "}`},
		{"bad id", `{"id":"abc","name":"X"}`},
		{"myId taken", `{"id":35601,"myId":"B"}`},
		{"latitude out of range", `{"name":"X","position":{"latitude":"95","longitude":"1"}}`},
		{"unreadable latitude", `{"name":"X","position":{"latitude":"north","longitude":"1"}}`},
		{"unknown custom field id", `{"name":"X","customFieldValues":[{"id":999,"value":"v"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, s, "POST", "/Api/v2/Customer/Send", tc.body)
			if r.status != 400 {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			m := r.obj(t)
			wantKeys(t, m, "code", "message")
			if code(t, m) != 0 || m["message"] == "" {
				t.Errorf("envelope %v", m)
			}
		})
	}
	if n := len(mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", "")).list(t)); n != 2 {
		t.Errorf("%d customers after refused requests, want 2", n)
	}
	for _, q := range []string{"id=abc", "colour=red", ""} {
		r := send(t, s, "GET", "/Api/v2/Customer/Details?"+q, "")
		if r.status != 400 {
			t.Errorf("Details?%s: status %d, want 400", q, r.status)
		}
	}
	r := send(t, s, "GET", "/Api/v2/Customer/Details?id=99", "")
	if m := r.obj(t); r.status != 404 || code(t, m) != 0 || m["message"] == "" {
		t.Errorf("unknown id: %d %s", r.status, r.body)
	}
}

func TestLooseScalarsInBodies(t *testing.T) {
	t.Parallel()
	s := emptyServer(t)
	// Numbers for strings, keys in other letter cases, a comma list of tags.
	r := mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"NAME":"Loose","MyId":12345,"adressZIP":22046,"Tags":"a, b"}`)).obj(t)
	m := mustOK(t, send(t, s, "GET", fmt.Sprintf("/Api/v2/Customer/Details?id=%d", code(t, r)), "")).obj(t)
	if m["myId"] != "12345" || m["adressZIP"] != "22046" || fmt.Sprint(m["tags"]) != "[a b]" {
		t.Errorf("loose scalars read as %v", m)
	}
	if _, ok := m["adressZIP"].(string); !ok {
		t.Errorf("adressZIP is %T, want a string", m["adressZIP"])
	}
}

func TestCustomerSendWithSitesAndEquipment(t *testing.T) {
	t.Parallel()
	s := emptyServer(t)
	id := code(t, mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{
	  "myId":"N-1","name":"Nested Corp",
	  "sites":[{"myId":"NS-1","name":"Main site","adressCity":"Lyon",
	            "equipments":[{"myId":"NE-1","name":"Boiler"}]},
	           {"myId":"NS-2","name":"Depot"}],
	  "equipments":[{"myId":"NE-2","name":"Van fridge"}]}`)).obj(t))
	sites := mustOK(t, send(t, s, "GET", "/Api/v2/Site/List/byCustomer/myId/N-1", "")).list(t)
	if len(sites) != 2 {
		t.Fatalf("%d sites", len(sites))
	}
	e1 := mustOK(t, send(t, s, "GET", "/Api/v2/Equipment/Details?myId=NE-1", "")).obj(t)
	if mustInt(t, e1["customerId"]) != id || e1["siteMyId"] != "NS-1" {
		t.Errorf("nested equipment of a site: %v", e1)
	}
	e2 := mustOK(t, send(t, s, "GET", "/Api/v2/Equipment/Details?myId=NE-2", "")).obj(t)
	if mustInt(t, e2["customerId"]) != id || e2["siteId"] != nil {
		t.Errorf("nested equipment of the customer: %v", e2)
	}
	// Site/Send with equipments.
	mustOK(t, send(t, s, "POST", "/Api/v2/Site/Send", `{"myId":"NS-2","equipments":[{"myId":"NE-3","name":"Compressor"}]}`))
	if e3 := mustOK(t, send(t, s, "GET", "/Api/v2/Equipment/Details?myId=NE-3", "")).obj(t); e3["siteName"] != "Depot" {
		t.Errorf("equipment sent with its site: %v", e3)
	}
	// One bad nested item: nothing is stored.
	for _, body := range []string{
		`{"myId":"N-2","name":"Half","sites":[{"name":"ok"},{"myId":"x"}]}`,
		`{"myId":"N-2","name":"Half","sites":[{"name":"ok","equipments":[{"myId":"e"}]}]}`,
		`{"myId":"N-2","name":"Half","equipments":[{"name":"a","myId":"d"},{"name":"b","myId":"d"}]}`,
	} {
		if r := send(t, s, "POST", "/Api/v2/Customer/Send", body); r.status != 400 {
			t.Errorf("%s: status %d", body, r.status)
		}
	}
	if r := send(t, s, "GET", "/Api/v2/Customer/Details?myId=N-2", ""); r.status != 404 {
		t.Error("a customer was stored although a nested item was refused")
	}
	if r := send(t, s, "GET", "/Api/v2/Site/Details?name=ok", ""); r.status != 404 {
		t.Error("a site was stored although its sibling was refused")
	}
}

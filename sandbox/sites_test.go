package sandbox

import (
	"fmt"
	"testing"
)

// newCustomerAndSite creates customer "World Inc." (myId ref-54) with site
// "New York Office" (myId ref-2541) and returns their ids.
func newCustomerAndSite(t *testing.T, s *Server) (custID, siteID int64) {
	t.Helper()
	custID = code(t, mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"name":"World Inc.","myId":"ref-54","adressCity":"New York"}`)).obj(t))
	siteID = code(t, mustOK(t, send(t, s, "POST", "/Api/v2/Site/Send", `{
	  "address": "6605 Fisher Avenue, Falls Church, VA 22046, United States",
	  "contactEmail": "contact@synchroteam.com", "contactFax": "0524548798", "contactFirstName": "Paul",
	  "contactPhone": "(719) 388-1966", "customerMyId": "ref-54", "myId": "ref-2541", "name": "New York Office",
	  "tags" : ["plumber","restaurant","test"]}`)).obj(t))
	return custID, siteID
}

func TestSiteRoundTrip(t *testing.T) {
	t.Parallel()
	s := emptyServer(t)
	custID, siteID := newCustomerAndSite(t, s)
	mustOK(t, send(t, s, "POST", "/Api/v2/Equipment/Send", fmt.Sprintf(`{"name":"Heater 2345","siteId":%d}`, siteID)))
	for _, q := range []string{fmt.Sprintf("id=%d", siteID), "myId=ref-2541", "name=New%20York%20Office", "MyID=REF-2541"} {
		t.Run(q, func(t *testing.T) {
			m := mustOK(t, send(t, s, "GET", "/Api/v2/Site/Details?"+q, "")).obj(t)
			wantKeys(t, m, "id", "myId", "address", "addressComplement", "adressCity", "adressCountry", "adressProvince",
				"adressStreet", "adressZIP", "contactEmail", "contactFax", "contactMobile", "contactName", "contactPhone",
				"name", "equipments", "customFieldValues", "position", "tags")
			if mustInt(t, m["id"]) != siteID {
				t.Errorf("id %v", m["id"])
			}
			eq, _ := m["equipments"].([]any)
			if len(eq) != 1 || eq[0].(map[string]any)["name"] != "Heater 2345" {
				t.Errorf("equipments = %v", m["equipments"])
			}
			if p, _ := m["position"].(map[string]any); p["Latitude"] == nil {
				t.Errorf("no position from the address: %v", m["position"])
			}
		})
	}
	for _, path := range []string{
		fmt.Sprintf("/Api/v2/Site/List/byCustomer/id/%d", custID),
		"/Api/v2/Site/List/byCustomer/myId/ref-54",
		"/api/v2/site/list/bycustomer/myid/ref-54",
	} {
		l := mustOK(t, send(t, s, "GET", path, "")).list(t)
		if len(l) != 1 || l[0]["customerName"] != "World Inc." || l[0]["name"] != "New York Office" {
			t.Errorf("%s: %v", path, l)
		}
		wantKeys(t, l[0], "id", "myId", "address", "contactMobile", "name", "customerName")
	}
	for _, path := range []string{"/Api/v2/Site/List/byCustomer/id/999", "/Api/v2/Site/List/byCustomer/myId/nope"} {
		if r := send(t, s, "GET", path, ""); r.status != 404 {
			t.Errorf("%s: status %d, want 404", path, r.status)
		}
	}
	// Update by myId, moved to another customer given by name.
	mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"name":"Other Corp","myId":"oc"}`))
	if got := code(t, mustOK(t, send(t, s, "POST", "/Api/v2/Site/Send", `{"myId":"ref-2541","customerName":"Other Corp","contactName":"Mr Paul"}`)).obj(t)); got != siteID {
		t.Fatalf("update gave %d, want %d", got, siteID)
	}
	if l := mustOK(t, send(t, s, "GET", "/Api/v2/Site/List/byCustomer/myId/oc", "")).list(t); len(l) != 1 || l[0]["contactName"] != "Mr Paul" {
		t.Errorf("after moving: %v", l)
	}
	if n := code(t, mustOK(t, send(t, s, "DELETE", "/Api/v2/Site/Delete?myId=ref-2541", "")).obj(t)); n != 1 {
		t.Errorf("deleted %d", n)
	}
	if n := code(t, mustOK(t, send(t, s, "DELETE", "/Api/v2/Site/Delete?name=New%20York%20Office", "")).obj(t)); n != 0 {
		t.Errorf("deleted %d, want 0", n)
	}
}

func TestSiteParentValidation(t *testing.T) {
	t.Parallel()
	s := emptyServer(t)
	newCustomerAndSite(t, s)
	mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"name":"Twin"}`))
	mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"name":"Twin"}`))
	for _, tc := range []struct{ name, body string }{
		{"no customer", `{"name":"S"}`},
		{"unknown customer id", `{"name":"S","customerId":4242}`},
		{"unknown customer myId", `{"name":"S","customerMyId":"nope"}`},
		{"unknown customer name", `{"name":"S","customerName":"Nobody"}`},
		{"ambiguous customer name", `{"name":"S","customerName":"Twin"}`},
		{"id and myId disagree", `{"name":"S","customerId":35602,"customerMyId":"ref-54"}`},
		{"non-numeric customer id", `{"name":"S","customerId":"x1"}`},
		{"no name", `{"customerMyId":"ref-54"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, s, "POST", "/Api/v2/Site/Send", tc.body)
			if r.status != 400 || code(t, r.obj(t)) != 0 {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
		})
	}
}

func TestEquipmentRoundTrip(t *testing.T) {
	t.Parallel()
	s := accountServer(t)
	custID, siteID := newCustomerAndSite(t, s)
	body := fmt.Sprintf(`{"myId":"ref-2542","name":"Heater 2345","customerId":%d,"siteId":%d,
		"customFieldValues":[{"name":"Equipment Serial Number","value":"125FTD47842"}],"tags":["plumber"]}`, custID, siteID)
	id := code(t, mustOK(t, send(t, s, "POST", "/Api/v2/Equipment/Send", body)).obj(t))
	for _, q := range []string{fmt.Sprintf("id=%d", id), "myId=ref-2542", "name=Heater%202345"} {
		m := mustOK(t, send(t, s, "GET", "/Api/v2/Equipment/Details?"+q, "")).obj(t)
		wantKeys(t, m, "id", "myId", "name", "customerName", "customerId", "customerMyId", "siteName", "siteId",
			"siteMyId", "customFieldValues", "tags")
		if m["customerMyId"] != "ref-54" || m["siteName"] != "New York Office" || mustInt(t, m["siteId"]) != siteID {
			t.Errorf("%s: %v", q, m)
		}
	}
	// A site alone decides the customer.
	id2 := code(t, mustOK(t, send(t, s, "POST", "/Api/v2/Equipment/Send", `{"myId":"ref-2543","name":"Boiler","siteMyId":"ref-2541"}`)).obj(t))
	m := mustOK(t, send(t, s, "GET", fmt.Sprintf("/Api/v2/Equipment/Details?id=%d", id2), "")).obj(t)
	if mustInt(t, m["customerId"]) != custID {
		t.Errorf("customer from the site: %v", m["customerId"])
	}
	for _, path := range []string{
		fmt.Sprintf("/Api/v2/Equipment/List/Customer/%d/Site/%d", custID, siteID),
		"/Api/v2/Equipment/List/Customer/World%20Inc./Site/New%20York%20Office",
		fmt.Sprintf("/Api/v2/Equipment/List/Customer/World%%20Inc./Site/%d", siteID),
	} {
		r := mustOK(t, send(t, s, "GET", path, ""))
		var lists [][]map[string]any
		if err := jsonUnmarshal(r.body, &lists); err != nil {
			t.Fatalf("%s: want a list of lists: %v %s", path, err, r.body)
		}
		if len(lists) != 1 || len(lists[0]) != 2 {
			t.Fatalf("%s: %s", path, r.body)
		}
		wantKeys(t, lists[0][0], "customerId", "customerMyId", "customerName", "myId", "name", "siteId", "siteMyId", "siteName", "id")
	}
	if r := send(t, s, "GET", "/Api/v2/Equipment/List/Customer/Nobody/Site/1", ""); r.status != 404 {
		t.Errorf("unknown customer: %d", r.status)
	}
	otherID := code(t, mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"name":"Other"}`)).obj(t))
	for _, tc := range []struct{ name, body string }{
		{"no parent", `{"name":"X"}`},
		{"site of another customer", fmt.Sprintf(`{"name":"X","customerId":%d,"siteMyId":"ref-2541"}`, otherID)},
		{"unknown site", `{"name":"X","siteName":"Nowhere"}`},
		{"no name", `{"siteMyId":"ref-2541"}`},
	} {
		if r := send(t, s, "POST", "/Api/v2/Equipment/Send", tc.body); r.status != 400 {
			t.Errorf("%s: status %d, want 400", tc.name, r.status)
		}
	}
	if n := code(t, mustOK(t, send(t, s, "DELETE", "/Api/v2/Equipment/Delete?myId=ref-2542", "")).obj(t)); n != 1 {
		t.Errorf("deleted %d", n)
	}
	if n := code(t, mustOK(t, send(t, s, "DELETE", fmt.Sprintf("/Api/v2/Equipment/Delete?id=%d", id2), "")).obj(t)); n != 1 {
		t.Errorf("deleted %d", n)
	}
	if r := send(t, s, "GET", "/Api/v2/Equipment/Details?name=Boiler", ""); r.status != 404 {
		t.Errorf("deleted equipment found: %d", r.status)
	}
}

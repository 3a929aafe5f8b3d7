package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

func jsonUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

func TestPartRoundTrip(t *testing.T) {
	t.Parallel()
	s := emptyServer(t)
	// The reference's Part/Send sample.
	r := mustOK(t, send(t, s, "POST", "/Api/v2/Part/Send", `{
	   "name":"Angle inter. H50 White", "price":7.35, "categoryName":"Electricity", "reference":"LEG10602",
	   "taxId":5, "minQuantity": 2, "tracked":true, "serializable":true}`)).obj(t)
	if _, has := r["message"]; has || len(r) != 1 {
		t.Errorf("Part/Send answers %v, want only {\"code\": id}", r)
	}
	id := code(t, r)
	for _, q := range []string{fmt.Sprintf("id=%d", id), "reference=LEG10602", "Reference=leg10602"} {
		m := mustOK(t, send(t, s, "GET", "/Api/v2/Part/Details?"+q, "")).obj(t)
		wantKeys(t, m, "categoryId", "categoryName", "id", "name", "price", "reference", "taxId", "taxVal")
		if m["price"] != "7.35" || m["taxVal"] != "20" || m["categoryName"] != "Electricity" {
			t.Errorf("%s: %v (price and taxVal must be strings)", q, m)
		}
	}
	// Update by reference, price with a decimal comma; the category is reused.
	if got := code(t, mustOK(t, send(t, s, "POST", "/Api/v2/Part/Send", `{"reference":"LEG10602","price":"8,10","categoryName":"electricity"}`)).obj(t)); got != id {
		t.Fatalf("update gave %d, want %d", got, id)
	}
	m := mustOK(t, send(t, s, "GET", "/Api/v2/Part/Details?reference=LEG10602", "")).obj(t)
	if m["price"] != "8.1" || m["name"] != "Angle inter. H50 White" {
		t.Errorf("after update: %v", m)
	}
	for _, tc := range []struct{ name, body string }{
		{"no reference", `{"name":"X"}`},
		{"no name", `{"reference":"NEW"}`},
		{"negative price", `{"name":"X","reference":"NEW","price":"-1"}`},
		{"unreadable price", `{"name":"X","reference":"NEW","price":"cheap"}`},
		{"unknown tax", `{"name":"X","reference":"NEW","taxId":777}`},
		{"unknown category id", `{"name":"X","reference":"NEW","categoryId":777}`},
	} {
		if r := send(t, s, "POST", "/Api/v2/Part/Send", tc.body); r.status != 400 || code(t, r.obj(t)) != 0 {
			t.Errorf("%s: status %d: %s", tc.name, r.status, r.body)
		}
	}
	if n := code(t, mustOK(t, send(t, s, "DELETE", "/Api/v2/Part/Delete?reference=LEG10602", "")).obj(t)); n != 1 {
		t.Errorf("deleted %d", n)
	}
	if n := code(t, mustOK(t, send(t, s, "DELETE", fmt.Sprintf("/Api/v2/Part/Delete?id=%d", id), "")).obj(t)); n != 0 {
		t.Errorf("deleted %d, want 0", n)
	}
	if r := send(t, s, "GET", "/Api/v2/Part/Details?reference=LEG10602", ""); r.status != 404 {
		t.Errorf("deleted part: %d", r.status)
	}
}

func TestPartPrices(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	j20 := mustOK(t, send(t, s, "GET", "/Api/v2/Part/Details?reference=JT-20", "")).obj(t)
	body := fmt.Sprintf(`[
	  {"reference": "p11", "price":"10,25"},
	  {"id": %s, "price":"70,25"},
	  {"id": 35919, "price":"-100,25"},
	  {"id": 359112519, "price":"540,25"},
	  {"reference": "ghost", "price": 3},
	  {"reference": "p3", "price": "abc"}
	]`, j20["id"])
	r := mustOK(t, send(t, s, "PUT", "/Api/v2/Part/Prices", body))
	m := r.obj(t)
	if code(t, m) != 0 {
		t.Errorf("code %v, want 0", m["code"])
	}
	want := `{"code":0,"errors":[{"id":"35919","price":"-100,25","reference":null},{"id":"359112519","price":"540,25","reference":null},{"id":null,"price":"3","reference":"ghost"},{"id":null,"price":"abc","reference":"p3"}]}`
	if string(r.body) != want {
		t.Errorf("body\n%s\nwant\n%s", r.body, want)
	}
	for ref, price := range map[string]string{"p11": "10.25", "JT-20": "70.25", "p3": "30"} {
		got := mustOK(t, send(t, s, "GET", "/Api/v2/Part/Details?reference="+ref, "")).obj(t)["price"]
		if got != price {
			t.Errorf("%s price %v, want %s", ref, got, price)
		}
	}
	ok := mustOK(t, send(t, s, "PUT", "/Api/v2/Part/Prices", `[{"reference":"p11","price":5.5}]`))
	if string(ok.body) != `{"code":1,"errors":[]}` {
		t.Errorf("all applied: %s", ok.body)
	}
	// An id and a reference that name different parts are refused, not
	// resolved by the id alone.
	mixed := mustOK(t, send(t, s, "PUT", "/Api/v2/Part/Prices", fmt.Sprintf(`[{"id":%s,"reference":"p11","price":1}]`, j20["id"]))).obj(t)
	if code(t, mixed) != 0 {
		t.Errorf("an id and a reference of two parts: code %v, want 0", mixed["code"])
	}
	for ref, price := range map[string]string{"p11": "5.5", "JT-20": "70.25"} {
		if got := mustOK(t, send(t, s, "GET", "/Api/v2/Part/Details?reference="+ref, "")).obj(t)["price"]; got != price {
			t.Errorf("%s price %v after a refused item, want %s", ref, got, price)
		}
	}
}

func TestInventoryQuantities(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	good := `[
	   {"depot":"stock4","parts":[{"reference": "KAAQ3104A","quantity":210,"serials":[]},
	      {"reference": "refHi001","quantity":"6","serials":["771000","771010","771020","771050","771045","771046"]}]},
	   {"depot":"Entrepôt Lyon","parts":[{"reference": "refHi001","quantity":"4","serials":["3000","3103","3020","3057"]},
	      {"reference": "KAAQ3104A","quantity":20,"serials":[]}]}]`
	r := mustOK(t, send(t, s, "PUT", "/Api/v2/Inventory/Quantities", good))
	if string(r.body) != `{"code":1,"errors":""}` {
		t.Errorf("all good: %s", r.body)
	}
	s.mu.Lock()
	d := s.st.depotByName("stock4")
	kaaq, _ := s.st.idx.partRef.first("KAAQ3104A")
	level := s.st.stockLevel(d.ID, kaaq).Quantity
	s.mu.Unlock()
	if level != "210" {
		t.Errorf("stock4 KAAQ3104A = %s, want 210", level)
	}
	bad := `[{"depot":"nowhere","parts":[{"reference":"KAAQ3104A","quantity":1}]},
	  {"depot":"stock","parts":[{"reference":"ghost","quantity":1},{"reference":"KAAQ3104A","quantity":"-3"},
	     {"reference":"refHi001","quantity":3,"serials":["a","b"]},{"reference":"JT-20","quantity":"7"}]}]`
	m := mustOK(t, send(t, s, "PUT", "/Api/v2/Inventory/Quantities", bad)).obj(t)
	if code(t, m) != 0 {
		t.Fatalf("code %v", m["code"])
	}
	errs, _ := m["errors"].([]any)
	if len(errs) != 4 {
		t.Fatalf("errors %v, want 4", m["errors"])
	}
	for _, e := range errs {
		wantKeys(t, e.(map[string]any), "depot", "reference", "reason")
	}
	first := errs[0].(map[string]any)
	if first["depot"] != "nowhere" || first["reference"] != "KAAQ3104A" || first["reason"] == "" {
		t.Errorf("first error %v", first)
	}
}

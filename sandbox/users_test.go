package sandbox

import (
	"fmt"
	"strings"
	"testing"
)

const sampleUser = `{
    "firstName": "John", "lastName": "Doe", "login": "login_user", "phone": "(719) 388-1966",
    "profile": "technician", "email": "djohn@gmail.com", "language": "EN", "password": "123456",
    "startLocation": {"fullAdress": "411 Pearl St, New York, NY 10038, États-Unis", "latitude": "40.7115539", "longitude": "-74.0035686"},
    "CustomFieldValues": [{"Name": "Sector", "Value": "OD 89874 sector"}],
    "groups":["group5","group87"],
    "skilledTrades": ["plumber","electrician"]
}`

func TestUserRoundTrip(t *testing.T) {
	t.Parallel()
	s := accountServer(t)
	id := code(t, mustOK(t, send(t, s, "POST", "/Api/v2/User/Send", sampleUser)).obj(t))
	for _, q := range []string{fmt.Sprintf("id=%d", id), "login=login_user", "LOGIN=Login_User"} {
		m := mustOK(t, send(t, s, "GET", "/Api/v2/User/Details?"+q, "")).obj(t)
		wantKeys(t, m, "id", "firstName", "lastName", "login", "phone", "profile", "email", "language", "groups",
			"skilledTrades", "startLocation", "CustomFieldValues")
		if _, has := m["password"]; has {
			t.Error("the password is shown")
		}
		loc, _ := m["startLocation"].(map[string]any)
		if loc["fullAdress"] != "411 Pearl St, New York, NY 10038, États-Unis" || loc["latitude"] != "40.7115539" {
			t.Errorf("startLocation %v", m["startLocation"])
		}
		if fmt.Sprint(m["groups"]) != "[group5 group87]" || fmt.Sprint(m["skilledTrades"]) != "[plumber electrician]" {
			t.Errorf("groups %v trades %v", m["groups"], m["skilledTrades"])
		}
	}
	// Update by login keeps the id; an id given as a number updates too.
	if got := code(t, mustOK(t, send(t, s, "POST", "/Api/v2/User/Send", `{"login":"login_user","profile":"Manager","groups":["group1"]}`)).obj(t)); got != id {
		t.Fatalf("update gave %d", got)
	}
	if got := code(t, mustOK(t, send(t, s, "POST", "/Api/v2/User/Send", fmt.Sprintf(`{"id":%d,"language":"fr"}`, id))).obj(t)); got != id {
		t.Fatalf("update gave %d", got)
	}
	m := mustOK(t, send(t, s, "GET", "/Api/v2/User/Details?login=login_user", "")).obj(t)
	if m["profile"] != "manager" || m["language"] != "FR" || fmt.Sprint(m["groups"]) != "[group1]" {
		t.Errorf("after update %v", m)
	}
	for _, tc := range []struct{ name, body string }{
		{"no login", `{"firstName":"A"}`},
		{"bad profile", `{"login":"x","profile":"boss"}`},
		{"bad language", `{"login":"x","language":"DE"}`},
		{"bad email", `{"login":"x","email":"nope"}`},
		{"login of another user", fmt.Sprintf(`{"id":%d,"login":"other"}`, id)},
	} {
		if tc.name == "login of another user" {
			mustOK(t, send(t, s, "POST", "/Api/v2/User/Send", `{"login":"other"}`))
		}
		r := send(t, s, "POST", "/Api/v2/User/Send", tc.body)
		if r.status != 400 || code(t, r.obj(t)) != 0 {
			t.Errorf("%s: status %d %s", tc.name, r.status, r.body)
		}
	}
	if r := send(t, s, "GET", "/Api/v2/User/Details?login=ghost", ""); r.status != 404 {
		t.Errorf("unknown login: %d", r.status)
	}
}

func TestUserSearch(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	logins := func(body string) string {
		var out []string
		for _, u := range mustOK(t, send(t, s, "POST", "/Api/v2/User/Search", body)).list(t) {
			wantKeys(t, u, "id", "login")
			out = append(out, u["login"].(string))
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct{ body, want string }{
		{`{"group":{"id":"","name":"group1"},"skilledTrades":"plumber"}`, "jdupont,techtest,mgarcia,login_user"},
		{`{"group":{"name":"group5"}}`, "steven,login_user"},
		{`{"skilledTrades":["electrician","heating"]}`, "mgarcia"},
		{`{"group":{"name":"no such group"}}`, ""},
		{`{}`, "npinault,jdupont,Bill,techtest,steven,ann,mgarcia,iordonez,lmartin,login_user"},
	} {
		if got := logins(tc.body); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.body, got, tc.want)
		}
	}
	s.mu.Lock()
	var gid int64
	for id, grp := range s.st.Groups {
		if grp.Name == "group5" {
			gid = id
		}
	}
	s.mu.Unlock()
	if got := logins(fmt.Sprintf(`{"group":{"id":%d}}`, gid)); got != "steven,login_user" {
		t.Errorf("group by id: %s", got)
	}
}

func TestActivities(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	from := demoDay(-90, 0, 0).Format("2006-01-02")
	to := demoDay(0, 0, 0).Format("2006-01-02")
	l := mustOK(t, send(t, s, "POST", "/Api/v2/Activities/Search",
		fmt.Sprintf(`{"dateFrom":"%s","dateTo":"%s","loginUser":"Bill","nameActivity":""}`, from, to))).list(t)
	if len(l) != 3 {
		t.Fatalf("Bill has %d activities, want 3", len(l))
	}
	for _, a := range l {
		wantKeys(t, a, "dtEnd", "dtStart", "idActivity", "nmActivity", "noteActivity", "user")
		u := a["user"].(map[string]any)
		wantKeys(t, u, "Groups", "fisrtName", "id", "lastName", "login")
		if u["fisrtName"] != "corger" || u["lastName"] != "Bill" || u["Groups"] != "US East" {
			t.Errorf("user %v", u)
		}
		if ds, _ := a["dtStart"].(string); len(ds) != len("2016-06-01 00:00") {
			t.Errorf("dtStart %q", ds)
		}
	}
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"loginUser":"Bill","name":"Holiday"}`, 1},
		{`{"nameActivity":"cleaner"}`, 1},
		{`{"name":"Holiday"}`, 3},
		{fmt.Sprintf(`{"dateFrom":"%s"}`, demoDay(1, 0, 0).Format("2006-01-02")), 3},
		{`{}`, 10},
	} {
		if n := len(mustOK(t, send(t, s, "POST", "/Api/v2/Activities/Search", tc.body)).list(t)); n != tc.want {
			t.Errorf("%s: %d, want %d", tc.body, n, tc.want)
		}
	}
}

func TestActivityTypes(t *testing.T) {
	t.Parallel()
	s := emptyServer(t)
	// The reference's sample: the unknown id 2541 does not matter.
	r := mustOK(t, send(t, s, "POST", "/Api/V2/ActivityType/Send", `{"id":"2541","name":"Type activity 8","color": "887788","hasConflit":"true"}`)).obj(t)
	wantKeys(t, r, "code", "data", "msg")
	data := r["data"].(map[string]any)
	wantKeys(t, data, "color", "hasConflit", "id", "name")
	if code(t, r) != 1 || data["hasConflit"] != true || data["color"] != "887788" || r["msg"] != "" {
		t.Fatalf("send: %v", r)
	}
	id := mustInt(t, data["id"])
	// Same name: updated, not created.
	r = mustOK(t, send(t, s, "POST", "/Api/V2/ActivityType/Send", `{"name":"type activity 8","hasConflit":false}`)).obj(t)
	if mustInt(t, r["data"].(map[string]any)["id"]) != id {
		t.Errorf("update by name created another type: %v", r)
	}
	mustOK(t, send(t, s, "POST", "/Api/v2/ActivityType/Send", `{"name":"Type activity 9","color":"#777777","hasConflit":1}`))
	mustOK(t, send(t, s, "POST", "/Api/v2/ActivityType/Send", `{"name":"Type activity 10","color":"777777"}`))
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"color":"777777","name":"","hasConflit":"","id":""}`, 2},
		{`{"color":"777777","name":"Type activitdy 7","hasConflit":"","id":""}`, 2},
		{`{"name":"Type activity 8"}`, 1},
		{`{"hasConflit":"true"}`, 1},
		{fmt.Sprintf(`{"id":%d}`, id), 1},
		{`{}`, 3},
	} {
		l := mustOK(t, send(t, s, "POST", "/Api/v2/ActivityType/Search", tc.body)).list(t)
		if len(l) != tc.want {
			t.Errorf("%s: %d, want %d", tc.body, len(l), tc.want)
		}
	}
	for _, tc := range []struct{ name, body string }{
		{"no name", `{"color":"112233"}`},
		{"bad color", `{"name":"X","color":"blue"}`},
	} {
		r := send(t, s, "POST", "/Api/v2/ActivityType/Send", tc.body)
		if m := r.obj(t); r.status != 400 || code(t, m) != 0 || m["msg"] == "" {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	del := mustOK(t, send(t, s, "DELETE", "/Api/V2/ActivityType/Delete", `{"name":"","id":"56555"}`))
	if string(del.body) != `{"code":0,"msg":"The element to be deleted does not exist"}` {
		t.Errorf("delete unknown: %s", del.body)
	}
	if n := code(t, mustOK(t, send(t, s, "DELETE", "/Api/v2/ActivityType/Delete", fmt.Sprintf(`{"name":"","id":%d}`, id))).obj(t)); n != 1 {
		t.Errorf("delete by id: %d", n)
	}
	if n := code(t, mustOK(t, send(t, s, "DELETE", "/Api/v2/ActivityType/Delete", `{"name":"Type activity 9"}`)).obj(t)); n != 1 {
		t.Errorf("delete by name: %d", n)
	}
	if n := len(mustOK(t, send(t, s, "POST", "/Api/v2/ActivityType/Search", `{}`)).list(t)); n != 1 {
		t.Errorf("%d types left, want 1", n)
	}
}

func TestSharedBlocks(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	l := mustOK(t, send(t, s, "GET", "/Api/v2/SharedBlocks/List", "")).list(t)
	types := map[string]bool{}
	conditional := false
	for _, b := range l {
		wantKeys(t, b, "flPublished", "flShared", "id", "items", "name")
		if b["flShared"] != true {
			t.Errorf("block %v is not shared", b["name"])
		}
		for _, it := range b["items"].([]any) {
			item := it.(map[string]any)
			wantKeys(t, item, "conditionItem", "conditionValue", "positionNumber", "valueList", "idCategory", "idItem", "idTypeItem", "mandatory", "name")
			types[item["idTypeItem"].(interface{ String() string }).String()] = true
			if mustInt(t, item["idCategory"]) != mustInt(t, b["id"]) {
				t.Errorf("item %v: idCategory %v, block %v", item["name"], item["idCategory"], b["id"])
			}
			if item["conditionItem"] != nil {
				conditional = true
				if _, ok := item["valueList"].([]any); !ok {
					t.Errorf("conditional list item without valueList: %v", item)
				}
			}
		}
	}
	for _, ty := range []string{"0", "1", "2", "3", "4", "5", "7", "8"} {
		if !types[ty] {
			t.Errorf("no shared item of type %s", ty)
		}
	}
	if !conditional {
		t.Error("no item with a condition")
	}
}

package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSampleFixtures starts from the samples' fixtures file: depots,
// custom fields, job types and parts are there, and nothing else.
func TestSampleFixtures(t *testing.T) {
	t.Parallel()
	fx, err := LoadFixtures(filepath.Join("..", "samples", "sandbox-fixtures.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{Fixtures: fx})
	if n := len(s.st.Customers); n != 0 {
		t.Errorf("%d customers, want none", n)
	}
	if n := len(s.st.Parts); n != 11 {
		t.Errorf("%d parts, want 11", n)
	}
	if n := len(s.st.JobTypes); n != 3 {
		t.Errorf("%d job types, want 3", n)
	}
	r := mustOK(t, send(t, s, "GET", "/Api/v2/Part/Details?reference=refHi001", "")).obj(t)
	if r["price"] != "215.5" || r["categoryName"] != "Chauffage" {
		t.Errorf("refHi001: %v", r)
	}
	mustOK(t, send(t, s, "PUT", "/Api/v2/Inventory/Quantities",
		`[{"depot":"Entrepôt Lyon","reference":"p11","quantity":4},{"depot":"stock","reference":"refHi001","quantity":1,"serials":["SN-1"]}]`))
	r = mustOK(t, send(t, s, "POST", "/Api/v2/Customer/Send", `{"myId":"C1","name":"Dupré","customFieldValues":[{"name":"customer SINCE","value":"2012"}]}`)).obj(t)
	if code(t, r) == 0 {
		t.Errorf("customer not created: %v", r)
	}
	bad := send(t, s, "POST", "/Api/v2/Customer/Send", `{"myId":"C2","name":"Zoë","customFieldValues":[{"name":"Access code","value":"12#"}]}`)
	if bad.status != 400 || !strings.Contains(string(bad.body), `custom field \"Access code\" does not exist for customer records`) {
		t.Errorf("a site's custom field on a customer: %d %s", bad.status, bad.body)
	}
}

// TestFixturesJSON: JSON is YAML; the same sections load.
func TestFixturesJSON(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fx.json")
	body := `{"version": 1, "customFields": {"site": ["Access code"]}, "depots": [{"id": "D1", "name": "Main", "default": true}],
	  "customers": [{"myId": "C1", "name": "Dupré"}], "sites": [{"myId": "S1", "name": "Shop", "customerMyId": "C1", "customFieldValues": [{"name": "Access code", "value": "12#"}]}]}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	fx, err := LoadFixtures(path)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{Fixtures: fx})
	r := mustOK(t, send(t, s, "GET", "/Api/v2/Site/Details?myId=S1", "")).body
	if !strings.Contains(string(r), `"value":"12#"`) {
		t.Errorf("site: %s", r)
	}
	if d := s.st.Depots["D1"]; d == nil || !d.Default {
		t.Errorf("depot D1: %+v", d)
	}
}

func TestFixturesProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file, want string
	}{
		{"no version", "depots: []\n", `"version: 1" is required, got 0`},
		{"misspelt section", "version: 1\ncustomField: {}\n", `line 2: unknown section "customField" (did you mean "customFields"?)`},
		{"unknown section", "version: 1\nwarehouses: []\n", `line 2: unknown section "warehouses" (sections: version, customFields,`},
		{"unknown key", "version: 1\ndepots:\n  - { id: D1, nam: Main }\n", "line 3: field nam not found"},
		{"not a mapping", "- 1\n", "the file must be a mapping of sections"},
		{"bad yaml", "version: [1\n", "yaml: line 1"},
	} {
		path := filepath.Join(t.TempDir(), "fx.yaml")
		if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadFixtures(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "sandbox: fixtures "+path+": ") {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		fx   Fixtures
		want string
	}{
		{"kind", Fixtures{CustomFields: map[string][]string{"part": {"X"}}}, `customFields: unknown kind of record "part"`},
		{"empty field", Fixtures{CustomFields: map[string][]string{"job": {" "}}}, "customFields.job[0]: empty name"},
		{"depot twice", Fixtures{Depots: []FixtureDepot{{ID: "A", Name: "a"}, {ID: "A", Name: "b"}}}, `depots[1]: id "A" is given twice`},
		{"depot name", Fixtures{Depots: []FixtureDepot{{ID: "A"}}}, "depots[0]: a depot needs an id and a name"},
		{"job type", Fixtures{JobTypes: []FixtureJobType{{ID: 3, Name: "a"}, {ID: 3, Name: "b"}}}, "jobTypes[1]: id 3 is taken"},
		{"tax", Fixtures{Taxes: []FixtureTax{{ID: 9, Name: "VAT", Value: "twenty"}}}, `taxes[0]: value "twenty" is not a percentage`},
		{"record", Fixtures{Customers: []any{map[string]any{"myId": "C1", "name": "A"}, map[string]any{"myId": "C2"}}}, `customers[1]: Customer/Send refused it: {"code":0,"message":`},
		{"custom field of a record", Fixtures{Sites: []any{map[string]any{"myId": "S", "name": "S", "customFieldValues": []any{map[string]any{"name": "Nope", "value": "1"}}}}}, `sites[0]: Site/Send refused it:`},
	} {
		_, err := New(Config{Domain: testDomain, APIKey: testKey, Fixtures: &tc.fx})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "sandbox: fixtures: ") {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

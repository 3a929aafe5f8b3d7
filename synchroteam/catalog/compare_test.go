package catalog

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// record decodes a Details answer's JSON as Flatten leaves it.
func record(t *testing.T, s string) Record {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	r, err := Flatten(m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCompare(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, entity string
		sent         Payload
		found        string
		want         []Difference
		unread       []string
	}{
		{"same", "customer", Payload{"myId": "C1", "name": "Dupré"}, `{"myId":"C1","name":"Dupré","id":5}`, nil, nil},
		{"trimmed text", "customer", Payload{"name": " Dupré "}, `{"name":"Dupré"}`, nil, nil},
		{"case of a name counts", "customer", Payload{"name": "dupré"}, `{"name":"Dupré"}`,
			[]Difference{{"name", "dupré", "Dupré"}}, nil},
		{"case of an email does not", "customer", Payload{"contactEmail": "Zoe@Example.com"}, `{"contactEmail":"zoe@example.com"}`, nil, nil},
		{"decimal comma", "part", Payload{"price": "50,30"}, `{"price":"50.3"}`, nil, nil},
		{"number as text and number", "customer", Payload{"position": map[string]any{"latitude": 45.764}}, `{"position":{"latitude":"45.7640"}}`, nil, nil},
		{"number changed", "part", Payload{"price": "12.5"}, `{"price":"13"}`, []Difference{{"price", "12.5", "13"}}, nil},
		{"every digit", "part", Payload{"price": json.Number("12345678901234567.89")}, `{"price":"12345678901234567.8"}`,
			[]Difference{{"price", "12345678901234567.89", "12345678901234567.8"}}, nil},
		{"sent empty, absent", "customer", Payload{"contactFax": ""}, `{"name":"x"}`, nil, nil},
		{"sent, absent", "customer", Payload{"contactFax": "0123"}, `{"name":"x"}`, []Difference{{"contactFax", "0123", ""}}, nil},
		{"tags as a set", "customer", Payload{"tags": []any{"b", "a", "a"}}, `{"tags":["a"," b"]}`, nil, nil},
		{"tag missing", "customer", Payload{"tags": []any{"b", "a"}}, `{"tags":["a"]}`, []Difference{{"tags", "b; a", "a"}}, nil},
		{"custom field", "customer", Payload{"customFieldValues": []any{map[string]any{"name": "Sector", "value": "Food"}}},
			`{"customFieldValues":[{"name":"sector","value":"Food","id":190}]}`, nil, nil},
		{"custom field changed", "customer", Payload{"customFieldValues": []any{map[string]any{"name": "Sector", "value": "Food"}}},
			`{"customFieldValues":[{"name":"Sector","value":"Retail","id":190}]}`, []Difference{{"customFieldValues.Sector", "Food", "Retail"}}, nil},
		{"date and time layouts", "job", Payload{"scheduledBeginDate": "2016-07-19 14:43:00"}, `{"scheduledBeginDate":"19/07/2016 14:43:00"}`, nil, nil},
		{"date time changed", "job", Payload{"scheduledBeginDate": "2016-07-19 14:43:00"}, `{"scheduledBeginDate":"19/07/2016 14:44"}`,
			[]Difference{{"scheduledBeginDate", "2016-07-19 14:43:00", "19/07/2016 14:44"}}, nil},
		{"booleans", "activity_type", Payload{"hasConflit": "true"}, `{"hasConflit":true}`, nil, nil},
		{"not read back", "site", Payload{"myId": "S1", "customerMyId": "C1"}, `{"myId":"S1"}`, nil, []string{"customerMyId"}},
		{"alias read under the name", "user", Payload{"fisrtName": "Zoë"}, `{"firstName":"Zoë"}`, nil, nil},
		{"password", "user", Payload{"login": "z", "password": "secret"}, `{"login":"z"}`, nil, []string{"password"}},
	} {
		e, ok := Lookup(tc.entity)
		if !ok {
			t.Fatalf("%s: no entity %s", tc.name, tc.entity)
		}
		got := e.Compare(tc.sent, record(t, tc.found))
		if diff := cmp.Diff(tc.want, got.Differences); diff != "" {
			t.Errorf("%s: differences (-want +got):\n%s", tc.name, diff)
		}
		if diff := cmp.Diff(tc.unread, got.Unread); diff != "" {
			t.Errorf("%s: unread (-want +got):\n%s", tc.name, diff)
		}
	}
}

package synchroteam

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// scalarCmp compares the scalar types by what they hold: whether they are
// set, their value, and the raw text of a value that could not be read. The
// raw text of a readable value is not compared ("50,30" and 50.3 are equal).
var scalarCmp = cmp.Options{
	cmp.Comparer(func(a, b Number) bool {
		if a.state != b.state {
			return false
		}
		switch a.state {
		case stateValid:
			return a.value == b.value
		case stateInvalid:
			return a.raw == b.raw
		}
		return true
	}),
	cmp.Comparer(func(a, b Time) bool {
		if a.state != b.state {
			return false
		}
		switch a.state {
		case stateValid:
			return a.t.Equal(b.t)
		case stateInvalid:
			return a.raw == b.raw
		}
		return true
	}),
	cmp.Comparer(func(a, b Int) bool { return a == b }),
	cmp.Comparer(func(a, b Bool) bool { return a == b }),
}

// at returns the Time of "yyyy-mm-dd hh:mm:ss" (a test literal).
func at(s string) Time {
	v, err := time.Parse(TimeLayout, s)
	if err != nil {
		panic(err)
	}
	return NewTime(v)
}

// day returns the Date of "yyyy-mm-dd" (a test literal).
func day(s string) Date {
	v, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return NewDate(v)
}

func TestNumberUnmarshal(t *testing.T) {
	t.Parallel()
	type want struct {
		state  scalarState
		value  float64
		raw    string
		String string
	}
	tests := []struct {
		in   string
		want want
	}{
		{`"50,30"`, want{stateValid, 50.3, "50,30", "50.3"}},
		{`"139,4000"`, want{stateValid, 139.4, "139,4000", "139.4"}},
		{`7.35`, want{stateValid, 7.35, "7.35", "7.35"}},
		{`213.6500`, want{stateValid, 213.65, "213.6500", "213.65"}},
		{`"-100,25"`, want{stateValid, -100.25, "-100,25", "-100.25"}},
		{`"10"`, want{stateValid, 10, "10", "10"}},
		{`-1`, want{stateValid, -1, "-1", "-1"}},
		{`"-99.90181310000"`, want{stateValid, -99.9018131, "-99.90181310000", "-99.9018131"}},
		{`" 1 234,5 "`, want{stateValid, 1234.5, " 1 234,5 ", "1234.5"}},
		{`"1\u00a0234,5"`, want{stateValid, 1234.5, "1\u00a0234,5", "1234.5"}},
		{`""`, want{stateUnset, 0, "", ""}},
		{`"   "`, want{stateUnset, 0, "", ""}},
		{`null`, want{stateUnset, 0, "", ""}},
		{`"abc"`, want{stateInvalid, 0, "abc", "abc"}},
		{`"1.234,50"`, want{stateInvalid, 0, "1.234,50", "1.234,50"}},
		{`"1,2,3"`, want{stateInvalid, 0, "1,2,3", "1,2,3"}},
		{`"NaN"`, want{stateInvalid, 0, "NaN", "NaN"}},
		{`"Inf"`, want{stateInvalid, 0, "Inf", "Inf"}},
		{`1e400`, want{stateInvalid, 0, "1e400", "1e400"}},
		{`true`, want{stateInvalid, 0, "true", "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			n := NewNumber(99) // decoding must replace what was there
			if err := json.Unmarshal([]byte(tt.in), &n); err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			got := want{n.state, n.value, n.Raw(), n.String()}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("Unmarshal(%s) (-want +got):\n%s", tt.in, diff)
			}
			if n.Valid() != (tt.want.state == stateValid) || n.Invalid() != (tt.want.state == stateInvalid) || n.IsZero() != (tt.want.state == stateUnset) {
				t.Errorf("Unmarshal(%s): Valid %v Invalid %v IsZero %v, want state %d", tt.in, n.Valid(), n.Invalid(), n.IsZero(), tt.want.state)
			}
			f, ok := n.Float64()
			if ok != (tt.want.state == stateValid) || f != tt.want.value {
				t.Errorf("Unmarshal(%s).Float64() = %v, %v", tt.in, f, ok)
			}
		})
	}
}

func TestNumberUnmarshalRejectsContainers(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{}`, `{"value": 1}`, `[]`, `[1.5]`} {
		var n Number
		if err := json.Unmarshal([]byte(in), &n); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, want an error", in, n)
		}
	}
}

func TestParseNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"50,30", 50.3, false},
		{"-100.25", -100.25, false},
		{"7", 7, false},
		{"+7,5", 7.5, false},
		{",5", 0.5, false},
		{"1.234,50", 0, true},
		{"1,234,50", 0, true},
		{"12a", 0, true},
		{"--1", 0, true},
		{"1e999", 0, true},
	}
	for _, tt := range tests {
		n, err := ParseNumber(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseNumber(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			if !n.Invalid() || n.Raw() != tt.in {
				t.Errorf("ParseNumber(%q) = %#v, want Invalid keeping the raw text", tt.in, n)
			}
			if !strings.Contains(err.Error(), tt.in) {
				t.Errorf("ParseNumber(%q) error %q does not name the input", tt.in, err)
			}
			continue
		}
		if f, ok := n.Float64(); !ok || f != tt.want {
			t.Errorf("ParseNumber(%q) = %v, %v, want %v", tt.in, f, ok, tt.want)
		}
	}
}

func TestNumberMarshal(t *testing.T) {
	t.Parallel()
	var invalid Number
	if err := json.Unmarshal([]byte(`"abc"`), &invalid); err != nil {
		t.Fatal(err)
	}
	parsed, err := ParseNumber("50,30")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   Number
		want string
	}{
		{"NewNumber", NewNumber(7.35), `7.35`},
		{"negative", NewNumber(-100.25), `-100.25`},
		{"set zero", NewNumber(0), `0`},
		{"comma decimal", parsed, `50.3`},
		{"unset", Number{}, `null`},
		{"invalid keeps raw", invalid, `"abc"`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.in)
		if err != nil {
			t.Errorf("%s: Marshal: %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s: Marshal = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestIntUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Int
		wantErr bool
	}{
		{`"1"`, NewInt(1), false},
		{`1`, NewInt(1), false},
		{`0`, NewInt(0), false},
		{`"0"`, NewInt(0), false},
		{`"13461"`, NewInt(13461), false},
		{`154872`, NewInt(154872), false},
		{`"2,0"`, NewInt(2), false},
		{`"2.0"`, NewInt(2), false},
		{`-3`, NewInt(-3), false},
		{`" 7 "`, NewInt(7), false},
		{`9007199254740993`, NewInt(9007199254740993), false},
		{`""`, Int{}, false},
		{`null`, Int{}, false},
		// Not whole numbers: kept as they came, for the caller to report.
		{`"2,5"`, Int{raw: "2,5", invalid: true}, false},
		{`"abc"`, Int{raw: "abc", invalid: true}, false},
		{`true`, Int{raw: "true", invalid: true}, false},
		{`"1e400"`, Int{raw: "1e400", invalid: true}, false},
		{`{}`, Int{}, true},
		{`[1]`, Int{}, true},
	}
	for _, tt := range tests {
		got := NewInt(99)
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr {
			t.Errorf("Unmarshal(%s) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if diff := cmp.Diff(tt.want, got, scalarCmp); diff != "" {
			t.Errorf("Unmarshal(%s) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestIntInvalidKeepsItsText(t *testing.T) {
	t.Parallel()
	var i Int
	if err := json.Unmarshal([]byte(`"1,5"`), &i); err != nil {
		t.Fatal(err)
	}
	if v, ok := i.Int64(); ok || v != 0 || !i.Invalid() || i.Raw() != "1,5" || i.String() != "1,5" || i.IsZero() {
		t.Errorf("Int from \"1,5\": %d %v invalid %v raw %q", v, ok, i.Invalid(), i.Raw())
	}
	b, err := json.Marshal(i)
	if err != nil || string(b) != `"1,5"` {
		t.Errorf("Marshal: %s %v", b, err)
	}
	// A response with an unreadable status is read whole.
	var inv Invoice
	if err := json.Unmarshal([]byte(`{"num":7,"status":"1,5","total":"10,00"}`), &inv); err != nil || !inv.Status.Invalid() || string(inv.Num) != "7" {
		t.Errorf("invoice %+v (%v)", inv, err)
	}
}

func TestIntMarshalAndString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       Int
		wantJSON string
		wantStr  string
	}{
		{NewInt(0), `0`, "0"},
		{NewInt(13461), `13461`, "13461"},
		{NewInt(-2), `-2`, "-2"},
		{Int{}, `null`, ""},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.in)
		if err != nil || string(got) != tt.wantJSON {
			t.Errorf("Marshal(%#v) = %s, %v, want %s", tt.in, got, err, tt.wantJSON)
		}
		if s := tt.in.String(); s != tt.wantStr {
			t.Errorf("%#v.String() = %q, want %q", tt.in, s, tt.wantStr)
		}
	}
}

func TestBoolUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Bool
		wantErr bool
	}{
		{`true`, NewBool(true), false},
		{`"true"`, NewBool(true), false},
		{`"TRUE"`, NewBool(true), false},
		{`"True"`, NewBool(true), false},
		{`1`, NewBool(true), false},
		{`"1"`, NewBool(true), false},
		{`false`, NewBool(false), false},
		{`"false"`, NewBool(false), false},
		{`0`, NewBool(false), false},
		{`"0"`, NewBool(false), false},
		{`""`, Bool{}, false},
		{`null`, Bool{}, false},
		{`"yes"`, Bool{}, true},
		{`2`, Bool{}, true},
		{`"on"`, Bool{}, true},
		{`{}`, Bool{}, true},
		{`[true]`, Bool{}, true},
	}
	for _, tt := range tests {
		got := NewBool(true)
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr {
			t.Errorf("Unmarshal(%s) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if diff := cmp.Diff(tt.want, got, scalarCmp); diff != "" {
			t.Errorf("Unmarshal(%s) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestBoolMarshal(t *testing.T) {
	t.Parallel()
	for in, want := range map[Bool]string{NewBool(true): `true`, NewBool(false): `false`, {}: `null`} {
		got, err := json.Marshal(in)
		if err != nil || string(got) != want {
			t.Errorf("Marshal(%#v) = %s, %v, want %s", in, got, err, want)
		}
	}
	if v, set := NewBool(false).Value(); v || !set {
		t.Errorf("NewBool(false).Value() = %v, %v", v, set)
	}
	if (Bool{}).True() || NewBool(false).True() || !NewBool(true).True() {
		t.Error("True() reports a value that is not set and true")
	}
}

func TestTimeUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Time
	}{
		{`"2016-10-13 10:00"`, at("2016-10-13 10:00:00")},
		{`"2017-01-16 15:35:00"`, at("2017-01-16 15:35:00")},
		{`"19/07/2016 14:43:00"`, at("2016-07-19 14:43:00")},
		{`"19/07/2016 14:43"`, at("2016-07-19 14:43:00")},
		{`"02\/05\/2018 00:00:00"`, at("2018-05-02 00:00:00")}, // dd/MM/yyyy, escaped as Invoices/List sends it
		{`"2018-05-02"`, at("2018-05-02 00:00:00")},
		{`"13/07/2016"`, at("2016-07-13 00:00:00")},
		{`"2016-10-13T10:00:00"`, at("2016-10-13 10:00:00")},
		{`"2016-10-13T10:00"`, at("2016-10-13 10:00:00")},
		{`"2016-10-13T10:00:00Z"`, at("2016-10-13 10:00:00")},
		{`" 2016-06-01 00:00 "`, at("2016-06-01 00:00:00")},
		{`""`, Time{}},
		{`null`, Time{}},
		{`"garbage"`, Time{raw: "garbage", state: stateInvalid}},
		{`"31/02/2016"`, Time{raw: "31/02/2016", state: stateInvalid}},
		{`"2016-13-01"`, Time{raw: "2016-13-01", state: stateInvalid}},
		{`"07/19/2016 14:43:00"`, Time{raw: "07/19/2016 14:43:00", state: stateInvalid}}, // month first is not a layout of the API
		{`20160713`, Time{raw: "20160713", state: stateInvalid}},
	}
	for _, tt := range tests {
		got := at("2000-01-01 00:00:00") // decoding must replace what was there
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, scalarCmp); diff != "" {
			t.Errorf("Unmarshal(%s) (-want +got):\n%s", tt.in, diff)
		}
		if tt.want.Invalid() && (got.Raw() != tt.want.raw || got.String() != tt.want.raw) {
			t.Errorf("Unmarshal(%s): Raw %q String %q, want the text as received", tt.in, got.Raw(), got.String())
		}
	}
	for _, in := range []string{`{}`, `["2018-05-02"]`} {
		var tm Time
		if err := json.Unmarshal([]byte(in), &tm); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, want an error", in, tm)
		}
	}
}

func TestTimeAndDateMarshal(t *testing.T) {
	t.Parallel()
	var fromAPI Date
	if err := json.Unmarshal([]byte(`"02\/05\/2018 00:00:00"`), &fromAPI); err != nil {
		t.Fatal(err)
	}
	var garbage Date
	if err := json.Unmarshal([]byte(`"soon"`), &garbage); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      any
		want    string
		wantStr string
	}{
		{"time", at("2016-07-19 14:43:00"), `"2016-07-19 14:43:00"`, "2016-07-19 14:43:00"},
		{"time unset", Time{}, `null`, ""},
		{"date", day("2018-05-02"), `"2018-05-02"`, "2018-05-02"},
		{"date from a time", NewDate(time.Date(2016, 4, 29, 23, 59, 0, 0, time.UTC)), `"2016-04-29"`, "2016-04-29"},
		{"date decoded from dd/MM/yyyy", fromAPI, `"2018-05-02"`, "2018-05-02"},
		{"date unset", Date{}, `null`, ""},
		{"date kept raw", garbage, `"soon"`, "soon"},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: Marshal = %s, %v, want %s", tt.name, got, err, tt.want)
		}
		if s := tt.in.(interface{ String() string }).String(); s != tt.wantStr {
			t.Errorf("%s: String() = %q, want %q", tt.name, s, tt.wantStr)
		}
	}
}

func TestParseTimeError(t *testing.T) {
	t.Parallel()
	_, err := ParseTime("next tuesday")
	if err == nil || !strings.Contains(err.Error(), "next tuesday") {
		t.Errorf("ParseTime(garbage) error = %v, want one naming the input", err)
	}
}

func TestIDUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want ID
	}{
		{`35604`, "35604"},
		{`"265_160719144323649"`, "265_160719144323649"},
		{`"1C9035A3-CE56-4E13-B9D0-DFFB9C02E782"`, "1C9035A3-CE56-4E13-B9D0-DFFB9C02E782"},
		{`12345678901234567890123`, "12345678901234567890123"}, // beyond int64 and float64: kept as text
		{`" 42 "`, "42"},
		{`null`, ""},
		{`""`, ""},
	}
	for _, tt := range tests {
		got := ID("previous")
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Unmarshal(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{`{"id": 1}`, `[1]`} {
		var id ID
		if err := json.Unmarshal([]byte(in), &id); err == nil {
			t.Errorf("Unmarshal(%s) = %q, want an error", in, id)
		}
	}
	if got := IDFromInt(35604); got != "35604" {
		t.Errorf("IDFromInt(35604) = %q", got)
	}
}

func TestStringsUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Strings
	}{
		{`["plumber","restaurant","test"]`, Strings{"plumber", "restaurant", "test"}},
		{`["steven", "ann"]`, Strings{"steven", "ann"}},
		{`[1, "x", null, true]`, Strings{"1", "x", "true"}},
		{`[]`, Strings{}},
		{`""`, nil},
		{`null`, nil},
		{`"a, b"`, Strings{"a", "b"}},
		{`"a,,b , "`, Strings{"a", "b"}},
		{`"group1"`, Strings{"group1"}},
	}
	for _, tt := range tests {
		got := Strings{"previous"}
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Unmarshal(%s) (-want +got):\n%s", tt.in, diff)
		}
	}
	for _, in := range []string{`{}`, `[{"a":1}]`, `[["a"]]`} {
		var s Strings
		if err := json.Unmarshal([]byte(in), &s); err == nil {
			t.Errorf("Unmarshal(%s) = %q, want an error", in, s)
		}
	}
}

func TestTextUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Text
	}{
		{`"fadil"`, "fadil"},
		{`"13/07/2016"`, "13/07/2016"},
		{`5`, "5"},
		{`1.50`, "1.50"},
		{`true`, "true"},
		{`null`, ""},
		{`""`, ""},
	}
	for _, tt := range tests {
		got := Text("previous")
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Unmarshal(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{`{}`, `["a"]`} {
		var tx Text
		if err := json.Unmarshal([]byte(in), &tx); err == nil {
			t.Errorf("Unmarshal(%s) = %q, want an error", in, tx)
		}
	}
}

func TestRawListFlattensOneLevel(t *testing.T) {
	t.Parallel()
	var got []rawList[ID]
	if err := json.Unmarshal([]byte(`[["1", 2], 3, []]`), &got); err != nil {
		t.Fatal(err)
	}
	want := []rawList[ID]{{"1", "2"}, {"3"}, {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// record holds every scalar type behind omitzero, as the payload structs do.
type record struct {
	N Number `json:"n,omitzero"`
	I Int    `json:"i,omitzero"`
	B Bool   `json:"b,omitzero"`
	T Time   `json:"t,omitzero"`
	D Date   `json:"d,omitzero"`
}

func TestOmitzeroLeavesUnsetFieldsOut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nothing set", record{}, `{}`},
		{"set zeros are sent", record{N: NewNumber(0), I: NewInt(0), B: NewBool(false)}, `{"n":0,"i":0,"b":false}`},
		{"dates", record{T: at("2016-10-13 10:00:00"), D: day("2018-05-02")}, `{"t":"2016-10-13 10:00:00","d":"2018-05-02"}`},
		{"part without price", &Part{Name: "Antivirus"}, `{"name":"Antivirus"}`},
		{"part with a zero price", &Part{Reference: "458", Price: NewNumber(0), Tracked: NewBool(false)}, `{"reference":"458","price":0,"tracked":false}`},
		{"job with low priority", &Job{MyID: "J1", Priority: NewInt(0)}, `{"myId":"J1","priority":0}`},
		{"job search with status created", &JobSearch{Status: NewInt(0)}, `{"status":0}`},
		{"empty job search", &JobSearch{}, `{}`},
		{"stock request search", &StockRequestSearch{IsDeleted: NewBool(false)}, `{"isDeleted":false}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s: Marshal = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestScalarRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		wantJSON string
	}{
		{
			"loose forms become canonical",
			`{"n":"50,30","i":"13461","b":"TRUE","t":"19/07/2016 14:43:00","d":"02\/05\/2018 00:00:00"}`,
			`{"n":50.3,"i":13461,"b":true,"t":"2016-07-19 14:43:00","d":"2018-05-02"}`,
		},
		{
			"unreadable values are kept",
			`{"n":"abc","t":"garbage","d":"later"}`,
			`{"n":"abc","t":"garbage","d":"later"}`,
		},
		{
			"empty and null are unset",
			`{"n":"","i":null,"b":"","t":"","d":null}`,
			`{}`,
		},
	}
	for _, tt := range tests {
		var first record
		if err := json.Unmarshal([]byte(tt.in), &first); err != nil {
			t.Errorf("%s: Unmarshal: %v", tt.name, err)
			continue
		}
		out, err := json.Marshal(first)
		if err != nil {
			t.Errorf("%s: Marshal: %v", tt.name, err)
			continue
		}
		if string(out) != tt.wantJSON {
			t.Errorf("%s: Marshal = %s, want %s", tt.name, out, tt.wantJSON)
		}
		var second record
		if err := json.Unmarshal(out, &second); err != nil {
			t.Errorf("%s: Unmarshal of %s: %v", tt.name, out, err)
			continue
		}
		if diff := cmp.Diff(first, second, scalarCmp); diff != "" {
			t.Errorf("%s: round trip (-first +second):\n%s", tt.name, diff)
		}
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"50,30", "139,4000", "7.35", "-100,25", "", "abc", "1.234,50", " 1 234,5", "1e308", "-0", "0x1p-2", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s)
		if err != nil {
			if !n.Invalid() || n.Raw() != s {
				t.Fatalf("ParseNumber(%q) failed but returned %#v", s, n)
			}
			return
		}
		if n.IsZero() {
			if strings.TrimFunc(s, unicode.IsSpace) != "" {
				t.Fatalf("ParseNumber(%q) is unset but the input is not blank", s)
			}
			return
		}
		v, ok := n.Float64()
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("ParseNumber(%q) = %v, %v without an error", s, v, ok)
		}
		// The canonical text reads back to the same value, in JSON too.
		again, err := ParseNumber(n.String())
		if err != nil || again.value != v {
			t.Fatalf("ParseNumber(%q) = %v, but its String %q reads back as %v, %v", s, v, n.String(), again.value, err)
		}
		b, err := json.Marshal(n)
		if err != nil {
			t.Fatalf("Marshal(%q): %v", s, err)
		}
		var back Number
		if err := json.Unmarshal(b, &back); err != nil || !back.Valid() || back.value != v {
			t.Fatalf("round trip of %q through %s = %#v, %v", s, b, back, err)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2016-10-13 10:00", "2017-01-16 15:35:00", "19/07/2016 14:43:00", "02/05/2018 00:00:00", "2018-05-02", "2016-10-13T10:00:00+02:00", "garbage", "", "31/02/2016"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseTime(s)
		if err != nil {
			if !strings.Contains(err.Error(), "date") {
				t.Fatalf("ParseTime(%q) error %q does not say what was read", s, err)
			}
			var tm Time
			if utf8.ValidString(s) && strings.TrimSpace(s) != "" {
				b, _ := json.Marshal(s)
				if err := json.Unmarshal(b, &tm); err != nil || !tm.Invalid() || tm.Raw() != s {
					t.Fatalf("Unmarshal(%s) = %#v, %v; want Invalid with the raw text", b, tm, err)
				}
			}
			return
		}
		// What the client writes reads back to the same wall-clock time.
		written := v.Format(TimeLayout)
		back, err := ParseTime(written)
		if err != nil || back.Format(TimeLayout) != written {
			t.Fatalf("ParseTime(%q) = %v, written %q, read back %v, %v", s, v, written, back, err)
		}
	})
}

func FuzzDecodeJob(f *testing.F) {
	for _, s := range []string{
		`{"idJob":"265_160719144323649","num":154872,"RealBeginDate":"19/07/2016 14:50:00","priority":"1","parts":[{"id":34454,"quantity":2}],"position":{"Latitude":"43.9695148"},"OtherTechnicians":["steven","ann"],"report":[{"id":3422,"iteration":1,"value":"fadil"}]}`,
		`{"dueDate":"02\/05\/2018 00:00:00","idClient":null,"lines":[{"discount":"50,30","total":"139,4000","totalLine":null}],"total":213.6500}`,
		`{"priority":"high"}`,
		`{"tags":"a, b","status":"2,0"}`,
		`[[{"id":1}]]`,
		`{"total":{}}`,
		`null`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		targets := []func() any{
			func() any { return new(Job) },
			func() any { return new(Invoice) },
			func() any { return new([]Invoice) },
			func() any { return new(Activity) },
			func() any { return new(Block) },
			func() any { return new(StockRequest) },
			func() any { return new(User) },
			func() any { return new([]rawList[Equipment]) },
		}
		for _, mk := range targets {
			v := mk()
			if err := json.Unmarshal(data, v); err != nil {
				continue
			}
			// Whatever decoded encodes, and its encoding is stable: a
			// second decode and encode gives the same bytes.
			m1, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T decoded from %q does not encode: %v", v, data, err)
			}
			m2 := reencode(t, mk, m1)
			m3 := reencode(t, mk, m2)
			if !bytes.Equal(m2, m3) {
				t.Fatalf("%T encoding is not stable:\n%s\n%s", v, m2, m3)
			}
		}
	})
}

func reencode(t *testing.T, mk func() any, b []byte) []byte {
	t.Helper()
	v := mk()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%T does not decode its own encoding %s: %v", v, b, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%T: %v", v, err)
	}
	return out
}

func TestParseNumberOnlyDecimals(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0x1p4", "1_000", "Inf", "NaN", "0b101", "1e", "."} {
		if n, err := ParseNumber(s); err == nil {
			t.Errorf("ParseNumber(%q) = %v, want an error", s, n)
		}
	}
	for s, want := range map[string]float64{"1e3": 1000, ".5": 0.5, "7.": 7, "+3,25": 3.25} {
		n, err := ParseNumber(s)
		if f, ok := n.Float64(); err != nil || !ok || f != want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", s, n, err, want)
		}
	}
}

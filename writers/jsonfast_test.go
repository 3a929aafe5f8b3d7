package writers

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// stdJSON is what a json.Encoder without HTML escaping writes, without the
// newline: what AppendJSON must write.
func stdJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n"), err
}

func checkSame(t *testing.T, v any) {
	t.Helper()
	want, wantErr := stdJSON(v)
	got, err := AppendJSON([]byte("prefix"), v)
	if (err != nil) != (wantErr != nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("%#v: error %v, encoding/json: %v", v, err, wantErr)
	}
	if err != nil {
		if string(got) != "prefix" {
			t.Errorf("%#v: on an error, dst became %q", v, got)
		}
		return
	}
	if string(got) != "prefix"+want {
		t.Errorf("%#v:\n got %s\nwant %s", v, got[len("prefix"):], want)
	}
}

type marshals struct{ s string }

func (m marshals) MarshalJSON() ([]byte, error) { return []byte(` { "m" : ` + m.s + ` } `), nil }

type label string

func TestAppendJSONAsEncodingJSON(t *testing.T) {
	t.Parallel()
	nested := map[string]any{}
	deep := nested
	for range 80 {
		next := map[string]any{}
		deep["x"] = next
		deep = next
	}
	values := []any{
		nil, "", "plain", `quote " and \ backslash`, "<html> & 'amp'", "tab\tnew\nline\rcr\bbs\fff",
		"\x00\x01\x1f\x7f", "é ü 日本 🙂", "bad \xff\xfe utf-8 \xc3", "\u2028 and \u2029", "\ufffd",
		json.Number("12"), json.Number("-0.25"), json.Number("1e5"), json.Number("1.5E-3"), json.Number(""),
		json.Number("01"), json.Number("1."), json.Number("+1"), json.Number("1e"), json.Number("abc"), json.Number("-"),
		true, false, 0, -42, int64(math.MinInt64), int64(math.MaxInt64),
		1.5, 1e21, 1e-7, 0.1, math.NaN(), math.Inf(1), float32(0.1),
		[]string{}, []string(nil), []string{"a", "b<c", ""}, []any{}, []any(nil), []any{1, "a", nil, []string{"x"}},
		[]map[string]any{}, []map[string]any(nil), []map[string]any{{"name": "Sector", "value": "Bakery"}, nil},
		map[string]any(nil), map[string]any{},
		map[string]any{"b": 1, "a": 2, "A": 3, "é": 4, "aa": 5, "": 6, "a\"b": 7, "\xff": 8, "z<": 9},
		map[string]any{"myId": "CLI-1", "position": map[string]any{"latitude": json.Number("45.764"), "longitude": json.Number("4.8357")},
			"tags": []string{"froid", "bière"}, "customFieldValues": []map[string]any{{"name": "Since", "value": "2024-03-05"}}},
		map[string]any{"when": time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC), "m": marshals{`"<x>"`}, "l": label("named"), "p": &struct{ A int }{3}},
		map[string]any{"bad": marshals{`{`}},
		map[string]any{"f": func() {}},
		map[string]any{"ch": make(chan int)},
		map[string]any{"n": json.Number("1.2.3")},
		nested,
		struct {
			Row int            `json:"_row"`
			P   map[string]any `json:"payload"`
		}{2, map[string]any{"b": "x", "a": "y"}},
	}
	for _, v := range values {
		checkSame(t, v)
	}
	// Many keys: more than the stack array of keys holds.
	many := map[string]any{}
	for i := range 40 {
		many[strings.Repeat("k", i%7)+string(rune('a'+i%26))+string(rune('0'+i/26))] = i
	}
	checkSame(t, many)
}

func TestAppendJSONKeepsDst(t *testing.T) {
	t.Parallel()
	got, err := AppendJSON(nil, map[string]any{"a": "b"})
	if err != nil || string(got) != `{"a":"b"}` {
		t.Errorf("AppendJSON(nil, ...) = %q, %v", got, err)
	}
	got, err = AppendJSON([]byte("x"), map[string]any{"a": math.NaN()})
	if err == nil || string(got) != "x" {
		t.Errorf("NaN: %q, %v; want an error and dst unchanged", got, err)
	}
}

// FuzzAppendJSON compares AppendJSON with encoding/json on texts used as
// keys, values, numbers and list items.
func FuzzAppendJSON(f *testing.F) {
	for _, s := range []string{"", "a", "é\xff", "<&>", "\u2028", "\x00\"\\", "-1.5e3", "0", "01"} {
		f.Add(s, s+"x", int64(len(s)))
	}
	f.Fuzz(func(t *testing.T, a, b string, n int64) {
		checkSame(t, a)
		checkSame(t, json.Number(a))
		checkSame(t, map[string]any{a: b, b: n, "list": []string{a, b}, "num": json.Number(b),
			"obj": map[string]any{b: a, a: []any{n, a}}, "cf": []map[string]any{{"name": a, "value": b}}})
	})
}

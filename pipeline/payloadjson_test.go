package pipeline

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"testing"

	"github.com/stbulk/stbulk/readers"
)

// stdLine is a line of payloads.jsonl as encoding/json writes it, without
// HTML escaping.
func stdLine(row int, p map[string]any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(payloadLine{Row: row, Payload: p})
	return string(bytes.TrimSuffix(b.Bytes(), []byte{'\n'})), err
}

func checkLine(t *testing.T, pl *payloadPlan, row int, p map[string]any) {
	t.Helper()
	want, wantErr := stdLine(row, p)
	got, err := pl.appendLine([]byte("x"), row, p)
	if (err != nil) != (wantErr != nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("row %d: error %v, encoding/json: %v", row, err, wantErr)
	}
	if err == nil && string(got) != "x"+want {
		t.Errorf("row %d:\n got %s\nwant %s", row, got[1:], want)
	}
}

// The plan writes every payload of the example mappings, valid or not, as
// encoding/json does.
func TestPayloadPlanAsEncodingJSON(t *testing.T) {
	t.Parallel()
	planned := 0 // payloads written by the plan, not by its fallback
	for _, name := range exampleNames(t) {
		for _, m := range loadExamples(t, name) {
			src, err := readers.Open(m.Source, m.CSV, m.XLSX)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Bind(m.Source, src.Header()); err != nil {
				t.Fatal(err)
			}
			if err := m.openFiles(m.Source); err != nil {
				t.Fatal(err)
			}
			pl := newPayloadPlan(m)
			n := 0
			for {
				row, err := src.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					continue
				}
				p, err := m.Build(row)
				if err == nil && m.Entity.Prepare != nil {
					_ = m.Entity.Prepare(p) // its error does not matter here: the payload does
				}
				checkLine(t, pl, row.Num, p)
				if _, ok := pl.appendObject(nil, p); ok {
					planned++
				}
				n++
			}
			m.closeFiles()
			src.Close()
			if n == 0 {
				t.Errorf("%s: no row", name)
			}
		}
	}
	if planned == 0 {
		t.Error("the plan wrote no payload itself")
	}
}

// Payloads the plan does not foresee are written as encoding/json writes
// them too.
func TestPayloadPlanUnforeseen(t *testing.T) {
	t.Parallel()
	m, err := Parse("m.yaml", []byte("version: 1\nimport: customer\nfields:\n  myId: ID\n  name: NAME\n"+
		"  position.latitude: LAT\n  position.longitude: LON\n  customFieldValues.Sector: SECTOR\n  tags: TAGS\n"))
	if err != nil {
		t.Fatal(err)
	}
	pl := newPayloadPlan(m)
	for i, p := range []map[string]any{
		nil,
		{},
		{"myId": "C1"},
		{"myId": "C1", "name": "<Café & Co>", "position": map[string]any{"latitude": json.Number("45.1"), "longitude": json.Number("-3")}},
		{"myId": "C1", "position": map[string]any{"latitude": json.Number("45.1")}},
		{"myId": "C1", "position": map[string]any{"latitude": json.Number("45.1"), "altitude": 3}},
		{"myId": "C1", "position": "not an object"},
		{"myId": "C1", "fileName": "added by Prepare"},
		{"myId": "C1", "customFieldValues": []map[string]any{{"name": "Sector", "value": "Bäckerei"}}},
		{"myId": "C1", "tags": []string{"a", "b"}, "name": "x\u2028y\x01"},
		{"myId": "C1", "position": map[string]any{"latitude": math.NaN()}},
		{"myId": "C1", "name": math.Inf(1)},
		{"myId": json.Number("1.2.3")},
	} {
		checkLine(t, pl, i+2, p)
	}
}

package writers_test

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stbulk/stbulk/writers"
)

type payloadLine struct {
	Row     int            `json:"_row"`
	Payload map[string]any `json:"payload"`
}

func TestJSONLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		lines []any
	}{
		{name: "payloads.golden.jsonl", lines: []any{
			payloadLine{Row: 12, Payload: map[string]any{
				"myId": "00123", "name": "Café <Le Zinc> & fils", "position": map[string]any{"latitude": 48.85, "longitude": 2.35},
				"tags": []string{"a", "b"}, "active": true, "note": "two\nlines \"quoted\"",
			}},
			payloadLine{Row: 13, Payload: map[string]any{}},
			map[string]any{"_row": 14, "payload": nil},
		}},
		{name: "payloads-empty.golden.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "payloads.jsonl")
			j, err := writers.NewJSONLines(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range tt.lines {
				if err := j.Add(v); err != nil {
					t.Fatal(err)
				}
			}
			if j.Count() != len(tt.lines) {
				t.Errorf("Count() = %d, want %d", j.Count(), len(tt.lines))
			}
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			if err := j.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			golden(t, tt.name, readFile(t, path))
		})
	}
}

// TestJSONLinesBadValue checks that a value encoding/json refuses is an
// error naming the file and line, and leaves the file as it was.
func TestJSONLinesBadValue(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "payloads.jsonl")
	j, err := writers.NewJSONLines(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Add(payloadLine{Row: 2, Payload: map[string]any{"a": 1}}); err != nil {
		t.Fatal(err)
	}
	err = j.Add(payloadLine{Row: 3, Payload: map[string]any{"a": math.NaN()}})
	if err == nil || !strings.HasPrefix(err.Error(), path+":2: ") {
		t.Errorf("NaN: got %v, want an error starting with %s:2:", err, path)
	}
	if err := j.Add(payloadLine{Row: 4, Payload: map[string]any{"b": "é"}}); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	want := `{"_row":2,"payload":{"a":1}}` + "\n" + `{"_row":4,"payload":{"b":"é"}}` + "\n"
	if got := string(readFile(t, path)); got != want {
		t.Errorf("file holds %q, want %q", got, want)
	}
	if err := j.Add(1); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Add after Close: got %v, want an error naming %s", err, path)
	}
}

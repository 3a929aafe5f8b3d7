package writers_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/writers"
)

type successLine struct {
	row              int
	cells            []string
	outcome, key, id string
}

func TestSuccess(t *testing.T) {
	t.Parallel()
	header := []string{"Code", "Name", "_id"} // an input column named like an added one is left out
	tests := []struct {
		name string
		rows []successLine
	}{
		{name: "success.golden.csv", rows: []successLine{
			{2, []string{"C001", "Dupré", "x"}, "created", "myId=C001", "812"},
			{3, []string{"C002", `Café "Le Zinc", Paris`}, "sent", `name=Café "Le Zinc", Paris`, "813"},
			{5, []string{"00042"}, "unchanged", "myId=00042 num=J-1", ""},
			{1234567, nil, "updated", "", "a\nb"},
		}},
		{name: "success-empty.golden.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "success.csv")
			s, err := writers.NewSuccess(path, header)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range tt.rows {
				if err := s.Add(r.row, r.cells, r.outcome, r.key, r.id); err != nil {
					t.Fatal(err)
				}
			}
			if s.Count() != len(tt.rows) {
				t.Errorf("Count() = %d, want %d", s.Count(), len(tt.rows))
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			golden(t, tt.name, readFile(t, path))

			// Our own reader reads it back.
			want := [][]string{{"Code", "Name", "_row", "_outcome", "_key", "_id"}}
			for _, r := range tt.rows {
				cells := append(append([]string{}, r.cells...), "", "")[:2]
				want = append(want, append(cells, itoa(r.row), r.outcome, r.key, r.id))
			}
			got := readAll(t, path, readers.CSVOptions{}, readers.XLSXOptions{})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}

			err = s.Add(9, nil, "sent", "k", "i")
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Add after Close: got %v, want an error naming %s", err, path)
			}
		})
	}
}

// TestVerifyFile: verify.csv through gocsv, values read back from the API
// neutralised against formula injection.
func TestVerifyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "verify.csv")
	v, err := writers.NewVerifyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []writers.VerifyLine{
		{Mapping: "m.yaml", Row: 3, Key: "myId=C2", Field: "name", Sent: "Pâtisserie", Found: "=HYPERLINK(\"http://x\")"},
		{Mapping: "m.yaml", Row: 7, Key: "myId=C7", Field: "(record)", Sent: "sent", Found: "not found by its key"},
	} {
		if err := v.Add(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"mapping", "_row", "key", "field", "sent", "found"},
		{"m.yaml", "3", "myId=C2", "name", "Pâtisserie", "'=HYPERLINK(\"http://x\")"},
		{"m.yaml", "7", "myId=C7", "(record)", "sent", "not found by its key"},
	}
	if diff := cmp.Diff(want, readAll(t, path, readers.CSVOptions{}, readers.XLSXOptions{})); diff != "" {
		t.Errorf("verify.csv (-want +got):\n%s", diff)
	}
	if v.Count() != 2 {
		t.Errorf("Count() = %d", v.Count())
	}
}

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
	row     int
	key, id string
}

func TestSuccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rows []successLine
	}{
		{name: "success.golden.csv", rows: []successLine{
			{2, "myId=C001", "812"},
			{3, `name=Café "Le Zinc", Paris`, "813"},
			{5, "myId=00042 num=J-1", ""},
			{1234567, "", "a\nb"},
		}},
		{name: "success-empty.golden.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "success.csv")
			s, err := writers.NewSuccess(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range tt.rows {
				if err := s.Add(r.row, r.key, r.id); err != nil {
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
			want := [][]string{{"_row", "key", "id"}}
			for _, r := range tt.rows {
				want = append(want, []string{itoa(r.row), r.key, r.id})
			}
			got := readAll(t, path, readers.CSVOptions{}, readers.XLSXOptions{})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}

			err = s.Add(9, "k", "i")
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Add after Close: got %v, want an error naming %s", err, path)
			}
		})
	}
}

package readers

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedTestdata returns a folder of the shared test data, which lies
// beside the repository both here and in CI, or skips the test.
func sharedTestdata(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "testdata", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared test data not found at %s (a copy of shared/ is expected beside the repository): %v", dir, err)
	}
	return dir
}

// outcome is what reading a source gave: rows and row errors in order.
type outcome struct {
	Header []string
	Rows   []Row
	Errs   []*RowError
	Lines  []string // "row N" or "error N" in reading order
}

// readAll reads src to the end and closes it; a fatal error fails the test.
func readAll(t testing.TB, src Source) outcome {
	t.Helper()
	defer func() {
		if err := src.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	o := outcome{Header: src.Header()}
	for i := 0; ; i++ {
		if i > 10_000_000 {
			t.Fatal("Next never returns io.EOF")
		}
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			return o
		}
		var re *RowError
		if errors.As(err, &re) {
			o.Errs = append(o.Errs, re)
			o.Lines = append(o.Lines, "error "+itoa(re.Row))
			continue
		}
		if err != nil {
			t.Fatalf("Next: fatal error %v", err)
		}
		if len(row.Cells) != len(o.Header) {
			t.Fatalf("row %d has %d cells, header %d", row.Num, len(row.Cells), len(o.Header))
		}
		o.Rows = append(o.Rows, row)
		o.Lines = append(o.Lines, "row "+itoa(row.Num))
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

func TestOpenByExtension(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, text string
		wantErr    string
		wantDelim  rune
	}{
		{name: "a.csv", text: "x,y\n1,2\n", wantDelim: ','},
		{name: "b.TXT", text: "x;y\n1;2\n", wantDelim: ';'},
		{name: "c.tsv", text: "x\ty\n1\t2\n", wantDelim: '\t'},
		{name: "d.xls", text: "x", wantErr: "d.xls: the old binary Excel format"},
		{name: "e.json", text: "{}", wantErr: `e.json: unknown file type ".json"`},
		{name: "f.xlsx", text: "x,y\n1,2\n", wantErr: "f.xlsx: not a readable workbook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := Open(write(tt.name, tt.text), CSVOptions{}, XLSXOptions{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := src.(interface{ Dialect() Dialect }).Dialect(); d.Delimiter != tt.wantDelim {
				t.Errorf("delimiter %q, want %q", d.Delimiter, tt.wantDelim)
			}
			o := readAll(t, src)
			if len(o.Rows) != 1 || strings.Join(o.Rows[0].Cells, "|") != "1|2" {
				t.Errorf("rows = %+v", o.Rows)
			}
		})
	}
	t.Run("tsv means tab", func(t *testing.T) {
		t.Parallel()
		src, err := Open(write("one.tsv", "name, first\nDoe, John\n"), CSVOptions{}, XLSXOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if o := readAll(t, src); len(o.Header) != 1 || o.Rows[0].Cells[0] != "Doe, John" {
			t.Errorf("got %+v", o)
		}
	})
	t.Run("missing", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"nope.csv", "nope.xlsx"} {
			_, err := Open(filepath.Join(dir, name), CSVOptions{}, XLSXOptions{})
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("Open(%s): err = %v, want one naming the file", name, err)
			}
		}
	})
}

package pipeline

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/writers"
)

// rowsSource gives n rows numbered from 2: every 7th a *RowError, then
// fatal (or io.EOF when fatal is nil).
type rowsSource struct {
	n, next int
	fatal   error
}

func (s *rowsSource) Header() []string { return []string{"ID", "NAME"} }
func (s *rowsSource) Close() error     { return nil }

func (s *rowsSource) Next() (readers.Row, error) {
	if s.next == s.n {
		if s.fatal != nil {
			return readers.Row{}, s.fatal
		}
		return readers.Row{}, io.EOF
	}
	s.next++
	num := s.next + 1
	cells := []string{fmt.Sprintf("C%d", num), fmt.Sprintf("name %d", num)}
	if num%7 == 0 {
		return readers.Row{}, &readers.RowError{Row: num, Err: errors.New("bad row"), Cells: cells}
	}
	if num%5 == 0 {
		cells[1] = "" // name is required: Build fails
	}
	return readers.Row{Num: num, Cells: cells}, nil
}

func mapperMapping(t *testing.T) *Mapping {
	t.Helper()
	m, err := Parse("m.yaml", []byte("version: 1\nimport: customer\nwhere: 'ID != \"C9\"'\nfields:\n  myId: ID\n  name: { column: NAME, required: true }\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Bind("in.csv", []string{"ID", "NAME"}); err != nil {
		t.Fatal(err)
	}
	return m
}

// checkMapped checks a row as the mapper gives it: in order, and mapped.
func checkMapped(t *testing.T, mr *mappedRow, num int) {
	t.Helper()
	if mr.row.Num != num {
		t.Fatalf("row %d, want %d: out of order", mr.row.Num, num)
	}
	switch {
	case num%7 == 0:
		if mr.rowErr == nil || mr.p["myId"] != fmt.Sprintf("C%d", num) {
			t.Errorf("row %d: a row error with its payload so far, got %v, %v", num, mr.rowErr, mr.p)
		}
	case num == 9:
		if mr.match || mr.matchErr != nil || mr.p != nil {
			t.Errorf("row 9: filtered out, got match %v, %v, %v", mr.match, mr.matchErr, mr.p)
		}
	case num%5 == 0:
		if !mr.match || mr.err == nil || len(mr.ids) != 1 {
			t.Errorf("row %d: a Build error, its key still named; got %v, %v", num, mr.err, mr.ids)
		}
	default:
		if !mr.match || mr.err != nil || mr.p["name"] != fmt.Sprintf("name %d", num) || len(mr.ids) != 1 || mr.ids[0] != fmt.Sprintf("myId=C%d", num) {
			t.Errorf("row %d: %v, %v, %v", num, mr.err, mr.p, mr.ids)
		}
	}
}

// The mapper gives every row in the order read, mapped, then the source's
// fatal error.
func TestMapperKeepsOrder(t *testing.T) {
	t.Parallel()
	m := mapperMapping(t)
	fatal := errors.New("disk on fire")
	n := 10*mapBatch + 3
	mp := newMapper(m, &rowsSource{n: n, fatal: fatal})
	defer mp.stop()
	for num := 2; num < n+2; num++ {
		mr, err := mp.Next()
		if err != nil {
			t.Fatalf("row %d: %v", num, err)
		}
		checkMapped(t, mr, num)
	}
	if _, err := mp.Next(); err != fatal {
		t.Fatalf("after the rows: %v, want %v", err, fatal)
	}
}

// After stop, the rows read ahead come back unmapped, in order, then the
// rest of the source, then its fatal error.
func TestMapperStopGivesTheRowsLeft(t *testing.T) {
	t.Parallel()
	m := mapperMapping(t)
	fatal := errors.New("disk on fire")
	for _, taken := range []int{0, 1, mapBatch - 1, mapBatch, 3*mapBatch + 5} {
		t.Run(fmt.Sprint(taken), func(t *testing.T) {
			t.Parallel()
			n := 20 * mapBatch
			mp := newMapper(m, &rowsSource{n: n, fatal: fatal})
			for num := 2; num < taken+2; num++ {
				mr, err := mp.Next()
				if err != nil {
					t.Fatal(err)
				}
				checkMapped(t, mr, num)
			}
			rest := mp.stop()
			if again := mp.stop(); again == nil {
				t.Fatal("a second stop gave no source")
			}
			for num := taken + 2; num < n+2; num++ {
				row, err := rest.Next()
				var re *readers.RowError
				switch {
				case num%7 == 0:
					if !errors.As(err, &re) || re.Row != num {
						t.Fatalf("row %d: got %v, want its row error", num, err)
					}
				case err != nil || row.Num != num:
					t.Fatalf("row %d: got %d, %v", num, row.Num, err)
				}
			}
			if _, err := rest.Next(); err != fatal {
				t.Fatalf("after the rows: %v, want %v", err, fatal)
			}
		})
	}
}

// A dry run of more rows than a few batches writes payloads.jsonl and the
// errors file in the rows' order, and rejects the duplicates of earlier
// rows whichever goroutine mapped them.
func TestDryRunManyRowsInOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "ID,NAME")
	const n = 5000
	for i := range n {
		id := fmt.Sprintf("C%d", i)
		if i%100 == 99 {
			id = fmt.Sprintf("C%d", i-50) // a duplicate of a row of another batch
		}
		name := fmt.Sprintf("name %d", i)
		if i%13 == 0 {
			name = ""
		}
		fmt.Fprintf(w, "%s,%s\n", id, name)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := Parse(filepath.Join(dir, "m.yaml"), []byte("version: 1\nimport: customer\nsource: in.csv\nfields:\n  myId: ID\n  name: { column: NAME, required: true }\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	sum, err := Run(context.Background(), []*Mapping{m}, Options{DryRun: true, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	var wantSent, wantRejected []int
	for i := range n {
		row := i + 2
		switch {
		case i%13 == 0:
			wantRejected = append(wantRejected, row)
		case i%100 == 99:
			wantRejected = append(wantRejected, row) // a duplicate, whether the row it repeats was sent or not
		default:
			wantSent = append(wantSent, row)
		}
	}
	if sum.Sent != len(wantSent) || sum.Rejected != len(wantRejected) {
		t.Fatalf("sent %d, rejected %d; want %d, %d", sum.Sent, sum.Rejected, len(wantSent), len(wantRejected))
	}
	payloads, err := os.ReadFile(filepath.Join(out, "payloads.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for k, line := range strings.Split(strings.TrimSuffix(string(payloads), "\n"), "\n") {
		want := fmt.Sprintf(`{"_row":%d,"payload":{"myId":"C%d","name":"name %d"}}`, wantSent[k], wantSent[k]-2, wantSent[k]-2)
		if line != want {
			t.Fatalf("payloads.jsonl line %d: %s, want %s", k+1, line, want)
		}
	}
	got := reportCells(t, filepath.Join(out, "errors.csv"), m, writers.RowColumn, func(_ readers.Row, cell string) string { return cell })
	if fmt.Sprint(got) != fmt.Sprint(wantRejected) {
		t.Errorf("errors.csv rows %v,\nwant %v", got, wantRejected)
	}
}

// bigRows gives n rows of one cell of size bytes.
type bigRows struct{ n, size, next int }

func (s *bigRows) Header() []string { return []string{"ID"} }
func (s *bigRows) Close() error     { return nil }
func (s *bigRows) Next() (readers.Row, error) {
	if s.next == s.n {
		return readers.Row{}, io.EOF
	}
	s.next++
	return readers.Row{Num: s.next + 1, Cells: []string{strings.Repeat("x", s.size)}}, nil
}

// Large rows make small batches: what is read ahead stays a few MiB.
func TestMapperBatchBytes(t *testing.T) {
	t.Parallel()
	m, err := Parse("m.yaml", []byte("version: 1\nimport: customer\nfields:\n  myId: ID\n  name: { value: x }\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Bind("in.csv", []string{"ID"}); err != nil {
		t.Fatal(err)
	}
	const size = 300 << 10
	mp := newMapper(m, &bigRows{n: 50, size: size})
	defer mp.stop()
	for num := 2; num < 52; num++ {
		mr, err := mp.Next()
		if err != nil || mr.row.Num != num {
			t.Fatalf("row %d: %v, %v", num, mr, err)
		}
		if rows := len(mp.cur.rows); rows > mapBatchBytes/size+1 {
			t.Fatalf("a batch of %d rows of %d KiB", rows, size>>10)
		}
	}
}

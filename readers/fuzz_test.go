package readers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCSV feeds arbitrary bytes to the CSV reader: it must never panic,
// every error must be a *RowError or name the file, and rows must have one
// cell per header column. Row numbers, of rows and row errors alike, must
// increase strictly, lie below the header_row (the header is at or after
// it) and never pass the number of lines of the text (a row is at least
// one line).
func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n",
		"a;b\r\n\"x\"\"y\";\"multi\r\nline\"\r\n",
		"\xef\xbb\xbfid\tname\n1\tCaf\xc3\xa9\n",
		"\xff\xfea\x00\t\x00b\x00\n\x001\x00\t\x002\x00\n\x00",
		"nom;ville\nCaf\xe9;\x80\n",
		"a,b\n1,\"open\n2,3\n",
		"a,b\n1,x\"y\n,\n\n1,2,3\n",
		"h\rv\r",
		"\"title\nrow\"\na,b\n1,\"x\r\ny\"\n\n2,z\"\n3,4,5\n",
		"sep=;\na;b\n\"x\ny\";2\n",
	} {
		f.Add([]byte(s), false, uint8(0))
		f.Add([]byte(s), true, uint8(4))
	}
	if dir := filepath.Join("..", "..", "shared", "testdata", "csv-spectrum", "csvs"); dirExists(dir) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b, true, uint8(1))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, lazy bool, headerRow uint8) {
		opts := CSVOptions{LazyQuotes: lazy, HeaderRow: int(headerRow % 4)}
		if headerRow&4 != 0 {
			// Small limits, so that inputs run into each of them.
			opts.Limits = Limits{FieldsPerRow: 3, FieldBytes: 8, RowBytes: 64}
		}
		src, err := NewCSV(bytes.NewReader(data), "fuzz.csv", opts)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Fatalf("open error does not name the file: %v", err)
			}
			return
		}
		header := src.Header()
		// Every line ends with a LF or a CR, in whatever encoding: UTF-16
		// writes them as the same byte beside a zero.
		lines := 1 + bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'})
		last := max(int(headerRow%4), 1) // the header's row is at least this
		order := func(num int) {
			if num <= last || num > lines {
				t.Fatalf("row %d after row %d (at most %d lines)", num, last, lines)
			}
			last = num
		}
		// Without quotes and CRs, a row is the line of that number: its
		// cells are in it.
		var plain []string
		if utf8.Valid(data) && !bytes.ContainsAny(data, "\"\r\x00") {
			plain = strings.Split(string(data), "\n")
		}
		for i := 0; i <= len(data)+1; i++ {
			row, err := src.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var re *RowError
			if errors.As(err, &re) {
				if re.File != "fuzz.csv" || !strings.HasPrefix(re.Error(), "fuzz.csv:") {
					t.Fatalf("bad row error %+v", re)
				}
				order(re.Row)
				continue
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "fuzz.csv") {
					t.Fatalf("error does not name the file: %v", err)
				}
				return
			}
			if len(row.Cells) != len(header) {
				t.Fatalf("row %d: %d cells, header %d", row.Num, len(row.Cells), len(header))
			}
			order(row.Num)
			if plain != nil {
				for _, c := range row.Cells {
					if !strings.Contains(plain[row.Num-1], c) {
						t.Fatalf("row %d: cell %q is not on line %d: %q", row.Num, c, row.Num, plain[row.Num-1])
					}
				}
			}
			for _, c := range row.Cells {
				if !utf8.ValidString(c) {
					t.Fatalf("row %d: invalid UTF-8 %q", row.Num, c)
				}
			}
		}
		t.Fatal("Next did not reach io.EOF")
	})
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// FuzzNumFmt classifies arbitrary number format codes.
func FuzzNumFmt(f *testing.F) {
	for _, s := range []string{"General", "yyyy-mm-dd", `[$-40C]dd/mm/yyyy\ hh:mm;@`, "[h]:mm:ss", "00000",
		`#,##0.00\ "€"`, "mmm", "[Red]0.00", `"unclosed`, "[", `\`, "_", "*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		if k := classifyCode(code); k < kindNumber || k > kindDuration {
			t.Fatalf("kind %d", k)
		}
	})
}

// FuzzXLSX opens arbitrary bytes as a workbook: never a panic, every error
// names the file.
func FuzzXLSX(f *testing.F) {
	if dir := filepath.Join("..", "..", "shared", "testdata", "xlsx-corpus"); dirExists(dir) {
		for _, name := range []string{"testfile.xlsx", "empty_rows.xlsx", "merged_cells.xlsx", "badfile_noWorksheets.xlsx"} {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.xlsx")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		// Small limits: excelize sizes its buffers by what the zip declares.
		src, err := openXLSX(path, XLSXOptions{}, 8<<20, 1<<20)
		if err != nil {
			if !strings.HasPrefix(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		defer func() { _ = src.Close() }()
		for i := 0; i < 1_100_000; i++ {
			_, err := src.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				if !strings.HasPrefix(err.Error(), path) {
					t.Fatalf("error does not name the file: %v", err)
				}
				return
			}
		}
	})
}

// FuzzCSVMachine checks that csvMachine ends each record where
// encoding/csv does, quotes, quote errors and lazy quotes included: it is
// what skips a record too long to parse.
func FuzzCSVMachine(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "a,\"b\nc\",d\r\n\r\n\n1", "\"x\"\"y\",z\n", "\"open\n1,2\n", "a\"b,c\nd\n",
		"\"q\"x,1\n2\n", "\"q\"\r\n3", "\"q\"\rx\n4\n", "\"\"\"\n", ",,,\n\n", "\r", "x\r",
	} {
		f.Add([]byte(s), false, uint8(0))
		f.Add([]byte(s), true, uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, lazy bool, d uint8) {
		delim := []byte{',', ';', '\t', '|'}[d%4]
		cr := csv.NewReader(bytes.NewReader(data))
		cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes = rune(delim), -1, lazy
		start := 0
		for range len(data) + 2 {
			_, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if pe := (*csv.ParseError)(nil); err != nil && !errors.As(err, &pe) {
				t.Fatal(err)
			}
			end := int(cr.InputOffset())
			rec := data[start:]
			blank := 0
			for {
				if bytes.HasPrefix(rec, []byte{'\n'}) {
					rec, blank = rec[1:], blank+1
				} else if bytes.HasPrefix(rec, []byte("\r\n")) {
					rec, blank = rec[2:], blank+2
				} else {
					break
				}
			}
			m := csvMachine{delim: delim, lazy: lazy}
			got := len(data)
			if i := m.scan(rec); i >= 0 {
				got = start + blank + i + 1
			}
			if got != end {
				t.Fatalf("record at %d of %q: the machine ends it at %d, encoding/csv at %d", start, data, got, end)
			}
			start = end
		}
		t.Fatal("encoding/csv never reached the end")
	})
}

package readers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// frenchRows is a small table with the characters legacy files get wrong.
var frenchRows = [][]string{
	{"Code", "Société", "Ville", "Prix", "Note"},
	{"C001", "Électricité Générale", "Besançon", "12,50 €", "“urgent”"},
	{"C002", "Brasserie Ærø", "Zürich", "1 000", "naïve; with semicolon"},
	{"C003", "O'Neil & Fils", "Saint-Étienne", "7", ""},
}

func joinRows(rows [][]string, delim, eol string) string {
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b.WriteString(delim)
			}
			if strings.ContainsAny(c, delim+"\"\r\n") {
				c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			b.WriteString(c)
		}
		b.WriteString(eol)
	}
	return b.String()
}

func mustEncode(t *testing.T, s string, enc interface{ Bytes([]byte) ([]byte, error) }) []byte {
	t.Helper()
	b, err := enc.Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCSVEncodings writes the same table as Excel, Numbers or a legacy
// system would save it, and expects identical rows from each.
func TestCSVEncodings(t *testing.T) {
	t.Parallel()
	want := outcome{Header: frenchRows[0]}
	for i, r := range frenchRows[1:] {
		want.Rows = append(want.Rows, Row{Num: i + 2, Cells: r})
		want.Lines = append(want.Lines, "row "+itoa(i+2))
	}
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder()
	utf16leNoBOM := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder()
	tests := []struct {
		name string
		data []byte
		opts CSVOptions
		want Dialect
	}{
		{"cp1252 semicolon CRLF", mustEncode(t, joinRows(frenchRows, ";", "\r\n"), charmap.Windows1252.NewEncoder()),
			CSVOptions{}, Dialect{';', "windows-1252", false}},
		{"utf-16le BOM tab (Excel unicode text)", mustEncode(t, joinRows(frenchRows, "\t", "\r\n"), utf16le),
			CSVOptions{}, Dialect{'\t', "utf-16le", true}},
		{"utf-16be BOM tab", mustEncode(t, joinRows(frenchRows, "\t", "\n"), utf16be),
			CSVOptions{}, Dialect{'\t', "utf-16be", true}},
		{"utf-16le without BOM", mustEncode(t, joinRows(frenchRows, "\t", "\r\n"), utf16leNoBOM),
			CSVOptions{}, Dialect{'\t', "utf-16le", false}},
		{"utf-8 BOM comma", append([]byte("\uFEFF"), joinRows(frenchRows, ",", "\r\n")...),
			CSVOptions{}, Dialect{',', "utf-8", true}},
		{"utf-8 pipe LF", []byte(joinRows(frenchRows, "|", "\n")),
			CSVOptions{}, Dialect{'|', "utf-8", false}},
		{"utf-8 classic Mac CR", []byte(joinRows(frenchRows, ",", "\r")),
			CSVOptions{}, Dialect{',', "utf-8", false}},
		{"mac roman (Excel for Mac CSV)", mustEncode(t, joinRows(frenchRows, ";", "\r"), charmap.Macintosh.NewEncoder()),
			CSVOptions{}, Dialect{';', "macintosh", false}},
		{"forced utf-8 with BOM", append([]byte("\uFEFF"), joinRows(frenchRows, ";", "\n")...),
			CSVOptions{Encoding: "UTF8"}, Dialect{';', "utf-8", true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "in.csv")
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			src, err := OpenCSV(path, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			d := src.(interface{ Dialect() Dialect }).Dialect()
			got := readAll(t, src)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rows differ (-want +got):\n%s", diff)
			}
			if d != tt.want {
				t.Errorf("dialect %+v, want %+v", d, tt.want)
			}
		})
	}
}

// TestCSVLateWindows1252 has its first non-ASCII byte far past what
// detection looks at.
func TestCSVLateWindows1252(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	b.WriteString("id;name\n")
	n := 0
	for b.Len() < 3*sniffSize {
		n++
		fmt.Fprintf(&b, "%d;plain ascii name\n", n)
	}
	b.Write([]byte("last;Caf\xe9 \x80 5\n"))
	src, err := NewCSV(&b, "late.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := src.(interface{ Dialect() Dialect }).Dialect(); d.Encoding != "utf-8" {
		t.Fatalf("encoding before reading: %q", d.Encoding)
	}
	o := readAll(t, src)
	last := o.Rows[len(o.Rows)-1]
	if got := last.Cells[1]; got != "Café € 5" {
		t.Errorf("last row = %q, want %q", got, "Café € 5")
	}
	if last.Num != n+2 {
		t.Errorf("last row Num = %d, want %d", last.Num, n+2)
	}
	if d := src.(interface{ Dialect() Dialect }).Dialect(); d.Encoding != "windows-1252" {
		t.Errorf("encoding after reading: %q, want windows-1252", d.Encoding)
	}
}

func TestCSVInvalidUTF8WhenForced(t *testing.T) {
	t.Parallel()
	src, err := NewCSV(strings.NewReader("a,b\n1,Caf\xe9\n2,ok\n"), "f.csv", CSVOptions{Encoding: "utf-8"})
	if err != nil {
		t.Fatal(err)
	}
	o := readAll(t, src)
	if len(o.Errs) != 1 || o.Errs[0].Row != 2 || o.Errs[0].Column != "b" {
		t.Fatalf("errors %v, want one on row 2 column b", o.Errs)
	}
	if len(o.Rows) != 1 || o.Rows[0].Num != 3 {
		t.Errorf("rows %v", o.Rows)
	}
}

// TestCSVRows checks row numbers, skipping and row errors.
func TestCSVRows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		opts   CSVOptions
		header []string
		lines  []string // "row N: a|b" or "error N: message part"
	}{
		{
			name:   "a record is one row, whatever lines its quoted fields span",
			in:     "a,b\n1,\"two\nlines\"\n2,x\n3,\"three\r\n\r\nlines\"\n4,y\n",
			header: []string{"a", "b"},
			lines:  []string{"row 2: 1|two\nlines", "row 3: 2|x", "row 4: 3|three\n\nlines", "row 5: 4|y"},
		},
		{
			name:   "blank and empty rows skipped",
			in:     "a,b\r\n\r\n1,2\r\n,\r\n  ,  \r\n\r\n3,4\r\n\r\n",
			header: []string{"a", "b"},
			lines:  []string{"row 3: 1|2", "row 7: 3|4"},
		},
		{
			name:   "ragged rows are errors and reading goes on",
			in:     "a,b,c\n1,2,3\n1,2\n1,2,3,4\n5,6,7\n",
			header: []string{"a", "b", "c"},
			lines:  []string{"row 2: 1|2|3", "error 3: 2 fields, but the header has 3", "error 4: 4 fields, but the header has 3", "row 5: 5|6|7"},
		},
		{
			name:   "bare quote is an error, next row read",
			in:     "a,b\n1,12\" pipe\n2,ok\n",
			header: []string{"a", "b"},
			lines:  []string{`error 2: bare " in non-quoted-field`, "row 3: 2|ok"},
		},
		{
			name:   "bare quote read with LazyQuotes",
			in:     "a,b\n1,12\" pipe\n2,ok\n",
			opts:   CSVOptions{LazyQuotes: true},
			header: []string{"a", "b"},
			lines:  []string{`row 2: 1|12" pipe`, "row 3: 2|ok"},
		},
		{
			name:   "text after a closing quote is an error",
			in:     "a,b\n1,\"x\"y\n2,ok\n",
			header: []string{"a", "b"},
			lines:  []string{`error 2: extraneous or missing " in quoted-field`, "row 3: 2|ok"},
		},
		{
			name:   "unclosed quote runs to the end",
			in:     "a,b\n1,ok\n2,\"open\n3,x\n4,y\n",
			header: []string{"a", "b"},
			lines:  []string{"row 2: 1|ok", "error 3: the quoted field that starts here is not closed properly (the parser stopped on line 5"},
		},
		{
			name:   "header on line 3 after a preamble",
			in:     "Export of 2024-05-01\nby: legacy;system;v2\nid;name\n1;a\n",
			opts:   CSVOptions{HeaderRow: 3},
			header: []string{"id", "name"},
			lines:  []string{"row 4: 1|a"},
		},
		{
			name:   "unnamed columns are dropped while empty",
			in:     "id,,name,\n1,,a,\n2,x,b,\n3,,c,y\n",
			header: []string{"id", "name"},
			lines:  []string{"row 2: 1|a", `error 3: field 2 holds "x"`, `error 4: field 4 holds "y"`},
		},
		{
			name:   "header names trimmed, BOM inside stripped",
			in:     "\uFEFF id , name \n1,a\n",
			header: []string{"id", "name"},
			lines:  []string{"row 2: 1|a"},
		},
		{
			name:   "empty file",
			in:     "",
			header: nil,
		},
		{
			name:   "only blank lines",
			in:     "\n\n,,\n",
			header: nil,
		},
		{
			name:   "header only",
			in:     "a;b;c\r\n",
			header: []string{"a", "b", "c"},
		},
		{
			name:   "Excel's sep= line",
			in:     "sep=|\r\na|b\r\n1|2;3\r\n",
			header: []string{"a", "b"},
			lines:  []string{"row 3: 1|2;3"},
		},
		{
			name:   "single column",
			in:     "email\nx@example.com\ny@example.com\n",
			header: []string{"email"},
			lines:  []string{"row 2: x@example.com", "row 3: y@example.com"},
		},
		{
			name:   "no final newline",
			in:     "a,b\n1,2",
			header: []string{"a", "b"},
			lines:  []string{"row 2: 1|2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := NewCSV(strings.NewReader(tt.in), "t.csv", tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			header := src.Header()
			var lines []string
			for {
				row, err := src.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				var re *RowError
				switch {
				case errors.As(err, &re):
					if re.File != "t.csv" || !strings.HasPrefix(re.Error(), fmt.Sprintf("t.csv:%d: ", re.Row)) {
						t.Errorf("row error %q does not start with file:line", re.Error())
					}
					lines = append(lines, fmt.Sprintf("error %d: %s", re.Row, re.Err))
				case err != nil:
					t.Fatalf("fatal: %v", err)
				default:
					lines = append(lines, fmt.Sprintf("row %d: %s", row.Num, strings.Join(row.Cells, "|")))
				}
			}
			if diff := cmp.Diff(tt.header, header); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if len(lines) != len(tt.lines) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(tt.lines), strings.Join(lines, "\n"))
			}
			for i := range lines {
				if !strings.HasPrefix(lines[i], tt.lines[i]) {
					t.Errorf("line %d = %q, want it to start with %q", i, lines[i], tt.lines[i])
				}
			}
		})
	}
}

func TestCSVParseErrorsWrap(t *testing.T) {
	t.Parallel()
	src, err := NewCSV(strings.NewReader("a,b\n1,x\"y\n"), "w.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Next()
	if !errors.Is(err, csv.ErrBareQuote) {
		t.Errorf("err = %v, want it to wrap csv.ErrBareQuote", err)
	}
}

func TestCSVOpenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		opts     CSVOptions
		want     string
	}{
		{"duplicate names", "Code,City,Name,Zip,Street,Phone,City\n", CSVOptions{},
			`customers.csv: header: column 2 and 7 are both named "City"`},
		{"duplicates after trimming", "a, b ,b\n", CSVOptions{}, `column 2 and 3 are both named "b"`},
		{"quote character", "a,b\n", CSVOptions{Quote: '\''}, `customers.csv: quote character '\'' is not supported`},
		{"delimiter", "a,b\n", CSVOptions{Delimiter: '"'}, `customers.csv: '"' cannot be a delimiter`},
		{"encoding", "a,b\n", CSVOptions{Encoding: "klingon"}, `customers.csv: unknown encoding "klingon"`},
		{"header row", "a,b\n", CSVOptions{HeaderRow: -2}, `customers.csv: header row -2`},
		{"header parse error", "a,\"b\n", CSVOptions{}, `customers.csv:1: header: extraneous or missing "`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewCSV(strings.NewReader(tt.in), "customers.csv", tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCSVForcedEncodings(t *testing.T) {
	t.Parallel()
	const text = "nom;ville;prix\nÉmile;Besançon;5 €\n"
	tests := []struct {
		encoding string
		enc      *charmap.Charmap
	}{
		{"ISO-8859-15", charmap.ISO8859_15},
		{"latin9", charmap.ISO8859_15},
		{"windows-1252", charmap.Windows1252},
		{"cp1252", charmap.Windows1252},
		{"macintosh", charmap.Macintosh},
	}
	for _, tt := range tests {
		t.Run(tt.encoding, func(t *testing.T) {
			t.Parallel()
			src, err := NewCSV(bytes.NewReader(mustEncode(t, text, tt.enc.NewEncoder())), "f.csv", CSVOptions{Encoding: tt.encoding})
			if err != nil {
				t.Fatal(err)
			}
			o := readAll(t, src)
			if len(o.Rows) != 1 || strings.Join(o.Rows[0].Cells, "|") != "Émile|Besançon|5 €" {
				t.Errorf("rows %+v", o.Rows)
			}
		})
	}
	t.Run("iso-8859-1 keeps C1 bytes", func(t *testing.T) {
		t.Parallel()
		src, err := NewCSV(strings.NewReader("a\n\x80\xe9\n"), "f.csv", CSVOptions{Encoding: "iso-8859-1"})
		if err != nil {
			t.Fatal(err)
		}
		o := readAll(t, src)
		if len(o.Rows) != 1 || o.Rows[0].Cells[0] != "\u0080é" {
			t.Errorf("rows %+v", o.Rows)
		}
	})
}

func TestSniffDelimiter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in  string
		headerRow int
		want      rune
	}{
		{"comma", "a,b,c\n1,2,3\n", 1, ','},
		{"semicolon with decimal commas", "name;price;qty\nfoo;1,5;2\nbar;22,75;1\nbaz;3;4\n", 1, ';'},
		{"tab with commas in text", "name\tnote\nfoo\tbar, baz, qux\n", 1, '\t'},
		{"pipe", "a|b\n1|2\n", 1, '|'},
		{"quoted delimiters ignored", "\"a;x\",b\n\"1;2;3\",2\n", 1, ','},
		{"quoted newline", "a;b\n\"x\ny,z\";2\n", 1, ';'},
		{"single column", "email\nx@example.com\n", 1, ','},
		{"preamble before header", "Report; 2024\nwho,when,what\n1,2,3\n", 2, ','},
		{"header row counted in rows", "\"Title\nover two lines\"\nsub,title,here\nwho;when;what\n1;2;3\n", 3, ';'},
		{"header only", "a;b;c\n", 1, ';'},
		{"empty", "", 1, ','},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := sniffDelimiter([]byte(tt.in), true, tt.headerRow); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFallbackReaderSplitRunes feeds the decoder one byte at a time, so
// every multi-byte rune is cut between reads.
func TestFallbackReaderSplitRunes(t *testing.T) {
	t.Parallel()
	in := "Ærø – “ok” 🙂 \xff end"
	fb := newFallbackReader(&oneByteReader{s: in})
	got, err := io.ReadAll(fb)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Ærø – “ok” 🙂 ÿ end"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if fb.switched() {
		t.Error("switched to windows-1252 after valid UTF-8")
	}
}

type oneByteReader struct{ s string }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.s[0]
	r.s = r.s[1:]
	return 1, nil
}

// A ragged row keeps what could be read of it, aligned with the header, so
// that an errors report shows the row as it was; extra fields are named in
// the error.
func TestRaggedRowKeepsItsCells(t *testing.T) {
	t.Parallel()
	src, err := NewCSV(strings.NewReader("a,b,c\n1,2\n3,4,5,6\n"), "r.csv", CSVOptions{Delimiter: ','})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	want := []struct {
		cells []string
		msg   string
	}{
		{[]string{"1", "2", ""}, "r.csv:2: 2 fields, but the header has 3"},
		{[]string{"3", "4", "5"}, `r.csv:3: 4 fields, but the header has 3 (extra: "6")`},
	}
	for _, w := range want {
		_, err := src.Next()
		var re *RowError
		if !errors.As(err, &re) {
			t.Fatalf("err = %v, want a *RowError", err)
		}
		if re.Error() != w.msg {
			t.Errorf("error %q, want %q", re.Error(), w.msg)
		}
		if diff := cmp.Diff(w.cells, re.Cells); diff != "" {
			t.Errorf("cells (-want +got):\n%s", diff)
		}
	}
}

// TestCSVRowNumbers checks that Row.Num and RowError.Row are the rows a
// spreadsheet shows: one per record, whatever lines its quoted fields span,
// and one per blank line.
func TestCSVRowNumbers(t *testing.T) {
	t.Parallel()
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()
	// Past the first 64 KiB a byte that is not UTF-8 switches the decoder
	// to windows-1252; the rows above it span two lines each.
	var late strings.Builder
	late.WriteString("id,note\n")
	const lateRecords = 8000
	for i := range lateRecords {
		fmt.Fprintf(&late, "%d,\"first\nsecond\"\n", i)
	}
	late.WriteString("last,Caf\xe9\n")

	tests := []struct {
		name   string
		in     []byte
		opts   CSVOptions
		header []string
		lines  []string // "row N" or "error N", in reading order
		errs   []string // what the row errors say, in order
	}{
		{
			name:   "quoted line breaks, LF",
			in:     []byte("a,b\n1,\"two\nlines\"\n2,x\n3,\"three\n\nlines\"\n4,y\n"),
			header: []string{"a", "b"},
			lines:  []string{"row 2", "row 3", "row 4", "row 5"},
		},
		{
			name:   "quoted line breaks, CRLF",
			in:     []byte("a,b\r\n1,\"two\r\nlines\"\r\n2,x\r\n3,\"three\r\n\r\nlines\"\r\n4,y\r\n"),
			header: []string{"a", "b"},
			lines:  []string{"row 2", "row 3", "row 4", "row 5"},
		},
		{
			name:   "quoted line breaks, mixed LF and CRLF",
			in:     []byte("a,b\r\n1,\"two\nlines\"\r\n2,\"x\r\ny\"\n3,z"),
			header: []string{"a", "b"},
			lines:  []string{"row 2", "row 3", "row 4"},
		},
		{
			name:   "blank lines are rows",
			in:     []byte("a,b\n\n1,\"x\ny\"\n\n\n2,z\n,\n3,w\n"),
			header: []string{"a", "b"},
			lines:  []string{"row 3", "row 6", "row 8"},
		},
		{
			name:   "a blank record over two lines is one row",
			in:     []byte("a,b\n\"  \n  \",\n1,2\n"),
			header: []string{"a", "b"},
			lines:  []string{"row 3"},
		},
		{
			name:   "ragged rows after a multi-line record",
			in:     []byte("a,b,c\n1,\"x\ny\nz\",3\n1,2\n4,\"p\nq\",6,7\n5,6,7\n"),
			header: []string{"a", "b", "c"},
			lines:  []string{"row 2", "error 3", "error 4", "row 5"},
			errs:   []string{"t.csv:3: 2 fields, but the header has 3", `t.csv:4: 4 fields, but the header has 3 (extra: "7")`},
		},
		{
			name:   "bad quotes after a multi-line record",
			in:     []byte("a,b\n1,\"x\ny\"\n2,x\"y\n3,\"p\nq\"r\n4,ok\n5,\"open\n6,x\n"),
			header: []string{"a", "b"},
			lines:  []string{"row 2", "error 3", "error 4", "row 5", "error 6"},
			errs: []string{
				`t.csv:3: bare " in non-quoted-field at position 4 of line 4`,
				`t.csv:4: the quoted field that starts here is not closed properly (the parser stopped on line 6, position 2)`,
				`t.csv:6: the quoted field that starts here is not closed properly (the parser stopped on line 9,`,
			},
		},
		{
			name:   "a bad quote on the second line of a record",
			in:     []byte("a,b,c\n1,\"x\ny\",z\"w\n2,ok,ok\n"),
			header: []string{"a", "b", "c"},
			lines:  []string{"error 2", "row 3"},
			errs:   []string{`t.csv:2: bare " in non-quoted-field at position 5 of line 3`},
		},
		{
			name:   "lazy quotes: a field over two lines",
			in:     []byte("a,b\n1,\"12\" pipe\nnext\"\n2,x\n"),
			opts:   CSVOptions{LazyQuotes: true},
			header: []string{"a", "b"},
			lines:  []string{"row 2", "row 3"},
		},
		{
			name:   "value in an unnamed column after a multi-line record",
			in:     []byte("id,,name\n1,,\"a\nb\"\n2,x,c\n3,,d\n"),
			header: []string{"id", "name"},
			lines:  []string{"row 2", "error 3", "row 4"},
			errs:   []string{`t.csv:3: field 2 holds "x"`},
		},
		{
			name:   "title rows before header_row",
			in:     []byte("\"Report\nMay 2024\"\nTitle 2\na,b\n1,\"x\ny\"\n2,z\n"),
			opts:   CSVOptions{HeaderRow: 3},
			header: []string{"a", "b"},
			lines:  []string{"row 4", "row 5"},
		},
		{
			name:   "header_row counts rows, not lines",
			in:     []byte("\"Title\nsecond line\"\na,b\n1,2\n"),
			opts:   CSVOptions{HeaderRow: 2},
			header: []string{"a", "b"},
			lines:  []string{"row 3"},
		},
		{
			name:   "a title row that cannot be parsed before header_row",
			in:     []byte("\"Report\nfor\" May\n\na,b\n1,2\n"),
			opts:   CSVOptions{HeaderRow: 3, Delimiter: ','},
			header: []string{"a", "b"},
			lines:  []string{"row 4"},
		},
		{
			name:   "CR-only line ends",
			in:     []byte("a,b\r1,\"x\ry\"\r2,z\r\r3,w\r"),
			header: []string{"a", "b"},
			lines:  []string{"row 2", "row 3", "row 5"},
		},
		{
			name:   "Excel's sep= line is row 1",
			in:     []byte("sep=;\r\na;b\r\n1;\"x\r\ny\"\r\n2;z\r\n"),
			header: []string{"a", "b"},
			lines:  []string{"row 3", "row 4"},
		},
		{
			name:   "UTF-16 with line breaks in quotes",
			in:     mustEncode(t, "a\tb\r\n1\t\"x\r\ny\"\r\n\r\n2\tz\r\n", utf16le),
			header: []string{"a", "b"},
			lines:  []string{"row 2", "row 4"},
		},
		{
			name:   "windows-1252 with line breaks in quotes",
			in:     mustEncode(t, "nom;ville\nÉmile;\"Besançon\nDoubs\"\nZoé;Lyon\n", charmap.Windows1252.NewEncoder()),
			header: []string{"nom", "ville"},
			lines:  []string{"row 2", "row 3"},
		},
		{
			name:   "forced UTF-8: invalid bytes after a multi-line record",
			in:     []byte("a,b\n1,\"x\ny\"\n2,Caf\xe9\n"),
			opts:   CSVOptions{Encoding: "utf-8"},
			header: []string{"a", "b"},
			lines:  []string{"row 2", "error 3"},
			errs:   []string{"t.csv:3: column b: not valid UTF-8"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := NewCSV(bytes.NewReader(tt.in), "t.csv", tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			o := readAll(t, src)
			if diff := cmp.Diff(tt.header, o.Header); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.lines, o.Lines); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if len(o.Errs) != len(tt.errs) {
				t.Fatalf("%d row errors, want %d: %v", len(o.Errs), len(tt.errs), o.Errs)
			}
			for i, e := range o.Errs {
				if !strings.HasPrefix(e.Error(), tt.errs[i]) {
					t.Errorf("row error %q, want it to start with %q", e.Error(), tt.errs[i])
				}
			}
		})
	}

	t.Run("windows-1252 found past the first 64 KiB", func(t *testing.T) {
		t.Parallel()
		src, err := NewCSV(strings.NewReader(late.String()), "t.csv", CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		o := readAll(t, src)
		if len(o.Rows) != lateRecords+1 || len(o.Errs) != 0 {
			t.Fatalf("%d rows, %d row errors; want %d rows", len(o.Rows), len(o.Errs), lateRecords+1)
		}
		for i, row := range o.Rows {
			if row.Num != i+2 {
				t.Fatalf("row %d is numbered %d, want %d", i, row.Num, i+2)
			}
		}
		last := o.Rows[len(o.Rows)-1]
		if got := strings.Join(last.Cells, "|"); got != "last|Café" {
			t.Errorf("last row %q, want last|Café", got)
		}
		if d := src.(interface{ Dialect() Dialect }).Dialect(); d.Encoding != "windows-1252" {
			t.Errorf("encoding %q, want windows-1252", d.Encoding)
		}
	})
}

package readers

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
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
		// Small limits: the parts may unpack to 8 MiB, shared strings past
		// 1 MiB go to a temporary file.
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

// FuzzXMLScanner reads arbitrary bytes with the XLSX reader's XML scanner:
// it must end, without a panic, on any input; and on any input that
// encoding/xml reads without error, it must see the same elements, the
// same attributes and, for <v> and <t> elements, the same text.
func FuzzXMLScanner(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0"?><sst><si><t xml:space="preserve"> a &amp; b </t></si><si><r><t>x</t></r><rPh><t>y</t></rPh></si></sst>`,
		`<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row>`,
		"<v>a\r\nb\rc<![CDATA[d\r\n<e>]]>&#xD;&#65;&lt;</v>",
		`<!DOCTYPE x [<!ENTITY e "v">]><!-- c --><a b='>' c="&quot;"><v/><t>1<i>2</i>3</t></a>`,
		`<a><b></a>`, `<a`, `<v>&amp</v>`, "\xef\xbb\xbf<t>\xff</t>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// encoding/xml turns CRs in attribute values into LFs, the scanner
		// does not (no attribute it reads holds one): values are compared
		// only without CRs.
		values := !bytes.Contains(data, []byte{'\r'})
		got, gotErr := scanEvents(data, values)
		want, wantErr := stdEvents(data, values)
		if wantErr != nil {
			return
		}
		if gotErr != nil {
			t.Fatalf("encoding/xml reads it, the scanner fails: %v\nencoding/xml: %q", gotErr, want)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("events differ:\nscanner:      %q\nencoding/xml: %q", got, want)
		}
	})
}

// scanEvents lists what the scanner sees: +name attr=value... at a start,
// -name at an end, =text for the text of <v> and <t>.
func scanEvents(data []byte, values bool) ([]string, error) {
	sc := newXMLScanner(bytes.NewReader(data), 1000)
	var ev []string
	for i := 0; i <= len(data); i++ {
		start, err := sc.next()
		if errors.Is(err, io.EOF) {
			return ev, nil
		}
		if err != nil {
			return ev, err
		}
		if !start {
			ev = append(ev, "-"+string(sc.name))
			continue
		}
		name := string(sc.name)
		e := "+" + name
		for _, k := range attrNames(sc) {
			e += " " + k
			if v, _ := sc.attr(k); values {
				e += "=" + string(v)
			}
		}
		ev = append(ev, e)
		if name == "v" || name == "t" {
			text, _, err := sc.text(nil, 1<<20)
			if err != nil {
				return ev, err
			}
			ev = append(ev, "="+string(text), "-"+name)
		} else if sc.empty {
			ev = append(ev, "-"+name)
		}
	}
	return ev, errors.New("the scanner did not end")
}

func attrNames(sc *xmlScanner) []string {
	if sc.nattr < 0 {
		sc.parseAttrs()
	}
	var names []string
	for _, a := range sc.attrList[:sc.nattr] {
		names = append(names, string(a.key))
	}
	return names
}

// stdEvents lists what encoding/xml sees, in the form of scanEvents:
// within <v> and <t>, only their own text, not their children.
func stdEvents(data []byte, values bool) ([]string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var ev []string
	inText := 0 // depth inside a <v> or <t>
	var text []byte
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return ev, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if inText > 0 {
				inText++
				continue
			}
			e := "+" + tok.Name.Local
			for _, a := range tok.Attr {
				e += " " + a.Name.Local
				if values {
					e += "=" + a.Value
				}
			}
			ev = append(ev, e)
			if tok.Name.Local == "v" || tok.Name.Local == "t" {
				inText, text = 1, text[:0]
			}
		case xml.EndElement:
			switch {
			case inText > 1:
				inText--
				continue
			case inText == 1:
				inText = 0
				ev = append(ev, "="+string(text))
			}
			ev = append(ev, "-"+tok.Name.Local)
		case xml.CharData:
			if inText == 1 {
				text = append(text, tok...)
			}
		}
	}
}

// FuzzXLSXSheet reads arbitrary sheet XML as the XLSX reader reads a
// worksheet (shared strings "a" and "b_x0041_", no styles): never a
// panic, every error names the file, row numbers increase and rows have
// one cell per header column.
func FuzzXLSXSheet(f *testing.F) {
	for _, s := range []string{
		`<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row><row r="3"><c r="A3"><v>1.5</v></c><c r="C3" t="s"><v>1</v></c></row></sheetData>`,
		`<x:sheetData><x:row><x:c t="b"><x:v>1</x:v></x:c></x:row><x:row><x:c><x:v>2</x:v></x:c></x:row></x:sheetData>`,
		`<sheetData><row r="2"><c r="B2" s="1"><v>45000.5</v></c><c r="A2"><f>1+1</f><v>2</v></c></row><row r="2"><c t="d"><v>2024-01-01T00:00:00Z</v></c></row></sheetData>`,
		`<sheetData><row><c r="A1" t="s"><v>9</v></c><c r="ZZZZ1"><v>1</v></c></row></sheetData>`,
	} {
		f.Add(s, uint8(1))
	}
	const sst = `<sst><si><t>a</t></si><si><r><t>b_x0041_</t></r></si></sst>`
	f.Fuzz(func(t *testing.T, sheetData string, headerRow uint8) {
		const name = "fuzz.xlsx"
		lim := Limits{FieldsPerRow: 64, RowBytes: 4096}.withDefaults()
		table, err := loadSharedStrings(t.Context(), bytes.NewReader([]byte(sst)), "xl/sharedStrings.xml", lim, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		src := &xlsxSource{name: name, sheet: "Sheet1", part: "xl/worksheets/sheet1.xml", sst: table,
			rows: newSheetRows(bytes.NewReader([]byte("<worksheet>"+sheetData+"</worksheet>")), lim)}
		defer func() { _ = src.Close() }()
		if err := src.readHeader(int(headerRow%4) + 1); err != nil {
			if !strings.HasPrefix(err.Error(), name) {
				t.Fatalf("header: %v", err)
			}
			return
		}
		header, last := src.Header(), 0
		for i := 0; i <= len(sheetData); i++ {
			row, err := src.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var re *RowError
			if errors.As(err, &re) {
				if re.File != name || re.Row <= last || len(re.Cells) != len(header) {
					t.Fatalf("row error %+v after row %d", re, last)
				}
				last = re.Row
				continue
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), name) || strings.Contains(err.Error(), "unreadable after row") {
					t.Fatalf("next: %v", err)
				}
				return
			}
			if row.Num <= last || len(row.Cells) != len(header) {
				t.Fatalf("row %d (%d cells, header %d) after row %d", row.Num, len(row.Cells), len(header), last)
			}
			last = row.Num
		}
		t.Fatal("Next did not reach io.EOF")
	})
}

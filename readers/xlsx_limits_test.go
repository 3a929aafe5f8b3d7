package readers

import (
	"archive/zip"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawWorkbook writes a workbook of one sheet, "Sheet1", whose sheetData is
// given, with the shared strings given (none when nil), as a program
// writing the XML itself would.
func rawWorkbook(t testing.TB, name, sheetData string, sst []string) string {
	t.Helper()
	var b strings.Builder
	if sst != nil {
		fmt.Fprintf(&b, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d">`, len(sst))
		for _, s := range sst {
			fmt.Fprintf(&b, "<si><t>%s</t></si>", xmlEscape(s))
		}
		b.WriteString("</sst>")
	}
	return rawParts(t, name, sheetData, b.String())
}

// rawParts writes a workbook whose sheet holds sheetData and whose shared
// strings part is sstXML (none when "").
func rawParts(t testing.TB, name, sheetData, sstXML string) string {
	t.Helper()
	if sstXML == "" {
		return rawStream(t, name, sheetData, nil)
	}
	return rawStream(t, name, sheetData, func(w io.Writer) error {
		_, err := io.WriteString(w, sstXML)
		return err
	})
}

// rawStream writes a workbook whose sheet holds sheetData and whose shared
// strings part is written by sst (none when nil).
func rawStream(t testing.TB, name, sheetData string, sst func(w io.Writer) error) string {
	t.Helper()
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	rels := `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if sst != nil {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>`},
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook ` + ns + ` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels + `</Relationships>`},
		{"xl/worksheets/sheet1.xml", `<worksheet ` + ns + `>` + sheetData + `</worksheet>`},
	}
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	must(t, err)
	zw := zip.NewWriter(f)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		must(t, err)
		_, err = io.WriteString(w, p.body)
		must(t, err)
	}
	if sst != nil {
		// Stored, not deflated: quick to write, whatever its size.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "xl/sharedStrings.xml", Method: zip.Store})
		must(t, err)
		must(t, sst(w))
	}
	must(t, zw.Close())
	must(t, f.Close())
	return path
}

// TestXLSXLimits: a row or a workbook past a limit is a row error or an
// error naming the limit and where it was passed; the reading goes on with
// the next row when it can.
func TestXLSXLimits(t *testing.T) {
	// Not parallel with the other tests: its workbooks would weigh on
	// the heap that TestXLSXMemoryFlat measures.
	header := `<row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c><c r="B1" t="inlineStr"><is><t>Name</t></is></c></row>`
	last := `<row r="9"><c r="A9"><v>9</v></c><c r="B9" t="s"><v>0</v></c></row>`
	cells := func(n int, ref bool) string {
		var b strings.Builder
		for i := range n {
			if ref {
				b.WriteString(`<c r="A2"><v>1</v></c>`)
			} else {
				fmt.Fprintf(&b, `<c r="%s2"><v>%d</v></c>`, columnName(i), i)
			}
		}
		return b.String()
	}
	long := strings.Repeat("é", 100) // 200 bytes
	tests := []struct {
		name    string
		rows    string
		sst     []string
		lim     Limits
		openErr string
		rowErr  string // the error of row 2
		column  string
		fatal   string
	}{
		{name: "too many cells", rows: `<row r="2">` + cells(50, false) + `</row>`, lim: Limits{FieldsPerRow: 10},
			rowErr: "book.xlsx:2: the row has more than 10 cells (a limit: limits.fields_per_row in the mapping raises it)"},
		{name: "too many cells in one column", rows: `<row r="2">` + cells(50, true) + `</row>`, lim: Limits{FieldsPerRow: 10},
			rowErr: "book.xlsx:2: the row has more than 10 cells"},
		{name: "a cell past the last column allowed", rows: `<row r="2"><c r="AZ2"><v>1</v></c></row>`, lim: Limits{FieldsPerRow: 26},
			rowErr: "the row has more than 26 cells"},
		{name: "long inline string", rows: `<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><r><t>` + long + `</t></r></is></c></row>`,
			lim: Limits{FieldBytes: 100}, column: "B", rowErr: "book.xlsx:2: column B: cell B2 holds more than 100 bytes of text (a limit: limits.field_bytes in the mapping raises it)"},
		{name: "long value", rows: `<row r="2"><c r="A2" t="str"><v>` + long + `</v></c></row>`,
			lim: Limits{FieldBytes: 100}, column: "A", rowErr: "cell A2 holds more than 100 bytes of text"},
		{name: "long shared string", rows: `<row r="2"><c r="A2" t="s"><v>1</v></c></row>`, sst: []string{"x", long},
			lim: Limits{FieldBytes: 100}, column: "A", rowErr: "cell A2 holds more than 100 bytes of text"},
		{name: "long row", rows: `<row r="2"><c r="A2"><v>1</v></c>` + strings.Repeat(" ", 5000) + `<c r="B2"><v>1</v></c></row>`,
			lim: Limits{RowBytes: 1024}, rowErr: "book.xlsx:2: the row's XML takes more than 1 KiB (a limit: limits.row_bytes in the mapping raises it)"},
		{name: "shared-string count", sst: []string{"a", "b", "c", "d", "e", "f"}, lim: Limits{SharedStrings: 5},
			openErr: "book.xlsx: xl/sharedStrings.xml holds more than 5 strings (a limit: limits.shared_strings in the mapping raises it)"},
		{name: "shared-string bytes", sst: []string{"a", long}, lim: Limits{SharedStringBytes: 100},
			openErr: "book.xlsx: xl/sharedStrings.xml holds more than 100 bytes of text (a limit: limits.shared_string_bytes in the mapping raises it)"},
		{name: "nesting", rows: `<row r="2"><c r="A2"><v>1</v><x><x><x><x><x><x><x><x></x></x></x></x></x></x></x></x></c></row>`, lim: Limits{XMLDepth: 8},
			fatal: `book.xlsx: sheet "Sheet1": after row 1: xl/worksheets/sheet1.xml: at byte 242: elements nested more than 8 deep (a limit: limits.xml_depth in the mapping raises it)`},
		{name: "shared string out of the table", rows: `<row r="2"><c r="A2" t="s"><v>7</v></c></row>`, sst: []string{"x"},
			column: "A", rowErr: "book.xlsx:2: column A: cell A2 refers to shared string 7, but the workbook has 1"},
		{name: "shared string not a number", rows: `<row r="2"><c r="A2" t="s"><v>x</v></c></row>`, sst: []string{"x"},
			column: "A", rowErr: `cell A2 refers to shared string "x", which is not a string's number`},
		{name: "bad cell reference", rows: `<row r="2"><c r="A0"><v>1</v></c></row>`,
			rowErr: `book.xlsx:2: cell reference "A0" is not a cell of a sheet`},
		{name: "unclosed element", rows: `<row r="2"><c r="A2"><v>1</c></row>`,
			fatal: `book.xlsx: sheet "Sheet1": after row 1: xl/worksheets/sheet1.xml: malformed XML at byte 226: </c> closes <v>`},
		{name: "unknown entity", rows: `<row r="2"><c r="A2" t="str"><v>&nbsp;</v></c></row>`,
			fatal: `malformed XML at byte 233: unknown entity or bad character reference &nbsp;`},
		{name: "tag too long", rows: `<row r="2"><c r="A2" x="` + strings.Repeat("x", xmlMaxTag) + `"><v>1</v></c></row>`,
			fatal: "xl/worksheets/sheet1.xml: malformed XML at byte 212: a tag longer than 1 MiB"},
		{name: "row past the sheet", rows: `<row r="1048577"><c><v>1</v></c></row>`,
			fatal: `book.xlsx: sheet "Sheet1": after row 1: xl/worksheets/sheet1.xml: row 1048577: a sheet has 1048576 rows at most`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sst := tt.sst
			if sst == nil {
				sst = []string{"last"}
			}
			path := rawWorkbook(t, "book.xlsx", "<sheetData>"+header+tt.rows+last+"</sheetData>", sst)
			src, err := OpenXLSX(path, XLSXOptions{Limits: tt.lim})
			if tt.openErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.openErr) {
					t.Fatalf("err = %v, want %q", err, tt.openErr)
				}
				return
			}
			must(t, err)
			defer func() { _ = src.Close() }()
			var errs []*RowError
			var rows []int
			for {
				row, err := src.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				var re *RowError
				if errors.As(err, &re) {
					errs = append(errs, re)
					continue
				}
				if err != nil {
					if tt.fatal == "" || !strings.Contains(err.Error(), tt.fatal) {
						t.Fatalf("fatal error %v, want %q", err, tt.fatal)
					}
					return
				}
				rows = append(rows, row.Num)
			}
			if tt.fatal != "" {
				t.Fatalf("no fatal error, want %q", tt.fatal)
			}
			if len(errs) != 1 || errs[0].Row != 2 || errs[0].Column != tt.column || !strings.Contains(errs[0].Error(), tt.rowErr) {
				t.Fatalf("row errors %v, want one on row 2, column %q: %q", errs, tt.column, tt.rowErr)
			}
			if len(errs[0].Cells) != 2 {
				t.Errorf("the row error holds %d cells, want one per header column", len(errs[0].Cells))
			}
			if fmt.Sprint(rows) != "[9]" {
				t.Errorf("rows %v, want the row after the bad one, 9", rows)
			}
		})
	}
}

// TestXLSXHostileMemory: text that is not kept (spaces between rows, a
// cell past its limit) streams by without being held: the scanner's
// buffer never grows. (Not parallel: its workbook would weigh on the heap
// that TestXLSXMemoryFlat measures.)
func TestXLSXHostileMemory(t *testing.T) {
	spaces := strings.Repeat("        \n", 400_000) // 3.6 MB
	path := rawWorkbook(t, "spaces.xlsx", `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row>`+spaces+
		`<row r="2"><c r="A2" t="inlineStr"><is><t>`+spaces+`</t></is></c></row><row r="3"><c r="A3"><v>3</v></c></row></sheetData>`, nil)
	src, err := OpenXLSX(path, XLSXOptions{})
	must(t, err)
	defer func() { _ = src.Close() }()
	o := outcome{}
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			o.Errs = append(o.Errs, re)
			continue
		}
		must(t, err)
		o.Rows = append(o.Rows, row)
	}
	if len(o.Rows) != 1 || o.Rows[0].Num != 3 || len(o.Errs) != 1 || !strings.Contains(o.Errs[0].Error(), "cell A2 holds more than 1 MiB") {
		t.Errorf("rows %v, errors %v", o.Rows, o.Errs)
	}
	s := src.(*xlsxSource)
	if n := len(s.rows.sc.buf); n != xmlBufSize {
		t.Errorf("the scanner's buffer grew to %d bytes", n)
	}
	if n := cap(s.rows.text); n > 2<<20 {
		t.Errorf("the row's text buffer grew to %d bytes", n)
	}
}

// manyStrings writes a workbook whose n shared strings are each used once,
// in the order given by at (row r uses string at(r)), with a few long ones.
func manyStrings(t testing.TB, n int, at func(i int) int) (string, []string) {
	sst := make([]string, n)
	for i := range sst {
		sst[i] = fmt.Sprintf("string %d %s", i, strings.Repeat("x", i%37))
		if i%997 == 0 {
			sst[i] = strings.Repeat("long ", 20_000) // 100 KB
		} else if i%499 == 0 {
			sst[i] = strings.Repeat("half ", 10_000) // 50 KB
		}
	}
	var b strings.Builder
	b.WriteString(`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Text</t></is></c><c r="B1" t="inlineStr"><is><t>Index</t></is></c></row>`)
	for r := range n {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d"><v>%d</v></c></row>`, r+2, r+2, at(r), r+2, at(r))
	}
	b.WriteString("</sheetData>")
	return rawWorkbook(t, "strings.xlsx", b.String(), sst), sst
}

// TestXLSXSharedStringsSpill reads shared strings kept in memory and
// spilled to a temporary file (with a small cache, so that runs of
// blocks are evicted and large blocks are read directly), used in order,
// backwards and at random: every cell gets its string, a string past the
// field limit is a row error wherever it is kept, and the temporary file
// has no name while it is used and is gone after Close.
func TestXLSXSharedStringsSpill(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	const n, fieldBytes = 8_000, 90_000
	perm := func(i int) int { return (i * 7919) % n }
	for _, order := range []struct {
		name string
		at   func(int) int
	}{{"in order", func(i int) int { return i }}, {"backwards", func(i int) int { return n - 1 - i }}, {"at random", perm}} {
		t.Run(order.name, func(t *testing.T) {
			path, sst := manyStrings(t, n, order.at)
			for _, memory := range []int64{1 << 30, 64 << 10, 0} {
				opts := XLSXOptions{Limits: Limits{FieldBytes: fieldBytes}}
				s, err := openSheet(t.Context(), path, opts, xlsxUnzipLimit, memory)
				must(t, err)
				if memory < 1<<20 {
					if s.sst.file == nil {
						t.Fatalf("memory %d: the strings were not spilled", memory)
					}
					if runtime.GOOS == "linux" {
						if left := spillFiles(tmp); len(left) != 0 {
							t.Errorf("the spill file has a name in TMPDIR while in use: %v", left)
						}
					}
					s.sst.cache.limit = 256 << 10
				}
				must(t, s.readHeader(1))
				rows, long := 0, 0
				for {
					row, err := s.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					var re *RowError
					if errors.As(err, &re) {
						if want := sst[order.at(re.Row-2)]; len(want) <= fieldBytes || !strings.Contains(re.Error(), "cell A") {
							t.Fatalf("memory %d: row %d: %v", memory, re.Row, re)
						}
						long++
						continue
					}
					must(t, err)
					want := sst[order.at(row.Num-2)]
					if row.Cells[0] != want {
						t.Fatalf("memory %d: row %d: %.40q, want %.40q", memory, row.Num, row.Cells[0], want)
					}
					rows++
				}
				must(t, s.Close())
				if rows+long != n || long != n/997+1 {
					t.Errorf("memory %d: %d rows and %d too long", memory, rows, long)
				}
			}
			if left := spillFiles(tmp); len(left) != 0 {
				t.Errorf("files left in TMPDIR: %v", left)
			}
		})
	}
}

func spillFiles(dir string) []string {
	left, _ := filepath.Glob(filepath.Join(dir, "stbulk-sst-*"))
	return left
}

// TestXLSXOpenInterrupted: an interrupt stops the loading of a large
// shared-strings table at once, and the error says so. (Not parallel: it
// would weigh on the heap that TestXLSXMemoryFlat measures.)
func TestXLSXOpenInterrupted(t *testing.T) {
	path := rawStream(t, "big.xlsx", `<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>`, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		b := []byte(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
		for i := range 2_000_000 {
			b = append(b, "<si><t>"...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, "</t></si>"...)
			if len(b) > 64<<10 {
				bw.Write(b)
				b = b[:0]
			}
		}
		bw.Write(append(b, "</sst>"...))
		return bw.Flush()
	})

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := OpenXLSXContext(ctx, path, XLSXOptions{}); !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), path) {
		t.Errorf("cancelled before: err = %v, want context.Canceled naming the file", err)
	}

	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	start := time.Now()
	time.AfterFunc(20*time.Millisecond, cancel)
	src, err := OpenXLSXContext(ctx, path, XLSXOptions{})
	took := time.Since(start)
	if err == nil {
		_ = src.Close()
		t.Skipf("the workbook opened in %v, before the interrupt", took)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if took > 2*time.Second {
		t.Errorf("the interrupt was honoured after %v", took)
	}
}

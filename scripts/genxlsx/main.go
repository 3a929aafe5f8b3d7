// Command genxlsx writes large workbooks for measuring the XLSX reader: a
// customers table as Excel saves it (text in the shared-strings table,
// t="s"; numbers with a zip-code and a date format), and hostile workbooks
// whose unpacked size or shared-string count is out of proportion to the
// file.
//
//	go run ./scripts/genxlsx -rows 1000000 -o /tmp/customers.xlsx
//	go run ./scripts/genxlsx -kind empty-strings -n 10000000 -o /tmp/sst.xlsx
//	go run ./scripts/genxlsx -kind whitespace -n 900000000 -o /tmp/ws.xlsx
//	go run ./scripts/genxlsx -kind wide-row -n 5000000 -o /tmp/wide.xlsx
//	go run ./scripts/genxlsx -kind big-cell -n 50000000 -o /tmp/cell.xlsx
//
// Everything is written streaming: memory stays small whatever -rows or -n.
package main

import (
	"archive/zip"
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	kind := flag.String("kind", "customers", "customers, empty-strings, whitespace, wide-row or big-cell")
	rows := flag.Int("rows", 200_000, "customers: data rows")
	shuffled := flag.Bool("shuffled", false, "customers: the rows use their shared strings in no order (as after a sort), not in the order of the table")
	n := flag.Int64("n", 0, "empty-strings: strings; whitespace: bytes; wide-row: cells; big-cell: bytes")
	out := flag.String("o", "", "the workbook to write")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genxlsx: -o is required")
		os.Exit(2)
	}
	if err := write(*out, *kind, *rows, *n, *shuffled); err != nil {
		fmt.Fprintln(os.Stderr, "genxlsx:", err)
		os.Exit(1)
	}
}

func write(path, kind string, rows int, n int64, shuffled bool) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	if err := writeFixedParts(zw); err != nil {
		return err
	}
	var sst, sheet func(w *bufio.Writer) error
	switch kind {
	case "customers":
		sst = func(w *bufio.Writer) error { return customerStrings(w, rows) }
		sheet = func(w *bufio.Writer) error { return customerSheet(w, rows, shuffled) }
	case "empty-strings":
		sst = func(w *bufio.Writer) error { return emptyStrings(w, n) }
		sheet = func(w *bufio.Writer) error { return plainSheet(w, `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`) }
	case "whitespace":
		sst = func(w *bufio.Writer) error { return emptyStrings(w, 1) }
		sheet = func(w *bufio.Writer) error { return whitespaceSheet(w, n) }
	case "wide-row":
		sst = func(w *bufio.Writer) error { return emptyStrings(w, 1) }
		sheet = func(w *bufio.Writer) error { return wideSheet(w, n) }
	case "big-cell":
		sst = func(w *bufio.Writer) error { return emptyStrings(w, 1) }
		sheet = func(w *bufio.Writer) error { return bigCellSheet(w, n) }
	default:
		return fmt.Errorf("unknown kind %q", kind)
	}
	if err := writePart(zw, "xl/sharedStrings.xml", sst); err != nil {
		return err
	}
	if err := writePart(zw, "xl/worksheets/sheet1.xml", sheet); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

func writePart(zw *zip.Writer, name string, body func(w *bufio.Writer) error) error {
	pw, err := zw.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(pw, 1<<16)
	if err := body(w); err != nil {
		return err
	}
	return w.Flush()
}

const mainNS = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`

// writeFixedParts writes the small parts every workbook has: content
// types, relationships, the workbook and its styles (style 1 is the zip
// code format "00000", style 2 the short date, built-in format 14).
func writeFixedParts(zw *zip.Writer) error {
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook ` + mainNS + ` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet ` + mainNS + `><numFmts count="1"><numFmt numFmtId="164" formatCode="00000"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`},
	}
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			return err
		}
	}
	return nil
}

var (
	header = []string{"Code", "Name", "Street", "ZIP", "City", "Phone", "Email", "Since", "Latitude", "Longitude"}
	cities = []string{"Lyon", "Villeurbanne", "Strasbourg", "Saint-Étienne", "Besançon", "Orléans", "Nîmes", "Périgueux", "Clermont-Ferrand", "Évry"}
	trades = []string{"Boulangerie", "Pâtisserie", "Hôtel", "Brasserie", "Café", "Épicerie", "Crèmerie", "Société", "Garage", "Pharmacie"}
)

// The shared strings: the header, the cities, then five strings of each
// row (code, name, street, phone, email), so that row i's strings are at
// firstRowString+5i.
const firstRowString = 20

func rowStrings(i int) [5]string {
	return [5]string{
		fmt.Sprintf("CLI-%07d", i+1),
		fmt.Sprintf("%s %d & Fils", trades[i%len(trades)], i+1),
		fmt.Sprintf("%d rue de la République", 1+i%200),
		fmt.Sprintf("+33 4 77 %02d %02d %02d", i%100, (i/100)%100, (i/10000)%100),
		fmt.Sprintf("contact%d@example.fr", i+1),
	}
}

func customerStrings(w *bufio.Writer, rows int) error {
	total := firstRowString + 5*rows
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<sst %s count="%d" uniqueCount="%d">`, mainNS, total+rows, total)
	si := func(s string) {
		w.WriteString("<si><t>")
		xmlText(w, s)
		w.WriteString("</t></si>")
	}
	for _, s := range header {
		si(s)
	}
	for _, s := range cities {
		si(s)
	}
	for i := range rows {
		for _, s := range rowStrings(i) {
			si(s)
		}
	}
	_, err := w.WriteString("</sst>")
	return err
}

func xmlText(w *bufio.Writer, s string) {
	for _, r := range s {
		switch r {
		case '&':
			w.WriteString("&amp;")
		case '<':
			w.WriteString("&lt;")
		case '>':
			w.WriteString("&gt;")
		default:
			w.WriteRune(r)
		}
	}
}

func colName(i int) string { return string(rune('A' + i)) }

// customerSheet writes the rows; shuffled, row i uses the strings of row
// perm(i) of the table, a permutation of the rows.
func customerSheet(w *bufio.Writer, rows int, shuffled bool) error {
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<worksheet %s><dimension ref="A1:J%d"/><sheetData>`, mainNS, rows+1)
	w.WriteString(`<row r="1" spans="1:10">`)
	for j := range header {
		fmt.Fprintf(w, `<c r="%s1" t="s"><v>%d</v></c>`, colName(j), j)
	}
	w.WriteString(`</row>`)
	for i := range rows {
		r := i + 2
		k := i
		if shuffled {
			k = int((int64(i)*7919 + 13) % int64(rows))
		}
		base := firstRowString + 5*k
		fmt.Fprintf(w, `<row r="%d" spans="1:10">`, r)
		fmt.Fprintf(w, `<c r="A%d" t="s"><v>%d</v></c>`, r, base)
		fmt.Fprintf(w, `<c r="B%d" t="s"><v>%d</v></c>`, r, base+1)
		fmt.Fprintf(w, `<c r="C%d" t="s"><v>%d</v></c>`, r, base+2)
		fmt.Fprintf(w, `<c r="D%d" s="1"><v>%d</v></c>`, r, 1000+i%95000)
		fmt.Fprintf(w, `<c r="E%d" t="s"><v>%d</v></c>`, r, len(header)+i%len(cities))
		fmt.Fprintf(w, `<c r="F%d" t="s"><v>%d</v></c>`, r, base+3)
		fmt.Fprintf(w, `<c r="G%d" t="s"><v>%d</v></c>`, r, base+4)
		fmt.Fprintf(w, `<c r="H%d" s="2"><v>%d</v></c>`, r, 40000+i%8000)
		fmt.Fprintf(w, `<c r="I%d"><v>%.7f</v></c>`, r, 43.5+float64(i%50000)/10000)
		fmt.Fprintf(w, `<c r="J%d"><v>%.7f</v></c>`, r, 1.25+float64(i%70000)/10000)
		w.WriteString(`</row>`)
	}
	_, err := w.WriteString(`</sheetData></worksheet>`)
	return err
}

// emptyStrings writes n empty strings: 7 bytes each, which deflate packs
// to almost nothing.
func emptyStrings(w *bufio.Writer, n int64) error {
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<sst %s count="%d" uniqueCount="%d">`, mainNS, n, n)
	for range n {
		w.WriteString("<si><t/></si>")
	}
	_, err := w.WriteString("</sst>")
	return err
}

func plainSheet(w *bufio.Writer, rows string) error {
	_, err := fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<worksheet %s><sheetData>%s</sheetData></worksheet>`, mainNS, rows)
	return err
}

// whitespaceSheet writes a one-cell header, then n bytes of spaces and
// line ends between two rows, then one data row.
func whitespaceSheet(w *bufio.Writer, n int64) error {
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<worksheet %s><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row>`, mainNS)
	chunk := strings.Repeat("        \n", 1<<13)
	for n > 0 {
		k := min(n, int64(len(chunk)))
		w.WriteString(chunk[:k])
		n -= k
	}
	_, err := w.WriteString(`<row r="2"><c r="A2"><v>1</v></c></row></sheetData></worksheet>`)
	return err
}

// wideSheet writes a header row of one cell and a row of n cells.
func wideSheet(w *bufio.Writer, n int64) error {
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<worksheet %s><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row><row r="2">`, mainNS)
	for range n {
		w.WriteString(`<c><v>1</v></c>`)
	}
	_, err := w.WriteString(`</row><row r="3"><c r="A3"><v>3</v></c></row></sheetData></worksheet>`)
	return err
}

// bigCellSheet writes a header row and a row whose one cell holds n bytes.
func bigCellSheet(w *bufio.Writer, n int64) error {
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<worksheet %s><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>`, mainNS)
	chunk := strings.Repeat("x", 1<<16)
	for n > 0 {
		k := min(n, int64(len(chunk)))
		w.WriteString(chunk[:k])
		n -= k
	}
	_, err := w.WriteString(`</t></is></c></row><row r="3"><c r="A3"><v>3</v></c></row></sheetData></worksheet>`)
	return err
}

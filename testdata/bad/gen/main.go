//go:build ignore

// Command gen writes the files of testdata/bad that are not plain text, or
// whose exact bytes matter (byte order marks, line ends, invalid UTF-8,
// workbooks, random bytes). The output is the same on every run.
//
// Run it from the repository's root after changing it:
//
//	go run testdata/bad/gen/main.go
//
// Inputs made at test time instead (too big to keep in the repository): the
// 10 MB cell and the mapping file over 1 MiB, in badinput_test.go.
package main

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dir := flag.String("dir", filepath.Join("testdata", "bad"), "the folder of bad inputs")
	flag.Parse()
	files := map[string][]byte{
		"binary-garbage.csv":     binaryGarbage(),
		"bom-semicolons.csv":     bomSemicolons(),
		"invalid-utf8.csv":       invalidUTF8(),
		"crlf-mixed.csv":         crlfMixed(),
		"truncated.xlsx":         truncated(),
		"damaged-sheet.xlsx":     damagedSheet(),
		"zip-bomb.xlsx":          zipBomb(),
		"mappings/not-utf8.yaml": notUTF8Mapping(),
	}
	for name, data := range files {
		p := filepath.Join(*dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d bytes\n", p, len(data))
	}
}

// binaryGarbage is 4 KiB of random bytes from a fixed seed, with runs of
// NUL bytes, quotes, commas and line ends among them.
func binaryGarbage() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	for _, at := range []int{0, 100, 1000, 2000, 4000} {
		copy(b[at:], "\x00\x00\x00\x00,\"\n\x00;\r")
	}
	return b
}

// bomSemicolons is a valid file as Excel writes it in France: a UTF-8 byte
// order mark, ";" between fields, CRLF line ends, accents, a quoted field
// holding the delimiter.
func bomSemicolons() []byte {
	return []byte("\xEF\xBB\xBFCode;Name\r\n" +
		"B1;Boulangerie Dupré\r\n" +
		"B2;\"Café; Tabac\"\r\n" +
		"B3;Ferretería Núñez\r\n")
}

// invalidUTF8 is a windows-1252 (Latin-1) file: ASCII but for one byte,
// 0xE9 (é), in the Name of its second data row, on line 3.
func invalidUTF8() []byte {
	return []byte("Code,Name\n" +
		"U1,Plain\n" +
		"U2,Caf\xE9 de la Gare\n" +
		"U3,Tea room\n")
}

// crlfMixed mixes CRLF and LF line ends, holds a quoted field spanning a CRLF
// and a blank line, and has no line end after its last line: every row is
// valid, on lines 2, 3, 4, 7 and 8.
func crlfMixed() []byte {
	return []byte("Code,Name\r\n" +
		"M1,Alpha\n" +
		"M2,Beta\r\n" +
		"M3,\"Gamma\r\nsecond line\"\n" +
		"\r\n" +
		"M4,Delta\r\n" +
		"M5,Epsilon")
}

// truncated is the first half of a valid workbook (a sheet of Code, Name and
// 40 rows): its central directory, at the end, is gone.
func truncated() []byte {
	var z zipFile
	workbookParts(&z, 1)
	z.add("xl/worksheets/sheet1.xml", fortyRows())
	b := z.bytes()
	return b[:len(b)/2]
}

// damagedSheet is the workbook of truncated, whole, but for the size its
// zip directory gives the sheet: half of what the sheet's data inflates
// to, as in a damaged file or a zip bomb lying about its size. Read up to
// that size, the sheet ends in the middle of row 20 or so.
func damagedSheet() []byte {
	data := fortyRows()
	var z zipFile
	workbookParts(&z, 1)
	z.addShared("xl/worksheets/sheet1.xml", 1, deflate(data), crc32.ChecksumIEEE(data), len(data)/2)
	return z.bytes()
}

// fortyRows is a sheet of a Code and a Name column and 40 rows, T2 to T41.
func fortyRows() []byte {
	var sheet strings.Builder
	sheet.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c><c r="B1" t="inlineStr"><is><t>Name</t></is></c></row>`)
	for i := 2; i <= 41; i++ {
		fmt.Fprintf(&sheet, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>T%d</t></is></c><c r="B%d" t="inlineStr"><is><t>Customer number %d</t></is></c></row>`, i, i, i, i, i)
	}
	return []byte(sheetXML(sheet.String()))
}

// Zip bomb: a workbook of 16 sheets whose parts all point at the same
// compressed data, which inflates to 256 MiB of XML (spaces between the
// elements of an empty sheet). The file is a few hundred KB; unpacked, its
// parts are 4 GiB, four times the readers' limit.
const (
	bombSheets     = 16
	bombSheetBytes = 256 << 20
)

func zipBomb() []byte {
	open, closing, _ := strings.Cut(sheetXML(""), "</sheetData>")
	closing = "</sheetData>" + closing
	pad := bombSheetBytes - len(open) - len(closing)

	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	crc := crc32.NewIEEE()
	write := func(p []byte) {
		_, _ = fw.Write(p)
		_, _ = crc.Write(p)
	}
	write([]byte(open))
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	for pad > 0 {
		n := min(pad, len(spaces))
		write(spaces[:n])
		pad -= n
	}
	write([]byte(closing))
	if err := fw.Close(); err != nil {
		log.Fatal(err)
	}

	var z zipFile
	workbookParts(&z, bombSheets)
	z.addShared("xl/worksheets/sheet%d.xml", bombSheets, comp.Bytes(), crc.Sum32(), bombSheetBytes)
	return z.bytes()
}

// notUTF8Mapping is a mapping file saved in windows-1252: its description
// holds 0xE9 (é) on line 2.
func notUTF8Mapping() []byte {
	return []byte("version: 1\n" +
		"description: Clients export\xE9s\n" +
		"import: customer\n" +
		"fields:\n" +
		"  myId: Code\n" +
		"  name: Name\n")
}

func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		rows + `</sheetData></worksheet>`
}

// workbookParts adds the parts of a workbook of n sheets, but the sheets.
func workbookParts(z *zipFile, n int) {
	var types, sheets, rels strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i)
		fmt.Fprintf(&sheets, `<sheet name="Sheet%d" sheetId="%d" r:id="rId%d"/>`, i, i, i)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i, i)
	}
	const decl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	z.add("[Content_Types].xml", []byte(decl+
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`+
		`<Default Extension="xml" ContentType="application/xml"/>`+
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+
		types.String()+`</Types>`))
	z.add("_rels/.rels", []byte(decl+
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>`+
		`</Relationships>`))
	z.add("xl/workbook.xml", []byte(decl+
		`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`+
		`<sheets>`+sheets.String()+`</sheets></workbook>`))
	z.add("xl/_rels/workbook.xml.rels", []byte(decl+
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		rels.String()+`</Relationships>`))
}

// zipFile writes a zip archive by hand (no zip64), so that several entries
// of its central directory can point at the same local file, which
// archive/zip's writer cannot do. Dates are fixed: the output is the same on
// every run.
type zipFile struct {
	body    bytes.Buffer
	central bytes.Buffer
	entries int
}

const (
	zipTime = 0      // 00:00:00
	zipDate = 0x5821 // 2024-01-01
)

// add deflates data as a new entry.
func (z *zipFile) add(name string, data []byte) {
	z.addShared(name, 1, deflate(data), crc32.ChecksumIEEE(data), len(data))
}

func deflate(data []byte) []byte {
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	_, _ = fw.Write(data)
	if err := fw.Close(); err != nil {
		log.Fatal(err)
	}
	return comp.Bytes()
}

// addShared writes one local file of deflated data and n entries of the
// central directory pointing at it; with n > 1, name is a format holding
// %d, numbered from 1.
func (z *zipFile) addShared(name string, n int, comp []byte, crc uint32, size int) {
	first := name
	if n > 1 {
		first = fmt.Sprintf(name, 1)
	}
	offset := z.body.Len()
	le := binary.LittleEndian
	var h []byte
	h = le.AppendUint32(h, 0x04034b50)
	h = le.AppendUint16(h, 20) // version needed
	h = le.AppendUint16(h, 0)  // flags
	h = le.AppendUint16(h, 8)  // deflate
	h = le.AppendUint16(h, zipTime)
	h = le.AppendUint16(h, zipDate)
	h = le.AppendUint32(h, crc)
	h = le.AppendUint32(h, uint32(len(comp)))
	h = le.AppendUint32(h, uint32(size))
	h = le.AppendUint16(h, uint16(len(first)))
	h = le.AppendUint16(h, 0) // extra
	z.body.Write(h)
	z.body.WriteString(first)
	z.body.Write(comp)
	for i := 1; i <= n; i++ {
		entry := first
		if n > 1 {
			entry = fmt.Sprintf(name, i)
		}
		var c []byte
		c = le.AppendUint32(c, 0x02014b50)
		c = le.AppendUint16(c, 20) // version made by
		c = le.AppendUint16(c, 20) // version needed
		c = le.AppendUint16(c, 0)  // flags
		c = le.AppendUint16(c, 8)  // deflate
		c = le.AppendUint16(c, zipTime)
		c = le.AppendUint16(c, zipDate)
		c = le.AppendUint32(c, crc)
		c = le.AppendUint32(c, uint32(len(comp)))
		c = le.AppendUint32(c, uint32(size))
		c = le.AppendUint16(c, uint16(len(entry)))
		c = le.AppendUint16(c, 0) // extra
		c = le.AppendUint16(c, 0) // comment
		c = le.AppendUint16(c, 0) // disk
		c = le.AppendUint16(c, 0) // internal attributes
		c = le.AppendUint32(c, 0) // external attributes
		c = le.AppendUint32(c, uint32(offset))
		z.central.Write(c)
		z.central.WriteString(entry)
		z.entries++
	}
}

func (z *zipFile) bytes() []byte {
	le := binary.LittleEndian
	out := bytes.Clone(z.body.Bytes())
	cdOffset := len(out)
	out = append(out, z.central.Bytes()...)
	out = le.AppendUint32(out, 0x06054b50)
	out = le.AppendUint16(out, 0) // this disk
	out = le.AppendUint16(out, 0) // disk of the central directory
	out = le.AppendUint16(out, uint16(z.entries))
	out = le.AppendUint16(out, uint16(z.entries))
	out = le.AppendUint32(out, uint32(z.central.Len()))
	out = le.AppendUint32(out, uint32(cdOffset))
	out = le.AppendUint16(out, 0) // comment
	return out
}

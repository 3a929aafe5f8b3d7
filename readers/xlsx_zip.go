package readers

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// workbook is a workbook's package. excelize reads its small parts (the
// workbook, its relationships, the styles), from which the sheets, their
// visibility, the date system and the number formats are known; the
// worksheet and the shared strings, which may be large, are read here as
// they stream out of the zip.
type workbook struct {
	zr     *zip.ReadCloser
	byName map[string]*zip.File // by name ("\" read as "/")
	byLow  map[string]*zip.File // by lower-case name
	f      *excelize.File
	wbPath string // the workbook part
	stubs  map[string]bool
}

// xlsxMetaPartLimit is the most a part excelize reads (the workbook, its
// relationships, the styles) may unpack to: each is held in memory whole.
const xlsxMetaPartLimit = 32 << 20

const (
	relOfficeDocument       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
	relStrictOfficeDocument = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
)

// openWorkbook opens the zip, refuses it if its parts unpack to more than
// unzipLimit together, and has excelize read the small parts.
func openWorkbook(filePath string, unzipLimit int64) (*workbook, error) {
	zr, err := zip.OpenReader(filePath)
	if err != nil {
		return nil, fmt.Errorf("not a readable workbook: %w", err)
	}
	wb := &workbook{zr: zr, byName: map[string]*zip.File{}, byLow: map[string]*zip.File{}, stubs: map[string]bool{}}
	if err := wb.checkSize(unzipLimit); err != nil {
		_ = zr.Close()
		return nil, err
	}
	for _, zf := range zr.File {
		name := strings.ReplaceAll(zf.Name, "\\", "/")
		wb.byName[name] = zf
		if _, ok := wb.byLow[strings.ToLower(name)]; !ok {
			wb.byLow[strings.ToLower(name)] = zf
		}
	}
	if err := wb.openMeta(); err != nil {
		_ = zr.Close()
		return nil, err
	}
	return wb, nil
}

func (wb *workbook) close() error {
	err := wb.zr.Close()
	if wb.f != nil {
		if cerr := wb.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// part finds a part by name, exactly or else regardless of case.
func (wb *workbook) part(name string) *zip.File {
	if zf, ok := wb.byName[name]; ok {
		return zf
	}
	return wb.byLow[strings.ToLower(name)]
}

// readSmall reads a part excelize or the opening reads whole.
func (wb *workbook) readSmall(zf *zip.File) ([]byte, error) {
	if zf.UncompressedSize64 > xlsxMetaPartLimit {
		return nil, fmt.Errorf("not a readable workbook: part %s unpacks to more than %s", zf.Name, byteSize(xlsxMetaPartLimit))
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, fmt.Errorf("the workbook is damaged: part %s: %w", zf.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("the workbook is damaged: part %s: %w", zf.Name, err)
	}
	return b, nil
}

// openMeta gives excelize a zip of the parts it needs, as excelize names
// them (the content types, every relationships part, the workbook, the
// styles), and an empty sheet for each worksheet, so that it knows them.
func (wb *workbook) openMeta() error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, zf *zip.File) error {
		if zf.UncompressedSize64 > xlsxMetaPartLimit {
			return fmt.Errorf("not a readable workbook: part %s unpacks to more than %s", zf.Name, byteSize(xlsxMetaPartLimit))
		}
		raw, err := zf.OpenRaw()
		if err != nil {
			return fmt.Errorf("the workbook is damaged: part %s: %w", zf.Name, err)
		}
		h := zf.FileHeader
		h.Name = name
		w, err := zw.CreateRaw(&h)
		if err == nil {
			_, err = io.Copy(w, raw)
		}
		if err != nil {
			return fmt.Errorf("the workbook is damaged: part %s: %w", zf.Name, err)
		}
		return nil
	}
	for _, zf := range wb.zr.File {
		name := strings.ReplaceAll(zf.Name, "\\", "/")
		if wb.byName[name] != zf {
			continue // a second part of the same name
		}
		if strings.EqualFold(name, "[Content_Types].xml") || strings.HasSuffix(strings.ToLower(name), ".rels") {
			if err := put(name, zf); err != nil {
				return err
			}
		}
	}
	if zf, ok := wb.byName["_rels/.rels"]; ok {
		b, err := wb.readSmall(zf)
		if err != nil {
			return err
		}
		for _, r := range parseRels(b).Rels {
			if r.Type == relOfficeDocument || r.Type == relStrictOfficeDocument {
				wb.wbPath = strings.TrimPrefix(r.Target, "/")
				break
			}
		}
	}
	for _, name := range []string{wb.wbPath, "xl/styles.xml"} {
		if zf, ok := wb.byName[name]; ok && name != "" {
			if err := put(name, zf); err != nil {
				return err
			}
		}
	}
	// Empty sheets where the workbook's relationships put worksheets.
	if zf, ok := wb.byName[wb.relsPath()]; ok {
		b, err := wb.readSmall(zf)
		if err != nil {
			return err
		}
		for _, r := range parseRels(b).Rels {
			p := wb.targetPath(r.Target)
			if !strings.HasSuffix(r.Type, "/worksheet") || wb.part(p) == nil || wb.stubs[p] {
				continue
			}
			w, err := zw.Create(p)
			if err == nil {
				_, err = io.WriteString(w, emptySheet)
			}
			if err != nil {
				return err
			}
			wb.stubs[p] = true
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	f, err := excelize.OpenReader(&buf, excelize.Options{UnzipSizeLimit: 1 << 40, UnzipXMLSizeLimit: 1 << 40})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return fmt.Errorf("not a readable workbook: %w", err)
	}
	wb.f = f
	return nil
}

const emptySheet = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`

// relsPath is the workbook's relationships part, as excelize finds it.
func (wb *workbook) relsPath() string {
	dir := path.Dir(wb.wbPath)
	if dir == "." {
		return "_rels/" + path.Base(wb.wbPath) + ".rels"
	}
	return strings.TrimPrefix(dir+"/_rels/"+path.Base(wb.wbPath)+".rels", "/")
}

// targetPath is the part a relationship of the workbook points to.
func (wb *workbook) targetPath(target string) string {
	target = strings.ReplaceAll(target, "\\", "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean(path.Dir(wb.wbPath)+"/"+target), "/")
}

type xmlRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

func parseRels(b []byte) xmlRels {
	var rels xmlRels
	_ = xml.Unmarshal(b, &rels) // unreadable relationships: none
	return rels
}

// sheetPart returns the part holding the cells of the sheet named name.
func (wb *workbook) sheetPart(name string) (string, error) {
	damaged := fmt.Errorf("the workbook is damaged: sheet %q is listed but its cells cannot be found", name)
	if wb.f.WorkBook == nil {
		return "", damaged
	}
	id := ""
	for _, s := range wb.f.WorkBook.Sheets.Sheet {
		if s.Name == name {
			id = s.ID
			break
		}
	}
	zf, ok := wb.byName[wb.relsPath()]
	if !ok || id == "" {
		return "", damaged
	}
	b, err := wb.readSmall(zf)
	if err != nil {
		return "", err
	}
	for _, r := range parseRels(b).Rels {
		if p := wb.targetPath(r.Target); r.ID == id && wb.stubs[p] {
			return p, nil
		}
	}
	return "", damaged
}

// sharedStringsPart returns the shared strings, or nil when the workbook
// has none.
func (wb *workbook) sharedStringsPart() *zip.File {
	if zf, ok := wb.byName[wb.relsPath()]; ok {
		if b, err := wb.readSmall(zf); err == nil {
			for _, r := range parseRels(b).Rels {
				if strings.HasSuffix(r.Type, "/sharedStrings") {
					if p := wb.part(wb.targetPath(r.Target)); p != nil {
						return p
					}
				}
			}
		}
	}
	return wb.part("xl/sharedStrings.xml")
}

// checkSize refuses a workbook whose parts unpack to more than limit
// together, as the zip declares them (the zip reader holds each part to
// its declared size).
func (wb *workbook) checkSize(limit int64) error {
	var total uint64
	for _, zf := range wb.zr.File {
		total += zf.UncompressedSize64
		if total > uint64(limit) {
			return fmt.Errorf("not a readable workbook: it unpacks to more than %s (a damaged file, or one made to fill the disk)", byteSize(limit))
		}
	}
	return nil
}

// checkPart reads a part to its end, so that the zip reader checks its
// size and checksum: a damaged sheet is refused before any row is given.
func checkPart(ctx context.Context, zf *zip.File) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	buf := make([]byte, 256<<10)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		_, err := rc.Read(buf)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

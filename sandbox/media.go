package sandbox

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"unicode/utf8"
)

// picture draws a small landscape-like image: a sky-to-ground gradient in
// the given hue with a few "objects", so that photos differ from each other.
func picture(w, h int, seed uint32) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r0, g0, b0 := uint8(seed), uint8(seed>>8), uint8(seed>>16)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			t := float64(y) / float64(h)
			img.Set(x, y, color.RGBA{
				R: uint8(float64(r0)*(1-t) + 90*t),
				G: uint8(float64(g0)*(1-t) + 70*t),
				B: uint8(float64(b0)*(1-t) + 40*t),
				A: 255,
			})
		}
	}
	// A few rectangles placed from the seed.
	s := seed
	for k := 0; k < 3; k++ {
		s = s*1664525 + 1013904223
		x0, y0 := int(s%uint32(w)), int((s>>8)%uint32(h))
		c := color.RGBA{R: uint8(s >> 16), G: uint8(s >> 20), B: uint8(s >> 24), A: 255}
		for y := y0; y < min(h, y0+h/4); y++ {
			for x := x0; x < min(w, x0+w/5); x++ {
				img.Set(x, y, c)
			}
		}
	}
	return img
}

// makePNG returns a small PNG image.
func makePNG(seed uint32) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, picture(48, 32, seed)); err != nil {
		panic(err) // encoding to memory cannot fail
	}
	return b.Bytes()
}

// makeJPEG returns a small JPEG image.
func makeJPEG(seed uint32) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(64, 48, seed), &jpeg.Options{Quality: 75}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// makePDF writes a one-page PDF 1.4 document showing a title and lines of
// text in Helvetica, with a correct cross-reference table.
func makePDF(title string, lines []string) []byte {
	var content bytes.Buffer
	content.WriteString("BT\n/F1 16 Tf\n50 790 Td\n18 TL\n")
	fmt.Fprintf(&content, "(%s) Tj\n/F1 10 Tf\n14 TL\nT*\n", pdfString(title))
	const maxLines = 52
	for i, l := range lines {
		if i == maxLines {
			fmt.Fprintf(&content, "T* (%s) Tj\n", pdfString(fmt.Sprintf("... %d more lines", len(lines)-maxLines)))
			break
		}
		fmt.Fprintf(&content, "T* (%s) Tj\n", pdfString(l))
	}
	content.WriteString("ET\n")

	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Title (%s) /Producer (stbulk sandbox) >>", pdfString(title)),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, len(objects), xref)
	return b.Bytes()
}

// pdfString escapes text for a PDF literal string in WinAnsi encoding:
// Latin-1 letters (é, ñ, ô...) become octal escapes, other runes "?".
func pdfString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '€':
			b.WriteString(`\200`)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r >= 0xa0 && r <= 0xff:
			fmt.Fprintf(&b, "\\%03o", r)
		case r == utf8.RuneError || r < 0x20:
			b.WriteByte(' ')
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// jobReportPDF is the job report document of Jobs/PDF.
func jobReportPDF(st *state, j *job) []byte {
	o := st.jobOut(j)
	val := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	lines := []string{
		fmt.Sprintf("Job %d   (id %s, myId %s)", j.Num, j.ID, o.MyID),
		fmt.Sprintf("Customer: %s   Site: %s   Equipment: %s", o.CustomerName, o.SiteName, o.NameEquipment),
		fmt.Sprintf("Address: %s", o.GlobalAddress),
		fmt.Sprintf("Technician: %s   Status: %d   Priority: %d", o.Login, o.Status, o.Priority),
		fmt.Sprintf("Scheduled: %s - %s", val(o.ScheduledBeginDate), val(o.ScheduledEndDate)),
		fmt.Sprintf("Done: %s - %s", val(o.RealBeginDate), val(o.RealEndDate)),
		"Description: " + o.Description,
		"",
		"Report",
	}
	for _, r := range j.Report {
		lines = append(lines, fmt.Sprintf("  %s / %s [%d]: %s", r.Category, r.Item, r.Iteration, r.Value))
	}
	if len(o.Parts) > 0 {
		lines = append(lines, "", "Parts")
		for _, p := range o.Parts {
			lines = append(lines, fmt.Sprintf("  %s x %s", p.Reference, p.Quantity))
		}
	}
	return makePDF(fmt.Sprintf("Job report %d", j.Num), lines)
}

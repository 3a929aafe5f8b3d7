package readers

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// excelizeRows reads a sheet as the reader did when it was excelize's row
// iterator over prepared styles: every row's cells, by row number.
func excelizeRows(t testing.TB, path string) map[int][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	must(t, err)
	defer func() { _ = f.Close() }()
	prepareStyles(f)
	rows, err := f.Rows(f.GetSheetList()[0])
	must(t, err)
	out := map[int][]string{}
	for num := 1; rows.Next(); num++ {
		cells, err := rows.Columns()
		must(t, err)
		out[num] = cells
	}
	must(t, rows.Close())
	return out
}

// readerRows reads every row of the first sheet, all columns.
func readerRows(t testing.TB, path string) map[int][]string {
	t.Helper()
	s, err := openSheet(t.Context(), path, XLSXOptions{}, xlsxUnzipLimit, xlsxSSTMemory)
	must(t, err)
	defer func() { _ = s.Close() }()
	out := map[int][]string{}
	for {
		num, prob, err := s.rows.next(0)
		if errors.Is(err, io.EOF) {
			return out
		}
		must(t, err)
		cells, cprob := s.record(num)
		if prob != nil || cprob != nil {
			t.Fatalf("row %d: %v %v", num, prob, cprob)
		}
		out[num] = append([]string(nil), cells...)
	}
}

// valueCases are stored values of every sort: numbers in and out of the
// ranges computed without excelize, dates near a second's edge, the days
// of Excel's 1900 quirks, text that looks like a number, and not numbers.
func valueCases() []string {
	vs := []string{"0", "-0", "1", "2", "59", "59.99", "60", "60.5", "61", "61.25", "62", "0.5", "0.999999",
		"0.30000000000000004", "1.0000000000000002", "123456789012345678", "1E+20", "1e-7", "12345678901234567890",
		"-5.5", "-1", "-45000.75", "2958465", "2958465.99999", "2958466", "3000000", "99999.5", "100000", "1e300",
		"abc", "1_000", "NaN", "Inf", "-Inf", "+5", ".5", "5.", "007", "0x10", " 5", "1,5", "#N/A", ""}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 150 {
		day := rng.IntN(2958465)
		switch rng.IntN(4) {
		case 0:
			vs = append(vs, strconv.Itoa(day))
		case 1: // near the middle of a second
			sec := float64(rng.IntN(86400)) + 0.5 + (rng.Float64()-0.5)*1e-6
			vs = append(vs, strconv.FormatFloat(float64(day)+sec/86400, 'g', -1, 64))
		case 2:
			vs = append(vs, strconv.FormatFloat(rng.Float64()*float64(rng.IntN(100000)), 'g', -1, 64))
		default:
			vs = append(vs, strconv.FormatFloat(rng.Float64()*70, 'f', rng.IntN(12), 64))
		}
	}
	return vs
}

// TestXLSXValuesMatchExcelize checks that every cell of every type, under
// every kind of number format, in both date systems, reads as excelize's
// row iterator read it: the computed cases are the same, the others are
// excelize's.
func TestXLSXValuesMatchExcelize(t *testing.T) {
	// Not parallel with the other tests: its workbooks would weigh on
	// the heap that TestXLSXMemoryFlat measures.
	formats := []*excelize.Style{
		{NumFmt: 14}, {NumFmt: 22}, {NumFmt: 20}, {NumFmt: 21}, {NumFmt: 46}, {NumFmt: 47}, {NumFmt: 10}, {NumFmt: 4},
		{CustomNumFmt: strPtr("dd/mm/yyyy")}, {CustomNumFmt: strPtr(`[$-40C]dd/mm/yyyy\ hh:mm;@`)},
		{CustomNumFmt: strPtr("[h]:mm:ss")}, {CustomNumFmt: strPtr("mmm")}, {CustomNumFmt: strPtr("00000")},
		{CustomNumFmt: strPtr("000")}, {CustomNumFmt: strPtr("00000;-00000;0;@")}, {CustomNumFmt: strPtr(`"ID"0000`)},
		{CustomNumFmt: strPtr(`[Red]00000`)}, {CustomNumFmt: strPtr(`#,##0.00\ "€";[Red]\-#,##0.00\ "€"`)},
		{CustomNumFmt: strPtr(`0;"neg";"zero";"text: "@`)},
	}
	values := valueCases()
	for _, date1904 := range []bool{false, true} {
		t.Run(fmt.Sprintf("1904=%v", date1904), func(t *testing.T) {
			t.Parallel()
			f := excelize.NewFile()
			styles := []int{0}
			for _, st := range formats {
				styles = append(styles, newStyle(t, f, st))
			}
			styles = append(styles, len(formats)+1, len(formats)+5, 100000) // past the styles: some are added by prepareStyles
			must(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: boolPtr(date1904)}))
			path := filepath.Join(t.TempDir(), "values.xlsx")
			must(t, f.SaveAs(path))
			must(t, f.Close())
			var sd strings.Builder
			sd.WriteString("<sheetData>")
			r := 0
			for _, s := range styles {
				for _, typ := range []string{"", "n", "e", "str", "inlineStr", "b", "d", "x"} {
					r++
					fmt.Fprintf(&sd, `<row r="%d">`, r)
					for i, v := range values {
						esc := xmlEscape(v)
						if typ == "inlineStr" {
							fmt.Fprintf(&sd, `<c r="%s%d" s="%d" t="inlineStr"><is><t>%s</t></is></c>`, columnName(i), r, s, esc)
							continue
						}
						tattr := ""
						if typ != "" {
							tattr = fmt.Sprintf(` t="%s"`, typ)
						}
						fmt.Fprintf(&sd, `<c r="%s%d" s="%d"%s><v>%s</v></c>`, columnName(i), r, s, tattr, esc)
					}
					for _, v := range []string{"1", "0", "true", "2024-03-05T14:30:00Z", "2024-03-05", "20240305T143000", "x",
						"20240305T143000.5", "20240305T143000,25", "19000228T120000Z", "18991231T000000Z", "1899-01-01T00:00:00Z",
						"2024-03-05 14:30:00Z", "99991231T235959Z", "2024-02-30T00:00:00Z", "20240305T235959.999"} {
						fmt.Fprintf(&sd, `<c s="%d"%s><v>%s</v></c>`, s, map[bool]string{true: ` t="` + typ + `"`}[typ != ""], v)
					}
					sd.WriteString("</row>")
				}
			}
			sd.WriteString("</sheetData>")
			patchSheet(t, path, sd.String())
			want, got := excelizeRows(t, path), readerRows(t, path)
			if len(want) != len(got) {
				t.Fatalf("%d rows, excelize %d", len(got), len(want))
			}
			bad := 0
			for num, w := range want {
				g := got[num]
				for i := range max(len(w), len(g)) {
					if at(w, i) != at(g, i) && bad < 20 {
						bad++
						t.Errorf("row %d cell %d: got %q, excelize %q", num, i+1, at(g, i), at(w, i))
					}
				}
			}
		})
	}
}

func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestXLSXDateTextMatchesExcelize compares the dates and times computed
// by the reader with excelize's, over the whole range where they are
// computed, in both date systems, and the zero-padded numbers likewise.
func TestXLSXDateTextMatchesExcelize(t *testing.T) {
	// Not parallel with the other tests: its workbooks would weigh on
	// the heap that TestXLSXMemoryFlat measures.
	for _, date1904 := range []bool{false, true} {
		t.Run(fmt.Sprintf("1904=%v", date1904), func(t *testing.T) {
			t.Parallel()
			f := excelize.NewFile()
			styleOf := map[numKind]int{
				kindDate:     newStyle(t, f, &excelize.Style{NumFmt: 14}),
				kindDateTime: newStyle(t, f, &excelize.Style{NumFmt: 22}),
				kindTime:     newStyle(t, f, &excelize.Style{NumFmt: 21}),
				kindDuration: newStyle(t, f, &excelize.Style{NumFmt: 46}),
				kindKeep:     newStyle(t, f, &excelize.Style{CustomNumFmt: strPtr("00000")}),
			}
			must(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: boolPtr(date1904)}))
			path := filepath.Join(t.TempDir(), "dates.xlsx")
			must(t, f.SaveAs(path))
			must(t, f.Close())
			s, err := openSheet(t.Context(), path, XLSXOptions{}, xlsxUnzipLimit, xlsxSSTMemory)
			must(t, err)
			defer func() { _ = s.Close() }()
			cv := &s.vals
			rng := rand.New(rand.NewPCG(3, 5))
			for kind, style := range styleOf {
				if st, _ := cv.style(style); st.kind != kind || st.oracle {
					t.Fatalf("style %d: %+v, want kind %d computed", style, st, kind)
				}
				hi := float64(lastDate)
				lo := 0.0
				switch kind {
				case kindDate, kindDateTime:
					lo = firstPlainDate
				case kindDuration:
					hi = lastDuration
				case kindKeep:
					hi = 1e15
				}
				for i := range 3000 {
					var x float64
					switch i % 4 {
					case 0: // whole
						x = float64(int(lo + rng.Float64()*(hi-lo)))
					case 1: // half a second, give or take a rounding
						x = float64(int(lo+rng.Float64()*(hi-lo))) + (float64(rng.IntN(86400))+0.5+(rng.Float64()-0.5)*1e-5)/86400
					case 2: // small
						x = lo + rng.Float64()*70
					default:
						x = lo + rng.Float64()*(hi-lo)
					}
					if x >= hi {
						continue
					}
					v := strconv.FormatFloat(x, 'g', -1, 64)
					want := cv.oracle.value("", style, v)
					got := cv.numeric(style, v)
					if got != want {
						t.Fatalf("kind %d, %s: got %q, excelize %q", kind, v, got, want)
					}
					if kind != kindKeep {
						if _, ok := cv.dateText(kind, x); !ok {
							t.Fatalf("kind %d, %s: not computed", kind, v)
						}
					}
				}
			}
		})
	}
}

package readers

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Cell values. A cell's text is what excelize's row iterator gave for it
// once prepareStyles had rewritten the number formats (dates as ISO text,
// numbers as stored, zero-padded codes as displayed): the common cases are
// computed here, the same way, and the rare ones (an ISO date cell, a
// format other than those, a number outside the ranges checked against
// excelize) are handed to excelize itself, on a one-cell sheet (oracle).

// cellType is a cell's t attribute, as excelize tells them apart.
type cellType uint8

const (
	cellNumber cellType = iota // "n", "e", none or any other
	cellShared                 // "s": an index into the shared strings
	cellStr                    // "str": a formula's text, as is
	cellInline                 // "inlineStr"
	cellBool                   // "b"
	cellDate                   // "d": ISO 8601 text
)

func parseCellType(t []byte) cellType {
	switch string(t) {
	case "s":
		return cellShared
	case "str":
		return cellStr
	case "inlineStr":
		return cellInline
	case "b":
		return cellBool
	case "d":
		return cellDate
	}
	return cellNumber
}

// styleFormat is what becomes of the numbers of one cell style.
type styleFormat struct {
	kind   numKind // kindNumber: as stored; dates and times: ISO text; kindKeep: zero padded
	width  int     // kindKeep: the number of digits ("00000": 5)
	oracle bool    // a format not computed here: excelize gives the text
}

// cellValues turns cells into text.
type cellValues struct {
	styles   []styleFormat
	date1904 bool
	oracle   *excelOracle
}

func (cv *cellValues) style(s int) (styleFormat, bool) {
	if s <= 0 || s >= len(cv.styles) {
		return styleFormat{}, false // style 0, or none: the value as stored
	}
	return cv.styles[s], true
}

// numeric is the text of a cell of type n (or e, or none) whose <v> is v.
func (cv *cellValues) numeric(s int, v string) string {
	st, ok := cv.style(s)
	if ok && st.oracle {
		return cv.oracle.value("", s, v)
	}
	return cv.number(st, ok, storedNumber(v), "", s, v)
}

// date is the text of a cell of type d, whose <v> is an ISO 8601 date:
// excelize turns it into a serial number, then formats that.
func (cv *cellValues) date(s int, v string) string {
	st, ok := cv.style(s)
	if ok && st.oracle {
		return cv.oracle.value("d", s, v)
	}
	return cv.number(st, ok, isoSerial(v), "d", s, v)
}

// number formats the text of a number cell with its style st (ok: the
// cell has one). t and v are the cell's type and <v>, for excelize to
// format what is not computed here.
func (cv *cellValues) number(st styleFormat, ok bool, text, t string, s int, v string) string {
	if !ok || st.kind == kindNumber {
		return text
	}
	isNum, _, x := isNumeric(text)
	if !isNum {
		return text // a number format has no section for text
	}
	if st.kind == kindKeep {
		if x >= 0 && x < 1e15 {
			if x == 0 {
				x = 0 // -0 reads 0
			}
			return zeroPadded(x, st.width)
		}
		return cv.oracle.value(t, s, v)
	}
	if x < 0 {
		return text // excelize gives a negative date as the number
	}
	if out, ok := cv.dateText(st.kind, x); ok {
		return out
	}
	return cv.oracle.value(t, s, v)
}

// text is the text of a string cell (shared, inline, or a boolean that is
// not 0 or 1): formats leave text as it is, unless a format has a section
// for text.
func (cv *cellValues) text(s int, v string) string {
	if st, ok := cv.style(s); ok && st.oracle {
		return cv.oracle.value("inlineStr", s, v)
	}
	return v
}

// boolean is the text of a cell of type b.
func (cv *cellValues) boolean(s int, v string) string {
	switch v {
	case "1":
		return "TRUE"
	case "0":
		return "FALSE"
	}
	if st, ok := cv.style(s); ok && st.oracle {
		return cv.oracle.value("b", s, v)
	}
	return v
}

// isoSerial is what excelize makes of the text of a cell of type d: the
// serial number of an ISO 8601 date and time (in the 1900 date system,
// whatever the workbook's), or the text as it is.
func isoSerial(v string) string {
	layout := "20060102T150405.999"
	if strings.HasSuffix(v, "Z") {
		layout = "20060102T150405Z"
		if strings.Contains(v, "-") {
			layout = "2006-01-02T15:04:05Z"
		}
	} else if strings.Contains(v, "-") {
		layout = "2006-01-02 15:04:05Z"
	}
	t, err := time.Parse(layout, strings.ReplaceAll(v, ",", "."))
	if err != nil {
		return v
	}
	return strconv.FormatFloat(excelTime(t), 'G', 15, 64)
}

// excelTime is t's serial number in the 1900 date system, as excelize
// computes it.
func excelTime(t time.Time) float64 {
	const (
		day         = 24 * time.Hour
		maxDuration = 290 * 364 * day
	)
	epoch := time.Date(1899, time.December, 31, 0, 0, 0, 0, time.UTC)
	if t.Before(epoch) {
		return 0
	}
	tt, diff, result := t, t.Sub(epoch), 0.0
	for diff >= maxDuration {
		result += float64(maxDuration / day)
		tt = tt.Add(-maxDuration)
		diff = tt.Sub(epoch)
	}
	rem := diff % day
	result += float64(diff-rem)/float64(day) + float64(rem)/float64(day)
	if t.After(time.Date(1900, time.March, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)) {
		result++ // Excel's 1900-02-29
	}
	return result
}

// storedNumber is the text of a stored number: as written, unless it has
// more than 15 significant digits (then cut to 15, as Excel keeps them) or
// is not in its shortest form ("1.50" reads "1.5"). Text that is not a
// number is kept.
func storedNumber(v string) string {
	if plainInteger(v) {
		return v
	}
	isNum, prec, x := isNumeric(v)
	if !isNum {
		return v
	}
	if prec > 15 && !withinPrecision(v) {
		return strconv.FormatFloat(x, 'G', 15, 64)
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// plainInteger reports whether v is an integer of at most 15 digits
// without leading zeros, which reads as written.
func plainInteger(v string) bool {
	d := v
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 15 || d[0] == '0' && len(d) > 1 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// isNumeric tells whether s is a number as excelize reads one, its number
// of digits, and its value.
func isNumeric(s string) (bool, int, float64) {
	if strings.Contains(s, "_") {
		return false, 0, 0
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false, 0, 0
	}
	plain := strconv.FormatFloat(x, 'f', -1, 64)
	return true, len(plain) - strings.Count(plain, "."), x
}

// withinPrecision reports whether s is an integer whose digits past the
// 15th are zeros.
func withinPrecision(s string) bool {
	if strings.ContainsAny(s, ".Ee") {
		return false
	}
	s = strings.TrimLeft(s, "+-0")
	return len(strings.TrimRight(s, "0")) <= 15
}

// zeroPadded writes x rounded to an integer, with leading zeros up to
// width digits.
func zeroPadded(x float64, width int) string {
	digits := strconv.FormatFloat(math.Round(x), 'f', 0, 64)
	if len(digits) >= width {
		return digits
	}
	return strings.Repeat("0", width-len(digits)) + digits
}

// Dates: the ranges where dateText gives what excelize gives (checked by
// TestXLSXDateTextMatchesExcelize); outside them excelize is asked.
const (
	firstPlainDate = 61      // 1900-03-01: Excel's 1900-02-29 and the days before are quirks
	lastDate       = 2958466 // 10000-01-01
	lastDuration   = 100000  // [h] hours of a duration fit a time.Duration
)

var excel1900 = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)

// dateText writes serial x (≥ 0) in the ISO form of kind, as excelize
// does, when x is in the range where it is computed here.
func (cv *cellValues) dateText(kind numKind, x float64) (string, bool) {
	switch kind {
	case kindDate, kindDateTime:
		if x < firstPlainDate || x >= lastDate {
			return "", false
		}
	case kindTime:
		if x >= lastDate {
			return "", false
		}
	case kindDuration:
		if x >= lastDuration {
			return "", false
		}
	default:
		return "", false
	}
	t, err := excelize.ExcelDateToTime(x, cv.date1904)
	if err != nil {
		return "", false
	}
	if !cv.date1904 && x >= 1 && x < 60 {
		// ExcelDateToTime moves these days by one; excelize's formatting
		// does not.
		t = t.AddDate(0, 0, -1)
	}
	t = t.Add(time.Duration(math.Round(float64(t.Nanosecond())/1e9)) * time.Second)
	var b [32]byte
	switch kind {
	case kindDate:
		return string(t.AppendFormat(b[:0], "2006-01-02")), true
	case kindDateTime:
		return string(t.AppendFormat(b[:0], "2006-01-02 15:04:05")), true
	case kindTime:
		return string(t.AppendFormat(b[:0], "15:04:05")), true
	}
	hours := math.Floor(t.Sub(excel1900).Hours())
	out := strconv.AppendFloat(b[:0], hours, 'f', 0, 64)
	return string(t.AppendFormat(out, ":04:05")), true
}

// excelOracle gives the text excelize gives a cell, by reading a sheet of
// that one cell with the workbook's prepared styles and date system.
type excelOracle struct {
	f     *excelize.File
	sheet string // a sheet whose part is replaced by the one-cell sheet
	part  string
	cache map[oracleKey]string
	buf   bytes.Buffer
}

type oracleKey struct {
	t string
	s int
	v string
}

const oracleCacheSize = 4096

func (o *excelOracle) value(t string, s int, v string) string {
	k := oracleKey{t, s, v}
	if out, ok := o.cache[k]; ok {
		return out
	}
	o.buf.Reset()
	o.buf.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">`)
	fmt.Fprintf(&o.buf, `<c r="A1" s="%d"`, s)
	if t != "" {
		fmt.Fprintf(&o.buf, ` t="%s"`, t)
	}
	if t == "inlineStr" {
		o.buf.WriteString(`><is><t>`)
		// The text is already decoded: its _xHHHH_ must stay as they are.
		_ = xml.EscapeText(&o.buf, []byte(strings.ReplaceAll(v, "_x", "_x005F_x")))
		o.buf.WriteString(`</t></is></c>`)
	} else {
		o.buf.WriteString(`><v>`)
		_ = xml.EscapeText(&o.buf, []byte(v))
		o.buf.WriteString(`</v></c>`)
	}
	o.buf.WriteString(`</row></sheetData></worksheet>`)
	out := v
	o.f.Pkg.Store(o.part, bytes.Clone(o.buf.Bytes()))
	if rows, err := o.f.Rows(o.sheet); err == nil {
		if rows.Next() {
			if cells, err := rows.Columns(); err == nil {
				out = ""
				if len(cells) > 0 {
					out = cells[0]
				}
			}
		}
		_ = rows.Close()
	}
	if o.cache == nil || len(o.cache) >= oracleCacheSize {
		o.cache = make(map[oracleKey]string)
	}
	o.cache[k] = out
	return out
}

// bstrDecode decodes the _xHHHH_ escapes Excel writes for characters XML
// cannot hold (_x000D_ for a CR; _x005F_ for "_"), as excelize does: an
// escape of a surrogate is dropped.
func bstrDecode(s []byte) []byte {
	if !bytes.Contains(s, []byte("_x")) {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' && isHex4(s[i+2:i+6]) {
			n, _ := strconv.ParseUint(string(s[i+2:i+6]), 16, 32)
			switch r := rune(n); {
			case r == 0x5F:
				out = append(out, '_')
			case r >= 0xD800 && r <= 0xDFFF:
			default:
				out = utf8.AppendRune(out, r)
			}
			i += 7
			continue
		}
		out = append(out, s[i])
		i++
	}
	return out
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

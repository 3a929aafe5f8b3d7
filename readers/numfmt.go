package readers

import (
	"strings"

	"github.com/xuri/excelize/v2"
)

// numKind is what a cell's number format makes of a number.
type numKind int

const (
	kindNumber   numKind = iota // plain number: read the stored value
	kindKeep                    // keep the format's text (zero padding)
	kindDate                    // date only
	kindDateTime                // date and time of day
	kindTime                    // time of day
	kindDuration                // elapsed time, [h]:mm:ss
)

// isoFormats are the formats given to cells of each date or time kind. The
// explicit locale (en-US) spares excelize a search of its language table
// for every cell.
var isoFormats = map[numKind]string{
	kindDate:     "[$-409]yyyy-mm-dd",
	kindDateTime: "[$-409]yyyy-mm-dd hh:mm:ss",
	kindTime:     "[$-409]hh:mm:ss",
	kindDuration: "[$-409][h]:mm:ss",
}

// prepareStyles rewrites the number format of each of f's cell styles so
// that excelize's values come out as we want them: dates and times as ISO
// text, numbers as stored, zero-padded codes as displayed. The workbook is
// only read, never saved. It returns, for each cell style of the prepared
// workbook, what becomes of its numbers (see cellValues), the styles it
// added included: excelize formats a cell whose style index is past the
// workbook's own with those.
func prepareStyles(f *excelize.File) []styleFormat {
	ss := f.Styles
	if ss == nil || ss.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			custom[nf.NumFmtID] = formatCode(nf.FormatCode, nf.FormatCode16)
		}
	}
	n := len(ss.CellXfs.Xf)
	kinds := make([]numKind, n)
	need := map[numKind]bool{}
	for i := range n {
		id := 0
		if p := ss.CellXfs.Xf[i].NumFmtID; p != nil {
			id = *p
		}
		if code, ok := custom[id]; ok {
			kinds[i] = classifyCode(code)
		} else {
			kinds[i] = builtinKind(id)
		}
		need[kinds[i]] = true
	}
	// A format id that is neither built in nor defined: excelize then gives
	// the stored value as is (numbers already cut to 15 significant digits).
	raw := -1
	target := map[numKind]*int{kindNumber: &raw}
	isoIDs := map[int]numKind{}
	// In a fixed order: a cell whose style index is past the workbook's
	// own styles is formatted with one of the styles added here.
	for _, kind := range []numKind{kindDate, kindDateTime, kindTime, kindDuration} {
		code := isoFormats[kind]
		if !need[kind] {
			continue
		}
		target[kind] = &raw
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil || id < 0 || id >= len(f.Styles.CellXfs.Xf) {
			continue
		}
		if p := f.Styles.CellXfs.Xf[id].NumFmtID; p != nil {
			fmtID := *p
			target[kind] = &fmtID
			isoIDs[fmtID] = kind
		}
	}
	for i := range n {
		if kinds[i] == kindKeep {
			continue
		}
		ss.CellXfs.Xf[i].NumFmtID = target[kinds[i]]
	}
	return styleFormats(f, isoIDs)
}

// styleFormats tells, for each cell style of f's prepared styles, what
// excelize makes of its numbers: as stored (format id -1), ISO text (a
// format of isoIDs), zero padding (a custom code made only of zeros), or
// something else, which is left to excelize.
func styleFormats(f *excelize.File, isoIDs map[int]numKind) []styleFormat {
	ss := f.Styles
	// excelize takes the first custom format of an id.
	first := map[int]string{}
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			if _, ok := first[nf.NumFmtID]; !ok {
				first[nf.NumFmtID] = formatCode(nf.FormatCode, nf.FormatCode16)
			}
		}
	}
	out := make([]styleFormat, len(ss.CellXfs.Xf))
	for i, xf := range ss.CellXfs.Xf {
		switch {
		case xf.NumFmtID == nil:
			out[i].oracle = true
		case *xf.NumFmtID == -1:
			out[i].kind = kindNumber
		default:
			id := *xf.NumFmtID
			if kind, ok := isoIDs[id]; ok && first[id] == isoFormats[kind] {
				out[i].kind = kind
				continue
			}
			if code, ok := first[id]; ok && len(code) > 1 && strings.Trim(code, "0") == "" {
				out[i] = styleFormat{kind: kindKeep, width: len(code)}
				continue
			}
			out[i].oracle = true
		}
	}
	return out
}

// formatCode is a custom format's code, as excelize reads it.
func formatCode(code, code16 string) string {
	if code16 != "" {
		return code16
	}
	return code
}

// builtinKind classifies Excel's built-in number formats, including the
// locale-dependent ids that are dates and times in East Asian locales.
func builtinKind(id int) numKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 58:
		return kindDate
	case id >= 18 && id <= 21, id >= 32 && id <= 35, id == 45, id == 47:
		return kindTime
	case id == 22:
		return kindDateTime
	case id == 46:
		return kindDuration
	}
	return kindNumber
}

// classifyCode classifies a custom number format code by the date and time
// tokens of its first section, ignoring literal text, colours, locales and
// conditions.
func classifyCode(code string) numKind {
	var b strings.Builder
	elapsed := false
	inQuote := false
scan:
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '\\' || c == '_' || c == '*':
			i++ // escaped, padding or fill: the next character is literal
		case c == ';':
			break scan
		case c == '[':
			end := strings.IndexByte(code[i:], ']')
			if end < 0 {
				break scan
			}
			switch strings.ToLower(code[i+1 : i+end]) {
			case "h", "hh", "m", "mm", "s", "ss":
				elapsed = true
			}
			i += end
		default:
			b.WriteByte(c)
		}
	}
	s := strings.ToLower(b.String())
	if s == "general" {
		return kindNumber
	}
	if elapsed {
		return kindDuration
	}
	date := strings.ContainsAny(s, "yd")
	clock := strings.ContainsAny(s, "hs") || strings.Contains(s, "am/pm") || strings.Contains(s, "a/p")
	switch {
	case date && clock:
		return kindDateTime
	case date:
		return kindDate
	case clock:
		return kindTime
	case strings.Contains(s, "m") && strings.Trim(s, "m/-. ") == "":
		return kindDate // month names or numbers alone, "mmm", "mm/mmm"
	case len(s) > 1 && strings.Trim(s, "0") == "":
		return kindKeep
	}
	return kindNumber
}

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

// prepareStyles rewrites the number format of each of f's cell styles
// before any cell is read, so that excelize's streamed values come out as
// we want them: dates and times as ISO text, numbers as stored, zero-padded
// codes as displayed. The workbook is only read, never saved.
func prepareStyles(f *excelize.File) {
	ss := f.Styles
	if ss == nil || ss.CellXfs == nil {
		return
	}
	custom := map[int]string{}
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
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
	for kind, code := range isoFormats {
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
		}
	}
	for i := range n {
		if kinds[i] == kindKeep {
			continue
		}
		ss.CellXfs.Xf[i].NumFmtID = target[kinds[i]]
	}
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

package transforms

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	_ "time/tzdata" // time zone names must resolve on machines without a zoneinfo database
)

// APIDateLayout is the date-time pattern the Synchroteam API reads and
// writes, and the default output of the date transform.
const APIDateLayout = "yyyy-MM-dd HH:mm:ss"

// isoLayouts are always tried after the user's layouts: spreadsheet readers
// give dates in these forms. Go's parser also accepts a fraction of a second
// after the seconds.
var isoLayouts = []string{
	"2006-01-02",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	time.RFC3339Nano,
	"2006-01-02 15:04:05Z07:00",
}

// pivotYear decides the century of two-digit years: yy below it is 20yy,
// from it up is 19yy (as in Go and POSIX strptime).
const pivotYear = 69

// excelEpoch is day 0 of spreadsheet serial dates (1900 date system).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// dateItem is one element of a pattern layout.
type dateItem struct {
	tok byte   // pattern letter (y M d H h m s S a X Z); 0 for a literal; ' ' for white space
	n   int    // how many times the letter is repeated
	lit string // literal text
}

// dateLayout is a compiled layout: a pattern ("dd/MM/yyyy"), a Go layout
// ("02/01/2006"), or "excel" for spreadsheet serial numbers.
type dateLayout struct {
	src   string
	goFmt string // Go layout, when src is one
	excel bool
	items []dateItem
}

// compileLayout compiles a layout. A layout holding a digit outside quotes
// is a Go layout; "excel" reads serial day numbers; anything else is a
// pattern of Java/Excel letters.
func compileLayout(src string) (*dateLayout, error) {
	l := &dateLayout{src: src}
	if src == "" {
		return nil, fmt.Errorf("empty layout")
	}
	if strings.EqualFold(src, "excel") {
		l.excel = true
		return l, nil
	}
	if hasDigitOutsideQuotes(src) {
		ref := time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC)
		if _, err := time.Parse(src, ref.Format(src)); err != nil || ref.Format(src) == src {
			return nil, fmt.Errorf("%q is neither a date pattern such as dd/MM/yyyy nor a Go layout such as 02/01/2006", src)
		}
		l.goFmt = src
		return l, nil
	}
	rs := []rune(src)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '\'':
			// 'literal', with '' for a quote.
			j := i + 1
			var b strings.Builder
			for ; j < len(rs); j++ {
				if rs[j] == '\'' {
					if j+1 < len(rs) && rs[j+1] == '\'' {
						b.WriteRune('\'')
						j++
						continue
					}
					break
				}
				b.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("unterminated quote in %q", src)
			}
			lit := b.String()
			if lit == "" {
				lit = "'"
			}
			l.items = append(l.items, dateItem{lit: lit})
			i = j + 1
		case unicode.IsSpace(r):
			for i < len(rs) && unicode.IsSpace(rs[i]) {
				i++
			}
			l.items = append(l.items, dateItem{tok: ' '})
		case unicode.IsLetter(r):
			j := i
			for j < len(rs) && rs[j] == r {
				j++
			}
			n := j - i
			if !validToken(r, n) {
				msg := fmt.Sprintf("unknown layout token %q in %q", string(rs[i:j]), src)
				if !strings.ContainsRune("yMdHhmsSaXZ", r) {
					msg += fmt.Sprintf(" (known: yyyy yy MM M MMM dd d HH H hh h mm m ss s SSS a XXX; quote literal letters: '%c')", r)
				}
				return nil, fmt.Errorf("%s", msg)
			}
			l.items = append(l.items, dateItem{tok: byte(r), n: n})
			i = j
		default:
			l.items = append(l.items, dateItem{lit: string(r)})
			i++
		}
	}
	return l, nil
}

func validToken(r rune, n int) bool {
	switch r {
	case 'y':
		return n == 2 || n == 4
	case 'M':
		return n <= 4
	case 'd', 'H', 'h', 'm', 's':
		return n <= 2
	case 'S':
		return n <= 9
	case 'a', 'Z':
		return n == 1
	case 'X':
		return n <= 3
	}
	return false
}

func hasDigitOutsideQuotes(s string) bool {
	quoted := false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted = !quoted
		case !quoted && '0' <= r && r <= '9':
			return true
		}
	}
	return false
}

// numeric reports whether the item reads digits.
func (it dateItem) numeric() bool {
	switch it.tok {
	case 'y', 'd', 'H', 'h', 'm', 's', 'S':
		return true
	case 'M':
		return it.n <= 2
	}
	return false
}

// dateFields are the parts of a date read by a pattern.
type dateFields struct {
	year, month, day, hour, min, sec, nsec int
	pm, twelve                             bool
	offset                                 *int // seconds east of UTC, when the input has one
}

// parse reads s with the layout. On failure it returns how far it got, so
// that the caller can report the most relevant layout.
func (l *dateLayout) parse(s string, in *time.Location) (time.Time, int, error) {
	s = trimSpace(s)
	switch {
	case l.excel:
		return parseExcel(s, in)
	case l.goFmt != "":
		t, err := time.ParseInLocation(l.goFmt, s, in)
		if err != nil {
			return time.Time{}, 0, fmt.Errorf("%s", goParseReason(err))
		}
		return t, len(s), nil
	}
	f := dateFields{year: 0, month: 1, day: 1}
	pos := 0
	for k, it := range l.items {
		rest := s[pos:]
		switch {
		case it.tok == 0:
			if len(rest) < len(it.lit) || !strings.EqualFold(rest[:len(it.lit)], it.lit) {
				return time.Time{}, pos, fmt.Errorf("expected %q at %q", it.lit, rest)
			}
			pos += len(it.lit)
		case it.tok == ' ':
			n := 0
			for n < len(rest) {
				r, size := utf8.DecodeRuneInString(rest[n:])
				if !isSpace(r) {
					break
				}
				n += size
			}
			if n == 0 {
				return time.Time{}, pos, fmt.Errorf("expected a space at %q", rest)
			}
			pos += n
		case it.tok == 'M' && it.n >= 3:
			m, n := monthName(rest)
			if m == 0 {
				return time.Time{}, pos, fmt.Errorf("expected a month name at %q", rest)
			}
			f.month = m
			pos += n
			// An abbreviation may end with a dot ("févr."), unless the layout wants one next.
			if pos < len(s) && s[pos] == '.' && (k+1 >= len(l.items) || !strings.HasPrefix(l.items[k+1].lit, ".")) {
				pos++
			}
		case it.tok == 'a':
			n := meridiem(rest, &f)
			if n == 0 {
				return time.Time{}, pos, fmt.Errorf("expected AM or PM at %q", rest)
			}
			pos += n
		case it.tok == 'X' || it.tok == 'Z':
			off, n, ok := zoneOffset(rest)
			if !ok {
				return time.Time{}, pos, fmt.Errorf("expected a UTC offset such as +01:00 or Z at %q", rest)
			}
			f.offset = &off
			pos += n
		default:
			lo, hi := 1, 2
			switch {
			case it.tok == 'y' && it.n == 4:
				lo, hi = 4, 4
			case it.tok == 'y':
				lo, hi = 2, 2
			case it.tok == 'S':
				hi = 9
			case k+1 < len(l.items) && l.items[k+1].numeric():
				lo, hi = max(it.n, 2), max(it.n, 2) // "yyyyMMdd": fixed widths
			}
			n := 0
			for n < len(rest) && n < hi && isDigit(rune(rest[n])) {
				n++
			}
			if n < lo {
				return time.Time{}, pos, fmt.Errorf("expected %s at %q", tokenName(it), rest)
			}
			v, _ := strconv.Atoi(rest[:n])
			switch it.tok {
			case 'y':
				if it.n == 2 {
					v += 1900
					if v < 1900+pivotYear {
						v += 100
					}
				}
				f.year = v
			case 'M':
				f.month = v
			case 'd':
				f.day = v
			case 'H':
				f.hour = v
			case 'h':
				f.hour, f.twelve = v, true
			case 'm':
				f.min = v
			case 's':
				f.sec = v
			case 'S':
				f.nsec = v * int(math.Pow10(9-n))
			}
			pos += n
		}
	}
	if pos < len(s) {
		return time.Time{}, pos, fmt.Errorf("unexpected %q at the end", s[pos:])
	}
	t, err := f.time(in)
	if err != nil {
		// The text has the layout's shape: this reason beats any layout that fell short.
		return time.Time{}, len(s) + 1, err
	}
	return t, pos, nil
}

func tokenName(it dateItem) string {
	switch it.tok {
	case 'y':
		if it.n == 2 {
			return "a two-digit year"
		}
		return "a four-digit year"
	case 'M':
		return "a month"
	case 'd':
		return "a day"
	case 'H', 'h':
		return "an hour"
	case 'm':
		return "minutes"
	case 's':
		return "seconds"
	}
	return "a fraction of a second"
}

// time checks the fields and builds the time.
func (f *dateFields) time(in *time.Location) (time.Time, error) {
	if f.twelve {
		if f.hour < 1 || f.hour > 12 {
			return time.Time{}, fmt.Errorf("hour %d is out of range 1-12", f.hour)
		}
		f.hour %= 12
		if f.pm {
			f.hour += 12
		}
	}
	switch {
	case f.month < 1 || f.month > 12:
		return time.Time{}, fmt.Errorf("month %d is out of range", f.month)
	case f.day < 1 || f.day > 31:
		return time.Time{}, fmt.Errorf("day %d is out of range", f.day)
	case f.hour > 23:
		return time.Time{}, fmt.Errorf("hour %d is out of range", f.hour)
	case f.min > 59:
		return time.Time{}, fmt.Errorf("minute %d is out of range", f.min)
	case f.sec > 59:
		return time.Time{}, fmt.Errorf("second %d is out of range", f.sec)
	}
	loc := in
	if f.offset != nil {
		loc = time.FixedZone("", *f.offset)
	}
	t := time.Date(f.year, time.Month(f.month), f.day, f.hour, f.min, f.sec, f.nsec, loc)
	if t.Day() != f.day {
		return time.Time{}, fmt.Errorf("%s %d has no day %d", time.Month(f.month), f.year, f.day)
	}
	return t, nil
}

// monthNames maps month names and abbreviations in English, French and
// Spanish (lower case, without accents) to month numbers.
var monthNames = func() map[string]int {
	names := [12]string{
		"january jan janvier janv enero ene",
		"february feb fevrier fevr fev febrero",
		"march mar mars marzo",
		"april apr avril avr abril abr",
		"may mai mayo",
		"june jun juin junio",
		"july jul juillet juil julio",
		"august aug aout agosto ago",
		"september sep sept septembre septiembre setiembre set",
		"october oct octobre octubre",
		"november nov novembre noviembre",
		"december dec decembre diciembre dic",
	}
	m := map[string]int{}
	for i, ns := range names {
		for n := range strings.FieldsSeq(ns) {
			m[n] = i + 1
		}
	}
	return m
}()

// monthName reads a month name at the start of s.
func monthName(s string) (month, n int) {
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if !unicode.IsLetter(r) {
			break
		}
		n += size
	}
	return monthNames[fold(s[:n])], n
}

func meridiem(s string, f *dateFields) int {
	for _, w := range []string{"a.m.", "p.m.", "am", "pm"} {
		if len(s) >= len(w) && strings.EqualFold(s[:len(w)], w) {
			f.pm = w[0] == 'p'
			return len(w)
		}
	}
	return 0
}

// zoneOffset reads Z, ±hh, ±hhmm or ±hh:mm.
func zoneOffset(s string) (off, n int, ok bool) {
	if strings.HasPrefix(s, "Z") || strings.HasPrefix(s, "z") {
		return 0, 1, true
	}
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') || !isDigit(rune(s[1])) || !isDigit(rune(s[2])) {
		return 0, 0, false
	}
	h := int(s[1]-'0')*10 + int(s[2]-'0')
	m, n := 0, 3
	rest := s[3:]
	if strings.HasPrefix(rest, ":") {
		rest, n = rest[1:], 4
	}
	if len(rest) >= 2 && isDigit(rune(rest[0])) && isDigit(rune(rest[1])) {
		m = int(rest[0]-'0')*10 + int(rest[1]-'0')
		n += 2
	} else if n == 4 {
		return 0, 0, false
	}
	if h > 23 || m > 59 {
		return 0, 0, false
	}
	off = (h*60 + m) * 60
	if s[0] == '-' {
		off = -off
	}
	return off, n, true
}

// parseExcel reads a spreadsheet serial date: days since 1899-12-30, the
// fraction being the time of day, rounded to the second.
func parseExcel(s string, in *time.Location) (time.Time, int, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1 || f >= 2958466 {
		return time.Time{}, 0, fmt.Errorf("not a spreadsheet serial date")
	}
	days := math.Floor(f)
	secs := int(math.Round((f - days) * 86400))
	d := excelEpoch.AddDate(0, 0, int(days))
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, secs, 0, in), len(s), nil
}

// goParseReason shortens time.ParseError text, which quotes layouts the
// user never wrote.
func goParseReason(err error) string {
	var pe *time.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	if pe.Message != "" {
		return strings.TrimPrefix(pe.Message, ": ")
	}
	return fmt.Sprintf("cannot parse %q as %q", pe.ValueElem, pe.LayoutElem)
}

// format writes t with the layout.
func (l *dateLayout) format(t time.Time) string {
	if l.goFmt != "" {
		return t.Format(l.goFmt)
	}
	if l.excel {
		d := t.Sub(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()))
		days := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Sub(excelEpoch).Hours() / 24
		return strconv.FormatFloat(days+d.Seconds()/86400, 'f', -1, 64)
	}
	b := make([]byte, 0, 32)
	pad := func(v, n int) {
		var digits [20]byte
		d := strconv.AppendInt(digits[:0], int64(v), 10)
		for range n - len(d) {
			b = append(b, '0')
		}
		b = append(b, d...)
	}
	for _, it := range l.items {
		switch it.tok {
		case 0:
			b = append(b, it.lit...)
		case ' ':
			b = append(b, ' ')
		case 'y':
			if it.n == 2 {
				pad(t.Year()%100, 2)
			} else {
				pad(t.Year(), 4)
			}
		case 'M':
			switch it.n {
			case 3:
				b = append(b, t.Month().String()[:3]...)
			case 4:
				b = append(b, t.Month().String()...)
			default:
				pad(int(t.Month()), it.n)
			}
		case 'd':
			pad(t.Day(), it.n)
		case 'H':
			pad(t.Hour(), it.n)
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(h, it.n)
		case 'm':
			pad(t.Minute(), it.n)
		case 's':
			pad(t.Second(), it.n)
		case 'S':
			pad(t.Nanosecond()/int(math.Pow10(9-it.n)), it.n)
		case 'a':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'X', 'Z':
			_, off := t.Zone()
			if off == 0 && it.tok == 'X' {
				b = append(b, 'Z')
				break
			}
			sign := byte('+')
			if off < 0 {
				sign, off = '-', -off
			}
			b = append(b, sign)
			pad(off/3600, 2)
			switch {
			case it.tok == 'Z' || it.n == 2:
				pad(off%3600/60, 2)
			case it.n == 3:
				b = append(b, ':')
				pad(off%3600/60, 2)
			}
		}
	}
	return string(b)
}

type dateTransform struct {
	layouts []*dateLayout // the user's, tried first
	iso     []*dateLayout
	out     *dateLayout
	zone    *time.Location // output zone, or nil to keep the input's
	in      *time.Location // zone of inputs without an offset
}

func (t *dateTransform) convert(s string) (string, error) {
	if isBlank(s) {
		return "", nil
	}
	tm, err := t.parse(s)
	if err != nil {
		return "", err
	}
	if t.zone != nil {
		tm = tm.In(t.zone)
	}
	return t.out.format(tm), nil
}

// parse tries the layouts in order, then the ISO forms.
func (t *dateTransform) parse(s string) (time.Time, error) {
	var reason error
	best := -1
	for _, l := range t.layouts {
		tm, pos, err := l.parse(s, t.in)
		if err == nil {
			return tm, nil
		}
		if pos > best {
			best, reason = pos, err
		}
	}
	for _, l := range t.iso {
		if tm, _, err := l.parse(s, t.in); err == nil {
			return tm, nil
		}
	}
	if len(t.layouts) == 0 {
		return time.Time{}, fmt.Errorf("date: %q is not an ISO date such as 2024-03-05 or 2024-03-05 14:30:00", s)
	}
	names := make([]string, len(t.layouts))
	for i, l := range t.layouts {
		names[i] = strconv.Quote(l.src)
	}
	return time.Time{}, fmt.Errorf("date: %q does not match %s (%v)", s, strings.Join(names, " or "), reason)
}

func (t *dateTransform) Apply(v Value) (Value, error) { return v.mapText(t.convert) }

// newDate builds date. The argument is nil (ISO dates only), a layout, a
// list of layouts, or a map {layout, output, timezone, input_timezone}
// where layout is a text or a list.
func newDate(arg any) (Transform, error) {
	t := &dateTransform{in: time.UTC}
	var layouts []string
	out := APIDateLayout
	var zone, inZone, layoutKey string
	layoutList := false // whether layouts came from a YAML list, for ArgError.Index
	switch a := arg.(type) {
	case nil:
	case string:
		layouts = []string{a}
	case []any, []string:
		l, err := stringList("date", "", a)
		if err != nil {
			return nil, err
		}
		layouts, layoutList = l, true
	default:
		o, ok := asOptions("date", arg)
		if !ok {
			return nil, argErr("date", "", `the argument is a layout such as "dd/MM/yyyy", a list of layouts, or a map {layout, output, timezone, input_timezone}, got %s`, kindOf(arg))
		}
		if err := o.check("layout", "output", "timezone", "input_timezone"); err != nil {
			return nil, err
		}
		var err error
		if layouts, _, err = o.list("layout"); err != nil {
			return nil, err
		}
		layoutKey = "layout"
		switch o.m["layout"].(type) {
		case []any, []string:
			layoutList = true
		}
		if s, ok, err := o.str("output"); err != nil {
			return nil, err
		} else if ok {
			out = s
		}
		if zone, _, err = o.str("timezone"); err != nil {
			return nil, err
		}
		if inZone, _, err = o.str("input_timezone"); err != nil {
			return nil, err
		}
	}
	for i, s := range layouts {
		l, err := compileLayout(s)
		if err != nil {
			e := argErr("date", layoutKey, "%v", err)
			if layoutList {
				e.Index = i
			}
			return nil, e
		}
		t.layouts = append(t.layouts, l)
	}
	t.iso = isoDateLayouts
	l, err := compileLayout(out)
	if err != nil {
		return nil, argErr("date", "output", "%v", err)
	}
	t.out = l
	if zone != "" {
		if t.zone, err = loadZone(zone); err != nil {
			return nil, argErr("date", "timezone", "%v", err)
		}
		t.in = t.zone
	}
	if inZone != "" {
		if t.in, err = loadZone(inZone); err != nil {
			return nil, argErr("date", "input_timezone", "%v", err)
		}
	}
	return t, nil
}

func loadZone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %q (use an IANA name such as Europe/Paris or UTC)", name)
	}
	return loc, nil
}

// DateFormatter returns a function writing times with layout: a pattern of
// letters ("dd/MM/yyyy HH:mm", as the date transform reads them), a Go
// layout ("02/01/2006") or "excel" (serial day numbers).
func DateFormatter(layout string) (func(time.Time) string, error) {
	l, err := compileLayout(layout)
	if err != nil {
		return nil, fmt.Errorf("date layout %q: %w", layout, err)
	}
	return l.format, nil
}

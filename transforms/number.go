package transforms

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// numberFormat says how a number is written. Zero values mean "decide from
// the text" (see parseNumber).
type numberFormat struct {
	decimal   byte // '.' or ','; 0: auto
	thousands byte // ' ' (any space), '\'' (any apostrophe), '.', ',', 'n' (none); 0: auto
}

// maxExponent bounds the exponent of "1.5E3"-style numbers.
const maxExponent = 400

// sepClass groups the characters a number may contain besides digits.
func sepClass(r rune) byte {
	switch r {
	case '.', ',':
		return byte(r)
	case ' ', '\u00a0', '\u202f', '\u2009', '\u2007':
		return ' '
	case '\'', '\u2019':
		return '\''
	}
	return 0
}

// sepStats counts the separators of a number by class: ".", ",", spaces,
// apostrophes; last holds the byte offset of the last one of each class.
type sepStats struct{ count, last [4]int }

func classIndex(c byte) int {
	switch c {
	case '.':
		return 0
	case ',':
		return 1
	case ' ':
		return 2
	}
	return 3
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// parseNumber returns the canonical text of the number written in s: an
// optional "-", digits without leading zeros, and a fraction after "." without
// trailing zeros ("1234.5", "-0.25", "12"). A blank s gives "".
//
// Without a decimal option: when both "." and "," appear, the last one is the
// decimal separator; a separator that appears several times groups
// thousands; a single "." or "," is the decimal separator, unless it is
// followed by exactly three digits after one to three digits ("1.234",
// "12,500"), which is ambiguous and refused. Spaces (including non-breaking
// and narrow non-breaking spaces) and apostrophes always group thousands.
func parseNumber(s string, f numberFormat) (string, error) {
	return readNumber(s, f, true)
}

// readNumber is parseNumber; plain says whether plain numbers take the
// shortcut of plainNumber.
func readNumber(s string, f numberFormat, plain bool) (string, error) {
	t := trimSpace(s)
	if t == "" {
		return "", nil
	}
	bad := func(why string, a ...any) error {
		return fmt.Errorf("%q is not a number (%s)", s, fmt.Sprintf(why, a...))
	}
	neg := false
	if r, n := utf8.DecodeRuneInString(t); r == '-' || r == '+' || r == '\u2212' {
		neg = r != '+'
		t = t[n:]
	}
	if out, ok := plainNumber(t, neg, f.decimal); ok && plain {
		return out, nil
	}
	mant, exp := t, 0
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		mant = t[:i]
		e, err := strconv.Atoi(t[i+1:])
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
				return "", fmt.Errorf("%q is out of range", s)
			}
			return "", bad("bad exponent %q", t[i+1:])
		}
		if e > maxExponent || e < -maxExponent {
			return "", fmt.Errorf("%q is out of range", s)
		}
		exp = e
	}

	// Which separators appear, and where.
	var seen sepStats
	for i, r := range mant {
		if isDigit(r) {
			continue
		}
		c := sepClass(r)
		if c == 0 {
			return "", bad("unexpected %q", r)
		}
		seen.count[classIndex(c)]++
		seen.last[classIndex(c)] = i
	}

	dec := f.decimal
	if dec == 0 {
		var err error
		if dec, err = guessDecimal(mant, f.thousands, &seen); err != nil {
			return "", bad("%v", err)
		}
	}
	intPart, frac := mant, ""
	if dec != 0 {
		if i := strings.IndexByte(mant, dec); i >= 0 {
			intPart, frac = mant[:i], mant[i+1:]
		}
	}
	intDigits, err := ungroup(intPart, dec, f.thousands)
	if err != nil {
		return "", bad("%v", err)
	}
	for _, r := range frac {
		if !isDigit(r) {
			if byte(r) == dec {
				return "", bad("more than one decimal separator")
			}
			return "", bad("unexpected %q after the decimal separator", r)
		}
	}
	if intDigits == "" && frac == "" {
		return "", bad("no digits")
	}
	out := canonical(neg, intDigits, frac, exp)
	if _, err := strconv.ParseFloat(out, 64); err != nil {
		return "", fmt.Errorf("%q is out of range", s)
	}
	return out, nil
}

// plainNumber reads t, a number without its sign, when it is digits, or
// digits, the decimal separator dec (when given) and digits, short enough
// to be finite: what parseNumber would give, without its general reading.
func plainNumber(t string, neg bool, dec byte) (string, bool) {
	if t == "" || len(t) > 30 {
		return "", false
	}
	point := -1
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case '0' <= c && c <= '9':
		case c == dec && dec != 0 && point < 0 && i > 0 && i < len(t)-1:
			point = i
		default:
			return "", false
		}
	}
	if point < 0 {
		return canonical(neg, t, "", 0), true
	}
	return canonical(neg, t[:point], t[point+1:], 0), true
}

// guessDecimal decides the decimal separator of mant when none was given.
func guessDecimal(mant string, thousands byte, seen *sepStats) (byte, error) {
	dots, commas := seen.count[0], seen.count[1]
	if thousands != 0 {
		// The thousands separator is known: the other of "." and "," is the decimal one.
		switch {
		case thousands == '.':
			return ',', nil
		case thousands == ',':
			return '.', nil
		case dots > 0 && commas > 0:
			return 0, fmt.Errorf("both \".\" and \",\" appear")
		case dots > 0:
			return '.', nil
		case commas > 0:
			return ',', nil
		}
		return 0, nil
	}
	switch {
	case dots > 0 && commas > 0:
		if seen.last[0] > seen.last[1] {
			return '.', nil
		}
		return ',', nil
	case dots+commas == 0:
		return 0, nil
	}
	c := byte('.')
	if commas > 0 {
		c = ','
	}
	if dots+commas > 1 {
		return 0, nil // "1.234.567": thousands only
	}
	if seen.count[2]+seen.count[3] > 0 {
		return c, nil // "1 234,5": spaces group thousands, so c is decimal
	}
	i := strings.IndexByte(mant, c)
	before, after := mant[:i], mant[i+1:]
	if len(after) == 3 && len(before) >= 1 && len(before) <= 3 && before[0] != '0' {
		return 0, fmt.Errorf("ambiguous: %q may separate thousands or decimals; set decimal: \",\" or decimal: \".\"", string(c))
	}
	return c, nil
}

// ungroup removes thousands separators from the integer part, checking that
// they separate groups of three digits.
func ungroup(s string, dec, thousands byte) (string, error) {
	allowed := func(c byte) bool {
		switch thousands {
		case 0:
			return c != dec
		case 'n':
			return false
		}
		return c == thousands
	}
	var b strings.Builder
	var sep byte
	group, groups := 0, 0
	for _, r := range s {
		if isDigit(r) {
			b.WriteRune(r)
			group++
			continue
		}
		c := sepClass(r)
		if !allowed(c) {
			if c == dec {
				return "", fmt.Errorf("more than one decimal separator")
			}
			return "", fmt.Errorf("unexpected %q", r)
		}
		if sep != 0 && c != sep {
			return "", fmt.Errorf("mixed thousands separators %q and %q", string(sep), string(c))
		}
		sep = c
		if group == 0 || group > 3 || (groups > 0 && group != 3) {
			return "", fmt.Errorf("thousands separators must separate groups of three digits")
		}
		groups++
		group = 0
	}
	if groups > 0 && group != 3 {
		return "", fmt.Errorf("thousands separators must separate groups of three digits")
	}
	return b.String(), nil
}

// canonical writes digits intDigits.frac × 10^exp without leading or trailing zeros.
func canonical(neg bool, intDigits, frac string, exp int) string {
	if exp == 0 {
		return canonicalPoint(neg, intDigits, frac)
	}
	digits := intDigits + frac
	point := len(intDigits) + exp
	var ip, fp string
	switch {
	case point <= 0:
		ip, fp = "", strings.Repeat("0", -point)+digits
	case point >= len(digits):
		ip, fp = digits+strings.Repeat("0", point-len(digits)), ""
	default:
		ip, fp = digits[:point], digits[point:]
	}
	ip = strings.TrimLeft(ip, "0")
	fp = strings.TrimRight(fp, "0")
	if ip == "" {
		ip = "0"
	}
	out := ip
	if fp != "" {
		out += "." + fp
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}

// canonicalPoint is canonical without an exponent, allocating only the
// result, and not even that when it is a part of intDigits.
func canonicalPoint(neg bool, intDigits, frac string) string {
	ip := strings.TrimLeft(intDigits, "0")
	fp := strings.TrimRight(frac, "0")
	if ip == "" {
		ip = "0"
	}
	if fp == "" && (!neg || ip == "0") {
		return ip
	}
	var b strings.Builder
	b.Grow(len(ip) + 1 + len(fp) + 1)
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(ip)
	if fp != "" {
		b.WriteByte('.')
		b.WriteString(fp)
	}
	return b.String()
}

// roundHalfAway rounds a canonical number to an integer, halves away from zero.
func roundHalfAway(n string) string {
	i := strings.IndexByte(n, '.')
	if i < 0 {
		return n
	}
	ip, up := n[:i], n[i+1] >= '5'
	if !up {
		if ip == "-0" {
			return "0"
		}
		return ip
	}
	neg := strings.HasPrefix(ip, "-")
	digits := []byte(strings.TrimPrefix(ip, "-"))
	j := len(digits) - 1
	for ; j >= 0 && digits[j] == '9'; j-- {
		digits[j] = '0'
	}
	if j < 0 {
		digits = append([]byte{'1'}, digits...)
	} else {
		digits[j]++
	}
	if neg {
		return "-" + string(digits)
	}
	return string(digits)
}

type numberTransform struct {
	name    string // "number" or "integer"
	format  numberFormat
	integer bool
	round   bool
}

func (t numberTransform) convert(s string) (string, error) {
	n, err := parseNumber(s, t.format)
	if err != nil {
		return "", fmt.Errorf("%s: %w", t.name, err)
	}
	if t.integer && strings.IndexByte(n, '.') >= 0 {
		if !t.round {
			return "", fmt.Errorf("%s: %q has a fractional part (round: true rounds it)", t.name, s)
		}
		n = roundHalfAway(n)
	}
	if t.integer {
		if _, err := strconv.ParseInt(n, 10, 64); err != nil {
			return "", fmt.Errorf("%s: %q is beyond the 64-bit range of whole numbers", t.name, s)
		}
	}
	return n, nil
}

func (t numberTransform) Apply(v Value) (Value, error) { return v.mapText(t.convert) }

// newNumber builds number and integer. The argument is nil, a decimal
// separator ("," or "."), or a map {decimal, thousands[, round]}.
func newNumber(name string, arg any) (Transform, error) {
	t := numberTransform{name: name, integer: name == "integer"}
	var dec, th string
	var hasDec, hasTh bool
	switch a := arg.(type) {
	case nil:
	case string:
		dec, hasDec = a, true
	default:
		o, ok := asOptions(name, arg)
		if !ok {
			return nil, argErr(name, "", `the argument is a decimal separator or a map {decimal: ",", thousands: " "}, got %s`, kindOf(arg))
		}
		valid := []string{"decimal", "thousands"}
		if t.integer {
			valid = append(valid, "round")
		}
		if err := o.check(valid...); err != nil {
			return nil, err
		}
		var err error
		if dec, hasDec, err = o.str("decimal"); err != nil {
			return nil, err
		}
		if th, hasTh, err = o.str("thousands"); err != nil {
			return nil, err
		}
		if _, isNull := o.m["thousands"]; isNull && !hasTh {
			th, hasTh = "none", true // thousands: ~ (null) means none
		}
		if t.round, err = o.boolean("round"); err != nil {
			return nil, err
		}
	}
	f, err := numberOptions(name, dec, hasDec, th, hasTh)
	if err != nil {
		return nil, err
	}
	t.format = f
	return t, nil
}

func numberOptions(name, dec string, hasDec bool, th string, hasTh bool) (numberFormat, error) {
	var f numberFormat
	if hasDec {
		if dec != "," && dec != "." {
			return f, argErr(name, "decimal", "decimal separator must be \",\" or \".\", got %q", dec)
		}
		f.decimal = dec[0]
	}
	if hasTh {
		switch th {
		case "none", "":
			f.thousands = 'n'
		case " ", "\u00a0", "\u202f":
			f.thousands = ' '
		case "'", "\u2019":
			f.thousands = '\''
		case ".", ",":
			f.thousands = th[0]
		default:
			return f, argErr(name, "thousands", "thousands separator must be \" \", \".\", \",\", \"'\" or \"none\", got %q", th)
		}
		if f.thousands == f.decimal {
			return f, argErr(name, "thousands", "thousands separator %q is also the decimal separator", th)
		}
	}
	return f, nil
}

package htmlreport

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The most characters of a text of the input shown in the report; longer
// ones are cut, ending in "…".
const (
	maxReason = 1000 // a reason
	maxKey    = 200  // a row's key
	maxName   = 300  // a title, a file name, a label
)

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

// clean makes a text from the input safe to show: invalid UTF-8 becomes
// U+FFFD, the controls that change the direction of text (which could
// make a reason read as another) are removed, other control characters
// become spaces, and a text longer than max characters is cut to max,
// then "…". Escaping is left to html/template.
func clean(s string, max int) string {
	cut := false
	if len(s) > 4*max+4 { // no need to look at what will be cut
		i := 4*max + 4
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s, cut = s[:i], true
	}
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case isBidi(r):
			continue
		case r == utf8.RuneError && size == 1:
			r = utf8.RuneError
		case unicode.IsControl(r):
			r = ' '
		}
		if n == max {
			cut = true
			break
		}
		b.WriteRune(r)
		n++
	}
	if cut {
		b.WriteString("…")
	}
	return b.String()
}

// isBidi tells whether r is one of Unicode's bidirectional formatting
// characters (embeddings, overrides, isolates and marks).
func isBidi(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F:
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// number writes n with a comma between each group of three digits.
func number[T ~int | ~int64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// duration writes d for a person: 0.4s, 12s, 3m 05s, 2h 03m.
func duration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + duration(-d)
	case d < 10*time.Second:
		return strconv.FormatFloat(math.Round(d.Seconds()*10)/10, 'f', -1, 64) + "s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm %02ds", d/time.Minute, d%time.Minute/time.Second)
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh %02dm", d/time.Hour, d%time.Hour/time.Minute)
}

// tick writes an offset of a chart's time axis: 0, 30s, 2m, 1m30s, 1h,
// 1h30m.
func tick(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	d = d.Round(time.Second)
	h, m, sec := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
	var b strings.Builder
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if sec > 0 {
		fmt.Fprintf(&b, "%ds", sec)
	}
	return b.String()
}

// rate writes a number of requests per second: 5, 3.5, 0.25.
func rate(r float64) string {
	switch {
	case r >= 100:
		return strconv.FormatFloat(math.Round(r), 'f', -1, 64)
	case r >= 10:
		return strconv.FormatFloat(math.Round(r*10)/10, 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(r*100)/100, 'f', -1, 64)
}

// percent writes the share n/total: 95.1%, 0.1%, <0.1%, 100%.
func percent(n, total int) string {
	if total <= 0 {
		return "0%"
	}
	p := float64(n) * 100 / float64(total)
	switch {
	case n == 0:
		return "0%"
	case p < 0.1:
		return "<0.1%"
	case n == total:
		return "100%"
	}
	return strconv.FormatFloat(math.Round(p*10)/10, 'f', -1, 64) + "%"
}

package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

// Loose request values.

// text is a string field of a request body. Like the API, it also accepts a
// number or a boolean (a myId sent as 1234).
type text string

func (t *text) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		*t = ""
		return nil
	}
	switch data[0] {
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*t = text(s)
	case '{', '[':
		return errors.New("expected a string, got an object or a list")
	default:
		*t = text(data)
	}
	return nil
}

// set copies a present request field into dst.
func set(dst *string, src *text) {
	if src != nil {
		*dst = string(*src)
	}
}

// setTrim copies a present request field into dst, trimmed.
func setTrim(dst *string, src *text) {
	if src != nil {
		*dst = strings.TrimSpace(string(*src))
	}
}

func str(t *text) string {
	if t == nil {
		return ""
	}
	return strings.TrimSpace(string(*t))
}

func deref(t *text) text {
	if t == nil {
		return ""
	}
	return *t
}

// wholeNumber is an integer field of a request (status, num, iteration):
// it reads as synchroteam.Int does, and a value that is not a whole number
// is refused, as the API refuses it.
type wholeNumber struct{ synchroteam.Int }

func (w *wholeNumber) UnmarshalJSON(data []byte) error {
	if err := w.Int.UnmarshalJSON(data); err != nil {
		return err
	}
	if w.Invalid() {
		return fmt.Errorf("integer: %q is not a whole number", w.Raw())
	}
	return nil
}

func uniq(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// parseID reads a numeric record id.
func parseID(what, s string) (int64, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q is not a valid id", what, s)
	}
	return n, nil
}

// decimalText returns the canonical dot text of a number.
func decimalText(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// number reads a loose decimal request value: ok is false when it is unset,
// err is set when it cannot be read.
func number(what string, n synchroteam.Number) (f float64, ok bool, err error) {
	if n.Invalid() {
		return 0, false, fmt.Errorf("%s %q is not a number", what, n.Raw())
	}
	f, ok = n.Float64()
	return f, ok, nil
}

// Response values.

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// Dates.

const (
	layoutDMY       = "02/01/2006 15:04:05" // job dates, invoice due dates
	layoutMinutes   = "2006-01-02 15:04"    // activities
	layoutDateOnly  = "2006-01-02"
	endOfDayNanos   = 24*time.Hour - time.Nanosecond
	maxTextInErrors = 60
)

// dmy formats a job date, nil when unset.
func dmy(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(layoutDMY)
	return &s
}

// filterTime reads a date filter. A date without a time of day is the start
// of that day, or with endOfDay the end of it. ok is false when unset.
func filterTime(what string, t synchroteam.Time, endOfDay bool) (time.Time, bool, error) {
	if t.Invalid() {
		return time.Time{}, false, fmt.Errorf("%s %q is not a date (yyyy-mm-dd or yyyy-mm-dd hh:mm:ss)", what, shorten(t.Raw()))
	}
	v, ok := t.Time()
	if !ok {
		return time.Time{}, false, nil
	}
	if endOfDay && len(strings.TrimSpace(t.Raw())) <= len("2006-01-02") {
		v = v.Add(endOfDayNanos)
	}
	return v, true, nil
}

// queryTime reads a date filter from a query parameter.
func queryTime(what, s string) (time.Time, bool, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, false, nil
	}
	v, err := synchroteam.ParseTime(s)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%s %q is not a date (yyyy-mm-dd)", what, shorten(s))
	}
	return v, true, nil
}

func shorten(s string) string {
	if len(s) > maxTextInErrors {
		return s[:maxTextInErrors] + "…"
	}
	return s
}

package synchroteam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The API is loose about scalar types: the same field arrives as 12, "12",
// "12,50" or "" depending on the endpoint. The types in this file decode every
// form the reference shows and never lose what they could not read: the raw
// text is kept so that callers can report it instead of silently zeroing it.

// scalarText returns the text of a JSON scalar: the content of a string, the
// literal of a number or boolean, "" for null. Objects and arrays are errors.
func scalarText(data []byte) (text string, isNull bool, err error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return "", true, nil
	}
	switch data[0] {
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return "", false, err
		}
		return s, false, nil
	case '{', '[':
		return "", false, fmt.Errorf("expected a scalar, got %s", kindOf(data[0]))
	default:
		return string(data), false, nil
	}
}

func kindOf(b byte) string {
	if b == '{' {
		return "an object"
	}
	return "a list"
}

// ID is an identifier. The API sends ids as numbers (35604) or strings
// ("265_160719144323649", "1C9035A3-..."); ID keeps them as text.
type ID string

// UnmarshalJSON accepts a string, a number or null.
func (id *ID) UnmarshalJSON(data []byte) error {
	s, _, err := scalarText(data)
	if err != nil {
		return fmt.Errorf("id: %w", err)
	}
	*id = ID(strings.TrimSpace(s))
	return nil
}

// String returns the id's text.
func (id ID) String() string { return string(id) }

// IDFromInt returns the ID of an integer id.
func IDFromInt(n int64) ID { return ID(strconv.FormatInt(n, 10)) }

// Number is a decimal that the API sends as 7.35, "7.35", "50,30" or "".
// A value that cannot be read keeps its raw text and reports Valid() false.
// The zero Number is "not set" and is left out by `omitzero`.
type Number struct {
	raw   string
	value float64
	state scalarState
}

type scalarState uint8

const (
	stateUnset scalarState = iota
	stateValid
	stateInvalid
)

// NewNumber returns a set Number.
func NewNumber(f float64) Number {
	return Number{raw: strconv.FormatFloat(f, 'f', -1, 64), value: f, state: stateValid}
}

// decimalText is a plain decimal (ParseFloat alone also takes "0x1p4",
// "1_000" and "Inf").
var decimalText = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// ParseNumber reads a decimal written with a dot or a comma as decimal
// separator ("50,30", "-100.25", "7"). Spaces (also non-breaking) are ignored.
// Thousands separators are not guessed here: "1.234,50" is ambiguous for the
// API and is an error; the import transforms handle such input explicitly.
func ParseNumber(s string) (Number, error) {
	t := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if t == "" {
		return Number{}, nil
	}
	if strings.Contains(t, ",") {
		if strings.Contains(t, ".") || strings.Count(t, ",") > 1 {
			return Number{raw: s, state: stateInvalid}, fmt.Errorf("number %q: both separators or several commas", s)
		}
		t = strings.Replace(t, ",", ".", 1)
	}
	if !decimalText.MatchString(t) {
		return Number{raw: s, state: stateInvalid}, fmt.Errorf("number %q is not a decimal", s)
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return Number{raw: s, state: stateInvalid}, fmt.Errorf("number %q is not a decimal", s)
	}
	return Number{raw: s, value: f, state: stateValid}, nil
}

// Float64 returns the value and whether it was set and readable.
func (n Number) Float64() (float64, bool) { return n.value, n.state == stateValid }

// Valid reports whether the number is set and readable.
func (n Number) Valid() bool { return n.state == stateValid }

// Invalid reports whether a value was received that is not a number.
func (n Number) Invalid() bool { return n.state == stateInvalid }

// IsZero reports whether the number is unset (for `omitzero`).
func (n Number) IsZero() bool { return n.state == stateUnset }

// Text returns the number exactly as written, every digit kept, in JSON
// syntax: spaces dropped, a decimal comma made a dot, a leading "+" and
// leading zeros dropped, "0" before a bare decimal point, no trailing
// point. An unreadable number gives its raw text, an unset one "".
func (n Number) Text() string {
	if n.state != stateValid {
		return n.raw
	}
	t := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r == ',':
			return '.'
		}
		return r
	}, n.raw)
	sign := ""
	switch t[0] {
	case '-':
		sign, t = "-", t[1:]
	case '+':
		t = t[1:]
	}
	mant, exp := t, ""
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		mant, exp = t[:i], t[i:]
	}
	ip, fp, _ := strings.Cut(mant, ".")
	if ip = strings.TrimLeft(ip, "0"); ip == "" {
		ip = "0"
	}
	if fp != "" {
		ip += "." + fp
	}
	return sign + ip + exp
}

// Raw returns the text as received (or as built by NewNumber).
func (n Number) Raw() string { return n.raw }

// String returns the value in canonical dot notation, or the raw text of an
// unreadable value, or "" when unset.
func (n Number) String() string {
	if n.state == stateValid {
		return strconv.FormatFloat(n.value, 'f', -1, 64)
	}
	return n.raw
}

// UnmarshalJSON accepts a JSON number, a string in either decimal notation,
// "" or null. An unreadable string is kept (see Invalid); only objects and
// lists are errors.
func (n *Number) UnmarshalJSON(data []byte) error {
	s, isNull, err := scalarText(data)
	if err != nil {
		return fmt.Errorf("number: %w", err)
	}
	if isNull {
		*n = Number{}
		return nil
	}
	v, perr := ParseNumber(s)
	if perr != nil {
		*n = Number{raw: s, state: stateInvalid}
		return nil
	}
	*n = v
	return nil
}

// MarshalJSON writes a JSON number, null when unset, and the raw text as a
// string for a value that could not be read (so nothing is lost on a round trip).
func (n Number) MarshalJSON() ([]byte, error) {
	switch n.state {
	case stateValid:
		return []byte(strconv.FormatFloat(n.value, 'f', -1, 64)), nil
	case stateInvalid:
		return json.Marshal(n.raw)
	default:
		return []byte("null"), nil
	}
}

// Int is an integer that the API sends as 1 or "1" (status, priority, num).
// The zero Int is "not set"; NewInt(0) is a set zero. A text that is not a
// whole number ("1,5", "abc") is kept as it came and reported by Invalid,
// rather than failing the whole response it is part of.
type Int struct {
	value   int64
	set     bool
	raw     string
	invalid bool
}

// Invalid reports whether the API sent a value that is not a whole number.
func (i Int) Invalid() bool { return i.invalid }

// Raw returns the text of a value that is not a whole number.
func (i Int) Raw() string { return i.raw }

// NewInt returns a set Int.
func NewInt(v int64) Int { return Int{value: v, set: true} }

// Int64 returns the value and whether it is set.
func (i Int) Int64() (int64, bool) { return i.value, i.set }

// IsZero reports whether the value is unset (for `omitzero`).
func (i Int) IsZero() bool { return !i.set && !i.invalid }

// String returns the decimal text, the text of a value that is not a whole
// number, or "" when unset.
func (i Int) String() string {
	switch {
	case i.invalid:
		return i.raw
	case !i.set:
		return ""
	}
	return strconv.FormatInt(i.value, 10)
}

// UnmarshalJSON accepts a number, a numeric string ("13461", "2,0"), "" or
// null; any other scalar is kept as an invalid value (see Invalid). Objects
// and lists are errors.
func (i *Int) UnmarshalJSON(data []byte) error {
	s, isNull, err := scalarText(data)
	if err != nil {
		return fmt.Errorf("integer: %w", err)
	}
	s = strings.TrimSpace(s)
	if isNull || s == "" {
		*i = Int{}
		return nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*i = NewInt(v)
		return nil
	}
	n, err := ParseNumber(s)
	f, ok := n.Float64()
	if err != nil || !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		*i = Int{raw: s, invalid: true}
		return nil
	}
	*i = NewInt(int64(f))
	return nil
}

// MarshalJSON writes a JSON number, the text of an invalid value, or null
// when unset.
func (i Int) MarshalJSON() ([]byte, error) {
	switch {
	case i.invalid:
		return json.Marshal(i.raw)
	case !i.set:
		return []byte("null"), nil
	}
	return []byte(strconv.FormatInt(i.value, 10)), nil
}

// Bool is a boolean that the API sends as true, "true", 1 or "1".
// The zero Bool is "not set", so that an update leaves the field alone.
type Bool struct {
	value bool
	set   bool
}

// NewBool returns a set Bool.
func NewBool(b bool) Bool { return Bool{value: b, set: true} }

// Value returns the value and whether it is set.
func (b Bool) Value() (value, set bool) { return b.value, b.set }

// True reports whether the value is set and true.
func (b Bool) True() bool { return b.set && b.value }

// IsZero reports whether the value is unset (for `omitzero`).
func (b Bool) IsZero() bool { return !b.set }

// UnmarshalJSON accepts true/false, "true"/"false" (any case), 1/0, "1"/"0",
// "" and null.
func (b *Bool) UnmarshalJSON(data []byte) error {
	s, isNull, err := scalarText(data)
	if err != nil {
		return fmt.Errorf("boolean: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		if isNull || s == "" {
			*b = Bool{}
			return nil
		}
	case "true", "1":
		*b = NewBool(true)
		return nil
	case "false", "0":
		*b = NewBool(false)
		return nil
	}
	return fmt.Errorf("boolean: %q is not true or false", s)
}

// MarshalJSON writes true or false, or null when unset.
func (b Bool) MarshalJSON() ([]byte, error) {
	if !b.set {
		return []byte("null"), nil
	}
	return strconv.AppendBool(nil, b.value), nil
}

// Time layouts the API is seen to send or accept. Times carry no zone: they
// are the account's wall-clock time and are kept in UTC to stay unchanged.
var timeLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	time.RFC3339,
	"02/01/2006 15:04:05",
	"02/01/2006 15:04",
	"2006-01-02",
	"02/01/2006",
}

// ParseTime reads any of the date and time layouts the API uses:
// "2016-10-13 10:00", "2017-01-16 15:35:00", "19/07/2016 14:43:00",
// "02/05/2018 00:00:00" (dd/MM/yyyy), "2018-05-02".
func ParseTime(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, t); err == nil {
			return v, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q: not one of yyyy-mm-dd [hh:mm[:ss]] or dd/mm/yyyy [hh:mm[:ss]]", s)
}

// Time is a date and time in any of the API's layouts. It is written as
// "yyyy-mm-dd hh:mm:ss". An unreadable value keeps its raw text.
type Time struct {
	t     time.Time
	raw   string
	state scalarState
}

// NewTime returns a set Time.
func NewTime(t time.Time) Time {
	return Time{t: t, raw: t.Format(TimeLayout), state: stateValid}
}

// TimeLayout is how the client writes date-times.
const TimeLayout = "2006-01-02 15:04:05"

// DateLayout is how the client writes dates.
const DateLayout = "2006-01-02"

// Time returns the value and whether it is set and readable.
func (t Time) Time() (time.Time, bool) { return t.t, t.state == stateValid }

// Invalid reports whether a value was received that is not a date.
func (t Time) Invalid() bool { return t.state == stateInvalid }

// IsZero reports whether the value is unset (for `omitzero`).
func (t Time) IsZero() bool { return t.state == stateUnset }

// Raw returns the text as received.
func (t Time) Raw() string { return t.raw }

// String returns "yyyy-mm-dd hh:mm:ss", the raw text of an unreadable value, or "".
func (t Time) String() string {
	if t.state == stateValid {
		return t.t.Format(TimeLayout)
	}
	return t.raw
}

// UnmarshalJSON accepts a string in any API layout, "" or null.
func (t *Time) UnmarshalJSON(data []byte) error {
	s, _, err := scalarText(data)
	if err != nil {
		return fmt.Errorf("date: %w", err)
	}
	if strings.TrimSpace(s) == "" {
		*t = Time{}
		return nil
	}
	v, perr := ParseTime(s)
	if perr != nil {
		*t = Time{raw: s, state: stateInvalid}
		return nil
	}
	*t = Time{t: v, raw: s, state: stateValid}
	return nil
}

// MarshalJSON writes "yyyy-mm-dd hh:mm:ss", null when unset, or the raw text.
func (t Time) MarshalJSON() ([]byte, error) {
	switch t.state {
	case stateValid:
		return json.Marshal(t.t.Format(TimeLayout))
	case stateInvalid:
		return json.Marshal(t.raw)
	default:
		return []byte("null"), nil
	}
}

// Date is a Time written as "yyyy-mm-dd" (search filters, due dates).
type Date struct{ Time }

// NewDate returns a set Date.
func NewDate(t time.Time) Date { return Date{NewTime(t)} }

// MarshalJSON writes "yyyy-mm-dd", null when unset, or the raw text.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.state == stateValid {
		return json.Marshal(d.t.Format(DateLayout))
	}
	return d.Time.MarshalJSON()
}

// String returns "yyyy-mm-dd", the raw text of an unreadable value, or "".
func (d Date) String() string {
	if d.state == stateValid {
		return d.t.Format(DateLayout)
	}
	return d.raw
}

// Strings is a list of strings. The API sends lists as JSON arrays, but also
// as "" or null for "none" and as a comma-separated string ("Groups": "").
type Strings []string

// UnmarshalJSON accepts an array of scalars, a comma-separated string, "" or null.
func (s *Strings) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var raw []json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return err
		}
		out := make(Strings, 0, len(raw))
		for i, r := range raw {
			v, isNull, err := scalarText(r)
			if err != nil {
				return fmt.Errorf("list item %d: %w", i, err)
			}
			if !isNull {
				out = append(out, v)
			}
		}
		*s = out
		return nil
	}
	v, _, err := scalarText(data)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	*s = nil
	for _, part := range strings.Split(v, ",") {
		if p := strings.TrimSpace(part); p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}

// Text is a free-text value that the API may also send as a number or a
// boolean (custom field and report values).
type Text string

// UnmarshalJSON accepts any scalar; null is "".
func (t *Text) UnmarshalJSON(data []byte) error {
	s, _, err := scalarText(data)
	if err != nil {
		return fmt.Errorf("text: %w", err)
	}
	*t = Text(s)
	return nil
}

// rawList decodes a list whose elements the API sometimes nests in a further
// list ("[[{...}, {...}]]" in Equipment/List): each element is either one T or
// a list of T.
type rawList[T any] []T

func (r *rawList[T]) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var list []T
		if err := json.Unmarshal(data, &list); err != nil {
			return err
		}
		*r = list
		return nil
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*r = rawList[T]{v}
	return nil
}

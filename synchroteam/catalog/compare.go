package catalog

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Difference is a field whose value in Synchroteam is not the one sent
// (or to be sent).
type Difference struct {
	Field string
	Sent  string // as sent, in text
	Found string // as read back, in text; "" when the answer does not hold it
}

// Comparison is what Compare found.
type Comparison struct {
	Differences []Difference
	// Unread are the fields sent that the API's Details answer does not
	// show (Field.ReadAs "-"): they cannot be checked.
	Unread []string
}

// Compare compares a payload, as sent, with the record read back by its
// key, field by field. What the API legitimately rewrites is normalised,
// by the field's kind, before comparing; nothing else is ignored:
//
//   - text: surrounding white space is trimmed on both sides; the case
//     counts, except for fields marked Fold (emails, codes the API writes
//     in capitals);
//   - numbers: compared as decimals, a decimal comma read as a point
//     ("50,30" = 50.3 = "50.300");
//   - booleans: true, "true", 1 and "1" are one value (and their false);
//   - dates and times: read in the layouts the API writes (2006-01-02,
//     02/01/2006, with hh:mm or hh:mm:ss) and compared as instants;
//   - lists (tags, skilled trades, groups): compared as sets of trimmed
//     items, order and repeats ignored;
//   - ids: as text, trimmed;
//   - custom fields: by name, the case of the name ignored, values as text;
//   - a field sent empty matches a field read empty or absent.
func (e *Entity) Compare(sent Payload, found Record) Comparison {
	flat, err := Flatten(sent)
	if err != nil {
		return Comparison{Differences: []Difference{{Field: "(payload)", Sent: err.Error()}}}
	}
	read := make(map[string]any, len(found))
	for k, v := range found {
		read[strings.ToLower(k)] = v
	}
	var cmp Comparison
	for _, name := range sortedFields(flat) {
		v := flat[name]
		f, ok := e.Field(name)
		if !ok {
			f = Field{Name: name, Kind: KindString}
		}
		if f.ReadAs == "-" {
			cmp.Unread = append(cmp.Unread, name)
			continue
		}
		at := name
		if f.ReadAs != "" {
			at = f.ReadAs
		}
		got, held := read[strings.ToLower(at)]
		if !held && f.Name != name {
			got, held = read[strings.ToLower(f.Name)]
		}
		if !held {
			got = nil
		}
		if !sameValue(f, v, got) {
			cmp.Differences = append(cmp.Differences, Difference{Field: name, Sent: Text(v), Found: Text(got)})
		}
	}
	return cmp
}

// sortedFields lists a flat record's fields in order.
func sortedFields(r Record) []string {
	names := make([]string, 0, len(r))
	for k := range r {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// sameValue tells whether a value sent and one read back are the same for
// a field of f's kind.
func sameValue(f Field, sent, found any) bool {
	if isBlank(sent) && isBlank(found) {
		return true
	}
	switch f.Kind {
	case KindNumber, KindInteger:
		a, aok := decimal(sent)
		b, bok := decimal(found)
		if aok && bok {
			return a.Cmp(b) == 0
		}
	case KindBool:
		a, aok := boolean(sent)
		b, bok := boolean(found)
		if aok && bok {
			return a == b
		}
	case KindDate, KindDateTime:
		a, aok := instant(Text(sent))
		b, bok := instant(Text(found))
		if aok && bok {
			if f.Kind == KindDate {
				return a.Format(time.DateOnly) == b.Format(time.DateOnly)
			}
			return a.Equal(b)
		}
	case KindList:
		return slices.Equal(itemSet(sent), itemSet(found))
	}
	a, b := strings.TrimSpace(Text(sent)), strings.TrimSpace(Text(found))
	if f.Fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// Text writes a value of a payload or a record as text: numbers as
// written, lists as items joined by "; ".
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		items := make([]string, len(x))
		for i, it := range x {
			items[i] = Text(it)
		}
		return strings.Join(items, "; ")
	case []string:
		return strings.Join(x, "; ")
	case map[string]any:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

func isBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case []string:
		return len(x) == 0
	}
	return false
}

// decimal reads a number, or a text holding one with a point or a comma.
func decimal(v any) (*big.Rat, bool) {
	s := strings.TrimSpace(Text(v))
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok && s != ""
}

func boolean(v any) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(Text(v))) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// instantLayouts are the layouts dates and times are written in, by
// stbulk and by the API.
var instantLayouts = []string{
	time.DateTime, "2006-01-02 15:04", time.DateOnly, time.RFC3339, "2006-01-02T15:04:05",
	"02/01/2006 15:04:05", "02/01/2006 15:04", "02/01/2006",
}

func instant(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range instantLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// itemSet is a list's items, trimmed, sorted, without repeats or blanks.
func itemSet(v any) []string {
	var items []string
	switch x := v.(type) {
	case []any:
		for _, it := range x {
			items = append(items, strings.TrimSpace(Text(it)))
		}
	case []string:
		for _, it := range x {
			items = append(items, strings.TrimSpace(it))
		}
	default:
		if s := strings.TrimSpace(Text(v)); s != "" {
			items = append(items, s)
		}
	}
	items = slices.DeleteFunc(items, func(s string) bool { return s == "" })
	slices.Sort(items)
	return slices.Compact(items)
}

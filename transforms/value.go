package transforms

import "strings"

// Value is what flows through a Chain: a single text or a list of texts.
//
// Cells read from a file are texts; the split transform turns a text into a
// list, and join turns a list back into a text. Transforms that work on a text
// (trim, number, date, ...) are applied to each item of a list. The zero Value
// is the empty text.
type Value struct {
	text  string
	items []string
	list  bool
}

// Text returns a Value holding the text s.
func Text(s string) Value { return Value{text: s} }

// List returns a Value holding the given items. The slice is not copied.
func List(items []string) Value { return Value{items: items, list: true} }

// IsList reports whether v is a list.
func (v Value) IsList() bool { return v.list }

// Items returns the items of a list. For a text it returns a one-item list,
// or nil when the text is empty.
func (v Value) Items() []string {
	if v.list {
		return v.items
	}
	if v.text == "" {
		return nil
	}
	return []string{v.text}
}

// String returns the text of v; for a list, its items joined with ", ".
func (v Value) String() string {
	if v.list {
		return strings.Join(v.items, ", ")
	}
	return v.text
}

// IsEmpty reports whether v is an empty or blank text, or a list without items.
func (v Value) IsEmpty() bool {
	if v.list {
		return len(v.items) == 0
	}
	return isBlank(v.text)
}

// mapText applies f to a text, or to each item of a list. Errors on list
// items name the item (1-based).
func (v Value) mapText(f func(string) (string, error)) (Value, error) {
	if !v.list {
		s, err := f(v.text)
		if err != nil {
			return Value{}, err
		}
		return Text(s), nil
	}
	out := make([]string, len(v.items))
	for i, it := range v.items {
		s, err := f(it)
		if err != nil {
			return Value{}, itemError(i, err)
		}
		out[i] = s
	}
	return List(out), nil
}

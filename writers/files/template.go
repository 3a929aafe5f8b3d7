package files

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Template is a path template such as
// "photos/{customerName}/{num}/{iteration}-{fileName}": literal text and
// {field} placeholders, with "/" separating folders. Use ParseTemplate to
// make one.
type Template struct {
	text   string
	elems  [][]templatePart
	fields []string
}

// templatePart is literal text, or a placeholder when field is set.
type templatePart struct {
	lit   string
	field string
}

// ParseTemplate checks the template s and returns it. s must not be empty;
// it must be relative (no leading "/" or "\", no drive letter such as
// "C:"); its literal text must have no "." or ".." element and no empty
// element ("a//b", a trailing "/"); braces must be balanced, not nested;
// field names are made of letters, digits, "_" and ".". A template without
// placeholders is allowed. Errors give the 1-based character position of
// the problem.
func ParseTemplate(s string) (*Template, error) {
	if s == "" {
		return nil, errors.New("path template is empty")
	}
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("path template %q is not valid UTF-8", s)
	}
	if s[0] == '/' || s[0] == '\\' {
		return nil, fmt.Errorf("path template %q starts with %q: it must be a path relative to the output folder", s, s[:1])
	}
	if len(s) >= 2 && s[1] == ':' && (s[0] >= 'A' && s[0] <= 'Z' || s[0] >= 'a' && s[0] <= 'z') {
		return nil, fmt.Errorf("path template %q starts with the drive %q: it must be a path relative to the output folder", s, s[:2])
	}
	t := &Template{text: s}
	var (
		parts     []templatePart
		lit       strings.Builder
		name      strings.Builder
		inField   bool
		open      int // position of the "{" of the current placeholder
		elemStart = 1 // position of the first character of the current element
		pos       = 0
		seen      = map[string]bool{}
	)
	endElem := func(at int) error {
		if lit.Len() > 0 {
			parts = append(parts, templatePart{lit: lit.String()})
			lit.Reset()
		}
		switch {
		case len(parts) == 0 && at > len([]rune(s)):
			return fmt.Errorf("path template %q ends with \"/\": the last element is empty", s)
		case len(parts) == 0:
			return fmt.Errorf("path template %q has an empty folder name at character %d (\"//\")", s, at)
		case len(parts) == 1 && parts[0].field == "" && (parts[0].lit == "." || parts[0].lit == ".."):
			return fmt.Errorf("path template %q has a %q folder at character %d: folders \".\" and \"..\" are not allowed", s, parts[0].lit, elemStart)
		}
		t.elems = append(t.elems, parts)
		parts = nil
		return nil
	}
	for _, r := range s {
		pos++
		switch {
		case r == '{' && inField:
			return nil, fmt.Errorf("path template %q: \"{\" at character %d is inside the placeholder opened at character %d", s, pos, open)
		case r == '{':
			if lit.Len() > 0 {
				parts = append(parts, templatePart{lit: lit.String()})
				lit.Reset()
			}
			inField, open = true, pos
			name.Reset()
		case r == '}' && !inField:
			return nil, fmt.Errorf("path template %q: \"}\" at character %d has no matching \"{\"", s, pos)
		case r == '}':
			if name.Len() == 0 {
				return nil, fmt.Errorf("path template %q: the placeholder at character %d has no field name", s, open)
			}
			f := name.String()
			parts = append(parts, templatePart{field: f})
			if !seen[f] {
				seen[f] = true
				t.fields = append(t.fields, f)
			}
			inField = false
		case inField:
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '.' {
				return nil, fmt.Errorf("path template %q: %q at character %d is not allowed in the field name of the placeholder at character %d (use letters, digits, \"_\" and \".\")", s, r, pos, open)
			}
			name.WriteRune(r)
		case r == '/':
			if err := endElem(pos); err != nil {
				return nil, err
			}
			elemStart = pos + 1
		default:
			lit.WriteRune(r)
		}
	}
	if inField {
		return nil, fmt.Errorf("path template %q: \"{\" at character %d is never closed", s, open)
	}
	if err := endElem(pos + 1); err != nil {
		return nil, err
	}
	return t, nil
}

// String returns the template as written.
func (t *Template) String() string {
	if t == nil {
		return ""
	}
	return t.text
}

// Fields returns the placeholder names, in order of first appearance,
// without duplicates.
func (t *Template) Fields() []string {
	if t == nil {
		return nil
	}
	return slices.Clone(t.fields)
}

// Expand fills the placeholders with value(name) and returns a
// slash-separated relative path. Each path element, after substitution,
// goes through SafeName, so a value such as "a/b" or "../x" can neither add
// a folder level nor go up. The result always satisfies filepath.IsLocal.
// A nil value function fills every placeholder with "".
func (t *Template) Expand(value func(field string) string) string {
	if t == nil || len(t.elems) == 0 {
		return "_"
	}
	out := make([]string, len(t.elems))
	var b strings.Builder
	for i, e := range t.elems {
		b.Reset()
		for _, p := range e {
			switch {
			case p.field == "":
				b.WriteString(p.lit)
			case value != nil:
				b.WriteString(value(p.field))
			}
		}
		out[i] = SafeName(b.String())
	}
	return strings.Join(out, "/")
}

package htmlreport

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// RowError is a row that was not sent, as GroupReasons takes it.
type RowError struct {
	Row    int    // the source row number
	Key    string // what tells the row apart to a person: its key, or its first cells
	Reason string
}

// The bounds of a Grouper whose fields are 0.
const (
	DefaultMaxExamples = 5
	DefaultMaxGroups   = 1000
)

// otherReasons is the Reason of the group that gathers, past a Grouper's
// MaxGroups, the reasons of groups it has no room for.
const otherReasons = "other reasons"

// Grouper groups the reasons of rows not sent as they come, in bounded
// memory: at most MaxGroups groups (the reasons of further groups are
// counted together in one last group, "other reasons", with Other set),
// each keeping its first reason and its first MaxExamples rows. The zero
// Grouper is ready to use, with DefaultMaxExamples and DefaultMaxGroups.
// It is not safe for concurrent use.
type Grouper struct {
	MaxExamples int
	MaxGroups   int

	groups []*Group
	index  map[string]int
	other  *Group
}

// Add counts one row not sent: its row number, its key and the reason.
func (g *Grouper) Add(row int, key, reason string) {
	maxEx := cmp.Or(g.MaxExamples, DefaultMaxExamples)
	reason = clean(reason, maxReason)
	k := ReasonKey(reason)
	var gr *Group
	if i, ok := g.index[k]; ok {
		gr = g.groups[i]
	} else if len(g.groups) < cmp.Or(g.MaxGroups, DefaultMaxGroups) {
		if g.index == nil {
			g.index = make(map[string]int)
		}
		g.index[k] = len(g.groups)
		gr = &Group{Reason: k, First: reason}
		g.groups = append(g.groups, gr)
	} else {
		if g.other == nil {
			g.other = &Group{Reason: otherReasons, First: reason, Other: true}
		}
		gr = g.other
	}
	gr.Count++
	if len(gr.Examples) < maxEx {
		gr.Examples = append(gr.Examples, Example{Row: row, Key: clean(key, maxKey)})
	}
}

// Groups returns the groups so far, the largest first (of groups of one
// size, the first seen first), the group of other reasons last.
func (g *Grouper) Groups() []Group {
	out := make([]Group, 0, len(g.groups)+1)
	for _, gr := range g.groups {
		c := *gr
		c.Examples = slices.Clone(gr.Examples)
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b Group) int { return cmp.Compare(b.Count, a.Count) })
	if g.other != nil {
		c := *g.other
		c.Examples = slices.Clone(g.other.Examples)
		out = append(out, c)
	}
	return out
}

// GroupReasons groups rows not sent by the key of their reason (see
// ReasonKey), the largest group first, each with its first reason in
// full and its first maxExamples rows (DefaultMaxExamples when 0), as a
// Grouper does.
func GroupReasons(errs []RowError, maxExamples int) []Group {
	g := Grouper{MaxExamples: maxExamples}
	for _, e := range errs {
		g.Add(e.Row, e.Key, e.Reason)
	}
	return g.Groups()
}

// ReasonKey returns what reasons are grouped by: reason with the values
// of the row it was given for, the quoted texts ("12,3,4", “x”, «x»),
// each replaced by "…", and its spaces folded, so that
//
//	price (column Prix): number: "12,3,4" is not a number
//	price (column Prix): number: "x" is not a number
//
// have one key, price (column Prix): number: … is not a number. A quote
// without its closing one is kept.
func ReasonKey(reason string) string {
	var b strings.Builder
	b.Grow(len(reason))
	space := false
	for i := 0; i < len(reason); {
		r, n := decodeRune(reason[i:])
		if end := closing(r); end != 0 {
			if j := quoteEnd(reason[i+n:], r, end); j >= 0 {
				if space {
					b.WriteByte(' ')
					space = false
				}
				b.WriteString("…")
				i += n + j
				continue
			}
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			i += n
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(reason[i : i+n])
		i += n
	}
	return b.String()
}

// closing returns the quote that closes the opening quote r, or 0 when r
// opens none.
func closing(r rune) rune {
	switch r {
	case '"':
		return '"'
	case '“':
		return '”'
	case '«':
		return '»'
	}
	return 0
}

// quoteEnd returns the length of the quoted text s up to and with its
// closing quote end, or -1 when it has none. In a text quoted with '"',
// a backslash escapes the next character, as Go's %q writes it.
func quoteEnd(s string, open, end rune) int {
	for i := 0; i < len(s); {
		r, n := decodeRune(s[i:])
		switch {
		case open == '"' && r == '\\':
			i += n
			if i < len(s) {
				_, m := decodeRune(s[i:])
				i += m
			}
			continue
		case r == end:
			return i + n
		}
		i += n
	}
	return -1
}

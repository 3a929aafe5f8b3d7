package scaffold

import (
	"slices"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/stbulk/stbulk/synchroteam/catalog"
	"github.com/stbulk/stbulk/transforms"
)

// minScore is the least similarity for a header to match a field.
const minScore = 0.6

// normalize turns a header or a synonym into lower-case words without
// accents or punctuation: "N° client" → "num client", "CODE_POSTAL" →
// "code postal", "ContactFirstName" → "contact first name".
func normalize(s string) string {
	return strings.Join(words(s), " ")
}

func words(s string) []string {
	var b strings.Builder
	runes := []rune(norm.NFD.String(s))
	for i, r := range runes {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'ß':
			b.WriteString("ss")
			continue
		case r == 'œ' || r == 'Œ':
			b.WriteString("oe")
			continue
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
			continue
		case r == '°' || r == 'º' || r == '#':
			b.WriteString(" # ")
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if i > 0 && split(runes, i) {
				b.WriteByte(' ')
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	var out []string
	fields := strings.Fields(b.String())
	for i := 0; i < len(fields); i++ {
		w := fields[i]
		if slices.Contains(numberWords, w) {
			// "n #", "no #", "#": one word.
			if i+1 < len(fields) && fields[i+1] == "#" {
				i++
			}
			if len(fields) > 1 || w != "n" {
				w = "num"
			}
		}
		if slices.Contains(stopWords, w) && len(fields) > 1 {
			continue
		}
		out = append(out, w)
	}
	return out
}

// split tells whether a word starts at runes[i]: camelCase, ACRONYMWord, a
// letter after digits or digits after letters.
func split(runes []rune, i int) bool {
	prev, r := runes[i-1], runes[i]
	switch {
	case unicode.IsLower(prev) && unicode.IsUpper(r):
		return true
	case unicode.IsUpper(prev) && unicode.IsUpper(r) && i+1 < len(runes) && unicode.IsLower(runes[i+1]):
		return true
	case unicode.IsLetter(prev) && unicode.IsDigit(r), unicode.IsDigit(prev) && unicode.IsLetter(r):
		return true
	}
	return false
}

// similarity of two normalised names, from 0 to 1.
func similarity(h, c string) float64 {
	if h == "" || c == "" {
		return 0
	}
	if h == c {
		return 1
	}
	hc, cc := strings.ReplaceAll(h, " ", ""), strings.ReplaceAll(c, " ", "")
	if hc == cc {
		return 0.97
	}
	ht, ct := strings.Fields(h), strings.Fields(c)
	if sameSet(ht, ct) {
		return 0.95
	}
	best := 0.0
	hr, cr := []rune(hc), []rune(cc)
	// The distance is at least the difference in length: only names of
	// close lengths can score.
	if n := max(len(hr), len(cr)); n >= 5 && 10*abs(len(hr)-len(cr)) <= n {
		r := 1 - float64(transforms.Distance(hc, cc))/float64(n)
		// One typo in a long name; short names differ by a letter too
		// often ("contract", "contact") to be matched that way.
		best = 0.9*r - 0.2
	}
	if len(ct) == 1 && len(ht) > 1 && slices.Contains(ht, ct[0]) {
		// One word of several ("code" in "access code"): a hint only.
		best = max(best, 0.55)
	}
	if len(ct) > 1 && len(ct) < len(ht) && containsAll(ht, ct) {
		best = max(best, 0.5+0.3*float64(len(ct))/float64(len(ht)))
	}
	return best
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && containsAll(a, b) && containsAll(b, a)
}

func containsAll(set, sub []string) bool {
	for _, w := range sub {
		if !slices.Contains(set, w) {
			return false
		}
	}
	return true
}

// matcher compares headers with the fields of one entity.
type matcher struct {
	entity *catalog.Entity
	names  [][]string // names[i]: the normalised names of entity.Fields[i]
	own    []string   // the entity's own words
}

func newMatcher(e *catalog.Entity) *matcher {
	m := &matcher{entity: e, own: table.entities[e.Name]}
	for _, f := range e.Fields {
		var names []string
		add := func(s string) {
			if n := normalize(s); n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		keys := append([]string{f.Name}, f.Aliases...)
		if f.Kind != catalog.KindID {
			// Synchroteam ids match only their synonyms: a file's "ID" is
			// its own.
			for _, k := range keys {
				add(k)
				if _, last, ok := strings.Cut(k, "."); ok {
					add(last)
				}
			}
		}
		for _, k := range keys {
			for _, s := range table.fields[e.Name+":"+k] {
				add(s)
			}
			for _, s := range table.fields[k] {
				add(s)
			}
		}
		m.names = append(m.names, names)
	}
	return m
}

// score is how well header matches field i, the name it matched, and
// whether it matched once the entity's own words were dropped ("SiteCode"
// is a site's "code").
func (m *matcher) score(header string, i int) (float64, string, bool) {
	h := normalize(header)
	return m.scoreNorm(h, m.withoutOwn(h), i)
}

// scoreNorm is score for a header already normalised (h), and without the
// entity's own words (bare).
func (m *matcher) scoreNorm(h, bare string, i int) (float64, string, bool) {
	best, via, own := 0.0, "", false
	for _, n := range m.names[i] {
		if s := similarity(h, n); s > best {
			best, via, own = s, n, false
		}
		if bare == h {
			continue
		}
		if s := similarity(bare, n) * 0.99; s > best {
			best, via, own = s, n, true
		}
	}
	return best, via, own
}

// withoutOwn drops the entity's own words from a header of several words.
func (m *matcher) withoutOwn(h string) string {
	ws := strings.Fields(h)
	var kept []string
	for _, w := range ws {
		if !slices.Contains(m.own, w) {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return h
	}
	return strings.Join(kept, " ")
}

// Pair is a column matched to a field.
type Pair struct {
	Column int     // index in the header
	Field  string  // the entity's field name
	Score  float64 // 0 to 1
	Via    string  // the normalised name that matched
	Own    bool    // matched without the entity's own words
}

// Assign matches header columns to the entity's fields: each column to one
// field at most and each field to one column at most, best scores first
// (ties: the leftmost column, then the field listed first). Pairs come
// sorted by column.
func Assign(e *catalog.Entity, header []string) []Pair {
	m := newMatcher(e)
	var all []Pair
	for c, raw := range header {
		h := normalize(raw)
		bare := m.withoutOwn(h)
		for i, f := range e.Fields {
			if s, via, own := m.scoreNorm(h, bare, i); s >= minScore {
				all = append(all, Pair{Column: c, Field: f.Name, Score: s, Via: via, Own: own})
			}
		}
	}
	fieldIndex := func(name string) int {
		return slices.IndexFunc(e.Fields, func(f catalog.Field) bool { return f.Name == name })
	}
	sort.SliceStable(all, func(a, b int) bool {
		if all[a].Score != all[b].Score {
			return all[a].Score > all[b].Score
		}
		if all[a].Column != all[b].Column {
			return all[a].Column < all[b].Column
		}
		return fieldIndex(all[a].Field) < fieldIndex(all[b].Field)
	})
	usedCol := map[int]bool{}
	usedField := map[string]bool{}
	var out []Pair
	for _, p := range all {
		if usedCol[p.Column] || usedField[p.Field] {
			continue
		}
		usedCol[p.Column], usedField[p.Field] = true, true
		out = append(out, p)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Column < out[b].Column })
	return out
}

// Candidate is a field a column resembles.
type Candidate struct {
	Field string
	Score float64
}

// candidates returns the fields closest to a header, best first, at most n.
func candidates(e *catalog.Entity, header string, n int) []Candidate {
	m := newMatcher(e)
	var out []Candidate
	for i, f := range e.Fields {
		if s, _, _ := m.score(header, i); s >= 0.5 {
			out = append(out, Candidate{f.Name, s})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Score > out[b].Score })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Guess scores every entity of the registry on the header: the sum of its
// matched columns' scores, plus half a point for each column that names the
// entity itself ("SiteCode" for a site) and one when one of its natural
// keys is matched. Entities come best first (ties: import order).
func Guess(header []string) []Scored {
	var out []Scored
	for _, e := range catalog.All() {
		var s float64
		pairs := Assign(e, header)
		keyed := false
		for _, p := range pairs {
			s += p.Score
			if p.Own {
				s += 0.5
			}
			if slices.Contains(e.Keys, p.Field) && !slices.Contains(e.IDs, p.Field) {
				keyed = true
			}
		}
		if keyed {
			s++
		}
		out = append(out, Scored{Entity: e, Score: s, Matched: len(pairs)})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Score > out[b].Score })
	return out
}

// Scored is an entity and how well a header matches it.
type Scored struct {
	Entity  *catalog.Entity
	Score   float64
	Matched int // columns matched
}

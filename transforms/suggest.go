package transforms

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Suggest returns the candidate closest to name, for a "did you mean"
// hint, or "" when none is close enough. Names are compared without regard
// to case or accents, by Damerau–Levenshtein distance (optimal string
// alignment); a candidate is close enough when at most a third of name's
// characters (at least one, at most three) must change. Ties go to the
// earlier candidate.
func Suggest(name string, candidates []string) string {
	key := []rune(fold(name))
	limit := min(max(len(key)/3, 1), 3)
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := distance(key, []rune(fold(c))); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// fold lower-cases s and removes its accents.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Distance is the optimal string alignment distance between two names:
// insertions, deletions, substitutions and swaps of adjacent characters,
// counted in runes.
func Distance(a, b string) int { return distance([]rune(a), []rune(b)) }

// distance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of adjacent characters.
func distance(a, b []rune) int {
	// d[i][j] is the distance between a[:i] and b[:j]; three rows suffice.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

package files

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameBytes is the longest name, in bytes, that SafeName returns.
const maxNameBytes = 120

// maxExtBytes is the longest extension (without its dot) that SafeName and
// Unique keep when they shorten or number a name.
const maxExtBytes = 10

// SafeName makes s a single safe file or folder name, on every OS:
//   - path separators / and \ become "_"; control characters (below 0x20,
//     0x7f and 0x80 to 0x9f) and the characters Windows refuses
//     (< > : " | ? *) become "_"; bidi controls (U+202A–U+202E,
//     U+2066–U+2069, U+200E, U+200F) are removed;
//   - leading and trailing spaces and dots are trimmed, so "." and ".."
//     never survive;
//   - names Windows reserves (CON, PRN, AUX, NUL, CONIN$, CONOUT$, COM0-9,
//     LPT0-9, COM¹²³, LPT¹²³), also with any extension and in any case, such
//     as "con.txt", get a "_" prefix;
//   - each byte of invalid UTF-8 becomes "_"; the result is cut to at most
//     120 bytes on a rune boundary, keeping the extension (the part after
//     the last dot) when it is at most 10 bytes long, so a long "x….jpg"
//     stays a .jpg;
//   - an empty result becomes "_".
//
// SafeName is idempotent: SafeName(SafeName(s)) == SafeName(s), and the
// same input always gives the same output.
func SafeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteByte('_')
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			b.WriteByte('_')
		case strings.ContainsRune(`/\<>:"|?*`, r):
			b.WriteByte('_')
		case bidiControl(r):
		default:
			b.WriteRune(r)
		}
	}
	name := strings.Trim(b.String(), " .")
	if name == "" {
		return "_"
	}
	name = cutName(name, maxNameBytes)
	if reservedName(name) {
		// The prefix makes the part before the first dot start with "_",
		// which no reserved name does, so cutting again cannot bring a
		// reserved name back.
		name = cutName("_"+name, maxNameBytes)
	}
	return name
}

// splitExt splits name into its stem and its extension: the last dot and
// what follows it, when that is 1 to maxExtBytes bytes long and the dot is
// not the first byte. Otherwise ext is empty.
func splitExt(name string) (stem, ext string) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name)-i-1 < 1 || len(name)-i-1 > maxExtBytes {
		return name, ""
	}
	return name[:i], name[i:]
}

// cutName shortens name, which has no leading or trailing space or dot, to
// at most max bytes on a rune boundary, keeping its extension, and trims
// the spaces and dots that the cut may leave at the end.
func cutName(name string, max int) string {
	if len(name) <= max {
		return name
	}
	stem, ext := splitExt(name)
	return strings.TrimRight(cutBytes(stem, max-len(ext))+ext, " .")
}

// cutBytes returns the longest prefix of s that has at most n bytes and
// ends on a rune boundary.
func cutBytes(s string, n int) string {
	if n >= len(s) {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// reservedName reports whether Windows treats name as a device: the part
// before its first dot, without trailing spaces, is a reserved device name
// in any case.
func reservedName(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.TrimRight(stem, " ")
	switch strings.ToUpper(stem) {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) < 4 {
		return false
	}
	if p := strings.ToUpper(stem[:3]); p != "COM" && p != "LPT" {
		return false
	}
	switch stem[3:] {
	case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
		return true
	}
	return false
}

// Unique makes the names of one group distinct, deterministically. The
// first occurrence of a name keeps it; the k-th occurrence of a name equal
// to an earlier one (compared without regard to case, as Windows and macOS
// folders do) becomes "name-k.ext", the number going before the extension
// of the last element, or a higher k when that name is taken by another
// name of the group. The result never has two names equal without regard
// to case. A numbered last element keeps within 120 bytes by shortening its
// stem.
func Unique(paths []string) []string {
	out := make([]string, len(paths))
	taken := make(map[string]bool, len(paths))
	for _, p := range paths {
		taken[FoldKey(p)] = true
	}
	count := make(map[string]int, len(paths))
	used := make(map[string]bool, len(paths))
	for i, p := range paths {
		key := FoldKey(p)
		count[key]++
		if !used[key] {
			used[key] = true
			out[i] = p
			continue
		}
		for k := count[key]; ; k++ {
			c := Numbered(p, k)
			ck := FoldKey(c)
			if !taken[ck] && !used[ck] {
				used[ck] = true
				out[i] = c
				break
			}
		}
	}
	return out
}

// Numbered puts "-k" before the extension of the last element of the
// slash-separated path p, keeping that element within 120 bytes:
// Numbered("a/report.pdf", 2) is "a/report-2.pdf".
func Numbered(p string, k int) string {
	dir, base := "", p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir, base = p[:i+1], p[i+1:]
	}
	stem, ext := splitExt(base)
	suffix := "-" + strconv.Itoa(k)
	if len(stem)+len(suffix)+len(ext) > maxNameBytes {
		stem = cutBytes(stem, maxNameBytes-len(suffix)-len(ext))
	}
	return dir + stem + suffix + ext
}

// FoldKey maps s to a key that is equal for strings equal under Unicode
// simple case folding, as strings.EqualFold compares them: the key Unique
// compares names by, for maps and locks that must see "Photo.JPG" and
// "photo.jpg" as one name, as Windows and macOS folders do.
func FoldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b.WriteRune(m)
	}
	return b.String()
}

// bidiControl reports the Unicode bidirectional controls (embeddings and
// overrides U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E and
// U+200F): in a name they make it read otherwise than it is, such as
// "invoice‮gpj.exe" shown as "invoiceexe.jpg".
func bidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f
}

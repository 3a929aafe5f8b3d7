package transforms

import (
	"strings"
	"testing"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// The shortcuts of squash, title and the email check must give what the
// general code gives: these compare them on tricky texts, and fuzz them.

// squashReference is squash as first written, rune by rune.
func squashReference(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if isSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

var trickyTexts = []string{
	"", " ", "a", "a b", "a  b", " a", "a ", "a\tb", "a\nb", "a\u00a0b", "a\u200bb", "a\ufeffb", "a\u2060b",
	"a\u2028b", "a\u3000b", "a\u0085b", "a\ufffdb", "\ufffd \xff\xfe", "a\x01b", "a\x7fb", "bad \xff utf-8", "\xc3", "é à", "ÉLODIE  DUPRÉ",
	"élodie dupré", "jean-jaurès", "o'neil", "l'étoile", "d’artagnan", "ǆungla", "ĳssel", "straße", "ΣΊΣΥΦΟΣ",
	"3rd street", "mcdonald's", "l.a. café", "x" + strings.Repeat("é", 200) + " y", strings.Repeat("ab cd ", 60),
	"İstanbul", "ııı", "a_b", "a1b", "«citation»", "𝔸𝔹 𝕔", "🙂 smile",
}

func TestSquashShortcut(t *testing.T) {
	t.Parallel()
	for _, s := range trickyTexts {
		if got, want := squash(s), squashReference(s); got != want {
			t.Errorf("squash(%q) = %q, want %q", s, got, want)
		}
		if got, want := squashRuns(s), squashReference(s); got != want {
			t.Errorf("squashRuns(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestTitleAsCaser(t *testing.T) {
	t.Parallel()
	for _, tag := range []language.Tag{language.Und, language.Dutch, language.Turkish, language.French, language.Greek} {
		tc := newTitleCaser(tag)
		for _, s := range trickyTexts {
			if got, want := tc.String(s), cases.Title(tag).String(s); got != want {
				t.Errorf("title %v (%q) = %q, want %q", tag, s, got, want)
			}
		}
	}
}

var trickyEmails = []string{
	"a@b.c", "a@b", "A.B@c.d", "a..b@c.d", ".a@b.c", "a.@b.c", "a@.b.c", "a@b.c.", "a@b..c", "@b.c", "a@", "a@@b.c",
	"a b@c.d", " a@b.c", "a@b.c ", "a@b.c (comment)", "Name <a@b.c>", "<a@b.c>", "\"quoted\"@b.c", "a@[1.2.3.4]",
	"a+tag@b.c", "a/b=c?d^e_f`g{h|i}j~k!l#m$n%o&p'q*r@b-c.d", "é@b.c", "a@ü.de", "a@b.c\xff", "a(b)@c.d",
	"a@b,c.d", "a;b@c.d", "a:b@c.d", "a\\b@c.d", "a@b\t.c", "a\x00@b.c", "a@b.c\r\n", "contact.12@lenoeudpapillon.example",
	"ventas1@ferreteria-nunez", "group: a@b.c;", "a@b.c, d@e.f", "a@-b.c", "a@b.c-",
}

func TestEmailShortcut(t *testing.T) {
	t.Parallel()
	shortcut := 0
	for _, s := range trickyEmails {
		if _, ok := plainAddress(s); ok {
			shortcut++
		}
		if got, want := errText(checkEmail(s)), errText(checkEmailMail(s)); got != want {
			t.Errorf("checkEmail(%q) = %q, net/mail says %q", s, got, want)
		}
	}
	if shortcut == 0 {
		t.Error("no address took the shortcut")
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestSplitEmptyIsNil(t *testing.T) {
	t.Parallel()
	for _, s := range []string{";;", " ; ", ""} {
		v, err := splitTransform{";"}.Apply(Text(s))
		if err != nil || !v.IsList() || v.items != nil {
			t.Errorf("split(%q) = %#v, %v; want a nil list", s, v, err)
		}
	}
}

func FuzzTextShortcuts(f *testing.F) {
	for _, s := range append(append([]string{}, trickyTexts...), trickyEmails...) {
		f.Add(s)
	}
	title := newTitleCaser(language.Und)
	nl := newTitleCaser(language.Dutch)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := squash(s), squashReference(s); got != want {
			t.Fatalf("squash(%q) = %q, want %q", s, got, want)
		}
		if got, want := squashRuns(s), squashReference(s); got != want {
			t.Fatalf("squashRuns(%q) = %q, want %q", s, got, want)
		}
		if got, want := title.String(s), cases.Title(language.Und).String(s); got != want {
			t.Fatalf("title(%q) = %q, want %q", s, got, want)
		}
		if got, want := nl.String(s), cases.Title(language.Dutch).String(s); got != want {
			t.Fatalf("title nl (%q) = %q, want %q", s, got, want)
		}
		if got, want := errText(checkEmail(s)), errText(checkEmailMail(s)); got != want {
			t.Fatalf("checkEmail(%q) = %q, net/mail says %q", s, got, want)
		}
	})
}

var trickyNumbers = []string{
	"0", "00", "007", "-0", "+0", "-00.000", "1", "-1", "+1", "12,50", "12.50", "0,0", "0.5", ",5", "5,", ".5", "5.",
	"1,234", "1.234", "12,500", "1,2,3", "1.2,3", "1 234,5", "47,2126", "-6,7887", "−3,5", " 4,2 ", "1e3", "1,5e3",
	"123456789012345678901234567890", "1234567890123456789012345678901", "0000000000000000000000000000001,5",
	"99999999999999999999999999999,9", "1 234", "1'234", "abc", "-", "+", "1-2", "١٢", "１２",
}

func TestNumberShortcut(t *testing.T) {
	t.Parallel()
	formats := []numberFormat{{}, {decimal: ','}, {decimal: '.'}, {decimal: ',', thousands: ' '}, {thousands: 'n'}, {thousands: '.'}, {decimal: '.', thousands: ','}}
	plain := 0
	for _, s := range trickyNumbers {
		for _, f := range formats {
			got, err := readNumber(s, f, true)
			want, wantErr := readNumber(s, f, false)
			if got != want || errText(err) != errText(wantErr) {
				t.Errorf("parseNumber(%q, %+v) = %q, %v; without the shortcut %q, %v", s, f, got, err, want, wantErr)
			}
			if t := trimSpace(s); t != "" {
				if _, ok := plainNumber(strings.TrimLeft(t, "+-"), false, f.decimal); ok {
					plain++
				}
			}
		}
	}
	if plain == 0 {
		t.Error("no number took the shortcut")
	}
}

func FuzzNumberShortcut(f *testing.F) {
	for _, s := range trickyNumbers {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	formats := []numberFormat{{}, {decimal: ','}, {decimal: '.'}, {decimal: ',', thousands: ' '}}
	f.Fuzz(func(t *testing.T, s string, mode uint8) {
		fm := formats[int(mode)%len(formats)]
		got, err := readNumber(s, fm, true)
		want, wantErr := readNumber(s, fm, false)
		if got != want || errText(err) != errText(wantErr) {
			t.Fatalf("parseNumber(%q, %+v) = %q, %v; without the shortcut %q, %v", s, fm, got, err, want, wantErr)
		}
	})
}

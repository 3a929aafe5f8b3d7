package readers

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// sniffSize bounds what detection looks at: the first bytes of a file.
const sniffSize = 64 << 10

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// decoding is the text stream of a file and how it was obtained.
type decoding struct {
	r        io.Reader
	encoding string
	bom      bool
	// strict is set when UTF-8 was asked for: rows holding invalid UTF-8
	// are then row errors instead of being repaired.
	strict bool
	// fallback is the auto UTF-8 decoder, which may switch to windows-1252.
	fallback *fallbackReader
}

// decode sniffs raw's first bytes and returns a UTF-8 stream. A byte order
// mark always wins over the asked encoding and is dropped. want is one of
// the names CSVOptions.Encoding documents, or any IANA name.
func decode(raw *bufio.Reader, want string) (*decoding, error) {
	peek, _ := raw.Peek(sniffSize)
	switch {
	case bytes.HasPrefix(peek, bomUTF8):
		_, _ = raw.Discard(len(bomUTF8))
		fb := newFallbackReader(raw)
		d := &decoding{r: fb, encoding: "utf-8", bom: true, fallback: fb}
		if norm(want) == "utf-8" {
			d.r, d.fallback, d.strict = raw, nil, true
		}
		return d, nil
	case bytes.HasPrefix(peek, bomUTF16LE):
		_, _ = raw.Discard(len(bomUTF16LE))
		return &decoding{r: utf16Reader(raw, unicode.LittleEndian), encoding: "utf-16le", bom: true}, nil
	case bytes.HasPrefix(peek, bomUTF16BE):
		_, _ = raw.Discard(len(bomUTF16BE))
		return &decoding{r: utf16Reader(raw, unicode.BigEndian), encoding: "utf-16be", bom: true}, nil
	}

	switch w := norm(want); w {
	case "", "auto":
		if e, ok := sniffUTF16(peek); ok {
			return &decoding{r: utf16Reader(raw, e), encoding: utf16Name(e)}, nil
		}
		if !validUTF8Prefix(peek, len(peek) < sniffSize) {
			if looksMacRoman(peek) {
				return &decoding{r: charmap.Macintosh.NewDecoder().Reader(raw), encoding: "macintosh"}, nil
			}
			return &decoding{r: charmap.Windows1252.NewDecoder().Reader(raw), encoding: "windows-1252"}, nil
		}
		fb := newFallbackReader(raw)
		return &decoding{r: fb, encoding: "utf-8", fallback: fb}, nil
	case "utf-8":
		return &decoding{r: raw, encoding: w, strict: true}, nil
	case "utf-16", "utf-16le":
		return &decoding{r: utf16Reader(raw, unicode.LittleEndian), encoding: "utf-16le"}, nil
	case "utf-16be":
		return &decoding{r: utf16Reader(raw, unicode.BigEndian), encoding: w}, nil
	case "windows-1252":
		return &decoding{r: charmap.Windows1252.NewDecoder().Reader(raw), encoding: w}, nil
	case "iso-8859-1":
		return &decoding{r: charmap.ISO8859_1.NewDecoder().Reader(raw), encoding: w}, nil
	case "iso-8859-15":
		return &decoding{r: charmap.ISO8859_15.NewDecoder().Reader(raw), encoding: w}, nil
	default:
		e, err := ianaindex.IANA.Encoding(want)
		if err != nil || e == nil {
			return nil, fmt.Errorf("unknown encoding %q: use auto, utf-8, utf-16, utf-16le, utf-16be, windows-1252, iso-8859-1, iso-8859-15 or another IANA name", want)
		}
		return &decoding{r: e.NewDecoder().Reader(raw), encoding: w}, nil
	}
}

// norm maps the usual spellings of the encodings we name to one name.
func norm(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.ReplaceAll(n, "_", "-")
	switch n {
	case "utf8":
		return "utf-8"
	case "utf16":
		return "utf-16"
	case "utf16le", "utf-16-le", "ucs-2", "ucs-2le", "unicode":
		return "utf-16le"
	case "utf16be", "utf-16-be", "ucs-2be":
		return "utf-16be"
	case "cp1252", "windows1252", "win1252", "ansi":
		return "windows-1252"
	case "latin1", "latin-1", "iso8859-1", "iso88591":
		return "iso-8859-1"
	case "latin9", "latin-9", "iso8859-15", "iso885915":
		return "iso-8859-15"
	}
	return n
}

func utf16Reader(r io.Reader, e unicode.Endianness) io.Reader {
	var enc encoding.Encoding = unicode.UTF16(e, unicode.IgnoreBOM)
	return enc.NewDecoder().Reader(r)
}

func utf16Name(e unicode.Endianness) string {
	if e == unicode.BigEndian {
		return "utf-16be"
	}
	return "utf-16le"
}

// sniffUTF16 recognises UTF-16 text without a byte order mark by its zero
// bytes: mostly-ASCII text has one in every other byte.
func sniffUTF16(peek []byte) (unicode.Endianness, bool) {
	n := min(len(peek), 1024) &^ 1
	if n < 4 {
		return unicode.LittleEndian, false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if peek[i] == 0 {
			even++
		}
		if peek[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*10 >= pairs*3 && even == 0:
		return unicode.LittleEndian, true
	case even*10 >= pairs*3 && odd == 0:
		return unicode.BigEndian, true
	}
	return unicode.LittleEndian, false
}

// looksMacRoman tells Mac Roman text (Excel for Mac's plain CSV) from
// windows-1252: Mac Roman puts the common accented letters (é è à ç ü …)
// at bytes that windows-1252 gives rare symbols (Ž ‰ ‡ š …) or nothing,
// and windows-1252 puts them at 0xC0 and above.
func looksMacRoman(b []byte) bool {
	var mac, win int
	for _, c := range b {
		switch {
		case c == 0x82, c == 0x83, c >= 0x87 && c <= 0x90, c == 0x9A, c >= 0x9D && c <= 0x9F:
			mac++
		case c >= 0xC0:
			win++
		}
	}
	return mac > 0 && mac > 2*win
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a rune cut
// at the end when b is only the first part of the file.
func validUTF8Prefix(b []byte, whole bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if whole {
		return false
	}
	for cut := 1; cut <= utf8.UTFMax-1 && cut <= len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) && !utf8.FullRune(b[len(b)-cut:]) {
			return true
		}
	}
	return false
}

// fallbackReader passes valid UTF-8 through and decodes each byte that is
// not part of valid UTF-8 as windows-1252. When such a byte comes before
// any non-ASCII UTF-8, the file is taken to be windows-1252 from then on
// (everything before was ASCII, which both encodings share).
type fallbackReader struct {
	r        io.Reader
	buf      []byte // raw input; its first carry bytes are a rune cut by the last read
	carry    int
	out      []byte // decoded, not yet returned
	off      int
	err      error
	nonASCII bool // valid multi-byte UTF-8 seen
	cp1252   bool // switched to windows-1252 for the rest
}

func newFallbackReader(r io.Reader) *fallbackReader {
	return &fallbackReader{r: r, buf: make([]byte, 32<<10), out: make([]byte, 0, 40<<10)}
}

// switched reports whether the reader decided the file is windows-1252.
func (f *fallbackReader) switched() bool { return f.cp1252 }

func (f *fallbackReader) Read(p []byte) (int, error) {
	for f.off == len(f.out) {
		if f.err != nil {
			return 0, f.err
		}
		f.fill()
	}
	n := copy(p, f.out[f.off:])
	f.off += n
	return n, nil
}

func (f *fallbackReader) fill() {
	n, err := f.r.Read(f.buf[f.carry:])
	f.err = err
	data := f.buf[:f.carry+n]
	f.out, f.off, f.carry = f.out[:0], 0, 0
	for i := 0; i < len(data); {
		b := data[i]
		if b < utf8.RuneSelf {
			f.out = append(f.out, b)
			i++
			continue
		}
		if f.cp1252 {
			f.out = utf8.AppendRune(f.out, charmap.Windows1252.DecodeByte(b))
			i++
			continue
		}
		if !utf8.FullRune(data[i:]) && f.err == nil {
			f.carry = copy(f.buf, data[i:])
			break
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			if !f.nonASCII {
				f.cp1252 = true
			}
			f.out = utf8.AppendRune(f.out, charmap.Windows1252.DecodeByte(b))
			i++
			continue
		}
		f.nonASCII = true
		f.out = append(f.out, data[i:i+size]...)
		i += size
	}
}

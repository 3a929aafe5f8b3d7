package readers

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// The text of elements, for the scanner of xlsx_xml.go: character data and
// CDATA, references decoded, line ends normalised.

// text appends the text of the current element to dst, up to its end tag
// (which it reads): character data and CDATA directly inside it, with
// references decoded and line ends normalised to LF as XML requires;
// child elements are skipped. Past limit bytes, text is read but no longer
// kept, and over is true.
func (s *xmlScanner) text(dst []byte, limit int) (out []byte, over bool, err error) {
	if s.empty {
		return dst, false, nil
	}
	d := len(s.stack)
	base := len(dst)
	s.pendingCR = false
	for {
		chunk := s.buf[s.pos:s.end]
		i := bytes.IndexByte(chunk, '<')
		if i < 0 {
			// Keep a possibly cut reference for the next round.
			take := len(chunk)
			if amp := bytes.LastIndexByte(chunk, '&'); amp >= 0 && bytes.IndexByte(chunk[amp:], ';') < 0 && take-amp < 16 {
				take = amp
			}
			if dst, over, err = s.appendText(dst, chunk[:take], base, limit, over); err != nil {
				return dst, over, err
			}
			s.pos += take
			if !s.fill() {
				if s.rerr != nil && s.rerr != io.EOF {
					return dst, over, s.rerr
				}
				if s.pos < s.end {
					return dst, over, s.errorf("an unfinished reference %q", s.buf[s.pos:s.end])
				}
				return dst, over, s.errorf("the part ends inside <%s>", s.stack[len(s.stack)-1])
			}
			continue
		}
		if dst, over, err = s.appendText(dst, chunk[:i], base, limit, over); err != nil {
			return dst, over, err
		}
		s.pos += i
		s.pendingCR = false // the text run ends here
		if s.end-s.pos < 2 || s.buf[s.pos+1] == '!' {
			for s.end-s.pos < 9 {
				if !s.fill() {
					break
				}
			}
		}
		if bytes.HasPrefix(s.buf[s.pos:s.end], []byte("<![CDATA[")) {
			if dst, over, err = s.cdata(dst, base, limit, over); err != nil {
				return dst, over, err
			}
			continue
		}
		isElem, start, err := s.markup()
		if err != nil {
			return dst, over, err
		}
		if !isElem {
			continue
		}
		if start {
			if err := s.skip(); err != nil {
				return dst, over, err
			}
			continue
		}
		if len(s.stack) < d {
			return dst, over, nil
		}
	}
}

// appendText decodes raw text onto dst; past limit bytes of text (from
// base) it keeps nothing more and reports over.
func (s *xmlScanner) appendText(dst, raw []byte, base, limit int, over bool) ([]byte, bool, error) {
	if over || len(raw) == 0 {
		return dst, over, nil
	}
	if s.pendingCR {
		s.pendingCR = false
		if raw[0] == '\n' {
			raw = raw[1:]
		}
	}
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		dst = append(dst, raw...)
	} else {
		var err error
		if dst, err = s.appendRaw(dst, raw); err != nil {
			return dst, over, err
		}
	}
	if len(dst)-base > limit {
		return dst[:base+limit], true, nil
	}
	return dst, false, nil
}

// appendRaw decodes references and line ends of raw onto dst.
func (s *xmlScanner) appendRaw(dst, raw []byte) ([]byte, error) {
	for len(raw) > 0 {
		c := raw[0]
		switch c {
		case '\r':
			dst = append(dst, '\n')
			raw = raw[1:]
			if len(raw) == 0 {
				s.pendingCR = true
			} else if raw[0] == '\n' {
				raw = raw[1:]
			}
			continue
		case '&':
			semi := bytes.IndexByte(raw, ';')
			if semi < 0 {
				return dst, s.errorf("an unfinished reference %q", raw)
			}
			var ok bool
			if dst, ok = appendReference(dst, raw[1:semi]); !ok {
				return dst, s.errorf("unknown entity or bad character reference &%s;", raw[1:semi])
			}
			raw = raw[semi+1:]
			continue
		}
		j := bytes.IndexAny(raw, "\r&")
		if j < 0 {
			j = len(raw)
		}
		dst = append(dst, raw[:j]...)
		raw = raw[j:]
	}
	return dst, nil
}

// cdata appends a CDATA section's content (line ends normalised).
func (s *xmlScanner) cdata(dst []byte, base, limit int, over bool) ([]byte, bool, error) {
	s.pos += len("<![CDATA[")
	for {
		chunk := s.buf[s.pos:s.end]
		if i := bytes.Index(chunk, []byte("]]>")); i >= 0 {
			dst, over = s.appendCDATA(dst, chunk[:i], base, limit, over)
			s.pos += i + 3
			s.pendingCR = false
			return dst, over, nil
		}
		take := max(len(chunk)-2, 0)
		dst, over = s.appendCDATA(dst, chunk[:take], base, limit, over)
		s.pos += take
		if !s.fill() {
			return dst, over, s.readErr("a CDATA section")
		}
	}
}

func (s *xmlScanner) appendCDATA(dst, raw []byte, base, limit int, over bool) ([]byte, bool) {
	if over || len(raw) == 0 {
		return dst, over
	}
	if s.pendingCR && raw[0] == '\n' {
		raw = raw[1:]
	}
	s.pendingCR = false
	for len(raw) > 0 {
		j := bytes.IndexByte(raw, '\r')
		if j < 0 {
			dst = append(dst, raw...)
			break
		}
		dst = append(dst, raw[:j]...)
		dst = append(dst, '\n')
		raw = raw[j+1:]
		if len(raw) == 0 {
			s.pendingCR = true
		} else if raw[0] == '\n' {
			raw = raw[1:]
		}
	}
	if len(dst)-base > limit {
		return dst[:base+limit], true
	}
	return dst, false
}

// appendReference appends what the reference &ref; stands for. A character
// reference to a code point that is not a character gives U+FFFD.
func appendReference(dst, ref []byte) ([]byte, bool) {
	switch string(ref) {
	case "lt":
		return append(dst, '<'), true
	case "gt":
		return append(dst, '>'), true
	case "amp":
		return append(dst, '&'), true
	case "quot":
		return append(dst, '"'), true
	case "apos":
		return append(dst, '\''), true
	}
	if len(ref) < 2 || ref[0] != '#' {
		return dst, false
	}
	var n uint64
	var err error
	if ref[1] == 'x' {
		n, err = strconv.ParseUint(string(ref[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(ref[1:]), 10, 32)
	}
	if err != nil {
		return dst, false
	}
	r := rune(n)
	if n == 0 || n > utf8.MaxRune || !utf8.ValidRune(r) {
		r = utf8.RuneError
	}
	return utf8.AppendRune(dst, r), true
}

// appendUnescaped decodes the references of an attribute value.
func appendUnescaped(dst, raw []byte) ([]byte, error) {
	for len(raw) > 0 {
		amp := bytes.IndexByte(raw, '&')
		if amp < 0 {
			return append(dst, raw...), nil
		}
		dst = append(dst, raw[:amp]...)
		semi := bytes.IndexByte(raw[amp:], ';')
		if semi < 0 {
			return dst, errors.New("unfinished reference")
		}
		var ok bool
		if dst, ok = appendReference(dst, raw[amp+1:amp+semi]); !ok {
			return dst, errors.New("bad reference")
		}
		raw = raw[amp+semi+1:]
	}
	return dst, nil
}

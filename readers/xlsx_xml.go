package readers

import (
	"bytes"
	"context"
	"fmt"
	"io"
)

// xmlScanner reads the elements of a workbook part one at a time: the
// small grammar sheets and shared strings use (elements, attributes, text
// with entity and character references, CDATA; comments, processing
// instructions and a DOCTYPE are skipped). It holds at most one tag and
// one buffer of input: text that is not asked for is skipped as it
// streams by, whatever its size. Element names are compared by their local
// part, so <x:row> is a row, as for encoding/xml's Name.Local.
//
// It is not a validating parser: it checks that end tags close the element
// opened (a damaged part is an error, not a silently shorter sheet), that
// nesting stays under a depth, and that tags end.
type xmlScanner struct {
	r    io.Reader
	rerr error  // the reader's error, given once buf is consumed
	buf  []byte // buf[pos:end] is input not yet read
	pos  int
	end  int
	off  int64 // input offset of buf[0]

	maxTag   int // longest tag held whole
	maxDepth int

	stack [][]byte // names of the open elements
	names []byte   // storage of the names in stack

	// The current start or end element.
	name     []byte // local name
	attrs    []byte // raw attributes of a start element
	empty    bool   // a start element closed at once (<c/>)
	nattr    int    // attributes in attrList, -1 before they are parsed
	attrList []xmlAttr
	attrBuf  []byte

	pendingCR bool // text: a CR ended the last chunk

	// ctx, when set, is checked before each read of input.
	ctx context.Context
}

// A syntaxError tells where a part is not XML as sheets are written.
type syntaxError struct {
	off int64
	msg string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("malformed XML at byte %d: %s", e.off, e.msg)
}

const (
	xmlBufSize = 64 << 10
	// xmlMaxTag is the longest tag (name and attributes) read: real tags
	// are a few hundred bytes.
	xmlMaxTag = 1 << 20
)

func newXMLScanner(r io.Reader, maxDepth int) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, xmlBufSize), maxTag: xmlMaxTag, maxDepth: maxDepth}
}

// offset is the input offset of the next byte to read.
func (s *xmlScanner) offset() int64 { return s.off + int64(s.pos) }

// depth is the number of open elements.
func (s *xmlScanner) depth() int { return len(s.stack) }

func (s *xmlScanner) errorf(format string, args ...any) error {
	return &syntaxError{off: s.offset(), msg: fmt.Sprintf(format, args...)}
}

// fill reads more input, keeping buf[pos:end]; it grows buf up to maxTag
// when it is full. It returns false at the end of the input or on an error
// (s.rerr).
func (s *xmlScanner) fill() bool {
	if s.rerr != nil {
		return false
	}
	if s.ctx != nil && s.ctx.Err() != nil {
		s.rerr = s.ctx.Err()
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.off += int64(s.pos)
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.maxTag {
			return false
		}
		nb := make([]byte, min(2*len(s.buf), s.maxTag))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.rerr = io.ErrNoProgress
	return false
}

// readErr is the error for input that ended where it should not have.
func (s *xmlScanner) readErr(what string) error {
	if s.rerr != nil && s.rerr != io.EOF {
		return s.rerr
	}
	if s.end-s.pos >= s.maxTag {
		return s.errorf("%s longer than %s", what, byteSize(int64(s.maxTag)))
	}
	return s.errorf("the part ends inside %s", what)
}

// next moves to the next start or end element, skipping text and
// everything that is not an element. It returns io.EOF at the end of the
// input when no element is open.
func (s *xmlScanner) next() (start bool, err error) {
	for {
		i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
		if i < 0 {
			s.pos = s.end
			if !s.fill() {
				if s.rerr != nil && s.rerr != io.EOF {
					return false, s.rerr
				}
				if len(s.stack) > 0 {
					return false, s.errorf("the part ends inside <%s>", s.stack[len(s.stack)-1])
				}
				return false, io.EOF
			}
			continue
		}
		s.pos += i
		isElem, start, err := s.markup()
		if err != nil || isElem {
			return start, err
		}
	}
}

// markup reads the markup at s.pos ('<'): an element's tag, which it
// reports, or something to skip.
func (s *xmlScanner) markup() (isElem, start bool, err error) {
	if s.end-s.pos < 2 && !s.fill() || s.end-s.pos < 2 {
		return false, false, s.readErr("a tag")
	}
	switch s.buf[s.pos+1] {
	case '/':
		return true, false, s.endTag()
	case '?':
		return false, false, s.skipPast("?>", "a processing instruction")
	case '!':
		for s.end-s.pos < 9 {
			if !s.fill() {
				break
			}
		}
		rest := s.buf[s.pos:s.end]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			return false, false, s.skipPast("-->", "a comment")
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			return false, false, s.skipPast("]]>", "a CDATA section")
		}
		return false, false, s.skipDoctype()
	}
	return true, true, s.startTag()
}

// skipPast skips input up to and including end.
func (s *xmlScanner) skipPast(end, what string) error {
	s.pos += 2
	for {
		if i := bytes.Index(s.buf[s.pos:s.end], []byte(end)); i >= 0 {
			s.pos += i + len(end)
			return nil
		}
		// Keep the bytes that may begin end.
		if keep := len(end) - 1; s.end-s.pos > keep {
			s.pos = s.end - keep
		}
		if !s.fill() {
			return s.readErr(what)
		}
	}
}

// skipDoctype skips a <!DOCTYPE ...> declaration (or any other <!...>
// directive) as encoding/xml reads one: nested <...> and comments inside,
// quotes respected. Its entities are not defined: a reference to one is an
// error later.
func (s *xmlScanner) skipDoctype() error {
	s.pos += 2
	if _, err := s.getc(); err != nil { // the first byte is taken as it is
		return err
	}
	quote, depth := byte(0), 0
	for {
		c, err := s.getc()
		if err != nil {
			return err
		}
		if quote == 0 && c == '>' && depth == 0 {
			return nil
		}
	again:
		switch {
		case c == quote:
			quote = 0
		case quote != 0:
		case c == '\'' || c == '"':
			quote = c
		case c == '>':
			depth--
		case c == '<':
			for i := 0; i < 3; i++ {
				if c, err = s.getc(); err != nil {
					return err
				}
				if c != "!--"[i] {
					depth++
					goto again
				}
			}
			var c0, c1 byte
			for {
				if c, err = s.getc(); err != nil {
					return err
				}
				if c0 == '-' && c1 == '-' && c == '>' {
					break
				}
				c0, c1 = c1, c
			}
		}
	}
}

// getc reads one byte of a directive.
func (s *xmlScanner) getc() (byte, error) {
	if s.pos == s.end && !s.fill() {
		return 0, s.readErr("a DOCTYPE declaration")
	}
	c := s.buf[s.pos]
	s.pos++
	return c, nil
}

// tagEnd returns the index in buf of the '>' ending the tag at s.pos,
// quotes respected, reading more input as needed.
func (s *xmlScanner) tagEnd() (int, error) {
	i, quote := s.pos+1, byte(0)
	for {
		for i < s.end {
			c := s.buf[i]
			switch {
			case quote != 0:
				k := bytes.IndexByte(s.buf[i:s.end], quote)
				if k < 0 {
					i = s.end
					continue
				}
				i += k + 1
				quote = 0
				continue
			case c == '>':
				return i, nil
			case c == '"' || c == '\'':
				quote = c
			}
			i++
		}
		scanned := i - s.pos
		if !s.fill() {
			return 0, s.readErr("a tag")
		}
		i = s.pos + scanned
	}
}

func (s *xmlScanner) startTag() error {
	tagAt := s.offset()
	gt, err := s.tagEnd()
	if err != nil {
		return err
	}
	tag := s.buf[s.pos+1 : gt]
	s.pos = gt + 1
	s.empty = len(tag) > 0 && tag[len(tag)-1] == '/'
	if s.empty {
		tag = tag[:len(tag)-1]
	}
	n := 0
	for n < len(tag) && !isSpace(tag[n]) {
		n++
	}
	full := tag[:n]
	if n == 0 {
		return &syntaxError{off: tagAt, msg: "a tag without a name"}
	}
	s.attrs = tag[n:]
	s.nattr = -1
	s.name = localName(full)
	if s.empty {
		return nil
	}
	if len(s.stack) >= s.maxDepth {
		return fmt.Errorf("at byte %d: %w", tagAt, &limitError{what: fmt.Sprintf("elements nested more than %d deep", s.maxDepth), key: "xml_depth"})
	}
	// Keep the full name for the end tag's check; names is reused, so
	// stack entries are re-sliced from it when it grows.
	at := len(s.names)
	if cap(s.names)-at < len(full) {
		nn := make([]byte, at, 2*cap(s.names)+len(full)+64)
		copy(nn, s.names)
		s.names = nn
		off := 0
		for k, e := range s.stack {
			s.stack[k] = s.names[off : off+len(e)]
			off += len(e)
		}
	}
	s.names = append(s.names, full...)
	s.stack = append(s.stack, s.names[at:at+len(full)])
	return nil
}

func (s *xmlScanner) endTag() error {
	at := s.offset()
	gt, err := s.tagEnd()
	if err != nil {
		return err
	}
	full := s.buf[s.pos+2 : gt]
	for len(full) > 0 && isSpace(full[len(full)-1]) {
		full = full[:len(full)-1]
	}
	s.pos = gt + 1
	s.empty = false
	s.attrs, s.nattr = nil, 0
	if len(s.stack) == 0 {
		return &syntaxError{off: at, msg: fmt.Sprintf("</%s> closes no element", full)}
	}
	open := s.stack[len(s.stack)-1]
	if !bytes.Equal(open, full) {
		return &syntaxError{off: at, msg: fmt.Sprintf("</%s> closes <%s>", full, open)}
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.names = s.names[:len(s.names)-len(open)]
	s.name = localName(full)
	return nil
}

func localName(full []byte) []byte {
	if i := bytes.IndexByte(full, ':'); i >= 0 {
		return full[i+1:]
	}
	return full
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// is reports whether the current element's local name is name.
func (s *xmlScanner) is(name string) bool { return string(s.name) == name }

// attr returns the value of the current start element's attribute whose
// local name is name, references decoded, and whether it is there. The
// value is valid until the next element is read.
func (s *xmlScanner) attr(name string) ([]byte, bool) {
	if s.nattr < 0 {
		s.parseAttrs()
	}
	for _, a := range s.attrList[:s.nattr] {
		if string(a.key) == name {
			return a.val, true
		}
	}
	return nil, false
}

type xmlAttr struct{ key, val []byte }

// parseAttrs splits the current start element's attributes, keys by their
// local names. Text that is not an attribute ends the list.
func (s *xmlScanner) parseAttrs() {
	s.nattr = 0
	s.attrList = s.attrList[:0]
	s.attrBuf = s.attrBuf[:0]
	a := s.attrs
	for {
		for len(a) > 0 && isSpace(a[0]) {
			a = a[1:]
		}
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return
		}
		key := a[:eq]
		for len(key) > 0 && isSpace(key[len(key)-1]) {
			key = key[:len(key)-1]
		}
		a = a[eq+1:]
		for len(a) > 0 && isSpace(a[0]) {
			a = a[1:]
		}
		if len(a) == 0 || (a[0] != '"' && a[0] != '\'') {
			return
		}
		q := bytes.IndexByte(a[1:], a[0])
		if q < 0 {
			return
		}
		val := a[1 : 1+q]
		a = a[q+2:]
		if bytes.IndexByte(val, '&') >= 0 {
			// Decoded into attrBuf, which never moves while in use: sized
			// for every value of this tag at once.
			if cap(s.attrBuf) < len(s.attrs) {
				s.attrBuf = make([]byte, 0, len(s.attrs))
			}
			from := len(s.attrBuf)
			if out, err := appendUnescaped(s.attrBuf, val); err == nil {
				s.attrBuf = out
				val = out[from:]
			}
		}
		s.attrList = append(s.attrList, xmlAttr{localName(key), val})
		s.nattr++
	}
}

// skip skips the rest of the current element, children and all.
func (s *xmlScanner) skip() error {
	if s.empty {
		return nil
	}
	d := len(s.stack)
	for {
		start, err := s.next()
		if err != nil {
			return s.eofInside(err)
		}
		if !start && len(s.stack) < d {
			return nil
		}
	}
}

func (s *xmlScanner) eofInside(err error) error {
	if err == io.EOF {
		return s.errorf("the part ends inside an element")
	}
	return err
}

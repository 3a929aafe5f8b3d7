package synchroteam

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// DataSink receives the files an answer carries in base64 (the images of
// Jobs/Photos, the document of Jobs/PDF), decoded as the answer is read:
// no file is ever held whole in memory.
type DataSink interface {
	// Open returns the writer the i-th file of the answer (from 0) is
	// decoded into.
	Open(i int) (io.Writer, error)
	// Restart drops every file opened so far: the request is sent again
	// (its answer broke off), and its files come anew from 0.
	Restart()
}

// maxField bounds a value of a streamed answer other than its files (a
// file name, a comment): a longer one is refused, not held in memory.
const maxField = 1 << 20

// sinkError is a failure to write into a DataSink: the caller's, not the
// answer's.
type sinkError struct{ err error }

func (e *sinkError) Error() string { return e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

// sinkWriter marks the errors of w as the sink's.
type sinkWriter struct{ w io.Writer }

func (s sinkWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if err != nil {
		err = &sinkError{err}
	}
	return n, err
}

// jsonStream reads a JSON text as it arrives: its structure token by
// token, its small values whole, and its base64 strings decoded into a
// writer as they are read. Errors name the byte offset of the text.
type jsonStream struct {
	r   *bufio.Reader
	off int64  // bytes consumed
	buf []byte // for copying decoded files
}

func newJSONStream(r io.Reader) *jsonStream { return &jsonStream{r: bufio.NewReaderSize(r, 32<<10)} }

func (s *jsonStream) readByte() (byte, error) {
	c, err := s.r.ReadByte()
	if err == nil {
		s.off++
	} else if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return c, err
}

// next skips white space and returns the next byte, consumed.
func (s *jsonStream) next() (byte, error) {
	for {
		c, err := s.readByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c, nil
	}
}

// errorf locates a problem at the last byte read.
func (s *jsonStream) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", s.off, fmt.Sprintf(format, args...))
}

// end checks that nothing but white space follows the value read.
func (s *jsonStream) end() error {
	c, err := s.next()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil
	case err != nil:
		return err
	}
	return s.errorf("%q after the end of the JSON value", c)
}

// literal reads the rest of null, true or false, whose first byte c was
// read.
func (s *jsonStream) literal(c byte) error {
	var want string
	switch c {
	case 'n':
		want = "null"
	case 't':
		want = "true"
	case 'f':
		want = "false"
	default:
		return s.errorf("invalid character %q looking for a value", c)
	}
	for i := 1; i < len(want); i++ {
		b, err := s.readByte()
		if err != nil {
			return err
		}
		if b != want[i] {
			return s.errorf("invalid character %q in literal %s", b, want)
		}
	}
	return nil
}

// raw copies into buf the value whose first byte c was read: a string,
// an object or an array (brackets matched, strings skipped), or a number
// or literal (up to the next delimiter); with a nil buf, it skips it. The
// value is checked when buf is decoded; here only its end is found. buf
// holds at most maxField bytes.
func (s *jsonStream) raw(buf *bytes.Buffer, c byte) error {
	put := func(b byte) error {
		switch {
		case buf == nil:
			return nil
		case buf.Len() >= maxField:
			return s.errorf("values longer than %d KiB in all", maxField>>10)
		}
		return buf.WriteByte(b)
	}
	depth := 0
	inString, escaped := false, false
	for {
		if err := put(c); err != nil {
			return err
		}
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				if depth == 0 {
					return nil
				}
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth <= 0 {
				if depth < 0 {
					return s.errorf("unexpected %q", c)
				}
				return nil
			}
		case depth == 0:
			// A number or a literal: it ends before a delimiter.
			b, err := s.r.Peek(1)
			if err == io.EOF || err == nil && strings.IndexByte(" \t\r\n,}]", b[0]) >= 0 {
				return nil
			}
			if err != nil {
				return err
			}
		}
		var err error
		if c, err = s.readByte(); err != nil {
			return err
		}
	}
}

// key reads an object's key, whose opening quote was read, and the colon
// after it; it returns the key as written (quoted) and as it reads.
func (s *jsonStream) key(buf *bytes.Buffer) (raw []byte, name string, err error) {
	buf.Reset()
	if err := s.raw(buf, '"'); err != nil {
		return nil, "", err
	}
	if err := json.Unmarshal(buf.Bytes(), &name); err != nil {
		return nil, "", s.errorf("a key: %v", err)
	}
	c, err := s.next()
	if err != nil {
		return nil, "", err
	}
	if c != ':' {
		return nil, "", s.errorf("invalid character %q after the key %q", c, name)
	}
	return buf.Bytes(), name, nil
}

// base64To decodes the base64 string whose opening quote was read into w:
// standard or URL-safe alphabet, padded or not, line breaks and spaces
// ignored. A value that is not base64 is an error naming the place in
// the text where it goes wrong.
func (s *jsonStream) base64To(w io.Writer) error {
	str := &stringReader{s: s}
	clean := &base64Text{r: str}
	if s.buf == nil {
		s.buf = make([]byte, 32<<10)
	}
	_, err := io.CopyBuffer(sinkWriter{w}, base64.NewDecoder(base64.StdEncoding, clean), s.buf)
	var corrupt base64.CorruptInputError
	switch {
	case clean.err != nil:
		// The text's own fault, whatever the decoder made of it.
		return clean.err
	case errors.As(err, &corrupt):
		return fmt.Errorf("not base64: its padding (=) is misplaced")
	case errors.Is(err, io.ErrUnexpectedEOF) && str.done:
		return fmt.Errorf("not base64: its text of %d characters ends within a group of four", clean.n)
	}
	return err
}

// stringReader reads the content of a JSON string, unescaped, up to its
// closing quote (then io.EOF).
type stringReader struct {
	s    *jsonStream
	done bool
	pend []byte // decoded bytes of an escape not yet given
}

func (r *stringReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.pend) > 0 {
			k := copy(p[n:], r.pend)
			r.pend = r.pend[k:]
			n += k
			continue
		}
		if r.done {
			break
		}
		// Take the plain run of bytes the buffer holds in one go.
		if b, _ := r.s.r.Peek(r.s.r.Buffered()); len(b) > 0 {
			run := 0
			for run < len(b) && run < len(p)-n && b[run] != '"' && b[run] != '\\' && b[run] >= 0x20 {
				run++
			}
			if run > 0 {
				copy(p[n:], b[:run])
				if _, err := r.s.r.Discard(run); err != nil {
					return n, err
				}
				r.s.off += int64(run)
				n += run
				continue
			}
		}
		c, err := r.s.readByte()
		if err != nil {
			return n, err
		}
		switch {
		case c == '"':
			r.done = true
		case c == '\\':
			if err := r.escape(); err != nil {
				return n, err
			}
		case c < 0x20:
			return n, r.s.errorf("control character %q in a string", c)
		default:
			p[n] = c
			n++
		}
	}
	if n == 0 && r.done {
		return 0, io.EOF
	}
	return n, nil
}

// escape decodes the escape sequence after a backslash into r.pend.
func (r *stringReader) escape() error {
	c, err := r.s.readByte()
	if err != nil {
		return err
	}
	switch c {
	case '"', '\\', '/':
		r.pend = []byte{c}
	case 'b':
		r.pend = []byte{'\b'}
	case 'f':
		r.pend = []byte{'\f'}
	case 'n':
		r.pend = []byte{'\n'}
	case 'r':
		r.pend = []byte{'\r'}
	case 't':
		r.pend = []byte{'\t'}
	case 'u':
		var hex [4]byte
		for i := range hex {
			if hex[i], err = r.s.readByte(); err != nil {
				return err
			}
		}
		var v rune
		for _, h := range hex {
			switch {
			case h >= '0' && h <= '9':
				v = v<<4 | rune(h-'0')
			case h >= 'a' && h <= 'f':
				v = v<<4 | rune(h-'a'+10)
			case h >= 'A' && h <= 'F':
				v = v<<4 | rune(h-'A'+10)
			default:
				return r.s.errorf("invalid escape \\u%s in a string", hex[:])
			}
		}
		r.pend = utf8.AppendRune(nil, v)
	default:
		return r.s.errorf("invalid escape \\%c in a string", c)
	}
	return nil
}

// base64Text gives a base64 decoder of the standard alphabet the text of
// r as senders write it: the URL-safe characters - and _ read as + and /,
// spaces and line breaks dropped, and the padding = added at the end when
// the text has none. A character of no base64 alphabet is an error naming
// its place in the text (in bytes, once unescaped).
type base64Text struct {
	r      io.Reader
	pos    int64 // bytes read
	n      int64 // characters of data given
	padded bool  // a = was read
	tail   []byte
	err    error // the first error given
}

func (b *base64Text) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(b.tail) > 0 {
		k := copy(p, b.tail)
		b.tail = b.tail[k:]
		return k, nil
	}
	for {
		n, err := b.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			b.pos++
			switch {
			case c == ' ' || c == '\n' || c == '\r':
				continue
			case c == '-':
				c = '+'
			case c == '_':
				c = '/'
			case c == '=':
				b.padded = true
			case c == '+' || c == '/' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			case c >= utf8.RuneSelf:
				b.err = fmt.Errorf("not base64: a character other than ASCII at byte %d of its text", b.pos)
				return k, b.err
			default:
				b.err = fmt.Errorf("not base64: %q at byte %d of its text", c, b.pos)
				return k, b.err
			}
			if c != '=' {
				b.n++
			}
			p[k] = c
			k++
		}
		if err != nil && err != io.EOF {
			b.err = err
			return k, err
		}
		if err == io.EOF && !b.padded {
			b.padded = true
			switch b.n % 4 {
			case 2:
				b.tail = []byte("==")
			case 3:
				b.tail = []byte("=")
			}
			if len(b.tail) > 0 {
				if k == 0 {
					return b.Read(p)
				}
				err = nil
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// streamed sends a GET whose answer decode reads as it arrives (see
// call.decode); before the request is sent again, sink restarts.
func (c *Client) streamed(ctx context.Context, endpoint string, q url.Values, sink DataSink, decode func(io.Reader) error) error {
	decoded := false
	return c.do(ctx, call{method: http.MethodGet, path: apiPrefix + endpoint, query: q, safe: true, endpoint: endpoint,
		decode: func(r io.Reader) error {
			if decoded {
				sink.Restart()
			}
			decoded = true
			return decode(r)
		}}, nil)
}

// decodeBody gives a 2xx answer to cl.decode as it arrives, under the
// same bound as a body read whole.
func (c *Client) decodeBody(wire context.Context, cl call, resp *http.Response) (*retryable, error) {
	body := &bodyReader{r: io.LimitReader(resp.Body, maxBody+1)}
	err := cl.decode(body)
	var sinkErr *sinkError
	switch {
	case body.readErr != nil:
		return c.transportFailure(wire, cl, body.readErr, true, nil)
	case body.n > maxBody:
		return nil, &Error{Method: cl.method, Endpoint: cl.endpoint, StatusCode: resp.StatusCode,
			Message: fmt.Sprintf("the response is larger than %d MiB", maxBody>>20)}
	case errors.As(err, &sinkErr):
		return nil, fmt.Errorf("synchroteam: %s: %w", cl.endpoint, err)
	}
	c.pace.succeeded(c.limiter)
	if err != nil {
		e := &Error{Method: cl.method, Endpoint: cl.endpoint, StatusCode: resp.StatusCode, Message: "unreadable response: " + err.Error()}
		c.redact(e)
		return nil, e
	}
	return nil, nil
}

// bodyReader reads an answer for call.decode: it counts the bytes and
// keeps apart the failure of the connection, if any.
type bodyReader struct {
	r       io.Reader
	n       int64
	readErr error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > maxBody {
		return 0, errors.New("the response is too large")
	}
	if err != nil && err != io.EOF {
		b.readErr = err
	}
	return n, err
}

// describe names the JSON value that starts with c, for errors.
func describe(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	if c == '-' || c >= '0' && c <= '9' {
		return "a number"
	}
	return fmt.Sprintf("%q", c)
}

// object reads the members of an object whose opening brace was read:
// file is called for the member whose key is fileKey (matched without
// regard to case, as decoding matches keys), with the first byte of its
// value; the others are copied into fields, an object, when fields is not
// nil, or skipped.
func (s *jsonStream) object(fileKey string, file func(c byte) error, fields *bytes.Buffer) error {
	var key bytes.Buffer
	seen := false
	if fields != nil {
		fields.Reset()
		fields.WriteByte('{')
	}
	for first := true; ; first = false {
		c, err := s.next()
		if err != nil {
			return err
		}
		if c == '}' && first {
			break
		}
		if c != '"' {
			return s.errorf("invalid character %q looking for a key", c)
		}
		raw, name, err := s.key(&key)
		if err != nil {
			return err
		}
		if c, err = s.next(); err != nil {
			return err
		}
		switch {
		case strings.EqualFold(name, fileKey):
			if seen {
				return s.errorf("%s is given twice", fileKey)
			}
			seen = true
			if err := file(c); err != nil {
				return fmt.Errorf("%s: %w", fileKey, err)
			}
		case fields != nil:
			if fields.Len() > 1 {
				fields.WriteByte(',')
			}
			fields.Write(raw)
			fields.WriteByte(':')
			if err := s.raw(fields, c); err != nil {
				return err
			}
		default:
			if err := s.raw(nil, c); err != nil {
				return err
			}
		}
		if c, err = s.next(); err != nil {
			return err
		}
		if c == '}' {
			break
		}
		if c != ',' {
			return s.errorf("invalid character %q after a member", c)
		}
	}
	if fields != nil {
		fields.WriteByte('}')
	}
	if !seen {
		return file(0)
	}
	return nil
}

// fileTo decodes into the sink's i-th file the value whose first byte c
// was read: a base64 string, or null (an empty file). c 0 stands for a
// member that is missing: an empty file too.
func (s *jsonStream) fileTo(sink DataSink, i int, c byte) error {
	w, err := sink.Open(i)
	if err != nil {
		return &sinkError{err}
	}
	switch c {
	case 0:
		return nil
	case '"':
		return s.base64To(w)
	case 'n':
		return s.literal(c)
	}
	return s.errorf("want a base64 string, got %s", describe(c))
}

// readPhotos reads the answer of Jobs/Photos: a list of photos, each image
// into its file of sink.
func readPhotos(r io.Reader, sink DataSink) ([]Photo, error) {
	s := newJSONStream(r)
	c, err := s.next()
	if err != nil {
		return nil, err
	}
	if c == 'n' {
		if err := s.literal(c); err != nil {
			return nil, err
		}
		return nil, s.end()
	}
	if c != '[' {
		return nil, s.errorf("want a list of photos, got %s", describe(c))
	}
	var photos []Photo
	var fields bytes.Buffer
	for i := 0; ; i++ {
		if c, err = s.next(); err != nil {
			return nil, err
		}
		if c == ']' && i == 0 {
			break
		}
		var p Photo
		switch c {
		case '{':
			err = s.object("imageData", func(c byte) error { return s.fileTo(sink, i, c) }, &fields)
			if err == nil {
				err = json.Unmarshal(fields.Bytes(), &p)
			}
		case 'n': // as decoding a list gives it: a photo without anything
			if err = s.literal(c); err == nil {
				err = s.fileTo(sink, i, 0)
			}
		default:
			err = s.errorf("want a photo (an object), got %s", describe(c))
		}
		if err != nil {
			return nil, fmt.Errorf("photo %d: %w", i+1, err)
		}
		photos = append(photos, p)
		if c, err = s.next(); err != nil {
			return nil, err
		}
		if c == ']' {
			break
		}
		if c != ',' {
			return nil, s.errorf("invalid character %q after photo %d", c, i+1)
		}
	}
	return photos, s.end()
}

// readPDF reads the answer of Jobs/PDF, {"pdfData": base64}, the document
// into file 0 of sink.
func readPDF(r io.Reader, sink DataSink) error {
	s := newJSONStream(r)
	c, err := s.next()
	if err != nil {
		return err
	}
	if c != '{' {
		return s.errorf("want an object holding pdfData, got %s", describe(c))
	}
	if err := s.object("pdfData", func(c byte) error { return s.fileTo(sink, 0, c) }, nil); err != nil {
		return err
	}
	return s.end()
}

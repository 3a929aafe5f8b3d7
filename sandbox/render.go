package sandbox

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// format is the representation of a response.
type format int

const (
	formatJSON    format = iota
	formatXML            // application/xml
	formatTextXML        // text/xml
)

// negotiate picks the response format from an Accept header: the first
// media range (in the header's order, skipping q=0) that is JSON or XML.
// A missing header means JSON.
func negotiate(accept string) (format, bool) {
	if strings.TrimSpace(accept) == "" {
		return formatJSON, true
	}
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		mt := strings.ToLower(strings.TrimSpace(fields[0]))
		refused := false
		for _, p := range fields[1:] {
			p = strings.ReplaceAll(strings.TrimSpace(p), " ", "")
			if p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000" {
				refused = true
			}
		}
		if refused {
			continue
		}
		switch {
		case mt == "application/json", mt == "text/json", mt == "*/*", mt == "application/*", mt == "text/*", mt == "*",
			strings.HasSuffix(mt, "+json"):
			return formatJSON, true
		case mt == "application/xml":
			return formatXML, true
		case mt == "text/xml":
			return formatTextXML, true
		}
	}
	return formatJSON, false
}

// isXML reports whether a Content-Type names XML.
func isXML(contentType string) bool {
	mt := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	return mt == "text/xml" || mt == "application/xml" || strings.HasSuffix(mt, "+xml")
}

// message is the body of the errors the service's framework answers itself
// (401, 404, 405, 406, 415, 429, 500, 503).
type message struct {
	Message string `json:"Message"`
}

func writeMessage(w http.ResponseWriter, f format, status int, msg string) {
	render(w, f, answer{status, message{msg}})
}

// render writes a as JSON or XML.
func render(w http.ResponseWriter, f format, a answer) {
	data, err := encodeJSON(a.body)
	if err != nil {
		a.status = http.StatusInternalServerError
		data, _ = encodeJSON(message{"An error has occurred."})
	}
	ctype := "application/json; charset=utf-8"
	if f != formatJSON {
		if x, err := jsonToXML(data); err == nil {
			data = x
			ctype = "application/xml; charset=utf-8"
			if f == formatTextXML {
				ctype = "text/xml; charset=utf-8"
			}
		}
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(a.status)
	_, _ = w.Write(data)
}

// encodeJSON marshals v without HTML escaping ("***1 > part1" stays as is).
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// jsonToXML converts a JSON document to XML, keeping key order: objects become
// elements named by their keys, list items become <Item> elements, null
// becomes an empty element with nil="true". The root element is <Response>.
func jsonToXML(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if err := writeXMLValue(&b, dec, "Response"); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeXMLValue(b *bytes.Buffer, dec *json.Decoder, name string) error {
	name = xmlName(name)
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		b.WriteString("<" + name + ">")
		for dec.More() {
			child := "Item"
			if v == '{' {
				key, err := dec.Token()
				if err != nil {
					return err
				}
				child = fmt.Sprint(key)
			}
			if err := writeXMLValue(b, dec, child); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		b.WriteString("</" + name + ">")
	case nil:
		b.WriteString("<" + name + ` nil="true"/>`)
	default:
		b.WriteString("<" + name + ">")
		if err := xml.EscapeText(b, []byte(fmt.Sprint(v))); err != nil {
			return err
		}
		b.WriteString("</" + name + ">")
	}
	return nil
}

// xmlName turns a JSON key into a valid XML element name.
func xmlName(s string) string {
	var b strings.Builder
	for i, r := range s {
		ok := unicode.IsLetter(r) || r == '_' || (i > 0 && (unicode.IsDigit(r) || r == '-' || r == '.'))
		if ok {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

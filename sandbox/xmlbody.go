package sandbox

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

// XML request bodies (Content-Type: text/xml or application/xml) are read by
// turning them into the JSON the endpoint expects, guided by the Go type the
// body is decoded into:
//
//   - the root element's name does not matter; child elements are the fields,
//     matched to the JSON keys without regard to case;
//   - a list is an element whose children are the items, whatever their names
//     (<lines><line>…</line><line>…</line></lines>), or the same element
//     repeated (<tags>a</tags><tags>b</tags>); a list of strings may also be
//     one element holding a comma-separated text;
//   - a scalar is the element's text; nil="true" (any namespace) is null.
//
// A body whose root is a list (Part/Prices, Inventory/Quantities) has one
// child element per item.

// xmlNode is an element of an XML document.
type xmlNode struct {
	name     string
	null     bool
	text     string
	children []*xmlNode
	buf      []byte // the text while the element is read
}

func parseXML(data []byte) (*xmlNode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("malformed XML body: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name.Local}
			for _, a := range t.Attr {
				if strings.EqualFold(a.Name.Local, "nil") && strings.EqualFold(a.Value, "true") {
					n.null = true
				}
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			n := stack[len(stack)-1]
			n.text, n.buf = string(n.buf), nil
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				n := stack[len(stack)-1]
				n.buf = append(n.buf, t...)
			}
		}
	}
	if root == nil {
		return nil, errors.New("malformed XML body: no root element")
	}
	return root, nil
}

// xmlToJSON converts an XML body to the JSON of the type t.
func xmlToJSON(data []byte, t reflect.Type) ([]byte, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(xmlValue(root, t))
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	stringsType     = reflect.TypeFor[synchroteam.Strings]()
)

// xmlValue builds the JSON value of node n for a Go value of type t.
func xmlValue(n *xmlNode, t reflect.Type) any {
	if n.null {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == stringsType {
		if len(n.children) == 0 {
			return strings.TrimSpace(n.text)
		}
		var items []string
		for _, c := range n.children {
			items = append(items, strings.TrimSpace(c.text))
		}
		return items
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return strings.TrimSpace(n.text) // the API's loose scalars read text
	}
	switch t.Kind() {
	case reflect.Struct:
		return xmlObject(n.children, t)
	case reflect.Slice:
		items := []any{}
		for _, c := range n.children {
			items = append(items, xmlValue(c, t.Elem()))
		}
		return items
	case reflect.String:
		return n.text
	default:
		v := strings.TrimSpace(n.text)
		if !json.Valid([]byte(v)) {
			return v
		}
		return json.RawMessage(v)
	}
}

// xmlObject builds a JSON object from child elements for the struct type t.
func xmlObject(children []*xmlNode, t reflect.Type) map[string]any {
	fields := jsonFields(t)
	obj := map[string]any{}
	counts := map[string]int{}
	for _, c := range children {
		counts[strings.ToLower(c.name)]++
	}
	for _, c := range children {
		name := strings.ToLower(c.name)
		f, ok := fields[name]
		if !ok {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Slice && counts[name] > 1 {
			// The same element repeated: each is one item.
			list, _ := obj[f.key].([]any)
			item := &xmlNode{name: c.name, null: c.null, text: c.text, children: c.children}
			var v any
			if ft == stringsType {
				v = strings.TrimSpace(item.text)
			} else {
				v = xmlValue(item, ft.Elem())
			}
			obj[f.key] = append(list, v)
			continue
		}
		obj[f.key] = xmlValue(c, f.Type)
	}
	return obj
}

type jsonField struct {
	key  string
	Type reflect.Type
}

// jsonFields lists the JSON keys of a struct (embedded structs included), by
// lower-cased key.
func jsonFields(t reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key == "" || key == "-" {
			continue
		}
		out[strings.ToLower(key)] = jsonField{key: key, Type: f.Type}
	}
	return out
}

package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

// Record is a record read back from the API, flattened as payloads are
// written in mapping files: dotted paths for nested objects
// ("position.latitude"), "customFieldValues.<Name>" for custom fields.
type Record map[string]any

// ErrNoReadBack: the API has no request that reads such a record back
// (inventory quantities, attachments).
var ErrNoReadBack = errors.New("the API cannot read this record back")

// ErrNoReadKey: the payload carries none of the keys its entity can be
// read back by.
var ErrNoReadKey = errors.New("no key to read the record back by")

// ReadBack reads the record a payload names, by the first of the entity's
// ReadKeys the payload carries. A record that does not exist is
// synchroteam.ErrNotFound.
func (e *Entity) ReadBack(ctx context.Context, c *synchroteam.Client, p Payload) (Record, error) {
	if e.Read == nil {
		return nil, ErrNoReadBack
	}
	for _, k := range e.ReadKeys {
		v, ok := Value(p, k)
		if !ok || isEmptyValue(v) {
			continue
		}
		param := k[strings.LastIndex(k, ".")+1:]
		got, err := e.Read(ctx, c, synchroteam.Lookup{Param: param, Value: fmt.Sprint(v)})
		if err != nil {
			return nil, err
		}
		return Flatten(got)
	}
	return nil, ErrNoReadKey
}

// Flatten turns a record of the client (a *synchroteam.Customer...) into a
// Record, through its JSON form.
func Flatten(v any) (Record, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	out := Record{}
	flattenInto(out, "", m)
	return out, nil
}

func flattenInto(out Record, prefix string, m map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			flattenInto(out, prefix+k+".", x)
		case []any:
			if strings.EqualFold(k, "customFieldValues") && customFields(out, prefix, x) {
				continue
			}
			out[prefix+k] = x
		default:
			out[prefix+k] = x
		}
	}
}

// customFields flattens a list of {"name", "value"} as
// customFieldValues.<name>; false when the list is not of that shape.
func customFields(out Record, prefix string, list []any) bool {
	for _, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			return false
		}
		name, _ := m["name"].(string)
		if name == "" {
			return false
		}
		out[prefix+"customFieldValues."+name] = m["value"]
	}
	return true
}

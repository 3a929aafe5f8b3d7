package pipeline

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stbulk/stbulk/synchroteam/catalog"
	"github.com/stbulk/stbulk/writers"
)

// payloadPlan writes the payloads of one mapping as encoding/json writes
// them (writers.AppendJSON), with the order of their keys decided once: the
// keys its fields can set, sorted as encoding/json sorts a map's keys, each
// already quoted. A payload holding a key the plan does not know (one that
// Prepare added) is written by writers.AppendJSON.
type payloadPlan struct {
	keys []planKey
}

// planKey is a key of a payload, or of an object in it.
type planKey struct {
	name   string
	quoted []byte       // the key as JSON, and ':'
	sub    *payloadPlan // the keys of an object of dotted fields ("position")
}

// newPayloadPlan plans the payloads of m: a dotted field is a key of an
// object, a custom field is an item of customFieldValues (as Payload.set
// stores them).
func newPayloadPlan(m *Mapping) *payloadPlan {
	top := map[string][]string{}
	// declare makes name a key of the payload, with the leaves it has.
	declare := func(name string) {
		if _, ok := top[name]; !ok {
			top[name] = nil
		}
	}
	for _, r := range m.Fields {
		name := r.Target.Name
		if _, ok := catalog.CustomFieldName(name); ok {
			declare("customFieldValues")
			continue
		}
		if parent, leaf, nested := strings.Cut(name, "."); nested {
			top[parent] = append(top[parent], leaf)
			continue
		}
		declare(name)
	}
	p := &payloadPlan{}
	for _, name := range sortedKeys(top) {
		k := planKey{name: name, quoted: quotedKey(name)}
		if leaves := top[name]; len(leaves) > 0 {
			k.sub = &payloadPlan{}
			for _, leaf := range leaves {
				if !slices.ContainsFunc(k.sub.keys, func(s planKey) bool { return s.name == leaf }) {
					k.sub.keys = append(k.sub.keys, planKey{name: leaf, quoted: quotedKey(leaf)})
				}
			}
			slices.SortFunc(k.sub.keys, func(a, b planKey) int { return strings.Compare(a.name, b.name) })
		}
		p.keys = append(p.keys, k)
	}
	return p
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func quotedKey(name string) []byte {
	b, _ := writers.AppendJSON(nil, name) // a string always encodes
	return append(b, ':')
}

// appendLine appends the line of payloads.jsonl of a row, as encoding/json
// encodes its payloadLine.
func (pl *payloadPlan) appendLine(dst []byte, row int, p map[string]any) ([]byte, error) {
	dst = append(dst, `{"_row":`...)
	dst = strconv.AppendInt(dst, int64(row), 10)
	dst = append(dst, `,"payload":`...)
	if out, ok := pl.appendObject(dst, p); ok {
		return append(out, '}'), nil
	}
	// A key the plan does not know, or a value encoding/json refuses.
	dst, err := writers.AppendJSON(dst, p)
	if err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

// appendObject appends p with the plan's keys, or reports false when p
// holds another key or a value that cannot be encoded.
func (pl *payloadPlan) appendObject(dst []byte, p map[string]any) ([]byte, bool) {
	if p == nil {
		return append(dst, "null"...), true
	}
	start := len(dst)
	dst = append(dst, '{')
	n := 0
	for _, k := range pl.keys {
		v, ok := p[k.name]
		if !ok {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, k.quoted...)
		if obj, isObj := v.(map[string]any); isObj && k.sub != nil {
			if dst, ok = k.sub.appendObject(dst, obj); !ok {
				return dst[:start], false
			}
			continue
		}
		var err error
		if dst, err = writers.AppendJSON(dst, v); err != nil {
			return dst[:start], false
		}
	}
	if n != len(p) {
		return dst[:start], false
	}
	return append(dst, '}'), true
}

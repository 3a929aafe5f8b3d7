package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/stbulk/stbulk/transforms"
)

// MappingKeysReference is the reference of every key of import and export
// mapping files, in Markdown, made from the JSON Schemas (Schema and
// ExportSchema), the transform and check names and the export kinds:
// docs/mapping-keys.md is this text (a test keeps it so).
func MappingKeysReference() (string, error) {
	var b strings.Builder
	b.WriteString(`# Mapping file keys

Every key of import and export mapping files, made from the JSON Schemas that ` + "`stbulk schema`" + `
prints, the transform and check names and the export kinds; do not edit by hand:
` + "`go test ./pipeline -run TestMappingKeysReference -update`" + ` writes it again. What each key does, with
examples: [mapping-files.md](mapping-files.md) and [exporting.md](exporting.md); the fields of each
entity: [entities.md](entities.md).

## Import mapping files

`)
	imp, err := Schema()
	if err != nil {
		return "", err
	}
	if err := keysTable(&b, imp, map[string]string{"fields.NAME": "#/$defs/field", "fields.NAME.lookup": "#/$defs/lookup"}); err != nil {
		return "", err
	}
	b.WriteString("\n### Transforms and checks\n\n")
	b.WriteString("`transform:` takes one or a list of these names, each alone or with its argument (`{ number: { decimal: \",\" } }`); " +
		"[Transforms](mapping-files.md#transforms) says what each does:\n\n")
	b.WriteString(codeList(transforms.TransformNames()) + "\n\n")
	b.WriteString("`check:` takes one or a list of these ([Checks](mapping-files.md#checks)):\n\n")
	b.WriteString(codeList(transforms.CheckNames()) + "\n")

	b.WriteString("\n## Export mapping files\n\n")
	exp, err := ExportSchema()
	if err != nil {
		return "", err
	}
	if err := keysTable(&b, exp, nil); err != nil {
		return "", err
	}
	b.WriteString("\n### Export kinds\n\nFor each `export:` kind, its `filters:` and, per sheet, the fields `sheets:` can name in their default order " +
		"(a name ending in `.` stands for any name after it: custom fields, report items).\n")
	for _, k := range exportKinds {
		fmt.Fprintf(&b, "\n#### `%s`\n\n", k.name)
		var facts []string
		if len(k.filters) > 0 {
			var fs []string
			for _, f := range k.filters {
				fs = append(fs, f.name)
			}
			facts = append(facts, "Filters: "+codeList(fs)+".")
		} else {
			facts = append(facts, "No filters.")
		}
		if k.since != "" {
			facts = append(facts, "`--since` sets `"+k.since+"`.")
		}
		if k.files {
			facts = append(facts, "`photos:` and `pdf:` can write files.")
		}
		b.WriteString(strings.Join(facts, " ") + "\n\n")
		b.WriteString("| sheet | fields |\n| --- | --- |\n")
		for i := range k.sheets {
			d := &k.sheets[i]
			var names []string
			for _, f := range d.fields {
				names = append(names, f.name)
			}
			names = append(names, d.dynamic...)
			fmt.Fprintf(&b, "| `%s` | %s |\n", d.name, codeList(names))
		}
	}
	return b.String(), nil
}

// keysTable writes the keys of a JSON Schema as a table: each property,
// with the properties of objects it holds (a.b), following the $refs given
// by path in refs.
func keysTable(b *strings.Builder, schema []byte, refs map[string]string) error {
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(schema))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return err
	}
	required := map[string]bool{}
	for _, r := range asSlice(root["required"]) {
		required[fmt.Sprint(r)] = true
	}
	b.WriteString("| key | value | default | meaning |\n| --- | --- | --- | --- |\n")
	var walk func(prefix string, props map[string]any)
	walk = func(prefix string, props map[string]any) {
		for _, name := range slices.Sorted(maps.Keys(props)) {
			s, _ := props[name].(map[string]any)
			path := prefix + name
			if ref, ok := refs[path]; ok {
				s = resolveRef(root, ref)
			}
			meaning := str(s["description"])
			if prefix == "" && required[name] {
				meaning = strings.TrimSuffix("required; "+meaning, "; ")
			}
			def := ""
			if d, ok := s["default"]; ok {
				def = "`" + fmt.Sprint(d) + "`"
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", path, mdCell(valueKind(root, s)), def, mdCell(meaning))
			if sub, ok := s["properties"].(map[string]any); ok {
				walk(path+".", sub)
			}
			if _, ok := s["additionalProperties"].(map[string]any); ok {
				key := path + ".NAME"
				if ref, ok := refs[key]; ok {
					def := resolveRef(root, ref)
					fmt.Fprintf(b, "| `%s` | %s |  | one entry per name: a column name, or an object with the keys below |\n", key, mdCell(valueKind(root, def)))
					for _, alt := range asSlice(def["oneOf"]) {
						if m, ok := alt.(map[string]any); ok {
							if sub, ok := m["properties"].(map[string]any); ok {
								walk(key+".", sub)
							}
						}
					}
				}
			}
		}
	}
	props, _ := root["properties"].(map[string]any)
	walk("", props)
	return nil
}

// valueKind says in words what a schema accepts.
func valueKind(root, s map[string]any) string {
	if s == nil {
		return ""
	}
	if ref, ok := s["$ref"].(string); ok {
		switch ref {
		case "#/$defs/transform":
			return "a transform: a name, or { name: argument }"
		case "#/$defs/check":
			return "a check: a name, or { name: argument }"
		}
		return valueKind(root, resolveRef(root, ref))
	}
	if c, ok := s["const"]; ok {
		return "`" + shown(fmt.Sprint(c)) + "`"
	}
	if e := asSlice(s["enum"]); e != nil {
		var names []string
		for _, v := range e {
			names = append(names, shown(fmt.Sprint(v)))
		}
		if len(names) > 12 {
			return fmt.Sprintf("one of %d names", len(names))
		}
		return "one of " + codeList(names)
	}
	if alts := asSlice(s["oneOf"]); alts != nil && s["type"] == nil {
		// one, or a list of them
		if len(alts) == 2 {
			one, _ := alts[0].(map[string]any)
			list, _ := alts[1].(map[string]any)
			if items, ok := list["items"].(map[string]any); ok && one["$ref"] != nil && items["$ref"] == one["$ref"] {
				return valueKind(root, one) + "; or a list of them"
			}
		}
		var kinds []string
		for _, a := range alts {
			if m, ok := a.(map[string]any); ok {
				k := valueKind(root, m)
				if k != "" && !slices.Contains(kinds, k) {
					kinds = append(kinds, k)
				}
			}
		}
		return strings.Join(kinds, ", or ")
	}
	var kind string
	switch t := s["type"].(type) {
	case string:
		kind = t
	case []any:
		var ts []string
		for _, x := range t {
			ts = append(ts, fmt.Sprint(x))
		}
		kind = strings.Join(ts, " or ")
	}
	switch kind {
	case "array":
		if items, ok := s["items"].(map[string]any); ok {
			return "list of " + valueKind(root, items)
		}
	case "integer", "number":
		if m, ok := s["minimum"]; ok {
			kind += fmt.Sprintf(" ≥ %v", m)
		}
	case "string":
		if p, ok := s["pattern"].(string); ok {
			kind += " matching `" + p + "`"
		}
	}
	return kind
}

func resolveRef(root map[string]any, ref string) map[string]any {
	cur := any(root)
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	m, _ := cur.(map[string]any)
	return m
}

// shown is a value as it can be read in a code span: a tab as \t.
func shown(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' }) {
		q := strconv.Quote(s)
		return q[1 : len(q)-1]
	}
	return s
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func str(v any) string { s, _ := v.(string); return s }

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

package pipeline

import (
	"encoding/json"
	"slices"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/transforms"
)

// Schema returns the JSON Schema (draft 2020-12) of mapping files, for
// editors that complete and check YAML against a schema. It is built from
// the entity catalog and the transform and check names, so it always says
// what Load accepts; Load's own checks (columns, arguments) go further.
func Schema() ([]byte, error) {
	str := map[string]any{"type": "string"}
	transform := map[string]any{
		"oneOf": []any{
			map[string]any{"enum": transforms.TransformNames()},
			map[string]any{
				"type": "object", "minProperties": 1, "maxProperties": 1,
				"propertyNames": map[string]any{"enum": transforms.TransformNames()},
			},
		},
	}
	check := map[string]any{
		"oneOf": []any{
			map[string]any{"enum": transforms.CheckNames()},
			map[string]any{
				"type": "object", "minProperties": 1, "maxProperties": 1,
				"propertyNames": map[string]any{"enum": transforms.CheckNames()},
			},
		},
	}
	listOf := func(ref string) map[string]any {
		return map[string]any{"oneOf": []any{
			map[string]any{"$ref": ref},
			map[string]any{"type": "array", "items": map[string]any{"$ref": ref}},
		}}
	}
	field := map[string]any{
		"oneOf": []any{
			map[string]any{"type": "string", "minLength": 1, "description": "the source column"},
			map[string]any{
				"type": "object", "additionalProperties": false,
				"properties": map[string]any{
					"column":    map[string]any{"type": "string", "minLength": 1, "description": "the source column"},
					"value":     map[string]any{"type": []string{"string", "number", "boolean"}, "description": "a constant"},
					"expr":      map[string]any{"type": "string", "description": "an expression over the row's columns"},
					"required":  map[string]any{"type": "boolean"},
					"default":   map[string]any{"type": []string{"string", "number", "boolean"}, "description": "value when empty"},
					"transform": listOf("#/$defs/transform"),
					"check":     listOf("#/$defs/check"),
				},
				"oneOf": []any{
					map[string]any{"required": []string{"column"}},
					map[string]any{"required": []string{"value"}},
					map[string]any{"required": []string{"expr"}},
				},
			},
		},
	}
	var perEntity []any
	for _, name := range synchroteam.Entities() {
		e, _ := synchroteam.LookupEntity(name)
		names := fieldCandidates(e)
		slices.Sort(names)
		allowed := []any{map[string]any{"enum": names}}
		if e.CustomFields {
			allowed = append(allowed, map[string]any{"pattern": "^(?i:customFieldValues)\\..+"})
		}
		perEntity = append(perEntity, map[string]any{
			"if":   map[string]any{"properties": map[string]any{"import": map[string]any{"const": name}}},
			"then": map[string]any{"properties": map[string]any{"fields": map[string]any{"propertyNames": map[string]any{"anyOf": allowed}}}},
		})
	}
	schema := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  "https://github.com/stbulk/stbulk/mapping.schema.json",
		"title":                "stbulk mapping file",
		"type":                 "object",
		"required":             []string{"version", "import", "fields"},
		"additionalProperties": false,
		"properties": map[string]any{
			"version":     map[string]any{"const": 1},
			"description": str,
			"import":      map[string]any{"enum": synchroteam.Entities()},
			"source":      map[string]any{"type": "string", "description": "input file, relative to the mapping file"},
			"csv": map[string]any{
				"type": "object", "additionalProperties": false,
				"properties": map[string]any{
					"delimiter":   map[string]any{"enum": []string{"auto", ",", ";", "|", "\t", "tab", `\t`}},
					"encoding":    map[string]any{"enum": csvEncodings},
					"quote":       map[string]any{"const": `"`},
					"lazy_quotes": map[string]any{"type": "boolean"},
					"header_row":  map[string]any{"type": "integer", "minimum": 1},
				},
			},
			"xlsx": map[string]any{
				"type": "object", "additionalProperties": false,
				"properties": map[string]any{
					"sheet":      map[string]any{"oneOf": []any{str, map[string]any{"type": "integer", "minimum": 1}}},
					"header_row": map[string]any{"type": "integer", "minimum": 1},
				},
			},
			"where":      map[string]any{"type": "string", "description": "a condition over the row's columns; rows where it is false are filtered"},
			"batch_size": map[string]any{"type": "integer", "minimum": 1},
			"fields": map[string]any{
				"type": "object", "minProperties": 1,
				"additionalProperties": map[string]any{"$ref": "#/$defs/field"},
			},
		},
		"allOf": perEntity,
		"$defs": map[string]any{"field": field, "transform": transform, "check": check},
	}
	b, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

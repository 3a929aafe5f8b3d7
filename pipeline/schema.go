package pipeline

import (
	"encoding/json"
	"slices"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam/catalog"
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
					"required":  map[string]any{"type": "boolean", "description": "an empty value is a row error (the required check)"},
					"default":   map[string]any{"type": []string{"string", "number", "boolean"}, "description": "value when empty"},
					"lookup":    map[string]any{"$ref": "#/$defs/lookup"},
					"transform": describe(listOf("#/$defs/transform"), "how the cell's text is cleaned, in order"),
					"check":     describe(listOf("#/$defs/check"), "what the cleaned value must satisfy, or the row is rejected"),
				},
				"oneOf": []any{
					map[string]any{"required": []string{"column"}},
					map[string]any{"required": []string{"value"}},
					map[string]any{"required": []string{"expr"}},
					map[string]any{"required": []string{"lookup"}},
				},
			},
		},
	}
	column := map[string]any{"type": "string", "minLength": 1}
	lookup := map[string]any{
		"type": "object", "additionalProperties": false,
		"required":    []string{"file", "key", "value", "match"},
		"description": "the value found by this row's key in another CSV or XLSX file",
		"properties": map[string]any{
			"file":  map[string]any{"type": "string", "minLength": 1, "description": "the lookup file, relative to the mapping file"},
			"key":   map[string]any{"type": "string", "minLength": 1, "description": "the lookup file's column holding the keys"},
			"value": map[string]any{"type": "string", "minLength": 1, "description": "the lookup file's column holding the values"},
			"match": map[string]any{
				"description": "this row's key: a column, or {expr: ...}",
				"oneOf": []any{
					column,
					map[string]any{"type": "object", "additionalProperties": false, "required": []string{"column"}, "properties": map[string]any{"column": column}},
					map[string]any{"type": "object", "additionalProperties": false, "required": []string{"expr"}, "properties": map[string]any{"expr": str}},
				},
			},
			"ignore_case": map[string]any{"type": "boolean", "default": false, "description": "keys match whatever their case"},
			"csv":         map[string]any{"$ref": "#/properties/csv", "description": "how the lookup file is read, as the input's csv:"},
			"xlsx":        map[string]any{"$ref": "#/properties/xlsx", "description": "which sheet of the lookup workbook, as the input's xlsx:"},
		},
	}
	var perEntity []any
	for _, name := range catalog.Names() {
		e, _ := catalog.Lookup(name)
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
			"version":     map[string]any{"const": 1, "description": "the mapping file format"},
			"description": map[string]any{"type": "string", "description": "what the mapping is for, in words"},
			"import":      map[string]any{"enum": catalog.Names(), "description": "the entity the rows become (docs/entities.md)"},
			"source":      map[string]any{"type": "string", "description": "input file, relative to the mapping file"},
			"csv": map[string]any{
				"type": "object", "additionalProperties": false, "description": "how a CSV input is read; ignored for a workbook",
				"properties": map[string]any{
					"delimiter":   map[string]any{"enum": []string{"auto", ",", ";", "|", "\t", "tab", `\t`}, "default": "auto", "description": "the field separator; auto guesses it from the header"},
					"encoding":    map[string]any{"enum": csvEncodings, "default": "auto", "description": "the text encoding; a byte order mark wins"},
					"quote":       map[string]any{"const": `"`, "description": "the quote character"},
					"lazy_quotes": map[string]any{"type": "boolean", "default": false, "description": "accept a stray quote inside a field"},
					"header_row":  map[string]any{"type": "integer", "minimum": 1, "default": 1, "description": "the row of the header, as a spreadsheet numbers rows; rows before it are skipped"},
				},
			},
			"xlsx": map[string]any{
				"type": "object", "additionalProperties": false, "description": "how a workbook is read; ignored for a CSV file",
				"properties": map[string]any{
					"sheet":      map[string]any{"oneOf": []any{str, map[string]any{"type": "integer", "minimum": 1}}, "description": "the sheet, by name or number from 1 (default: the first)"},
					"header_row": map[string]any{"type": "integer", "minimum": 1, "default": 1, "description": "the row of the header; rows before it are skipped"},
				},
			},
			"limits": map[string]any{
				"type": "object", "additionalProperties": false,
				"description": "bounds on what a row of the input (and of lookup tables) may hold",
				"properties": map[string]any{
					"fields_per_row":      map[string]any{"type": "integer", "minimum": 1, "default": readers.DefaultLimits.FieldsPerRow, "description": "cells in a row; a longer row is a row error"},
					"field_bytes":         sizeSchema(int64(readers.DefaultLimits.FieldBytes)),
					"row_bytes":           sizeSchema(int64(readers.DefaultLimits.RowBytes)),
					"shared_strings":      map[string]any{"type": "integer", "minimum": 1, "default": readers.DefaultLimits.SharedStrings, "description": "entries in a workbook's shared strings table"},
					"shared_string_bytes": sizeSchema(readers.DefaultLimits.SharedStringBytes),
					"xml_depth":           map[string]any{"type": "integer", "minimum": 1, "default": readers.DefaultLimits.XMLDepth, "description": "nesting of a workbook's XML elements"},
				},
			},
			"where":      map[string]any{"type": "string", "description": "a condition over the row's columns and its number _row; rows where it is false are filtered"},
			"duplicates": map[string]any{"enum": duplicatesNames, "default": "error", "description": "rows of one input with the same key: error rejects the later ones, first or last keeps one and counts the others as duplicates"},
			"batch_size": map[string]any{"type": "integer", "minimum": 1, "default": 100, "description": "rows per request, for part_price and inventory only"},
			"files":      map[string]any{"type": "string", "description": "folder of the files a field of kind file names, relative to the mapping file (default: the input's folder)"},
			"file_types": map[string]any{"type": "array", "items": str, "description": "extensions of files sent besides images and PDFs"},
			"fields": map[string]any{
				"type": "object", "minProperties": 1, "description": "each API field sent, by name, and how it is made from a row",
				"additionalProperties": map[string]any{"$ref": "#/$defs/field"},
			},
		},
		"allOf": perEntity,
		"$defs": map[string]any{"field": field, "transform": transform, "check": check, "lookup": lookup},
	}
	b, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ExportSchema returns the JSON Schema of export mapping files, built from
// the export kinds: their sheets, fields and filters.
func ExportSchema() ([]byte, error) {
	str := map[string]any{"type": "string"}
	var perKind []any
	for _, k := range exportKinds {
		filters := map[string]any{}
		for _, f := range k.filters {
			var s map[string]any
			switch f.typ {
			case filterBool:
				s = map[string]any{"type": "boolean"}
			case filterChoice:
				s = map[string]any{"enum": f.choices}
			case filterRef, filterJobRef:
				keys := []string{"id", "myId", "name"}
				if f.typ == filterJobRef {
					keys = []string{"id", "myId", "num"}
				}
				props := map[string]any{}
				for _, key := range keys {
					props[key] = map[string]any{"type": []string{"string", "integer"}}
				}
				s = map[string]any{"type": "object", "additionalProperties": false, "minProperties": 1, "maxProperties": 1, "properties": props}
			default:
				s = str
			}
			filters[f.name] = s
		}
		sheets := map[string]any{}
		for i := range k.sheets {
			d := &k.sheets[i]
			names := []string{}
			for _, f := range d.fields {
				names = append(names, f.name)
			}
			fieldName := map[string]any{"type": "string", "anyOf": []any{map[string]any{"enum": names}}}
			for _, p := range d.dynamic {
				fieldName["anyOf"] = append(fieldName["anyOf"].([]any), map[string]any{"pattern": "^(?i:" + p[:len(p)-1] + ")\\..+"})
			}
			column := map[string]any{"oneOf": []any{
				fieldName,
				map[string]any{
					"type": "object", "additionalProperties": false, "required": []string{"field"},
					"properties": map[string]any{
						"field":  fieldName,
						"header": str,
						"type":   map[string]any{"enum": []string{"text", "number", "money", "percent", "date", "datetime"}},
					},
				},
			}}
			columns := map[string]any{"type": "array", "minItems": 1, "items": column}
			sheets[d.name] = map[string]any{"oneOf": []any{
				map[string]any{"const": false},
				columns,
				map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{"columns": columns}},
			}}
		}
		then := map[string]any{"properties": map[string]any{
			"filters": map[string]any{"type": "object", "additionalProperties": false, "properties": filters},
			"sheets":  map[string]any{"type": "object", "additionalProperties": false, "properties": sheets},
		}}
		if !k.files {
			then["not"] = map[string]any{"anyOf": []any{
				map[string]any{"required": []string{"photos"}}, map[string]any{"required": []string{"pdf"}},
			}}
		}
		perKind = append(perKind, map[string]any{
			"if":   map[string]any{"properties": map[string]any{"export": map[string]any{"const": k.name}}},
			"then": then,
		})
	}
	template := map[string]any{"type": "string", "pattern": "\\{(num|id)\\}", "description": "a path template with {num} or {id}"}
	schema := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  "https://github.com/stbulk/stbulk/export.schema.json",
		"title":                "stbulk export mapping file",
		"type":                 "object",
		"required":             []string{"version", "export"},
		"anyOf":                []any{map[string]any{"required": []string{"spreadsheet"}}, map[string]any{"required": []string{"photos"}}, map[string]any{"required": []string{"pdf"}}},
		"additionalProperties": false,
		"properties": map[string]any{
			"version":     map[string]any{"const": 1, "description": "the mapping file format"},
			"description": map[string]any{"type": "string", "description": "what the export is for, in words"},
			"export":      map[string]any{"enum": exportKindNames(), "description": "what is exported (the kinds below)"},
			"filters":     map[string]any{"type": "object", "description": "the kind's search filters (the kinds below)"},
			"spreadsheet": map[string]any{"type": "string", "pattern": "(?i)\\.(xlsx|csv)$", "description": "the file to write, relative to the output folder: .xlsx (one sheet per sheet) or .csv (one file per sheet)"},
			"csv": map[string]any{
				"type": "object", "additionalProperties": false, "description": "how a .csv spreadsheet is written",
				"properties": map[string]any{
					"delimiter": map[string]any{"enum": []string{",", ";", "|", "\t", "tab", `\t`}, "default": ",", "description": "the field separator"},
					"decimal":   map[string]any{"enum": []string{".", ","}, "default": ".", "description": "the decimal separator of numbers"},
					"bom":       map[string]any{"type": "boolean", "default": false, "description": "start with a UTF-8 byte order mark (for Excel)"},
					"date":      map[string]any{"type": "string", "default": "yyyy-MM-dd", "description": "the layout of dates, as the date transform writes them (dd/MM/yyyy)"},
					"datetime":  map[string]any{"type": "string", "default": "yyyy-MM-dd HH:mm:ss", "description": "the layout of dates with a time (dd/MM/yyyy HH:mm)"},
				},
			},
			"sheets":   map[string]any{"type": "object", "description": "per sheet: its columns, or false to leave it out; a sheet not named gets every field"},
			"photos":   template,
			"pdf":      template,
			"timezone": map[string]any{"type": "string", "description": "the account's time zone (Europe/Paris, UTC…), used by --since last"},
			"accounts": map[string]any{"type": "object", "description": "invoice_journal: receivable, revenue and vat (an account per rate) account numbers"},
			"references": map[string]any{
				"type": "object", "additionalProperties": false, "minProperties": 1,
				"description": "parts: the references to read (the API has no list of parts): a column of a CSV or XLSX file, and/or the parts jobs used",
				"properties": map[string]any{
					"file": str, "column": str, "sheet": str, "jobs": map[string]any{"type": "boolean"},
				},
				"dependentRequired": map[string]any{"file": []string{"column"}, "column": []string{"file"}, "sheet": []string{"file"}},
			},
			"currency": map[string]any{"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code of the amounts: EUR, USD…"},
			"overlap":  map[string]any{"type": "string", "default": "5m", "description": "how far before the last clean run --since last reads again, to catch late edits", "pattern": "^[0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h)([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))*$"},
		},
		"allOf": perKind,
	}
	b, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// describe adds a description to a schema.
func describe(s map[string]any, d string) map[string]any {
	s["description"] = d
	return s
}

// sizeSchema describes a byte count: a number, or text with a unit.
func sizeSchema(def int64) map[string]any {
	return map[string]any{
		"oneOf": []any{
			map[string]any{"type": "integer", "minimum": 1},
			map[string]any{"type": "string", "pattern": `^\s*[0-9]+\s*([KkMmGg][Ii]?[Bb]?|[Bb])?\s*$`},
		},
		"default": def, "description": "bytes, or a number with KiB, MiB or GiB",
	}
}
